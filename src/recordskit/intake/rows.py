"""Clinic batch files: rows of a CSV, XLSX or YAML file, read and checked as answers.

Each row is checked before its own files are written, in order (a row is compared with the rows
before it), and handed on as soon as it passes, so a batch produces early rows while later ones
are still checked; each bad row is reported with its row number and column, and every good row
goes on to be produced (``recordskit.documents.batch.run``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

from recordskit import inputfile
from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.schedule import refuse_a_passed_request
from recordskit.errors import FieldError, InputFileError, Problem
from recordskit.intake.answers import request_from
from recordskit.intake.privacy import personal_details, refuse
from recordskit.limits import LIMITS
from recordskit.models import (
    ANSWER_KEYS,
    REQUESTER_KEYS,
    STUDENT_KEYS,
    Channel,
    Custody,
    Directory,
    FeeWaiver,
    RecordFormat,
    Request,
    RequesterRole,
    RequestType,
)

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
    "student.grade": "", "requester_role": "", "custody": "", "send_to": "", "language": "",
}
@dataclass(frozen=True)
class Row:
    """One row of the input, numbered as the spreadsheet shows it.

    ``extra`` holds values written to the right of the last named column; ``malformed`` is set
    for a YAML item that is not a mapping of answers; ``unsaved_formulas`` names the columns
    whose cell holds a formula and no saved result of it.
    """

    number: int
    values: dict[str, Any]
    extra: tuple[Any, ...] = ()
    malformed: bool = False
    unsaved_formulas: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"row {self.number}"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str
    kind: str = ""
    """What kind of problem, where a front end has more to say about it: ``slashed_date`` (a
    date as Excel writes one in a CSV file, 11/23/2026), ``passed_date`` (a ``sent_on`` whose
    first answer was already due) or ``logged_elsewhere`` (the row's request is logged for
    another folder)."""


@dataclass(frozen=True)
class CheckedRow:
    """A good row: its answers, the folder it makes, and the earlier row it repeats, if any."""

    row: Row
    answers: dict[str, Any]
    folder: str
    request: Request
    """The row's request as checked (its ``sent_on`` as the row gives it)."""
    duplicate_of: int | None = None


# --- Reading -------------------------------------------------------------------------------


def read_rows(path: Path) -> list[Row]:
    """The rows of a CSV, XLSX or YAML file; an unknown column stops everything up front.

    Each file is read within the limits (bytes, rows, columns, unpacked size for XLSX), so a
    crafted file is refused, not read into memory.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm", ".yaml", ".yml", ".json"):
        raise InputFileError(path, [Problem("", f"cannot read {suffix or 'this'} files; "
                                                "expected .csv, .xlsx or .yaml")])
    if suffix in (".yaml", ".yml", ".json"):
        return _limited(path, _yaml_rows(path))
    data = inputfile.read_bytes(path, LIMITS["batch_bytes"])
    if suffix == ".csv":
        return _table_rows(path, _csv_cells(path, data))
    return _table_rows(path, _xlsx_cells(path, data))


def _limited(path: Path, rows: list[Row]) -> list[Row]:
    most = LIMITS["batch_rows"]
    if len(rows) > most.value:
        raise InputFileError(path, [Problem("", most.exceeded("the file", f"{len(rows):,} rows"))])
    return rows


def _text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, [Problem("", f"not UTF-8 text (byte {exc.start}); save it "
                                                "as UTF-8 ('CSV UTF-8' in Excel)")]) from None


def _csv_cells(path: Path, data: bytes) -> list[tuple[int, list[Any]]]:
    rows, most = LIMITS["batch_rows"], LIMITS["batch_columns"]
    found: list[tuple[int, list[Any]]] = []
    text = _text(path, data)
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""),
                                                  delimiter=_delimiter(text)), start=1):
            if number > rows.value + 1:  # the header, and at most the limit of rows
                raise InputFileError(path, [Problem("", rows.exceeded("the file", "more"))])
            if len(cells) > most.value:
                raise InputFileError(path, [Problem("", most.exceeded(f"row {number}",
                                                                       len(cells)), number)])
            found.append((number, cells))
    except csv.Error as exc:
        raise InputFileError(path, [Problem("", f"not a readable CSV file: {exc}")]) from None
    return found


_DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The character between a CSV file's cells: the one that splits its header into the most
    known columns. Excel saves "CSV" with ``;`` where the decimal mark is a comma (Spain,
    France, much of Latin America), and some programs save tabs."""
    header = next((line for line in text.splitlines() if line.strip()), "")

    def known(delimiter: str) -> int:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return sum(cell.strip() in COLUMNS for cell in cells)

    return max(_DELIMITERS, key=known)  # the first, a comma, when none splits it better


UNSAVED_FORMULA = ("holds a formula whose result the file does not keep (a program that does "
                   "not calculate saved it), so the value cannot be read; open the file in Excel "
                   "or LibreOffice and save it again, or type the value instead")
"""Read as blank, a formula's cell would be a letter silently missing what the clinic meant."""

_FORMULA = object()
"""Stands in a row's cells for a formula with no saved result (see ``UNSAVED_FORMULA``)."""


def _xlsx_cells(path: Path, data: bytes) -> list[tuple[int, list[Any]]]:
    """The first sheet's rows of cells, with ``_FORMULA`` for a formula without its result.

    Read first as written: a cell without a formula reads the same either way, so a sheet with
    no formula is read once. Only a sheet with formulas is read again for their saved results,
    and a formula's cell that has none (it reads as empty then) is marked.
    """
    written = _sheet_values(path, data, saved_results=False)
    if not any(isinstance(cell, str) and cell.startswith("=")
               for _number, cells in written for cell in cells):
        return written
    found = _sheet_values(path, data, saved_results=True)
    for (_number, cells), (_same, formulas) in zip(found, written, strict=True):
        for column, cell in enumerate(cells):
            formula = formulas[column] if column < len(formulas) else None
            if cell is None and isinstance(formula, str) and formula.startswith("="):
                cells[column] = _FORMULA
    return found


def _sheet_values(path: Path, data: bytes, *, saved_results: bool
                  ) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # slow to import, and only XLSX files need it

    unpacked = LIMITS["batch_unpacked_bytes"]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputFileError(path, [Problem("", "not a readable Excel workbook (.xlsx)")]
                             ) from None
    if size > unpacked.value:
        raise InputFileError(path, [Problem("", unpacked.exceeded("the workbook, unpacked",
                                                                  f"{size:,} bytes"))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=saved_results)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputFileError(path, [Problem("", f"not a readable Excel workbook: {exc}")]
                             ) from None
    rows, columns = LIMITS["batch_rows"], LIMITS["batch_columns"]
    try:
        sheet = workbook.worksheets[0]
        # Bounded by the limits, not by the sheet's own declared size, which a crafted file
        # sets to a million rows by sixteen thousand columns.
        found: list[tuple[int, list[Any]]] = []
        cells = iter(sheet.iter_rows(max_row=rows.value + 2, max_col=columns.value,
                                     values_only=True))
        while True:
            try:
                values = next(cells, None)
            except Exception as exc:  # a crafted cell: openpyxl raises any kind
                # A cell the sheet's XML writes in a way no spreadsheet program does: a date
                # that is not one, a number that is not one, a reference that is not a cell's,
                # a shared text that is not there.
                raise InputFileError(path, [Problem("", (
                    f"a cell of this row cannot be read ({type(exc).__name__}: "
                    f"{str(exc)[:100]}); open the file in Excel or LibreOffice and save it "
                    "again"), (found[-1][0] if found else 0) + 1)]) from None
            if values is None:
                break
            found.append((len(found) + 1, list(values)))
    finally:
        workbook.close()
    if sum(not _blank_row(cells) for _number, cells in found) > rows.value + 1:
        raise InputFileError(path, [Problem("", rows.exceeded("the sheet", "more"))])
    return found


def _table_rows(path: Path, cells: list[tuple[int, list[Any]]]) -> list[Row]:
    rows = [(number, values) for number, values in cells if not _blank_row(values)]
    if not rows:
        raise InputFileError(path, [Problem("", "has no header row; expected the columns: "
                                                f"{', '.join(COLUMNS)}", 1)])
    header_number, header_cells = rows[0]
    header = [str(cell).strip() if cell is not None and cell is not _FORMULA else ""
              for cell in header_cells]
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
        extra = tuple(v for v in values[len(header):] if not _blank(v))
        named = dict(zip(header, values, strict=False))
        formulas = tuple(column for column, value in named.items() if value is _FORMULA)
        for column in formulas:
            named[column] = None
        found.append(Row(number, named, extra=extra, unsaved_formulas=formulas))
    return found


def _yaml_rows(path: Path) -> list[Row]:
    data, _node = inputfile.parse(_text(path, inputfile.read_bytes(
        path, LIMITS["batch_yaml_bytes"])), path)
    if not isinstance(data, list):
        raise InputFileError(path, [Problem("", "expected a list of answer mappings, one per "
                                                "request (each like an answers file)", 1)])
    rows = []
    for number, item in enumerate(data, start=1):
        if item is None:
            continue
        if not isinstance(item, dict) or not all(isinstance(key, str) for key in item):
            rows.append(Row(number, {}, malformed=True))
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


_CASE_FREE = ("agency", "delivery", "fee_waiver", "format", "request_type", "requester_role",
              "custody")
"""Columns whose values are ids: a clinic's spreadsheet may write them in any case."""

CHOICES: dict[str, tuple[str, ...]] = {
    column: get_args(choices) for column, choices in (
        ("delivery", Channel), ("fee_waiver", FeeWaiver), ("format", RecordFormat),
        ("request_type", RequestType), ("requester_role", RequesterRole), ("custody", Custody))}
"""The columns with a fixed list of values, and that list (the template's dropdowns too)."""


def _choice(column: str, value: str) -> str:
    """A value of a fixed list as people type it: in any case, with spaces or hyphens between
    its words (``Public interest``, ``e-mail``, ``non-custodial``), is that value."""
    typed = value.strip().lower()
    squeezed = re.sub(r"[\s_-]+", "", typed)
    for choice in CHOICES.get(column, ()):
        if choice.replace("_", "") == squeezed:
            return choice
    return typed  # not one of them: the check says so, with the list


def answers_of(row: Row) -> tuple[dict[str, Any], list[RowProblem]]:
    """A row as answers-file data, and the problems found on the way."""
    problems: list[RowProblem] = []
    if row.malformed:
        return {}, [RowProblem(row.number, "", "expected a mapping of answers")]
    if row.extra:
        problems.append(RowProblem(row.number, "", "has values to the right of the last "
                                                   "column; move them into a named column"))
    problems += [RowProblem(row.number, column, UNSAVED_FORMULA)
                 for column in row.unsaved_formulas]
    answers: dict[str, Any] = {}
    for column, raw in row.values.items():
        if column == ROW_ID or _blank(raw):
            continue
        value = _cell(raw)
        if column == "records" and isinstance(value, str):  # record ids hold no ; or ,
            value = [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
        if column in _CASE_FREE and isinstance(value, str):
            value = _choice(column, value)  # "BPS" is bps; the canonical id is written
        if column == "max_fee" and isinstance(value, str):
            value = value.strip().removeprefix("$").strip()  # a currency cell saved as CSV
        if column == "records" and isinstance(value, list):
            value = [str(part).lower() for part in value]
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


def check_rows(rows: list[Row], directory: Directory, *, allow_personal: bool = False,
               past: bool = False, today: date | None = None
               ) -> tuple[list[CheckedRow], list[RowProblem], list[str]]:
    """Good rows (with their answers and folder name), problems, and duplicate warnings."""
    checker = RowChecker(directory, allow_personal=allow_personal, past=past, today=today)
    good = [checked for row in rows
            if (checked := checker.check(row)) is not None and not checker.passed(checked)]
    return good, checker.problems, checker.warnings


class RowChecker:
    """Checks a batch's rows one at a time, in order, so that a good row can be made while the
    rows after it are still being checked. A row is compared with the rows before it: two rows
    may not make the same folder, and a row asking again for what an earlier one asked is
    reported."""

    def __init__(self, directory: Directory, *, allow_personal: bool = False,
                 past: bool = False, today: date | None = None) -> None:
        self.directory, self.allow_personal = directory, allow_personal
        self.past, self.today = past, today or date.today()
        self.problems: list[RowProblem] = []
        self.warnings: list[str] = []
        self._folders: dict[str, int] = {}
        self._seen: dict[tuple[Any, ...], int] = {}

    def check(self, row: Row) -> CheckedRow | None:
        """The row checked, or None when it has problems (added to ``problems``)."""
        answers, found = answers_of(row)
        if not found:
            try:
                request = request_from(answers, self.directory)
                if not self.allow_personal:
                    refuse(personal_details(request), None)
            except InputFileError as exc:
                found = [RowProblem(row.number, p.field, p.message,
                                    _SLASHED if _slashed_date(row, p.field) else "")
                         for p in exc.problems]
        if found:
            self.problems += found
            return None
        name = folder_name(row, request.agency)
        if name in self._folders:
            self.problems.append(RowProblem(
                row.number, ROW_ID, f"makes the folder {name!r}, like row "
                f"{self._folders[name]}; give each row its own row_id"))
            return None
        self._folders[name] = row.number
        person = request.requester
        key = (request.agency, tuple(sorted(request.records)),
               request.other_records.strip().lower(),
               (person.name.lower(), person.organization.lower(), (person.email or "").lower()))
        duplicate_of = self._seen.get(key)
        if duplicate_of is not None:
            self.warnings.append(f"row {row.number} asks {request.agency} for the same "
                                 f"records as row {duplicate_of}, from the same requester")
        else:
            self._seen[key] = row.number
        return CheckedRow(row, answers, name, request, duplicate_of)

    def passed(self, checked: CheckedRow) -> bool:
        """Whether the row's first answer was already due on its ``sent_on`` (a problem, added
        to ``problems``, unless ``past`` says the rows really went then). Asked of the rows a
        batch will produce: a row produced before and unchanged keeps its day."""
        if self.past:
            return False
        request = checked.request
        agency = self.directory.agency(request.agency)
        try:
            refuse_a_passed_request(request, agency, calendar_for(agency, self.directory),
                                    self.today)
        except FieldError as passed:
            self.problems.append(RowProblem(checked.row.number, "sent_on", str(passed),
                                            _PASSED))
            return True
        return False


_SLASHED, _PASSED = "slashed_date", "passed_date"
_DATE_COLUMNS = ("sent_on", "date_from", "date_to")


def _slashed_date(row: Row, column: str) -> bool:
    """A date column written as Excel writes dates in a CSV file (11/23/2026, 23/11/2026)."""
    value = row.values.get(column)
    return column in _DATE_COLUMNS and isinstance(value, str) and bool(
        re.fullmatch(r"\s*\d{1,2}/\d{1,2}/\d{2,4}\s*", value))
