"""Commands with nothing to read load nothing heavy: `status` and `log export` on an empty log.

Each command runs as a person runs it (the installed script, in a process of its own), and at
its exit writes down every module it loaded; the test reads which libraries are among them. Not
timed: ``bench/startup.py`` measures the time; this guards the discipline behind it, so that an
import added at the top of a module on the start-up path shows here, naming the library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

INSTALLED = shutil.which("recordskit", path=str(Path(sys.executable).parent))
"""The installed script beside this Python, as a person runs it (else ``python -m``)."""

_PROBE = """\
import atexit, os, runpy, sys

def _loaded() -> None:
    with open(os.environ["RECORDSKIT_PROBE_MODULES"], "w", encoding="utf-8") as out:
        out.write("\\n".join(sorted(sys.modules)))

atexit.register(_loaded)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-m":
    sys.argv = ["recordskit", *sys.argv[1:]]
    runpy.run_module("recordskit", run_name="__main__", alter_sys=True)
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""
"""Runs the command in this process and, at its exit, writes ``sys.modules`` down: every
module loaded, however (``importlib.import_module`` too, which ``-X importtime`` misses)."""

HEAVY = ("pydantic", "pydantic_core", "yaml", "holidays", "rich", "babel", "docxtpl", "docx",
         "jinja2", "questionary", "prompt_toolkit", "icalendar", "openpyxl", "ruamel",
         "starlette", "uvicorn")
"""Libraries a command on an empty log does not need: the request's models and their checks
(pydantic), the agency directory's reader (yaml), the holiday calendars, the terminal's tables
(rich), Babel and the translation catalogs' reader, the documents' and the pages' libraries."""

WITHOUT_SERVER = ("email", "typing_extensions", "psycopg")
"""What the PostgreSQL driver loads (its metadata is read with the e-mail package) and nothing
else of a command on the SQLite file needs: the models check addresses with the e-mail package,
and their types' defaults come from typing_extensions."""


def imported_by(arguments: list[str], cwd: Path, *, named_directory: bool = False
                ) -> tuple[set[str], str]:
    """The top-level packages and modules a ``recordskit`` command loads, and what it
    printed; a failed command fails the test with what it said. The directory in use is the
    one recordskit ships, unless ``named_directory`` (the tests' own, in RECORDSKIT_AGENCIES)."""
    modules = cwd / "modules.txt"
    env = {**os.environ, "RECORDSKIT_PROBE_MODULES": str(modules)}
    if not named_directory:
        env.pop("RECORDSKIT_AGENCIES", None)
    result = subprocess.run([sys.executable, "-c", _PROBE, INSTALLED or "-m", *arguments],
                            capture_output=True, text=True, env=env, cwd=cwd, check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    loaded = modules.read_text(encoding="utf-8").split()
    modules.unlink()
    return {name.split(".")[0] for name in loaded}, result.stdout


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(set(HEAVY) & modules)


def test_status_where_no_log_was_made_loads_nothing_heavy(tmp_path: Path) -> None:
    modules, printed = imported_by(["status"], tmp_path)
    assert "No open requests match" in printed
    assert heavy_in(modules) == []
    assert modules.isdisjoint(WITHOUT_SERVER)


def test_status_and_export_on_an_empty_log_load_nothing_heavy(tmp_path: Path, backend: str
                                                              ) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    _modules, printed = imported_by(["log", "import", str(empty)], tmp_path)
    assert "Added 0 requests and 0 events" in printed
    for arguments, said in ((["status"], "No open requests match"),
                            (["log", "export", str(tmp_path / "out.jsonl")],
                             "0 requests and 0 events")):
        modules, printed = imported_by(arguments, tmp_path)
        assert said in printed
        assert heavy_in(modules) == [], arguments
        if not backend:  # the SQLite file
            assert modules.isdisjoint(WITHOUT_SERVER), arguments
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == ""


def test_status_on_an_empty_log_reads_a_directory_the_person_names(tmp_path: Path) -> None:
    """A directory named with --agencies (or RECORDSKIT_AGENCIES) is read and checked even
    when the log holds nothing, so that a bad one is refused there too."""
    modules, printed = imported_by(["status"], tmp_path, named_directory=True)
    assert "No open requests match" in printed
    assert {"pydantic", "yaml"} <= modules


def test_version_and_help_load_nothing_heavy(tmp_path: Path) -> None:
    for arguments in (["--version"], ["--help"], ["status", "--help"], ["log", "--help"]):
        modules, _printed = imported_by(arguments, tmp_path)
        assert heavy_in(modules) == [], arguments
        # (`--version` reads the installed package's metadata, with the e-mail package)
        assert "psycopg" not in modules, arguments


def test_the_probe_sees_what_a_command_loads(tmp_path: Path) -> None:
    """The probe itself: a command that reads the agency directory loads its reader and the
    models, and the test sees them."""
    modules, printed = imported_by(["agencies", "list"], tmp_path)
    assert "bps" in printed
    assert {"pydantic", "yaml"} <= set(heavy_in(modules))


_COUNTING = """\
import sys
from datetime import date

from recordskit.deadlines.calendars import CALENDARS, get_calendar

calendar = get_calendar(next(iter(CALENDARS)))
print("patriots day closed:", not calendar.is_business_day(date(2026, 4, 20)))
print("countries loaded:", sum(name.startswith("holidays.countries.") for name in sys.modules))
loaded = sys.modules["holidays.countries.united_states"].UnitedStates
import holidays.countries

print("whole package after:", len(holidays.countries.__dict__) > 500,
      holidays.countries.UnitedStates is loaded)
"""


def test_counting_a_day_loads_one_country_of_holidays(tmp_path: Path) -> None:
    """The holiday calendar loads holidays' United States module without the package's index of
    every country (250 modules, most of its start-up); the whole package, asked for later,
    loads as usual, around the same class."""
    result = subprocess.run([sys.executable, "-c", _COUNTING], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    assert result.stdout.splitlines() == ["patriots day closed: True", "countries loaded: 1",
                                          "whole package after: True True"]


def test_each_command_is_loaded_from_the_module_that_registers_it() -> None:
    """``COMMAND_MODULES`` names, for every top-level command, the module whose import
    registers it: a command missing there would never be loaded, and one named with the wrong
    module would fail when run."""
    import importlib

    from recordskit.cli.app import COMMAND_MODULES, cli

    package = Path(importlib.import_module("recordskit.cli").__file__ or "").parent
    families = {path.stem for path in package.glob("*.py")} - {"__init__", "app"}
    assert set(COMMAND_MODULES.values()) == families
    for family in sorted(families):
        importlib.import_module(f"recordskit.cli.{family}")
    registered = {name: command.callback.__module__ if command.callback else ""
                  for name, command in cli.commands.items()}
    assert registered == {name: f"recordskit.cli.{family}"
                          for name, family in COMMAND_MODULES.items()}
