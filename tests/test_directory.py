"""The shipped directory, and errors that point a volunteer at the line to change."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from recordskit.errors import DirectoryError
from recordskit.service import Directory, load_directory

ROOT = Path(__file__).resolve().parent.parent


def test_required_bodies(directory: Directory) -> None:
    ids = [agency.id for agency in directory.agencies]
    assert {"bps", "bpd", "city-clerk", "supervisor-of-records"} <= set(ids)
    assert [a.id for a in directory.request_targets] == ["bps", "bpd", "city-clerk"]
    assert directory.agency("supervisor-of-records").role == "appeals"


@pytest.mark.parametrize("agency_id", ["bps", "bpd", "city-clerk"])
def test_catalogs_are_full_and_grounded(directory: Directory, agency_id: str) -> None:
    agency = directory.agency(agency_id)
    assert agency.kind == "municipal"
    assert agency.calendar == "boston"  # Suffolk County days count for the Boston bodies
    assert len(agency.records) >= 5
    for record in agency.records:
        assert record.description.endswith("."), record.id
        assert len(record.title) <= 70, record.id
        assert len(record.why) <= 110, record.id
    grounded = [record for record in agency.records if record.precedents]
    assert len(grounded) >= 4


def test_every_contact_has_a_dated_source(directory: Directory) -> None:
    for agency in directory.agencies:
        assert agency.sources
        for channel in agency.delivery:
            assert agency.channel_contact(channel), (agency.id, channel)


def test_contacts_are_those_the_fact_sheet_supports(directory: Directory) -> None:
    bps = directory.agency("bps").records_officer
    assert bps.email == "legal@bostonpublicschools.org"
    assert bps.mailing_address == "2300 Washington Street\nRoxbury, MA 02119"
    bpd = directory.agency("bpd").records_officer
    assert bpd.email is None and bpd.portal_url is None  # UNVERIFIED in facts.md 8.3
    clerk = directory.agency("city-clerk").records_officer
    assert clerk.email is None  # UNVERIFIED in facts.md 8.4
    supervisor = directory.agency("supervisor-of-records").records_officer
    assert supervisor.email == "pre@sec.state.ma.us"
    assert "One Ashburton Place, Room 1719" in supervisor.mailing_address


def test_bpd_covers_the_bric(directory: Directory) -> None:
    bpd = directory.agency("bpd")
    assert "BRIC" in bpd.description
    assert any("BRIC" in record.description for record in bpd.records)


def _broken(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agencies.yaml"
    path.write_text(textwrap.dedent(text))
    return path


MINIMAL = """\
    version: 1
    precedents:
      - id: p1
        title: A precedent
        summary: Something happened.
        sources:
          - publisher: A paper
    agencies:
      - id: town
        name: Town Hall
        short_name: the Town
        kind: municipal
        calendar: massachusetts
        records_officer:
          email: rao@town.example.org
        delivery: [email]
        sources:
          - url: https://town.example.org
            verified_on: 2026-01-01
        records:
          - id: minutes
            title: Minutes
            description: All minutes.
            why: To know.
            precedents: [p1]
      - id: sor
        name: Supervisor
        short_name: the Supervisor
        kind: state_agency
        role: appeals
        calendar: massachusetts
        records_officer:
          mailing_address: One Place
        delivery: [mail]
        sources:
          - url: https://sor.example.org
            verified_on: 2026-01-01
"""


def test_minimal_directory_loads(tmp_path: Path) -> None:
    directory = load_directory(_broken(tmp_path, MINIMAL))
    assert directory.agency("town").record("minutes").precedents == ["p1"]


BROKEN = [
    # (what to replace, with what, expected "line:column: field: message" fragment); the line
    # and column are those of the value to change in MINIMAL after the replacement.
    ("email: rao@town.example.org", "email: not-an-email",
     ":15:14: agencies[town].records_officer.email: 'not-an-email' is not an email address"),
    ("kind: municipal", "kind: county",
     ":12:11: agencies[town].kind: 'county' is not allowed; expected one of: 'municipal' or"),
    ("calendar: massachusetts\n    records_officer:\n      email",
     "calendar: suffolk\n    records_officer:\n      email",
     ":13:15: agencies[town].calendar: unknown calendar 'suffolk'"),
    ("precedents: [p1]", "precedents: [p2]",
     ":25:22: agencies[town].records[minutes].precedents[0]: no precedent has id 'p2'"),
    ("verified_on: 2026-01-01\n    records", "verified_on: last spring\n    records",
     ":19:22: agencies[town].sources[0].verified_on: 'last spring' is not a date"),
    ("delivery: [email]", "delivery: [email, portal]",
     ":16:23: agencies[town].delivery[1]: takes requests by 'portal' but records_officer has no "
     "portal_url"),
    ("        why: To know.", "        why: To know.\n        owner: me",
     ":25:9: agencies[town].records[minutes].owner: unknown key 'owner'; expected one of: id, "
     "title"),
    ("  - id: sor", "  - id: town", ":26:9: agencies[town].id: agency id 'town' is used more than "
     "once"),
    ("    role: appeals\n", "", ":9:3: agencies: no agency has role: appeals"),
    ("records:\n", "records:\n  - [\n", ":22:7: not valid YAML or JSON"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
def test_broken_directory_names_line_and_field(tmp_path: Path, old: str, new: str,
                                               expected: str) -> None:
    text = textwrap.dedent(MINIMAL)
    assert old in text
    path = _broken(tmp_path, text.replace(old, new, 1))
    with pytest.raises(DirectoryError) as caught:
        load_directory(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message, message


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = textwrap.dedent(MINIMAL).replace("kind: municipal", "kind: county").replace(
        "email: rao@town.example.org", "email: nope")
    with pytest.raises(DirectoryError) as caught:
        load_directory(_broken(tmp_path, text))
    assert len(caught.value.problems) == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="file not found"):
        load_directory(tmp_path / "nope.yaml")
