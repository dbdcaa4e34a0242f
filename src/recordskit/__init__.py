"""recordskit: Massachusetts public records requests to Boston agencies, and their deadlines.

The command line (``recordskit``) is a thin skin over these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recordskit.answers import load_answers
    from recordskit.directory import load_directory
    from recordskit.generate import make_request, prepare_request

__all__ = ["load_answers", "load_directory", "make_request", "prepare_request"]

_LAZY = {
    "load_answers": "recordskit.answers",
    "load_directory": "recordskit.directory",
    "make_request": "recordskit.generate",
    "prepare_request": "recordskit.generate",
}


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `recordskit --help` does not load docxtpl or holidays.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'recordskit' has no attribute {name!r}")
