"""recordskit: Massachusetts public records requests to Boston agencies, and their deadlines.

The command line (``recordskit``) is a thin skin over these functions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recordskit.directory.load import load_directory
    from recordskit.documents.batch.run import make_batch
    from recordskit.documents.make import (
        make_appeal,
        make_followup,
        make_request,
        prepare_request,
    )
    from recordskit.errors import RecordskitError, UserError
    from recordskit.intake.answers import load_answers
    from recordskit.tracking.log import RequestLog
    from recordskit.tracking.open import open_log

__all__ = ["RecordskitError", "RequestLog", "UserError", "load_answers", "load_directory",
           "make_appeal", "make_batch", "make_followup", "make_request", "open_log",
           "prepare_request"]

_LAZY = {
    "RecordskitError": "recordskit.errors",
    "UserError": "recordskit.errors",
    "RequestLog": "recordskit.tracking.log",
    "open_log": "recordskit.tracking.open",
    "load_answers": "recordskit.intake.answers",
    "load_directory": "recordskit.directory.load",
    "make_request": "recordskit.documents.make",
    "prepare_request": "recordskit.documents.make",
    "make_followup": "recordskit.documents.make",
    "make_appeal": "recordskit.documents.make",
    "make_batch": "recordskit.documents.batch.run",
}


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `recordskit --help` does not load docxtpl or holidays.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'recordskit' has no attribute {name!r}")
