"""A clinic's staff accounts and families' intake links (``recordskit.clinic``), on both
backends, with the real Argon2 hasher (at its lowest cost while working, see
``quick_password_hashes``; at the recommended cost in CI and in the first test): every refusal
changes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from recordskit.clinic import accounts, intakes
from recordskit.clinic.audit import entries
from recordskit.errors import FieldError, InputFileError
from recordskit.service import Directory, RequestLog, open_log

Answers = Callable[..., dict[str, Any]]
T0 = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's)


@pytest.fixture
def log(backend: str, quick_password_hashes: None) -> RequestLog:
    return open_log(os.environ.get("RECORDSKIT_DATABASE_URL", ""))


def dump(log: RequestLog) -> list[Any]:
    """Everything the clinic's tables hold but the audit trail."""
    return [log.fetch(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (fixed names)
            for table in ("staff", "staff_sessions", "intakes")]


def test_a_staff_member_signs_in_and_out(backend: str) -> None:
    """At the cost users get, whatever the run: Argon2id with its recommended parameters."""
    from argon2 import PasswordHasher, extract_parameters

    log = open_log(os.environ.get("RECORDSKIT_DATABASE_URL", ""))
    accounts.add_staff(log, "Ana Lima", PASSWORD, by="admin", at=T0)
    [stored] = log.fetch("SELECT password_hash FROM staff")
    assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    cost, recommended = extract_parameters(stored[0]), PasswordHasher()
    assert (cost.time_cost, cost.memory_cost, cost.parallelism) == (
        recommended.time_cost, recommended.memory_cost, recommended.parallelism)
    session = accounts.sign_in(log, "Ana Lima", PASSWORD, at=T0)
    assert accounts.session_of(log, session.token, at=T0 + timedelta(hours=1)) == session
    # Only the secret's hash is kept: the database opens no session
    assert not log.fetch("SELECT 1 FROM staff_sessions WHERE token_hash = ? OR csrf = ?",
                         [session.token, session.token])
    accounts.sign_out(log, session.token, at=T0 + timedelta(hours=2))
    assert accounts.session_of(log, session.token, at=T0 + timedelta(hours=2)) is None
    later = accounts.sign_in(log, "Ana Lima", PASSWORD, at=T0 + timedelta(hours=3))
    # A session ends by itself after a working day
    assert accounts.session_of(log, later.token, at=T0 + timedelta(hours=12)) is not None
    assert accounts.session_of(log, later.token, at=T0 + timedelta(hours=14)) is None
    actions = [e.action for e in entries(log)]
    assert actions == ["signed in", "signed out", "signed in", "staff added"]


def test_a_guessed_password_locks_the_account(log: RequestLog) -> None:
    accounts.add_staff(log, "Ana", PASSWORD, by="admin", at=T0)
    words = None
    for attempt in range(accounts.LOCK_AFTER):
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.sign_in(log, "Ana", f"wrong password {attempt}", at=T0)
        words = words or str(refused.value)
        assert str(refused.value) == words  # the same words, whatever was wrong
    with pytest.raises(accounts.SignInRefused) as unknown:
        accounts.sign_in(log, "Nobody", PASSWORD, at=T0)
    assert str(unknown.value) == words
    # Locked: even the right password is refused, and she is told until when
    with pytest.raises(accounts.SignInRefused, match="locked"):
        accounts.sign_in(log, "Ana", PASSWORD, at=T0 + timedelta(minutes=5))
    assert accounts.sign_in(log, "Ana", PASSWORD,
                            at=T0 + timedelta(minutes=accounts.LOCK_MINUTES + 1)).token
    refusals = [e.detail for e in entries(log) if e.action == "sign-in refused"]
    assert refusals.count("locked") == 2 and "unknown name" in refusals


def test_accounts_refuse_what_they_cannot_hold(log: RequestLog) -> None:
    accounts.add_staff(log, "Ana", PASSWORD, by="admin", at=T0, role=accounts.Role.ADMIN)
    before = dump(log)
    for name, password, field in (("Ana", PASSWORD, "name"), ("Ben", "short", "password"),
                                  ("", PASSWORD, "name"), ("x" * 101, PASSWORD, "name"),
                                  ("Ben\x1b[31m", PASSWORD, "name")):
        with pytest.raises(FieldError) as refused:
            accounts.add_staff(log, name, password, by="admin", at=T0)
        assert refused.value.field == field
    assert dump(log) == before
    assert [(s.name, s.role) for s in accounts.staff_list(log)] == [("Ana", "admin")]


def test_a_turned_off_account_and_a_new_password_end_its_sessions(log: RequestLog) -> None:
    accounts.add_staff(log, "Ana", PASSWORD, by="admin", at=T0)
    first = accounts.sign_in(log, "Ana", PASSWORD, at=T0)
    accounts.set_password(log, "Ana", PASSWORD + " 2", by="admin", at=T0)
    assert accounts.session_of(log, first.token, at=T0) is None
    second = accounts.sign_in(log, "Ana", PASSWORD + " 2", at=T0)
    accounts.set_active(log, "Ana", False, by="admin", at=T0)
    assert accounts.session_of(log, second.token, at=T0) is None
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(log, "Ana", PASSWORD + " 2", at=T0)


def test_a_family_fills_and_submits_through_her_link_alone(
        log: RequestLog, directory: Directory, answers: Answers) -> None:
    made = intakes.make_link(log, by="Ana", at=T0, language="es", label="Tuesday clinic")
    other = intakes.make_link(log, by="Ana", at=T0)
    assert len(made.token) >= 43 and not log.fetch(
        "SELECT 1 FROM intakes WHERE token_hash = ?", [made.token])
    half = {"agency": "bps"}
    intakes.save_answers(log, made.token, half, at=T0 + timedelta(hours=1))
    # She stops, and comes back through the same link
    assert intakes.intake_by_link(log, made.token, at=T0 + timedelta(days=2)).answers == half
    # Her link never shows another family's answers, nor theirs hers
    assert intakes.intake_by_link(log, other.token, at=T0).answers == {}
    with pytest.raises(InputFileError):  # incomplete: checked as an answers file is
        intakes.submit(log, made.token, directory, at=T0 + timedelta(days=2))
    full = answers()
    intakes.save_answers(log, made.token, full, at=T0 + timedelta(days=2))
    request = intakes.submit(log, made.token, directory, at=T0 + timedelta(days=2))
    assert request.requester.name == full["requester"]["name"]
    before = dump(log)
    with pytest.raises(intakes.LinkRefused):  # submitted once only
        intakes.submit(log, made.token, directory, at=T0 + timedelta(days=2))
    with pytest.raises(intakes.LinkRefused):  # and no longer changed through the link
        intakes.save_answers(log, made.token, half, at=T0 + timedelta(days=2))
    assert dump(log) == before
    # The link still shows what she submitted, until it expires
    shown = intakes.intake_by_link(log, made.token, at=T0 + timedelta(days=13))
    assert shown.status == "submitted" and shown.answers == full
    with pytest.raises(intakes.LinkRefused):
        intakes.intake_by_link(log, made.token, at=T0 + timedelta(days=14, seconds=1))
    for guess in ("", made.token[:-1], made.token + "x", "x" * 5000):
        with pytest.raises(intakes.LinkRefused):
            intakes.intake_by_link(log, guess, at=T0)
    [queued] = intakes.intakes(log)
    assert queued.id == made.intake.id
    intakes.mark_produced(log, queued.id, "3f9a2c81d0", "/clinic/3f9a", by="Ben", at=T0)
    with pytest.raises(Exception, match="not waiting for review"):
        intakes.mark_produced(log, queued.id, "3f9a2c81d0", "/clinic/3f9a", by="Ben", at=T0)
    intakes.mark_sent(log, queued.id, by="Ben", at=T0)
    assert intakes.intake_by_id(log, queued.id).status == "sent"
    produced = [e for e in entries(log) if e.action == "request produced"]
    assert produced[0].who == "Ben" and "3f9a2c81d0" in produced[0].detail


def test_an_expired_link_saves_nothing(log: RequestLog) -> None:
    made = intakes.make_link(log, by="Ana", at=T0, days=1)
    before = dump(log)
    with pytest.raises(intakes.LinkRefused):
        intakes.save_answers(log, made.token, {"agency": "bps"}, at=T0 + timedelta(days=1))
    assert dump(log) == before
    with pytest.raises(FieldError):
        intakes.save_answers(log, made.token, {"other_records": "x" * 3_000_000}, at=T0)


def test_the_purge_keeps_what_the_clinic_keeps_and_says_so(
        log: RequestLog, directory: Directory, answers: Answers) -> None:
    stale = intakes.make_link(log, by="Ana", at=T0, days=1)
    fresh = intakes.make_link(log, by="Ana", at=T0 + timedelta(days=40))
    done = intakes.make_link(log, by="Ana", at=T0)
    intakes.save_answers(log, done.token, answers(), at=T0)
    intakes.submit(log, done.token, directory, at=T0)
    purged = intakes.purge(log, unsubmitted_days=30, submitted_days=365, by="admin",
                           at=T0 + timedelta(days=45))
    assert (purged.unsubmitted, purged.submitted) == (1, 0)
    assert {i.id for i in intakes.intakes(log, None)} == {fresh.intake.id, done.intake.id}
    purged = intakes.purge(log, unsubmitted_days=30, submitted_days=30, by="admin",
                           at=T0 + timedelta(days=45))
    assert (purged.unsubmitted, purged.submitted) == (0, 1)
    [line, *_rest] = entries(log)
    assert (line.action, line.who) == ("intakes purged", "admin") and "1 submitted" in line.detail
    assert stale.intake.id not in {i.id for i in intakes.intakes(log, None)}


def test_the_clinic_commands_from_account_to_produced_request(
        tmp_path: Any, answers: Answers) -> None:
    """staff add, intake link, the family's submission (through the library, as the pages do),
    intake list, intake produce, intake sent and clinic audit, run as commands."""
    from click.testing import CliRunner

    from recordskit.cli import cli
    from recordskit.service import Workspace, save_intake_answers, submit_intake
    from tests.conftest import FROZEN_AGENCIES

    def run(*args: str, given: str = "") -> Any:
        result = CliRunner().invoke(cli, list(args), input=given, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result

    run("staff", "add", "Ana Lima", "--admin", "--password-stdin", given=input_line(PASSWORD))
    refused = CliRunner().invoke(cli, ["staff", "add", "Ben", "--password-stdin"],
                                 input="short\n")
    assert refused.exit_code == 1 and "too short" in refused.output
    assert "Traceback" not in refused.output
    made = run("intake", "link", "--family-lang", "es", "--url", "https://clinic.example.org/",
               "--note", "tuesday")
    assert "The link is shown only now" in made.stderr  # said to staff in their language
    link = made.stdout.strip()
    assert link.startswith("https://clinic.example.org/i/") and len(link) > 70
    token = link.rsplit("/", 1)[1]
    space = Workspace(agencies_path=FROZEN_AGENCIES)
    save_intake_answers(space, token, answers(sent_on="2026-05-01"))  # weeks before
    submit_intake(space, token)
    listed = run("intake", "list").output
    intake_id = listed.split("│")[1].strip() if "│" in listed else ""
    assert "tuesday" in listed and len(intake_id) == 10
    # Staff correct the answers as a file before producing them
    text = run("intake", "answers", intake_id).stdout
    assert "requester:" in text
    corrected = tmp_path / "corrected.yaml"
    corrected.write_text(text.replace(answers()["requester"]["name"], "Rosa M. Díaz"),
                         encoding="utf-8")
    run("intake", "edit", intake_id, "--answers", str(corrected), "--by", "Ana Lima")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("agency: bps", "agency: nowhere"), encoding="utf-8")
    refused_edit = CliRunner().invoke(cli, ["intake", "edit", intake_id, "--answers",
                                            str(broken)])
    assert refused_edit.exit_code == 1 and "broken.yaml" in refused_edit.output
    produced = run("intake", "produce", "--all", "--out", str(tmp_path / "requests"),
                   "--by", "Ana Lima")
    assert intake_id in produced.output
    assert "intake sent" in produced.output
    [folder] = list((tmp_path / "requests").iterdir())
    assert (folder / "letter.docx").exists() and (folder / "answers.yaml").exists()
    # Dated the day staff produced it (the test's today), not the day the family gave
    written = (folder / "answers.yaml").read_text(encoding="utf-8")
    assert "sent_on: '2026-06-12'" in written and "Rosa M. Díaz" in written
    again = CliRunner().invoke(cli, ["intake", "produce", intake_id, "--out",
                                     str(tmp_path / "requests")])
    assert again.exit_code == 1 and "not waiting for review" in again.output
    # The day it went: not after today, not before the letter was made; nothing changes
    for day, why in (("2026-06-13", "cannot be after today"),
                     ("2026-06-11", "cannot have gone before")):
        early = CliRunner().invoke(cli, ["intake", "sent", intake_id, "--on", day])
        assert early.exit_code == 1 and why in early.output and "Traceback" not in early.output
    # It went three days after it was made (today is later now): the command says that its
    # deadlines count from the letter's date, earlier than the law's, until the receipt is
    # logged
    late = CliRunner().invoke(cli, ["intake", "sent", intake_id, "--on", "2026-06-15", "--by",
                                    "Ana Lima"], env={"RECORDSKIT_TODAY": "2026-06-16",
                                                      "COLUMNS": "200"})
    assert late.exit_code == 0, late.output
    assert ("The letter went on June 15, 2026 and is dated June 12, 2026: its deadlines are "
            "counted from June 12, 2026, so they come earlier than the law's"
            in " ".join(late.output.split())), late.output
    import json

    [logged] = json.loads(run("status", "--json", "--by", "Ana Lima").output)
    assert logged["id"] in produced.output  # logged by the staff member who produced it
    audit = run("clinic", "audit").output
    assert "request produced" in audit and "marked sent" in audit and "staff added" in audit
    assert "2026-06-15" in audit  # the day it went, in the trail
    purged = run("clinic", "purge", "--unsubmitted-days", "30", "--submitted-days", "0")
    assert "1 submitted" in purged.output


def input_line(text: str) -> str:
    return text + "\n"


def test_a_name_is_one_account_whatever_its_case_and_spaces(log: RequestLog) -> None:
    accounts.add_staff(log, "Ben Ortiz", PASSWORD, by="admin", at=T0)
    with pytest.raises(FieldError, match="already a staff account"):
        accounts.add_staff(log, "ben ortiz", PASSWORD, by="admin", at=T0)
    # As typed on a phone: another case, a space too many; recorded by the account's name
    session = accounts.sign_in(log, " ben  ORTIZ ", PASSWORD, at=T0)
    assert session.staff.name == "Ben Ortiz"
    assert [e.who for e in entries(log) if e.action == "signed in"] == ["Ben Ortiz"]
