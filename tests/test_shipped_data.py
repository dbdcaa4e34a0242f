"""The directory volunteers edit (``agencies.yaml``) is tested for invariants, never for content.

Every other test reads the frozen copy under ``tests/data``, so a volunteer's valid edit (a new
record, a new email address, a new agency) cannot fail them. Here the shipped file must keep the
invariants the program relies on, and so must a copy after CONTRIBUTING.md's edits.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.service import EditableDirectory, check_directory

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "agencies.yaml"
CITATION = re.compile(r"M\.G\.L\.|\bCMR\b|§|\bc\. \d+|\b\d+ (business|calendar) days")


def invariants(path: Path) -> list[str]:
    """What the program needs of any directory: each broken invariant, in words."""
    directory, problems = check_directory(path)
    if directory is None:
        return [problem.render(path) for problem in problems]
    broken = []
    appeal_bodies = [a.id for a in directory.agencies if a.role == "appeals"]
    if len(appeal_bodies) != 1:
        broken.append(f"expected one appeal body, found {appeal_bodies}")
    for agency in directory.request_targets:
        if not agency.records:
            broken.append(f"{agency.id}: the interview offers it, but it has no catalog")
        for source in agency.sources:
            if not source.verified_on or not source.url:
                broken.append(f"{agency.id}: a source without its page or date")
    cited = {p for a in directory.agencies for r in a.records for p in r.precedents}
    known = {p.id for p in directory.precedents}
    broken += [f"record names missing precedent {p}" for p in sorted(cited - known)]
    for precedent in directory.precedents:
        if not any(source.publisher for source in precedent.sources):
            broken.append(f"{precedent.id}: no source names its publisher")
    for agency in directory.agencies:
        for record in agency.records:
            text = record.description.lower()
            if re.search(r"\b(the number of|how many)\b", text) and \
                    "records sufficient to show" not in text:
                broken.append(f"{agency.id}/{record.id}: asks for a number; a request asks for "
                              "records ('records sufficient to show how many …')")
            if re.search(r"\b(emails|communications|correspondence)\b", text) and not (
                    "office" in text and "search" in text):
                broken.append(f"{agency.id}/{record.id}: asks for emails without naming the "
                              "offices and how to search them")
            likely_withheld = {ask.exemption for ask in record.exemptions} & {
                "statutory", "investigatory"}
            if likely_withheld and not record.deidentified:
                broken.append(f"{agency.id}/{record.id}: may be withheld whole "
                              f"({', '.join(sorted(likely_withheld))}) but offers no "
                              "de-identified extract ('deidentified:')")
            for ask in record.exemptions:
                if ask.ask.count(". ") or not ask.ask.rstrip().endswith("."):
                    broken.append(f"{agency.id}/{record.id}: the {ask.exemption} ask is not one "
                                  "sentence")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.lstrip().startswith("#") and CITATION.search(line):
            broken.append(f"line {number} writes a citation; citations come from the law table")
    return broken


def test_the_shipped_directory_keeps_every_invariant() -> None:
    assert invariants(SHIPPED) == []


def test_a_contributing_style_edit_keeps_every_invariant_and_works(tmp_path: Path) -> None:
    copy = tmp_path / "agencies.yaml"
    shutil.copy(SHIPPED, copy)
    # CONTRIBUTING.md, "Add a record type": copy a record in the agency's list and change it.
    text = copy.read_text(encoding="utf-8")
    clerk = text.index("  - id: city-clerk")
    records = text.index("    records:\n", clerk) + len("    records:\n")
    record = ("      - id: trust-act-hearing-video\n"
              "        title: Trust Act hearing recordings\n"
              "        description: >-\n"
              "          Every audio or video recording of a City Council hearing on the Boston\n"
              "          Trust Act, with its agenda.\n"
              "        why: What was said when the ordinance was debated.\n"
              "        precedents: [trust-act-report-2024]\n")
    copy.write_text(text[:records] + record + text[records:], encoding="utf-8")
    # "Update a contact": a new email address for BPD, recorded with its source.
    edited = CliRunner().invoke(cli, [
        "agencies", "edit", "bpd", str(copy),
        "--set", "records_officer.email=records@pd.example.gov",
        "--set", "delivery=[email, mail, hand]",
        "--source", "https://www.boston.gov/departments/police", "--verified-on", "2026-11-20",
        "--yes"])
    assert edited.exit_code == 0, edited.output
    # "Add an agency" (what `agencies add` writes), with a catalog record added by hand.
    editable = EditableDirectory.open(copy)
    editable.add_agency({
        "id": "boston-housing", "name": "Boston Housing Authority", "short_name": "BHA",
        "kind": "municipal", "population_over_20000": True, "calendar": "boston",
        "records_officer": {"title": "Records Access Officer",
                            "mailing_address": "52 Chauncy Street\nBoston, MA 02111"},
        "delivery": ["mail", "hand"],
        "sources": [{"url": "https://www.bostonhousing.org/", "verified_on": "2026-11-20"}],
        "records": [{"id": "ice-requests", "title": "ICE requests",
                     "description": "Every request from ICE for tenant information.",
                     "why": "Whether tenants' data reached immigration enforcement."}],
    })
    assert editable.save()
    assert invariants(copy) == []

    validated = CliRunner().invoke(cli, ["agencies", "validate", str(copy)])
    assert validated.exit_code == 0, validated.output
    for agency, records, delivery in (("city-clerk", ["trust-act-hearing-video"], "portal"),
                                      ("bpd", ["bric-federal-access-rules"], "email"),
                                      ("boston-housing", ["ice-requests"], "mail")):
        answers = tmp_path / f"{agency}.yaml"
        answers.write_text(yaml.safe_dump({
            "agency": agency, "records": records, "delivery": delivery, "sent_on": "2026-11-23",
            "requester": {"name": "Ana", "email": "ana@example.org"}}), encoding="utf-8")
        made = CliRunner().invoke(cli, ["--agencies", str(copy), "new", "--answers",
                                        str(answers), "--out", str(tmp_path / agency),
                                        "--no-log"])
        assert made.exit_code == 0, made.output
        assert (tmp_path / agency / "letter.docx").exists()


def test_an_item_asking_for_a_number_or_every_email_or_arguing_at_length_is_caught(
        tmp_path: Path) -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    bps = next(a for a in data["agencies"] if a["id"] == "bps")
    records = {record["id"]: record for record in bps["records"]}
    records["privacy-training-materials"]["description"] = (
        "Training materials, with the number of people who attended each session.")
    records["communications-with-ice"]["description"] = (
        "Emails and other communications between any BPS employee and ICE about students.")
    del records["school-police-reports-shared-with-bric"]["deidentified"]
    records["school-police-bric-agreements"]["exemptions"][0]["ask"] = (
        "It is not a security plan. Please release it")
    copy = tmp_path / "agencies.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert invariants(copy) == [
        "bps/school-police-reports-shared-with-bric: may be withheld whole (statutory) but offers "
        "no de-identified extract ('deidentified:')",
        "bps/privacy-training-materials: asks for a number; a request asks for records "
        "('records sufficient to show how many …')",
        "bps/communications-with-ice: asks for emails without naming the offices and how to "
        "search them",
        "bps/school-police-bric-agreements: the security ask is not one sentence"]
