"""The pages write the same request folder that `recordskit new --answers` writes from the same
answers: every file, byte for byte once the moment of writing is set aside."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.service import open_log, set_language
from tests.web.conftest import PUBLIC_PAGES, make_request, visitor

STUDENT_PAGES: list[tuple[str, dict[str, Any]]] = [
    ("/new", {"kind": "student_parent"}),
    ("/new/student", {"student.name": "Kevin Ramírez", "student.school": "East Boston High School",
                      "student.grade": "10", "custody": "non_custodial"}),
    ("/new/requester", {"requester.name": "Rosa Ramírez", "requester.organization": "",
                        "requester.email": "rosa@example.org",
                        "requester.mailing_address": "", "requester.phone": ""}),
    ("/new/sending", {"delivery": "hand", "sent_on": "2026-06-12", "format": "electronic"}),
]
OWN_WORDS = [("/new/records", {"records": ["school-police-reports-shared-with-bric"],
                               "other_records": "Correos sobre informes, 2018 a 2020",
                               "date_from": "2018-01-01", "date_to": "2020-12-31"})]


def normalised(name: str, data: bytes) -> Any:
    """A file's content without the moment it was written (document properties' dates, an
    email's date and boundary, a calendar's stamp)."""
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as docx:
            return {part: re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>", b"",
                                 docx.read(part)) for part in sorted(docx.namelist())}
    if name.endswith(".eml"):
        text = data.decode("utf-8")
        boundaries = set(re.findall(r'boundary="([^"]+)"', text))
        for number, boundary in enumerate(sorted(boundaries)):
            text = text.replace(boundary, f"BOUNDARY{number}")
        text = re.sub(r"^(Date|Message-ID):.*(\n[ \t].*)*$", r"\1: -", text, flags=re.MULTILINE)
        attachment = re.split(r"\n\n", text)
        return attachment[:1] + [re.sub(r"\s", "", part) for part in attachment[1:]]
    if name.endswith(".ics"):
        return re.sub(rb"DTSTAMP:[0-9TZ]+", b"DTSTAMP:-", data)
    return data


@pytest.mark.parametrize(("lang", "pages"), [
    ("es", PUBLIC_PAGES),
    ("ht", PUBLIC_PAGES[:2] + OWN_WORDS + PUBLIC_PAGES[3:]),
    ("en", STUDENT_PAGES),
])
def test_the_pages_write_what_new_answers_writes(app: Any, requests_folder: Path,
                                                 tmp_path: Path, lang: str,
                                                 pages: list[tuple[str, dict[str, Any]]]
                                                 ) -> None:
    request_id = make_request(visitor(app, language=lang), pages)
    web_folder = Path(open_log().get(request_id).folder)
    assert web_folder.parent == requests_folder.resolve()
    cli_folder = tmp_path / "from-the-command-line"
    result = CliRunner().invoke(cli, ["new", "--answers", str(web_folder / "answers.yaml"),
                                      "--out", str(cli_folder), "--no-log"])
    set_language("en")
    assert result.exit_code == 0, result.output
    web_files = sorted(p.name for p in web_folder.iterdir())
    assert web_files == sorted(p.name for p in cli_folder.iterdir())
    assert "letter.docx" in web_files and "summary.docx" in web_files
    for name in web_files:
        ours = normalised(name, (web_folder / name).read_bytes())
        theirs = normalised(name, (cli_folder / name).read_bytes())
        assert ours == theirs, name
    answers = (web_folder / "answers.yaml").read_text(encoding="utf-8")
    assert (f"language: {lang}" in answers) == (lang != "en")


def test_a_problem_is_said_beside_its_own_field(app: Any) -> None:
    seen = visitor(app, language="es")
    for path, data in PUBLIC_PAGES[:2]:
        seen.post(path, data)
    backwards = seen.post("/new/records", {"records": ["school-police-reports-shared-with-bric"],
                                           "date_from": "2020-01-01", "date_to": "2019-01-01"})
    assert backwards.status_code == 400
    assert 'href="#f-date_to"' in backwards.text and 'id="f-date_to-error"' in backwards.text
    for path, data in PUBLIC_PAGES[2:4]:
        seen.post(path, data)
    paper = seen.post("/new/sending", {**PUBLIC_PAGES[4][1], "format": "paper"})
    assert paper.status_code == 400
    assert 'href="#f-format"' in paper.text
    assert "requester.mailing_address" not in paper.text  # the family's words, not a key
    assert "Las copias en papel necesitan una dirección postal" in paper.text
