"""``summary.docx``: the family's own page, in their language, beside the English letter.

It says what was asked and of whom, and for each date of the schedule what it means and what
to do then. Dates are written in the chosen language; the letter itself stays in English.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recordskit.i18n import N_, _
from recordskit.models import Directory, Request
from recordskit.schedule import Schedule

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))

WHAT_TO_DO: dict[str, str] = {
    "received": N_("The day your letter counts as received. Keep a copy of what you sent, with "
                   "the date."),
    "response_due": N_("The agency must answer by this day: send the records, or write to you "
                       "to explain."),
    "follow_up": N_("If no answer came, write to the agency again (recordskit followup makes "
                    "the letter). From now on it may not charge you fees, and you may appeal "
                    "to the Supervisor of Records."),
    "production_due_max": N_("The latest date the agency may set for giving you the records, "
                             "unless the Supervisor of Records gives it more time."),
    "appeal_deadline_no_response": N_("If the agency never answered, this is the last day to "
                                      "appeal to the Supervisor of Records (recordskit appeal "
                                      "makes the appeal). Do it a few days before."),
    "student_record_due": N_("The school must let you see the record and give you copies by "
                             "this day."),
    "student_follow_up": N_("If the school has not answered, write to the principal again, "
                            "with a copy to the BPS Office of Legal Advisor."),
    "ferpa_outer_limit": N_("The latest date federal law allows. The Massachusetts rule above "
                            "is stricter."),
}
TITLES: dict[str, str] = {
    "received": N_("Your letter arrives"),
    "response_due": N_("The answer is due"),
    "follow_up": N_("Follow up if nothing came"),
    "production_due_max": N_("Latest date for the records"),
    "appeal_deadline_no_response": N_("Last day to appeal"),
    "student_record_due": N_("The school must give access"),
    "student_follow_up": N_("Follow up with the school"),
    "ferpa_outer_limit": N_("Federal outer limit"),
}


def local_date(day: date) -> str:
    """A date written in the current language: ``Monday, November 23, 2026`` in English."""
    return _("{weekday}, {month} {day}, {year}").format(
        weekday=_(WEEKDAYS[day.weekday()]), month=_(MONTHS[day.month - 1]), day=day.day,
        year=day.year)


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
        "rows": [{"date": local_date(d.date), "title": _(TITLES.get(d.event, d.event)),
                  "what": _(WHAT_TO_DO.get(d.event, ""))} for d in schedule.deadlines],
        "keep": _("Keep this page. The letter to the agency is in English, in letter.docx; "
                  "this page is for you. A public records request can itself be released to "
                  "others."),
    }
