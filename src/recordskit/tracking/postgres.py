"""The shared request log: a PostgreSQL database, for a clinic's staff logging at once.

Reached with ``RECORDSKIT_DATABASE_URL=postgresql://…`` (or ``--database``). Every write is one
transaction; events never conflict with one another (each gets its own number), so many people
can log to the same request at the same moment. A schema upgrade holds an advisory lock, so two
commands started at once by a new release upgrade it once. psycopg 3 is an optional extra:
``pip install 'recordskit[postgres]'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict

from recordskit.errors import UserError
from recordskit.tracking.log import (
    CLEAR_IMPORTED,
    CLEAR_STANDING,
    PROBE,
    EventRow,
    ReadOnlyLog,
    RequestLog,
    RequestRow,
    event_row,
    event_values,
    in_chunks,
    renumbered,
    request_row,
    storable_event,
    storable_request,
)
from recordskit.tracking.schema import SCHEMA_VERSION, steps, stored_version

_LOCK = 0x7265636B  # the advisory lock a schema upgrade holds ("reck")

UNREADABLE = ("the PostgreSQL database URL cannot be read (it is not shown, since it may hold a "
              "password); expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE, with any "
              ": / @ ? # % in the password written as %3A %2F %40 %3F %23 %25")

_HOST = re.compile(r"[A-Za-z0-9._\-:%]+")
"""A host name or address as a URL writes it; a folder of a local socket starts with /."""


def redacted(url: str) -> str:
    """``url`` as it may be shown: user, host, port and database, never the password nor
    any other setting, read by the driver's own parser. Whatever it cannot read, or reads
    into something no URL means (a host with an @, a port that is not a number: the signs of
    a password with an unencoded / or @), is a ``UserError`` that shows nothing of it."""
    try:
        parts = conninfo_to_dict(url)
    except (psycopg.Error, ValueError, TypeError):
        raise UserError(UNREADABLE) from None
    user, dbname = str(parts.get("user") or ""), str(parts.get("dbname") or "")
    hosts = str(parts.get("host") or "").split(",")
    ports = str(parts.get("port") or "").split(",")
    if len(ports) == 1:  # libpq: one port for every host, or one for each
        ports *= len(hosts)
    if (len(ports) != len(hosts) or any(c in user for c in "@/") or any(c in dbname for c in "@/?#")
            or not all(p == "" or (p.isascii() and p.isdigit() and len(p) <= 5) for p in ports)
            or not all(h == "" or h.startswith("/") or _HOST.fullmatch(h) for h in hosts)):
        raise UserError(UNREADABLE)
    login = f"{quote(user, safe='')}@" if user else ""
    database = quote(dbname, safe="")
    if any(h.startswith("/") for h in hosts):  # a local socket's folder: written as ?host=
        query = f"?host={quote(','.join(hosts), safe='/,')}"
        if any(ports):
            query += f"&port={','.join(ports)}"
        return f"postgresql://{login}/{database}{query}"
    where = ",".join(_bracketed(h) + (f":{p}" if p else "") for h, p in zip(hosts, ports,
                                                                                strict=True))
    return f"postgresql://{login}{where}/{database}"


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _secrets(url: str) -> list[str]:
    """The password in every spelling a message could echo, longest first."""
    try:
        password = str(conninfo_to_dict(url).get("password") or "")
    except (psycopg.Error, ValueError, TypeError):
        return []
    spelled = {password, quote(password, safe=""), quote(password)} - {""}
    return sorted(spelled, key=len, reverse=True)


class PostgresLog(RequestLog):
    """The log in the PostgreSQL database at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = redacted(url)  # refuses, showing nothing, a URL it cannot read
        self._secrets = _secrets(url)
        self._ready = False
        self._empty = False
        self._held: psycopg.Connection[tuple[object, ...]] | None = None
        """The connection a ``session`` keeps, used by every read and write in it."""

    def _reason(self, exc: BaseException) -> str:
        """The driver's first line, with the password (in any spelling) taken out."""
        text = (str(exc).strip().splitlines() or [""])[0]
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @contextmanager
    def session(self) -> Iterator[None]:
        # Each use is still its own transaction (autocommit, and a transaction block a use),
        # as on a connection of its own: only the connecting is spared, a few milliseconds
        # each of the thousands of questions an import asks
        if self._held is not None:
            yield
            return
        try:
            connection = psycopg.connect(self.url, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise UserError(f"{self.location}: cannot reach the request log: "
                            f"{self._reason(exc)}") from None
        self._held = connection
        try:
            yield
        finally:
            self._held = None
            connection.close()

    @contextmanager
    def _connection(self, *, write: bool = True
                    ) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        if self._held is not None:
            try:
                with self._held.transaction():
                    if not self._ready:
                        self._prepare(self._held, write=write)
                    yield self._held
            except psycopg.Error as exc:
                raise UserError(f"{self.location}: the request log cannot be used: "
                                f"{self._reason(exc)}") from None
            return
        try:
            connection = psycopg.connect(self.url, connect_timeout=10)
        except psycopg.Error as exc:
            raise UserError(f"{self.location}: cannot reach the request log: "
                            f"{self._reason(exc)}") from None
        with connection:  # commits at the end, rolls back on an exception
            try:
                if not self._ready:
                    self._prepare(connection, write=write)
                yield connection
            except psycopg.Error as exc:
                raise UserError(f"{self.location}: the request log cannot be used: "
                                f"{self._reason(exc)}") from None

    def _version(self, connection: psycopg.Connection[tuple[object, ...]]) -> int | None:
        """The stored schema version, read with read rights only; None: no schema table."""
        row = connection.execute("SELECT to_regclass('recordskit_schema')").fetchone()
        if row is None or row[0] is None:
            return None
        values = connection.execute("SELECT version::text FROM recordskit_schema").fetchall()
        return stored_version([v[0] for v in values], self.location)

    def _prepare(self, connection: psycopg.Connection[tuple[object, ...]], *, write: bool
                 ) -> None:
        """Check the stored version, and create or upgrade the tables only when they are
        missing or older: reading an up-to-date log needs nothing but the right to read it."""
        found = self._version(connection)
        if found is not None and not steps(found, "postgresql", self.location):
            self._ready, self._empty = True, False
            return
        if found is None and not write:  # nothing logged yet: nothing to read, nothing made
            self._empty = True
            return
        try:
            self._migrate(connection)
        except psycopg.errors.InsufficientPrivilege:
            raise UserError(f"{self.location}: the request log needs its tables "
                            f"{'upgraded' if found else 'created'} (schema {SCHEMA_VERSION}), "
                            "and this database user may not; run any recordskit command once "
                            "as the log's owner") from None
        self._ready, self._empty = True, False

    def _migrate(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS recordskit_schema "
                               "(version INTEGER NOT NULL)")
            found = self._version(connection) or 0  # again, under the lock
            todo = steps(found, "postgresql", self.location)
            for statement in todo:
                connection.execute(statement)
            if todo:
                connection.execute("DELETE FROM recordskit_schema")
                connection.execute("INSERT INTO recordskit_schema VALUES (%s)",
                                   (SCHEMA_VERSION,))

    def exists(self) -> bool:
        return True  # a server's database is there to be used; its tables are made on use

    def create(self) -> None:
        with self._connection():
            pass

    def check_writable(self) -> None:
        with self._connection() as db, db.transaction(force_rollback=True):
            db.execute(PROBE)

    def insert_requests(self, rows: Iterable[RequestRow]) -> int:
        added = 0
        with self._connection() as db:
            for row in map(storable_request, rows):
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
            for row in map(storable_event, rows):
                found = db.execute(
                    "INSERT INTO events (request_id, event, on_date, details, recorded_at, "
                    "recorded_by, uid) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (uid) DO NOTHING RETURNING seq",
                    (row.request_id, row.event, row.on_date, row.details, row.recorded_at,
                     row.recorded_by, row.uid)).fetchone()
                if found is None:  # already there: imported twice
                    found = db.execute("SELECT seq FROM events WHERE uid = %s",
                                       (row.uid,)).fetchone()
                else:
                    db.execute(_marked(CLEAR_STANDING), (row.request_id,))
                numbers.append(int(found[0]) if found else 0)  # type: ignore[call-overload]
        return numbers

    def import_rows(self, requests: Callable[[], Iterable[RequestRow]],
                    events: Callable[[], Iterable[EventRow]],
                    undos: Callable[[], Iterable[tuple[EventRow, str]]]) -> tuple[int, int]:
        # One transaction: all of it, or nothing. Rows go a thousand at a time in one round
        # trip each (the driver's pipeline), not one round trip a row; each statement's count
        # of rows added is summed by the driver (a row already there, written since the check,
        # is left as it is, and not counted).
        added = new_events = 0
        with self._connection() as db, db.cursor() as cursor:
            for given in in_chunks(requests()):
                cursor.executemany(
                    "INSERT INTO requests (id, created_at, agency, answers, folder, batch_id, "
                    "created_by) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    [(r.id, r.created_at, r.agency, r.answers, r.folder, r.batch_id,
                      r.created_by) for r in given])
                added += max(cursor.rowcount, 0)
            cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM events")
            [last] = cursor.fetchone() or (0,)
            for chunk in in_chunks(events()):
                cursor.executemany(_INSERT_EVENT, [event_values(row) for row in chunk])
                new_events += max(cursor.rowcount, 0)
            for undoing in in_chunks(undos()):
                # An undo names its event by the number the log gave it
                cursor.execute("SELECT uid, seq FROM events WHERE uid = ANY(%s)",
                               ([target for _undo, target in undoing],))
                numbers = {str(uid): int(str(seq)) for uid, seq in cursor.fetchall()}
                cursor.executemany(_INSERT_EVENT, [
                    event_values(renumbered(undo, numbers[target]))
                    for undo, target in undoing])
                new_events += max(cursor.rowcount, 0)
            # A request added now has no standing to clear, and no reader has seen it: only
            # the rows this transaction did not write (another transaction's id) are cleared
            cursor.execute(_marked(CLEAR_IMPORTED + " AND xmin::text::bigint <> "
                                   "txid_current() % 4294967296"), (last,))
        return added, new_events

    def ids_starting(self, prefix: str) -> list[str]:
        with self._connection(write=False) as db:
            if self._empty:  # no tables yet: nothing logged
                return []
            # Compared as text: the database's collation may sort "~" before the digits
            rows = db.execute("SELECT id FROM requests WHERE substr(id, 1, %s) = %s ORDER BY id",
                              (len(prefix), prefix)).fetchall()
        return [str(r[0]) for r in rows]

    def request_rows(self, request_id: str | None = None) -> list[RequestRow]:
        with self._connection(write=False) as db:
            if self._empty:  # no tables yet: nothing logged
                return []
            rows = db.execute(
                "SELECT id, created_at, agency, answers, folder, batch_id, created_by "
                "FROM requests WHERE %(id)s::text IS NULL OR id = %(id)s "
                "ORDER BY created_at, id", {"id": request_id}).fetchall()
        return [request_row(r) for r in rows]

    def event_rows(self, request_id: str | None = None) -> list[EventRow]:
        with self._connection(write=False) as db:
            if self._empty:  # no tables yet: nothing logged
                return []
            rows = db.execute(
                "SELECT seq, request_id, event, on_date, details, recorded_at, recorded_by, uid "
                "FROM events WHERE %(id)s::text IS NULL OR request_id = %(id)s ORDER BY seq",
                {"id": request_id}).fetchall()
        return [event_row(r) for r in rows]

    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._connection(write=False) as db:
            if self._empty:  # no tables yet: nothing logged
                return []
            return list(db.execute(_marked(sql), tuple(params)).fetchall())

    def stream(self, sql: str, params: Sequence[object] = ()) -> Iterator[tuple[Any, ...]]:
        with self._connection(write=False) as db:
            if self._empty:  # no tables yet: nothing logged
                return
            # A server-side cursor: the server keeps the rows and sends a few thousand at a time
            with db.cursor(name="recordskit_stream") as cursor:
                cursor.itersize = 2000
                cursor.execute(_marked(sql), tuple(params))
                yield from cursor

    def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        batch = [tuple(row) for row in rows]
        if not batch:
            return
        with self._connection() as db, db.cursor() as cursor:
            try:
                cursor.executemany(_marked(sql), batch)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise ReadOnlyLog(f"{self.location}: {self._reason(exc)}") from None

    def write(self, statements: Sequence[tuple[str, Sequence[object]]]) -> list[int]:
        with self._connection() as db:
            try:
                return [db.execute(_marked(sql), tuple(params)).rowcount
                        for sql, params in statements]
            except psycopg.errors.InsufficientPrivilege as exc:
                raise ReadOnlyLog(f"{self.location}: {self._reason(exc)}") from None


_INSERT_EVENT = ("INSERT INTO events (request_id, event, on_date, details, recorded_at, "
                 "recorded_by, uid) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                 "ON CONFLICT (uid) DO NOTHING")


def _marked(sql: str) -> str:
    """A statement written with ``?`` for each parameter (as both backends share them) in the
    driver's own marks, and any ``%`` of its own (a LIKE pattern) as the driver reads one;
    the shared statements hold no ``?`` but their marks."""
    return sql.replace("%", "%%").replace("?", "%s")
