"""One batch row, rendered in a worker process: its folder written, or skipped when complete.

Kept apart from ``recordskit.documents.batch`` so that only the processes that render load the
renderer's libraries (docxtpl, lxml, python-docx): a re-run that renders nothing stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recordskit.directory.load import load_directory
from recordskit.documents.batch_report import RowResult, RowTask
from recordskit.documents.make import REQUIRED_FILES, prepare_request, request_schedule
from recordskit.documents.render import template
from recordskit.errors import RecordskitError
from recordskit.files import leftover_temporaries, refuse_link, write_folder
from recordskit.inputfile import parse
from recordskit.intake.answers import answers_yaml, request_from
from recordskit.models import Directory

_WORKER: dict[str, Any] = {}


def start_worker(agencies: str, templates: str) -> None:
    """Each worker process loads the directory and the template once."""
    _WORKER["directory"] = load_directory(Path(agencies))
    _WORKER["templates"] = Path(templates)
    template("request.docx", Path(templates))


def produce_row(task: RowTask) -> RowResult:
    """Write one row's folder, or skip it when it is already complete and unchanged.

    A row that fails here (a full disk, a folder that is a link, a bug) is reported as failed,
    with the reason, and never stops the other rows.
    """
    try:
        return _produce(task)
    except RecordskitError as exc:
        problem = str(exc)
    except OSError as exc:
        problem = f"cannot write its files: {exc.strerror or exc}"
    except Exception as exc:  # a worker's boundary: one row, never the whole batch
        problem = f"recordskit failed on this row ({type(exc).__name__}: {exc}); please report it"
    return RowResult(row=task.row, row_id=task.row_id, status="failed", folder=task.folder,
                     agency=str(task.answers.get("agency", "")), requester="", request_id="",
                     response_due="", duplicate_of=task.duplicate_of, problem=problem)


def _produce(task: RowTask) -> RowResult:
    directory: Directory = _WORKER["directory"]
    folder, answers, force = Path(task.folder), task.answers, task.force
    refuse_link(folder)
    existing = folder / "answers.yaml"
    previous = existing.read_bytes() if existing.exists() else None
    if previous is not None and "sent_on" not in answers:
        # A blank sent_on meant "today" on the day the row was made; keep that day.
        earlier, _ = parse(previous.decode("utf-8"), existing)
        if isinstance(earlier, dict) and earlier.get("sent_on"):
            answers = {**answers, "sent_on": str(earlier["sent_on"])}
    request = request_from(answers, directory)
    text = answers_yaml(request).encode("utf-8")
    complete = previous is not None and all(
        (folder / n).exists() and (folder / n).stat().st_size > 0 for n in REQUIRED_FILES)
    if previous == text and complete:
        status = "skipped"
        made = None
    elif previous is not None and previous != text and not force:
        status = "changed"
        made = None
        # The folder still holds the earlier request: the manifest and calendar describe it.
        earlier_data, _ = parse(previous.decode("utf-8"), existing)
        request = request_from(earlier_data, directory, file=existing)
    else:
        status = "rewritten" if previous is not None else "produced"
        _remove_leftovers(folder)
        made = prepare_request(request, directory, template_folder=_WORKER["templates"])
        # answers.yaml last: its presence says the folder is complete
        write_folder(folder, made.files, force=True, durable=False)  # answers.yaml last
    schedule = made.schedule if made else request_schedule(request, directory)
    first = schedule.deadlines[1]  # the response date, or the school's access date
    person = request.requester
    return RowResult(
        row=task.row, row_id=task.row_id, status=status, folder=str(folder),
        agency=request.agency, requester=person.name or person.organization or person.email or "",
        request_id=request.fingerprint(),
        response_due=first.date.isoformat(),
        duplicate_of=task.duplicate_of,
        answers=request.model_dump_json(),
    )


def _remove_leftovers(folder: Path) -> None:
    """Temporary files a killed run left behind (finished files are renamed into place); a
    running batch's own are left alone, so two batches in one folder never undo each other."""
    if folder.is_dir():
        for leftover in leftover_temporaries(folder):
            leftover.unlink(missing_ok=True)
