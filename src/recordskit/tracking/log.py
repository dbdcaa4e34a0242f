"""The request log: every request recordskit wrote, and everything that happened to it since.

A local SQLite file, ``requests.sqlite3``, in the user data folder (``RECORDSKIT_HOME`` points
elsewhere: tests, or a clinic's shared drive). Each write is one transaction, so a crash never
leaves half a request or half an event. Events are never edited or deleted: a mistaken one is
undone by a later ``undo`` event that names it, and both stay in the log.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from recordskit.errors import UserError
from recordskit.models import LoggedEvent, Request

DATABASE_NAME = "requests.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    agency      TEXT NOT NULL,
    answers     TEXT NOT NULL,
    folder      TEXT NOT NULL DEFAULT '',
    batch_id    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id   TEXT NOT NULL REFERENCES requests(id),
    event        TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    details      TEXT NOT NULL DEFAULT '{}',
    recorded_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_request ON events(request_id, seq);
"""


def log_folder() -> Path:
    """Where the log lives: ``RECORDSKIT_HOME``, or the user data folder."""
    if home := os.environ.get("RECORDSKIT_HOME"):
        return Path(home)
    return Path(user_data_dir("recordskit", appauthor=False))


@dataclass(frozen=True)
class LoggedRequest:
    """A request in the log, with its events in the order they were recorded."""

    id: str
    created_at: str
    request: Request
    folder: str
    batch_id: str
    events: tuple[LoggedEvent, ...]

    @property
    def active_events(self) -> list[LoggedEvent]:
        """The events that count: all but ``undo`` events and the events they undid."""
        undone = {e.details.get("undoes") for e in self.events if e.event == "undo"}
        return [e for e in self.events if e.event != "undo" and e.seq not in undone]


class RequestLog:
    """The SQLite log of requests and events."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or log_folder()
        self.path = self.folder / DATABASE_NAME

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection whose writes are committed together at the end, or not at all."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"{self.path}: cannot open the request log: {exc}") from None
        with closing(connection):
            try:
                connection.execute("PRAGMA foreign_keys = ON")
                if _needs_schema(connection):  # tables first, then the version that says so
                    connection.executescript(_SCHEMA)
                    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                with connection:  # commit on success, roll back on any exception
                    yield connection
            except sqlite3.DatabaseError as exc:
                raise UserError(f"{self.path}: the request log cannot be used: {exc}") from None

    def exists(self) -> bool:
        return self.path.exists()

    def record_request(self, request_id: str, request: Request, *, folder: Path | str = "",
                       batch_id: str = "") -> bool:
        """Add a request; False when it was already there (the same answers made twice)."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO requests (id, created_at, agency, answers, folder, "
                "batch_id) VALUES (?, ?, ?, ?, ?, ?)",
                (request_id, _now(), request.agency, request.model_dump_json(), str(folder),
                 batch_id),
            )
            if cursor.rowcount == 0 and folder:
                db.execute("UPDATE requests SET folder = ? WHERE id = ?", (str(folder),
                                                                          request_id))
            return cursor.rowcount == 1

    def record_event(self, request_id: str, event: str, on_date: date,
                     details: dict[str, Any] | None = None) -> LoggedEvent:
        with self.transaction() as db:
            recorded = _now()
            cursor = db.execute(
                "INSERT INTO events (request_id, event, on_date, details, recorded_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (request_id, event, on_date.isoformat(), json.dumps(details or {}), recorded),
            )
            return LoggedEvent(int(cursor.lastrowid or 0), event, on_date, details or {},
                               recorded)

    def resolve(self, prefix: str) -> str:
        """The full id of the one request whose id starts with ``prefix``."""
        prefix = prefix.strip().lower()
        if len(prefix) < 4:
            raise UserError(f"request id {prefix!r} is too short; give at least 4 characters")
        if not all(char in "0123456789abcdef" for char in prefix):
            raise UserError(f"request id {prefix!r} is not an id: ids are letters a–f and digits, "
                            "such as 3f9a2c81")
        with self.transaction() as db:  # compared as text, never as a LIKE pattern
            rows = db.execute("SELECT id FROM requests WHERE substr(id, 1, ?) = ? ORDER BY id",
                              (len(prefix), prefix)).fetchall()
        if not rows:
            raise UserError(f"no request in the log has id {prefix!r} (log: {self.path}); "
                            "the list of every request shows their ids")
        if len(rows) > 1:
            raise UserError(f"request id {prefix!r} is ambiguous: "
                            f"{', '.join(r[0] for r in rows)}")
        return str(rows[0][0])

    def get(self, request_id: str) -> LoggedRequest:
        full = self.resolve(request_id)
        with self.transaction() as db:
            row = db.execute("SELECT id, created_at, answers, folder, batch_id FROM requests "
                             "WHERE id = ?", (full,)).fetchone()
            events = db.execute("SELECT seq, event, on_date, details, recorded_at FROM events "
                                "WHERE request_id = ? ORDER BY seq", (full,)).fetchall()
        return _logged(row, events)

    def all(self, damaged: list[DamagedEntry] | None = None) -> list[LoggedRequest]:
        """Every request, oldest first. A row the log cannot read (damaged by hand or by a
        disk) is left out and, when ``damaged`` is given, reported there by its id."""
        if not self.exists():
            return []
        with self.transaction() as db:
            rows = db.execute("SELECT id, created_at, answers, folder, batch_id FROM requests "
                              "ORDER BY created_at, id").fetchall()
            events = db.execute("SELECT request_id, seq, event, on_date, details, recorded_at "
                                "FROM events ORDER BY seq").fetchall()
        by_request: dict[str, list[tuple[Any, ...]]] = {}
        for event in events:
            by_request.setdefault(event[0], []).append(event[1:])
        found = []
        for row in rows:
            try:
                found.append(_logged(row, by_request.get(row[0], [])))
            except DamagedEntry as exc:
                if damaged is not None:
                    damaged.append(exc)
        return found


def _needs_schema(connection: sqlite3.Connection) -> bool:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        return True
    if version > SCHEMA_VERSION:
        raise UserError("the request log was written by a newer recordskit; upgrade recordskit")
    return False


class DamagedEntry(UserError):
    """A row of the log that cannot be read: its request id and what is wrong with it."""

    def __init__(self, request_id: str, reason: str) -> None:
        self.request_id = request_id
        super().__init__(f"request {request_id} in the log cannot be read ({reason}); the rest "
                         "of the log is unaffected")


def _logged(row: tuple[Any, ...], events: list[tuple[Any, ...]]) -> LoggedRequest:
    request_id = str(row[0])
    try:
        request = Request.model_validate_json(row[2])
        logged_events = []
        for seq, event, on, details, recorded in events:
            parsed = json.loads(details)
            if not isinstance(parsed, dict):
                raise TypeError(f"the details of event {seq} are not a mapping")
            logged_events.append(LoggedEvent(int(seq), str(event), date.fromisoformat(on),
                                             parsed, str(recorded)))
    except (ValueError, TypeError) as exc:  # pydantic's and json's errors are ValueErrors
        reason = str(exc).splitlines()[0][:120]
        raise DamagedEntry(request_id, reason) from None
    return LoggedRequest(id=request_id, created_at=row[1], request=request, folder=row[3],
                         batch_id=row[4], events=tuple(logged_events))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
