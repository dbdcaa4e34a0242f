"""When the agency answers: its reply read, the events it calls for proposed, the original kept.

``recordskit.replies`` reads a reply; this turns the reading into what the log can hold, as data
a front end shows, asks about and words in the family's language:

- :func:`load_reply` / :func:`load_reply_stream`: the reply's bytes, bounded, and its reading;
- :func:`find_reply_request`: the logged requests it may answer (by reference number, by the
  request id in its subject, or by agency and date), best first;
- :func:`propose_reply_events`: the typed events the reply calls for (a stated receipt, a
  response), each with the reply's words it rests on; nothing is logged;
- :func:`log_reply`: the events the person confirmed, logged in one transaction, and the reply
  kept byte for byte in the request's folder (``replies/DAY-N.eml``), its file name and SHA-256
  in each event's details. Nothing is written unless every event can be logged.

Dates are as the agency states them: a receipt stated on a Sunday or a holiday is logged on that
day, and the schedule counts it from the next business day as the rule says; a receipt stated
after office hours on a business day is logged on that day and not moved.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from typing import BinaryIO

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.timeline import check_event
from recordskit.errors import UserError
from recordskit.files import write_file
from recordskit.i18n import _
from recordskit.law import LAW
from recordskit.limits import LIMITS
from recordskit.logged import Received, Response, kind_of, stored_details
from recordskit.models import LoggedEvent
from recordskit.replies.mime import ReplyFileError
from recordskit.replies.reader import read_reply
from recordskit.replies.reading import ReplyReading
from recordskit.service.tracking import RequestView, find_request, references_of, view_of
from recordskit.service.workspace import Workspace
from recordskit.tracking.log import EventRow, LoggedRequest, current_user, now
from recordskit.vocabulary import EventKind, ReplyKind, ResponseKind

__all__ = [
    "LoggedReply",
    "ProposedEvent",
    "Reply",
    "ReplyProposal",
    "RequestMatch",
    "StatedReceipt",
    "find_reply_request",
    "load_reply",
    "load_reply_stream",
    "log_reply",
    "propose_reply_events",
]

REPLIES_FOLDER = "replies"
"""Where a request's folder keeps the replies logged from it."""

OFFICE_HOURS = (time(9, 0), time(17, 0))
"""Not law: the hours Boston's offices usually keep, only to say that a stated time falls
outside them. Nothing is counted from them."""


# --- The reply ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A reply as it came (its bytes, kept byte for byte) and its reading."""

    data: bytes
    reading: ReplyReading

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def is_email(self) -> bool:
        """A saved email (kept as .eml) rather than pasted text (kept as .txt)."""
        return self.reading.sent is not None or bool(self.reading.subject)


def load_reply(path: Path) -> Reply:
    """A reply saved in a file, read. Raises ``ReplyFileError`` (a ``UserError``) for a file
    that cannot be read safely."""
    source = str(path)
    if not path.is_file():
        message = ("file not found" if not path.exists() else
                   "is a folder; expected a saved email or text file" if path.is_dir() else
                   "is not a regular file; expected a saved email or text file")
        raise ReplyFileError(source, message)
    try:
        with path.open("rb") as handle:
            return _bounded(handle, source)
    except OSError as exc:
        raise ReplyFileError(source, f"cannot be read: {exc.strerror}") from None


def load_reply_stream(stream: BinaryIO, source: str = "<stdin>") -> Reply:
    """A reply from a stream (standard input), read no further than the reply size limit."""
    try:
        return _bounded(stream, source)
    except OSError as exc:
        raise ReplyFileError(source, f"cannot be read: {exc.strerror}") from None


def _bounded(stream: BinaryIO, source: str) -> Reply:
    limit = LIMITS["reply_bytes"]
    data = stream.read(limit.value + 1)
    if len(data) > limit.value:
        raise ReplyFileError(source, limit.exceeded("the input", "it is larger"))
    if not data.strip():
        raise ReplyFileError(source, "is empty; expected a saved email or the reply's text")
    return Reply(data, read_reply(data, source=source))


# --- Which request it answers -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestMatch:
    """A logged request the reply may answer: ``how`` (``reference``, ``subject`` or
    ``agency``) and what matched (the reference number, the id, or the sender)."""

    request_id: str
    agency: str
    sent_on: date
    how: str
    matched: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.request_id, "agency": self.agency, "sent_on": self.sent_on.isoformat(),
                "how": self.how, "matched": self.matched}


_ID_WORD = re.compile(r"\b[0-9a-f]{8,64}\b")


def find_reply_request(workspace: Workspace, reading: ReplyReading) -> list[RequestMatch]:
    """The logged requests the reply may answer, best first: one that holds a reference number
    the reply gives; one whose id the subject names; then the open requests to the agency the
    sender names (by its address's domain or its name in the directory) sent on or before the
    reply's date, the most recent first."""
    numbers = {ref.number.upper(): ref.number for ref in reading.references}
    words = set(_ID_WORD.findall(reading.subject.lower()))
    day = _reply_day(reading) or (reading.received.on if reading.received else None)
    agencies = _sender_agencies(workspace, reading)
    by_reference: list[RequestMatch] = []
    by_subject: list[RequestMatch] = []
    by_agency: list[RequestMatch] = []
    for logged in workspace.log.all():
        request = logged.request
        held = {n.upper() for n in references_of(logged)}
        if hit := next((numbers[n] for n in numbers if n in held), None):
            by_reference.append(RequestMatch(logged.id, request.agency, request.sent_on,
                                             "reference", hit))
            continue
        if hit := next((w for w in words if logged.id.startswith(w) or w.startswith(
                logged.id)), None):
            by_subject.append(RequestMatch(logged.id, request.agency, request.sent_on,
                                           "subject", hit))
            continue
        if request.agency in agencies and (day is None or request.sent_on <= day) and not any(
                e.event in (EventKind.CLOSED, EventKind.WITHDRAWN)
                for e in logged.active_events):
            by_agency.append(RequestMatch(logged.id, request.agency, request.sent_on, "agency",
                                          agencies[request.agency]))
    by_agency.sort(key=lambda m: m.sent_on, reverse=True)
    return by_reference + by_subject + by_agency


def _sender_agencies(workspace: Workspace, reading: ReplyReading) -> dict[str, str]:
    """The agencies of the directory the sender names, each with what matched."""
    sender = reading.sender
    if sender is None:
        return {}
    domain = sender.address.rpartition("@")[2].lower()
    name = sender.display_name.lower()
    found: dict[str, str] = {}
    for agency in workspace.directory.request_targets:
        email = agency.records_officer.email or ""
        own = email.rpartition("@")[2].lower()
        if domain and own and (domain == own or domain.endswith("." + own)):
            found[agency.id] = sender.address
            continue
        for word in (agency.name, agency.short_name):
            if len(word) >= 3 and re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", name):
                found[agency.id] = sender.display_name
                break
    return found


# --- What the reply calls for --------------------------------------------------------------


@dataclass(frozen=True)
class StatedReceipt:
    """The receipt the agency's reply states, and how the schedule counts it.

    ``closed`` names the day when the office was closed (``Sunday``, a holiday): the rule then
    treats the request as received on ``counts_from``, the next business day; ``assumed``: that
    closing is recordskit's assumption (a Suffolk County day), the office may have been open.
    ``after_hours``:
    the stated time falls outside usual office hours on a business day; the day is kept as the
    agency stated it (the rule says nothing of hours)."""

    on: date
    at: time | None
    counts_from: date
    closed: str
    assumed: bool
    after_hours: bool
    evidence: str
    citation: str


@dataclass(frozen=True)
class ProposedEvent:
    """One event the reply calls for, not yet logged: its day, its typed details, the reply's
    words it rests on. ``stated``: the day is the reply's own (a person did not change it)."""

    on: date
    details: Received | Response
    evidence: tuple[str, ...]
    stated: bool = True

    @property
    def event(self) -> EventKind:
        return kind_of(self.details)

    def changed(self, on: date) -> ProposedEvent:
        """The same event on another day, which the person gave."""
        return replace(self, on=on, stated=self.stated and on == self.on)

    def until(self, day: date) -> ProposedEvent:
        """A response with the production date the person gave."""
        if not isinstance(self.details, Response):
            return self
        return replace(self, details=replace(self.details, until=day), stated=False)

    def amount(self, dollars: str) -> ProposedEvent:
        """A response with the amount the person gave."""
        if not isinstance(self.details, Response):
            return self
        written = dollars.strip().removeprefix("$").strip()
        return replace(self, details=replace(self.details, amount=written), stated=False)

    def to_json(self) -> dict[str, object]:
        return {"event": self.event.value, "on": self.on.isoformat(),
                "details": stored_details(self.details), "evidence": list(self.evidence)}


@dataclass(frozen=True)
class ReplyProposal:
    """What logging a reply would record.

    ``kind`` is the kind used (the person's choice, or the reader's when it is sure); when it is
    None the reader is not sure, ``events`` holds nothing, and ``candidates`` (best first) are
    what to ask about. ``needs_date``: the response's day is not known (pasted text without a
    date); ask for it. ``needs_until``: an extension whose reply sets no date for the records
    (the log needs one); ask for it. ``kept_as`` is the file name the reply would be kept
    under."""

    kind: ReplyKind | None
    candidates: tuple[ReplyKind, ...]
    events: tuple[ProposedEvent, ...]
    receipt: StatedReceipt | None
    reply_on: date | None
    needs_date: bool
    kept_as: str
    already: int | None = None
    """The event that already logged this very reply (same SHA-256), if one did."""
    needs_until: bool = False

    @property
    def sure(self) -> bool:
        return self.kind is not None


def propose_reply_events(workspace: Workspace, request_id: str, reply: Reply, *,
                         kind: ReplyKind | str | None = None, on: date | None = None
                         ) -> ReplyProposal:
    """The events ``reply`` calls for on a request, as data; nothing is logged.

    ``kind`` overrides the reader's kind (required when it is not sure); ``on`` is the day the
    reply came, for a reply that does not say (else its Date header's day, in Boston)."""
    logged = find_request(workspace, request_id)
    reading = reply.reading
    chosen = ReplyKind(kind) if kind else reading.kind
    reply_on = on or _reply_day(reading)
    receipt = _stated_receipt(workspace, logged, reading)
    candidates = tuple(c.kind for c in reading.candidates)
    already = next((e.seq for e in logged.active_events if isinstance(
        e.details, Received | Response) and e.details.sha256 == reply.sha256), None)
    if logged.request.request_type == "student_records":
        raise UserError(_("a reply about a student record is not logged from the reply yet; "
                          "log what it says with recordskit log"))
    kept = _kept_name(logged, reply, _reply_day(reading) or workspace.today)
    if chosen is None:
        return ReplyProposal(None, candidates, (), receipt, reply_on, False, kept, already)
    numbers = ", ".join(dict.fromkeys(ref.number for ref in reading.references))
    events: list[ProposedEvent] = []
    receipts = [e for e in logged.active_events if isinstance(e.details, Received)]
    if receipt is not None:
        if not any(e.on_date == receipt.on for e in receipts):
            events.append(ProposedEvent(receipt.on, Received(tracking=numbers),
                                        (receipt.evidence,)))
    elif chosen is ReplyKind.ACKNOWLEDGMENT and reply_on is not None and not receipts:
        # No day stated: the acknowledgment's own day, which the person confirms or changes
        events.append(ProposedEvent(reply_on, Received(tracking=numbers), _kind_words(
            reading, chosen), stated=False))
    response = _response_kind(chosen)
    needs_date = False
    if response is not None:
        needs_date = reply_on is None
        # The reference numbers go with the receipt; a response keeps those no receipt holds
        held = {n.upper() for n in references_of(logged)}
        carried = not numbers or bool(events) or all(
            n.upper() in held for n in numbers.split(", "))
        until = next((d.on for d in reading.dates if d.role == "until"), None) or next(
            (d.on for d in reading.dates if d.role == "due"), None)
        amounts = [a.dollars for a in reading.amounts]
        details = Response(
            kind=response,
            until=until if response is ResponseKind.EXTENSION else None,
            amount=str(max(amounts)) if response is ResponseKind.FEE_ESTIMATE and amounts
            else "",
            no_exemption=response in (ResponseKind.DENIED, ResponseKind.PARTIAL)
            and not reading.exemptions,
            tracking="" if carried else numbers)
        evidence = _kind_words(reading, chosen)
        if details.until is not None:
            evidence += tuple(d.evidence for d in reading.dates if d.on == details.until)[:1]
        if details.amount:
            evidence += tuple(a.evidence for a in reading.amounts
                              if str(a.dollars) == details.amount)[:1]
        events.append(ProposedEvent(reply_on or workspace.today, details, evidence))
    needs_until = response is ResponseKind.EXTENSION and not any(
        isinstance(e.details, Response) and e.details.until for e in events)
    return ReplyProposal(chosen, candidates, tuple(events), receipt, reply_on, needs_date, kept,
                         already, needs_until)


def _response_kind(kind: ReplyKind) -> ResponseKind | None:
    if kind is ReplyKind.CLOSURE_INACTIVITY:
        return ResponseKind.CLOSED_INACTIVE
    value = kind.response_kind
    return ResponseKind(value) if value else None


def _kind_words(reading: ReplyReading, kind: ReplyKind) -> tuple[str, ...]:
    """The reply's words that say what it is (the reader's evidence for ``kind``)."""
    found = next((c for c in reading.candidates if c.kind is kind), None)
    return found.evidence[:2] if found else ()


def _reply_day(reading: ReplyReading) -> date | None:
    """The day the reply was sent, in Boston (its Date header), when it says."""
    sent = reading.sent
    if sent is None:
        return None
    if sent.tzinfo is not None:
        with contextlib.suppress(Exception):  # no time zone data: the header's own day
            from zoneinfo import ZoneInfo

            sent = sent.astimezone(ZoneInfo("America/New_York"))
    return sent.date()


def _stated_receipt(workspace: Workspace, logged: LoggedRequest, reading: ReplyReading
                    ) -> StatedReceipt | None:
    stated = reading.received
    if stated is None:
        return None
    agency = workspace.directory.agency(logged.request.agency)
    calendar = calendar_for(agency, workspace.directory)
    closed = calendar.closed_reason(stated.on) or ""
    start, end = OFFICE_HOURS
    after_hours = not closed and stated.at is not None and not start <= stated.at < end
    return StatedReceipt(stated.on, stated.at, calendar.next_business_day(stated.on), closed,
                         calendar.assumed(stated.on) is not None, after_hours, stated.evidence,
                         LAW["receipt_rule"].citation)


def _kept_name(logged: LoggedRequest, reply: Reply, day: date) -> str:
    """``replies/DAY-N.eml`` (or ``.txt``): the first number not taken in the request's folder."""
    suffix = ".eml" if reply.is_email else ".txt"
    folder = Path(logged.folder) / REPLIES_FOLDER if logged.folder else None
    number = 1
    while folder is not None and any(os.path.lexists(folder / f"{day.isoformat()}-{number}{s}")
                                     for s in (".eml", ".txt")):
        number += 1
    return f"{REPLIES_FOLDER}/{day.isoformat()}-{number}{suffix}"


# --- Logging it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedReply:
    """The reply kept (its path, its name in the request's folder, its SHA-256), the events
    logged, and the request as it stands now."""

    kept: Path
    name: str
    sha256: str
    events: tuple[LoggedEvent, ...]
    view: RequestView


def log_reply(workspace: Workspace, request_id: str, reply: Reply,
              events: Sequence[ProposedEvent], *, by: str | None = None) -> LoggedReply:
    """Keep the reply in the request's folder and log the confirmed ``events``, each naming the
    kept file and its SHA-256. Every event is checked first: when one cannot be logged, nothing
    is written and nothing is logged."""
    logged = find_request(workspace, request_id)
    if not events:
        raise UserError(_("nothing to log: no event was confirmed"))
    if not logged.folder:
        raise UserError(_("request {id} has no folder to keep the reply in (it was logged "
                          "without one); nothing was logged").format(id=logged.id))
    digest = reply.sha256
    if already := next((e.seq for e in logged.active_events if isinstance(
            e.details, Received | Response) and e.details.sha256 == digest), None):
        raise UserError(_("this reply was already logged, as event {number}; nothing was "
                          "logged").format(number=already))
    timeline_events = list(logged.active_events)
    for proposed in events:
        check_event(logged.request, timeline_events, proposed.details, proposed.on,
                    workspace.today)
        timeline_events.append(LoggedEvent(0, proposed.on, proposed.details))
    name = _kept_name(logged, reply, _reply_day(reply.reading) or workspace.today)
    folder = Path(logged.folder)
    kept = folder / name
    _ready(folder, kept.parent)
    write_file(kept, reply.data)  # never over a file, never through a link
    who = current_user() if by is None else by
    stamp = now()
    rows: list[EventRow] = []
    typed = []
    for proposed in events:
        details = replace(proposed.details, source="reply" if proposed.stated else "",
                          reply=name, sha256=digest)
        typed.append((proposed.on, details))
        rows.append(EventRow(0, logged.id, kind_of(details).value, proposed.on.isoformat(),
                             _json(details), stamp, who, uuid.uuid4().hex))
    try:
        numbers = workspace.log.insert_events(rows)
    except BaseException:
        with contextlib.suppress(OSError):
            kept.unlink()
        raise
    recorded = tuple(LoggedEvent(seq, on, details, stamp, who)
                     for seq, (on, details) in zip(numbers, typed, strict=True))
    return LoggedReply(kept, name, digest, recorded,
                       view_of(workspace, find_request(workspace, logged.id)))


def _ready(folder: Path, replies: Path) -> None:
    """The request's folder exists, and its ``replies`` folder is a folder, not a link."""
    if not folder.is_dir():
        raise UserError(_("{folder}: the request's folder is not there; nothing was logged")
                        .format(folder=folder))
    if replies.is_symlink() or (replies.exists() and not replies.is_dir()):
        raise UserError(_("{folder}: is not a plain folder; nothing was written or logged")
                        .format(folder=replies))
    try:
        replies.mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(_("{folder}: cannot create the folder: {reason}").format(
            folder=replies, reason=exc.strerror)) from None


def _json(details: Received | Response) -> str:
    import json

    return json.dumps(stored_details(details))
