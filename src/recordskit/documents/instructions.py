"""``how_to_send.txt``: where the letter goes, for the way the person chose, and what proof to keep.

When the agency has no email in the directory, it says so rather than pretend.
"""

from __future__ import annotations

from recordskit.law import LAW
from recordskit.models import Agency, Request, Student
from recordskit.text import long_date, one_line


def how_to_send(request: Request, agency: Agency, has_email_draft: bool) -> str:
    """Plain instructions for the chosen way of sending, and the proof to keep."""
    if request.student is not None:
        return _how_to_send_student(request, request.student, agency)
    officer = agency.records_officer
    address = one_line(officer.mailing_address)
    keep = LAW["written_request_for_appeal"]
    lines = [f"How to send your request to {agency.name}", ""]
    if request.delivery == "email":
        lines += [
            "By email: open email.eml. Your mail program shows it as a draft addressed to "
            f"{officer.email}, with the letter in the message and letter.docx attached. Check "
            "it, then press Send.",
            "Keep the sent email. If you ever appeal, you will need it with its full headers.",
        ]
    elif request.delivery == "portal":
        lines += [
            f"Through the online portal: {officer.portal_url}",
            "Start a new public records request, paste the text of the letter (it is also in "
            "the message of email.eml, if there is one) and attach letter.docx. Write down the "
            "reference number the portal gives you (it looks like R004625-112326) and log it: "
            f"recordskit log {request.fingerprint()} received --on DATE --tracking NUMBER",
        ]
    elif request.delivery == "mail":
        lines += [
            f"By mail to: {officer.title}, {officer.office + ', ' if officer.office else ''}"
            f"{agency.name}, {address}",
            "Print letter.docx, sign it, and keep a copy. Certified mail with a return receipt "
            "gives you proof of the day it arrived; when you know it, log it: "
            f"recordskit log {request.fingerprint()} received --on DATE",
        ]
    else:
        lines += [
            f"By hand to: {officer.title}, {officer.office + ', ' if officer.office else ''}"
            f"{agency.name}, {address}",
            "Print two copies of letter.docx. Ask the office to stamp the date of receipt on "
            "one copy, and keep it.",
        ]
    if request.send_to:
        lines += ["", f"This address is the one you gave (send_to), not one from recordskit's "
                  f"directory of {agency.short_name}: check it before you send the letter."]
    if not has_email_draft:
        lines += ["", f"The directory has no verified email address for {agency.short_name}, so "
                  "recordskit made no email draft. Ways it takes requests: "
                  + ", ".join(agency.delivery) + "."]
    lines += ["", f"Keep a copy of what you send: {keep.statement} ({keep.citation}).",
              f"Sent on {long_date(request.sent_on)}: the schedule counts from there."]
    return "\n".join(lines) + "\n"


def _how_to_send_student(request: Request, student: Student, agency: Agency) -> str:
    officer = agency.records_officer
    school = student.school
    copy_to = officer.email or one_line(officer.mailing_address)
    how = {
        "email": f"Email letter.docx (or its text) to the principal of {school}; the school's "
                 "main office can give you the principal's email address.",
        "mail": f"Print letter.docx, sign it, and mail it to the principal of {school}.",
        "hand": f"Print two copies of letter.docx and bring them to the main office of {school}. "
                "Ask the office to write the date it received the letter on one copy, and keep "
                "it.",
    }.get(request.delivery, "")
    lines = [
        f"How to send your request for {student.name}'s student record", "",
        how,
        f"Send a copy to the {officer.office} of {agency.name}: {copy_to}.",
        "Keep a copy of what you send and the date you sent it. The school's 10 days count "
        "from then.",
    ]
    if agency.family_helpline:
        lines += ["", agency.family_helpline + "."]
    return "\n".join(lines) + "\n"
