"""Clinic batches: many requests from one spreadsheet, fast, with nothing lost.

Rows are read and checked by ``recordskit.intake.rows``; here the good ones are rendered in
parallel. Each file is written atomically and a row's ``answers.yaml`` is written last, so a
batch killed at any moment and run again finishes what is missing, skips what is complete, and
rewrites a changed row only when told to (``force``).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date
from pathlib import Path

from recordskit.documents.batch.report import BatchReport, RowResult, RowTask
from recordskit.documents.batch.state import folder_state, row_result
from recordskit.documents.exports import split_events, wrap_events
from recordskit.documents.rendering.pdf import pdfs_beside
from recordskit.errors import RecordskitError, UserError
from recordskit.files import (
    LimitError,
    not_regular,
    read_limited,
    write_if_changed,
)
from recordskit.intake.answers import load_answers
from recordskit.intake.rows import (
    Row,
    RowChecker,
    RowProblem,
    check_rows,
    read_rows,
    row_id_of,
)
from recordskit.limits import LIMITS
from recordskit.models import Directory
from recordskit.text import csv_document
from recordskit.tracking.log import (
    EventRow,
    RequestLog,
    RequestRow,
    current_user,
    now,
    replaced_event,
    usable_before_writing,
)
from recordskit.vocabulary import BatchStatus

PARALLEL_FROM = 24
"""Below this many rows, starting worker processes costs more than it saves."""


def make_batch(path: Path, out: Path | None, directory: Directory, *, templates_path: Path,
               force: bool = False, check_only: bool = False, workers: int = 0,
               progress: Callable[[int, int], None] | None = None,
               allow_personal: bool = False, pdf: bool = False,
               log: RequestLog | None = None, past: bool = False, today: date | None = None,
               by: str | None = None, move: bool = False) -> BatchReport:
    """Check every row and produce the good ones (unless ``check_only``); a first run produces
    rows while the later ones are still being checked.

    A row to be produced whose ``sent_on`` was due an answer before ``today`` is a problem of
    its row unless ``past`` says the rows really went then (as ``make_request`` refuses such a
    day); a row produced before and unchanged keeps its day.

    With ``log``, every produced row is recorded there under the batch's id (the log is made
    if it is not there yet, as ``new`` makes it), by ``by`` (default: ``RECORDSKIT_USER`` or
    the login name). A row whose request the log already holds for another folder is a problem
    of its row unless ``move`` says to move it here. With ``pdf``, every row's letter and
    schedule get PDFs after all rows are written.
    """
    with _kept_when_interrupted(not check_only and out is not None):
        started = time.perf_counter()
        workers = workers or os.cpu_count() or 1
        rows = read_rows(path)
        row_ids = {row.number: row_id_of(row) for row in rows}
        if check_only or out is None:
            _, problems, warnings = check_rows(rows, directory, allow_personal=allow_personal,
                                               past=past, today=today)
            report = BatchReport([], problems, warnings, rows=len(rows), row_ids=row_ids)
            report.seconds = time.perf_counter() - started
            return report
        usable_before_writing(out, log)  # before any row's files: none would be tracked
        checker = RowChecker(directory, allow_personal=allow_personal, past=past, today=today)
        elsewhere = {} if log is None or move or not log.exists() else _logged_folders(log)
        first_run = not (out / "manifest.csv").exists()
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"{out}: cannot create the output folder: {exc.strerror}") from None
        with contextlib.ExitStack() as stack:
            # A first run starts its workers as soon as its first chunk of rows is checked, and
            # gives them rows as soon as they are checked (in chunks), so that they begin while
            # the later rows are checked; a re-run starts them only once it knows something is
            # left to render. (Forked after the first chunk's check, the workers start with what
            # checking loads on first use, such as the holidays of the rows' calendar, instead of
            # each loading it again; they had nothing to render before that chunk anyway.)
            start = (functools.partial(_start_pool, stack, workers, directory, templates_path)
                     if first_run and len(rows) >= PARALLEL_FROM else None)
            chunk = _chunk_size(len(rows), workers)
            done, pending, sent, pool = _check_and_send(rows, checker, out, force, directory,
                                                        start=start, chunk=chunk,
                                                        elsewhere=elsewhere)
            report = BatchReport([], checker.problems, checker.warnings, rows=len(rows),
                                 row_ids=row_ids)
            of = len(done) + len(pending)
            if progress and done:
                progress(len(done), of)
            counted = (None if progress is None else
                       lambda made, _of: progress(len(done) + made, of))
            report.results = done + _produce_all(pending, directory, templates_path, workers,
                                                 counted, stack=stack, pool=pool, sent=sent,
                                                 chunk=chunk)
        report.results.sort(key=lambda result: result.row)
        if log is not None and log.exists():
            report.results = _as_logged(report.results, log)
        for result in report.results:
            if result.status == BatchStatus.CHANGED:
                report.problems.append(RowProblem(
                    result.row, "", f"changed since {result.folder} was made; nothing was "
                    "rewritten. Run again allowing changed rows to be replaced"))
            elif result.status == BatchStatus.FAILED:
                report.problems.append(RowProblem(result.row, "", result.problem))
        report.problems.sort(key=lambda problem: problem.row)
        _write_summaries(out, report)
        if hasattr(os, "sync"):
            os.sync()  # the rows were written without a flush each; make them durable together
        report.seconds = time.perf_counter() - started
        if log is not None:
            report.batch_id = batch_id(path)
            report.logged = _record_in_log(report, log, report.batch_id, directory, by=by)
            report.log_location = log.location
        if pdf:
            report.pdfs = _add_pdfs(report)
        return report


@contextlib.contextmanager
def _kept_when_interrupted(producing: bool) -> Iterator[None]:
    """Ctrl-C stops a batch wherever it is; the message then says what a person needs to know:
    what was made is kept, and a second run finishes the rest (the command line prints it)."""
    try:
        yield
    except KeyboardInterrupt as stopped:
        if producing:
            stopped.add_note("The rows already made are kept, every file whole; run the batch "
                             "again to finish the rest.")
        raise



def _start_pool(stack: contextlib.ExitStack[bool | None], workers: int, directory: Directory,
                templates_path: Path) -> ProcessPoolExecutor | None:
    """Worker processes that each keep the directory and load the templates, started now and ended
    with ``stack``; None when one process renders (``workers`` 1, or one core).

    A process pool of ``concurrent.futures``, not ``multiprocessing.Pool``: when a worker dies
    (killed, or out of memory) it says so, where ``multiprocessing.Pool`` starts another and
    waits for ever for the rows the dead one had.
    """
    if workers == 1:
        return None
    method = _start_method()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start_pool_worker,
                               initargs=(directory, str(templates_path)))
    # Leaving the stack ends the pool: the rows not yet begun are dropped (after an error), the
    # few being rendered are finished, and no worker outlives the batch.
    stack.callback(pool.shutdown, wait=True, cancel_futures=True)
    # Python's own advice for forking: the objects made so far are set aside from garbage
    # collection while the workers are forked, so that a collection in a worker does not write
    # to every one of them and copy the memory it shares with this process (the batch took about
    # 5% longer). They are collected here again once the workers exist. (Not when a program
    # using the library has set objects aside itself: those stay as it left them.)
    freeze = method == "fork" and gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        pool.submit(int)  # the workers start with the first task: this one starts them now
    finally:
        if freeze:
            gc.unfreeze()
    _flush_meanwhile(stack)
    return pool


_FLUSH_EVERY = 0.25
"""Seconds between two flushes to disk while the workers write."""


def _flush_meanwhile(stack: contextlib.ExitStack[bool | None]) -> None:
    """Flush what the workers have written to disk every ``_FLUSH_EVERY`` seconds while they
    write the rest, until ``stack`` is left.

    The batch flushes everything once at its end (``os.sync``), and only then logs its rows;
    with nothing flushed before, that one flush wrote every row (about 0.15 s for 1,000 rows, a
    tenth of their time, on the project's machine). Flushed meanwhile, from a thread of this
    process (which mostly waits for the workers' rows then, and lets others run while the disk
    works), the last flush finds little left. This changes only when the data reaches the disk:
    nothing is logged before the last flush, as before. Started once the workers exist: a
    thread here would have them spawned, not forked.
    """
    if not hasattr(os, "sync"):
        return
    stop = threading.Event()

    def flush() -> None:
        while not stop.wait(_FLUSH_EVERY):
            os.sync()

    flusher = threading.Thread(target=flush, name="recordskit-flush", daemon=True)
    flusher.start()
    stack.callback(flusher.join)
    stack.callback(stop.set)


def _start_method() -> str:
    """``fork`` where it is safe, else ``spawn``.

    A forked worker starts with this process's modules already imported, about a fifth of a
    second less per worker than a spawned one, which imports them all again. Forking is safe
    only from a process with one thread (a lock another thread held would stay held in the
    child forever), and only where the system forks (not Windows; macOS's libraries refuse it).
    """
    if (sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1):
        return "fork"
    return "spawn"


def _check_and_send(rows: list[Row], checker: RowChecker, out: Path, force: bool,
                    directory: Directory, *,
                    start: Callable[[], ProcessPoolExecutor | None] | None, chunk: int,
                    elsewhere: dict[str, str]
                    ) -> tuple[list[RowResult], list[RowTask], list[Future[list[RowResult]]],
                               ProcessPoolExecutor | None]:
    """Check the rows in order: the good ones already complete and unchanged are settled here,
    without the renderer (a re-run whose rows are all done starts no worker at all); the others
    are left to render, and, when ``start`` is given, given to the pool it starts once the
    first ``chunk`` of them is checked, ``chunk`` at a time as soon as they are checked. The
    rows settled, the rows to render, the chunks sent, and the pool (None when none started).

    ``elsewhere`` maps the requests the log holds open to their folders: a row that would make
    one of them again in another folder is refused, since its files, log entry and reminders
    would move silently."""
    done: list[RowResult] = []
    pending: list[RowTask] = []
    sent: list[Future[list[RowResult]]] = []
    pool: ProcessPoolExecutor | None = None
    for row in rows:
        checked = checker.check(row)
        if checked is None:
            continue
        task = RowTask(row.number, row_id_of(row), checked.answers, str(out / checked.folder),
                       force, checked.duplicate_of, checked.request)
        try:
            state = folder_state(task, directory, checked.request)
        except (RecordskitError, OSError):  # a worker meets it again and reports the row
            state = None
        if state is not None and state.unchanged:
            done.append(row_result(task, BatchStatus.SKIPPED, state.request, directory))
            continue
        if checker.passed(checked):
            continue
        # The request's id and the folder's real path only when the log holds open requests
        # at all (not on a first batch into a new log): together they were a fifth of the
        # checking of a row, which this process does while the workers render.
        request_id = checked.request.fingerprint() if elsewhere else ""
        logged = elsewhere.get(request_id)
        if logged is not None and logged != os.path.realpath(task.folder):
            checker.problems.append(RowProblem(
                row.number, "", f"is request {request_id}, already logged for the folder "
                f"{logged}; run the batch there, or allow moving logged requests to move it "
                "here", "logged_elsewhere"))
            continue
        pending.append(task)
        if start is not None and len(pending) == (len(sent) + 1) * chunk:
            if pool is None:
                pool = start()
                if pool is None:  # one process renders them all, afterwards
                    start = None
                    continue
            sent.append(_submit(pool, pending[-chunk:]))
    return done, pending, sent, pool


def _chunk_size(rows: int, workers: int) -> int:
    """Rows sent to a worker at a time: enough that messages are few, few enough that the
    workers finish close together."""
    return max(1, min(25, rows // (workers * 4)))


def _produce_all(tasks: list[RowTask], directory: Directory, templates_path: Path, workers: int,
                 progress: Callable[[int, int], None] | None, *,
                 stack: contextlib.ExitStack[bool | None], pool: ProcessPoolExecutor | None,
                 sent: list[Future[list[RowResult]]], chunk: int) -> list[RowResult]:
    """Render ``tasks``; the first ``len(sent) * chunk`` of them were sent to ``pool`` already,
    in ``sent``."""
    if not tasks:
        return []  # nothing to render: the renderer is never loaded
    results: list[RowResult] = []
    if pool is None and len(tasks) >= PARALLEL_FROM:
        pool = _start_pool(stack, workers, directory, templates_path)
        chunk = _chunk_size(len(tasks), workers)
    if pool is None:
        _start_worker(directory, str(templates_path))
        for task in tasks:
            results.append(_produce_row(task))
            if progress:
                progress(len(results), len(tasks))
        return results
    chunks = sent + [_submit(pool, tasks[start:start + chunk])
                     for start in range(len(sent) * chunk, len(tasks), chunk)]
    try:
        for done in as_completed(chunks):
            results += done.result()
            if progress:
                progress(len(results), len(tasks))
    except BrokenProcessPool:
        raise _stopped(len(results), len(tasks)) from None
    return results


def _submit(pool: ProcessPoolExecutor, tasks: list[RowTask]) -> Future[list[RowResult]]:
    try:
        return pool.submit(_produce_rows, tasks)
    except BrokenProcessPool:  # a worker stopped before every row was sent
        raise _stopped(None, 0) from None


def _stopped(made: int | None, of: int) -> UserError:
    when = "before every row was sent to it" if made is None else f"after {made} of {of} rows"
    return UserError(
        f"a process rendering the letters stopped unexpectedly (it was killed, or ran out "
        f"of memory) {when}. Every file written is whole and kept: run the batch again to "
        "finish the rest")


# The two below run where rows are rendered (a worker, or this process for a small batch). They
# import the renderer there, and only there: the main process of a parallel run never loads it.


def _start_worker(directory: Directory, templates: str) -> None:
    from recordskit.documents.batch.worker import start_worker

    start_worker(directory, templates)


def _start_pool_worker(directory: Directory, templates: str) -> None:
    # Ctrl-C reaches every process of the terminal's group. Only the batch's own process acts
    # on it: it drops the rows not yet begun and lets the workers finish the few they are
    # writing, so a worker stopped mid-row never prints its traceback over the message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _start_worker(directory, templates)


def _produce_row(task: RowTask) -> RowResult:
    from recordskit.documents.batch.worker import produce_row

    return produce_row(task)


def _produce_rows(tasks: list[RowTask]) -> list[RowResult]:
    """A worker's share of rows, sent and answered together: one message each way."""
    return [_produce_row(task) for task in tasks]


def _write_summaries(out: Path, report: BatchReport) -> None:
    """manifest.csv, calendar.ics and errors.csv, each written only when its content changed."""
    # A changed row's folder still holds its earlier letter: listed, with its own dates.
    done = [r for r in report.results if r.status != BatchStatus.FAILED]
    manifest = csv_document(
        ("row", "row_id", "agency", "requester", "folder", "response_due", "request_id",
         "duplicate_of"),
        ((r.row, r.row_id, r.agency, r.requester, os.path.basename(r.folder),  # noqa: PTH119
          r.response_due, r.request_id, r.duplicate_of or "") for r in done))
    row_ids = {r.row: r.row_id for r in report.results} | report.row_ids
    errors = csv_document(("row", "row_id", "column", "problem"),
                          ((p.row, row_ids.get(p.row, ""), p.column, p.message)
                           for p in report.problems))
    # Not flushed one by one: the batch flushes everything to disk once, right after these.
    write_if_changed(out / "manifest.csv", manifest.encode("utf-8"), durable=False)
    write_if_changed(out / "errors.csv", errors.encode("utf-8"), durable=False)
    # Every row's events in one calendar, streamed from the rows' own schedule.ics files: the
    # same UIDs, so importing both never duplicates anything, and no memory for 10,000 rows
    # (a generator, read as it is written). Paths as strings: a Path a row took longer to make
    # than reading its file.
    head, tail = wrap_events(b"", name="Batch deadlines").split(b"END:VCALENDAR")
    write_if_changed(out / "calendar.ics", itertools.chain(
        (head,), (split_events(_schedule_ics(r.folder)) for r in done),
        (b"END:VCALENDAR" + tail,)), durable=False)


def _schedule_ics(folder: str) -> bytes:
    """A row's calendar, as the batch wrote it: a regular file, never through a link."""
    path = Path(os.path.join(folder, "schedule.ics"))  # noqa: PTH118
    try:
        return read_limited(path, LIMITS["input_bytes"], follow=False)
    except OSError as exc:
        raise UserError(f"{path}: {not_regular(path, exc)}") from None
    except LimitError as exc:
        raise UserError(str(exc)) from None


def _add_pdfs(report: BatchReport, *, chunk: int = 40) -> int:
    """PDFs of every row's letter and schedule that lacks them, after their DOCX (the one way
    ``new`` makes its PDFs too: ``pdfs_beside``)."""
    fresh = {Path(r.folder) for r in report.results
             if r.status in (BatchStatus.PRODUCED, BatchStatus.REWRITTEN)}
    folders = [Path(r.folder) for r in report.results
               if r.status not in (BatchStatus.CHANGED, BatchStatus.FAILED)]
    todo = [f for f in folders if f in fresh or not (f / "letter.pdf").exists()
            or not (f / "schedule.pdf").exists()]
    return len(pdfs_beside(todo, ("letter.docx", "schedule.docx"), chunk=chunk))


def _as_logged(results: list[RowResult], log: RequestLog) -> list[RowResult]:
    """A changed row not rewritten keeps the request its folder holds: its manifest line names
    the id the log has for that folder (the earlier answers read back may not give that id
    again: an amount written 0 in the sheet is 0.0 in answers.yaml)."""
    changed = [r for r in results if r.status == BatchStatus.CHANGED]
    if not changed:
        return results
    by_folder = log.in_folders(os.path.realpath(result.folder) for result in changed)
    kept = {}
    for result in changed:
        ids = by_folder.get(os.path.realpath(result.folder))
        if ids:
            kept[result.row] = replace(result, request_id=ids[-1])
    return [kept.get(result.row, result) for result in results]


def _logged_folders(log: RequestLog) -> dict[str, str]:
    """The folder of every open request the log holds, by request id."""
    return log.open_folders()


def _record_in_log(report: BatchReport, log: RequestLog, batch: str, directory: Directory, *,
                   by: str | None = None) -> int:
    """Add every produced row to the request log under the batch's id, all in one
    transaction, from the answers the workers made (no file is read again); how many were new.

    A row rewritten with new answers is a new request (its id follows its answers); the request
    it replaces, logged for the same folder, is marked withdrawn, so the log never holds two
    open requests, with two sets of reminders, for one folder.
    """
    log.create()  # made on first use, as `new` makes it; an older one is upgraded
    stamp, who = now(), current_user() if by is None else by
    requests: list[RequestRow] = []
    replaced: list[EventRow] = []
    # Each row's folder as the log names it, its full path with no link in it: the batch's
    # folder is resolved once, not once a row (that looked up every part of the path again, for
    # a third of the logging). A row's own folder is never a link: the batch refuses one.
    resolved: dict[str, str] = {}
    produced: list[tuple[RowResult, str]] = []
    for result in report.results:
        if result.status in (BatchStatus.CHANGED, BatchStatus.FAILED):
            continue
        parent, name = os.path.split(result.folder)
        if parent not in resolved:
            resolved[parent] = str(Path(parent).resolve())
        produced.append((result, os.path.join(resolved[parent], name)))  # noqa: PTH118
    # The requests logged for these folders only, by the folder's index
    by_folder = log.in_folders(folder for _result, folder in produced)
    for result, folder in produced:
        answers = result.answers or load_answers(Path(folder) / "answers.yaml",
                                                 directory).stored()
        requests.append(RequestRow(result.request_id, stamp, result.agency, answers, folder,
                                   batch, who))
        replaced += [replaced_event(earlier, result.request_id, "made from the row's new "
                                    "answers", stamp=stamp, by=who)
                     for earlier in by_folder.get(folder, []) if earlier != result.request_id]
    recorded = log.insert_requests(requests)
    if replaced:
        log.insert_events(replaced)
    return recorded


def batch_id(path: Path) -> str:
    """The same input file always has the same batch id."""
    try:
        data = read_limited(path, LIMITS["batch_bytes"])
    except (OSError, LimitError) as exc:  # read whole a moment ago: changed since
        raise UserError(f"{path}: cannot be read again: {exc}") from None
    return "batch-" + hashlib.sha256(data).hexdigest()[:8]


