"""Clinic batches: many requests from one spreadsheet, fast, with nothing lost.

Rows are read and checked by ``recordskit.intake.rows``; here the good ones are rendered in
parallel. Each file is written atomically and a row's ``answers.yaml`` is written last, so a
batch killed at any moment and run again finishes what is missing, skips what is complete, and
rewrites a changed row only when told to (``force``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.schedule import new_request_schedule
from recordskit.directory.load import load_directory
from recordskit.documents.exports import split_events, wrap_events
from recordskit.documents.make import REQUIRED_FILES, prepare_request
from recordskit.documents.pdf import to_pdf
from recordskit.documents.render import template
from recordskit.errors import UserError
from recordskit.files import atomic_write, write_folder, write_if_changed
from recordskit.inputfile import parse
from recordskit.intake.answers import answers_yaml, load_answers, request_from
from recordskit.intake.rows import RowProblem, check_rows, read_rows, row_id_of
from recordskit.models import Directory
from recordskit.tracking.log import RequestLog

PARALLEL_FROM = 24
"""Below this many rows, starting worker processes costs more than it saves."""


@dataclass
class RowResult:
    """What happened to one good row."""

    row: int
    row_id: str
    status: str  # produced | rewritten | skipped | changed
    folder: str
    agency: str
    requester: str
    request_id: str
    response_due: str
    duplicate_of: int | None = None


@dataclass
class BatchReport:
    """A whole run: every row's result and every problem, and how long it took."""

    results: list[RowResult]
    problems: list[RowProblem]
    warnings: list[str]
    rows: int = 0
    seconds: float = 0.0
    pdfs: int = 0

    def count(self, *statuses: str) -> int:
        return sum(result.status in statuses for result in self.results)

    @property
    def failed_rows(self) -> int:
        return len({p.row for p in self.problems}) + self.count("changed")

    def summary(self) -> str:
        produced = self.count("produced", "rewritten")
        rate = f", {produced / self.seconds:.0f} letters/s" if produced and self.seconds else ""
        return (f"Produced {produced}, skipped {self.count('skipped')} (already complete), "
                f"failed {self.failed_rows}, in {self.seconds:.1f} s{rate}.")


# --- Producing -----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(agencies: str, templates: str) -> None:
    """Each worker process loads the directory and the template once."""
    _WORKER["directory"] = load_directory(Path(agencies))
    _WORKER["templates"] = Path(templates)
    template("request.docx", Path(templates))


@dataclass(frozen=True)
class RowTask:
    """One good row, as a worker process receives it."""

    row: int
    row_id: str
    answers: dict[str, Any]
    folder: str
    force: bool
    duplicate_of: int | None


def produce_row(task: RowTask) -> RowResult:
    """Write one row's folder, or skip it when it is already complete and unchanged."""
    directory: Directory = _WORKER["directory"]
    folder, answers, force = Path(task.folder), task.answers, task.force
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
    else:
        status = "rewritten" if previous is not None else "produced"
        _remove_leftovers(folder)
        made = prepare_request(request, directory, template_folder=_WORKER["templates"])
        # answers.yaml last: its presence says the folder is complete
        write_folder(folder, made.files, force=True, durable=False)  # answers.yaml last
    agency = directory.agency(request.agency)
    schedule = made.schedule if made else new_request_schedule(
        request, agency, calendar_for(agency, directory))
    person = request.requester
    return RowResult(
        row=task.row, row_id=task.row_id, status=status, folder=str(folder),
        agency=request.agency, requester=person.name or person.organization or person.email or "",
        request_id=request.fingerprint(),
        response_due=schedule.date_of("response_due").isoformat(),
        duplicate_of=task.duplicate_of,
    )


def _remove_leftovers(folder: Path) -> None:
    """Temporary files a killed run left behind (finished files are renamed into place)."""
    if folder.is_dir():
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def make_batch(path: Path, out: Path | None, directory: Directory, *, agencies_path: Path,
               templates_path: Path, force: bool = False, check_only: bool = False,
               workers: int = 0, progress: Callable[[int, int], None] | None = None,
               allow_personal: bool = False, pdf: bool = False,
               log: RequestLog | None = None) -> BatchReport:
    """Check every row, then produce the good ones (unless ``check_only``).

    With ``log``, every produced row is recorded there under the batch's id, when that log
    already exists (a clinic that never tracks requests gets no log file from a batch). With
    ``pdf``, every row's letter and schedule get PDFs after all rows are written.
    """
    started = time.perf_counter()
    rows = read_rows(path)
    good, problems, warnings = check_rows(rows, directory, allow_personal=allow_personal)
    report = BatchReport([], problems, warnings, rows=len(rows))
    if check_only or out is None:
        report.seconds = time.perf_counter() - started
        return report
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create the output folder: {exc.strerror}") from None
    tasks = [RowTask(checked.row.number, row_id_of(checked.row), checked.answers,
                     str(out / checked.folder), force, checked.duplicate_of)
             for checked in good]
    report.results = _produce_all(tasks, agencies_path, templates_path, workers, progress)
    report.results.sort(key=lambda result: result.row)
    for result in report.results:
        if result.status == "changed":
            report.problems.append(RowProblem(
                result.row, "", f"changed since {result.folder} was made; nothing was "
                "rewritten. Run again allowing changed rows to be replaced"))
    report.problems.sort(key=lambda problem: problem.row)
    _write_summaries(out, report)
    if hasattr(os, "sync"):
        os.sync()  # the rows were written without a flush each; make them durable together
    report.seconds = time.perf_counter() - started
    if log is not None:
        _record_in_log(report, log, batch_id(path), directory)
    if pdf:
        report.pdfs = _add_pdfs(report)
    return report


def _produce_all(tasks: list[RowTask], agencies_path: Path, templates_path: Path, workers: int,
                 progress: Callable[[int, int], None] | None) -> list[RowResult]:
    workers = workers or os.cpu_count() or 1
    results: list[RowResult] = []
    if workers == 1 or len(tasks) < PARALLEL_FROM:
        _start_worker(str(agencies_path), str(templates_path))
        for task in tasks:
            results.append(produce_row(task))
            if progress:
                progress(len(results), len(tasks))
        return results
    context = multiprocessing.get_context("spawn")  # safe everywhere; no inherited state
    chunk = max(1, min(25, len(tasks) // (workers * 4)))
    with context.Pool(workers, initializer=_start_worker,
                      initargs=(str(agencies_path), str(templates_path))) as pool:
        try:
            for result in pool.imap_unordered(produce_row, tasks, chunksize=chunk):
                results.append(result)
                if progress:
                    progress(len(results), len(tasks))
        except BaseException:
            pool.terminate()
            raise
    return results


def _write_summaries(out: Path, report: BatchReport) -> None:
    """manifest.csv, calendar.ics and errors.csv, each written only when its content changed."""
    done = [r for r in report.results if r.status != "changed"]
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\r\n")
    writer.writerow(("row", "row_id", "agency", "requester", "folder", "response_due",
                     "request_id", "duplicate_of"))
    for r in done:
        writer.writerow((r.row, r.row_id, r.agency, r.requester, Path(r.folder).name,
                         r.response_due, r.request_id, r.duplicate_of or ""))
    errors = io.StringIO()
    writer = csv.writer(errors, lineterminator="\r\n")
    writer.writerow(("row", "column", "problem"))
    for problem in report.problems:
        writer.writerow((problem.row, problem.column, problem.message))
    write_if_changed(out / "manifest.csv", [manifest.getvalue().encode("utf-8")])
    write_if_changed(out / "errors.csv", [errors.getvalue().encode("utf-8")])
    # Every row's events in one calendar, streamed from the rows' own schedule.ics files: the
    # same UIDs, so importing both never duplicates anything, and no memory for 10,000 rows.
    head, tail = wrap_events(b"", name="Batch deadlines").split(b"END:VCALENDAR")
    write_if_changed(out / "calendar.ics", (
        head, *(split_events((Path(r.folder) / "schedule.ics").read_bytes()) for r in done),
        b"END:VCALENDAR" + tail))


def _add_pdfs(report: BatchReport, *, chunk: int = 40) -> int:
    """PDFs of every row's letter and schedule that lacks them (LibreOffice, a chunk per call)."""
    fresh = {Path(r.folder) for r in report.results if r.status in ("produced", "rewritten")}
    folders = [Path(r.folder) for r in report.results if r.status != "changed"]
    todo = [f for f in folders if f in fresh or not (f / "letter.pdf").exists()
            or not (f / "schedule.pdf").exists()]
    made = 0
    for start in range(0, len(todo), chunk):
        group = todo[start:start + chunk]
        documents = {f"{i}-{name}": (folder / name).read_bytes()
                     for i, folder in enumerate(group)
                     for name in ("letter.docx", "schedule.docx")}
        for name, data in to_pdf(documents).items():
            index, _, real = name.partition("-")
            atomic_write(group[int(index)] / real, data)
            made += 1
    return made


def _record_in_log(report: BatchReport, log: RequestLog, batch: str, directory: Directory
                   ) -> int:
    """When the request log exists, add every produced row to it under the batch's id."""
    if not log.exists():
        return 0
    recorded = 0
    for result in report.results:
        if result.status != "changed":
            folder = Path(result.folder)
            request = load_answers(folder / "answers.yaml", directory)
            recorded += log.record_request(result.request_id, request,
                                           folder=folder.resolve(), batch_id=batch)
    return recorded


def batch_id(path: Path) -> str:
    """The same input file always has the same batch id."""
    return "batch-" + hashlib.sha256(path.read_bytes()).hexdigest()[:8]


