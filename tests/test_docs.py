"""The README is the front door: it must name every command and the real set-up commands."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import click
import pytest

from recordskit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "recordskit") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if command.hidden:
            continue
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    for name, command in _commands(cli):
        assert command.help, name
        assert name in README, f"README does not mention `{name}`"


def test_every_answers_key_is_documented() -> None:
    from recordskit.models import ANSWER_KEYS, REQUESTER_KEYS

    for key in ANSWER_KEYS + REQUESTER_KEYS:
        assert f"`{key}`" in README, key


def test_readme_commands_match_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.search(r"^(python3 -m venv .*pytest.*)$", README, re.MULTILINE)
    assert test_command, "README has no one-line test command"
    assert test_command.group(1) in ci


def test_readme_answers_example_is_valid(directory: object) -> None:
    import yaml

    from recordskit.intake.answers import request_from

    block = re.search(r"```yaml\n(agency: .*?)```", README, re.DOTALL)
    assert block, "README has no answers example"
    request = request_from(yaml.safe_load(block.group(1)), directory)  # type: ignore[arg-type]
    assert request.agency == "bps"
    assert request.requester.organization == "Example Family Law Clinic"


_TOP = ("src/", "tests/", "tools/", "bench/", "letter_templates/", ".ci/", "docs/")
_FILES = ("agencies.yaml", "agencies.schema.json", "pyproject.toml", "README.md",
          "CONTRIBUTING.md")


def named_paths(text: str) -> set[str]:
    """Repository paths written in backticks: whole, or inside a command such as `python X`."""
    found = set()
    for quoted in re.findall(r"`([^`\n]+)`", text):
        for word in quoted.split():
            if word.startswith(_TOP) or word in _FILES:
                found.add(word.rstrip(".,;:"))
    return found


def test_readme_python_example_runs(tmp_path: Path, _private_log: Path) -> None:
    """README's library example, run as written in a fresh process on README's answers
    example (sent on 2026-11-23); between its two halves the denial it waits for is logged with
    the command, and "today" is a fixed day a week later, so that the example never ages."""
    import os
    import subprocess
    import sys

    today = "2026-11-30"
    section = README.split("## Using recordskit from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code, "README has no Python example"
    first, later = code.group(1).split("# later", 1)
    answers = re.search(r"```yaml\n(agency: .*?)```", README, re.DOTALL)
    assert answers
    (tmp_path / "answers.yaml").write_text(answers.group(1), encoding="utf-8")
    denial = ("\nimport subprocess, sys\nsubprocess.run([sys.executable, '-m', 'recordskit', "
              "'log', made.request_id, 'response', '--kind', 'denied', '--no-exemption', '--on', "
              "'2026-11-25'], "
              "check=True, capture_output=True)\n")
    script = first + denial + "# later" + later.replace(
        "date.today()", f"date.fromisoformat({today!r})")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "RECORDSKIT_HOME": str(_private_log),
                                          "RECORDSKIT_TODAY": today})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "2026-12-08"  # README's answers: sent on 2026-11-23, by email
    assert "appeal.docx" in lines[1]
    assert (tmp_path / "out" / "letter.docx").is_file()
    assert (tmp_path / "out" / "appeal" / "appeal.docx").is_file()



@pytest.mark.parametrize("document", ["README.md", "CONTRIBUTING.md"])
def test_every_path_the_docs_name_exists(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    paths = named_paths(text)
    assert paths, document
    missing = [path for path in sorted(paths)
               if not list(ROOT.glob(re.sub(r"<[^>]+>", "*", path)))]
    assert missing == []


def test_the_path_check_catches_a_missing_file() -> None:
    assert named_paths("see `tools/make_request_template.py` and `python bench/batch.py`") == {
        "tools/make_request_template.py", "bench/batch.py"}
    assert not list(ROOT.glob("tools/make_request_template.py"))


def test_every_test_the_readme_names_exists() -> None:
    names = set(re.findall(r"`(test_\w+)`", README))
    assert names
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    assert names - defined == set()


def _bench_batch() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_batch", ROOT / "bench" / "batch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while they are made
    sys.modules.setdefault("bench_batch", module)
    spec.loader.exec_module(module)
    return module


def _numbers_masked(text: str) -> list[str]:
    return [re.sub(r"\d[\d,.]*(?:–\d[\d,.]*)?", "N", line) for line in text.splitlines()]


def test_readme_batch_table_is_what_the_bench_prints() -> None:
    """README quotes bench/batch.py's own table (only the numbers, as ranges, are its own)."""
    printed = _bench_batch().table(_figures())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(printed.splitlines()[0])
    quoted = readme[start:].split("\n\n", 1)[0]
    assert _numbers_masked(quoted) == _numbers_masked(printed)


def test_readme_stage_table_is_what_the_bench_prints() -> None:
    bench = _bench_batch()
    printed = bench.stage_table(dict.fromkeys(bench.STAGES, 1.0),
                                dict.fromkeys(bench.STAGES, 0.5), 200)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(printed.splitlines()[0])
    quoted = readme[start:].split("\n\n", 1)[0]
    assert _numbers_masked(quoted) == _numbers_masked(printed)


def test_the_bench_table_check_notices_a_changed_row() -> None:
    printed = _bench_batch().table(_figures())
    assert _numbers_masked(printed.replace("naive loop", "plain loop")) != _numbers_masked(
        printed)
    assert _numbers_masked(printed.replace("| 1,000 | 5.00 |", "| 1,000 | 9.9–10.5 |")) == \
        _numbers_masked(printed)
    assert "| 1,000 | 5.00 |" in printed


def _figures(*, big: bool = False) -> dict[str, object]:
    timing = _bench_batch().Timing
    figures: dict[str, object] = {
        "rows": 1000, "naive_rows": 200, "batch": timing(5.0, 8.0, 88.0),
        "floor": timing(3.0, 5.0, 70.0), "naive": timing(10.0, 9.0), "rerun": timing(1.3, 1.1)}
    if big:
        figures |= {"big_rows": 10000, "big": timing(35.0, 60.0, 129.0)}
    return figures
