"""Words and dates as recordskit writes them: in an English letter, or in the family's language.

One place for the small text helpers every document needs, so that a date or a list of titles is
written the same way in a letter, a checklist and a terminal.
"""

from __future__ import annotations

from datetime import date

from recordskit.i18n import N_, _

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))


def long_date(day: date) -> str:
    """``2026-11-23`` -> ``November 23, 2026``, the way a US letter writes dates."""
    return f"{day:%B} {day.day}, {day.year}"


def local_date(day: date) -> str:
    """A date written in the current language: ``Monday, November 23, 2026`` in English."""
    return _("{weekday}, {month} {day}, {year}").format(
        weekday=_(WEEKDAYS[day.weekday()]), month=_(MONTHS[day.month - 1]), day=day.day,
        year=day.year)


def capital(text: str) -> str:
    """``the City Clerk`` -> ``The City Clerk``: only the first letter changes."""
    return text[:1].upper() + text[1:]


def join_titles(items: list[str]) -> str:
    """Record titles inside a sentence: ``a, b and c``, each lower-cased unless an acronym."""
    items = [i[:1].lower() + i[1:] if not i[:2].isupper() else i for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def one_line(text: str) -> str:
    """An address or other multi-line answer on one line, parts separated by commas."""
    return text.replace("\n", ", ")
