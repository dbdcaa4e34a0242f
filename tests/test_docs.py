"""The README is the front door: it must name every command and the real set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

import click

from recordskit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "recordskit") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
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
