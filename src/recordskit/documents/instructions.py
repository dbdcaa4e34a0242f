"""``how_to_send.txt``: where the letter goes, for the way the person chose, and what proof to keep.

Written in the family's language (the letter itself stays in English). Addresses, file names and
commands stay as they are: they go on an envelope or into a terminal. When the agency has no
email in the directory, it says so rather than pretend.
"""

from __future__ import annotations

from datetime import date

from recordskit.i18n import N_, _
from recordskit.law import LAW
from recordskit.models import Agency, Request, Student
from recordskit.text import local_date, one_line, rule_statement

WAYS = {"email": N_("email"), "portal": N_("the online portal"), "mail": N_("mail"),
        "hand": N_("by hand")}


def how_to_send(request: Request, agency: Agency, has_email_draft: bool) -> str:
    """Plain instructions for the chosen way of sending, and the proof to keep."""
    if request.student is not None:
        return _how_to_send_student(request, request.student, agency)
    officer = agency.records_officer
    name = _(agency.name)
    envelope = (f"{officer.title}, {officer.office + ', ' if officer.office else ''}"
                f"{agency.name}, {one_line(officer.mailing_address)}")
    keep = LAW["written_request_for_appeal"]
    lines = [_("How to send your request to {agency}").format(agency=name), ""]
    if request.delivery == "email":
        lines += [
            _("By email: open email.eml. Your mail program shows it as a draft addressed to "
              "{email}, with the letter in the message and letter.docx attached. Check it, then "
              "press Send.").format(email=officer.email),
            _("Keep the sent email. If you ever appeal, you will need it with its full headers."),
        ]
    elif request.delivery == "portal":
        lines += [
            _("Through the online portal: {url}").format(url=officer.portal_url),
            _("Start a new public records request, paste the text of the letter (it is also in "
              "the message of email.eml, if there is one) and attach letter.docx. Write down the "
              "reference number the portal gives you (it looks like R004625-112326) and log it: "
              "{command}").format(command=f"recordskit log {request.fingerprint()} received "
                                          "--on DATE --tracking NUMBER"),
        ]
    elif request.delivery == "mail":
        lines += [
            _("By mail to: {address}").format(address=envelope),
            _("Print letter.docx, sign it, and keep a copy. Certified mail with a return receipt "
              "gives you proof of the day it arrived; when you know it, log it: {command}"
              ).format(command=f"recordskit log {request.fingerprint()} received --on DATE"),
        ]
    else:
        lines += [
            _("By hand to: {address}").format(address=envelope),
            _("Print two copies of letter.docx. Ask the office to stamp the date of receipt on "
              "one copy, and keep it."),
        ]
    if request.delivery in ("mail", "hand") and not request.send_to:
        address_source = _address_source(agency)
        if address_source is not None:
            lines += ["", _("This address comes from a source dated {date}. It may have "
                            "changed: confirm it with {agency} before you mail or bring the "
                            "letter.").format(date=local_date(address_source),
                                              agency=_(agency.name))]
    if request.send_to:
        lines += ["", _("This address is the one you gave (send_to), not one from recordskit's "
                        "directory of {agency}: check it before you send the letter."
                        ).format(agency=_(agency.name))]
    if not has_email_draft:
        lines += ["", _("The directory has no verified email address for {agency}, so "
                        "recordskit made no email draft. Ways it takes requests: {ways}."
                        ).format(agency=_(agency.name),
                                 ways=", ".join(_(WAYS[way]) for way in agency.delivery))]
    lines += ["", _("Keep a copy of what you send: {rule} ({citation}).").format(
                  rule=rule_statement(keep.key), citation=keep.citation),
              _("Sent on {date}. The deadlines count from the day {agency} receives it, not "
                "the day you send it: schedule.docx shows that day, and it moves when you log "
                "the real one.").format(date=local_date(request.sent_on), agency=name)]
    return "\n".join(lines) + "\n"


def _how_to_send_student(request: Request, student: Student, agency: Agency) -> str:
    officer = agency.records_officer
    school = student.school
    copy_to = officer.email or one_line(officer.mailing_address)
    how = {
        "email": _("Email letter.docx (or its text) to the principal of {school}; the school's "
                   "main office can give you the principal's email address."),
        "mail": _("Print letter.docx, sign it, and mail it to the principal of {school}."),
        "hand": _("Print two copies of letter.docx and bring them to the main office of "
                  "{school}. Ask the office to write the date it received the letter on one "
                  "copy, and keep it."),
    }.get(request.delivery, "").format(school=school)
    lines = [
        _("How to send your request for {name}'s student record").format(name=student.name), "",
        how,
        _("Send a copy to the {office} of {agency}: {address}.").format(
            office=officer.office, agency=_(agency.name), address=copy_to),
        _("Keep a copy of what you send and the date you sent it. The school's {days} days "
          "count from the day it receives the letter (schedule.docx shows the day taken).").format(
              days=LAW["student_record_access"].value),
    ]
    if agency.family_helpline:
        lines += ["", _(agency.family_helpline) + "."]
    return "\n".join(lines) + "\n"


OLD_ADDRESS_YEARS = 5
"""Not law: a mailing address whose only dated source is older than this is to be confirmed."""


def _address_source(agency: Agency) -> date | None:
    """The date of the source a mailing address rests on, when it is old enough to confirm: the
    directory names a source that addressed the records office by mail, dated years ago (for
    BPD, a 2015 Supervisor of Records determination)."""
    newest = max(source.verified_on for source in agency.sources)
    dated = [source.verified_on for source in agency.sources
             if newest.year - source.verified_on.year >= OLD_ADDRESS_YEARS]
    notes = agency.notes.lower()
    if dated and ("confirm it before mailing" in notes or "mailing address" in notes):
        return min(dated)
    return None
