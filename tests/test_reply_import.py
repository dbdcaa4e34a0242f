"""When the agency answers: `reply read`, and `log ID reply` from the reply to the schedule.

Every date below was counted by hand on a printed calendar (Boston's: Christmas Day and New
Year's Day closed, Evacuation Day counted closed by assumption, Memorial Day closed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from prompt_toolkit.input.base import PipeInput

from recordskit.cli import cli
from recordskit.logged import EventDetailsError, parse_details
from recordskit.service import REPLY_WORDS as KIND_WORDS
from recordskit.service import Received, ReplyKind, Response, open_log, stored_details
from tests.conftest import DOWN, ENTER

Answers = Callable[..., dict[str, Any]]
CORPUS = Path(__file__).resolve().parent / "data" / "replies"


def run(*args: str, today: str | None = None, stdin: bytes | None = None) -> Result:
    env = {"RECORDSKIT_TODAY": today} if today else {}
    return CliRunner().invoke(cli, list(args), env=env, input=stdin)


def request(tmp_path: Path, answers: Answers, *, agency: str, sent_on: str,
            delivery: str, record: str) -> tuple[str, Path]:
    """A logged request made on ``sent_on`` (that day taken as today), and its folder."""
    path = tmp_path / f"{agency}-answers.yaml"
    path.write_text(yaml.safe_dump(answers(agency=agency, sent_on=sent_on, delivery=delivery,
                                           records=[record])), encoding="utf-8")
    folder = tmp_path / f"{agency}-request"
    made = run("new", "--answers", str(path), "--out", str(folder), today=sent_on)
    assert made.exit_code == 0, made.output
    [logged] = [r for r in open_log().all() if r.folder == str(folder.resolve())]
    return logged.id, folder


def clerk(tmp_path: Path, answers: Answers, sent_on: str) -> tuple[str, Path]:
    return request(tmp_path, answers, agency="city-clerk", sent_on=sent_on, delivery="portal",
                   record="trust-act-annual-reports")


def police(tmp_path: Path, answers: Answers, sent_on: str) -> tuple[str, Path]:
    return request(tmp_path, answers, agency="bpd", sent_on=sent_on, delivery="hand",
                   record="bric-federal-access-rules")


def schedule(request_id: str, today: str) -> dict[str, dict[str, str]]:
    result = run("status", "--json", "--all", today=today)
    assert result.exit_code == 0, result.output
    [entry] = [e for e in json.loads(result.output) if e["id"] == request_id]
    found: dict[str, dict[str, str]] = {}
    for item in entry["schedule"]:
        found.setdefault(item["event"], item)
    return found


def events(request_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(e.event.value, e.on_date.isoformat(), stored_details(e.details))
            for e in open_log().get(request_id).events]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- The round trip: reply -> events -> schedule ----------------------------------------------


@pytest.mark.usefixtures("backend")
def test_boston_acknowledgment_on_a_sunday_night(tmp_path: Path, answers: Answers) -> None:
    """R004372-120323: received Sunday 12/3/2023 10:37:21 PM. Logged on the Sunday, as stated;
    counted from Monday December 4; ten business days later: Monday December 18."""
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    reply = CORPUS / "city_ack_sunday_night.txt"
    result = run("log", request_id, "reply", str(reply), "--yes", today="2023-12-06")
    assert result.exit_code == 0, result.output
    assert "22:37 on Sunday, December 3, 2023" in result.output
    assert "the schedule counts from Monday, December 4, 2023" in result.output
    assert "“Your request was received in this office on 12/3/2023 10:37:21 PM" in result.output
    kept = folder / "replies" / "2023-12-06-1.txt"
    assert kept.read_bytes() == reply.read_bytes()  # byte for byte
    assert events(request_id) == [("received", "2023-12-03", {
        "tracking": "R004372-120323", "source": "reply", "reply": "replies/2023-12-06-1.txt",
        "sha256": sha(reply)})]
    dates = schedule(request_id, "2023-12-06")
    assert dates["received"]["date"] == "2023-12-04"
    assert dates["received"]["basis"] == "stated by the agency"
    assert "stated in its reply that it received the request on 2023-12-03 (reference " \
           "R004372-120323)" in dates["received"]["description"]
    assert dates["response_due"]["date"] == "2023-12-18"
    shown = run("show", request_id, today="2023-12-06")
    assert "R004372-120323" in shown.output
    # The same reply again logs nothing and keeps nothing more
    again = run("log", request_id, "reply", str(reply), "--yes", today="2023-12-06")
    assert again.exit_code == 1
    assert "this reply was already logged, as event 1" in again.output
    assert sorted(p.name for p in (folder / "replies").iterdir()) == ["2023-12-06-1.txt"]


def test_christmas_eve_after_hours_is_not_moved(tmp_path: Path, answers: Answers) -> None:
    """R005348-122424: received Tuesday 12/24/2024 8:15:11 PM, a business day. The stated day
    is kept: counting starts Thursday December 26 (Christmas closed): 26, 27, 30, 31, (New
    Year's Day closed) 2, 3, 6, 7, 8, 9: due Thursday January 9, 2025."""
    request_id, folder = clerk(tmp_path, answers, "2024-12-24")
    reply = CORPUS / "city_ack_christmas_eve.eml"
    result = run("log", request_id, "reply", str(reply), "--yes", today="2024-12-27")
    assert result.exit_code == 0, result.output
    assert "The agency's own system stated the time it received your request: 20:15" \
        in result.output
    assert "recordskit logs the day the agency stated and does not move it" in result.output
    assert events(request_id)[0][:2] == ("received", "2024-12-24")
    assert (folder / "replies" / "2024-12-24-1.eml").read_bytes() == reply.read_bytes()
    dates = schedule(request_id, "2024-12-27")
    assert dates["received"]["date"] == "2024-12-24"
    assert dates["response_due"]["date"] == "2025-01-09"


def test_a_receipt_stated_on_a_suffolk_day(tmp_path: Path, answers: Answers) -> None:
    """Monday March 17, 2025 is Evacuation Day, counted closed by assumption: the receipt
    counts from Tuesday March 18; 19, 20, 21, 24-28, 31, April 1: due Tuesday April 1."""
    request_id, _folder = clerk(tmp_path, answers, "2025-03-14")
    reply = tmp_path / "ack.txt"
    reply.write_text(
        "From: City Of Boston -- Public Records Access Officer\n\nDear Requester, Thank you "
        "for your interest in public records of City of Boston. Your request has been received "
        "and is being processed. Your request was received in this office on 3/17/2025 "
        "9:05:00 AM and given the reference number R001234-031725 for tracking purposes.\n",
        encoding="utf-8")
    result = run("log", request_id, "reply", str(reply), "--yes", today="2025-03-20")
    assert result.exit_code == 0, result.output
    assert "(Evacuation Day) as a day the office is closed, which is an assumption" \
        in result.output
    assert events(request_id)[0][:2] == ("received", "2025-03-17")
    dates = schedule(request_id, "2025-03-20")
    assert dates["received"]["date"] == "2025-03-18"
    assert dates["response_due"]["date"] == "2025-04-01"


@pytest.mark.usefixtures("backend")
def test_an_extension_past_the_limit(tmp_path: Path, answers: Answers) -> None:
    """B001241-042524: received Thursday April 25, 2024; extension of May 8 to June 14. The
    response was due May 9 (26, 29, 30, May 1, 2, 3, 6, 7, 8, 9); the latest production date
    was May 31 (25 business days, Memorial Day May 27 closed): June 14 is past it."""
    request_id, folder = police(tmp_path, answers, "2024-04-24")
    reply = CORPUS / "extension_bpd.eml"
    result = run("log", request_id, "reply", str(reply), "--yes", today="2024-05-10")
    assert result.exit_code == 0, result.output
    assert "The records are to come by Friday, June 14, 2024." in result.output
    name = "replies/2024-05-08-1.eml"
    assert events(request_id) == [
        ("received", "2024-04-25", {"tracking": "B001241-042524", "source": "reply",
                                    "reply": name, "sha256": sha(reply)}),
        ("response", "2024-05-08", {"kind": "extension", "until": "2024-06-14",
                                    "source": "reply", "reply": name, "sha256": sha(reply)}),
    ]
    assert (folder / name).read_bytes() == reply.read_bytes()
    dates = schedule(request_id, "2024-05-10")
    assert dates["received"]["date"] == "2024-04-25"
    assert dates["response_due"]["date"] == "2024-05-09"
    assert dates["production_due_max"]["date"] == "2024-05-31"
    assert dates["production_due"]["date"] == "2024-06-14"
    entry = json.loads(run("status", "--json", today="2024-05-10").output)[0]
    assert "BPD set 2024-06-14 for production, later than 2024-05-31" in entry["warnings"][0]


def test_a_refusal_with_exemptions(tmp_path: Path, answers: Answers) -> None:
    """B000357-020525, refused Thursday February 20, 2025: 90 calendar days to appeal, to
    Wednesday May 21, 2025 (8 in February, 31, 30, 21)."""
    request_id, _folder = police(tmp_path, answers, "2025-02-05")
    reply = CORPUS / "denied_exemptions.eml"
    result = run("log", request_id, "reply", str(reply), "--yes", today="2025-02-21")
    assert result.exit_code == 0, result.output
    [(event, on, details)] = events(request_id)
    assert (event, on, details["kind"], details["tracking"]) == (
        "response", "2025-02-20", "denied", "B000357-020525")
    assert "no_exemption" not in details  # it names exemptions
    dates = [item["date"] for item in json.loads(run(
        "status", "--json", today="2025-02-21").output)[0]["schedule"]
        if item["event"].startswith("appeal_deadline")]
    assert "2025-05-21" in dates


def test_the_appeal_encloses_the_reply_as_it_came(tmp_path: Path, answers: Answers) -> None:
    """The refusal read from its email, then the appeal: the packet encloses the email byte
    for byte (the response appealed, whole, with its headers) and its checklist says so."""
    request_id, folder = police(tmp_path, answers, "2025-02-05")
    reply = CORPUS / "denied_exemptions.eml"
    assert run("log", request_id, "reply", str(reply), "--yes", today="2025-02-21").exit_code == 0
    appeal = tmp_path / "appeal"
    made = run("appeal", request_id, "--out", str(appeal), "--objection",
               "The exemptions do not apply to the policy records asked for.",
               today="2025-02-24")
    assert made.exit_code == 0, made.output
    [enclosed] = sorted(appeal.glob("reply-*.eml"))
    assert enclosed.read_bytes() == reply.read_bytes()
    checklist = (appeal / "appeal_checklist.txt").read_text(encoding="utf-8")
    assert f"Attach {enclosed.name} (in this folder)" in checklist
    assert f"enclosed as {enclosed.name}" in checklist
    # A reply changed since it was kept is not enclosed as if it were the agency's
    [kept] = (folder / "replies").iterdir()
    kept.write_bytes(kept.read_bytes() + b"\nedited")
    again = run("appeal", request_id, "--out", str(tmp_path / "again"), "--objection", "x",
                today="2025-02-24")
    assert again.exit_code == 0, again.output
    assert not list((tmp_path / "again").glob("reply-*.eml"))


def test_a_closure_for_inactivity(tmp_path: Path, answers: Answers) -> None:
    """R001187-031522, closed Thursday June 23, 2022 for "no recent activity": a response
    that can be appealed until Wednesday September 21, 2022 (7, 31, 31, 21)."""
    request_id, _folder = clerk(tmp_path, answers, "2022-03-15")
    reply = CORPUS / "closure_inactivity.eml"
    result = run("log", request_id, "reply", str(reply), "--yes", today="2022-06-24")
    assert result.exit_code == 0, result.output
    assert "They closed the request for no recent activity" in result.output
    [(event, on, details)] = events(request_id)
    assert (event, on, details["kind"], details["tracking"]) == (
        "response", "2022-06-23", "closed_inactive", "R001187-031522")
    entry = json.loads(run("status", "--json", today="2022-06-24").output)[0]
    assert "2022-09-21" in [item["date"] for item in entry["schedule"]
                            if item["event"].startswith("appeal_deadline")]


# --- Asking, with real key presses ------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import recordskit.cli.app

    monkeypatch.setattr(recordskit.cli.app, "has_terminal", lambda: True)


@pytest.mark.usefixtures("terminal")
def test_confirmed_with_keys(tmp_path: Path, answers: Answers, keys: PipeInput) -> None:
    request_id, _folder = police(tmp_path, answers, "2024-04-24")
    keys.send_text(ENTER + ENTER)  # log the receipt; log the extension
    keys.close()
    result = run("log", request_id, "reply", str(CORPUS / "extension_bpd.eml"),
                 today="2024-05-10")
    assert result.exit_code == 0, result.output
    assert [e[:2] for e in events(request_id)] == [("received", "2024-04-25"),
                                                  ("response", "2024-05-08")]
    assert schedule(request_id, "2024-05-10")["production_due"]["date"] == "2024-06-14"


@pytest.mark.usefixtures("terminal")
def test_a_changed_date_is_logged_as_the_person_gave_it(tmp_path: Path, answers: Answers,
                                                        keys: PipeInput) -> None:
    request_id, _folder = clerk(tmp_path, answers, "2023-12-01")
    # "Yes, on another date", then the date typed over the proposed one
    keys.send_text(DOWN + ENTER + "\x7f" * 10 + "2023-12-04" + ENTER)
    keys.close()
    result = run("log", request_id, "reply", str(CORPUS / "city_ack_sunday_night.txt"),
                 today="2023-12-06")
    assert result.exit_code == 0, result.output
    [(event, on, details)] = events(request_id)
    assert (event, on) == ("received", "2023-12-04")
    assert "source" not in details  # a person's date, not the agency's
    assert schedule(request_id, "2023-12-06")["received"]["basis"] == "logged"


@pytest.mark.usefixtures("terminal")
def test_saying_no_logs_nothing(tmp_path: Path, answers: Answers, keys: PipeInput) -> None:
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    keys.send_text(DOWN + DOWN + ENTER)  # "No, do not log it"
    keys.close()
    result = run("log", request_id, "reply", str(CORPUS / "city_ack_sunday_night.txt"),
                 today="2023-12-06")
    assert result.exit_code == 0, result.output
    assert "Nothing was logged, and the reply was not kept." in result.output
    assert events(request_id) == []
    assert not (folder / "replies").exists()


@pytest.mark.usefixtures("terminal")
def test_an_unsure_kind_is_asked_not_guessed(tmp_path: Path, answers: Answers,
                                              keys: PipeInput) -> None:
    request_id, _folder = clerk(tmp_path, answers, "2024-11-15")
    reply = CORPUS / "unsure_status_or_fee.txt"
    # The candidates first (fee estimate best); the day it came (no date in pasted text); yes
    keys.send_text(ENTER + "\x7f" * 10 + "2024-11-20" + ENTER + ENTER)
    keys.close()
    result = run("log", request_id, "reply", str(reply), today="2024-11-22")
    assert result.exit_code == 0, result.output
    assert "recordskit is not sure what this reply is" in result.output
    [(event, on, details)] = events(request_id)
    assert (event, on, details["kind"]) == ("response", "2024-11-20", "fee_estimate")


def test_an_unsure_kind_with_yes_is_refused(tmp_path: Path, answers: Answers) -> None:
    request_id, folder = clerk(tmp_path, answers, "2024-11-15")
    reply = str(CORPUS / "unsure_status_or_fee.txt")
    refused = run("log", request_id, "reply", reply, "--yes", today="2024-11-22")
    assert refused.exit_code == 1
    assert "not sure what this reply is (it could be: fee_estimate" in refused.output
    assert "Choose with --kind" in refused.output
    undated = run("log", request_id, "reply", reply, "--yes", "--kind", "fee_estimate",
                  today="2024-11-22")
    assert undated.exit_code == 1
    assert "Give the day it came with --on" in undated.output
    assert events(request_id) == [] and not (folder / "replies").exists()
    chosen = run("log", request_id, "reply", reply, "--yes", "--kind", "fee_estimate", "--on",
                 "2024-11-20", today="2024-11-22")
    assert chosen.exit_code == 0, chosen.output
    assert events(request_id)[0][2]["kind"] == "fee_estimate"


def test_no_terminal_without_yes_logs_nothing(tmp_path: Path, answers: Answers) -> None:
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    result = run("log", request_id, "reply", str(CORPUS / "city_ack_sunday_night.txt"),
                 today="2023-12-06")
    assert result.exit_code == 1
    assert "answering needs a terminal; nothing was logged" in result.output
    assert events(request_id) == [] and not (folder / "replies").exists()


# --- reply read ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.iterdir()
                                        if p.suffix in (".eml", ".txt")),
                         ids=lambda path: path.name)
def test_reply_read_json_on_the_corpus(path: Path) -> None:
    expected = json.loads((CORPUS / f"{path.name}.expected.json").read_text(encoding="utf-8"))
    result = run("reply", "read", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == expected["kind"]
    assert data["best_guess"] == expected["best_guess"]
    assert [r["number"] for r in data["references"]] == expected["references"]
    assert data["sha256"] == sha(path)
    assert data["requests"] == []


def test_reply_read_in_words_and_the_request_it_answers(tmp_path: Path,
                                                         answers: Answers) -> None:
    request_id, _folder = police(tmp_path, answers, "2024-04-24")
    unsure = run("reply", "read", str(CORPUS / "ambiguous.txt"))
    assert unsure.exit_code == 0, unsure.output
    assert "recordskit is not sure what this reply is" in unsure.output
    # By agency and date: BPD's address, a request sent before the reply
    reply = str(CORPUS / "extension_bpd.eml")
    read = run("reply", "read", reply, "--json")
    assert [(m["id"], m["how"]) for m in json.loads(read.output)["requests"]] == [
        (request_id, "agency")]
    worded = run("reply", "read", reply)
    assert "What it is: They need more time." in worded.output
    assert "“The Department anticipates producing the records on or before June 14, 2024.”" \
        in worded.output
    assert f"log {request_id} reply {reply}" in worded.output
    # By reference, once the receipt holding it is logged
    assert run("log", request_id, "received", "--on", "2024-04-25", "--tracking",
               "B001241-042524", today="2024-05-10").exit_code == 0
    read = run("reply", "read", reply, "--json")
    assert json.loads(read.output)["requests"][0] == {
        "id": request_id, "agency": "bpd", "sent_on": "2024-04-24", "how": "reference",
        "matched": "B001241-042524"}


def test_standard_input(tmp_path: Path, answers: Answers) -> None:
    reply = (CORPUS / "city_ack_sunday_night.txt").read_bytes()
    read = run("reply", "read", "-", "--json", stdin=reply)
    assert read.exit_code == 0, read.output
    assert json.loads(read.output)["source"] == "<stdin>"
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    logged = run("log", request_id, "reply", "-", "--yes", stdin=reply, today="2023-12-06")
    assert logged.exit_code == 0, logged.output
    assert (folder / "replies" / "2023-12-06-1.txt").read_bytes() == reply


def test_standard_input_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_BYTES", "1000")
    result = run("reply", "read", "-", stdin=b"Your request was received. " * 100)
    assert result.exit_code == 1
    assert "the input is over the limit of 1,000 bytes" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("content", "message"), [
    (None, "file not found"),
    (b"", "is empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not an email or text"),
    (("From: a@example.org\nMIME-Version: 1.0\n"
      + "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(12))
      + "Content-Type: text/plain\n\nno responsive records\n"
      + "".join(f"\n--b{i}--\n" for i in reversed(range(12)))).encode(), "mime nesting"),
], ids=["missing", "empty", "pdf", "deep-mime"])
def test_bad_files_are_clear_errors_and_log_nothing(tmp_path: Path, answers: Answers,
                                                    content: bytes | None,
                                                    message: str) -> None:
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    path = tmp_path / "reply.eml"
    if content is not None:
        path.write_bytes(content)
    for args in (("reply", "read", str(path)),
                 ("log", request_id, "reply", str(path), "--yes")):
        result = run(*args, today="2023-12-06")
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ")
        assert message in result.output.lower() or message in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert events(request_id) == [] and not (folder / "replies").exists()


def test_a_folder_is_not_a_reply(tmp_path: Path) -> None:
    result = run("reply", "read", str(tmp_path))
    assert result.exit_code == 1
    assert "is a folder" in result.output


def test_a_linked_replies_folder_is_refused(tmp_path: Path, answers: Answers) -> None:
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "replies").symlink_to(elsewhere)
    result = run("log", request_id, "reply", str(CORPUS / "city_ack_sunday_night.txt"), "--yes",
                 today="2023-12-06")
    assert result.exit_code == 1
    assert "is not a plain folder; nothing was written or logged" in result.output
    assert list(elsewhere.iterdir()) == [] and events(request_id) == []


def test_an_existing_file_is_never_replaced(tmp_path: Path, answers: Answers) -> None:
    request_id, folder = clerk(tmp_path, answers, "2023-12-01")
    (folder / "replies").mkdir()
    (folder / "replies" / "2023-12-06-1.txt").write_bytes(b"mine")
    result = run("log", request_id, "reply", str(CORPUS / "city_ack_sunday_night.txt"), "--yes",
                 today="2023-12-06")
    assert result.exit_code == 0, result.output
    assert (folder / "replies" / "2023-12-06-1.txt").read_bytes() == b"mine"
    assert events(request_id)[0][2]["reply"] == "replies/2023-12-06-2.txt"


def test_an_event_that_cannot_be_logged_keeps_nothing(tmp_path: Path, answers: Answers) -> None:
    """A reply dated before the request was sent is refused before anything is written."""
    request_id, folder = police(tmp_path, answers, "2024-05-09")
    result = run("log", request_id, "reply", str(CORPUS / "extension_bpd.eml"), "--yes",
                 today="2024-05-10")
    assert result.exit_code == 1
    assert "the request was sent on 2024-05-09" in result.output
    assert events(request_id) == [] and not (folder / "replies").exists()


# --- The installed script, the types, the words ---------------------------------------------


def test_the_installed_script(tmp_path: Path, answers: Answers) -> None:
    script = shutil.which("recordskit", path=str(Path(sys.executable).parent))
    assert script is not None
    request_id, _folder = clerk(tmp_path, answers, "2023-12-01")
    env = {**os.environ, "RECORDSKIT_TODAY": "2023-12-06"}
    reply = CORPUS / "city_ack_sunday_night.txt"
    read = subprocess.run([script, "reply", "read", "-", "--json"], input=reply.read_bytes(),
                          capture_output=True, env=env, check=False, timeout=120)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["requests"] == []  # no reference logged, no agency named
    logged = subprocess.run([script, "log", request_id, "reply", str(reply), "--yes"],
                            capture_output=True, env=env, check=False, timeout=120)
    assert logged.returncode == 0, logged.stderr
    assert events(request_id)[0][2]["sha256"] == sha(reply)
    bad = subprocess.run([script, "reply", "read", str(tmp_path / "none.eml")],
                         capture_output=True, env=env, check=False, timeout=120)
    assert bad.returncode == 1
    assert b"Traceback" not in bad.stderr and b"file not found" in bad.stderr


def test_old_events_are_stored_as_before() -> None:
    assert stored_details(Received(tracking="R004625-112426")) == {"tracking": "R004625-112426"}
    denied = parse_details("response", {"kind": "denied"})
    assert isinstance(denied, Response) and stored_details(denied) == {"kind": "denied"}
    kept = parse_details("received", {"source": "reply", "reply": "replies/a.eml",
                                      "sha256": "0" * 64})
    assert isinstance(kept, Received) and kept.source == "reply"
    with pytest.raises(EventDetailsError, match="sha256"):
        parse_details("received", {"sha256": "not a hash"})
    with pytest.raises(EventDetailsError, match="source"):
        parse_details("response", {"kind": "denied", "source": "guess"})


def test_every_kind_of_reply_has_words() -> None:
    assert set(KIND_WORDS) == {kind.value for kind in ReplyKind}


def test_an_extension_without_a_date_is_not_logged_without_one(tmp_path: Path,
                                                               answers: Answers) -> None:
    request_id, folder = police(tmp_path, answers, "2024-04-24")
    reply = tmp_path / "more-time.txt"
    reply.write_text("From: BPD Office of the Legal Advisor\n\nDear Requester,\n\nThe Department "
                     "needs additional time to produce the records you asked for.\n",
                     encoding="utf-8")
    result = run("log", request_id, "reply", str(reply), "--yes", "--kind", "extension", "--on",
                 "2024-05-08", today="2024-05-10")
    assert result.exit_code == 1
    assert "the reply sets no date for the records; nothing was logged" in result.output
    assert f"log {request_id} response --kind extension --until DATE" in result.output
    assert events(request_id) == [] and not (folder / "replies").exists()


def test_in_the_family_language(tmp_path: Path, answers: Answers) -> None:
    request_id, _folder = clerk(tmp_path, answers, "2023-12-01")
    result = run("log", request_id, "reply", str(CORPUS / "city_ack_sunday_night.txt"), "--yes",
                 "--lang", "es", today="2023-12-06")
    assert result.exit_code == 0, result.output
    # In Spanish (the catalog's words may be reviewed; the dates are Babel's)
    assert "domingo, 3 de diciembre de 2023" in result.output
    assert "lunes, 4 de diciembre de 2023" in result.output
    assert "To log:" not in result.output and "Kept the reply" not in result.output


def test_the_request_id_in_the_subject_finds_the_request(tmp_path: Path,
                                                         answers: Answers) -> None:
    request_id, _folder = clerk(tmp_path, answers, "2024-11-15")
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        f"From: Someone <someone@example.org>\nSubject: Re: request {request_id}\n"
        "Date: Wed, 20 Nov 2024 10:00:00 -0500\n\nWe have no records responsive to your "
        "request.\n".encode())
    read = run("reply", "read", str(reply), "--json", today="2024-11-22")
    assert read.exit_code == 0, read.output
    assert [(m["id"], m["how"]) for m in json.loads(read.output)["requests"]] == [
        (request_id, "subject")]


@pytest.mark.usefixtures("terminal")
def test_the_production_date_and_the_amount_can_be_changed(tmp_path: Path, answers: Answers,
                                                           keys: PipeInput) -> None:
    request_id, _folder = police(tmp_path, answers, "2024-04-24")
    # The receipt as stated; the extension "with another date for the records"
    keys.send_text(ENTER + DOWN + DOWN + ENTER + "\x7f" * 10 + "2024-05-31" + ENTER)
    keys.close()
    result = run("log", request_id, "reply", str(CORPUS / "extension_bpd.eml"),
                 today="2024-05-10")
    assert result.exit_code == 0, result.output
    received, response = events(request_id)
    assert received[2]["source"] == "reply"
    assert response[2]["until"] == "2024-05-31" and "source" not in response[2]
    assert "production_due" in schedule(request_id, "2024-05-10")


def test_a_fee_estimate_logs_its_largest_sum(tmp_path: Path, answers: Answers) -> None:
    request_id, _folder = police(tmp_path, answers, "2024-04-24")
    result = run("log", request_id, "reply", str(CORPUS / "fee_estimate_bpd.txt"), "--yes",
                 "--on", "2024-05-06", today="2024-05-10")
    assert result.exit_code == 0, result.output
    [(event, on, details)] = events(request_id)
    assert (event, on, details["kind"], details["amount"]) == (
        "response", "2024-05-06", "fee_estimate", "200.00")
