"""Keeping the directory true: validate, schema, stale, and editing in place."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from prompt_toolkit.input.base import PipeInput

from recordskit.cli import cli
from recordskit.errors import DirectoryError
from recordskit.service import EditableDirectory, directory_json_schema, load_directory
from tests.conftest import BACKSPACE, ENTER, FROZEN_AGENCIES, SPACE, TODAY

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "agencies.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "agencies.yaml"
    shutil.copy(FROZEN_AGENCIES, target)
    return target


def test_validate_ok() -> None:
    result = CliRunner().invoke(cli, ["agencies", "validate", str(FROZEN_AGENCIES)])
    assert result.exit_code == 0
    assert result.output == f"{FROZEN_AGENCIES}: OK (4 agencies, 17 records, 8 precedents)\n"


def test_validate_reports_every_problem(copy: Path) -> None:
    text = copy.read_text()
    text = text.replace("email: legal@bostonpublicschools.org", "email: legal at bps")
    text = text.replace("    calendar: boston\n    records_officer:\n      title: Records Access "
                        "Officer\n      office: Office of the Legal Advisor",
                        "    calendar: suffolk\n    records_officer:\n      title: Records Access "
                        "Officer\n      office: Office of the Legal Advisor")
    text = text.replace("precedents: [aclu-gang-database]", "precedents: [aclu-gang-db]")
    text = text.replace("    short_name: BPS\n", "    short_name: BPS\n    short_name: Schools\n")
    copy.write_text(text)
    result = CliRunner().invoke(cli, ["agencies", "validate", str(copy)])
    assert result.exit_code == 1
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if fragment in line)

    output = result.output
    assert f"{copy}:{line_of('short_name: Schools')}:5: agencies[bps].short_name: the key " \
           "'short_name' is given twice here" in output
    assert f"{copy}:{line_of('email: legal at bps')}:14: agencies[bps].records_officer.email: " \
           "'legal at bps' is not an email address" in output
    assert f"{copy}:{line_of('calendar: suffolk')}:15: agencies[bpd].calendar: unknown calendar " \
           "'suffolk'; expected one of: massachusetts, boston" in output
    assert f"{copy}:{line_of('[aclu-gang-db]')}:22: agencies[bpd]" \
           ".records[gang-database-rules].precedents[0]: no precedent has id 'aclu-gang-db'" \
           in output
    assert "Error: " in output and ": 4 problems" in output


def test_schema_is_committed_and_current() -> None:
    result = CliRunner().invoke(cli, ["agencies", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == directory_json_schema()
    assert schema == json.loads((ROOT / "agencies.schema.json").read_text())
    assert set(schema["properties"]) == {"version", "precedents", "closures", "agencies"}
    assert SHIPPED.read_text().startswith("# yaml-language-server: $schema=agencies.schema.json")


def test_stale_sources() -> None:
    result = CliRunner().invoke(cli, ["agencies", "stale", "--today", "2026-11-23"])
    assert result.exit_code == 0
    assert "4 sources last checked more than 180 days before 2026-11-23" in result.output
    assert "bpd: checked 2015-02-20 (4294 days ago)\n  https://assets.documentcloud.org/" \
           "documents/1684608/bpd-police-reports-officers.txt" in result.output
    assert "city-clerk" not in result.output  # checked 2026-11-23
    longer = CliRunner().invoke(cli, ["agencies", "stale", "--today", "2026-11-23",
                                      "--older-than", "1000"])
    assert "1 source last checked more than 1000 days" in longer.output
    fresh = CliRunner().invoke(cli, ["agencies", "stale", "--today", "2015-03-01"])
    assert "Every source was checked in the last 180 days." in fresh.output


def test_no_op_round_trip_is_byte_identical(copy: Path) -> None:
    before = copy.read_bytes()
    editable = EditableDirectory.open(copy)
    editable.set("bps", "records_officer.phone", "617-635-9320")  # the value it already has
    assert editable.save() is False
    assert copy.read_bytes() == before
    result = CliRunner().invoke(cli, ["agencies", "edit", "bps", str(copy), "--set",
                                      "records_officer.phone=617-635-9320"])
    assert result.exit_code == 0
    assert "Nothing changed" in result.output
    assert copy.read_bytes() == before


def _changed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_edit_changes_only_what_it_must(copy: Path) -> None:
    before = copy.read_text()
    result = CliRunner().invoke(cli, [
        "agencies", "edit", "city-clerk", str(copy),
        "--set", "records_officer.email=clerk@boston.example.gov",
        "--set", "delivery=[portal, email, mail, hand]",
        "--source", "https://www.boston.gov/departments/city-clerk?id=28038",
        "--verified-on", "2026-11-24", "--yes",
    ])
    assert result.exit_code == 0, result.output
    changed = _changed_lines(before, copy.read_text())
    assert sorted(changed) == sorted([
        "+      email: clerk@boston.example.gov",
        "-    delivery: [portal, mail, hand]",
        "+    delivery: [portal, email, mail, hand]",
        "-        verified_on: 2026-11-23",
        "+        verified_on: 2026-11-24",
    ])
    clerk = load_directory(copy).agency("city-clerk")
    assert clerk.records_officer.email == "clerk@boston.example.gov"


def test_a_source_without_its_day_is_dated_the_real_day(copy: Path) -> None:
    """``--verified-on`` defaults to the real day, even while ``RECORDSKIT_TODAY`` (set in
    every test) shows the schedules as of another: when a person checked a page is a fact,
    not a view."""
    assert date.today().isoformat() != TODAY
    result = CliRunner().invoke(cli, [
        "agencies", "edit", "city-clerk", str(copy), "--set", "records_officer.phone=617-635-4601",
        "--source", "https://www.boston.gov/departments/city-clerk?id=28038", "--yes"])
    assert result.exit_code == 0, result.output
    clerk = load_directory(copy).agency("city-clerk")
    assert [s.verified_on for s in clerk.sources
            if "city-clerk?id=28038" in s.url] == [date.today()]


def test_edit_leaves_values_wrapped_by_hand_as_they_were(copy: Path) -> None:
    """Volunteer item 17 of #33, "`agencies update` reflows text": any save (edit, add,
    update) wrote a value a volunteer had wrapped by hand over two lines, a plain one or a
    quoted one, on one line, however far it was from the change."""
    text = copy.read_text(encoding="utf-8")
    note = ("        note: Superintendent's Circular LGL-03, Public Records Requests (text "
            "snapshot of Dec 2024)\n")
    assert text.count(note) == 1
    text = text.replace(note, note + "          wrapped by hand onto a second line, as "
                        "volunteers do (https://www.example.org/a/very/long/url?with=query)\n")
    why = text.index("        why: ")
    end = text.index("\n", why)
    quoted = '        why: "Quoted, and wrapped by hand: café,\n          ümlaut and all."'
    text = text[:why] + quoted + text[end:]
    copy.write_text(text, encoding="utf-8")
    before = copy.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["agencies", "edit", "city-clerk", str(copy), "--set",
                                      "records_officer.fax=617-635-4999", "--yes"])
    assert result.exit_code == 0, result.output
    assert _changed_lines(before, copy.read_text(encoding="utf-8")) == [
        "+      fax: 617-635-4999"]
    directory = load_directory(copy)
    assert directory.agency("city-clerk").records_officer.fax == "617-635-4999"


def test_edit_that_breaks_the_file_writes_nothing(copy: Path) -> None:
    before = copy.read_bytes()
    result = CliRunner().invoke(cli, ["agencies", "edit", "bps", str(copy), "--set",
                                      "records_officer.email=not an email"])
    assert result.exit_code == 1
    assert "records_officer.email: 'not an email' is not an email address" in result.output
    assert "nothing was written" in result.output
    assert copy.read_bytes() == before
    removed = CliRunner().invoke(cli, ["agencies", "edit", "bps", str(copy), "--set",
                                       "records_officer.email="])
    assert removed.exit_code == 1  # bps takes email, so the email cannot go
    assert "takes requests by 'email' but records_officer has no email" in removed.output
    assert copy.read_bytes() == before
    unknown = CliRunner().invoke(cli, ["agencies", "edit", "ice", str(copy), "--set", "a=b"])
    assert "no agency has id 'ice'" in unknown.output


def test_add_interactively(copy: Path, keys: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:
    import recordskit.cli.app

    monkeypatch.setattr(recordskit.cli.app, "has_terminal", lambda: True)
    before = copy.read_text()
    keys.send_text("".join([
        "boston-housing", ENTER, "Boston Housing Authority", ENTER, "BHA", ENTER,
        "Public housing in Boston.", ENTER,
        ENTER,                      # municipal
        "y",                        # over 20,000 people
        ENTER,                      # boston calendar
        ENTER,                      # title: Records Access Officer (default)
        "Legal Department", ENTER,
        "52 Chauncy Street / Boston, MA 02111", ENTER,
        "records@bha.example.org", ENTER,
        "617-555-0199", ENTER,
        ENTER,                      # no portal
        SPACE, "\x1b[B", SPACE, ENTER,  # email and mail
        "https://www.bostonhousing.org/", ENTER,
        BACKSPACE * 10, "2026-11-20", ENTER,
        "y",                        # the diff shown: write it
    ]))
    keys.close()
    result = CliRunner().invoke(cli, ["agencies", "add", str(copy)])
    assert result.exit_code == 0, result.output
    after = copy.read_text()
    changed = _changed_lines(before, after)
    assert all(line.startswith("+") for line in changed)  # nothing else touched
    bha = load_directory(copy).agency("boston-housing")
    assert bha.records_officer.mailing_address == "52 Chauncy Street\nBoston, MA 02111"
    assert bha.delivery == ["email", "mail"]
    assert bha.sources[0].verified_on.isoformat() == "2026-11-20"
    ids = [a.id for a in load_directory(copy).agencies]
    assert ids.index("boston-housing") == ids.index("supervisor-of-records") - 1


def test_edit_interactively_records_the_check(copy: Path, keys: PipeInput,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import recordskit.cli.app

    monkeypatch.setattr(recordskit.cli.app, "has_terminal", lambda: True)
    before = copy.read_text()
    keys.send_text("".join([ENTER] * 6 + [ENTER]  # every field and the channels as they were
                           + ["y",  # "I checked them just now": recorded, explicitly
                              ENTER, BACKSPACE * 10, "2026-11-24", ENTER, "y"]))
    keys.close()
    result = CliRunner().invoke(cli, ["agencies", "edit", "bpd", str(copy)])
    assert result.exit_code == 0, result.output
    assert _changed_lines(before, copy.read_text()) == [
        "-        verified_on: 2015-02-20",
        "+        verified_on: 2026-11-24",
    ]


def test_enter_through_edit_certifies_nothing(copy: Path, keys: PipeInput,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter at every question changes nothing: not even a source's date, which would say
    a stale contact was checked today (and hide it from `agencies stale`)."""
    import recordskit.cli.app

    monkeypatch.setattr(recordskit.cli.app, "has_terminal", lambda: True)
    before = copy.read_bytes()
    keys.send_text(ENTER * 12)
    keys.close()
    result = CliRunner().invoke(cli, ["agencies", "edit", "bpd", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.output
    assert copy.read_bytes() == before


def test_add_refuses_a_taken_id(copy: Path) -> None:
    editable = EditableDirectory.open(copy)
    with pytest.raises(Exception, match="already exists"):
        editable.add_agency({"id": "bps"})


def test_editing_a_broken_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "agencies.yaml"
    broken.write_text("agencies: [\n")
    with pytest.raises(DirectoryError, match="not valid YAML"):
        EditableDirectory.open(broken)
