"""The law table: complete, sourced, and the only place a citation or legal number is written."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from recordskit.law import EXEMPTIONS, LAW_VERSION, free_hours, production_limit
from recordskit.service import LAW

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"M\.G\.L\.|\bCMR\b|§|\bc\. \d+|\b\d+ (business|calendar) days")


@pytest.mark.parametrize("key", sorted(LAW))
def test_every_rule_is_sourced_and_cited(key: str) -> None:
    rule = LAW[key]
    assert rule.key == key
    assert rule.citation and rule.statement
    assert rule.sources and all(s.startswith("http") for s in rule.sources)
    assert rule.confidence in ("official", "secondary")


def test_numbers_match_the_fact_sheet() -> None:
    # shared/legal/facts.md, section 0: the numbers the tool prints.
    assert LAW["response_time"].days == 10
    assert LAW["production_limit_municipal"].days == 25
    assert LAW["production_limit_state_agency"].days == 15
    assert LAW["appeal_window"].days == 90
    assert LAW["appeal_window"].unit == "calendar_days"
    assert LAW["supervisor_decision"].days == 10
    assert LAW["extension_petition"].days == 20
    assert LAW["copy_fee_paper"].value == Decimal("0.05")
    assert LAW["labor_rate_cap"].value == Decimal(25)
    assert LAW["free_hours_municipal"].value == 2
    assert LAW["free_hours_state_agency"].value == 4
    assert LAW_VERSION == "2026-11-23"


def test_citations_match_the_fact_sheet() -> None:
    assert LAW["statute"].citation == "M.G.L. c. 66, § 10"
    assert LAW["no_fee_if_late"].citation == "950 CMR 32.06(2)(c)"
    assert LAW["appeal_window"].citation == "950 CMR 32.08(1)(c)–(d)"
    assert LAW["receipt_rule"].citation == "950 CMR 32.03(3), 32.06(2)(e)"
    assert LAW["suffolk_days"].citation == "M.G.L. c. 136, § 12"


def test_rule_without_days_refuses_days() -> None:
    with pytest.raises(TypeError, match="sets no number of days"):
        _ = LAW["statute"].days


def test_kind_specific_rules() -> None:
    assert production_limit("municipal").days == 25
    assert production_limit("state_agency").days == 15
    assert free_hours("municipal", population_over_20000=True) is LAW["free_hours_municipal"]
    assert free_hours("municipal", population_over_20000=False) is None
    assert free_hours("state_agency", population_over_20000=False) is LAW["free_hours_state_agency"]


def test_only_sourced_exemption_clauses() -> None:
    # facts.md Pitfall 13: investigatory is (f), privacy (c), security (n). Only clauses the
    # fact sheet SOURCED may be cited.
    assert {e.clause for e in EXEMPTIONS.values()} == {"a", "c", "d", "f", "n"}
    assert EXEMPTIONS["investigatory"].citation == "M.G.L. c. 4, § 7(26)(f)"
    assert EXEMPTIONS["privacy"].citation == "M.G.L. c. 4, § 7(26)(c)"
    assert EXEMPTIONS["security"].citation == "M.G.L. c. 4, § 7(26)(n)"


def citations_outside_the_law_table(root: Path) -> list[str]:
    """Every citation written in the code (any subpackage), the templates or the directory."""
    offenders = []
    for path in sorted((root / "src" / "recordskit").rglob("*.py")):
        if path.name == "law.py" and path.parent.name == "recordskit":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if CITATION.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    for template in sorted((root / "letter_templates").glob("*.docx")):
        with zipfile.ZipFile(template) as archive:
            xml = archive.read("word/document.xml").decode()
        text = re.sub(r"<[^>]+>", "", xml)
        outside_tags = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text)
        if CITATION.search(outside_tags):
            offenders.append(f"{template.name}: {CITATION.search(outside_tags)}")
    directory_text = (root / "agencies.yaml").read_text()
    for number, line in enumerate(directory_text.splitlines(), start=1):
        if not line.lstrip().startswith("#") and CITATION.search(line):
            offenders.append(f"agencies.yaml:{number}: {line.strip()}")
    return offenders


def test_no_citation_is_written_outside_the_law_table() -> None:
    """Templates, the directory and the code other than law.py carry no citation of their own."""
    assert citations_outside_the_law_table(ROOT) == []


# Each plant copies the checkout's sources (0.2 s of CPU): the quick run plants one, CI all
# three.
@pytest.mark.parametrize(("module", "planted"), [
    ("src/recordskit/deadlines/schedule.py", 'RULE = "within 10 business days"\n'),
    pytest.param("src/recordskit/documents/contexts/appeal.py", 'CITE = "950 CMR 32.08"\n',
                 marks=pytest.mark.slow),
    pytest.param("src/recordskit/cli/new.py", 'HELP = "M.G.L. c. 66, § 10"\n',
                 marks=pytest.mark.slow),
])
def test_the_citation_test_catches_a_planted_citation(tmp_path: Path, module: str,
                                                      planted: str) -> None:
    import shutil

    copy = tmp_path / "checkout"
    for part in ("src", "letter_templates"):
        shutil.copytree(ROOT / part, copy / part,
                        ignore=shutil.ignore_patterns("__pycache__", "locale"))
    shutil.copy(ROOT / "agencies.yaml", copy / "agencies.yaml")
    assert citations_outside_the_law_table(copy) == []
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + planted, encoding="utf-8")
    assert citations_outside_the_law_table(copy) != []
