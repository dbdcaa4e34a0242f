"""Words and dates as recordskit writes them: in an English letter, or in the family's language.

One place for the small text helpers every document needs, so that a date or a list of titles is
written the same way in a letter, a checklist and a terminal.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from recordskit.i18n import N_, _, full_date
from recordskit.law import LAW

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))


HOLIDAYS = (N_("New Year's Day"), N_("Martin Luther King Jr. Day"), N_("Washington's Birthday"),
            N_("Patriots' Day"), N_("Memorial Day"), N_("Juneteenth National Independence Day"),
            N_("Independence Day"), N_("Labor Day"), N_("Columbus Day"), N_("Veterans Day"),
            N_("Thanksgiving Day"), N_("Christmas Day"), N_("Evacuation Day"),
            N_("Bunker Hill Day"))
"""The names the business-day calendar gives the days Boston's offices close (Massachusetts
holidays and Suffolk County's two days), as the ``holidays`` package and our calendar write
them: the calendar's English, which schedules keep, is translated where a family reads it."""


def closed_day_words(reason: str) -> str:
    """Why an office is closed, as the calendar says it (``Saturday``, ``Christmas Day``,
    ``Evacuation Day (observed)``, ``Friday before Veterans Day (a Saturday)``, or a closure's
    own words), in the language in use."""
    if reason.startswith("Friday before ") and reason.endswith(" (a Saturday)"):
        holiday = reason.removeprefix("Friday before ").removesuffix(" (a Saturday)")
        return _("the Friday before {holiday}, which falls on a Saturday").format(
            holiday=closed_day_words(holiday))
    if reason.endswith(" (observed)"):
        return _("{holiday}, observed on this day").format(
            holiday=closed_day_words(reason.removesuffix(" (observed)")))
    return _(reason) if reason in (*WEEKDAYS, *HOLIDAYS) else reason


def iso_day(text: str) -> date | None:
    """A day typed as YYYY-MM-DD (surrounding space allowed), or None when it is not one."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None


def long_date(day: date) -> str:
    """``2026-11-23`` -> ``November 23, 2026``, the way a US letter writes dates."""
    return f"{day:%B} {day.day}, {day.year}"


def local_date(day: date) -> str:
    """A date written in the current language: ``Monday, November 23, 2026`` in English,
    ``lunes, 23 de noviembre de 2026`` in Spanish (Babel's full format, where Babel knows the
    language's month names), ``lendi 23 novanm 2026`` in Haitian Creole (the catalog's words:
    Babel has none for it). English is one of Babel's languages like the others: its full
    format is the one this function wrote by hand before."""
    written = full_date(day)
    if written is not None:
        return written
    return _("{weekday}, {month} {day}, {year}").format(
        weekday=_(WEEKDAYS[day.weekday()]), month=_(MONTHS[day.month - 1]), day=day.day,
        year=day.year)


# Translators: how a date is written inside a sentence, as a CLDR date pattern: EEEE the
# weekday's name, MMMM the month's name, d the day, y the year; text in 'quotes' as it is.
DATE_PATTERN = N_("MMMM d, y")
_PATTERN = re.compile(r"'[^']*'|EEEE|MMMM|d|y|[^'EMdy]+|.")


def written_date(day: date) -> str:
    """A date inside a sentence of a checklist, a page or a command's report, in the language
    in use: the pattern its translator chose, with the catalog's names of the months and
    weekdays (``November 23, 2026`` in English, as a US letter writes dates; ``lunes, 23 de
    noviembre de 2026`` in Spanish and ``lendi 23 novanm 2026`` in Haitian Creole, as
    ``local_date`` writes them)."""
    pattern = _(DATE_PATTERN)
    words = {"EEEE": _(WEEKDAYS[day.weekday()]), "MMMM": _(MONTHS[day.month - 1]),
             "d": str(day.day), "y": str(day.year)}
    return "".join(words.get(token, token[1:-1] if token.startswith("'") else token)
                   for token in _PATTERN.findall(pattern))


def day_first() -> bool:
    """Whether the language in use writes the day before the month (its date pattern, as
    ``written_date`` reads it), so that ``22/01/2027`` can only mean the 22nd of January; in
    English, which writes the month first, ``01/02/2027`` could mean either day."""
    pattern = "".join(token for token in _PATTERN.findall(_(DATE_PATTERN))
                      if not token.startswith("'"))
    return 0 <= pattern.find("d") < pattern.find("MMMM")


def capital(text: str) -> str:
    """``the City Clerk`` -> ``The City Clerk``: only the first letter changes."""
    return text[:1].upper() + text[1:]


def join_titles(items: list[str]) -> str:
    """Record titles inside a sentence: ``a, b and c``, each lower-cased where it is not a name
    ("School police reports" -> "school police reports"; "City Council dockets" stays)."""
    items = [_in_sentence(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _in_sentence(title: str) -> str:
    words = title.split(" ", 2)
    if words[0] in ("The", "A", "An"):
        return title[:1].lower() + title[1:]
    if title[:2].isupper() or (len(words) > 1 and words[1][:1].isupper()):
        return title  # an acronym, or a name such as "City Council"
    return title[:1].lower() + title[1:]


_ENDS_SENTENCE = ".!?…"
_CLOSERS = ")\"'”’"


def sentence(text: str) -> str:
    """Text as a sentence of its own: its first letter a capital, and a full stop added unless
    it already ends one ('minutes (2019)' and 'titled "X"' still need theirs; '(see 2.)' not)."""
    text = text.strip()
    text = text.rstrip(",:").rstrip() or text  # a trailing comma or colon, unless that is all
    if not text:
        return text
    capital = text[:1].upper()
    if len(capital) == 1:  # 'ß' has no one-letter capital: left as typed
        text = capital + text[1:]
    end = text.rstrip(_CLOSERS)
    return text if end and end[-1] in _ENDS_SENTENCE else text + "."


def one_line(text: str) -> str:
    """An address or other multi-line answer on one line, parts separated by commas."""
    return text.replace("\n", ", ")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d",
                   "\uff20")
"""What makes a spreadsheet read a cell as a formula: ``=``, ``+``, ``-``, ``@`` (and their
full-width forms, which some spreadsheets read the same), or a tab or line break before one."""


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would run ``text``, typed into a cell, as a formula (leading
    spaces are passed over, as spreadsheets do)."""
    return text.lstrip(" ").startswith(_FORMULA_STARTS)


def csv_cell(value: object) -> str:
    """A cell as a spreadsheet will read it as text, never as a formula: the one cell
    serializer of every CSV recordskit writes (``documents/batch/spreadsheet.py`` writes an XLSX's
    cells by the same test, as typed text).

    Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or
    ``@`` (or a tab or carriage return before one) as a formula, so a row id like
    ``=HYPERLINK(…)`` would become a link; such a cell is written with a leading apostrophe,
    which spreadsheets show as text and hide.
    """
    text = "" if value is None else str(value)
    return "'" + text if formula_like(text) else text


def csv_document(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV file (RFC 4180 line ends) of ``rows`` under ``header``, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


# The law table's sentences a family reads, marked for the translators. A test keeps each the
# same as the law table's; one that drifts is printed in English rather than mistranslated.
FAMILY_RULES = {
    "written_request_for_appeal": N_(
        "an oral request cannot be the basis of an appeal, so keep this written request and, "
        "for email, its full headers"),
    "appeal_contents": N_(
        "an appeal must be in writing and state the specific objections; it must attach "
        "complete copies of the request and of every written response, a copy must go to the "
        "records access officer, and it must cite any earlier appeal number it relates to"),
    "email_headers": N_(
        "for email, the copies must include the full header information: time, date, "
        "subject, sender and recipient addresses"),
}


def rule_statement(key: str) -> str:
    """A rule of the law table as a family reads it: in their language when translated."""
    statement = LAW[key].statement
    return _(statement) if FAMILY_RULES.get(key) == statement else statement
