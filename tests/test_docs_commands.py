"""Every command README.md and CONTRIBUTING.md show is one the command line takes: each line of
their code blocks that runs recordskit is parsed by the real command group, option by option,
down to its command (without running it), so a renamed option or a command that no longer
exists fails here before a newcomer meets it, in the fast subset. tests/test_docs_run.py runs
every one of them, in a sandbox, and reads back what each made."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from recordskit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ("recordskit", ".venv/bin/recordskit")


def shown_commands(document: Path) -> list[str]:
    """The recordskit commands in a document's code blocks, one per line (continuations
    joined, comments and environment assignments dropped)."""
    found, inside, shell, pending = [], False, False, ""
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            # A fence that names a language other than the shell's holds data (YAML, Python)
            inside = not inside
            shell = inside and line.strip("`").strip() in ("", "sh", "bash", "console")
            continue
        if not shell:
            continue
        line = pending + line.strip()
        plain = line.split()
        while plain and re.fullmatch(r"[A-Z_]+=\S*", plain[0]):
            plain = plain[1:]
        if not pending and not (plain and plain[0] in PROGRAMS) and "&&" not in line:
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        line = re.sub(r"\[[^\]]*\]", " ", line)  # [OPTIONAL] parts of a usage line
        for part in re.split(r"\s*&&\s*", line):
            part = re.split(r"\s[<>|]\s?", part)[0]  # a redirection or a pipe is the shell's
            words = shlex.split(part, comments=True)
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                words = words[1:]  # RECORDSKIT_DATABASE_URL=… recordskit …
            if words and words[0] in PROGRAMS:
                found.append(shlex.join(words[1:]))
    return found


def other_commands(document: Path) -> list[str]:
    """The commands of other programs in a document's code blocks (``pip install …``,
    ``python3 -m venv …``), one per line or per part of an ``&&`` chain, as shlex words
    joined: every line of a shell block is a command (data blocks name their language)."""
    found, inside, shell, pending = [], False, False, ""
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
            shell = inside and line.strip("`").strip() in ("", "sh", "bash", "console")
            continue
        if not shell:
            continue
        line = pending + line.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        for part in re.split(r"\s*&&\s*", line):
            words = shlex.split(part, comments=True)
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                words = words[1:]
            if words and words[0] not in PROGRAMS:
                found.append(shlex.join(words))
    return found


COMMANDS = sorted({(doc, command) for doc in ("README.md", "CONTRIBUTING.md")
                   for command in shown_commands(ROOT / doc)})


def parses(arguments: list[str]) -> None:
    """Parse ``arguments`` as the command line would, down to the command they name."""
    group: click.Command = cli
    context = group.make_context("recordskit", list(arguments), resilient_parsing=False)
    while isinstance(group, click.Group):
        rest = [*context._protected_args, *context.args]
        if not rest:
            return
        _name, command, rest = group.resolve_command(context, rest)
        assert command is not None, arguments
        group = command
        context = command.make_context(_name or "", rest, parent=context,
                                       resilient_parsing=False)


def test_the_documents_show_commands() -> None:
    assert len([c for doc, c in COMMANDS if doc == "README.md"]) >= 30
    assert any(doc == "CONTRIBUTING.md" for doc, _c in COMMANDS)


@pytest.mark.parametrize(("document", "command"), COMMANDS)
def test_every_command_the_documents_show_is_one_the_command_line_takes(
        document: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the files a command names are there, as for the reader
    words = shlex.split(command)
    for word in words:
        if re.fullmatch(r"[\w-]+\.(jsonl|yaml|json|xlsx|csv|eml|txt|docx)", word):
            (tmp_path / word).write_text("", encoding="utf-8")
    try:
        parses(words)
    except click.exceptions.Exit:  # --help, --version
        pass
    except click.UsageError as exc:
        pytest.fail(f"{document}: `recordskit {command}`: {exc.format_message()}")


def test_the_check_catches_a_stale_command() -> None:
    with pytest.raises(click.UsageError):
        parses(["status", "--sate", "overdue"])
    with pytest.raises(click.UsageError):
        parses(["agencies", "valdiate"])
