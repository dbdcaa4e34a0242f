"""``email.eml``: a standard draft (RFC 5322, UTF-8) of the request to the agency's records email.

The letter is its plain-text body and the DOCX is attached. It exists only when the directory has
a verified email for the agency. Mail programs open it as a draft to check and send.
"""

from __future__ import annotations

from datetime import datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, make_msgid
from functools import lru_cache

from recordskit.documents.docx_text import docx_text
from recordskit.models import Agency, Request


def header_text(text: str) -> str:
    """User or directory text made safe for a header, as the email package then encodes it.

    One line only: a line break would let an answer forge more headers. And no RFC 2047 encoded
    word: a mail program decodes ``=?utf-8?b?…?=`` in a header, so such text in a name could
    carry a line break and forged headers (or a whole new body) past every check. ``=?`` is
    written ``= ?``, which no program decodes; everything else stays as typed.
    """
    return " ".join(text.split()).replace("=?", "= ?")


BOUNDARY = "=_recordskit-draft"
"""The boundary between the letter and its attachment. "=_" never occurs in quoted-printable or
base64 text, the two encodings the parts use, so no letter can contain the boundary, and the
email package need not search every draft for one that is free."""


@lru_cache(maxsize=256)
def repeated_header(name: str, value: str) -> str:
    """A header whose value the drafts of a batch share (the agency's address, the subject,
    the date), parsed once: the email package stores a header object as it is given."""
    header: str = default.header_factory(name, value)
    return header


def email_draft(request: Request, agency: Agency, letter: bytes, subject: str) -> bytes | None:
    """An email draft to the agency's records email, or None when the directory has none."""
    to = agency.records_officer.email
    if not to:
        return None
    message = EmailMessage()
    person = request.requester
    message["To"] = repeated_header("To", str(Address(addr_spec=to)))
    if person.email:
        message["From"] = Address(display_name=header_text(person.name or person.organization),
                                  addr_spec=person.email)
    message["Subject"] = repeated_header("Subject", header_text(subject))
    sent = datetime.combine(request.sent_on, time(9, 0)).astimezone()
    message["Date"] = repeated_header("Date", format_datetime(sent))
    message["Message-ID"] = make_msgid(idstring=request.fingerprint(), domain="recordskit.invalid")
    message["X-Unsent"] = "1"  # mail programs open it as a draft to send, not a received mail
    # Quoted-printable always (never 7bit or 8bit, which would leave the text as typed): see
    # BOUNDARY.
    message.set_content(docx_text(letter), charset="utf-8", cte="quoted-printable")
    message.add_attachment(
        letter, maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="public-records-request.docx")
    message.set_boundary(BOUNDARY)
    return bytes(message)
