"""``summary.docx``: the family's own page, in their language, beside the English letter.

It says what was asked and of whom, and for each date of the schedule what it means and what
to do then. Dates are written in the chosen language; the letter itself stays in English.
"""

from __future__ import annotations

from typing import Any

from recordskit.deadlines.schedule import Schedule
from recordskit.documents.contexts.family_words import family_words
from recordskit.i18n import _, unreviewed_messages
from recordskit.models import Deadline, Directory, Request
from recordskit.text import local_date


def summary_context(request: Request, directory: Directory, schedule: Schedule
                    ) -> dict[str, Any]:
    """What ``summary.docx`` says, every sentence in the current language."""
    agency = directory.agency(request.agency)
    if request.student is not None:
        asked = [_("The complete student record of {name}, including the log of who has seen "
                   "it, and any school police incident reports about the student.").format(
                       name=request.student.name)]
        whom = _("The principal of {school}, with a copy to the BPS Office of Legal "
                 "Advisor.").format(school=request.student.school)
    else:
        asked = [_(agency.record(r).title) for r in request.records]
        if request.other_records:
            asked.append(_("In your words: {text}").format(text=request.other_records))
        whom = _(agency.name)
    return {
        "title": _("Your request: what you asked, of whom, and the dates"),
        "asked_label": _("What you asked for:"),
        "asked": asked,
        "whom_label": _("Of whom:"),
        "whom": whom,
        "sent": _("Sent on {date}.").format(date=local_date(request.sent_on)),
        "dates_label": _("The dates, and what to do then:"),
        "rows": [_row(deadline) for deadline in schedule.deadlines],
        "keep": (_("Keep this page. The letter to the school is in English, in letter.docx; "
                   "this page is for you.") if request.student is not None else
                 _("Keep this page. The letter to the agency is in English, in letter.docx; "
                   "this page is for you. A public records request can itself be released to "
                   "others.")) + _review_note(),
    }


def _review_note() -> str:
    """Said on the page while its language's translation waits for a native speaker's review,
    so a reader knows to ask when a sentence is unclear, and a reviewer knows where to start."""
    if not unreviewed_messages():
        return ""
    return " " + _("Translation not yet reviewed by a native speaker: if a sentence is unclear, "
                   "ask for the English.")


def _row(deadline: Deadline) -> dict[str, str]:
    title, what = family_words(deadline) or (deadline.event, "")
    return {"date": local_date(deadline.date), "title": title, "what": what}
