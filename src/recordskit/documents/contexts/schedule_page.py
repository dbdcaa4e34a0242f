"""``schedule.docx``: every date of a new request on one printable page, for keeping on paper.

In English the page gives each deadline's full description and basis, for the letter-writer and
the clinic. In another language it is the family's page: each date with what happens and what to
do, in their words (the titles and actions ``summary.docx`` uses), every date written in their
language, and an expected date still marked as expected.
"""

from __future__ import annotations

from typing import Any

from recordskit.deadlines.events import deadline_title, event_title
from recordskit.deadlines.notices import notes_in_words
from recordskit.deadlines.schedule import Schedule
from recordskit.documents.contexts.family_words import family_words
from recordskit.i18n import N_, _, current_language
from recordskit.law import LAW_VERSION
from recordskit.models import Deadline, Directory, Request
from recordskit.text import local_date, long_date, written_date

CHANNELS = {"email": N_("by email"), "portal": N_("through the portal"), "mail": N_("by mail"),
            "hand": N_("by hand")}


def schedule_context(request: Request, directory: Directory, schedule: Schedule
                     ) -> dict[str, Any]:
    """What the printable one-page schedule (``schedule.docx``) shows."""
    agency = directory.agency(request.agency)
    student = request.student is not None
    # Left as a fork of content, not of words (see deadline_in_words and this module's
    # docstring): the letter-writer's page in English, the family's page elsewhere.
    english = current_language() == "en"
    if request.student is not None:
        title = _("Your request for {name}'s student record: the dates").format(
            name=request.student.name)
        counting = _("The school's days are counted as calendar days, every day included; "
                     "dates marked as assumed move when you learn the real day.")
    else:
        title = _("Your public records request to {agency}: the dates").format(
            agency=_(agency.name))
        counting = _("Business days leave out weekends and holidays; the appeal deadline "
                     "counts every day. Dates marked as assumed move when you learn the real "
                     "day.")
    sent = written_date(request.sent_on)
    return {
        "title": title,
        "intro": _("Sent {channel} on {date}.").format(channel=_(CHANNELS[request.delivery]),
                                                       date=sent) + " " + counting,
        "labels": {"date": _("Date"), "happens": _("What happens"), "todo": _("What to do")},
        "rows": [_row(d, agency.short_name, student) if english else _family_row(d)
                 for d in schedule.deadlines],
        "notes": list(notes_in_words(schedule.notes)),
        "keep": _("Keep this page with your copy of the letter. Made with recordskit; law table "
                  "{version}.").format(version=LAW_VERSION),
        "law_version": LAW_VERSION,
    }


def _row(deadline: Deadline, agency: str, student: bool) -> dict[str, str]:
    return {"date": f"{deadline.date:%a} {long_date(deadline.date)}",
            "title": deadline_title(deadline, agency, student=student),
            "description": deadline.description,
            "citation": deadline.citation}


def _family_row(deadline: Deadline) -> dict[str, str]:
    title, what = family_words(deadline) or (event_title(deadline.event, ""), "")
    return {"date": local_date(deadline.date), "title": title, "description": what,
            "citation": deadline.citation}
