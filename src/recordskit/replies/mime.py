"""A saved email (.eml) or pasted text, turned into the reply's text, within limits.

Whatever a requester saves from a mail program can be built to hurt the reader: MIME nested
deeper than any mail program writes, parts by the thousand, a huge attachment, an HTML part that
grows into megabytes of text, or headers whose encoded words hide a line break or use a charset
meant to smuggle text (UTF-7). Each is refused with a ``ReplyFileError`` that names the file and
the problem, before anything else happens. Attachments are measured, never decoded or unpacked:
the reader needs only the words of the reply.

Headers are decoded by the modern ``email.policy.default``, never the legacy ``decode_header``,
which returns undecoded bytes and mixed types that are easy to mishandle.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.message import Message
from email.parser import BytesParser
from html.parser import HTMLParser

from recordskit.errors import InputFileError, Problem
from recordskit.limits import LIMITS, Limit
from recordskit.replies.reading import Attachment, Sender

__all__ = ["Letter", "ReplyFileError", "letter_from_bytes"]


class ReplyFileError(InputFileError):
    """A reply file that cannot be read safely: not an email or text, or over a limit."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(file, [Problem("", message)])


@dataclass
class Letter:
    """The reply as text, with what its headers say."""

    text: str
    subject: str = ""
    sender: Sender | None = None
    sent: datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    is_email: bool = False
    embedded: list[Letter] = field(default_factory=list)  # attached messages (message/rfc822)


# Charsets a reply may declare. UTF-7 and the like are left out on purpose: they let the same
# bytes read as harmless text to one program and as something else to another.
_ALLOWED_CODECS = frozenset(
    {"ascii", "utf-8", "latin-1", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255",
     "cp1256", "cp1257", "cp1258"}
    | {f"iso8859-{number}" for number in range(1, 17)}
)

# Headers that open a saved email; pasted text that starts otherwise is read as text.
_EMAIL_HEADERS = frozenset({
    "from", "to", "cc", "subject", "date", "received", "return-path", "message-id",
    "mime-version", "content-type", "delivered-to", "reply-to", "sender", "x-mailer",
    "dkim-signature", "arc-seal", "authentication-results", "thread-topic", "in-reply-to",
    "references", "x-received", "x-google-smtp-source", "content-transfer-encoding",
})
_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]*):[ \t]")
_CONTENT_TYPE_LINE = re.compile(rb"(?im)^content-type[ \t]*:")
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([QqBb])\?")
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# File types people save instead of the email, each with what to do instead.
_MAGIC = (
    (b"%PDF", "is a PDF document"),
    (b"PK\x03\x04", "is a ZIP archive (or a Word or Excel file)"),
    (b"\xd0\xcf\x11\xe0", "is an Outlook .msg or older Office file"),
    (b"\x89PNG", "is a PNG image"),
    (b"\xff\xd8\xff", "is a JPEG image"),
    (b"GIF8", "is a GIF image"),
)
_SAVE_AS = ("save the email itself as a .eml file (\"Save as\" or \"Download message\" in your "
            "mail program), or paste its text into a .txt file")


def letter_from_bytes(data: bytes, source: str) -> Letter:
    """The reply in ``data``: an email, parsed, or pasted text, as it is."""
    _check_size(data, LIMITS["reply_bytes"], source, "the file")
    data = _from_utf16(data, source)
    _refuse_binary(data, source)
    if _looks_like_email(data):
        return _read_email(data, source)
    return _read_text(data, source)


def _check_size(data: bytes | str, limit: Limit, source: str, what: str) -> None:
    if len(data) > limit.value:
        raise ReplyFileError(source, limit.exceeded(what, f"{len(data):,}"))


def _from_utf16(data: bytes, source: str) -> bytes:
    """Text a Windows editor saved as UTF-16, as UTF-8; anything else as it is."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec).encode("utf-8")
            except UnicodeDecodeError:
                raise ReplyFileError(source, "starts like UTF-16 text but is not; "
                                     + _SAVE_AS) from None
    return data


def _refuse_binary(data: bytes, source: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ReplyFileError(source, f"{what}, not an email or text; {_SAVE_AS}")
    head = data[:65536]
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\f")
    # A NUL never occurs in mail or typed text; a few other controls can (a stray ESC).
    if b"\x00" in head or controls > max(8, len(head) // 100):
        raise ReplyFileError(source, "holds binary data, not an email or text; " + _SAVE_AS)


def _looks_like_email(data: bytes) -> bool:
    """Whether ``data`` opens with a mail header block.

    Text pasted from a web page (MuckRock's thread, a portal) starts "From: Mayor's Office"
    and a blank line: one header alone is pasted text, read as a thread of messages.
    """
    lines = data.lstrip(b"\r\n").split(b"\n", 60)[:60]
    if lines and lines[0].startswith(b"From "):  # an mbox "From " line before the headers
        lines = lines[1:]
    names = []
    for line in lines:
        if not line.strip(b"\r"):
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's next line
        match = _HEADER_LINE.match(line)
        if match is None:
            break
        names.append(match.group(1).decode("ascii").lower())
    # Mail programs may put their own headers first (X-Mozilla-Status): any header name may
    # open the block, as long as two different standard ones are in it.
    return len({name for name in names if name in _EMAIL_HEADERS}) >= 2


def _read_text(data: bytes, source: str) -> Letter:
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Pasted text that is not UTF-8 is almost always Windows' own encoding.
        text = data.decode("cp1252", errors="replace")
        notes.append("the text is not UTF-8; it was read as Windows-1252")
    text = _normalize_newlines(text)
    _check_size(text, LIMITS["reply_text_chars"], source, "the reply's text")
    return Letter(text=text, notes=notes)


def _normalize_newlines(text: str) -> str:
    # A no-break space (&nbsp;, common in HTML mail) would keep phrases from matching.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")


def _read_email(data: bytes, source: str) -> Letter:
    parts = LIMITS["reply_mime_parts"]
    # Counted on the bytes, before parsing: the parser's work and recursion grow with parts.
    declared = len(_CONTENT_TYPE_LINE.findall(data))
    if declared > parts.value:
        raise ReplyFileError(source, parts.exceeded("the email's MIME structure", declared))
    if data.startswith(b"From "):
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except RecursionError:  # pragma: no cover (the part count above keeps nesting shallow)
        raise ReplyFileError(source, "the email's MIME structure is nested too deeply") from None
    letter = _read_message(message, 0, source)
    if len(letter.text.strip()) < _FORWARDING_NOTE_CHARS and len(letter.embedded) == 1:
        # "FYI" above an attached email: the attached one is the agency's reply.
        inner = letter.embedded[0]
        if inner.text.strip():
            inner.attachments = letter.attachments
            inner.notes = [*letter.notes, *inner.notes,
                           "the reply was read from the email attached to this one"]
            return inner
    if letter.embedded:
        letter.notes.append("an email attached to this one (often the request being answered) "
                            "was not read")
    return letter


# Text this short above an attached email is a forwarding note, not an answer.
_FORWARDING_NOTE_CHARS = 200


def _read_message(message: Message, depth: int, source: str) -> Letter:
    """A message's headers and text; messages attached to it are read apart, into embedded."""
    _check_raw_headers(message, source)
    letter = Letter(text="", is_email=True)
    letter.subject = _header_text(message, "Subject", source)
    letter.sender = _sender(message, source)
    letter.sent = _sent(message, source)
    body = _Body()
    _walk(message, depth, body, letter, source)
    letter.text = body.text()
    if letter.text and len(letter.text.strip()) < _FORWARDING_NOTE_CHARS and any(
            attachment.content_type == "application/pdf" for attachment in letter.attachments):
        letter.notes.append("the email says little and has a PDF attached: the agency's "
                            "letter may be in the PDF, which is not read; check it")
    return letter


def _check_raw_headers(message: Message, source: str) -> None:
    """Refuse encoded words in a charset outside the allowed list, before any is decoded."""
    for name, value in message.raw_items():
        raw = str(value)
        if len(raw) > 4 * LIMITS["reply_header_chars"].value:
            raise ReplyFileError(source, LIMITS["reply_header_chars"].exceeded(
                f"the {name} header", f"{len(raw):,} characters encoded"))
        for match in _ENCODED_WORD.finditer(raw):
            charset = match.group(1).split("*", 1)[0]  # RFC 2231 adds *language
            if not _allowed_charset(charset):
                raise ReplyFileError(
                    source, f"the {name} header uses an encoded word in the charset "
                    f"{charset!r}, which recordskit does not read (it can hide text); save the "
                    "email again from your mail program")


def _allowed_charset(charset: str) -> bool:
    if not charset.isascii():
        return False
    try:
        return codecs.lookup(charset).name in _ALLOWED_CODECS
    except (LookupError, UnicodeError):
        return False


# What the email package raises on headers and parameters it cannot make sense of.
_MALFORMED = (MessageError, ValueError, TypeError, AttributeError, IndexError, LookupError)


@contextmanager
def _malformed(source: str, what: str) -> Iterator[None]:
    """Turn the email package's own errors on a broken email into a message naming ``what``."""
    try:
        yield
    except ReplyFileError:
        raise
    except _MALFORMED as exc:
        raise ReplyFileError(source, f"{what} cannot be read ({type(exc).__name__}: {exc}); "
                             "save the email again from your mail program") from None


def _header_text(message: Message, name: str, source: str) -> str:
    """One header's decoded text, refused when decoding reveals a line break or control."""
    with _malformed(source, f"the {name} header"):
        value = message.get(name)
        text = "" if value is None else str(value)
    if not text:
        return ""
    # Raw 8-bit bytes in a header arrive as surrogates; most are UTF-8 (RFC 6532).
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if _HEADER_CONTROL.search(text):
        raise ReplyFileError(source, f"the {name} header hides a line break or control "
                             "character in an encoded word; a real agency's email has none")
    limit = LIMITS["reply_header_chars"]
    if len(text) > limit.value:
        raise ReplyFileError(source, limit.exceeded(f"the {name} header", f"{len(text):,}"))
    return text


def _sender(message: Message, source: str) -> Sender | None:
    text = _header_text(message, "From", source)
    if not text:
        return None
    with _malformed(source, "the From header"):
        addresses = getattr(message["From"], "addresses", ())
        if addresses and addresses[0].domain:
            first = addresses[0]
            return Sender(address=_clean(first.addr_spec), display_name=_clean(
                first.display_name))
    return Sender(address="", display_name=text.strip().strip('"'))


def _clean(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _sent(message: Message, source: str) -> datetime | None:
    if not _header_text(message, "Date", source):
        return None
    with _malformed(source, "the Date header"):
        moment = getattr(message["Date"], "datetime", None)
    return moment if isinstance(moment, datetime) else None


class _Body:
    """The text parts found while walking the MIME tree, and their running size."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.chars = 0

    def add(self, text: str, html: bool, source: str) -> None:
        self.chars += len(text)
        _check_size_chars(self.chars, source)
        (self.html if html else self.plain).append(text)

    def text(self) -> str:
        plain = "\n\n".join(self.plain).strip()
        # A plain part that is only a placeholder ("view this email in HTML") says nothing.
        if self.html and len(plain) < 40:
            return "\n\n".join(self.html)
        return plain


def _check_size_chars(count: int, source: str) -> None:
    limit = LIMITS["reply_text_chars"]
    if count > limit.value:
        raise ReplyFileError(source, limit.exceeded("the reply's text", f"{count:,}"))


def _walk(part: Message, depth: int, body: _Body, letter: Letter, source: str) -> None:
    limit = LIMITS["reply_mime_depth"]
    if depth > limit.value:
        raise ReplyFileError(source, limit.exceeded("the email's MIME nesting", depth))
    with _malformed(source, "a part of the email"):
        _walk_part(part, depth, body, letter, source)


def _walk_part(part: Message, depth: int, body: _Body, letter: Letter, source: str) -> None:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            embedded = _read_message(inner, depth + 1, source)
            letter.embedded.append(embedded)
            letter.attachments.append(Attachment(
                filename=part.get_filename() or "", content_type=content_type,
                size=_declared_size(part)))
        return
    if part.is_multipart():
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                _walk(child, depth + 1, body, letter, source)
        return
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    if (content_type in ("text/plain", "text/html") and disposition != "attachment"
            and not filename):
        body.add(_part_text(part, content_type, source), content_type == "text/html", source)
        return
    size = _declared_size(part)
    limit_attachment = LIMITS["reply_attachment_bytes"]
    name = filename or content_type
    if size > limit_attachment.value:
        raise ReplyFileError(source, limit_attachment.exceeded(
            f"the attachment {name!r}", f"about {size:,} bytes"))
    letter.attachments.append(Attachment(filename=filename or "", content_type=content_type,
                                         size=size))


def _declared_size(part: Message) -> int:
    """An attachment's decoded size, from its encoded length: it is never decoded."""
    payload = part.get_payload()
    if isinstance(payload, list):  # message/rfc822: its parts, by their own encoded lengths
        return sum(_declared_size(child) for child in payload if isinstance(child, Message))
    if not isinstance(payload, str):
        return 0
    if part.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
        return len(re.sub(r"\s", "", payload)) * 3 // 4
    return len(payload)


def _part_text(part: Message, content_type: str, source: str) -> str:
    raw = part.get_payload(decode=True)
    data = raw if isinstance(raw, bytes) else b""
    _check_size(data, LIMITS["reply_text_bytes"], source, f"a {content_type} part")
    declared = part.get_param("charset")
    charset = declared if isinstance(declared, str) else None
    if charset is not None:
        if not _allowed_charset(charset):
            raise ReplyFileError(source, f"a {content_type} part declares the charset "
                                 f"{charset!r}, which recordskit does not read; save the email "
                                 "again from your mail program")
        text = data.decode(codecs.lookup(charset).name, errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = _normalize_newlines(text)
    if content_type == "text/html":
        text = html_to_text(text, source)
    return text


_BLOCK_TAGS = frozenset({"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3",
                         "h4", "h5", "h6", "hr", "pre", "section", "article", "header",
                         "footer", "dd", "dt", "blockquote"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})
# Mail programs wrap the message being answered in one of these; its text is the echo.
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "divrplyfwdmsg",
                  "olk_src_body_section", "appendonsend")


class _HtmlText(HTMLParser):
    """An HTML part's text, with quoted (replied-to) text marked by "> " as in plain mail."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.out: list[str] = []
        self.chars = 0
        self.skipping = 0
        self.quoting = 0
        self.div_depth = 0
        self.quote_divs: list[int] = []  # the div depths at which quoting divs opened
        self.at_line_start = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
            return
        if tag == "div":
            self.div_depth += 1
            marks = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
            if any(mark in marks.lower() for mark in _QUOTE_CLASSES):
                self.quote_divs.append(self.div_depth)
                self.quoting += 1
        if tag == "blockquote":
            self.quoting += 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag in _BLOCK_TAGS:
            self._emit("\n")
        if tag == "blockquote":
            self.quoting = max(0, self.quoting - 1)
        if tag == "div":
            if self.quote_divs and self.quote_divs[-1] == self.div_depth:
                self.quote_divs.pop()
                self.quoting = max(0, self.quoting - 1)
            self.div_depth = max(0, self.div_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self._emit(re.sub(r"\s+", " ", data))

    def _emit(self, text: str) -> None:
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.out.append("\n")
                self.at_line_start = True
            if not piece:
                continue
            if self.at_line_start:
                piece = piece.lstrip()
                if not piece:
                    continue
                if self.quoting:
                    piece = "> " + piece
            self.out.append(piece)
            self.at_line_start = False
            self.chars += len(piece)
        _check_size_chars(self.chars, self.source)


def html_to_text(html: str, source: str) -> str:
    """The text of an HTML part, line breaks where its blocks end, no scripts or styles."""
    parser = _HtmlText(source)
    parser.feed(html)
    parser.close()
    text = "".join(parser.out).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip()
