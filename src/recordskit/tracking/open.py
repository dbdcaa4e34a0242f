"""Which request log to use: PostgreSQL when a database URL is given, else the SQLite file."""

from __future__ import annotations

import os
import re
from pathlib import Path

from recordskit.errors import UserError
from recordskit.tracking.log import RequestLog
from recordskit.tracking.sqlite import SqliteLog

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,19}")


def open_log(url: str | None = None, *, folder: Path | None = None) -> RequestLog:
    """The log at ``url`` (or ``RECORDSKIT_DATABASE_URL``), else the SQLite file in ``folder``
    (or ``RECORDSKIT_HOME``, or the user's data folder)."""
    url = url if url is not None else os.environ.get("RECORDSKIT_DATABASE_URL", "")
    if not url.strip():
        return SqliteLog(folder)
    if not url.startswith(("postgresql://", "postgres://")):
        raise UserError(not_postgresql(url))
    try:
        # Only a shared log needs the PostgreSQL driver: the start-up of everyone else's
        # commands does not pay for it, and it is an optional extra.
        from recordskit.tracking.postgres import PostgresLog
    except ImportError:
        raise UserError("the PostgreSQL request log needs its driver: pip install "
                        "'recordskit[postgres]'") from None
    return PostgresLog(url)


def not_postgresql(url: str) -> str:
    """Why ``url`` is not a PostgreSQL URL, showing at most its scheme (``mysql``), never the
    rest: a URL, a JDBC address or a libpq keyword string may each hold a password."""
    scheme, _sep, rest = url.strip().partition(":")
    if _SCHEME.fullmatch(scheme) and (rest.startswith("//") or scheme.lower() == "jdbc"):
        what = f"a database URL starting {scheme + ':'!r}"
    elif "=" in url:
        what = "a list of settings (host=… dbname=…), not a URL,"
    else:
        what = "a database URL that is not a URL"
    return (f"{what} is not a PostgreSQL one (the rest is not shown, since it may hold a "
            "password); expected postgresql://USER@HOST:PORT/DATABASE")
