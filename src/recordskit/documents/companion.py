"""One-page companions, in the family's language, to the follow-up and the appeal.

The letters themselves stay in English (the agency and the Supervisor of Records read them);
the companion says what each asks and what to do next, in the layout of ``summary.docx``.
They are written only when the request's language is not English.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recordskit.documents.appeal import AppealPacket
from recordskit.i18n import N_, _
from recordskit.models import Agency, Request
from recordskit.text import local_date

FOLLOW_UP_ASKS = {
    "no_response": N_("It reminds {agency} that its answer was due on {due} and never came, "
                      "asks for the records, and says that no fee may now be charged."),
    "no_exemption": N_("It asks {agency} to say, for each record it withheld, which exemption "
                       "of the law it relies on and why, as the law requires, and to release "
                       "the rest."),
    "late_fee": N_("It says the fee {agency} asked for came after the answer was due, so no fee "
                   "may be charged, and asks for the records without it."),
    "extension_beyond_limit": N_("It says the date {agency} set for giving you the records is "
                                 "later than the law allows, and asks for them by the legal "
                                 "limit."),
    "production_missed": N_("It says the date {agency} set for giving you the records has "
                            "passed, and asks for them now."),
    "student_no_access": N_("It asks the principal again to let you see the student record and "
                            "give you copies, with a copy to the BPS Office of Legal Advisor."),
}
APPEAL_GROUNDS = {
    "no_response": N_("{agency} did not answer your request in time."),
    "denial_without_exemption": N_("{agency} withheld records without naming the exemption "
                                   "and the reason."),
    "unlawful_fee": N_("{agency} asked for a fee it may not charge."),
    "excessive_fee": N_("{agency} asked for a fee larger than the law allows."),
    "production_beyond_limit": N_("{agency} set a date for the records later than the law "
                                  "allows."),
}


def followup_companion(request: Request, agency: Agency, situation: str, *, today: date,
                       response_due: date | None, reply_by: date, appeal_deadline: date | None,
                       letter: str) -> dict[str, Any]:
    """What the follow-up asks and what to do next, for ``summary.docx``'s layout."""
    name = _(agency.name)
    asks = FOLLOW_UP_ASKS.get(situation)
    rows = [{"date": local_date(reply_by), "title": _("The reply is due"),
             "what": _("If the school still has not answered by this day, ask the BPS Office of "
                       "Legal Advisor or the BPS Helpline for help.")
             if request.student is not None else
             _("If no reply comes by this day, you may appeal to the Supervisor of Records "
               "(recordskit appeal makes the appeal).")}]
    if appeal_deadline is not None:
        rows.append({"date": local_date(appeal_deadline), "title": _("Last day to appeal"),
                     "what": _("After this day you can no longer appeal this answer. Do it a "
                               "few days before.")})
    return {
        "title": _("Your follow-up letter: what it asks, and what to do next"),
        "asked_label": _("What the letter asks:"),
        "asked": [_(asks).format(agency=name, due=local_date(response_due) if response_due
                                 else "") if asks else ""],
        "whom_label": _("To:"),
        "whom": (_("The principal of {school}").format(school=request.student.school)
                 if request.student is not None else name),
        "sent": _("Written on {date}. Send it the same way you sent your request, and keep a "
                  "copy.").format(date=local_date(today)),
        "dates_label": _("The dates, and what to do then:"),
        "rows": rows,
        "keep": _("Keep this page. The letter is in English, in {file}, because the school or "
                  "the agency reads it; this page is for you.").format(file=letter),
    }


def appeal_companion(packet: AppealPacket) -> dict[str, Any]:
    """What the appeal asks and what to do next, for ``summary.docx``'s layout."""
    name = _(packet.agency.name)
    asked = [_(APPEAL_GROUNDS[g.key]).format(agency=name) for g in packet.grounds
             if g.key in APPEAL_GROUNDS]
    asked.append(_("It asks the Supervisor of Records to order {agency} to answer as the law "
                   "requires.").format(agency=name))
    officer = packet.supervisor.records_officer
    return {
        "title": _("Your appeal: what it asks, and what to do next"),
        "asked_label": _("What the appeal says:"),
        "asked": asked,
        "whom_label": _("To:"),
        "whom": _("the Supervisor of Records ({address}), with a copy to {agency}").format(
            address=officer.email or officer.mailing_address.replace("\n", ", "), agency=name),
        "sent": _("Written on {date}.").format(date=local_date(packet.written_on)),
        "dates_label": _("The dates, and what to do then:"),
        "rows": [{"date": local_date(packet.deadline), "title": _("Last day to appeal"),
                  "what": _("Send appeal.docx to the Supervisor of Records, and "
                            "appeal_cover.docx to {agency}, by this day; sooner is safer. "
                            "appeal_checklist.txt lists what to attach.").format(agency=name)}],
        "keep": _("Keep this page. The appeal is in English, in appeal.docx, because the "
                  "Supervisor of Records reads it; this page is for you."),
    }
