"""Answers files and the Request model: exactly the documented keys, clear errors with lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from recordskit.errors import InputFileError
from recordskit.intake.answers import request_from
from recordskit.models import ANSWER_KEYS, REQUESTER_KEYS
from recordskit.service import Directory, answers_yaml, load_answers

Answers = Callable[..., dict[str, Any]]


def test_documented_keys_exactly() -> None:
    assert ANSWER_KEYS == ("request_type", "agency", "records", "other_records", "date_from",
                           "date_to", "requester", "send_to", "delivery", "sent_on",
                           "fee_waiver", "max_fee", "format", "student", "requester_role",
                           "custody", "language")
    assert REQUESTER_KEYS == ("name", "organization", "email", "mailing_address", "phone")


def test_yaml_and_json_give_the_same_request(tmp_path: Path, directory: Directory,
                                             answers: Answers) -> None:
    data = answers(max_fee=12.5, date_from="2015-01-01")
    as_yaml, as_json = tmp_path / "a.yaml", tmp_path / "a.json"
    as_yaml.write_text(yaml.safe_dump(data), encoding="utf-8")
    as_json.write_text(json.dumps(data), encoding="utf-8")
    from_yaml = load_answers(as_yaml, directory)
    assert from_yaml == load_answers(as_json, directory)
    assert from_yaml.max_fee == Decimal("12.5")
    assert from_yaml.date_from == date(2015, 1, 1)
    assert from_yaml.sent_on == date(2026, 6, 12)


def test_answers_yaml_round_trips(tmp_path: Path, directory: Directory, answers: Answers) -> None:
    request = request_from(answers(other_records="Line one\nline two & <three>"), directory)
    path = tmp_path / "answers.yaml"
    path.write_text(answers_yaml(request), encoding="utf-8")
    assert load_answers(path, directory) == request


def _problems(data: Any, directory: Directory) -> str:
    with pytest.raises(InputFileError) as caught:
        request_from(data, directory, file="answers.yaml")
    return str(caught.value)


BAD_VALUES = [
    ({"agency": "ice"}, "agency: unknown agency 'ice'; expected one of: bps, bpd, city-clerk"),
    ({"agency": "supervisor-of-records"}, "agency: unknown agency 'supervisor-of-records'"),
    ({"records": ["nope"]}, "records: unknown record id 'nope' for agency 'bps'"),
    ({"records": ["school-police-reports-shared-with-bric"] * 2}, "the same record id twice"),
    ({"records": [], "other_records": ""}, "asks for no records"),
    ({"delivery": "fax"}, "delivery: 'fax' is not allowed; expected one of: 'email', 'mail',"),
    ({"agency": "bpd", "records": [], "other_records": "x"},
     "delivery: BPD does not take requests by 'email' in the directory; expected one of: "
     "mail, hand"),
    ({"sent_on": "next tuesday"}, "sent_on: 'next tuesday' is not a date; expected a date "
     "written YYYY-MM-DD"),
    ({"sent_on": "2026-02-30"}, "sent_on: '2026-02-30' is not a date"),
    ({"date_from": "2020-01-01", "date_to": "2019-01-01"}, "the date range is backwards"),
    ({"fee_waiver": "yes"}, "fee_waiver: 'yes' is not allowed; expected one of: 'none',"),
    ({"fee_waiver": True}, "fee_waiver: True is not allowed"),
    ({"max_fee": -5}, "max_fee: -5 is negative; expected 0 or more"),
    ({"max_fee": "lots"}, "max_fee: 'lots' is not an amount"),
    ({"format": "pdf"}, "format: 'pdf' is not allowed; expected one of: 'electronic' or 'paper'"),
    ({"format": "paper"}, "asks for paper copies but gives no requester.mailing_address"),
    ({"requester__email": "ana at example"}, "requester.email: 'ana at example' is not an email"),
    ({"requester__email": "", "requester__mailing_address": ""},
     "requester: give an email address or a mailing address"),
    ({"requester__name": "Ana\x00"}, "requester.name: contains an invisible control character "
     "(U+0000) at character 4"),
    ({"requester__name": "Ana\r\nBcc: x@evil.example"},
     "requester.name: must be one line; remove the line break"),
    ({"requester__organization": "Clinic\nX"}, "requester.organization: must be one line"),
    ({"requester__name": "Ana\u2028Bcc: x@evil.example"}, "requester.name: must be one line"),
    ({"requester__organization": "Clinic\u2029X"}, "requester.organization: must be one line"),
    ({"requester__phone": "555"}, "requester.phone: '555' is not a phone number"),
    ({"requester__phone": "call after 5"}, "requester.phone: 'call after 5' is not a phone"),
    ({"requester__phone": "617-555-0100\nBcc"}, "requester.phone: must be one line"),
    ({"requester__ssn": "1"}, "requester.ssn: unknown key 'ssn'; expected one of: name, "
     "organization, email, mailing_address, phone"),
    ({"status": "x"}, "status: unknown key 'status'; expected one of: request_type, agency,"),
    ({"records": "school-police-reports-shared-with-bric"}, "records: 'school-police-reports-"
     "shared-with-bric' is not a list"),
    ({"requester": "Ana"}, "requester: 'Ana' is not a mapping; expected a mapping with keys: "
     "name, organization"),
]


@pytest.mark.parametrize(("changes", "expected"), BAD_VALUES)
def test_bad_values_name_the_key(directory: Directory, answers: Answers,
                                 changes: dict[str, Any], expected: str) -> None:
    assert expected in _problems(answers(**changes), directory)


def test_missing_keys(directory: Directory, answers: Answers) -> None:
    data = answers()
    del data["agency"], data["delivery"]
    message = _problems(data, directory)
    assert "agency: is required but missing" in message
    assert "delivery: is required but missing" in message


def test_not_a_mapping(directory: Directory) -> None:
    assert "expected a mapping of answers with the keys: request_type, agency" in _problems(
        ["bps"], directory)


def test_file_errors_carry_line_and_column(tmp_path: Path, directory: Directory) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        "agency: bps\n"
        "records: [school-police-reports-shared-with-bric]\n"
        "requester:\n"
        "  name: Ana\n"
        "  email: ana(at)example.org\n"
        "delivery: email\n"
        "sent_on: 2026-13-01\n"
        "colour: blue\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        load_answers(path, directory)
    lines = str(caught.value).splitlines()
    assert f"{path}:5:10: requester.email: 'ana(at)example.org' is not an email address" in \
        lines[0] or any(line.startswith(f"{path}:5:10: requester.email") for line in lines)
    assert any(line.startswith(f"{path}:7:10: sent_on: '2026-13-01' is not a date")
               for line in lines)
    assert any(line.startswith(f"{path}:8:1: colour: unknown key 'colour'") for line in lines)


def test_json_errors_carry_lines_too(tmp_path: Path, directory: Directory,
                                     answers: Answers) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers(delivery="pigeon"), indent=2), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_answers(path, directory)
    line = json.dumps(answers(delivery="pigeon"), indent=2).splitlines().index(
        '  "delivery": "pigeon",') + 1
    assert str(caught.value).startswith(f"{path}:{line}:15: delivery: 'pigeon' is not allowed")


def test_syntax_error_and_unreadable_files(tmp_path: Path, directory: Directory) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("agency: bps\nrecords: [a, b\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"broken.yaml:3:1: not valid YAML or JSON"):
        load_answers(broken, directory)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Jos\xe9".encode("latin-1"))
    with pytest.raises(InputFileError, match="not UTF-8 text"):
        load_answers(latin, directory)
    with pytest.raises(InputFileError, match="file not found"):
        load_answers(tmp_path / "missing.yaml", directory)
    with pytest.raises(InputFileError, match="is a folder"):
        load_answers(tmp_path, directory)


def test_text_is_kept_as_typed(directory: Directory, answers: Answers) -> None:
    hostile = "Smith & Sons <b>\"quoted\"</b> 'single' {{ 7*7 }} {% for %}\r\nالسلام 学生 ✊🏽"
    request = request_from(answers(other_records=hostile), directory)
    assert request.other_records == hostile.replace("\r\n", "\n")


def test_fingerprint_is_stable_and_distinct(directory: Directory, answers: Answers) -> None:
    first = request_from(answers(), directory)
    assert first.fingerprint() == request_from(answers(), directory).fingerprint()
    assert first.fingerprint() != request_from(answers(sent_on="2026-06-15"),
                                               directory).fingerprint()


@pytest.mark.parametrize("phone", ["617-555-0100", "(617) 555-0100 x12", "+509 3456 7890",
                                   "617.555.0100 ext. 4", "+1 617 555 0100"])
def test_phone_numbers_people_write_are_accepted(directory: Directory, answers: Answers,
                                                 phone: str) -> None:
    assert request_from(answers(requester__phone=phone), directory).requester.phone == phone


def test_a_student_request_takes_one_line_names_only(directory: Directory,
                                                     answers: Answers) -> None:
    student = answers(request_type="student_records", records=[], requester_role="parent",
                      student={"name": "Luis\nPérez", "school": "Mission Hill K-8"})
    assert "student.name: must be one line" in _problems(student, directory)


def test_the_log_still_reads_a_two_line_name_it_once_accepted(
        tmp_path: Path, directory: Directory, answers: Answers) -> None:
    """Line breaks in names were once accepted: such a logged request still loads (the log
    validates without a directory), and its email draft still has one From line."""
    import email
    import email.policy

    from recordskit.models import Request
    from recordskit.service import prepare_request
    from recordskit.tracking.sqlite import SqliteLog
    from tests.conftest import FROZEN_TEMPLATES

    stored = request_from(answers(), directory).model_dump(mode="json")
    stored["requester"] = {**stored["requester"], "name": "Ana\nBcc: x@evil.example",
                           "phone": "call after 5"}
    old = Request.model_validate(stored)  # as an older release recorded it
    log = SqliteLog(tmp_path)
    log.create()
    log.record_request("a1b2c3d4e5", old, folder=tmp_path / "letters")
    again = log.get("a1b2c3d4e5").request
    assert again.requester.name == "Ana\nBcc: x@evil.example"
    made = prepare_request(again, directory, template_folder=FROZEN_TEMPLATES)
    draft = made.files["email.eml"]
    message = email.message_from_bytes(draft, policy=email.policy.default)
    assert message["Bcc"] is None
    assert str(message["From"]) == "\"Ana Bcc: x@evil.example\" <ana@example.org>"


@pytest.mark.parametrize(("written", "stored"), [
    ("es", "es"), ("ES", "es"), ("es-US", "es"), ("es_MX", "es"), ("Spanish", "es"),
    ("Español", "es"), ("espanol", "es"), ("ht-HT", "ht"), ("Haitian Creole", "ht"),
    ("Kreyòl", "ht"), ("kreyol ayisyen", "ht"), ("English", ""), ("en-US", ""), ("", "")])
def test_a_language_is_read_as_a_clinic_writes_it(directory: Directory, answers: Answers,
                                                   written: str, stored: str) -> None:
    # A clinic's spreadsheet says "Spanish" or "es-US" as often as "es".
    assert request_from(answers(language=written), directory).language == stored


@pytest.mark.parametrize("written", ["fr", "French", "creole", "x"])
def test_a_language_without_a_translation_is_refused(directory: Directory, answers: Answers,
                                                      written: str) -> None:
    with pytest.raises(InputFileError, match=r"language: no translation for .*expected one of: "
                                             r"en, es, ht \(or the language's name"):
        request_from(answers(language=written), directory)
