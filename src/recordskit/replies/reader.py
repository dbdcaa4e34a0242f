"""Reading one reply: the email or text, without its echo, into a ``ReplyReading``."""

from __future__ import annotations

from email.errors import MessageError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import TypeVar

from recordskit.limits import LIMITS
from recordskit.replies import classify, echo, extract
from recordskit.replies.mime import ReplyFileError, letter_from_bytes
from recordskit.replies.reading import ReplyReading, Sender, StatedDate

_Finding = TypeVar("_Finding")

__all__ = ["read_reply", "read_reply_file"]


def read_reply(data: bytes, *, source: str, request_text: str | None = None) -> ReplyReading:
    """Read an agency's reply: a saved email (any MIME structure) or pasted text.

    ``source`` names the input in messages and in the result (a file name, or "<stdin>").
    ``request_text``, the request as sent when the caller knows it, lets the reader remove it
    wherever the reply repeats it. Raises ``ReplyFileError`` (a ``UserError``) for input that
    cannot be read safely; nothing is written anywhere.
    """
    letter = letter_from_bytes(data, source)
    notes = list(letter.notes)
    text, forwarded_from = echo.forwarded_sender(letter.text)
    sender = letter.sender
    if forwarded_from is not None:
        sender = _sender_from_line(forwarded_from)
        notes.append("the reply was forwarded; the sender is the forwarded message's")
    elif not letter.is_email:
        text, pasted_from, messages = echo.last_agency_message(text)
        if pasted_from is not None:
            sender = _sender_from_line(pasted_from)
        if messages > 1:
            notes.append(f"the pasted text holds {messages} messages; the latest that is not "
                         "the requester's was read")
    unechoed = echo.strip_echo(text, request_text)
    if unechoed.removed:
        notes.append("text the reply repeats from the request or an earlier message was "
                     "set aside before reading")
    own = unechoed.text
    # The subject often carries the reference ("Public Records Request :: R004372-120323").
    with_subject = f"{letter.subject}\n\n{own}" if letter.subject else own
    references = extract.references(with_subject, extract.Sentences(with_subject))
    own_sentences = extract.Sentences(own)
    keep = LIMITS["reply_findings"].value
    dates = _capped(*extract.dates(own, own_sentences, keep), "dates", notes)
    exemptions = extract.exemptions(own, own_sentences)  # at most 21 clauses, (a) to (u)
    amounts = _capped(*extract.amounts(own, own_sentences, keep), "sums of money", notes)
    references = _capped(references[:keep], len(references), "reference numbers", notes)
    kind, candidates = classify.classify(own, own_sentences, exemptions=exemptions,
                                         amounts=amounts, dates=dates,
                                         attachments=letter.attachments)
    if not own.strip():
        notes.append("the reply has no text of its own")
    if kind is None and candidates:
        notes.append("not sure what kind of reply this is; the candidates are ranked")
    return ReplyReading(
        source=source,
        kind=kind,
        candidates=candidates,
        references=tuple(references),
        received=_stated_receipt(dates),
        dates=tuple(dates),
        exemptions=tuple(exemptions),
        amounts=tuple(amounts),
        sender=sender,
        subject=letter.subject,
        sent=letter.sent,
        attachments=tuple(letter.attachments),
        echo_removed=unechoed.removed,
        notes=tuple(notes),
    )


def read_reply_file(path: Path, *, request_text: str | None = None) -> ReplyReading:
    """Read a reply saved in a file (the caller handles "-" for standard input)."""
    source = str(path)
    if not path.is_file():
        message = ("file not found" if not path.exists() else
                   "is a folder; expected a saved email or text file" if path.is_dir() else
                   "is not a regular file; expected a saved email or text file")
        raise ReplyFileError(source, message)
    limit = LIMITS["reply_bytes"]
    try:
        with path.open("rb") as handle:
            data = handle.read(limit.value + 1)
    except OSError as exc:
        raise ReplyFileError(source, f"cannot be read: {exc.strerror}") from None
    if len(data) > limit.value:
        raise ReplyFileError(source, limit.exceeded("the file", "it is larger"))
    return read_reply(data, source=source, request_text=request_text)


def _capped(kept: list[_Finding], total: int, what: str, notes: list[str]) -> list[_Finding]:
    """The findings kept, with a note when the limit left some out.

    A reply can list thousands of dates (a log pasted into the email); it is still read.
    """
    if total > len(kept):
        limit = LIMITS["reply_findings"]
        notes.append(f"only the first {len(kept):,} of {total:,} {what} are reported; "
                     f"{limit.variable} raises the limit")
    return kept


def _sender_from_line(line: str) -> Sender:
    """A sender from a "From:" line of pasted or forwarded text: an address, or only a name."""
    name, address = parseaddr(line)
    if address and "@" in address:
        try:
            Address(addr_spec=address)
        except (ValueError, IndexError, MessageError):
            pass  # not an address after all; the line is kept as the name
        else:
            return Sender(address=address, display_name=name)
    return Sender(address="", display_name=line.strip().strip('"'))


def _stated_receipt(dates: list[StatedDate]) -> StatedDate | None:
    """The receipt the agency states: the first with a time, else the first."""
    received = [found for found in dates if found.role == "received"]
    timed = [found for found in received if found.at is not None]
    chosen = timed or received
    return chosen[0] if chosen else None
