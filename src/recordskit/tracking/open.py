"""Which request log to use: PostgreSQL when a database URL is given, else the SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

from recordskit.errors import UserError
from recordskit.tracking.log import RequestLog
from recordskit.tracking.sqlite import SqliteLog


def open_log(url: str | None = None, *, folder: Path | None = None) -> RequestLog:
    """The log at ``url`` (or ``RECORDSKIT_DATABASE_URL``), else the SQLite file in ``folder``
    (or ``RECORDSKIT_HOME``, or the user's data folder)."""
    url = url if url is not None else os.environ.get("RECORDSKIT_DATABASE_URL", "")
    if not url.strip():
        return SqliteLog(folder)
    if not url.startswith(("postgresql://", "postgres://")):
        raise UserError(f"database URL {url.split('@')[-1]!r} is not a PostgreSQL one; expected "
                        "postgresql://USER@HOST/DATABASE")
    try:
        # Only a shared log needs the PostgreSQL driver: the start-up of everyone else's
        # commands does not pay for it, and it is an optional extra.
        from recordskit.tracking.postgres import PostgresLog
    except ImportError:
        raise UserError("the PostgreSQL request log needs its driver: pip install "
                        "'recordskit[postgres]'") from None
    return PostgresLog(url)
