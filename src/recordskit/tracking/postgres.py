"""The shared request log: a PostgreSQL database, for a clinic's staff logging at once.

Reached with ``RECORDSKIT_DATABASE_URL=postgresql://…`` (or ``--database``). Every write is one
transaction; events never conflict with one another (each gets its own number), so many people
can log to the same request at the same moment. A schema upgrade holds an advisory lock, so two
commands started at once by a new release upgrade it once. psycopg 3 is an optional extra:
``pip install 'recordskit[postgres]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

from recordskit.errors import UserError
from recordskit.tracking.log import EventRow, RequestLog, RequestRow
from recordskit.tracking.schema import SCHEMA_VERSION, steps

_LOCK = 0x7265636B  # the advisory lock a schema upgrade holds ("reck")


class PostgresLog(RequestLog):
    """The log in the PostgreSQL database at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        host = parts.hostname or "local socket"
        self.location = urlunsplit((parts.scheme, f"{parts.username or ''}@{host}"
                                    if parts.username else host, parts.path, "", ""))
        self._ready = False

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        try:
            connection = psycopg.connect(self.url, connect_timeout=10)
        except psycopg.Error as exc:
            raise UserError(f"{self.location}: cannot reach the request log: "
                            f"{str(exc).strip().splitlines()[0]}") from None
        with connection:  # commits at the end, rolls back on an exception
            try:
                if not self._ready:
                    self._migrate(connection)
                yield connection
            except psycopg.Error as exc:
                raise UserError(f"{self.location}: the request log cannot be used: "
                                f"{str(exc).strip().splitlines()[0]}") from None

    def _migrate(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS recordskit_schema "
                               "(version INTEGER NOT NULL)")
            row = connection.execute("SELECT max(version) FROM recordskit_schema").fetchone()
            found = int(row[0]) if row and row[0] is not None else 0  # type: ignore[call-overload]
            todo = steps(found, "postgresql", self.location)
            for statement in todo:
                connection.execute(statement)
            if todo:
                connection.execute("DELETE FROM recordskit_schema")
                connection.execute("INSERT INTO recordskit_schema VALUES (%s)",
                                   (SCHEMA_VERSION,))
        self._ready = True

    def exists(self) -> bool:
        return True  # a server's database is there to be used; its tables are made on use

    def create(self) -> None:
        with self._connection():
            pass

    def insert_requests(self, rows: Iterable[RequestRow]) -> int:
        added = 0
        with self._connection() as db:
            for row in rows:
                cursor = db.execute(
                    "INSERT INTO requests (id, created_at, agency, answers, folder, batch_id, "
                    "created_by) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    (row.id, row.created_at, row.agency, row.answers, row.folder,
                     row.batch_id, row.created_by))
                if cursor.rowcount == 0 and row.folder:
                    db.execute("UPDATE requests SET folder = %s WHERE id = %s",
                               (row.folder, row.id))
                added += cursor.rowcount == 1
        return added

    def insert_events(self, rows: Iterable[EventRow]) -> list[int]:
        numbers = []
        with self._connection() as db:
            for row in rows:
                found = db.execute(
                    "INSERT INTO events (request_id, event, on_date, details, recorded_at, "
                    "recorded_by, uid) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (uid) DO NOTHING RETURNING seq",
                    (row.request_id, row.event, row.on_date, row.details, row.recorded_at,
                     row.recorded_by, row.uid)).fetchone()
                if found is None:  # already there: imported twice
                    found = db.execute("SELECT seq FROM events WHERE uid = %s",
                                       (row.uid,)).fetchone()
                numbers.append(int(found[0]) if found else 0)  # type: ignore[call-overload]
        return numbers

    def ids_starting(self, prefix: str) -> list[str]:
        with self._connection() as db:
            rows = db.execute("SELECT id FROM requests WHERE substr(id, 1, %s) = %s ORDER BY id",
                              (len(prefix), prefix)).fetchall()
        return [str(r[0]) for r in rows]

    def request_rows(self, request_id: str | None = None) -> list[RequestRow]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT id, created_at, agency, answers, folder, batch_id, created_by "
                "FROM requests WHERE %(id)s::text IS NULL OR id = %(id)s "
                "ORDER BY created_at, id", {"id": request_id}).fetchall()
        return [RequestRow(*map(str, r)) for r in rows]

    def event_rows(self, request_id: str | None = None) -> list[EventRow]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT seq, request_id, event, on_date, details, recorded_at, recorded_by, uid "
                "FROM events WHERE %(id)s::text IS NULL OR request_id = %(id)s ORDER BY seq",
                {"id": request_id}).fetchall()
        return [EventRow(int(r[0]), *map(str, r[1:])) for r in rows]  # type: ignore[call-overload]
