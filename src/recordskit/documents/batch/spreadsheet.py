"""The template spreadsheet a clinic fills in: every column, one example row, dropdowns."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from recordskit.errors import UserError
from recordskit.files import write_file
from recordskit.i18n import languages
from recordskit.intake.rows import CHOICES, COLUMNS, EXAMPLE_ROW
from recordskit.models import Directory
from recordskit.text import csv_document, formula_like


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """One row of an XLSX sheet, every cell through the cell serializer: text a spreadsheet
    would run as a formula (``text.formula_like``) is written as typed text, shown as written
    and never run."""
    sheet.append([None if value is None else str(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def write_template(path: Path, *, force: bool = False, directory: Directory | None = None,
                   today: date | None = None) -> None:
    """A spreadsheet with every column and one example row, for clinics to fill in.

    The example row is sent on ``today`` (by default the real day), so that the row runs as
    it is on the day the template is made: a fixed day would have passed its response date
    for everyone who follows the README weeks later. An XLSX also gets a second sheet,
    ``records``, listing every agency's record ids with their titles (from ``directory``), to
    copy into the ``records`` column.
    """
    example = {**EXAMPLE_ROW, "sent_on": (today or date.today()).isoformat()}
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = csv_document(COLUMNS, [[example[column] for column in COLUMNS]])
        write_file(path, text.encode("utf-8"), force=force)
        return
    if suffix != ".xlsx":
        raise UserError(f"{path}: expected a .xlsx or .csv file name for the template")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "requests"
    append_row(sheet, COLUMNS)
    append_row(sheet, [example[column] for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, min(48, len(example[column]) + 2))
        choices = {**{name: ",".join(values) for name, values in CHOICES.items()},
                   "language": ",".join(code for code in languages() if code != "en"),
                   "agency": ",".join(a.id for a in directory.request_targets) if directory
                   else "bps,bpd,city-clerk"}.get(column)
        if choices:
            rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            rule.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    if directory is not None:
        catalog = workbook.create_sheet("records")
        append_row(catalog, ["agency", "record id", "title"])
        for cell in catalog[1]:
            cell.font = Font(bold=True)
        for agency in directory.request_targets:
            for record in agency.records:
                append_row(catalog, [agency.id, record.id, record.title])
        catalog.column_dimensions["B"].width = 44
        catalog.column_dimensions["C"].width = 60
        catalog.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_file(path, buffer.getvalue(), force=force)
