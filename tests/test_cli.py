"""The command line, through click's runner and as the installed command."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from prompt_toolkit.input.base import PipeInput

from recordskit.cli import cli
from tests.conftest import DOWN, ENTER, SPACE, docx_text

Answers = Callable[..., dict[str, Any]]


def _answers_file(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_new_from_answers(tmp_path: Path, answers: Answers) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["new", "--answers", str(_answers_file(tmp_path, answers())),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "answers.yaml", "email.eml", "how_to_send.txt", "letter.docx", "schedule.csv",
        "schedule.docx", "schedule.ics", "summary.docx"]
    assert "Response due from BPS" in result.output
    assert "June 30, 2026" in result.output
    assert "Dear Records Access Officer:" in docx_text(out / "letter.docx")


def test_never_overwrites_without_force(tmp_path: Path, answers: Answers) -> None:
    out = tmp_path / "out"
    path = _answers_file(tmp_path, answers())
    first = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(out)])
    assert first.exit_code == 0
    letter = (out / "letter.docx").read_bytes()
    (out / "schedule.csv").write_text("my notes")
    _answers_file(tmp_path, answers(sent_on="2026-07-01"))
    again = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(out)])
    assert again.exit_code == 1
    assert "already holds letter.docx, email.eml, how_to_send.txt, summary.docx, " \
           "schedule.docx, schedule.csv, schedule.ics, answers.yaml; nothing was written" \
        in again.output
    assert (out / "schedule.csv").read_text() == "my notes"
    assert (out / "letter.docx").read_bytes() == letter
    forced = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(out), "--force"])
    assert forced.exit_code == 0
    assert (out / "schedule.csv").read_text().startswith("date,event,description,citation")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_request_made_again_in_its_folder_replaces_the_logged_one(
        tmp_path: Path, answers: Answers) -> None:
    # Made, then made again in the same folder with a corrected sending day (--force): the
    # folder's files are the new request's, so the log holds one open request for it, not two
    # with two sets of reminders. The replaced one can be restored with the undo it names.
    from recordskit.service import open_log

    out = tmp_path / "out"
    path = _answers_file(tmp_path, answers())
    assert CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(out)]
                              ).exit_code == 0
    [first] = open_log().all()
    _answers_file(tmp_path, answers(sent_on="2026-06-15"))
    again = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(out),
                                     "--force"])
    assert again.exit_code == 0, again.output
    shown = " ".join(again.output.split())
    assert f"Request {first.id} was logged for this folder before" in shown
    undo = shown.split("If it was sent and still stands: ")[1].strip()
    assert undo.startswith(f"recordskit undo {first.id} ")
    status = CliRunner().invoke(cli, ["status", "--json"])
    assert [r["sent_on"] for r in yaml.safe_load(status.output)] == ["2026-06-15"]
    assert "replaced by request" in open_log().get(first.id).events[-1].details.note
    # The same answers again: the same request, nothing withdrawn.
    same = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(out),
                                    "--force"])
    assert same.exit_code == 0 and "logged for this folder before" not in same.output
    restored = CliRunner().invoke(cli, undo.split()[1:])
    assert restored.exit_code == 0, restored.output
    status = CliRunner().invoke(cli, ["status", "--json"])
    assert sorted(r["sent_on"] for r in yaml.safe_load(status.output)) == [
        "2026-06-12", "2026-06-15"]


def test_the_first_request_on_a_computer_makes_its_log(
        tmp_path: Path, answers: Answers, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new user: not even the log's folder exists yet (each test's own log folder does).
    monkeypatch.setenv("RECORDSKIT_HOME", str(tmp_path / "new-user" / "recordskit"))
    made = CliRunner().invoke(cli, ["new", "--answers", str(_answers_file(tmp_path, answers())),
                                    "--out", str(tmp_path / "out")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "new-user" / "recordskit" / "requests.sqlite3").is_file()


def test_default_folder_never_collides(tmp_path: Path, answers: Answers,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = _answers_file(tmp_path, answers())
    for _ in range(2):
        assert CliRunner().invoke(cli, ["new", "--answers", str(path)]).exit_code == 0
    assert (tmp_path / "request-bps-2026-06-12" / "letter.docx").exists()
    assert (tmp_path / "request-bps-2026-06-12-2" / "letter.docx").exists()


def test_bad_answers_are_a_message_not_a_traceback(tmp_path: Path, answers: Answers) -> None:
    path = _answers_file(tmp_path, answers(agency="ice", colour="blue"))
    result = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                      str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"Error: {path}:" in result.output
    assert "agency: unknown agency 'ice'" in result.output
    assert "colour: unknown key 'colour'" in result.output
    assert not (tmp_path / "o").exists()


def test_no_terminal_no_answers(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "the interview needs a terminal" in result.output
    assert "recordskit new --answers answers.yaml --out FOLDER" in result.output


def test_interactive_new(tmp_path: Path, keys: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:
    import recordskit.cli.app

    monkeypatch.setattr(recordskit.cli.app, "has_terminal", lambda: True)
    keys.send_text("".join([
        ENTER,                             # public records
        DOWN, DOWN, ENTER,                 # City Clerk
        SPACE, ENTER, ENTER, ENTER, ENTER,  # Trust Act reports; no own words; no dates
        "Lee", ENTER, "Clinic & Co", ENTER, "lee@example.org", ENTER, ENTER, ENTER,
        ENTER, ENTER, ENTER, ENTER, ENTER,  # portal, today, no waiver, 0, electronic
        ENTER,                             # my own details on the letter
        "y",
    ]))
    keys.close()
    out = tmp_path / "clerk"
    result = CliRunner().invoke(cli, ["new", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = docx_text(out / "letter.docx")
    assert "Office of the City Clerk, City of Boston" in text
    assert "The Police Commissioner's Trust Act reports." in text
    assert "Lee\nClinic & Co\nlee@example.org" in text


def test_agencies_list_and_show() -> None:
    listed = CliRunner().invoke(cli, ["agencies", "list"])
    assert listed.exit_code == 0
    for agency_id in ("bps", "bpd", "city-clerk", "supervisor-of-records"):
        assert agency_id in listed.output
    shown = CliRunner().invoke(cli, ["agencies", "show", "bpd"])
    assert shown.exit_code == 0
    assert "One Schroeder Plaza, Boston, MA 02120" in shown.output
    assert "bric-federal-user-audit-logs" in shown.output
    assert "(checked 2015-02-20)" in shown.output
    missing = CliRunner().invoke(cli, ["agencies", "show", "ice"])
    assert missing.exit_code == 1
    assert "no agency has id 'ice'; expected one of: bps, bpd" in missing.output


def test_broken_directory_option(tmp_path: Path) -> None:
    broken = tmp_path / "agencies.yaml"
    broken.write_text("agencies: []\n")
    result = CliRunner().invoke(cli, ["--agencies", str(broken), "agencies", "list"])
    assert result.exit_code == 1
    assert f"{broken}:1:11: agencies: is empty" in result.output


def test_help_imports_no_heavy_library() -> None:
    code = ("import sys; from recordskit.cli import main; sys.argv=['recordskit','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('docxtpl','docx','holidays','questionary','icalendar','rich',"
            "'pydantic','prompt_toolkit') if m in sys.modules]\nprint('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert "HEAVY []" in result.stdout


def test_python_dash_m() -> None:
    result = subprocess.run([sys.executable, "-m", "recordskit", "--version"],
                            capture_output=True, text=True, check=True)
    assert "version" in result.stdout


INSTALLED = shutil.which("recordskit", path=str(Path(sys.executable).parent)) or shutil.which(
    "recordskit")


@pytest.mark.slow
@pytest.mark.skipif(INSTALLED is None, reason="the recordskit command is not installed")
def test_installed_command(tmp_path: Path, answers: Answers) -> None:
    assert INSTALLED is not None
    path = _answers_file(tmp_path, answers(agency="bpd", records=["ice-requests-and-responses"],
                                            delivery="mail", requester__mailing_address="1 Elm"))
    out = tmp_path / "bpd"
    result = subprocess.run([INSTALLED, "new", "--answers", str(path), "--out", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "ICE requests to BPD and BPD's answers." in docx_text(out / "letter.docx")
    closed = subprocess.run([INSTALLED, "new"], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, check=False)
    assert closed.returncode == 1
    assert "Traceback" not in closed.stderr
    assert "the interview needs a terminal" in closed.stderr


def test_a_past_sent_on_from_a_file_needs_past(tmp_path: Path, answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(sent_on="2026-04-01")), encoding="utf-8")
    refused = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                       str(tmp_path / "o"), "--no-log"])
    assert refused.exit_code == 1
    assert "Error: sent_on 2026-04-01: a request sent that day was due an answer by " \
           "2026-04-15, which has passed. If it really was sent then, say so; if not, give the " \
           "day you will send it (--past)" in refused.output
    assert not (tmp_path / "o").exists()
    made = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(tmp_path / "o"),
                                    "--no-log", "--past"])
    assert made.exit_code == 0, made.output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed (CI installs it)")
def test_ctrl_c_while_the_pdfs_are_made_says_what_was_written(tmp_path: Path, answers: Answers,
                                                              _private_log: Path) -> None:
    """The letters are written before LibreOffice starts: Ctrl-C then must not say that
    nothing was written."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "recordskit", "new", "--answers",
         str(_answers_file(tmp_path, answers())), "--out", str(out), "--pdf"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "RECORDSKIT_HOME": str(_private_log)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out / "answers.yaml").exists():
        time.sleep(0.01)
    time.sleep(0.2)  # LibreOffice is starting
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("LibreOffice finished before the interrupt")
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == (
        f"Cancelled. The other files were written in {out}; only the PDFs were not made."), stderr
    assert (out / "letter.docx").is_file() and not (out / "letter.pdf").exists()


@pytest.mark.parametrize(("given", "period"), [
    ({"date_from": "2019-01-01"}, "from January 1, 2019 to the date of this request"),
    ({"date_to": "2013-06-30"}, "through June 30, 2013"),
    ({"date_to": "2016-06-30"}, "from January 1, 2014 through June 30, 2016"),
    ({"date_from": "2016-01-01"}, "from January 1, 2016 through December 31, 2018"),
    ({}, "from January 1, 2014 through December 31, 2018"),
])
def test_a_period_the_family_gives_is_never_turned_backwards(
        tmp_path: Path, answers: Answers, given: dict[str, str], period: str) -> None:
    """The catalog's usual period fills an end the family leaves open only where the period
    stays in order (the clinic's trial: from 2019 "through December 31, 2018")."""
    data = answers(agency="bps", records=["school-police-reports-shared-with-bric"],
                   other_records="", **given)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["new", "--answers", str(_answers_file(tmp_path, data)),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(docx_text(out / "letter.docx").split())
    assert f"Period: {period}" in text
