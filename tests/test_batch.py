"""Clinic batches: every input format, every kind of bad row, re-runs, and a real kill."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from recordskit.cli import cli
from recordskit.documents.batch.run import batch_id
from recordskit.intake.rows import COLUMNS, EXAMPLE_ROW, read_rows
from recordskit.service import open_log
from tests.conftest import FROZEN_TEMPLATES, docx_text


def row(**changes: str) -> dict[str, str]:
    values = dict(EXAMPLE_ROW)
    values.update(changes)
    return values


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for values in rows:
            writer.writerow({k: v for k, v in values.items() if k in columns})
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["batch", *args])


def folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir())


def test_csv_rows_become_letters(tmp_path: Path) -> None:
    rows = [row(row_id=f"fam-{n}", **{"requester.name": f"Family {n}"}) for n in range(3)]
    rows.append(row(row_id="bpd-1", agency="bpd", delivery="mail",
                    records="ice-requests-and-responses")
                | {"requester.name": "Ana & <Co>"})
    result = run(str(write_csv(tmp_path / "in.csv", rows)), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert folders(out) == ["bpd-1-bpd", "fam-0-bps", "fam-1-bps", "fam-2-bps"]
    for name in folders(out):
        expected = ["answers.yaml", "how_to_send.txt", "letter.docx", "schedule.csv",
                    "schedule.docx", "schedule.ics", "summary.docx"]
        if name.endswith("bps"):  # BPS has a verified email; BPD does not
            expected.append("email.eml")
        assert sorted(p.name for p in (out / name).iterdir()) == sorted(expected)
    bpd = docx_text(out / "bpd-1-bpd" / "letter.docx")
    assert "One Schroeder Plaza" in bpd and "1. ICE requests to BPD and BPD's answers." in bpd
    assert "Ana & <Co>" in bpd
    assert "Family 1" in docx_text(out / "fam-1-bps" / "letter.docx")
    manifest = list(csv.DictReader((out / "manifest.csv").open()))
    assert [(m["row"], m["agency"], m["folder"], m["response_due"]) for m in manifest] == [
        ("2", "bps", "fam-0-bps", "2026-12-08"), ("3", "bps", "fam-1-bps", "2026-12-08"),
        ("4", "bps", "fam-2-bps", "2026-12-08"), ("5", "bpd", "bpd-1-bpd", "2026-12-11")]
    assert (out / "errors.csv").read_bytes() == b"row,row_id,column,problem\r\n"
    from icalendar import Calendar

    events = Calendar.from_ical((out / "calendar.ics").read_bytes()).walk("VEVENT")
    assert len(events) == 20
    assert len({str(e["uid"]) for e in events}) == 20
    assert "Produced 4, skipped 0 (already complete), failed 0" in result.output


def test_xlsx_and_yaml_inputs(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    values = row(row_id="x1")
    values["sent_on"] = "2026-11-23"
    sheet.append([values[c] for c in COLUMNS])
    from datetime import datetime

    dated = row(row_id="x2", **{"requester.phone": ""})
    sheet.append([datetime(2026, 11, 23) if c == "sent_on" else (6175550100 if c ==
                  "requester.phone" else dated[c]) for c in COLUMNS])
    workbook.save(tmp_path / "in.xlsx")
    result = run(str(tmp_path / "in.xlsx"), "--out", str(tmp_path / "x"))
    assert result.exit_code == 0, result.output
    assert folders(tmp_path / "x") == ["x1-bps", "x2-bps"]
    assert "6175550100" in docx_text(tmp_path / "x" / "x2-bps" / "letter.docx")
    items = [{"row_id": "y1", "agency": "city-clerk", "records": ["trust-act-annual-reports"],
              "requester": {"email": "a@example.org"}, "delivery": "portal",
              "sent_on": "2026-11-23"}]
    (tmp_path / "in.yaml").write_text(yaml.safe_dump(items))
    result = run(str(tmp_path / "in.yaml"), "--out", str(tmp_path / "y"))
    assert result.exit_code == 0, result.output
    assert "Office of the City Clerk" in docx_text(tmp_path / "y" / "y1-city-clerk" /
                                                   "letter.docx")


def test_a_formula_whose_result_the_file_does_not_keep_is_refused_not_read_as_blank(
        tmp_path: Path) -> None:
    # A workbook written by a program that does not calculate (a script, some web exports)
    # keeps formulas without their results: read as blank, row 2's other_records would have
    # left its letter silently without them. Excel and LibreOffice keep the result (row 3).
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for values in (row(row_id="f1", other_records='=CONCAT("Emails ", "about me")',
                       **{"requester.name": '=CONCAT("Ana ", "Diaz")'}),
                   row(row_id="f2", **{"requester.name": '=CONCAT("Bea ", "Diaz")'}),
                   row(row_id="f3")):
        sheet.append([values[c] for c in COLUMNS])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    name_cell = f"{get_column_letter(COLUMNS.index('requester.name') + 1)}3"
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    unsaved = f'<c r="{name_cell}"><f>CONCAT("Bea ", "Diaz")</f><v></v></c>'
    assert unsaved in sheet_xml
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.replace(unsaved, (
        f'<c r="{name_cell}" t="str"><f>CONCAT("Bea ", "Diaz")</f><v>Bea Diaz</v></c>')).encode()
    with zipfile.ZipFile(path, "w") as calculated:
        for name, data in parts.items():
            calculated.writestr(name, data)
    out = tmp_path / "out"
    result = run(str(path), "--out", str(out))
    assert result.exit_code == 1, result.output
    for column in ("other_records", "requester.name"):
        assert (f"{path}: row 2: {column}: holds a formula whose result the file does not "
                "keep") in result.output
    assert folders(out) == ["f2-bps", "f3-bps"]
    assert "Bea Diaz" in docx_text(out / "f2-bps" / "letter.docx")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_csv_saved_with_semicolons_or_tabs_reads_as_with_commas(tmp_path: Path,
                                                                  delimiter: str) -> None:
    """Excel saves "CSV" with semicolons where the decimal mark is a comma (Spain, France,
    much of Latin America): those files, and tab-separated ones, read as the comma file."""
    rows = [row(row_id="s1", records="school-police-reports-shared-with-bric;"
                "incident-report-sharing-policies"),
            row(row_id="s2", **{"requester.mailing_address": "1 Main St, Boston, MA 02110"})]
    commas = write_csv(tmp_path / "commas.csv", rows)
    other = tmp_path / "other.csv"
    with other.open("w", newline="", encoding="utf-8-sig") as handle:  # as Excel writes it
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows({k: v for k, v in values.items() if k in COLUMNS} for values in rows)
    assert [r.values for r in read_rows(other)] == [r.values for r in read_rows(commas)]
    assert read_rows(other)[0].values["records"].count(";") == 1
    result = run(str(other), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert folders(tmp_path / "out") == ["s1-bps", "s2-bps"]


def test_cells_typed_as_people_type_them_read_as_their_ids(tmp_path: Path) -> None:
    """"E-mail", "Public Interest", "$25.00" and record ids separated by commas, as a clinic's
    staff type them, are the ids the answers file holds; an amount with a comma stays refused
    (25,50 or 1,000? a fee limit is not guessed)."""
    path = write_csv(tmp_path / "in.csv", [
        row(row_id="t1", delivery="E-mail", fee_waiver="Public Interest", format="Electronic",
            max_fee="$25.00", records="school-police-reports-shared-with-bric, "
                                      "Incident-Report-Sharing-Policies"),
        row(row_id="t2", max_fee="1,000")])
    result = run(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "row 3: max_fee: '1,000' is not an amount" in result.output
    answers = yaml.safe_load((tmp_path / "out" / "t1-bps" / "answers.yaml").read_text())
    assert (answers["delivery"], answers["fee_waiver"], answers["format"],
            answers["max_fee"]) == ("email", "public_interest", "electronic", 25.0)
    assert answers["records"] == ["school-police-reports-shared-with-bric",
                                  "incident-report-sharing-policies"]


def test_dates_as_excel_writes_them_in_a_csv_get_a_hint(tmp_path: Path) -> None:
    """Excel saves a CSV's dates as the computer shows them (11/23/2026): each row says so,
    and one hint says why and what to do; the day is never guessed (23/11 or 11/23?)."""
    path = write_csv(tmp_path / "in.csv", [row(row_id=f"d{n}", sent_on="11/23/2026")
                                           for n in range(2)])
    result = run(str(path), "--check")
    assert result.exit_code == 1, result.output
    assert result.output.count("sent_on: '11/23/2026' is not a date") == 2
    assert result.output.count("how Excel writes dates when it saves a CSV file") == 1
    clean = run(str(write_csv(tmp_path / "ok.csv", [row(row_id="d1")])), "--check")
    assert "Excel" not in clean.output


def test_unknown_column_is_refused_up_front(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("agency,records,immigration_status\nbps,x,y\n")
    result = run(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{path}:1: unknown column 'immigration_status'; the valid columns are: row_id, " \
           "request_type, agency, records" in result.output
    assert not (tmp_path / "out").exists()


BAD_ROWS: list[tuple[dict[str, str], str, str]] = [
    ({"agency": "ice"}, "agency", "unknown agency 'ice'"),
    ({"records": "school-police-reports-shared-with-bric;nope"}, "records",
     "unknown record id 'nope' for agency 'bps'"),
    ({"sent_on": "23/11/2026"}, "sent_on", "'23/11/2026' is not a date"),
    ({"delivery": "fax"}, "delivery", "'fax' is not allowed"),
    ({"fee_waiver": "maybe"}, "fee_waiver", "'maybe' is not allowed"),
    ({"requester.email": "", "requester.mailing_address": ""}, "requester",
     "give an email address or a mailing address"),
    ({"requester.name": "Bad\x07bell"}, "requester.name", "invisible control character"),
    ({"max_fee": "ten dollars"}, "max_fee", "is not an amount"),
]


def test_every_bad_row_is_reported_and_good_rows_still_made(tmp_path: Path) -> None:
    rows = [row(row_id="good-1")]
    for number, (changes, _column, _message) in enumerate(BAD_ROWS):
        rows.append(row(row_id=f"bad-{number}", **changes))
    rows.append(dict.fromkeys(COLUMNS, ""))  # an empty row: skipped, not an error
    rows.append(row(row_id="good-2", other_records="Ünïcödé & <tags> {{ 7*7 }} \u202eRTL"))
    path = write_csv(tmp_path / "in.csv", rows)
    result = run(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    errors = list(csv.DictReader((tmp_path / "out" / "errors.csv").open()))
    assert len(errors) == len(BAD_ROWS)
    for number, (_changes, column, message) in enumerate(BAD_ROWS):
        line = number + 3  # header is row 1, good-1 is row 2
        error = errors[number]
        assert (error["row"], error["column"]) == (str(line), column)
        assert message in error["problem"]
        assert f"{path}: row {line}: {column}: " in result.output
    assert folders(tmp_path / "out") == ["good-1-bps", "good-2-bps"]
    text = docx_text(tmp_path / "out" / "good-2-bps" / "letter.docx")
    assert "Ünïcödé & <tags> {{ 7*7 }} \u202eRTL" in text
    assert "Produced 2, skipped 0 (already complete), failed 8" in result.output


def test_check_only_writes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(), row(row_id="b", agency="nope")])
    result = run(str(path), "--check")
    assert result.exit_code == 1
    assert "Checked 2 rows: 1 good, 1 with problems; nothing was written." in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_duplicates_are_flagged(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(row_id="a"), row(row_id="b")])
    result = run(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "Warning: row 3 asks bps for the same records as row 2, from the same requester" \
        in result.output
    manifest = list(csv.DictReader((tmp_path / "out" / "manifest.csv").open()))
    assert [m["duplicate_of"] for m in manifest] == ["", "2"]


def test_same_folder_twice_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(row_id="same"), row(row_id="same",
                                                                    agency="city-clerk",
                                                                    delivery="portal",
                                                                    records="trust-act-annual-reports"),
                                            row(row_id="same")])
    result = run(str(path), "--out", str(tmp_path / "out"))
    assert "row 4: row_id: makes the folder 'same-bps', like row 2" in result.output


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file()}


def test_rerun_writes_nothing_and_changes_need_force(tmp_path: Path) -> None:
    rows = [row(row_id=f"r{n}", **{"requester.name": f"N{n}"}) for n in range(3)]
    path = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    assert run(str(path), "--out", str(out)).exit_code == 0
    before = _snapshot(out)
    again = run(str(path), "--out", str(out))
    assert again.exit_code == 0
    assert "Produced 0, skipped 3 (already complete), failed 0" in again.output
    assert _snapshot(out) == before
    rows[1]["requester.name"] = "Changed"
    write_csv(path, rows)
    changed = run(str(path), "--out", str(out))
    assert changed.exit_code == 1
    assert "row 3: changed since" in changed.output and "--force" in changed.output
    assert "N1" in docx_text(out / "r1-bps" / "letter.docx")
    forced = run(str(path), "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert "Produced 1, skipped 2" in forced.output
    assert "Changed" in docx_text(out / "r1-bps" / "letter.docx")


def test_blank_sent_on_keeps_its_first_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    path = write_csv(tmp_path / "in.csv", [row(sent_on="")])
    out = tmp_path / "out"
    assert run(str(path), "--out", str(out)).exit_code == 0
    answers = out / "family-001-bps" / "answers.yaml"
    today = f"sent_on: '{time.strftime('%Y-%m-%d')}'"
    assert today in answers.read_text()  # a blank sent_on meant the day it was made
    # Pretend it was made on an earlier day: a re-run keeps that day instead of today.
    answers.write_text(answers.read_text().replace(today, "sent_on: '2026-01-05'"))
    before = _snapshot(answers.parent)
    result = run(str(path), "--out", str(out))
    assert "skipped 1" in result.output, result.output
    assert _snapshot(answers.parent) == before  # the row's files were not rewritten
    assert "sent_on: '2026-01-05'" in answers.read_text()


def test_template_spreadsheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example row runs as it is whatever day the template is made: a fixed sending day
    # passed its response date weeks after it was written, for everyone after.
    monkeypatch.setenv("RECORDSKIT_TODAY", "2027-03-01")
    for name in ("requests.xlsx", "requests.csv"):
        result = run("--template", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        made = run(str(tmp_path / name), "--out", str(tmp_path / f"out-{name}"), "--no-log")
        assert made.exit_code == 0, made.output
        assert folders(tmp_path / f"out-{name}") == ["family-001-bps"]
    assert "already exists" in run("--template", str(tmp_path / "requests.csv")).output


def test_rows_join_the_log_with_a_batch_id(tmp_path: Path) -> None:
    open_log().create()  # the log exists now
    path = write_csv(tmp_path / "in.csv", [row(row_id="a"), row(row_id="b",
                                                                 **{"requester.name": "B"})])
    assert run(str(path), "--out", str(tmp_path / "out")).exit_code == 0
    logged = open_log().all()
    assert len(logged) == 2
    assert {entry.batch_id for entry in logged} == {logged[0].batch_id}
    assert logged[0].batch_id.startswith("batch-")


def test_the_log_names_each_row_s_folder_without_the_links_to_it(tmp_path: Path) -> None:
    # The log keeps the real path of each folder (status and follow-ups find it there), also
    # when the batch's folder is given through a link.
    open_log().create()
    (tmp_path / "real").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "real")
    path = write_csv(tmp_path / "in.csv", [row(row_id="a"), row(row_id="b",
                                                                 **{"requester.name": "B"})])
    assert run(str(path), "--out", str(tmp_path / "via" / "out")).exit_code == 0
    real = (tmp_path / "real" / "out").resolve()
    assert sorted(entry.folder for entry in open_log().all()) == [
        str(real / "a-bps"), str(real / "b-bps")]


def test_the_batch_calendar_is_written_as_the_rows_events_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # calendar.ics gathers every row's events; at 10,000 rows they are not all held at once:
    # each row's schedule.ics is read as the calendar is written, not all before.
    import recordskit.documents.batch.run as batch_module

    read: list[str] = []
    read_events = batch_module._schedule_ics

    def counted(folder: str) -> bytes:
        read.append(folder)
        return read_events(folder)

    written: dict[str, list[int]] = {}
    write = batch_module.write_if_changed

    def watched(path: Path, chunks: object, **options: bool) -> bool:
        if path.name != "calendar.ics":
            return write(path, chunks, **options)  # type: ignore[arg-type]
        seen = written.setdefault(path.name, [])

        def each() -> Iterator[bytes]:
            for chunk in chunks:  # type: ignore[attr-defined]
                seen.append(len(read))  # rows read when this piece is written
                yield chunk
        return write(path, each(), **options)

    monkeypatch.setattr(batch_module, "_schedule_ics", counted)
    monkeypatch.setattr(batch_module, "write_if_changed", watched)
    rows = [row(row_id=f"c{n}", **{"requester.name": f"Family {n}"}) for n in range(5)]
    out = tmp_path / "out"
    assert run(str(write_csv(tmp_path / "in.csv", rows)), "--out", str(out),
               "--no-log").exit_code == 0
    assert written["calendar.ics"] == [0, 1, 2, 3, 4, 5, 5]  # head, a row at a time, end
    assert (out / "calendar.ics").read_bytes().count(b"BEGIN:VEVENT") == sum(
        (out / f"c{n}-bps" / "schedule.ics").read_bytes().count(b"BEGIN:VEVENT")
        for n in range(5))


def test_a_first_batch_makes_the_log_and_says_where(tmp_path: Path) -> None:
    """A clinic that never ran `new` on this computer still finds its rows in `status`."""
    log = open_log()
    assert not log.exists()
    quiet = write_csv(tmp_path / "quiet.csv", [row(row_id="q")])
    kept_out = run(str(quiet), "--out", str(tmp_path / "q"), "--no-log")
    assert kept_out.exit_code == 0, kept_out.output
    assert not log.exists() and "Request log" not in kept_out.output
    path = write_csv(tmp_path / "in.csv", [row(row_id="a"), row(row_id="b",
                                                                 **{"requester.name": "B"})])
    made = run(str(path), "--out", str(tmp_path / "out"))
    assert made.exit_code == 0, made.output
    assert f"Request log ({log.location}): 2 new requests recorded as batch batch-" in made.output
    assert len(open_log().all()) == 2
    # The batch names its id, the way `status --batch` takes it, and `--by` who made it.
    batch = made.output.split("recorded as batch ")[1].split(";")[0]
    listed = CliRunner().invoke(cli, ["status", "--json", "--batch", batch])
    assert len(json.loads(listed.output)) == 2
    again = run(str(path), "--out", str(tmp_path / "out"))
    assert f"Request log ({log.location}): no new request to record; batch {batch}" in (
        again.output)
    assert len(open_log().all()) == 2
    by = run(str(write_csv(tmp_path / "by.csv", [row(row_id="c", **{"requester.name": "C"})])),
             "--out", str(tmp_path / "by"), "--by", "Ana at the clinic")
    assert by.exit_code == 0, by.output
    assert {r.created_by for r in open_log().all() if r.folder.endswith("c-bps")} == {
        "Ana at the clinic"}


def _many_rows(path: Path, count: int) -> Path:
    return write_csv(path, [row(row_id=f"k{n:04d}", **{"requester.name": f"Family {n}"})
                            for n in range(count)])


def _letters(out: Path) -> list[Path]:
    return sorted(out.glob("*/letter.docx"))


def _batch_under_way(path: Path, out: Path, home: Path, *options: str
                     ) -> subprocess.Popen[str]:
    """The command making a batch with two workers, returned once 40 rows are written; in a
    session of its own (a process group to signal, as a terminal does), its errors kept."""
    process = subprocess.Popen(
        [sys.executable, "-m", "recordskit", "batch", str(path), "--out", str(out),
         "--workers", "2", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "RECORDSKIT_HOME": str(home)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*/answers.yaml"))) < 40:
        time.sleep(0.02)
    return process


def test_a_first_run_makes_rows_while_later_rows_are_still_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A first run gives its workers rows as soon as they are checked, in chunks: its letters
    # begin while its last rows are checked, not after every row is (at 10,000 rows, checking
    # takes about a second with the workers idle).
    from recordskit.intake.rows import RowChecker

    count = 120
    path = _many_rows(tmp_path / "in.csv", count)
    out = tmp_path / "out"
    checked: list[int] = []
    written_before_the_last_check: list[bool] = []
    check = RowChecker.check

    def check_the_last_once_a_row_is_written(self: RowChecker, row: object) -> object:
        checked.append(1)
        if len(checked) == count:  # the last row waits for a worker's first row, or 30 s
            deadline = time.monotonic() + 30
            while not any(out.glob("*/answers.yaml")) and time.monotonic() < deadline:
                time.sleep(0.005)
            written_before_the_last_check.append(any(out.glob("*/answers.yaml")))
        return check(self, row)  # type: ignore[arg-type]

    monkeypatch.setattr(RowChecker, "check", check_the_last_once_a_row_is_written)
    result = run(str(path), "--out", str(out), "--workers", "2", "--no-log")
    assert result.exit_code == 0, result.output
    assert f"Produced {count}," in result.output
    assert len(list(out.glob("*/answers.yaml"))) == len(checked) == count
    assert written_before_the_last_check == [True]


@pytest.mark.slow
def test_a_killed_batch_finishes_on_the_next_run(tmp_path: Path, _private_log: Path) -> None:
    """Kill the whole batch, workers included, mid-way; nothing is truncated; re-run finishes."""
    count = 400
    path = _many_rows(tmp_path / "in.csv", count)
    out = tmp_path / "out"
    open_log().create()  # with the request log on, as clinics run batches
    process = _batch_under_way(path, out, _private_log)
    os.killpg(process.pid, signal.SIGKILL)  # the command and its worker processes
    process.communicate()
    finished = len(list(out.glob("*/answers.yaml")))
    assert 0 < finished < count, "the batch should have been killed part way"
    for letter in _letters(out):  # whatever exists is whole: atomic writes
        with zipfile.ZipFile(letter) as archive:
            assert archive.testzip() is None
    rerun = run(str(path), "--out", str(out))
    assert rerun.exit_code == 0, rerun.output
    produced = int(rerun.output.split("Produced ")[1].split(",")[0])
    skipped = int(rerun.output.split("skipped ")[1].split(" ")[0])
    assert produced + skipped == count
    assert skipped >= finished - 2  # a row killed between its letter and answers.yaml is redone
    assert len(_letters(out)) == count
    assert not list(out.glob("*/.*.tmp"))
    for letter in _letters(out)[:: count // 20]:
        assert "Family" in docx_text(letter)
    manifest = list(csv.DictReader((out / "manifest.csv").open()))
    assert len(manifest) == count
    # The log holds every row once, under the batch's id: the killed run lost nothing there.
    logged = open_log().all()
    assert sorted(entry.id for entry in logged) == sorted(row["request_id"] for row in manifest)
    assert {entry.batch_id for entry in logged} == {batch_id(path)}



@pytest.mark.slow
def test_a_worker_killed_mid_batch_ends_the_batch_and_a_rerun_finishes(
        tmp_path: Path, _private_log: Path) -> None:
    """One worker killed (as the kernel kills a process when memory runs out): the batch says
    so and ends, instead of waiting for ever for that worker's rows; a re-run finishes."""
    if sys.platform != "linux":
        pytest.skip("reads the worker processes from /proc")
    count = 400
    path = _many_rows(tmp_path / "in.csv", count)
    out = tmp_path / "out"
    process = _batch_under_way(path, out, _private_log, "--no-log")
    workers = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
               if _parent_of(stat) == process.pid]
    assert workers, "the batch should be rendering in worker processes"
    os.kill(workers[0], signal.SIGKILL)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the batch waited for ever for the killed worker's rows")
    assert process.returncode == 1, stderr
    assert "stopped unexpectedly" in stderr and "run the batch again" in stderr, stderr
    assert "Traceback" not in stderr
    rerun = run(str(path), "--out", str(out), "--no-log")
    assert rerun.exit_code == 0, rerun.output
    assert len(_letters(out)) == count
    assert not list(out.glob("*/.*.tmp"))


@pytest.mark.slow
def test_ctrl_c_stops_a_batch_cleanly_and_a_rerun_finishes(tmp_path: Path,
                                                          _private_log: Path) -> None:
    """Ctrl-C (SIGINT to the terminal's whole process group, workers included): one message
    that says what was kept, no worker's traceback, nothing half-written; a re-run finishes."""
    count = 400
    path = _many_rows(tmp_path / "in.csv", count)
    out = tmp_path / "out"
    process = _batch_under_way(path, out, _private_log, "--no-log")
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip() == ("Cancelled. The rows already made are kept, every file whole; "
                              "run the batch again to finish the rest."), stderr
    assert not list(out.glob("*/.*.tmp"))
    rerun = run(str(path), "--out", str(out), "--no-log")
    assert rerun.exit_code == 0, rerun.output
    assert len(_letters(out)) == count


def _parent_of(stat: Path) -> int:
    try:
        return int(stat.read_text().rsplit(")", 1)[-1].split()[1])
    except (OSError, IndexError, ValueError):  # a process that ended meanwhile
        return 0


def test_what_a_clinic_hit_is_mended(tmp_path: Path) -> None:
    """A changed row counted once; --force replaces its logged request; any case for ids;
    errors name the row_id; "1 row"; --no-log."""
    open_log().create()
    rows = [row(row_id=f"fam-{n}", agency="BPS" if n == 0 else "bps",
                **{"requester.name": f"Family {n}"}) for n in range(3)]
    path = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    assert run(str(path), "--out", str(out)).exit_code == 0
    assert folders(out) == ["fam-0-bps", "fam-1-bps", "fam-2-bps"]  # "BPS" is bps
    rows[1]["requester.name"] = "Family One, renamed"
    write_csv(path, rows)
    changed = run(str(path), "--out", str(out))
    assert changed.exit_code == 1
    assert "skipped 2 (already complete), failed 1" in changed.output  # the row, once
    assert "fam-1" in (out / "errors.csv").read_text()  # with its row_id
    forced = run(str(path), "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    logged = open_log().all()
    open_requests = [e for e in logged if all(ev.event != "withdrawn" for ev in e.events)]
    assert len(logged) == 4 and len(open_requests) == 3  # the replaced one is withdrawn
    withdrawn = next(e for e in logged if e not in open_requests)
    assert "replaced by request" in withdrawn.events[-1].details.note
    checked = run(str(write_csv(tmp_path / "one.csv", [row(row_id="x")])), "--check")
    assert "Checked 1 row: 1 good, 0 with problems" in checked.output
    quiet = write_csv(tmp_path / "quiet.csv", [row(row_id="q", **{"requester.name": "Quiet"})])
    assert run(str(quiet), "--out", str(tmp_path / "q"), "--no-log").exit_code == 0
    assert len(open_log().all()) == 4


def test_the_template_spreadsheet_lists_every_record_id(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert run("--template", str(tmp_path / "t.xlsx")).exit_code == 0
    book = load_workbook(tmp_path / "t.xlsx")
    records = [tuple(r) for r in book["records"].iter_rows(min_row=2, values_only=True)]
    assert ("bps", "school-police-reports-shared-with-bric",
            "School police incident reports shared with the BRIC") in records
    assert {agency for agency, _id, _title in records} == {"bps", "bpd", "city-clerk"}


def test_a_killed_workers_temporaries_are_leftovers_even_unreaped(tmp_path: Path) -> None:
    """A worker killed with its batch stays a zombie where nothing reaps orphans (containers);
    its half-written files are still a dead run's, and the next run removes them."""
    from recordskit.files import leftover_temporaries

    pid = os.fork()
    if pid == 0:  # the child: exit at once, and stay unreaped for a moment
        os._exit(0)
    try:
        time.sleep(0.2)
        dead = tmp_path / f".letter.docx.rk{pid}.abc123.tmp"
        mine = tmp_path / f".letter.docx.rk{os.getpid()}.def456.tmp"
        dead.write_bytes(b"half")
        mine.write_bytes(b"being written")
        assert leftover_temporaries(tmp_path) == [dead]
    finally:
        os.waitpid(pid, 0)


@pytest.mark.slow
def test_a_rerun_of_complete_rows_loads_no_renderer(tmp_path: Path, _private_log: Path) -> None:
    """Rows already complete and unchanged are settled in the main process: no worker starts
    and the renderer (docxtpl) is never imported; the log still holds every row once."""
    count = 60
    path = _many_rows(tmp_path / "in.csv", count)
    out = tmp_path / "out"
    open_log().create()
    assert run(str(path), "--out", str(out), "--workers", "2").exit_code == 0
    probe = ("import multiprocessing, sys\nfrom recordskit.cli import cli\n"
             "started = []\nspawn = multiprocessing.get_context\n"
             "multiprocessing.get_context = lambda *a: started.append(a) or spawn(*a)\n"
             "try:\n    cli(['batch', sys.argv[1], '--out', sys.argv[2], '--workers', '2'])\n"
             "except SystemExit:\n    pass\n"
             "print('renderer loaded' if 'docxtpl' in sys.modules else 'no renderer')\n"
             "print('workers started' if started else 'no worker')\n")
    again = subprocess.run([sys.executable, "-c", probe, str(path), str(out)],
                           capture_output=True, text=True, check=False, timeout=120,
                           env={**os.environ, "RECORDSKIT_HOME": str(_private_log)})
    assert f"skipped {count}" in again.stdout + again.stderr, again.stderr
    assert "no renderer" in again.stdout, again.stdout
    assert "no worker" in again.stdout, again.stdout
    assert len(open_log().all()) == count


def test_a_large_first_run_whose_rows_are_all_bad_ends_cleanly(tmp_path: Path) -> None:
    """A first run starts its workers while the rows are checked; when no row is good, they
    are stopped and the run reports every row, with no folder made."""
    path = write_csv(tmp_path / "in.csv", [row(row_id=f"bad{n:02d}", agency="nowhere")
                                           for n in range(30)])
    out = tmp_path / "out"
    result = run(str(path), "--out", str(out), "--workers", "2")
    assert result.exit_code == 1, result.output
    assert folders(out) == []
    errors = (out / "errors.csv").read_text().splitlines()
    assert len(errors) == 31 and all("nowhere" in line for line in errors[1:])


@pytest.mark.slow
@pytest.mark.parametrize(("count", "name"), [(3, "request.docx"), (30, "request.docx"),
                                             (30, "summary.docx")])
def test_a_broken_letter_template_stops_the_batch_with_its_message(
        tmp_path: Path, _private_log: Path, count: int, name: str) -> None:
    """A volunteer's template that is not a Word file: one clear error, in a batch of any
    size. (With 30 rows, run by worker processes, a broken request.docx made the batch wait
    for ever: the pool restarted every worker that failed to load it; a broken summary.docx
    failed every row, each with the same message.)"""
    templates = tmp_path / "templates"
    shutil.copytree(FROZEN_TEMPLATES, templates)
    (templates / name).write_text("saved as text by mistake")
    path = _many_rows(tmp_path / "in.csv", count)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "recordskit", "batch", str(path), "--out", str(out),
         "--workers", "2"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "RECORDSKIT_HOME": str(_private_log),
             "RECORDSKIT_TEMPLATES": str(templates)})
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (f"Error: {templates / name}: not a Word (.docx) document"
                                   ), done.stderr
    assert not out.exists() or folders(out) == []


def test_a_row_in_spanish_gets_the_family_files_in_spanish(tmp_path: Path) -> None:
    """A clinic's row for a Spanish-speaking family: its letter stays English, its family files
    are Spanish, and the log remembers the language for the later commands."""
    open_log().create()
    path = write_csv(tmp_path / "in.csv", [
        row(row_id="fam-es", language="es", **{"requester.name": "María Pérez"}),
        row(row_id="fam-en", **{"requester.name": "Mary Perez"})])
    out = tmp_path / "out"
    assert run(str(path), "--out", str(out)).exit_code == 0
    spanish, english = out / "fam-es-bps", out / "fam-en-bps"
    assert "Cómo enviar su solicitud" in (spanish / "how_to_send.txt").read_text()
    assert "How to send your request" in (english / "how_to_send.txt").read_text()
    assert "Su solicitud" in docx_text(spanish / "summary.docx")
    assert "This is a request under" in docx_text(spanish / "letter.docx")
    assert {entry.request.language for entry in open_log().all()} == {"es", ""}


def test_the_template_spreadsheet_offers_each_column_s_choices(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import column_index_from_string

    made = tmp_path / "requests.xlsx"
    assert run("--template", str(made)).exit_code == 0
    sheet = load_workbook(made)["requests"]
    header = [cell.value for cell in sheet[1]]
    lists = {}
    for rule in sheet.data_validations.dataValidation:
        first_cell = str(rule.sqref).split(":")[0]
        column = header[column_index_from_string(first_cell.rstrip("0123456789")) - 1]
        lists[column] = rule.formula1.strip('"').split(",")
    assert lists["delivery"] == ["email", "mail", "portal", "hand"]
    assert lists["fee_waiver"] == ["none", "public_interest", "indigency"]
    assert lists["format"] == ["electronic", "paper"]
    assert lists["request_type"] == ["public_records", "student_records"]
    assert lists["requester_role"] == ["parent", "eligible_student"]
    assert lists["custody"] == ["custodial", "non_custodial"]
    assert lists["language"] == ["es", "ht"]
    assert lists["agency"][:3] == ["bps", "bpd", "city-clerk"]


@pytest.mark.slow
def test_workers_are_forked_from_one_thread_and_spawned_beside_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker starts faster; one forked beside another thread could inherit a lock
    held forever, so then workers are spawned. Both ways make the same folders."""
    import multiprocessing
    import threading

    if sys.platform != "linux":
        pytest.skip("workers are forked only on Linux")
    methods: list[str] = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method=None: methods.append(str(method)) or real(method))
    path = _many_rows(tmp_path / "in.csv", 30)
    assert threading.active_count() == 1  # nothing else runs in this test process
    forked = run(str(path), "--out", str(tmp_path / "forked"), "--workers", "2", "--no-log")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        spawned = run(str(path), "--out", str(tmp_path / "spawned"), "--workers", "2",
                      "--no-log")
    finally:
        release.set()
        other.join()
    assert forked.exit_code == spawned.exit_code == 0, forked.output + spawned.output
    assert methods == ["fork", "spawn"]
    assert folders(tmp_path / "forked") == folders(tmp_path / "spawned")
    assert len(folders(tmp_path / "forked")) == 30
    for name in folders(tmp_path / "forked"):
        assert (docx_text(tmp_path / "forked" / name / "letter.docx")
                == docx_text(tmp_path / "spawned" / name / "letter.docx"))


def test_rows_are_flushed_while_written_and_logged_only_after_the_last_flush(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _private_log: Path) -> None:
    # While the workers write, a thread of the batch flushes what they wrote so far; it ends
    # with the batch, and the rows are logged only after one last flush of everything.
    import threading

    import recordskit.documents.batch.run as batch_run
    from recordskit.tracking.sqlite import SqliteLog

    events: list[str] = []
    monkeypatch.setattr(batch_run, "_FLUSH_EVERY", 0.001)
    monkeypatch.setattr(batch_run.os, "sync", lambda: events.append(
        "flush " + threading.current_thread().name))
    real_insert = SqliteLog.insert_requests
    monkeypatch.setattr(SqliteLog, "insert_requests",
                        lambda log, rows: events.append("log") or real_insert(log, rows))
    before = threading.active_count()
    result = run(str(_many_rows(tmp_path / "rows.csv", 30)), "--out", str(tmp_path / "out"),
                 "--workers", "2")
    assert result.exit_code == 0, result.output
    assert threading.active_count() == before
    assert "flush recordskit-flush" in events
    assert events[-2:] == [f"flush {threading.current_thread().name}", "log"]
    assert len(_letters(tmp_path / "out")) == 30


@pytest.mark.parametrize("frozen_by_the_caller", [False, True])
def test_workers_are_forked_with_collection_paused_and_it_resumes(
        tmp_path: Path, frozen_by_the_caller: bool) -> None:
    # The batch sets this process's objects aside from garbage collection while it forks its
    # workers, and puts them back after (a program using the library keeps its own set aside).
    import gc

    rows = _many_rows(tmp_path / "rows.csv", 30)
    if frozen_by_the_caller:
        gc.freeze()
    before = gc.get_freeze_count()
    try:
        result = run(str(rows), "--out", str(tmp_path / "out"), "--workers", "2", "--no-log")
        assert result.exit_code == 0, result.output
        # The caller's set stays set aside (less what the run let go of, such as the language
        # it replaced), and the batch leaves none of its own there.
        after = gc.get_freeze_count()
        assert after <= before and (after > before // 2 if frozen_by_the_caller else after == 0)
    finally:
        gc.unfreeze()
    assert len(_letters(tmp_path / "out")) == 30
    assert before > 0 if frozen_by_the_caller else before == 0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (CI installs it)")
def test_batch_pdfs_come_after_their_docx_by_the_one_writer(tmp_path: Path) -> None:
    """`batch --pdf` makes its PDFs as `new` does (``pdfs_beside``): after the DOCX files,
    whole, never through a link; a re-run makes the missing ones."""
    rows = [row(row_id=f"fam-{n}", **{"requester.name": f"Family {n}"}) for n in range(2)]
    source = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    result = run(str(source), "--out", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    assert "Wrote 4 PDFs." in result.output
    for n in range(2):
        folder = out / f"fam-{n}-bps"
        text = subprocess.run(["pdftotext", str(folder / "letter.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert f"Family {n}" in text
        assert (folder / "schedule.pdf").read_bytes().startswith(b"%PDF")
    assert not list(out.rglob("*.tmp"))
    # A PDF lost since is made again; the others are left as they are
    kept = (out / "fam-1-bps" / "letter.pdf").stat().st_mtime_ns
    (out / "fam-0-bps" / "schedule.pdf").unlink()
    again = run(str(source), "--out", str(out), "--pdf")
    assert again.exit_code == 0, again.output
    assert (out / "fam-0-bps" / "schedule.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "fam-1-bps" / "letter.pdf").stat().st_mtime_ns == kept
    # A letter planted as a link: its PDF is never made from what it points to, nor is
    # anything written through it
    target = tmp_path / "elsewhere.docx"
    target.write_bytes(b"not the family's letter")
    (out / "fam-0-bps" / "schedule.pdf").unlink()
    (out / "fam-0-bps" / "schedule.docx").unlink()
    (out / "fam-0-bps" / "schedule.docx").symlink_to(target)
    linked = run(str(source), "--out", str(out), "--pdf")
    assert linked.exit_code != 0 and "Traceback" not in linked.output
    assert "the PDFs were not made" in linked.output
    assert target.read_bytes() == b"not the family's letter"
    assert not (out / "fam-0-bps" / "schedule.pdf").exists()
