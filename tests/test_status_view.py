"""`status` shows what needs action first and pages: overdue, then due in the next two weeks,
then the rest, with a count of what is not shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from recordskit.cli import cli

Answers = Callable[..., dict[str, Any]]


def _make(tmp_path: Path, answers: Answers, name: str, sent_on: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(answers(sent_on=sent_on, other_records=name, records=[])),
                    encoding="utf-8")
    made = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                    str(tmp_path / name), "--past"])
    assert made.exit_code == 0, made.output


def test_the_most_pressing_come_first_and_the_rest_are_counted(tmp_path: Path,
                                                               answers: Answers) -> None:
    # Today is 2026-06-12 (tests/conftest.py). Sent in May: overdue. Sent today: its answer is
    # due in two weeks (26 June). Sent in July: due in August, the rest.
    for name, sent_on in (("later", "2026-07-20"), ("soon", "2026-06-12"),
                          ("overdue", "2026-05-01")):
        _make(tmp_path, answers, name, sent_on)
    listed = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert [entry["asked"] for entry in listed] == ["overdue", "soon", "later"]
    assert listed[0]["state"] == "overdue"
    limited = CliRunner().invoke(cli, ["status", "--limit", "2"], env={"COLUMNS": "200"})
    assert limited.exit_code == 0, limited.output
    assert "overdue" in limited.output and "later" not in limited.output
    assert "1 more not shown" in limited.output
    every = CliRunner().invoke(cli, ["status", "--all", "--limit", "1"], env={"COLUMNS": "200"})
    assert "not shown" not in every.output and "later" in every.output


def test_the_agencys_reference_numbers_are_shown_with_the_request(tmp_path: Path,
                                                                   answers: Answers) -> None:
    _make(tmp_path, answers, "soon", "2026-06-12")
    [entry] = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    logged = CliRunner().invoke(cli, ["log", entry["id"], "received", "--on", "2026-06-12",
                                      "--tracking", "R004372-120323"])
    assert logged.exit_code == 0, logged.output
    [entry] = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert entry["references"] == ["R004372-120323"]
    table = CliRunner().invoke(cli, ["status"], env={"COLUMNS": "200"}).output
    assert "R004372-120323" in table
