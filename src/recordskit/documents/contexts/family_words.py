"""A schedule's dates in the family's words: what happens and what to do, in their language.

One place for what the family pages, the calendar and the commands say about each date when the
language is not English (in English they keep the letter-writer's titles and full
descriptions): the event's family title and action, and a mark on a date that is only
expected. The notes and warnings beside the dates are worded by ``deadlines.notices``, one
message each in every language.
"""

from __future__ import annotations

from recordskit.deadlines.events import DATED, deadline_title
from recordskit.i18n import N_, _, current_language
from recordskit.models import Deadline

EXPECTED = N_("This date is expected, not known: it moves when you log the real day.")


def family_words(deadline: Deadline) -> tuple[str, str] | None:
    """The date's title and what to do then, translated; an expected date says it is one.
    None for an event that has no words for families."""
    event = DATED.get(deadline.event)
    if event is None or not event.family_title:
        return None
    what = _(event.family_action) if event.family_action else ""  # never _(""): the header
    if deadline.basis == "assumed":
        what = (what + " " + _(EXPECTED)).strip()
    return _(event.family_title), what


def deadline_in_words(deadline: Deadline, agency: str, *, student: bool = False,
                      assumption: bool = True) -> tuple[str, str]:
    """A date's title and what it means, written once for every place that lists dates (the
    commands, the pages, the calendars): in English the letter-writer's title and description,
    with its assumption when the date is only assumed (unless ``assumption`` is False: the
    request's page shows the description alone); in another language the family's words
    (``family_words``).

    The choice is of content, not of words: the letter-writer's descriptions carry dates and
    counts that the family's plain actions leave out, so no one message can be both (a
    translation uses exactly its original's placeholders). Which one an English reader gets is
    the one decision left to the language here."""
    words = None if current_language() == "en" else family_words(deadline)
    if words is not None:
        return words
    assumed = (f" Assumed until the real date is logged: {deadline.assumption}."
               if assumption and deadline.basis == "assumed" else "")
    return (deadline_title(deadline, agency, student=student),
            deadline.description + assumed)
