"""``email.eml``: a standard draft (RFC 5322, UTF-8) of the request to the agency's records email.

The letter is its plain-text body and the DOCX is attached. It exists only when the directory has
a verified email for the agency. Mail programs open it as a draft to check and send.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, time
from email import quoprimime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from typing import Any

from recordskit.documents.rendering.docx_text import document_text, docx_text
from recordskit.models import Agency, Request


def header_text(text: str) -> str:
    """User or directory text made safe for a header, as the email package then encodes it.

    One line only: a line break would let an answer forge more headers. And no RFC 2047 encoded
    word: a mail program decodes ``=?utf-8?b?…?=`` in a header, so such text in a name could
    carry a line break and forged headers (or a whole new body) past every check. ``=?`` is
    written ``= ?``, which no program decodes; everything else stays as typed.
    """
    return " ".join(text.split()).replace("=?", "= ?")


_LONGEST_WORD = 60
"""A display name's word longer than this is written as encoded words, which fold."""
_CHUNK = 45
"""Bytes of UTF-8 in one encoded word: 60 characters of base64, 72 with its markers."""


def encoded_words(text: str) -> str:
    """``text`` as RFC 2047 encoded words (UTF-8, base64), one a line, each line under 78
    characters: how a header holds a word too long for a line, losslessly (a mail program joins
    adjacent encoded words without the folding space between them). The words are made here
    from text ``header_text`` has made safe, so no character of it can become a header."""
    data, words, start = text.encode("utf-8"), [], 0
    while start < len(data):
        end = min(start + _CHUNK, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # never half a character
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode('ascii')}?=")
        start = end
    return "\n ".join(words)


BOUNDARY = "=_recordskit-draft"
"""The boundary between the letter and its attachment. "=_" never occurs in quoted-printable or
base64 text, the two encodings the parts use, so no letter can contain the boundary, and the
email package need not search every draft for one that is free."""


class _DraftHeaders(HeaderRegistry):
    """The email package's header registry, remembering what the drafts of a batch share.

    The registry builds a new class for every header it makes, and then parses the value; a
    batch's drafts share most of their headers (the agency's address, the subject, the date),
    so each distinct one is made once per process. A header
    object never changes once made (the message replaces it instead), so one can serve every
    draft.
    """

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._made: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        kind = self._classes.get(name.lower())
        if kind is None:
            kind = self._classes[name.lower()] = super().__getitem__(name)
        return kind

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if not isinstance(value, str):
            made: BaseHeader = super().__call__(name, value)
            return made
        header = self._made.get((name, value))
        if header is None:
            header = self[name](name, value)
            if len(self._made) >= _KEPT_HEADERS:
                self._made.clear()  # the draft's own headers (From, Message-ID) pass through
            self._made[name, value] = header
        return header


_KEPT_HEADERS = 256


class _DraftPolicy(EmailPolicy):
    """The email package's default policy, folding each shared header once per process.

    Folding a header into lines is the longest step of writing one out; the folded form depends
    only on the header object, which never changes, so it is kept beside the object.
    """

    def fold_binary(self, name: str, value: Any) -> bytes:
        kept = _FOLDED.get(id(value))
        if kept is not None and kept[0] is value:  # the very object: its id was not reused
            return kept[1]
        folded: bytes = super().fold_binary(name, value)
        if isinstance(value, BaseHeader):
            if len(_FOLDED) >= _KEPT_HEADERS:
                _FOLDED.clear()
            _FOLDED[id(value)] = (value, folded)
        return folded


_FOLDED: dict[int, tuple[Any, bytes]] = {}
DRAFT_POLICY = _DraftPolicy(header_factory=_DraftHeaders())
"""The policy every draft is made with: the email package's default, with shared headers made
and folded once per process."""


def email_draft(request: Request, agency: Agency, letter: bytes, subject: str, *,
                letter_xml: str | None = None) -> bytes | None:
    """An email draft to the agency's records email, or None when the directory has none.

    Its text is the letter's; given the letter's ``word/document.xml`` as rendered
    (``letter_xml``), it is taken from that, without reading the DOCX back.

    Written as the email package writes an ``EmailMessage`` of these headers, this text and this
    attachment (a test compares the two on hostile input), without building one: each header
    is stored and folded by ``DRAFT_POLICY`` as the message would store and fold it, the parts
    are encoded by the same functions, and the rest, the same for every draft, is written by the
    email package once per process (``_frame``). Building and writing out the message took
    three quarters of a draft's time, a tenth of a batch row's.
    """
    to = agency.records_officer.email
    if not to:
        return None
    person = request.requester
    head = [_header("To", str(Address(addr_spec=to)))]  # as text: a header the drafts share
    if person.email:
        name = header_text(person.name or person.organization)
        sender = Address(display_name=name, addr_spec=person.email)
        if max(map(len, name.split() or [""])) <= _LONGEST_WORD:
            head.append(_header("From", sender))
        else:  # a word the email package would write on one line however long (RFC 5322: 998)
            # stored raw, as ``EmailMessage.set_raw`` stores it
            head.append(DRAFT_POLICY.fold_binary(
                "From", f"{encoded_words(name)}\n <{sender.addr_spec}>"))
    head.append(_header("Subject", header_text(subject)))
    sent = datetime.combine(request.sent_on, time(9, 0)).astimezone()
    head.append(_header("Date", format_datetime(sent)))
    head.append(_header("Message-ID", make_msgid(idstring=request.fingerprint(),
                                                 domain="recordskit.invalid")))
    text = docx_text(letter) if letter_xml is None else document_text(letter_xml)
    frame = _frame()
    return b"".join((*head, frame.before_text, _quoted_printable(text), frame.before_attachment,
                     _base64(letter), frame.end))


def _header(name: str, value: Any) -> bytes:
    """A header as ``message[name] = value`` stores it and the generator then writes it."""
    return DRAFT_POLICY.fold_binary(*DRAFT_POLICY.header_store_parse(name, value))


def _quoted_printable(text: str) -> bytes:
    """The letter's text as ``set_content(text, charset="utf-8", cte="quoted-printable")``
    encodes it (the email package's ``_encode_text``): its lines joined with \\n, then
    quoted-printable in lines of the policy's length. The generator writes it unchanged: it
    holds no line break but \\n."""
    lines = text.encode("utf-8").splitlines()
    # the policy's 78 (typed as optional: a policy may set no limit, which a draft's never does)
    encoded = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"),
                                     DRAFT_POLICY.max_line_length or 78)
    return encoded.encode("ascii")


def _base64(data: bytes) -> bytes:
    """The attachment as ``add_attachment`` encodes it: base64 in lines of 76 characters (57
    bytes each, as the policy's 78 allow), each ended by \\n, as ``base64.encodebytes``
    writes them."""
    return base64.encodebytes(data)


@dataclass(frozen=True)
class _Frame:
    """The draft's bytes that are the same for every draft, around its own headers, text and
    attachment: from X-Unsent to the text part's blank line, from the end of the text to the
    attachment's blank line, and the closing boundary."""

    before_text: bytes
    before_attachment: bytes
    end: bytes


@lru_cache(maxsize=1)
def _frame() -> _Frame:
    """The frame, written once per process by the email package itself, from a message built
    as a draft is (without the headers ``email_draft`` writes itself, which come first), with
    marker text and attachment."""
    text, attachment = "recordskit-draft-text", b"recordskit-draft-attachment"
    message = EmailMessage(policy=DRAFT_POLICY)
    message["X-Unsent"] = "1"  # mail programs open it as a draft to send, not a received mail
    # Quoted-printable always (never 7bit or 8bit, which would leave the text as typed): see
    # BOUNDARY.
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    message.add_attachment(
        attachment, maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="public-records-request.docx")
    message.set_boundary(BOUNDARY)
    written = bytes(message)
    text_at = written.index(_quoted_printable(text))
    text_end = text_at + len(_quoted_printable(text))
    attachment_at = written.index(_base64(attachment), text_end)
    attachment_end = attachment_at + len(_base64(attachment))
    return _Frame(written[:text_at], written[text_end:attachment_at], written[attachment_end:])
