"""`templates check` on templates broken in each way a Word edit can break them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from recordskit.cli import cli
from recordskit.documents.template_check import check_template
from tests.conftest import docx_text

ROOT = Path(__file__).resolve().parent.parent
REQUEST = ROOT / "letter_templates" / "request.docx"


def test_shipped_templates_are_clean() -> None:
    assert check_template(REQUEST) == []
    result = CliRunner().invoke(cli, ["templates", "check"])
    assert result.exit_code == 0
    assert "request.docx: OK" in result.output


def _broken(tmp_path: Path, *paragraphs: str) -> Path:
    """The real request template with paragraphs added, as an editor in Word would."""
    document = Document(REQUEST)
    for text in paragraphs:
        document.add_paragraph(text)
    folder = tmp_path / "letter_templates"
    folder.mkdir(exist_ok=True)
    path = folder / "request.docx"
    document.save(path)
    return path


BROKEN = [
    # (paragraph added, severity, expected message fragment)
    ("Dear {{ agency.adress }},", "error",
     "unknown field 'agency.adress'; expected one of: address, email, id, name"),
    ("Sent {{ sent_date }}", "error", "unknown variable 'sent_date'; expected one of: agency,"),
    ("{%p for item in items %}", "error", "template syntax error: Unexpected end of template"),
    ("Total: {{ fees.max_fee|currency }}", "error", "unknown filter 'currency'"),
    ("{{ requester.__class__ }}", "error", "'requester.__class__' reaches into Python internals"),
    ("{{ ''.__class__.__mro__ }}", "error", "reaches into Python internals"),
    ("{% if fee_waiver == 'none' %}No waiver.", "error", "template syntax error"),
    ("Due {{ dates.response_due", "error", "a tag starts in one paragraph and ends in another"),
    ("{%p if format == 'paper' %} Paper copies", "error",
     "a {%p ... %} tag must be alone in its paragraph"),
    ("{{r requester.name }}", "error", "{{r, {{p and subdocuments are not supported"),
    ("{% if delivery == ‘email’ %}By email{% endif %}", "warning",
     "Word changed the quotes in"),
    ("{{ 'R & D' }}", "warning", "contains '&'; Word stores it as '&amp;'"),
]


@pytest.mark.parametrize(("paragraph", "severity", "expected"), BROKEN)
def test_each_kind_of_damage_is_named_with_its_paragraph(tmp_path: Path, paragraph: str,
                                                         severity: str, expected: str) -> None:
    problems = check_template(_broken(tmp_path, paragraph))
    matching = [p for p in problems if expected in p.message]
    assert matching, [p.render() for p in problems]
    assert matching[0].severity == severity
    assert matching[0].template == "request.docx"
    # A syntax error too: the paragraph it is in, or for a block never closed the paragraph
    # that opens it (not the top of the letter, as before).
    alone = paragraph.startswith("{%p") and paragraph.endswith("%}")  # docxtpl's {% %} then
    assert matching[0].near == (paragraph.replace("{%p", "{%") if alone else paragraph)[:160]


def test_loop_fields_are_checked_against_the_loop_items(tmp_path: Path) -> None:
    problems = check_template(_broken(
        tmp_path, "{%p for item in items %}", "{{ item.nmber }}. {{ item.title }}",
        "{%p endfor %}"))
    assert [p.message for p in problems] == [
        "unknown field 'item.nmber'; expected one of: asks, deidentified, description, number, "
        "period, title"]


def test_cli_fails_on_errors_not_warnings(tmp_path: Path) -> None:
    warned = _broken(tmp_path, "{{ 'R & D' }}")
    result = CliRunner().invoke(cli, ["templates", "check", str(warned.parent)])
    assert result.exit_code == 0
    assert "request.docx: warning:" in result.output
    broken = _broken(tmp_path, "{{ nope }}")
    result = CliRunner().invoke(cli, ["templates", "check", str(broken.parent)])
    assert result.exit_code == 1
    assert "request.docx: error: unknown variable 'nope'" in result.output
    assert "(in: '{{ nope }}')" in result.output
    assert "1 template error" in result.output


def test_unknown_template_name(tmp_path: Path) -> None:
    other = tmp_path / "letter_templates" / "thank_you.docx"
    other.parent.mkdir()
    Document().save(other)
    problems = check_template(other)
    assert "recordskit renders no template by this name" in problems[0].message


def test_preview(tmp_path: Path) -> None:
    out = tmp_path / "preview.docx"
    result = CliRunner().invoke(cli, ["templates", "preview", "request.docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = docx_text(out)
    assert "Boston Public Schools" in text and "Ana Pérez" in text
    assert "by December 8, 2026 (M.G.L. c. 66" in text
    again = CliRunner().invoke(cli, ["templates", "preview", "request.docx", "--out", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output
    missing = CliRunner().invoke(cli, ["templates", "preview", "nope.docx", "--out", str(out)])
    assert "no template 'nope.docx'; expected one of: request.docx" in missing.output
