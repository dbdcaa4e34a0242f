"""What every front end works on: the agency directory, the request log, and today.

A front end (the command line, the web pages) makes one ``Workspace`` from what its user chose
(a directory file, a database) and hands it to the service functions. The directory and the log
are opened on first use, so a command that needs neither opens neither.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from recordskit.errors import UserError
from recordskit.paths import agencies_file
from recordskit.tracking.open import open_log

if TYPE_CHECKING:
    from recordskit.models import Directory
    from recordskit.tracking.log import RequestLog


def today_from_environment() -> date:
    """Today, or ``RECORDSKIT_TODAY`` (YYYY-MM-DD) to see every view as of another day."""
    if value := os.environ.get("RECORDSKIT_TODAY"):
        from recordskit.logged import parse_day

        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise UserError(f"RECORDSKIT_TODAY={value!r} is not a date; expected YYYY-MM-DD"
                            ) from None
        try:  # a day outside the range would move every deadline past what can be counted
            return parse_day(day, "RECORDSKIT_TODAY")
        except UserError as exc:
            raise UserError(f"RECORDSKIT_TODAY={day.isoformat()}: {exc}") from None
    return date.today()


@dataclass
class Workspace:
    """The directory file, the log's address and the day a front end works with."""

    agencies_path: Path | None = None
    """The agency directory to use; None for the one in use (see ``agencies where``)."""
    database_url: str = ""
    """A PostgreSQL log's URL; empty for the SQLite file on this computer."""
    today: date = field(default_factory=today_from_environment)

    @property
    def directory_path(self) -> Path:
        return self.agencies_path or agencies_file()

    @cached_property
    def directory(self) -> Directory:
        # Imported here: the directory's reader and models (YAML, pydantic) are a tenth of a
        # second that a command on an empty log, which reads no directory, does not pay
        from recordskit.directory.load import load_directory

        return load_directory(self.directory_path)

    @cached_property
    def log(self) -> RequestLog:
        return open_log(self.database_url)
