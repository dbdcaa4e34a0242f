"""What an import's check keeps of its file, on disk: each request's and event's line, a digest,
its row as the log will store it, and whether the log held it already, so that a file of any
size is checked and written in flat memory.

A log export of 100,000 requests names some 360,000 requests, events and event numbers; kept in
dictionaries they raised the import's peak memory to 233 MB, where with this file the whole import
stays near 60 MB. The file is the import's own SQLite file, in a folder only this user can read,
removed when the import ends (whatever way it ends). It is scratch, not the log: it is never made
durable (a crash loses nothing but the import, which writes nothing until the file is checked
whole)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from types import TracebackType

from recordskit.tracking.log import EventRow, RequestRow

_TABLES = (
    # The requests of the file (each id's first line), with a digest of the row: the same id
    # given again must be the same request.
    "CREATE TABLE requests (id TEXT PRIMARY KEY, digest TEXT NOT NULL, line INTEGER NOT NULL, "
    "known INTEGER NOT NULL DEFAULT 0)",
    # The events of the file (each uid's first line); an undo with the number in the file of
    # the event it undoes (written after every other event: it names that one by the number
    # it gets), and that number as the file gives it, for a message.
    "CREATE TABLE events (uid TEXT PRIMARY KEY, line INTEGER NOT NULL, request_id TEXT NOT "
    "NULL, event TEXT NOT NULL, known INTEGER NOT NULL DEFAULT 0, undoes TEXT, shown TEXT)",
    # Each of those requests' and events' row, as the log stores it, in the file's order: the
    # writing takes them from here, checked, and never reads the lines again.
    "CREATE TABLE rows (line INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, "
    "f TEXT, g TEXT)",
    # Each event number of the file (as text: a number may have any length) -> its event; a
    # number given twice names the later event, as the check reads it.
    "CREATE TABLE numbers (seq TEXT PRIMARY KEY, uid TEXT NOT NULL, request_id TEXT NOT NULL, "
    "event TEXT NOT NULL, line INTEGER NOT NULL)",
    "CREATE INDEX requests_by_line ON requests(line)",
    "CREATE INDEX events_by_line ON events(line)",
    "CREATE INDEX numbers_by_request ON numbers(request_id)",
)


_KEEP_ROW = "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


class Ledger:
    """An import's bookkeeping, in a temporary SQLite file: use it in a ``with`` block."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="recordskit-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "ledger.sqlite3",
                                   isolation_level=None)
        # Scratch: neither a journal nor a flush to the disk; a large page cache is not needed
        # (rows are looked up by their keys), so memory stays SQLite's few megabytes
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._rows_kept: list[tuple[object, ...]] = []
        self._db.execute("BEGIN")
        for statement in _TABLES:
            self._db.execute(statement)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    # --- The check: one line at a time ------------------------------------------------------

    def add_request(self, row: RequestRow, digest: str, line: int) -> str | None:
        """Note a request's line and keep its row; None when it is the id's first, else the
        digest the id was first given with (this line is then not noted)."""
        if self._db.execute("INSERT OR IGNORE INTO requests (id, digest, line) VALUES (?, ?, ?)",
                            (row.id, digest, line)).rowcount == 1:
            self._keep((line, row.id, row.created_at, row.agency, row.answers, row.folder,
                        row.batch_id, row.created_by))
            return None
        [(first,)] = self._db.execute("SELECT digest FROM requests WHERE id = ?", (row.id,))
        return str(first)

    def add_event(self, row: EventRow, line: int) -> bool:
        """Note an event's line and keep its row; False (and nothing noted) when its uid came
        before."""
        if self._db.execute(
                "INSERT OR IGNORE INTO events (uid, line, request_id, event) VALUES (?, ?, ?, ?)",
                (row.uid, line, row.request_id, row.event)).rowcount == 0:
            return False
        self._keep((line, row.request_id, row.event, row.on_date, row.details, row.recorded_at,
                    row.recorded_by, row.uid))
        return True

    def _keep(self, values: tuple[object, ...]) -> None:
        # Written a thousand at a time: one statement a line less
        self._rows_kept.append(values)
        if len(self._rows_kept) >= 1000:
            self._flush()

    def _flush(self) -> None:
        self._db.executemany(_KEEP_ROW, self._rows_kept)
        self._rows_kept = []

    def add_number(self, seq: int, uid: str, request_id: str, event: str, line: int) -> bool:
        """Note an event's number in the file; False when the number came before (it then
        names this event)."""
        values = (uid, request_id, event, line, str(seq))
        if self._db.execute("INSERT OR IGNORE INTO numbers (uid, request_id, event, line, seq) "
                            "VALUES (?, ?, ?, ?, ?)", values).rowcount == 1:
            return True
        self._db.execute("UPDATE numbers SET uid = ?, request_id = ?, event = ?, line = ? "
                         "WHERE seq = ?", values)
        return False

    def add_undo(self, uid: str, undoes: object) -> None:
        """Note the number in the file of the event an undo (noted) undoes."""
        self._db.execute("UPDATE events SET undoes = ?, shown = ? WHERE uid = ?",
                         (str(undoes) if type(undoes) is int else None, repr(undoes), uid))

    def known(self, table: str, keys: Sequence[str]) -> None:
        """Mark these requests (``table`` "requests", by id) or events ("events", by uid) as
        held by the log already: the writing leaves them out."""
        key = "id" if table == "requests" else "uid"
        self._db.executemany(f"UPDATE {table} SET known = 1 WHERE {key} = ?",  # noqa: S608
                             [(k,) for k in keys])

    # --- The check, whole -------------------------------------------------------------------

    def named_requests_not_given(self, chunk: int = 500) -> Iterator[list[str]]:
        """The requests the events name that the file does not give, a few hundred at a time."""
        cursor = self._db.execute(
            "SELECT DISTINCT request_id FROM numbers WHERE request_id NOT IN "
            "(SELECT id FROM requests) ORDER BY request_id")
        while rows := cursor.fetchmany(chunk):
            yield [str(row[0]) for row in rows]

    def lines_naming(self, request_ids: Sequence[str]) -> list[tuple[str, int]]:
        """(request, line) of each numbered event that names one of ``request_ids``."""
        marks = ", ".join("?" * len(request_ids))
        return [(str(r), int(n)) for r, n in self._db.execute(
            f"SELECT request_id, line FROM numbers WHERE request_id IN ({marks})",  # noqa: S608
            list(request_ids))]

    def stray_undos(self) -> Iterator[tuple[str, str, int]]:
        """(request, what it names as it is written, line) of each undo that names no event of
        its own request in the file, or names another undo."""
        yield from ((str(r), str(u), int(n)) for r, u, n in self._db.execute(
            "SELECT e.request_id, e.shown, e.line FROM events e LEFT JOIN numbers n "
            "ON n.seq = e.undoes WHERE e.event = 'undo' AND "
            "(n.seq IS NULL OR n.request_id != e.request_id OR n.event = 'undo')"))

    # --- The writing: what is new ----------------------------------------------------------

    def new_requests(self) -> Iterator[RequestRow]:
        """The requests the log did not hold at the check, in the file's order."""
        for values in self._rows(
                "SELECT r.a, r.b, r.c, r.d, r.e, r.f, r.g FROM requests q JOIN rows r ON "
                "r.line = q.line WHERE q.known = 0 ORDER BY q.line"):
            yield RequestRow(*values)

    def new_events(self) -> Iterator[EventRow]:
        """The events (undos apart) the log did not hold at the check, in the file's order."""
        for values in self._rows(
                "SELECT r.a, r.b, r.c, r.d, r.e, r.f, r.g FROM events e JOIN rows r ON "
                "r.line = e.line WHERE e.known = 0 AND e.event != 'undo' ORDER BY e.line"):
            yield EventRow(0, *values)

    def new_undos(self) -> Iterator[tuple[EventRow, str]]:
        """Each undo the log did not hold, in the file's order, with the uid of the event it
        undoes."""
        for *values, target in self._rows(
                "SELECT r.a, r.b, r.c, r.d, r.e, r.f, r.g, n.uid FROM events e JOIN rows r ON "
                "r.line = e.line JOIN numbers n ON n.seq = e.undoes WHERE e.known = 0 AND "
                "e.event = 'undo' ORDER BY e.line"):
            yield EventRow(0, *values), target

    def _rows(self, sql: str) -> Iterator[tuple[str, ...]]:
        self._flush()
        with closing(self._db.execute(sql)) as cursor:
            while rows := cursor.fetchmany(1000):
                yield from rows

    def anything_new(self) -> bool:
        return bool(self._db.execute(
            "SELECT EXISTS (SELECT 1 FROM requests WHERE known = 0) OR "
            "EXISTS (SELECT 1 FROM events WHERE known = 0)").fetchone()[0])

    def changed_requests(self, chunk: int = 500) -> Iterator[list[str]]:
        """The requests the import added, or added events to, a few hundred at a time."""
        with closing(self._db.execute(
                "SELECT id FROM requests WHERE known = 0 UNION "
                "SELECT request_id FROM events WHERE known = 0 ORDER BY 1")) as cursor:
            while rows := cursor.fetchmany(chunk):
                yield [str(row[0]) for row in rows]
