"""One-page companions, in the family's language, to the follow-up and the appeal.

The letters themselves stay in English (the agency and the Supervisor of Records read them);
the companion says what each asks and what to do next, in the layout of ``summary.docx``.
They are written only when the request's language is not English.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recordskit.documents.contexts.appeal import AppealPacket
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
    "order_not_followed": N_("It says the date the Supervisor of Records' order gave {agency} "
                             "has passed without the records, and asks for them now."),
}
APPEAL_GROUNDS = {
    "no_response": N_("{agency} did not answer your request in time."),
    "denial_without_exemption": N_("{agency} withheld records without naming the exemption "
                                   "and the reason."),
    "unlawful_fee": N_("{agency} asked for a fee it may not charge."),
    "excessive_fee": N_("{agency} asked for a fee larger than the law allows."),
    "production_beyond_limit": N_("{agency} set a date for the records later than the law "
                                  "allows."),
    "exemption_contested": N_("{agency} withheld records under an exemption that does not "
                              "apply, or kept back parts it could release."),
    "incomplete_production": N_("{agency} gave you only part of the records you asked for."),
    "production_missed": N_("The date {agency} set for giving you the records passed without "
                            "them."),
    "no_records": N_("{agency} said it has no records, and you believe it did not search well "
                     "enough."),
    "no_search_described": N_("{agency} said it has no records without saying where or how it "
                              "searched."),
    "closed_inactive": N_("{agency} closed your request without giving you the records or a "
                          "reason the law allows."),
    "late_petition": N_("{agency} asked the Supervisor of Records for more time after the last "
                        "day to ask."),
}
"""Each ground in the family's words, by its kind (a test checks that every kind has them)."""
RESTS_ON = N_("This rests on {answer}.")
FEE_RELIEF = N_("It asks the Supervisor of Records to strike the fee of {amount}, or to reduce "
                "it to what the law allows.")
FEE_RELIEF_NO_AMOUNT = N_("It asks the Supervisor of Records to strike the fee, or to reduce it "
                          "to what the law allows.")


def followup_companion(request: Request, agency: Agency, situation: str, *, today: date,
                       response_due: date | None, reply_by: date, appeal_deadline: date | None,
                       letter: str) -> dict[str, Any]:
    """What the follow-up asks and what to do next, for ``summary.docx``'s layout."""
    name = _(agency.name)
    asks = FOLLOW_UP_ASKS.get(situation)
    if request.student is not None:
        what = _("If the school still has not answered by this day, ask the BPS Office of "
                 "Legal Advisor or the BPS Helpline for help.")
    elif situation == "order_not_followed":
        what = _("If the records have not come by this day, tell the Supervisor of Records, "
                 "who may refer the matter to the Attorney General. You may also ask a lawyer "
                 "about going to court.")
    elif appeal_deadline is not None:
        what = _("If no reply comes by this day, you may appeal to the Supervisor of Records "
                 "(recordskit appeal makes the appeal).")
    else:
        what = _("If no reply comes by this day, ask a lawyer or a legal clinic what to do "
                 "next.")
    rows = [{"date": local_date(reply_by), "title": _("The reply is due"), "what": what}]
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
    # Each ground says the answer it rests on (an appeal may argue more than one).
    asked = [_(APPEAL_GROUNDS[g.key]).format(agency=name) + " "
             + _(RESTS_ON).format(answer=g.window.said()) for g in packet.grounds
             if g.key in APPEAL_GROUNDS]
    asked.append(_("It asks the Supervisor of Records to order {agency} to answer as the law "
                   "requires.").format(agency=name))
    fees = [g for g in packet.grounds if g.key == "excessive_fee"]
    if fees:
        amount = next((g.amount for g in fees if g.amount), "")
        asked.append(_(FEE_RELIEF).format(amount=f"${amount}") if amount
                     else _(FEE_RELIEF_NO_AMOUNT))
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
