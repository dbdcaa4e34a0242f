"""Clinic batches: many requests from one spreadsheet, fast, with nothing lost.

Rows come from CSV, XLSX (first sheet) or YAML (a list of answer mappings). Every row is
checked before anything is written; each bad row is reported with its row number and column,
and every good row is still produced. Rows are rendered in parallel. Each file is written
atomically and a row's ``answers.yaml`` is written last, so a batch killed at any moment and run
again finishes what is missing, skips what is complete, and rewrites a changed row only when
told to (``force``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recordskit.errors import InputFileError, Problem, UserError
from recordskit.models import ANSWER_KEYS, REQUESTER_KEYS, STUDENT_KEYS, Directory

ROW_ID = "row_id"
_NESTED = {"requester": REQUESTER_KEYS, "student": STUDENT_KEYS}
COLUMNS: tuple[str, ...] = (ROW_ID, *(
    key for answer in ANSWER_KEYS
    for key in ([f"{answer}.{k}" for k in _NESTED[answer]] if answer in _NESTED else [answer])
))
"""Every column a batch file may have: the answers-file keys, nested keys dotted."""

EXAMPLE_ROW: dict[str, str] = {
    ROW_ID: "family-001", "request_type": "public_records", "agency": "bps",
    "records": "school-police-reports-shared-with-bric;incident-report-sharing-policies",
    "other_records": "", "date_from": "", "date_to": "",
    "requester.name": "", "requester.organization": "Example Family Law Clinic",
    "requester.email": "records@clinic.example.org",
    "requester.mailing_address": "100 Main Street, Boston, MA 02110", "requester.phone": "",
    "delivery": "email", "sent_on": "2026-11-23", "fee_waiver": "public_interest",
    "max_fee": "0", "format": "electronic", "student.name": "", "student.school": "",
    "student.grade": "", "requester_role": "",
}
PARALLEL_FROM = 24
"""Below this many rows, starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class Row:
    """One row of the input, numbered as the spreadsheet shows it."""

    number: int
    values: dict[str, Any]

    @property
    def label(self) -> str:
        return f"row {self.number}"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


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


# --- Reading -------------------------------------------------------------------------------


def read_rows(path: Path) -> list[Row]:
    """The rows of a CSV, XLSX or YAML file; an unknown column stops everything up front."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputFileError(path, [Problem("", "file not found; expected a .csv, .xlsx or "
                                                ".yaml file")])
    if suffix == ".csv":
        return _table_rows(path, _csv_cells(path))
    if suffix in (".xlsx", ".xlsm"):
        return _table_rows(path, _xlsx_cells(path))
    if suffix in (".yaml", ".yml", ".json"):
        return _yaml_rows(path)
    raise InputFileError(path, [Problem("", f"cannot read {suffix or 'this'} files; expected "
                                            ".csv, .xlsx or .yaml")])


def _csv_cells(path: Path) -> list[tuple[int, list[Any]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [(number, cells) for number, cells in enumerate(csv.reader(handle), start=1)]
    except UnicodeDecodeError as exc:
        raise InputFileError(path, [Problem("", f"not UTF-8 text (byte {exc.start}); save it "
                                                "as 'CSV UTF-8'")]) from None
    except csv.Error as exc:
        raise InputFileError(path, [Problem("", f"not a readable CSV file: {exc}")]) from None


def _xlsx_cells(path: Path) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputFileError(path, [Problem("", f"not a readable Excel workbook: {exc}")]
                             ) from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, list(cells)) for number, cells in
                enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _table_rows(path: Path, cells: list[tuple[int, list[Any]]]) -> list[Row]:
    rows = [(number, values) for number, values in cells if not _blank_row(values)]
    if not rows:
        raise InputFileError(path, [Problem("", "has no header row; expected the columns: "
                                                f"{', '.join(COLUMNS)}", 1)])
    header_number, header_cells = rows[0]
    header = [str(cell).strip() if cell is not None else "" for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    unknown = [name for name in header if name not in COLUMNS]
    doubled = sorted({name for name in header if header.count(name) > 1})
    if unknown or doubled or "agency" not in header:
        message = []
        if unknown:
            message.append(f"unknown column{'s' if len(unknown) > 1 else ''} "
                           f"{', '.join(repr(n) for n in unknown)}")
        if doubled:
            message.append(f"column{'s' if len(doubled) > 1 else ''} given twice: "
                           f"{', '.join(doubled)}")
        if "agency" not in header and not unknown:
            message.append("no 'agency' column")
        raise InputFileError(path, [Problem("", f"{'; '.join(message)}; the valid columns "
                                                f"are: {', '.join(COLUMNS)}", header_number)])
    found = []
    for number, values in rows[1:]:
        extra = [v for v in values[len(header):] if not _blank(v)]
        row_values = dict(zip(header, values, strict=False))
        if extra:
            row_values["__extra__"] = extra
        found.append(Row(number, row_values))
    return found


def _yaml_rows(path: Path) -> list[Row]:
    from recordskit import inputfile

    data, _node = inputfile.read(path)
    if not isinstance(data, list):
        raise InputFileError(path, [Problem("", "expected a list of answer mappings, one per "
                                                "request (each like an answers file)", 1)])
    rows = []
    for number, item in enumerate(data, start=1):
        if item is None:
            continue
        if not isinstance(item, dict):
            rows.append(Row(number, {"__not_mapping__": item}))
            continue
        values = {key: value for key, value in item.items() if key not in _NESTED}
        for group in _NESTED:
            nested = item.get(group)
            if isinstance(nested, dict):
                values.update({f"{group}.{k}": v for k, v in nested.items()})
            elif nested is not None:
                values[group] = nested
        rows.append(Row(number, values))
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(values: Iterable[Any]) -> bool:
    return all(_blank(value) for value in values)


# --- Checking ------------------------------------------------------------------------------


def answers_of(row: Row) -> tuple[dict[str, Any], list[RowProblem]]:
    """A row as answers-file data, and the problems found on the way."""
    problems: list[RowProblem] = []
    if "__not_mapping__" in row.values:
        return {}, [RowProblem(row.number, "", "expected a mapping of answers")]
    if "__extra__" in row.values:
        problems.append(RowProblem(row.number, "", "has values to the right of the last "
                                                   "column; move them into a named column"))
    answers: dict[str, Any] = {}
    for column, raw in row.values.items():
        if column.startswith("__") or column == ROW_ID or _blank(raw):
            continue
        value = _cell(raw)
        if column == "records" and isinstance(value, str):
            value = [part.strip() for part in value.split(";") if part.strip()]
        group, dot, key = column.partition(".")
        if dot and group in _NESTED:
            answers.setdefault(group, {})[key] = value
        else:
            answers[column] = value
    return answers, problems


def _cell(value: Any) -> Any:
    """Spreadsheet cells as answers: dates as ISO text, whole numbers without '.0'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def row_id_of(row: Row) -> str:
    raw = row.values.get(ROW_ID)
    return "" if _blank(raw) else str(_cell(raw))


def folder_name(row: Row, agency: str) -> str:
    """``<row_id or row number>-<agency>``, safe as a folder name everywhere."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", row_id_of(row)).strip("-.")[:60]
    return f"{base or row.number}-{agency}"


def check_rows(rows: list[Row], directory: Directory, *, allow_personal: bool = False
               ) -> tuple[list[tuple[Row, dict[str, Any], str]], list[RowProblem], list[str]]:
    """Good rows (with their answers and folder name), problems, and duplicate warnings."""
    from recordskit.answers import request_from

    good: list[tuple[Row, dict[str, Any], str]] = []
    problems: list[RowProblem] = []
    warnings: list[str] = []
    folders: dict[str, int] = {}
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        answers, found = answers_of(row)
        if not found:
            try:
                request = request_from(answers, directory)
                if not allow_personal:
                    from recordskit.privacy import personal_details, refuse

                    refuse(personal_details(request), None)
            except InputFileError as exc:
                found = [RowProblem(row.number, p.field, p.message) for p in exc.problems]
        if found:
            problems += found
            continue
        name = folder_name(row, request.agency)
        if name in folders:
            problems.append(RowProblem(row.number, ROW_ID, f"makes the folder {name!r}, like "
                                       f"row {folders[name]}; give each row its own row_id"))
            continue
        folders[name] = row.number
        person = request.requester
        key = (request.agency, tuple(sorted(request.records)),
               request.other_records.strip().lower(),
               (person.name.lower(), person.organization.lower(), (person.email or "").lower()))
        if key in seen:
            warnings.append(f"row {row.number} asks {request.agency} for the same records as "
                            f"row {seen[key]}, from the same requester")
            answers["__duplicate_of__"] = seen[key]
        else:
            seen[key] = row.number
        good.append((row, answers, name))
    return good, problems, warnings


# --- Producing -----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(agencies: str, templates: str) -> None:
    """Each worker process loads the directory and the template once."""
    from recordskit.directory import load_directory
    from recordskit.generate import template

    _WORKER["directory"] = load_directory(Path(agencies))
    _WORKER["templates"] = Path(templates)
    template("request.docx", Path(templates))


def produce_row(task: tuple[int, str, dict[str, Any], str, bool]) -> RowResult:
    """Write one row's folder, or skip it when it is already complete and unchanged."""
    from recordskit.answers import answers_yaml, request_from
    from recordskit.files import write_folder
    from recordskit.generate import REQUIRED_FILES, prepare_request
    from recordskit.inputfile import parse

    number, row_id, answers, folder_text, force = task
    directory: Directory = _WORKER["directory"]
    folder = Path(folder_text)
    duplicate_of = answers.pop("__duplicate_of__", None)
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
    from recordskit.business_days import get_calendar
    from recordskit.schedule import new_request_schedule

    agency = directory.agency(request.agency)
    schedule = made.schedule if made else new_request_schedule(
        request, agency, get_calendar(agency.calendar, directory.closures_for(agency.calendar)))
    person = request.requester
    return RowResult(
        row=number, row_id=row_id, status=status, folder=str(folder), agency=request.agency,
        requester=person.name or person.organization or person.email or "",
        request_id=request.fingerprint(),
        response_due=schedule.date_of("response_due").isoformat(),
        duplicate_of=duplicate_of,
    )


def _remove_leftovers(folder: Path) -> None:
    """Temporary files a killed run left behind (finished files are renamed into place)."""
    if folder.is_dir():
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def run_batch(path: Path, out: Path | None, directory: Directory, *, agencies_path: Path,
              templates_path: Path, force: bool = False, check_only: bool = False,
              workers: int = 0, progress: Callable[[int, int], None] | None = None,
              allow_personal: bool = False) -> BatchReport:
    """Check every row, then produce the good ones (unless ``check_only``)."""
    import time

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
    tasks = [(row.number, row_id_of(row), answers, str(out / name), force)
             for row, answers, name in good]
    report.results = _produce_all(tasks, agencies_path, templates_path, workers, progress)
    report.results.sort(key=lambda result: result.row)
    for result in report.results:
        if result.status == "changed":
            report.problems.append(RowProblem(
                result.row, "", f"changed since {result.folder} was made; nothing was "
                "rewritten. Run again with --force to replace it"))
    report.problems.sort(key=lambda problem: problem.row)
    _write_summaries(out, report)
    if hasattr(os, "sync"):
        os.sync()  # the rows were written without a flush each; make them durable together
    report.seconds = time.perf_counter() - started
    return report


def _produce_all(tasks: list[tuple[int, str, dict[str, Any], str, bool]], agencies_path: Path,
                 templates_path: Path, workers: int, progress: Callable[[int, int], None] | None
                 ) -> list[RowResult]:
    workers = workers or os.cpu_count() or 1
    results: list[RowResult] = []
    if workers == 1 or len(tasks) < PARALLEL_FROM:
        _start_worker(str(agencies_path), str(templates_path))
        for task in tasks:
            results.append(produce_row(task))
            if progress:
                progress(len(results), len(tasks))
        return results
    import multiprocessing

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
    _write_if_changed(out / "manifest.csv", manifest.getvalue().encode("utf-8"))
    _write_if_changed(out / "errors.csv", errors.getvalue().encode("utf-8"))
    _write_calendar(out / "calendar.ics", [Path(r.folder) / "schedule.ics" for r in done])


def _write_calendar(path: Path, sources: list[Path]) -> None:
    """Every row's events in one calendar, streamed from the rows' own schedule.ics files.

    The events are the rows' own (same UIDs), so importing both never duplicates anything; the
    file is built on disk, so ten thousand rows cost no memory, and replaces the old one only
    when it differs.
    """
    import tempfile

    from recordskit.exports import split_events, wrap_events

    head, tail = wrap_events(b"", name="Batch deadlines").split(b"END:VCALENDAR")
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                     delete=False) as handle:
        for chunk in (head, *(split_events(s.read_bytes()) for s in sources),
                      b"END:VCALENDAR" + tail):
            handle.write(chunk)
            digest.update(chunk)
    temporary = Path(handle.name)
    if path.exists() and hashlib.sha256(path.read_bytes()).digest() == digest.digest():
        temporary.unlink()
        return
    temporary.chmod(0o644)
    temporary.replace(path)


def _write_if_changed(path: Path, data: bytes) -> None:
    from recordskit.files import atomic_write

    if path.exists() and path.read_bytes() == data:
        return
    atomic_write(path, data)


def add_pdfs(report: BatchReport, *, chunk: int = 40) -> int:
    """PDFs of every row's letter and schedule that lacks them (LibreOffice, a chunk per call)."""
    from recordskit.files import atomic_write
    from recordskit.sendkit import to_pdf

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


def record_in_log(report: BatchReport, batch: str, directory: Directory) -> int:
    """When the request log exists, add every produced row to it under the batch's id."""
    from recordskit.answers import load_answers
    from recordskit.tracker import RequestLog

    log = RequestLog()
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


def write_template(path: Path) -> None:
    """A spreadsheet with every column and one example row, for clinics to fill in."""
    from recordskit.files import atomic_write

    suffix = path.suffix.lower()
    if suffix == ".csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerow(EXAMPLE_ROW)
        atomic_write(path, out.getvalue().encode("utf-8"))
        return
    if suffix != ".xlsx":
        raise UserError(f"{path}: expected a .xlsx or .csv file name for the template")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "requests"
    sheet.append(list(COLUMNS))
    sheet.append([EXAMPLE_ROW[column] for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, min(48, len(EXAMPLE_ROW[column]) + 2))
        choices = {"delivery": "email,mail,portal,hand",
                   "fee_waiver": "none,public_interest,indigency",
                   "format": "electronic,paper", "agency": "bps,bpd,city-clerk"}.get(column)
        if choices:
            rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            rule.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    atomic_write(path, buffer.getvalue())
