"""The request log: every request recordskit wrote, and everything that happened to it since.

Two backends keep the same schema: an embedded SQLite file (the default: nothing to set up, for
one person on one computer) and a PostgreSQL server (``RECORDSKIT_DATABASE_URL``, for a clinic's
staff sharing one log). Each write is one transaction, so a crash never leaves half a request or
half an event, and many people can write at once. Events are never edited or deleted: a mistaken
one is undone by a later ``undo`` event that names it, and both stay in the log. Each event
records who logged it.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from platformdirs import user_data_dir

from recordskit.errors import UserError
from recordskit.i18n import _

if TYPE_CHECKING:
    from recordskit.logged import EventDetails, LoggedEvent
    from recordskit.models import Request

# The events' types (``recordskit.logged``) are imported where an event is read or written: a
# command on a log with no row never builds one (their dozen classes are a twentieth of its
# start-up).

DATABASE_NAME = "requests.sqlite3"
PROBE = ("INSERT INTO requests (id, created_at, agency, answers) VALUES "
         "('recordskit-probe', '', '', '{}')")
"""The row ``check_writable`` adds and takes back at once, to learn that a request could be."""
CLEAR_STANDING = "UPDATE requests SET revision = revision + 1, state_until = '' WHERE id = ?"
"""Run with every event written, in its transaction: the request's stored standing no longer
holds, and one worked out from its earlier events is never stored over this (its revision)."""

REQUEST_COLUMNS = "id, created_at, agency, answers, folder, batch_id, created_by"
"""A request row's columns, in ``RequestRow``'s order."""
EVENT_COLUMNS = "seq, request_id, event, on_date, details, recorded_at, recorded_by, uid"
"""An event row's columns, in ``EventRow``'s order."""
EVERY_REQUEST = f"SELECT {REQUEST_COLUMNS} FROM requests ORDER BY created_at, id"
EVERY_EVENT = f"SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"

Recording = TypeVar("Recording", bound="EventDetails")
"""The type of an event being recorded, which the recorded event keeps."""


def log_folder() -> Path:
    """Where the SQLite log lives: ``RECORDSKIT_HOME``, or the user data folder."""
    if home := os.environ.get("RECORDSKIT_HOME"):
        return Path(home)
    return Path(user_data_dir("recordskit", appauthor=False))


def current_user() -> str:
    """Who is logging: ``RECORDSKIT_USER``, or the login name (as text the log can store)."""
    if name := storable(os.environ.get("RECORDSKIT_USER", "")).strip():
        return name
    import getpass  # only a write asks who is logging (getpass loads the terminal module)

    try:
        return storable(getpass.getuser())
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return ""


_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` as a log can store it: a name or folder the system gave as bytes that are not
    UTF-8 (``RECORDSKIT_USER``, ``--by``, ``--out``: Python keeps such bytes as halves of
    characters, which no database stores) decoded with a replacement mark, and control
    characters and NULs left out."""
    if not _UNSTORABLE.search(text):
        return text
    fixed = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") \
        if any("\udc80" <= char <= "\udcff" for char in text) else text
    return _UNSTORABLE.sub("", fixed.encode("utf-8", "replace").decode("utf-8", "replace"))


_REQUEST_ID = re.compile(r"[0-9a-f]{10}")


def request_id_problem(value: str) -> str:
    """Why ``value`` is not a request id as the log makes them (ten letters a–f and digits,
    from the request's answers), or "": an id of another shape could make a real one's
    prefix ambiguous."""
    if _REQUEST_ID.fullmatch(value):
        return ""
    return (f"{value[:40]!r} is not a request id as recordskit makes them (10 letters a–f and "
            "digits, such as 3f9a2c81d0)")


def stored_json(text: str) -> Any:
    """A JSON value the log stores (a request's answers, an event's details), read within
    the limits of any input: a row damaged, or written by hand, is a ``ValueError``."""
    # Here, not at the top: the input reader loads YAML and pydantic, which a command on a
    # log with no rows never needs (a tenth of a second of its start-up)
    import recordskit.inputfile as inputfile

    return inputfile.json_value(text)


@dataclass(frozen=True)
class LoggedRequest:
    """A request in the log, with its events in the order they were recorded."""

    id: str
    created_at: str
    request: Request
    folder: str
    batch_id: str
    events: tuple[LoggedEvent, ...]
    created_by: str = ""

    @property
    def active_events(self) -> list[LoggedEvent]:
        """The events that count: all but ``undo`` events and the events they undid."""
        from recordskit.logged import Undo, events_of

        undone = {e.details.undoes for e in events_of(self.events, Undo)}
        return [e for e in self.events if e.event != "undo" and e.seq not in undone]


@dataclass(frozen=True)
class RequestRow:
    """A request as the log stores it, before its answers are read."""

    id: str
    created_at: str
    agency: str
    answers: str
    folder: str
    batch_id: str
    created_by: str


@dataclass(frozen=True)
class Standing:
    """A request's stored standing (``recordskit.tracking.standing``), worked out on ``since``
    and good until ``until`` (not included)."""

    request_id: str
    revision: int
    """The request's revision when its events were read: stored only if it is still that."""
    state: str
    next_step: str
    next_on: str
    """The step's day (ISO), or "" when it has none."""
    next_now: bool
    """The step is to act on the day asked (a follow-up due now): its day is that day."""
    since: str
    until: str
    basis: str
    problem: str = ""
    """"" when the standing was worked out; ``unknown agency``, or ``damaged: REASON``."""


@dataclass(frozen=True)
class EventRow:
    """An event as the log stores it."""

    seq: int
    request_id: str
    event: str
    on_date: str
    details: str
    recorded_at: str
    recorded_by: str
    uid: str


def request_row(row: Sequence[Any]) -> RequestRow:
    """A request row as a database gives it (``REQUEST_COLUMNS``)."""
    return RequestRow(*map(str, row[:7]))


def event_row(row: Sequence[Any]) -> EventRow:
    """An event row as a database gives it (``EVENT_COLUMNS``)."""
    return EventRow(int(row[0]), *map(str, row[1:8]))


class RequestLog(ABC):
    """The log of requests and events, whichever database keeps it."""

    location: str
    """Where the log is, for messages (a file path, or a server without its password)."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the log has been made yet (reading never makes one)."""

    @abstractmethod
    def create(self) -> None:
        """Make the log (its tables) if it is not there yet; upgrade an older one."""

    @abstractmethod
    def insert_requests(self, rows: Iterable[RequestRow]) -> int:
        """Add requests in one transaction, each unless its id is there (then its folder is
        updated); how many were added."""

    def insert_request(self, row: RequestRow) -> bool:
        """Add a request unless its id is there; True when added (folder updated when not)."""
        return self.insert_requests([row]) == 1

    @abstractmethod
    def insert_events(self, rows: Iterable[EventRow]) -> list[int]:
        """Add events in one transaction, skipping uids already there; their numbers."""

    @abstractmethod
    def check_writable(self) -> None:
        """Refuse (a ``UserError`` saying why) a log this process could not add a request to:
        checked before a request's files are written, so a request never exists untracked.
        Makes the log if it is not there yet; adds nothing."""

    @abstractmethod
    def import_rows(self, requests: Callable[[], Iterable[RequestRow]],
                    events: Callable[[], Iterable[EventRow]],
                    undos: Callable[[], Iterable[tuple[EventRow, str]]]) -> tuple[int, int]:
        """Add an import's requests and events, checked already, in one transaction: each
        request whose id is not there, each event whose uid is not there, in order, and then
        each ``undo`` (``undos`` pairs it with the uid of the event it undoes, which it names
        by the number that event has here); never changes a row. The standing of each request
        an event was added to is cleared (``CLEAR_STANDING``). Each argument makes its rows
        afresh (a transaction tried again reads them again), a few at a time. (requests,
        events) added."""

    @abstractmethod
    def ids_starting(self, prefix: str) -> list[str]:
        """The ids that start with ``prefix``, compared as text."""

    @abstractmethod
    def request_rows(self, request_id: str | None = None) -> list[RequestRow]:
        """One request's row, or every request's, oldest first."""

    @abstractmethod
    def event_rows(self, request_id: str | None = None) -> list[EventRow]:
        """One request's events, or every event, in the order recorded."""

    @abstractmethod
    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read (``?`` marks each parameter); none while nothing is logged."""

    @abstractmethod
    def stream(self, sql: str, params: Sequence[object] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of one read, a few thousand at a time, all from one snapshot of the log:
        a whole log is read without being held in memory."""

    @abstractmethod
    def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """One statement (``?`` marks each parameter) for each of ``rows``, in one transaction."""

    @abstractmethod
    def write(self, statements: Sequence[tuple[str, Sequence[object]]]) -> list[int]:
        """Several statements (``?`` marks each parameter) in one transaction, all or none;
        how many rows each changed."""

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep one connection to the log for every read and write in the block, each still a
        transaction of its own: a log on a server is not reached again for each of the
        thousands of questions an import asks. (SQLite opens its file afresh at no cost.)"""
        yield

    # --- Reading many requests at once, by the indexes --------------------------------------

    def many(self, ids: Sequence[str], damaged: list[DamagedEntry] | None = None,
             revisions: dict[str, int] | None = None) -> list[LoggedRequest]:
        """The requests ``ids`` names (a few hundred at most), in that order; a row the log
        cannot read is left out, and reported in ``damaged`` when given. ``revisions`` gets
        each request's revision, read before its events: a standing worked out from them is
        stored only while the request is still at that revision."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        rows = {row[0]: row for row in self.fetch(
            f"SELECT {REQUEST_COLUMNS}, revision FROM requests WHERE id IN ({marks})", ids)}
        events: dict[str, list[EventRow]] = {}
        for event in map(event_row, self.fetch(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE request_id IN ({marks}) ORDER BY seq",
                ids)):
            events.setdefault(event.request_id, []).append(event)
        found = []
        for request_id in ids:
            if (row := rows.get(request_id)) is None:
                continue
            if revisions is not None:
                revisions[request_id] = int(row[7])
            try:
                found.append(_logged(request_row(row), events.get(request_id, [])))
            except DamagedEntry as exc:
                if damaged is not None:
                    damaged.append(exc)
        return found

    def requests_named(self, ids: Sequence[str]) -> dict[str, RequestRow]:
        """The rows of those of ``ids`` the log holds, by id."""
        found: dict[str, RequestRow] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found |= {str(r[0]): request_row(r) for r in self.fetch(
                f"SELECT {REQUEST_COLUMNS} FROM requests WHERE id IN "
                f"({', '.join('?' * len(chunk))})", chunk)}
        return found

    def events_named(self, uids: Sequence[str]) -> dict[str, EventRow]:
        """The rows of those of the events ``uids`` names the log holds, by uid."""
        found: dict[str, EventRow] = {}
        for start in range(0, len(uids), 500):
            chunk = uids[start:start + 500]
            found |= {str(r[7]): event_row(r) for r in self.fetch(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE uid IN "
                f"({', '.join('?' * len(chunk))})", chunk)}
        return found

    def agencies_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The agency each of ``ids`` names."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found |= {str(r[0]): str(r[1]) for r in self.fetch(
                f"SELECT id, agency FROM requests WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk)}
        return found

    def in_folders(self, folders: Iterable[str]) -> dict[str, list[str]]:
        """The ids of the requests logged for each of ``folders`` and not withdrawn, oldest
        first: found by the folder's index, never by reading the whole log."""
        wanted = sorted({str(folder) for folder in folders if str(folder)})
        if not wanted or not self.exists():
            return {}
        found: dict[str, list[str]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.fetch(
                "SELECT id, folder FROM requests WHERE folder IN "
                f"({', '.join('?' * len(chunk))}) ORDER BY created_at, id", chunk)
            ids = [str(row[0]) for row in rows]
            withdrawn = self._withdrawn(ids)
            for request_id, folder in rows:
                if request_id not in withdrawn:
                    found.setdefault(str(folder), []).append(str(request_id))
        return found

    def open_folders(self) -> dict[str, str]:
        """The folder of every request logged with one and not withdrawn, by request id: two
        short columns of the requests, and the few withdrawn and undo events by their index."""
        if not self.exists():
            return {}
        withdrawn = self._withdrawn()
        return {str(request_id): str(folder) for request_id, folder in self.fetch(
            "SELECT id, folder FROM requests WHERE folder != ''") if request_id not in withdrawn}

    def _withdrawn(self, ids: Sequence[str] | None = None) -> set[str]:
        """Which requests (of ``ids``, or of the whole log) were withdrawn, and not undone."""
        if ids is not None and not ids:
            return set()
        among = f"request_id IN ({', '.join('?' * len(ids))}) AND " if ids else ""
        rows = [event_row(r) for r in self.fetch(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE {among}event IN ('withdrawn', 'undo')",
            ids or ())]
        undone = {_undoes(row) for row in rows if row.event == "undo"}
        return {row.request_id for row in rows
                if row.event == "withdrawn" and row.seq not in undone}

    # --- Stored standings (recordskit.tracking.standing) ------------------------------------

    def stale_standings(self, today: str, bases: set[str]) -> list[str]:
        """The ids whose stored standing does not hold on ``today`` (an ISO day), or was worked
        out on another basis than one of ``bases``."""
        known = sorted(bases)
        # Sorted here: an ORDER BY in the question would read the rows, not the index alone
        return sorted(str(row[0]) for row in self.fetch(
            "SELECT id FROM requests WHERE state_until <= ? OR state_since > ? OR "
            f"state_basis NOT IN ({', '.join('?' * len(known))})", [today, today, *known]))

    def store_standings(self, standings: Iterable[Standing]) -> None:
        """Keep each standing with its request, unless an event was written to the request
        since its events were read (its revision moved on): the writer cleared it, and the
        next reader works it out again from every event."""
        self.execute_many(
            "UPDATE requests SET state = ?, next_step = ?, next_on = ?, next_now = ?, "
            "state_since = ?, state_until = ?, state_basis = ?, state_problem = ? "
            "WHERE id = ? AND revision = ?",
            [(s.state, s.next_step, s.next_on, int(s.next_now), s.since, s.until, s.basis,
              s.problem, s.request_id, s.revision) for s in standings])

    def record_request(self, request_id: str, request: Request, *, folder: Path | str = "",
                       batch_id: str = "", by: str | None = None) -> bool:
        """Add a request; False when it was already there (the same answers made twice)."""
        return self.insert_request(RequestRow(
            request_id, now(), request.agency, request.stored(), storable(str(folder)),
            batch_id, current_user() if by is None else storable(by)))

    def record_event(self, request_id: str, on_date: date, details: Recording, *,
                     by: str | None = None) -> LoggedEvent[Recording]:
        """Add one event to a request, in its own transaction."""
        from recordskit.logged import LoggedEvent, kind_of, stored_details

        recorded, who = now(), current_user() if by is None else storable(by)
        [seq] = self.insert_events([EventRow(
            0, request_id, kind_of(details), on_date.isoformat(),
            json.dumps(stored_details(details)), recorded, who, uuid.uuid4().hex)])
        return LoggedEvent(seq, on_date, details, recorded, who)

    def resolve(self, prefix: str) -> str:
        """The full id of the one request whose id starts with ``prefix``."""
        prefix = prefix.strip().lower()
        if len(prefix) < 4:
            raise UserError(_("request id {id} is too short; give at least 4 characters")
                            .format(id=repr(prefix)))
        if not all(char in "0123456789abcdef" for char in prefix):
            raise UserError(_("request id {id} is not an id: ids are letters a–f and digits, "
                              "such as 3f9a2c81").format(id=repr(prefix)))
        ids = self.ids_starting(prefix) if self.exists() else []
        if not ids:
            raise UserError(_("no request in the log has id {id} (log: {log}); the list of "
                              "every request shows their ids").format(id=repr(prefix),
                                                                      log=self.location))
        if len(ids) > 1 and prefix not in ids:  # an exact id always wins
            raise UserError(_("request id {id} is ambiguous: {ids}").format(
                id=repr(prefix), ids=", ".join(ids)))
        return prefix if prefix in ids else ids[0]

    def get(self, request_id: str) -> LoggedRequest:
        full = self.resolve(request_id)
        [row] = self.request_rows(full)
        return _logged(row, self.event_rows(full))

    def all(self, damaged: list[DamagedEntry] | None = None) -> list[LoggedRequest]:
        """Every request, oldest first. A row the log cannot read (damaged by hand or by a
        disk) is left out and, when ``damaged`` is given, reported there by its id."""
        if not self.exists():
            return []
        by_request: dict[str, list[EventRow]] = {}
        for event in self.event_rows():
            by_request.setdefault(event.request_id, []).append(event)
        found = []
        for row in self.request_rows():
            try:
                found.append(_logged(row, by_request.get(row.id, [])))
            except DamagedEntry as exc:
                if damaged is not None:
                    damaged.append(exc)
        return found


def _undoes(row: EventRow) -> object:
    """The number of the event an undo undoes (None when its row is damaged: reading the
    request reports that)."""
    try:
        details = stored_json(row.details)
    except ValueError:
        return None
    return details.get("undoes") if isinstance(details, dict) else None


def storable_request(row: RequestRow) -> RequestRow:
    """A request row whose names are text a log can store (see ``storable``)."""
    return replace(row, folder=storable(row.folder), created_by=storable(row.created_by))


def storable_event(row: EventRow) -> EventRow:
    """An event row whose name is text a log can store (see ``storable``)."""
    return replace(row, recorded_by=storable(row.recorded_by))


def renumbered(row: EventRow, seq: int) -> EventRow:
    """An imported ``undo`` naming the event it undoes by ``seq``, the number this log gave
    that event (the file's own number for it is the file's)."""
    details = json.loads(row.details)
    details["undoes"] = seq
    return replace(row, details=json.dumps(details, ensure_ascii=False))


CLEAR_IMPORTED = ("UPDATE requests SET revision = revision + 1, state_until = '' WHERE id IN "
                  "(SELECT request_id FROM events WHERE seq > ?)")
"""``CLEAR_STANDING`` for every request an import added events to: those numbered after the
last event before it (one statement, not one a request)."""


def replaced_event(earlier: str, replacement: str, how: str, *, stamp: str, by: str
                   ) -> EventRow:
    """The ``withdrawn`` event of a request whose folder now holds another request's files
    (``how`` says how they came: "made from the row's new answers"). The log then never holds
    two open requests, with two sets of reminders, for one folder; ``undo`` reverses it."""
    return EventRow(0, earlier, "withdrawn", date.today().isoformat(), json.dumps({
        "note": f"replaced by request {replacement}, {how}"}), stamp, by, uuid.uuid4().hex)


class ReadOnlyLog(UserError):
    """The log may be read and not written by whoever is using it (a PostgreSQL role granted
    only SELECT, a file without write permission)."""


class DamagedEntry(UserError):
    """A row of the log that cannot be read: its request id and what is wrong with it."""

    def __init__(self, request_id: str, reason: str) -> None:
        super().__init__(request_id, reason)
        self.request_id, self.reason = request_id, reason

    def __str__(self) -> str:
        # Worded when shown, in the language then in use (the reason, a detail of the stored
        # data for whoever mends it, stays as the check gives it)
        return _("request {id} in the log cannot be read ({reason}); the rest of the log is "
                 "unaffected").format(id=self.request_id, reason=self.reason)


def read_event(seq: int, event: str, on_date: object, details: object, recorded_at: str = "",
               recorded_by: str = "") -> LoggedEvent:
    """A stored event, typed: the door by which the log's rows and an import's lines enter.
    Raises ``EventDetailsError`` for an unknown event, a date that is not one, or details the
    schedule cannot count with. Every event this program logs passes; a log or an export edited
    by hand may not."""
    from recordskit.logged import EventDetailsError, LoggedEvent, parse_day, parse_details

    if not isinstance(details, dict):
        raise EventDetailsError("its details are not a mapping", "details")
    return LoggedEvent(seq, parse_day(on_date, "on_date"), parse_details(event, details),
                       recorded_at, recorded_by)


def _logged(row: RequestRow, events: list[EventRow]) -> LoggedRequest:
    from recordskit.logged import EventDetailsError
    from recordskit.models import Request  # pydantic: loaded when a request is first read

    try:
        stored_json(row.answers)  # within the limits, before pydantic's own parser reads it
        request = Request.model_validate_json(row.answers)
        logged_events = []
        for event in events:
            try:
                logged_events.append(read_event(event.seq, event.event, event.on_date,
                                                stored_json(event.details), event.recorded_at,
                                                event.recorded_by))
            except EventDetailsError as problem:
                raise TypeError(f"event {event.seq}: {problem}") from None
    except (ValueError, TypeError) as exc:  # pydantic's and json's errors are ValueErrors
        raise DamagedEntry(row.id, str(exc).splitlines()[0][:120]) from None
    return LoggedRequest(id=row.id, created_at=row.created_at, request=request,
                         folder=row.folder, batch_id=row.batch_id,
                         events=tuple(logged_events), created_by=row.created_by)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def usable_before_writing(folder: Path | None, log: RequestLog | None) -> None:
    """Before a file is written: a folder whose name the log can keep (a name in bytes that
    are not UTF-8 cannot be stored, nor shown), and a log this run can add the request to.
    Found only after the files were written, either left a request that exists untracked."""
    if folder is not None:
        try:
            str(folder).encode("utf-8")
        except UnicodeEncodeError:
            shown = str(folder).encode("utf-8", "backslashreplace").decode("ascii", "replace")
            raise UserError(f"{shown}: the folder's name is not UTF-8 text, which the request "
                            "log keeps; choose another name. Nothing was written") from None
    if log is not None:
        try:
            log.check_writable()
        except UserError as exc:
            raise UserError(f"{exc}. Nothing was written: the request would exist without its "
                            "log entry. Fix the log, or make the request without logging it"
                            ) from None


Row = TypeVar("Row")


def event_values(row: EventRow) -> tuple[str, ...]:
    """An event row's values in the order both backends' INSERT statements name them."""
    return (row.request_id, row.event, row.on_date, row.details, row.recorded_at,
            row.recorded_by, row.uid)


def in_chunks(rows: Iterable[Row], size: int = 1000) -> Iterator[list[Row]]:
    """``rows`` a thousand at a time: one statement for many rows, in flat memory."""
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
