"""Which directory is in use, a user's own copy and its updates, previewed exact edits, the
stricter checks, and an address the requester knows (``send_to``)."""

from __future__ import annotations

import email
import email.policy
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from prompt_toolkit.input.base import PipeInput

from recordskit.cli import cli
from recordskit.documents.rendering.docx_text import docx_text
from recordskit.errors import InputFileError
from recordskit.intake.answers import request_from
from recordskit.service import (
    Directory,
    agencies_in_use,
    check_directory,
    init_user_copy,
    prepare_request,
    update_user_copy,
)
from tests.conftest import ENTER, FROZEN_AGENCIES, ROOT

Answers = Callable[..., dict[str, Any]]


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder outside any checkout, with no directory named and an empty config folder."""
    monkeypatch.delenv("RECORDSKIT_AGENCIES", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_an_explicit_file_wins(outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    named = agencies_in_use(outside / "mine.yaml")
    assert (named.origin, named.writable) == ("explicit", True)
    monkeypatch.setenv("RECORDSKIT_AGENCIES", str(FROZEN_AGENCIES))
    assert agencies_in_use().path == FROZEN_AGENCIES
    result = CliRunner().invoke(cli, ["agencies", "where"])
    assert f"{FROZEN_AGENCIES}\n  named by RECORDSKIT_AGENCIES" in result.output


def test_inside_a_checkout_its_own_file_is_used(tmp_path: Path, outside: Path) -> None:
    clone = tmp_path / "clone"
    (clone / "docs" / "deep").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    shutil.copy(FROZEN_AGENCIES, clone / "agencies.yaml")
    in_use = agencies_in_use(cwd=clone / "docs" / "deep")
    assert (in_use.path, in_use.origin) == (clone / "agencies.yaml", "checkout")
    assert in_use.writable


def test_a_user_copy_is_used_outside_a_checkout_and_updated_three_ways(
        tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped_then = tmp_path / "release-1.yaml"
    shutil.copy(FROZEN_AGENCIES, shipped_then)
    copy = init_user_copy("1.0", shipped=shipped_then)
    assert copy == tmp_path / "config" / "recordskit" / "agencies.yaml"
    assert agencies_in_use().origin == "user"
    assert copy.read_text().startswith("# Your own copy of the agency directory, made by "
                                       "`recordskit agencies init` from recordskit 1.0")
    refused = CliRunner().invoke(cli, ["agencies", "init"])
    assert refused.exit_code == 1 and "already exists" in refused.output
    # The user changes two fields; the next release changes one of them differently, and
    # another field, and adds an agency.
    edited = CliRunner().invoke(cli, ["agencies", "edit", "bps", "--set",
                                      "records_officer.phone=617-635-0000", "--set",
                                      "records_officer.fax=617-635-1111", "--source",
                                      "https://www.bostonpublicschools.org/contact", "--yes"])
    assert edited.exit_code == 0, edited.output
    release = FROZEN_AGENCIES.read_text()
    release = release.replace("phone: 617-635-9320", "phone: 617-635-2222")
    release = release.replace("Office of Legal Advisor\n", "Office of the Legal Advisor\n", 1)
    release = release.replace("sjcTisP5D/view\n        verified_on: 2024-12-16",
                              "sjcTisP5D/view\n        verified_on: 2026-11-02")  # re-checked
    release = release.replace("  - id: supervisor-of-records", "  - id: boston-housing\n"
                              "    name: Boston Housing Authority\n    short_name: BHA\n"
                              "    kind: municipal\n    calendar: boston\n"
                              "    records_officer:\n      mailing_address: 52 Chauncy Street\n"
                              "    delivery: [mail]\n    sources:\n"
                              "      - url: https://www.bostonhousing.org/\n"
                              "        verified_on: 2026-11-20\n"
                              "  - id: supervisor-of-records")
    shipped_now = tmp_path / "release-2.yaml"
    shipped_now.write_text(release)
    assert "verified_on: 2026-11-02" in release
    done = update_user_copy(shipped=shipped_now)
    merged = yaml.safe_load(copy.read_text())
    bps = next(a for a in merged["agencies"] if a["id"] == "bps")
    assert bps["records_officer"]["fax"] == "617-635-1111"          # yours, kept
    assert bps["records_officer"]["phone"] == "617-635-0000"        # both changed: yours kept
    # Field by field inside the contacts, and source by source: your phone does not keep out
    # the office the release corrected, nor your new source the release's re-check.
    assert bps["records_officer"]["office"] == "Office of the Legal Advisor"
    checked = {s["url"]: str(s["verified_on"]) for s in bps["sources"]}
    assert "https://www.bostonpublicschools.org/contact" in checked      # yours, kept
    assert checked["https://drive.google.com/file/d/1_2TybcRFKvz34WDkXY0p-G-sjcTisP5D/view"] \
        == "2026-11-02"                                                   # the release's re-check
    assert any(a["id"] == "boston-housing" for a in merged["agencies"])  # the release's new one
    assert [c.where for c in done.conflicts] == ["agencies[bps].records_officer.phone"]
    assert "agencies[boston-housing]" in done.taken
    assert "agencies[bps].records_officer.office" in done.taken
    assert check_directory(copy)[1] == []
    assert copy.read_text().startswith("# Your own copy")          # comments kept
    # The command says a conflict as a volunteer reads it: the values as written, not Python's
    # notation (it printed "{'url': ..., 'verified_on': datetime.date(2026, 11, 26)}").
    shipped_later = tmp_path / "release-3.yaml"
    shipped_later.write_text(release.replace("phone: 617-635-2222", "phone: 617-635-3333")
                             .replace("Office of the Legal Advisor\n", "Legal Office\n", 1))
    CliRunner().invoke(cli, ["agencies", "edit", "bps", "--set",
                             "records_officer.office=Legal Advisor's Office", "--yes"])
    monkeypatch.setattr("recordskit.directory.copies.shipped_agencies_file",
                        lambda: shipped_later)
    said = CliRunner().invoke(cli, ["agencies", "update"])
    assert said.exit_code == 0, said.output
    assert ("Conflict at agencies[bps].records_officer.phone: kept yours (617-635-0000); the "
            "release has 617-635-3333.") in said.output
    assert ("Conflict at agencies[bps].records_officer.office: kept yours (Legal Advisor's "
            "Office); the release has Legal Office.") in said.output
    assert "datetime" not in said.output and "{'" not in said.output


def test_an_update_takes_the_releases_text_as_the_release_writes_it(
        tmp_path: Path, outside: Path) -> None:
    """Volunteer item 17 of #33, "`agencies update` reflows text": a folded block (``>-``) the
    release changed came into the copy as one line of 200 characters, and so did every folded
    description of a record or agency the release added; a new comment or a literal block
    (``|-``) must come as written too. The release's lines are taken as it wraps them."""
    older = tmp_path / "release-1.yaml"
    text = FROZEN_AGENCIES.read_text(encoding="utf-8")
    hours = "Office hours are\n      Monday to Friday, 9 a.m. to 5 p.m."
    assert text.count(hours) == 1
    older.write_text(text.replace(hours, "Office hours\n      are not known."),
                     encoding="utf-8")
    copy = init_user_copy("1.0", shipped=older)
    release = text.replace("    records:\n", "    records:\n"
                           "      - id: volunteer-new-record   # added in release 2\n"
                           "        title: Records a volunteer just added\n"
                           "        description: >-\n"
                           "          Every record a volunteer just added to the catalog, "
                           "with its attachments, from\n"
                           "          2014 to 2018, as the Clerk's office keeps it "
                           "(https://www.boston.gov/departments/city-clerk?\n"
                           "          id=28038), in the form it holds them, électronique.\n"
                           "        why: |-\n"
                           "          Shows that a new record comes in as written.\n"
                           "          Its second line stays its own.\n", 1)
    assert release.count("id: volunteer-new-record") == 1
    shipped_now = tmp_path / "release-2.yaml"
    shipped_now.write_text(release, encoding="utf-8")
    done = update_user_copy(shipped=shipped_now)
    assert "agencies[city-clerk].notes" in done.taken, done
    assert any("volunteer-new-record" in taken for taken in done.taken), done
    merged = copy.read_text(encoding="utf-8")
    for block in (hours, release[release.index("      - id: volunteer-new-record"):
                                 release.index("Its second line stays its own.\n")]):
        assert block in merged, block
    assert max(len(line) for line in merged.splitlines()) <= max(
        len(line) for line in release.splitlines())
    assert check_directory(copy)[1] == []

    def by_id(text: str) -> dict[str, Any]:  # a record the release adds comes last
        return {a["id"]: {**a, "records": {r["id"]: r for r in a.get("records") or []}}
                for a in yaml.safe_load(text)["agencies"]}

    assert by_id(merged) == by_id(release)


def test_an_edit_that_changes_nothing_is_byte_identical_in_questions_too(
        tmp_path: Path, keys: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:
    import recordskit.cli.app

    copy = tmp_path / "agencies.yaml"
    shutil.copy(FROZEN_AGENCIES, copy)
    before = copy.read_bytes()
    monkeypatch.setattr(recordskit.cli.app, "has_terminal", lambda: True)
    # The City Clerk takes [portal, mail, hand], not in the program's own order. Enter at every
    # question (the channels keep their order), the page as it was, and the date it was last
    # checked: nothing changes.
    keys.send_text("".join([ENTER] * 7 + [ENTER, "\x7f" * 10, "2026-11-23", ENTER]))
    keys.close()
    result = CliRunner().invoke(cli, ["agencies", "edit", "city-clerk", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.output
    assert copy.read_bytes() == before


def test_an_edit_is_shown_before_it_is_written(tmp_path: Path) -> None:
    copy = tmp_path / "agencies.yaml"
    shutil.copy(FROZEN_AGENCIES, copy)
    before = copy.read_bytes()
    asked = CliRunner().invoke(cli, ["agencies", "edit", "bps", str(copy), "--set",
                                     "records_officer.phone=617-635-0000"])
    assert asked.exit_code == 1
    assert "-      phone: 617-635-9320\n+      phone: 617-635-0000" in asked.output
    assert "add --yes to write this change without asking" in asked.output
    assert copy.read_bytes() == before


@pytest.mark.parametrize(("edit", "message"), [
    ("records_officer.phone=617 635 46O1", "is not a North American phone number"),
    ("records_officer.fax=12345", "is not a North American phone number"),
])
def test_stricter_checks_name_the_agency_by_id(tmp_path: Path, edit: str, message: str) -> None:
    copy = tmp_path / "agencies.yaml"
    shutil.copy(FROZEN_AGENCIES, copy)
    result = CliRunner().invoke(cli, ["agencies", "edit", "city-clerk", str(copy), "--set", edit,
                                      "--yes"])
    assert result.exit_code == 1
    assert f"agencies[city-clerk].records_officer.{edit.split('=')[0].split('.')[1]}: " in \
        result.output
    assert message in result.output


def test_a_future_check_date_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "agencies.yaml"
    text = FROZEN_AGENCIES.read_text().replace("verified_on: 2026-11-23",
                                               "verified_on: 2099-01-01", 1)
    copy.write_text(text)
    _directory, problems = check_directory(copy)
    assert any("2099-01-01 is in the future" in p.message and p.field.startswith(
        "agencies[") for p in problems)


# send_to: any address the requester knows.
@pytest.mark.parametrize(("agency", "delivery", "send_to", "in_letter"), [
    ("bpd", "email", "records@pd.example.gov", "By email to records@pd.example.gov"),
    ("bpd", "portal", "https://records.example.gov/bpd",
     "Submitted through the public records portal, https://records.example.gov/bpd"),
    ("city-clerk", "mail", "1 City Hall Square, Room 601\nBoston, MA 02201",
     "1 City Hall Square, Room 601\nBoston, MA 02201\nBy mail"),
    ("city-clerk", "hand", "City Hall, Room 601", "City Hall, Room 601\nBy hand delivery"),
    ("bps", "email", "publicrecords@bps.example.org", "By email to publicrecords@bps.example.org"),
])
def test_an_address_the_requester_knows(directory: Directory, answers: Answers, agency: str,
                                        delivery: str, send_to: str, in_letter: str) -> None:
    records = {"bps": ["school-police-reports-shared-with-bric"],
               "bpd": ["bric-federal-access-rules"],
               "city-clerk": ["trust-act-annual-reports"]}[agency]
    without = answers(agency=agency, delivery=delivery, records=records)
    if delivery not in directory.agency(agency).delivery:
        with pytest.raises(InputFileError, match=r"or give the .* you know in send_to"):
            request_from(without, directory)
    request = request_from({**without, "send_to": send_to}, directory)
    made = prepare_request(request, directory)
    letter = docx_text(made.files["letter.docx"])
    assert in_letter in letter
    how = made.files["how_to_send.txt"].decode()
    assert "This address is the one you gave (send_to), not one from recordskit's directory" in how
    if delivery == "email":
        draft = email.message_from_bytes(made.files["email.eml"], policy=email.policy.default)
        assert str(draft["To"]) == send_to


@pytest.mark.parametrize(("delivery", "send_to"), [("email", "not an address"),
                                                  ("portal", "records.example.gov"),
                                                  ("mail", "x")])
def test_send_to_must_fit_the_way_it_is_sent(directory: Directory, answers: Answers,
                                             delivery: str, send_to: str) -> None:
    with pytest.raises(InputFileError, match="delivery:"):
        request_from(answers(agency="bpd", records=["bric-federal-access-rules"],
                             delivery=delivery, send_to=send_to), directory)


def test_the_interview_offers_an_address_the_directory_lacks(keys: PipeInput,
                                                             directory: Directory) -> None:
    from recordskit.service import TerminalAsker, run_interview

    down = "\x1b[B"
    keys.send_text("".join((
        ENTER, down, ENTER,                       # public records; BPD
        " ", ENTER, ENTER, ENTER, ENTER,          # its first record; no words, no dates
        "Ana", ENTER, ENTER, "a@b.org", ENTER, ENTER, ENTER,
        down, down, ENTER,                        # BPD has mail, hand: the third is email
        "records@pd.example.gov", ENTER,
        ENTER, ENTER, ENTER, ENTER, ENTER, "y")))
    keys.close()
    said: list[str] = []
    request = run_interview(TerminalAsker(said.append), directory,
                            today=date(2026, 6, 12) - timedelta(days=0))
    assert (request.delivery, request.send_to) == ("email", "records@pd.example.gov")
    assert any("Sent to: records@pd.example.gov (the address you gave)" in s for s in said)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """recordskit installed the README's way, `pip install .`, into a venv of its own."""
    import os
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("installed")
    venv = folder / "venv"
    env = {**os.environ, "HOME": str(folder)}  # pip and its build tools keep to this folder
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True,
                   capture_output=True, timeout=600, env=env)
    return venv / "bin" / "recordskit"


def _contributing_commands() -> list[str]:
    """The commands CONTRIBUTING.md tells a volunteer to type that need no terminal."""
    import re

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    found = re.findall(r"^\| `(recordskit [^`]+)` \|", text, re.MULTILINE)
    for block in re.findall(r"```\n(.*?)```", text, re.DOTALL):
        found += [line for line in block.replace("\\\n", " ").splitlines()
                  if line.startswith("recordskit ")]
    interactive = ("recordskit agencies edit ID", "recordskit agencies add")
    return [" ".join(c.split()) for c in found if c not in interactive]


@pytest.mark.slow
def test_contributing_works_word_for_word_after_the_quick_start_install(
        installed: Path, tmp_path: Path) -> None:
    import subprocess

    clone = tmp_path / "clone"
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__",
                                                                "*.egg-info", "tests"))
    env = {"PATH": f"{installed.parent}:/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "RECORDSKIT_HOME": str(tmp_path / "log")}

    def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command.split(), cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    commands = _contributing_commands()
    assert "recordskit agencies validate" in commands and any(
        c.startswith("recordskit agencies edit city-clerk --set") for c in commands)
    before = (clone / "agencies.yaml").read_text()
    for command in commands:
        done = run(command, clone / "src")  # anywhere inside the checkout
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    where = run("recordskit agencies where", clone)
    assert where.stdout.startswith(f"{clone / 'agencies.yaml'}\n")
    assert (clone / "agencies.yaml").read_text() != before  # the edit landed in the checkout
    assert "phone: 617-635-4601" in (clone / "agencies.yaml").read_text()

    # Outside a checkout: the installed copy is read-only, until the volunteer makes one.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shipped = run("recordskit agencies where", elsewhere)
    assert "site-packages" in shipped.stdout and "read-only" in shipped.stdout
    refused = run("recordskit agencies edit bps --set records_officer.fax=617-635-0000 --yes",
                  elsewhere)
    assert refused.returncode == 1 and "recordskit agencies init" in refused.stderr
    assert run("recordskit agencies init", elsewhere).returncode == 0
    edited = run("recordskit agencies edit bps --set records_officer.fax=617-635-0000 --yes",
                 elsewhere)
    assert edited.returncode == 0, edited.stderr
    assert "617-635-0000" in (tmp_path / "config" / "recordskit" / "agencies.yaml").read_text()
