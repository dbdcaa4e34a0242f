"""The privacy guard, phrasing by phrasing, in English, Spanish and Haitian Creole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from prompt_toolkit.input.base import PipeInput

from recordskit.errors import PersonalDetailsError
from recordskit.intake.privacy import personal_details, refuse, scan
from recordskit.service import Directory, load_answers
from tests.conftest import DOWN, ENTER

Answers = Callable[..., dict[str, Any]]

FOUND = [
    # dates near "born", in the common written forms
    ("Reports about a student born 03/14/2010", "birth_date", "born 03/14/2010"),
    ("the boy, born 2011-04-02, was reported", "birth_date", "born 2011-04-02"),
    ("student born 04/12/2009", "birth_date", "born 04/12/2009"),
    ("a girl born March 14, 2010", "birth_date", "born March 14, 2010"),
    ("born on Sept. 3, 2012", "birth_date", "born on Sept. 3, 2012"),
    ("DOB 5/6/11", "birth_date", "DOB"),
    ("un estudiante nacido el 14 de marzo de 2010", "birth_date",
     "nacido el 14 de marzo de 2010"),
    ("nacida el 03/14/2010", "birth_date", "nacida el 03/14/2010"),
    ("fecha de nacimiento: 2010-03-14", "birth_date", "fecha de nacimiento"),
    ("elèv la li fèt 14 mas 2010", "birth_date", "li fèt 14 mas 2010"),
    ("dat fèt li se 2010-03-14", "birth_date", "dat fèt"),
    # a child's name after "my son", with the surname
    ("Reports about my son Kevin Ramírez at East Boston High", "child_name",
     "my son Kevin Ramírez"),
    ("emails about my daughter, Ana Lucía Gómez", "child_name", "my daughter, Ana Lucía Gómez"),
    ("a student named Kevin", "child_name", "student named Kevin"),
    ("reportes sobre mi hijo Carlos Pérez", "child_name", "mi hijo Carlos Pérez"),
    ("registros de mi hija", "child_name", "mi hija"),
    ("un niño llamado Luis Torres", "child_name", "niño llamado Luis Torres"),
    ("dosye sou pitit gason mwen Jean Baptiste", "child_name",
     "pitit gason mwen Jean Baptiste"),
    ("rapò sou pitit fi mwen", "child_name", "pitit fi mwen"),
    ("yon elèv ki rele Marie Joseph", "child_name", "elèv ki rele Marie Joseph"),
    # student ids and A-numbers, quoted whole
    ("Reports about SASID 1012345678, born 20", "student_id", "SASID 1012345678"),
    ("student ID: 1012345678", "student_id", "student ID: 1012345678"),
    ("record 1012345678", "student_id", "1012345678"),
    ("A-number 123-456-789 in the report", "a_number", "A-number 123-456-789"),
    ("A#123456789", "a_number", "A#123456789"),
    ("any record mentioning A-123-456-789", "a_number", "A-123-456-789"),
    # immigration status, in any of the three languages, through invisible characters
    ("records about undocumented students", "immigration_status", "undocumented"),
    ("undocu\u200bmented families", "immigration_status", "undocumented"),
    ("estudiantes sin papeles", "immigration_status", "sin papeles"),
    ("moun san papye", "immigration_status", "san papye"),
    ("his green card", "immigration_status", "green card"),
]
NOT_FOUND = [
    "Every incident report shared with the BRIC from 2014 to 2018",
    "Emails between BPS Safety Services and the BRIC about incident reports",
    "Policies adopted on March 14, 2010 about information sharing",
    "The 2020 student privacy policy and its drafts",
    "Todos los informes compartidos con el BRIC entre 2014 y 2018",
    "Politik sou pataj enfòmasyon elèv yo, 2018",
    "Training materials used since 2018-01-01",
    "Records of the School Committee vote of 2019-12-04",
]


@pytest.mark.parametrize(("text", "kind", "excerpt"), FOUND)
def test_the_guard_finds(text: str, kind: str, excerpt: str) -> None:
    assert (kind, excerpt) in [(f.kind, f.excerpt) for f in scan("other_records", text)]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_the_guard_leaves_policy_requests_alone(text: str) -> None:
    assert scan("other_records", text) == []


def test_a_file_finding_names_its_line_and_column(tmp_path: Path, directory: Directory,
                                                  answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(other_records="Reports about my son Kevin Ramírez"),
                                   sort_keys=False))
    request = load_answers(path, directory)
    with pytest.raises(PersonalDetailsError) as caught:
        refuse(personal_details(request), path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1)
                if text.startswith("other_records:"))
    assert str(caught.value).startswith(f"{path}:{line}:16: other_records: contains what "
                                        "looks like a child's name ('my son Kevin Ramírez')")


def _interview(keys: PipeInput, directory: Directory, *typed: str) -> tuple[Any, list[str]]:
    from datetime import date

    from recordskit.service import TerminalAsker, run_interview

    keys.send_text("".join(typed))
    keys.close()
    said: list[str] = []
    return run_interview(TerminalAsker(said.append), directory, today=date(2026, 6, 12)), said


REST = (ENTER, ENTER, "Ana", ENTER, ENTER, "a@b.org", ENTER, ENTER, ENTER,  # no dates; Ana
        ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, "y")


@pytest.mark.parametrize(("choice", "expected"), [
    ((ENTER, DOWN, ENTER), "Reports about"),                  # remove it; use what is left
    ((ENTER, ENTER, " the incidents", ENTER), "Reports about the incidents"),  # and finish it
    ((DOWN, ENTER), "Reports about my son Kevin Ramírez"),          # keep it
    ((DOWN, DOWN, ENTER, "\x7f" * 40, "School police reports", ENTER), "School police reports"),
])
def test_each_finding_is_removed_kept_or_edited(keys: PipeInput, directory: Directory,
                                                choice: tuple[str, ...], expected: str) -> None:
    request, said = _interview(keys, directory, ENTER, ENTER, " ", ENTER,
                               "Reports about my son Kevin Ramírez", ENTER, *choice, *REST)
    assert request.other_records == expected
    assert any("seems to contain a child's name: my son Kevin Ramírez" in s for s in said)
    assert any("a request for the child's student record is faster" in s for s in said)
