"""One batch row, rendered in a worker process: its folder written, or skipped when complete.

Kept apart from ``recordskit.documents.batch.run`` so that only the processes that render load the
renderer's libraries (docxtpl, lxml, python-docx): a re-run that renders nothing stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recordskit.documents.batch.report import RowResult, RowTask
from recordskit.documents.batch.state import folder_state, row_result
from recordskit.documents.make import prepare_request
from recordskit.documents.rendering.render import template
from recordskit.errors import RecordskitError, TemplateError, UserError
from recordskit.files import leftover_temporaries, write_folder
from recordskit.inputfile import parse
from recordskit.intake.answers import request_from
from recordskit.models import Directory
from recordskit.vocabulary import BatchStatus

_WORKER: dict[str, Any] = {}


def start_worker(directory: Directory, templates: str) -> None:
    """Each worker process keeps the directory the batch checked its rows against (a forked
    worker shares it, a spawned one is sent a copy), and loads the templates every row uses,
    once.

    What stops that (a letter template that is not a Word file) is kept, and raised by the
    worker's first row, which ends the batch with its message. Raised here, it would end the
    worker process instead, and the batch would learn only that a worker had stopped, not why
    (with a pool of ``multiprocessing``, it waited for ever while the pool started the worker
    again and again).
    """
    _WORKER.pop("cannot_start", None)
    _WORKER["directory"] = directory
    try:
        _WORKER["templates"] = Path(templates)
        for name in ("request.docx", "summary.docx", "schedule.docx"):  # a request row's three
            template(name, Path(templates))
    except TemplateError as exc:
        _WORKER["cannot_start"] = TemplateError(str(exc))
    except RecordskitError as exc:
        _WORKER["cannot_start"] = UserError(str(exc))  # rebuilt from its message in the batch
    except Exception as exc:  # a worker's boundary, as for a row
        _WORKER["cannot_start"] = UserError(
            f"recordskit failed while loading the templates ({type(exc).__name__}: {exc}); "
            "please report it")


def produce_row(task: RowTask) -> RowResult:
    """Write one row's folder, or skip it when it is already complete and unchanged.

    A row that fails here (a full disk, a folder that is a link, a bug) is reported as failed,
    with the reason, and never stops the other rows. A worker that could not start raises
    what stopped it instead: that is no row's fault, and every row would fail the same way.
    """
    if (cannot_start := _WORKER.get("cannot_start")) is not None:
        raise cannot_start
    try:
        return _produce(task)
    except RecordskitError as exc:
        problem = str(exc)
    except OSError as exc:
        problem = f"cannot write its files: {exc.strerror or exc}"
    except Exception as exc:  # a worker's boundary: one row, never the whole batch
        problem = f"recordskit failed on this row ({type(exc).__name__}: {exc}); please report it"
    return RowResult(row=task.row, row_id=task.row_id, status=BatchStatus.FAILED,
                     folder=task.folder,
                     agency=str(task.answers.get("agency", "")), requester="", request_id="",
                     response_due="", duplicate_of=task.duplicate_of, problem=problem)


def _produce(task: RowTask) -> RowResult:
    directory: Directory = _WORKER["directory"]
    folder = Path(task.folder)
    state = folder_state(task, directory, task.request)
    if state.unchanged:
        return row_result(task, BatchStatus.SKIPPED, state.request, directory)
    if state.changed and not task.force:
        # The folder still holds the earlier request: the manifest and calendar describe it.
        existing = folder / "answers.yaml"
        earlier, _ = parse((state.previous or b"").decode("utf-8"), existing)
        return row_result(task, BatchStatus.CHANGED,
                          request_from(earlier, directory, file=existing), directory)
    _remove_leftovers(folder)
    # The family's files are in its language, the request's own
    made = prepare_request(state.request, directory, template_folder=_WORKER["templates"])
    write_folder(folder, made.files, force=True, durable=False)  # answers.yaml last
    return row_result(task, BatchStatus.REWRITTEN if state.previous is not None
                      else BatchStatus.PRODUCED,
                      state.request, directory, first_due=made.schedule.deadlines[1].date,
                      request_id=made.request_id)


def _remove_leftovers(folder: Path) -> None:
    """Temporary files a killed run left behind (finished files are renamed into place); a
    running batch's own are left alone, so two batches in one folder never undo each other."""
    if folder.is_dir():
        for leftover in leftover_temporaries(folder):
            leftover.unlink(missing_ok=True)
