"""What three newcomers hit (a family, a clinic, a volunteer), each as a test that drives the
installed command the way they did: a subprocess of the ``recordskit`` script the install made,
with the test's own home and log (``tests/conftest.py``)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recordskit.intake.rows import COLUMNS, EXAMPLE_ROW

INSTALLED = shutil.which("recordskit", path=str(Path(sys.executable).parent))
pytestmark = [pytest.mark.slow,  # real processes of the installed command
              pytest.mark.skipif(INSTALLED is None, reason="recordskit is not installed")]


def recordskit(*args: str, cwd: Path | None = None, without: tuple[str, ...] = ()
               ) -> subprocess.CompletedProcess[str]:
    assert INSTALLED is not None
    env = {k: v for k, v in os.environ.items() if k not in without}
    return subprocess.run([INSTALLED, *args], capture_output=True, text=True, check=False,
                          cwd=cwd, env={**env, "COLUMNS": "200"})


def rows_file(path: Path, *rows: dict[str, str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for changes in rows:
            writer.writerow({**EXAMPLE_ROW, **changes})
    return path


# --- The clinic --------------------------------------------------------------------------


def test_a_batch_row_sent_months_ago_is_an_error_unless_past(tmp_path: Path) -> None:
    # Today is 2026-06-12 (tests/conftest.py): a row sent on 2026-03-02 was due an answer in
    # March. `new --answers` refuses it without --past; so do `batch` and `batch --check`.
    path = rows_file(tmp_path / "rows.csv", {"row_id": "old", "sent_on": "2026-03-02"},
                     {"row_id": "new", "sent_on": "2026-06-15"})
    checked = recordskit("batch", str(path), "--check")
    assert checked.returncode == 1
    assert "row 2: sent_on: sent_on 2026-03-02: a request sent that day was due an answer by " \
           "2026-03-16, which has passed" in checked.stderr
    assert "(--past)" in checked.stderr
    made = recordskit("batch", str(path), "--out", str(tmp_path / "out"))
    assert made.returncode == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["new-bps"]
    assert "2,old,sent_on," in (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8")
    past = recordskit("batch", str(path), "--out", str(tmp_path / "out"), "--past")
    assert past.returncode == 0, past.stderr
    assert (tmp_path / "out" / "old-bps" / "letter.docx").exists()


def test_the_same_rows_into_another_folder_do_not_move_logged_requests(tmp_path: Path) -> None:
    path = rows_file(tmp_path / "rows.csv", {"row_id": "a", "sent_on": "2026-06-15"})
    first = recordskit("batch", str(path), "--out", str(tmp_path / "first"))
    assert first.returncode == 0, first.stderr
    second = recordskit("batch", str(path), "--out", str(tmp_path / "second"))
    assert second.returncode == 1
    assert "already logged for the folder" in second.stderr
    assert "only with --move" in second.stderr
    assert not (tmp_path / "second" / "a-bps").exists()
    [entry] = json.loads(recordskit("status", "--json").stdout)
    assert entry["folder"].endswith("first/a-bps")
    moved = recordskit("batch", str(path), "--out", str(tmp_path / "second"), "--move")
    assert moved.returncode == 0, moved.stderr
    [entry] = json.loads(recordskit("status", "--json").stdout)
    assert entry["folder"].endswith("second/a-bps")


def test_a_changed_row_not_rewritten_keeps_the_logged_id_in_the_manifest(tmp_path: Path) -> None:
    path = rows_file(tmp_path / "rows.csv", {"row_id": "a", "sent_on": "2026-06-15"})
    assert recordskit("batch", str(path), "--out", str(tmp_path / "out")).returncode == 0
    rows_file(path, {"row_id": "a", "sent_on": "2026-06-16"})  # changed, not rewritten
    again = recordskit("batch", str(path), "--out", str(tmp_path / "out"))
    assert again.returncode == 1 and "changed since" in again.stderr
    manifest = (tmp_path / "out" / "manifest.csv").read_text(encoding="utf-8").splitlines()
    request_id = manifest[1].split(",")[6]
    shown = recordskit("show", request_id)
    assert shown.returncode == 0, shown.stderr  # the id the manifest names is in the log


def test_status_filters_refuse_unknown_values_and_take_translated_words(tmp_path: Path) -> None:
    path = rows_file(tmp_path / "rows.csv", {"row_id": "a", "sent_on": "2026-06-15"})
    made = recordskit("batch", str(path), "--out", str(tmp_path / "out"))
    assert made.returncode == 0, made.stderr
    batch = made.stderr.split("recorded as batch ")[1].split(";")[0]
    assert len(json.loads(recordskit("status", "--json", "--batch", batch).stdout)) == 1
    wrong = recordskit("status", "--state", "sendt")
    assert wrong.returncode == 1
    assert "unknown state 'sendt' (did you mean sent?)" in wrong.stderr
    assert "acknowledged" in wrong.stderr and "Traceback" not in wrong.stderr
    wrong_agency = recordskit("status", "--agency", "bsp")
    assert wrong_agency.returncode == 1 and "did you mean bps?" in wrong_agency.stderr
    spanish = recordskit("status", "--json", "--state", "enviada", "--lang", "es")
    assert spanish.returncode == 0, spanish.stderr
    assert len(json.loads(spanish.stdout)) == 1
    for value in ("sent", "SENT", "fee_estimate"):
        assert recordskit("status", "--state", value).returncode == 0, value


# --- The family --------------------------------------------------------------------------


def answers_file(path: Path, **changes: object) -> Path:
    data: dict[str, object] = {
        "agency": "bps", "records": ["school-police-reports-shared-with-bric"],
        "requester": {"name": "María", "email": "maria@example.org"}, "delivery": "email",
        "sent_on": "2026-06-12", "language": "es"}
    data.update(changes)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_commands_recordskit_prints_run_as_printed(tmp_path: Path) -> None:
    # After the quick start the program is .venv/bin/recordskit, not on PATH: what the tool
    # tells her to type next must run as it is, from where she is.
    assert INSTALLED is not None
    venv = Path(INSTALLED).parent.parent
    typed = os.path.relpath(INSTALLED, venv.parent)
    path = answers_file(tmp_path / "a.json", language="")
    env = {**os.environ, "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    made = subprocess.run([typed, "new", "--answers", str(path), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, check=False, cwd=venv.parent, env=env)
    assert made.returncode == 0, made.stderr
    told = made.stdout.split("to see every deadline: ")[1].split()
    assert told[0] == typed
    shown = subprocess.run(told, capture_output=True, text=True, check=False, cwd=venv.parent,
                           env=env)
    assert shown.returncode == 0, shown.stderr
    assert f"{typed} log " in shown.stdout  # the next step's command, as typed too


def _made(tmp_path: Path, **changes: object) -> str:
    made = recordskit("new", "--answers", str(answers_file(tmp_path / "a.json", **changes)),
                      "--out", str(tmp_path / "r"))
    assert made.returncode == 0, made.stderr
    return made.stdout.split("como solicitud ")[1].split()[0]


def test_logging_and_showing_an_answer_speak_spanish(tmp_path: Path) -> None:
    request = _made(tmp_path)
    logged = recordskit("log", request, "received", "--on", "2026-06-12")
    assert logged.returncode == 0, logged.stderr
    assert "received" not in logged.stdout
    assert "Escribieron que recibieron la solicitud" in logged.stdout
    answered = recordskit("log", request, "response", "--kind", "extension", "--until",
                          "2026-07-31", "--on", "12/06/2026")  # her own way of writing a day
    assert answered.returncode == 0, answered.stderr
    assert "response" not in answered.stdout
    shown = recordskit("show", request).stdout
    for english in ("received", "kind:", "until:", "request_type", "public_records", "fee_waiver"):
        assert english not in shown, english
    assert "Necesitan más tiempo" in shown and "2026-07-31" in shown


def test_a_mistyped_option_is_refused_in_her_language(tmp_path: Path) -> None:
    request = _made(tmp_path)
    kind = recordskit("log", request, "response", "--kind", "prorroga", "--on", "2026-06-12",
                      "--lang", "es")
    assert kind.returncode == 2
    assert "no es una de estas opciones" in kind.stderr and "Invalid value" not in kind.stderr
    day = recordskit("log", request, "received", "--on", "junio 12", "--lang", "es")
    assert day.returncode == 2
    assert "no es una fecha" in day.stderr and "does not match" not in day.stderr


def test_the_calendar_speaks_her_language_and_files_a_student_record_as_one(
        tmp_path: Path) -> None:
    _made(tmp_path)
    written = recordskit("calendar", "--out", str(tmp_path / "all.ics"))
    assert written.returncode == 0, written.stderr
    assert "Escrito" in written.stdout
    calendar = (tmp_path / "all.ics").read_text(encoding="utf-8")
    assert "X-WR-CALNAME:Solicitudes de registros públicos" in calendar
    assert "CATEGORIES:Registros públicos" in calendar and "Public records" not in calendar
    assert "Ley: \r\n" not in calendar and "Ley: \\n" not in calendar
    student = tmp_path / "student"
    student.mkdir()
    made = recordskit("new", "--answers", str(answers_file(
        student / "a.json", request_type="student_records", records=[], requester_role="parent",
        student={"name": "Carlos Pérez", "school": "East Boston High School"}, language="")),
        "--out", str(student / "r"), "--no-log")
    assert made.returncode == 0, made.stderr
    ics = (student / "r" / "schedule.ics").read_text(encoding="utf-8")
    assert "CATEGORIES:Student records" in ics and "Public records" not in ics


def test_new_help_lists_every_file_new_writes(tmp_path: Path) -> None:
    made = recordskit("new", "--answers", str(answers_file(tmp_path / "a.json", language="")),
                      "--out", str(tmp_path / "r"), "--no-log")
    assert made.returncode == 0, made.stderr
    shown = " ".join(recordskit("new", "--help").stdout.split())
    for written in sorted(p.name for p in (tmp_path / "r").iterdir()):
        assert written in shown, written
    assert "letter.pdf" in shown and "schedule.pdf" in shown


# --- The volunteer -------------------------------------------------------------------------


FROZEN = Path(__file__).parent / "data" / "agencies.yaml"


def test_validate_names_conflict_markers(tmp_path: Path) -> None:
    copy = tmp_path / "agencies.yaml"
    lines = FROZEN.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "mailing_address" in line)
    lines[at:at + 1] = ["<<<<<<< HEAD", lines[at], "=======", lines[at], ">>>>>>> theirs"]
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = recordskit("agencies", "validate", str(copy))
    assert checked.returncode == 1
    assert f"{copy}:{at + 1}:1:" in checked.stdout
    assert "merge conflict marker (<<<<<<<)" in checked.stdout
    assert "could not find expected" not in checked.stdout + checked.stderr


def test_validate_says_which_new_records_families_read_in_english(tmp_path: Path) -> None:
    copy = tmp_path / "agencies.yaml"
    text = FROZEN.read_text(encoding="utf-8")
    first = text.index("    records:\n", text.index("id: city-clerk")) + len("    records:\n")
    text = text[:first] + (
        "      - id: volunteer-new-record\n"
        "        title: Records a volunteer just added\n"
        "        description: Every record a volunteer just added to the catalog.\n"
        "        why: Shows that a new record is noticed.\n") + text[first:]
    copy.write_text(text, encoding="utf-8")
    checked = recordskit("agencies", "validate", str(copy))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ("agencies[city-clerk].records[volunteer-new-record]: its title and why have no "
            "translation in es, ht") in checked.stdout
    assert "trust-act-annual-reports" not in checked.stdout  # translated ones are not named


def test_two_volunteers_edits_to_one_agency_merge(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(FROZEN.read_text(encoding="utf-8"), encoding="utf-8")
    ours, theirs = tmp_path / "ours.yaml", tmp_path / "theirs.yaml"
    for copy, change in ((ours, "records_officer.office=Records Unit"),
                         (theirs, "records_officer.fax=617-635-4999")):
        copy.write_bytes(base.read_bytes())
        edited = recordskit("agencies", "edit", "city-clerk", str(copy), "--set", change,
                            "--yes")
        assert edited.returncode == 0, edited.stderr
    merged = subprocess.run(["git", "merge-file", "-p", str(ours), str(base), str(theirs)],
                            capture_output=True, text=True, check=False)
    assert merged.returncode == 0, merged.stdout  # no conflict
    assert "office: Records Unit" in merged.stdout and "617-635-4999" in merged.stdout


def test_an_email_set_becomes_a_way_of_sending(tmp_path: Path) -> None:
    copy = tmp_path / "agencies.yaml"
    copy.write_bytes(FROZEN.read_bytes())
    edited = recordskit("agencies", "edit", "city-clerk", str(copy), "--set",
                        "records_officer.email=clerk@boston.example.gov", "--yes")
    assert edited.returncode == 0, edited.stderr
    shown = recordskit("--agencies", str(copy), "agencies", "show", "city-clerk")
    assert "clerk@boston.example.gov" in shown.stdout
    import yaml

    clerk = next(a for a in yaml.safe_load(copy.read_text(encoding="utf-8"))["agencies"]
                 if a["id"] == "city-clerk")
    assert clerk["delivery"] == ["portal", "mail", "hand", "email"]


def test_update_in_a_checkout_says_to_take_the_release_with_git(tmp_path: Path) -> None:
    checkout = Path(__file__).resolve().parent.parent
    refused = recordskit("agencies", "update", cwd=checkout, without=("RECORDSKIT_AGENCIES",))
    assert refused.returncode == 1
    assert "git pull" in refused.stderr and "no copy made by" not in refused.stderr
