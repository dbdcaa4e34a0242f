"""The embedded request log: one SQLite file, for one person on one computer.

Writers take the database's write lock at the start of their transaction (``BEGIN IMMEDIATE``)
and wait for one another (a busy timeout, then a few retries), so two commands logging at once
both succeed. SQLite's file locking is unreliable on network drives: a clinic's shared log
belongs on a PostgreSQL server instead (``recordskit.tracking.postgres``).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from recordskit.errors import UserError
from recordskit.i18n import _
from recordskit.tracking.log import (
    CLEAR_IMPORTED,
    CLEAR_STANDING,
    DATABASE_NAME,
    PROBE,
    EventRow,
    ReadOnlyLog,
    RequestLog,
    RequestRow,
    event_row,
    event_values,
    in_chunks,
    log_folder,
    renumbered,
    request_row,
    storable_event,
    storable_request,
)
from recordskit.tracking.schema import SCHEMA_VERSION, steps, stored_version

T = TypeVar("T")
BUSY_SECONDS = 30
RETRIES = 8

WRITE_CACHE_KIB = 32_768
"""The page cache of a writing transaction, in KiB (SQLite's own is 2 MB). A large write (an
import, thousands of standings) changes the indexes of a large log all over: with 2 MB the same
pages went out to the file and back again and again, 3 s of system time in a 100,000-request
import, 0.3 s with this. Memory is taken only as pages are read, for the transaction alone."""

_INSERT_EVENT = ("INSERT INTO events (request_id, event, on_date, details, recorded_at, "
                 "recorded_by, uid) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING")


class SqliteLog(RequestLog):
    """The log in ``requests.sqlite3`` in ``folder`` (``RECORDSKIT_HOME``, or the user's data
    folder)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or log_folder()
        self.path = self.folder / DATABASE_NAME
        self.location = str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def _connection(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            if write:
                self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS,
                                         isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(_("{log}: cannot open the request log: {reason}").format(
                log=self.path, reason=exc)) from None
        with closing(connection):
            try:
                connection.execute("PRAGMA foreign_keys = ON")
                if write:
                    connection.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
                self._migrate(connection)
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield connection
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            except sqlite3.OperationalError:
                raise  # busy: retried by _retry
            except sqlite3.DatabaseError as exc:
                raise UserError(_("{log}: the request log cannot be used: {reason}").format(
                    log=self.path, reason=exc)) from None

    def _version(self, connection: sqlite3.Connection) -> int:
        return stored_version([connection.execute("PRAGMA user_version").fetchone()[0]],
                              str(self.path))

    def _migrate(self, connection: sqlite3.Connection) -> None:
        found = self._version(connection)
        todo = steps(found, "sqlite", str(self.path))
        if not todo:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            if self._version(connection) == found:
                for statement in todo:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _retry(self, work: Callable[[], T]) -> T:
        for attempt in range(RETRIES):
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise UserError(_("{log}: the request log cannot be used: {reason}")
                                    .format(log=self.path, reason=exc)) from None
                time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)  # noqa: S311
        raise UserError(_("{log}: the request log stayed busy; try again in a moment").format(
            log=self.path))

    def create(self) -> None:
        def work() -> None:
            with self._connection(write=True):
                pass
        self._retry(work)

    def check_writable(self) -> None:
        def work() -> None:
            with self._connection(write=True) as db:
                db.execute("SAVEPOINT probe")
                db.execute(PROBE)
                db.execute("ROLLBACK TO probe")
        self._retry(work)

    def insert_requests(self, rows: Iterable[RequestRow]) -> int:
        batch = [storable_request(row) for row in rows]

        def work() -> int:
            added = 0
            with self._connection(write=True) as db:
                for row in batch:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO requests (id, created_at, agency, answers, "
                        "folder, batch_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (row.id, row.created_at, row.agency, row.answers, row.folder,
                         row.batch_id, row.created_by))
                    if cursor.rowcount == 0 and row.folder:
                        db.execute("UPDATE requests SET folder = ? WHERE id = ?",
                                   (row.folder, row.id))
                    added += cursor.rowcount == 1
            return added
        return self._retry(work)

    def insert_events(self, rows: Iterable[EventRow]) -> list[int]:
        batch = [storable_event(row) for row in rows]

        def work() -> list[int]:
            numbers = []
            with self._connection(write=True) as db:
                for row in batch:
                    found = db.execute("SELECT seq FROM events WHERE uid = ?",
                                       (row.uid,)).fetchone()
                    if found:
                        numbers.append(int(found[0]))
                        continue
                    cursor = db.execute(
                        "INSERT INTO events (request_id, event, on_date, details, recorded_at, "
                        "recorded_by, uid) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (row.request_id, row.event, row.on_date, row.details, row.recorded_at,
                         row.recorded_by, row.uid))
                    numbers.append(int(cursor.lastrowid or 0))
                    db.execute(CLEAR_STANDING, (row.request_id,))
            return numbers
        return self._retry(work)

    def import_rows(self, requests: Callable[[], Iterable[RequestRow]],
                    events: Callable[[], Iterable[EventRow]],
                    undos: Callable[[], Iterable[tuple[EventRow, str]]]) -> tuple[int, int]:
        def work() -> tuple[int, int]:
            with self._connection(write=True) as db:
                # A request added now has no standing to clear, and no reader has seen it:
                # only those there before (their rowids no larger) are cleared below
                [(before,)] = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM requests")
                # Counted by the changes the statements made: a row already there (written
                # since the check) is left as it is, and not counted
                start = db.total_changes
                for chunk in in_chunks(requests()):
                    db.executemany(
                        "INSERT INTO requests (id, created_at, agency, answers, folder, "
                        "batch_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (id) DO NOTHING",
                        [(r.id, r.created_at, r.agency, r.answers, r.folder, r.batch_id,
                          r.created_by) for r in chunk])
                added = db.total_changes - start
                [(last,)] = db.execute("SELECT COALESCE(MAX(seq), 0) FROM events")
                start = db.total_changes
                for rows in in_chunks(events()):
                    db.executemany(_INSERT_EVENT, [event_values(row) for row in rows])
                for undo, target in undos():
                    [(seq,)] = db.execute("SELECT seq FROM events WHERE uid = ?", (target,))
                    db.execute(_INSERT_EVENT, event_values(renumbered(undo, int(seq))))
                new_events = db.total_changes - start
                db.execute(CLEAR_IMPORTED + " AND rowid <= ?", (last, before))
            return added, new_events
        return self._retry(work)

    def ids_starting(self, prefix: str) -> list[str]:
        def work() -> list[str]:
            with self._connection(write=False) as db:
                # A range, which the id's index answers (ids are a-f and digits; "~" is after)
                rows = db.execute("SELECT id FROM requests WHERE id >= ? AND id < ? AND "
                                  "substr(id, 1, ?) = ? ORDER BY id",
                                  (prefix, prefix + "~", len(prefix), prefix)).fetchall()
            return [str(r[0]) for r in rows]
        return self._retry(work)

    def request_rows(self, request_id: str | None = None) -> list[RequestRow]:
        def work() -> list[RequestRow]:
            with self._connection(write=False) as db:
                # One request by its index; "? IS NULL OR id = ?" would read every row
                rows = db.execute(
                    "SELECT id, created_at, agency, answers, folder, batch_id, created_by "
                    "FROM requests WHERE id = ?", (request_id,)).fetchall() if request_id \
                    else db.execute(
                        "SELECT id, created_at, agency, answers, folder, batch_id, created_by "
                        "FROM requests ORDER BY created_at, id").fetchall()
            return [request_row(r) for r in rows]
        return self._retry(work)

    def event_rows(self, request_id: str | None = None) -> list[EventRow]:
        def work() -> list[EventRow]:
            with self._connection(write=False) as db:
                columns = ("SELECT seq, request_id, event, on_date, details, recorded_at, "
                           "recorded_by, uid FROM events ")
                rows = db.execute(columns + "WHERE request_id = ? ORDER BY seq",
                                  (request_id,)).fetchall() if request_id else db.execute(
                                      columns + "ORDER BY seq").fetchall()
            return [event_row(r) for r in rows]
        return self._retry(work)

    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if not self.exists():
            return []

        def work() -> list[tuple[Any, ...]]:
            with self._connection(write=False) as db:
                return list(db.execute(sql, tuple(params)).fetchall())
        return self._retry(work)

    def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        batch = [tuple(row) for row in rows]
        if not batch:
            return

        def work() -> None:
            try:
                with self._connection(write=True) as db:
                    db.executemany(sql, batch)
            except sqlite3.OperationalError as exc:
                if "readonly" in str(exc):
                    raise ReadOnlyLog(f"{self.path}: {exc}") from None
                raise
        self._retry(work)

    def stream(self, sql: str, params: Sequence[object] = ()) -> Iterator[tuple[Any, ...]]:
        if not self.exists():
            return
        try:
            with self._connection(write=False) as db:
                cursor = db.execute(sql, tuple(params))
                while rows := cursor.fetchmany(2000):
                    yield from rows
        except sqlite3.OperationalError as exc:
            raise UserError(_("{log}: the request log cannot be used: {reason}").format(
                log=self.path, reason=exc)) from None

    def write(self, statements: Sequence[tuple[str, Sequence[object]]]) -> list[int]:
        def work() -> list[int]:
            try:
                with self._connection(write=True) as db:
                    return [db.execute(sql, tuple(params)).rowcount
                            for sql, params in statements]
            except sqlite3.OperationalError as exc:
                if "readonly" in str(exc):
                    raise ReadOnlyLog(f"{self.path}: {exc}") from None
                raise
        return self._retry(work)
