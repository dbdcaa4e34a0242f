"""The request log's schema, as numbered migrations shared by both backends.

Version 1 is the first release's schema; each later version is a list of statements that turns
the one before into it. A log is upgraded in place when a newer recordskit opens it, in one
transaction; a log written by a newer recordskit than this one is refused and never altered.
"""

from __future__ import annotations

from typing import Literal

from recordskit.errors import UserError

Backend = Literal["sqlite", "postgresql"]

SCHEMA_VERSION = 4
"""The version this release writes."""

_V1 = {
    "sqlite": [
        """CREATE TABLE IF NOT EXISTS requests (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, agency TEXT NOT NULL,
            answers TEXT NOT NULL, folder TEXT NOT NULL DEFAULT '',
            batch_id TEXT NOT NULL DEFAULT '')""",
        """CREATE TABLE IF NOT EXISTS events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            request_id TEXT NOT NULL REFERENCES requests(id), event TEXT NOT NULL,
            on_date TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}',
            recorded_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS events_by_request ON events(request_id, seq)",
    ],
    "postgresql": [
        """CREATE TABLE IF NOT EXISTS requests (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, agency TEXT NOT NULL,
            answers TEXT NOT NULL, folder TEXT NOT NULL DEFAULT '',
            batch_id TEXT NOT NULL DEFAULT '')""",
        """CREATE TABLE IF NOT EXISTS events (
            seq BIGSERIAL PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests(id), event TEXT NOT NULL,
            on_date TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}',
            recorded_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS events_by_request ON events(request_id, seq)",
    ],
}

_V2 = {  # who logged what, and an id per event so that a log can be moved without duplicates
    backend: [
        "ALTER TABLE requests ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE events ADD COLUMN recorded_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE events ADD COLUMN uid TEXT",
        "UPDATE events SET uid = 'v1-' || request_id || '-' || CAST(seq AS TEXT) "
        "WHERE uid IS NULL",
        "CREATE UNIQUE INDEX IF NOT EXISTS events_by_uid ON events(uid)",
    ] for backend in ("sqlite", "postgresql")
}

_V3 = {  # each request's standing kept with it (tracking.standing), and indexes for what
    # status filters by and new/batch look up: a large log is never read whole to answer them
    backend: [
        "ALTER TABLE requests ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE requests ADD COLUMN state TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE requests ADD COLUMN next_step TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE requests ADD COLUMN next_on TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE requests ADD COLUMN next_now INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE requests ADD COLUMN state_since TEXT NOT NULL DEFAULT ''",
        # '': not worked out yet, or cleared by a write; the first reader works it out
        "ALTER TABLE requests ADD COLUMN state_until TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE requests ADD COLUMN state_basis TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE requests ADD COLUMN state_problem TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX IF NOT EXISTS requests_by_folder ON requests(folder)",
        "CREATE INDEX IF NOT EXISTS requests_by_agency ON requests(agency)",
        "CREATE INDEX IF NOT EXISTS requests_by_batch ON requests(batch_id)",
        "CREATE INDEX IF NOT EXISTS requests_by_creator ON requests(created_by)",
        "CREATE INDEX IF NOT EXISTS requests_by_state ON requests(state, next_on)",
        # Each holds every column its question reads, so that the question reads the index
        # alone: at 100,000 requests, reading the rows (each with its answers) took 0.25 s a
        # question. Which standings to work out again:
        "CREATE INDEX IF NOT EXISTS requests_by_until ON requests(state_until, state_since, "
        "state_basis, id)",
        # and status's filter and order:
        "CREATE INDEX IF NOT EXISTS requests_by_standing ON requests(state_problem, state, "
        "next_on, next_now, agency, batch_id, created_by, created_at, id)",
        "CREATE INDEX IF NOT EXISTS events_by_recorder ON events(recorded_by)",
        "CREATE INDEX IF NOT EXISTS events_by_kind ON events(event)",
    ] for backend in ("sqlite", "postgresql")
}

_V4 = {  # a clinic's server (recordskit.clinic): staff, their sessions, families' intakes, audit
    backend: [
        """CREATE TABLE IF NOT EXISTS staff (
            name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
            created_at TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL DEFAULT 1)""",
        # Only a hash of a session's or a link's secret is kept: a copy of the database
        # opens no session and no family's intake
        """CREATE TABLE IF NOT EXISTS staff_sessions (
            token_hash TEXT PRIMARY KEY, staff TEXT NOT NULL REFERENCES staff(name),
            csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
            ended_at TEXT NOT NULL DEFAULT '')""",
        """CREATE TABLE IF NOT EXISTS intakes (
            id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
            language TEXT NOT NULL DEFAULT '', label TEXT NOT NULL DEFAULT '',
            made_by TEXT NOT NULL, made_at TEXT NOT NULL, expires_at TEXT NOT NULL,
            answers TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'open',
            updated_at TEXT NOT NULL, submitted_at TEXT NOT NULL DEFAULT '',
            request_id TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX IF NOT EXISTS intakes_by_status ON intakes(status, made_at)",
        f"""CREATE TABLE IF NOT EXISTS audit (
            seq {"INTEGER PRIMARY KEY AUTOINCREMENT" if backend == "sqlite" else
                 "BIGSERIAL PRIMARY KEY"},
            at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '')""",
    ] for backend in ("sqlite", "postgresql")
}

MIGRATIONS: dict[int, dict[str, list[str]]] = {1: _V1, 2: _V2, 3: _V3, 4: _V4}
"""Version -> the statements, per backend, that bring the version before to it."""


def stored_version(values: list[object], where: str) -> int:
    """The schema version a log stores (``values``: SQLite's ``user_version``, or every row of
    PostgreSQL's ``recordskit_schema`` as text; none: 0, an empty log), or a clear error when
    it is not a whole number from 0: a tampered log is never guessed at, nor changed."""
    found = 0
    for value in values:
        number = _whole(value)
        if number is None:
            text = str(value)
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise UserError(f"{where}: the request log's schema version is {shown!r}; expected a "
                            f"whole number from 0 to {SCHEMA_VERSION}. The log may have been "
                            "changed by hand; it was not changed now. Restore it from a backup")
        found = max(found, number)
    return found


def _whole(value: object) -> int | None:
    """``value`` as a whole number from 0, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def steps(found: int, backend: Backend, where: str) -> list[str]:
    """The statements that bring a log of version ``found`` (0: empty) to this release's."""
    if found < 0:
        stored_version([found], where)  # the error
    if found > SCHEMA_VERSION:
        raise UserError(f"{where}: the request log was written by a newer recordskit (schema "
                        f"{found}; this one knows up to {SCHEMA_VERSION}). Upgrade recordskit; "
                        "the log was not changed")
    return [statement for version in range(found + 1, SCHEMA_VERSION + 1)
            for statement in MIGRATIONS[version][backend]]
