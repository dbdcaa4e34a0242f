"""What a batch row's folder already holds: the same request, complete, or not.

Light on purpose (no renderer): the main process of a batch asks it first, so a re-run whose
rows are all complete and unchanged starts no worker process at all; the workers ask it again
for the rows they are given, so both decide the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from recordskit.deadlines.schedule import request_schedule
from recordskit.documents.batch.report import REQUEST_FOLDER_FILES, RowResult, RowTask
from recordskit.errors import InputFileError, Problem
from recordskit.files import LimitError, not_regular, read_limited, refuse_link
from recordskit.inputfile import parse
from recordskit.intake.answers import answers_yaml, request_from
from recordskit.limits import LIMITS
from recordskit.models import Directory, Request
from recordskit.vocabulary import BatchStatus


@dataclass(frozen=True)
class FolderState:
    """The row's request, and how it compares with what its folder holds."""

    request: Request
    previous: bytes | None
    """The folder's ``answers.yaml``, if it has one."""
    text: bytes
    """The row's ``answers.yaml`` (empty for a new folder: there is nothing to compare)."""
    complete: bool
    """Every file a request folder holds is there and not empty."""

    @property
    def unchanged(self) -> bool:
        return self.previous == self.text and self.complete

    @property
    def changed(self) -> bool:
        return self.previous is not None and self.previous != self.text


def folder_state(task: RowTask, directory: Directory, checked: Request | None = None
                 ) -> FolderState:
    """Compare a row with its folder. A blank ``sent_on`` meant "today" on the day the row was
    first made: that day is kept from the folder's answers. ``checked`` is the row's request
    as already checked, used when the row gives its own ``sent_on``."""
    folder, answers = Path(task.folder), task.answers
    refuse_link(folder)
    existing = folder / "answers.yaml"
    previous = _own_file(existing)
    if previous is not None and "sent_on" not in answers:
        earlier, _ = parse(previous.decode("utf-8"), existing)
        if isinstance(earlier, dict) and earlier.get("sent_on"):
            answers = {**answers, "sent_on": str(earlier["sent_on"])}
            checked = None
    request = checked if checked is not None else request_from(answers, directory)
    if previous is None:  # a new folder: nothing to compare with
        return FolderState(request, None, b"", False)
    complete = all((folder / name).exists() and (folder / name).stat().st_size > 0
                   for name in REQUEST_FOLDER_FILES)
    return FolderState(request, previous, answers_yaml(request).encode("utf-8"), complete)


def row_result(task: RowTask, status: BatchStatus, request: Request, directory: Directory, *,
               first_due: Any = None, request_id: str = "") -> RowResult:
    """The manifest's line for a row: its request and its first date (the response date, or
    the school's access date). ``first_due`` and ``request_id``, when the caller has them
    already, are not worked out again."""
    due = first_due or _first_date(request, directory)
    person = request.requester
    return RowResult(
        row=task.row, row_id=task.row_id, status=status, folder=task.folder,
        agency=request.agency, requester=person.name or person.organization or person.email or "",
        request_id=request_id or request.fingerprint(), response_due=due.isoformat(),
        duplicate_of=task.duplicate_of, answers=request.stored())


_FIRST_DATES: dict[tuple[Any, ...], date] = {}


def _first_date(request: Request, directory: Directory) -> date:
    """A request's first date depends only on its agency, kind, way of sending and sending
    day, which the rows of a batch mostly share: each is counted once per process."""
    key = (id(directory), request.agency, request.request_type, request.delivery,
           request.sent_on, request.non_custodial)
    if key not in _FIRST_DATES:
        _FIRST_DATES[key] = request_schedule(request, directory).deadlines[1].date
    return _FIRST_DATES[key]


def _own_file(path: Path) -> bytes | None:
    """A file the batch wrote in a row's folder (``answers.yaml``), or None when there is none:
    read as a regular file, never through a link, within the limit of an answers file."""
    if not os.path.lexists(path):
        return None
    limit = LIMITS["input_bytes"]
    try:
        return read_limited(path, limit, follow=False)
    except OSError as exc:
        raise InputFileError(path, [Problem("", not_regular(path, exc))]) from None
    except LimitError:
        raise InputFileError(path, [Problem("", limit.exceeded("the file", "it is larger"))]
                             ) from None
