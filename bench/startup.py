"""Measure recordskit's start-up: commands on an empty request log against a bare click app.

Usage: python bench/startup.py [--runs 15] [--postgres URL] [--out FILE]

A command that has nothing to read should start about as fast as any small click program. This
bench writes a bare click app (one command that prints a line) into a temporary folder and times
it, then `recordskit --version`, `recordskit --help`, and `status` and `log export FILE` on an
empty SQLite log (one that holds no request: made by importing an empty export), `status` where
no log was ever made, `status --lang es` (which reads the Spanish catalog), `status` with a
directory named (`--agencies FILE`, which it reads and checks) and, when a PostgreSQL
URL is given (or RECORDSKIT_TEST_POSTGRES_URL is set), `status` and `log export FILE` on an empty
database there. Each is run as a whole command (the installed `recordskit` script) once untimed,
which writes the bytecode, then RUNS times, the commands taking turns. It prints a Markdown
table of each command's median wall time (min–max), its median CPU time (user+sys, of the
command's own process) and the ratio of each median to the bare click app's, with the machine's
load average before and after: on a busy machine the wall times grow and the CPU times much
less.

Every run is sandboxed: HOME, the XDG folders and RECORDSKIT_HOME are inside the temporary
folder, every other RECORDSKIT_* variable is unset, and the language is English (LC_ALL), so the
bench never reads or writes the person's own log, settings or agency directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BARE_CLICK_APP = """\
import click


@click.command()
def main() -> None:
    click.echo("hello")


main()
"""
"""The yardstick: what any one-command click program costs to start."""

BARE = "bare click app"
AGENCIES_FILE = Path(__file__).resolve().parent.parent / "agencies.yaml"
"""A directory named on the command line: `status` reads and checks it, even on an empty log."""


@dataclass
class Timing:
    """One command's runs: wall and CPU seconds of each."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Case:
    """A row of the table: a command line, and the environment it runs in."""

    label: str
    command: list[str]
    env: dict[str, str]
    before_each: list[Path] = field(default_factory=list)
    """Files the command writes, removed before each run (`log export` refuses to replace)."""


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run ``command`` once; its wall seconds and its CPU seconds (user+sys of its own
    process, which ``os.wait4`` reports). A failed command stops the bench, with what it
    said."""
    with (cwd / "stdout.txt").open("wb") as out, (cwd / "stderr.txt").open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        said = (cwd / "stderr.txt").read_text(encoding="utf-8", errors="replace").strip()
        raise SystemExit(f"`{' '.join(command)}` failed (exit {code}):\n{said}")
    return seconds, usage.ru_utime + usage.ru_stime


def measure(cases: list[Case], runs: int, cwd: Path) -> dict[str, Timing]:
    """Each case run once untimed (it writes the bytecode, and warms the disk cache), then
    ``runs`` rounds of every case in turn: a machine whose load changes during the bench slows
    every row alike, and the ratios to the bare app hold."""
    timings = {case.label: Timing() for case in cases}
    for attempt in range(runs + 1):
        for case in cases:
            for path in case.before_each:
                path.unlink(missing_ok=True)
            seconds, cpu = timed(case.command, case.env, cwd)
            if attempt:
                timings[case.label].wall.append(seconds)
                timings[case.label].cpu.append(cpu)
    return timings


def sandbox(scratch: Path) -> dict[str, str]:
    """The environment of every run: the person's own folders and RECORDSKIT_* settings
    replaced by folders in ``scratch``, in English. Bytecode is written (by each command's
    untimed first run) and read after, as a pip install leaves it: without it every run would
    compile the package again."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("RECORDSKIT_", "XDG_", "LC_", "LANG"))
           and name not in ("PYTHONDONTWRITEBYTECODE", "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME")}
    home = scratch / "home"
    for name, folder in (("HOME", home), ("XDG_CONFIG_HOME", home / ".config"),
                         ("XDG_DATA_HOME", home / ".local" / "share"),
                         ("XDG_CACHE_HOME", home / ".cache"),
                         ("XDG_STATE_HOME", home / ".local" / "state")):
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env |= {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    return env


def recordskit_command() -> list[str]:
    """The installed ``recordskit`` script beside this Python, as a person runs it."""
    script = Path(sys.executable).parent / "recordskit"
    if not script.exists():
        raise SystemExit(f"no {script}: install recordskit into this environment first "
                         "(pip install -e '.[postgres]')")
    return [str(script)]


def empty_log(env: dict[str, str], cwd: Path, empty_export: Path) -> None:
    """Make the log ``env`` names hold nothing: import an export with no request in it, which
    makes the SQLite file (or the PostgreSQL tables) as a first `log import` would."""
    timed([*recordskit_command(), "log", "import", str(empty_export)], env, cwd)


@dataclass
class Postgres:
    """A database of its own on the server, made for the bench and dropped after it."""

    admin_url: str
    url: str = ""

    def __enter__(self) -> Postgres:
        import psycopg

        name = f"rk_startup_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.url = urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))
        return self

    def __exit__(self, *_exc: object) -> None:
        import psycopg

        name = urlsplit(self.url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cases(scratch: Path, base: dict[str, str], postgres_url: str) -> Iterator[Case]:
    """The rows, in order: the bare click app first (every ratio is to it)."""
    bare = scratch / "bare_click_app.py"
    bare.write_text(BARE_CLICK_APP, encoding="utf-8")
    recordskit = recordskit_command()
    yield Case(BARE, [sys.executable, str(bare)], base)
    yield Case("`recordskit --version`", [*recordskit, "--version"], base)
    yield Case("`recordskit --help`", [*recordskit, "--help"], base)
    empty_export = scratch / "empty.jsonl"
    empty_export.touch()
    never = {**base, "RECORDSKIT_HOME": str(scratch / "never-made")}
    yield Case("`status`, no log made yet", [*recordskit, "status"], never)
    sqlite = {**base, "RECORDSKIT_HOME": str(scratch / "sqlite")}
    empty_log(sqlite, scratch, empty_export)
    exported = scratch / "exported.jsonl"
    yield Case("`status`, empty SQLite log", [*recordskit, "status"], sqlite)
    yield Case("`status --lang es`, empty SQLite log", [*recordskit, "status", "--lang", "es"],
               sqlite)
    yield Case("`--agencies FILE status`, empty SQLite log",
               [*recordskit, "--agencies", str(AGENCIES_FILE), "status"], sqlite)
    yield Case("`log export FILE`, empty SQLite log",
               [*recordskit, "log", "export", str(exported)], sqlite, [exported])
    if postgres_url:
        postgres = {**base, "RECORDSKIT_HOME": str(scratch / "pg-home"),
                    "RECORDSKIT_DATABASE_URL": postgres_url}
        empty_log(postgres, scratch, empty_export)
        yield Case("`status`, empty PostgreSQL log", [*recordskit, "status"], postgres)
        yield Case("`log export FILE`, empty PostgreSQL log",
                   [*recordskit, "log", "export", str(exported)], postgres, [exported])


def table(results: dict[str, Timing], runs: int) -> Iterator[str]:
    """The Markdown table: each row's medians, their range, and the ratios to the bare app."""
    bare = results[BARE]
    yield f"| command ({runs} runs) | wall s, median (min–max) | × bare | CPU s, median " \
          "(min–max) | × bare |"
    yield "| --- | --- | --- | --- | --- |"
    for label, timing in results.items():
        yield (f"| {label} | {timing.median_wall:.3f} ({min(timing.wall):.3f}–"
               f"{max(timing.wall):.3f}) | {timing.median_wall / bare.median_wall:.1f} | "
               f"{timing.median_cpu:.3f} ({min(timing.cpu):.3f}–{max(timing.cpu):.3f}) | "
               f"{timing.median_cpu / bare.median_cpu:.1f} |")


def loads(averages: tuple[float, float, float]) -> str:
    """The 1-, 5- and 15-minute load averages."""
    return ", ".join(f"{value:.2f}" for value in averages)


def at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least_one, default=15,
                        help="timed runs of each command (after one untimed run)")
    parser.add_argument("--postgres", default=os.environ.get("RECORDSKIT_TEST_POSTGRES_URL", ""),
                        help="a PostgreSQL server's URL, to make an empty database in")
    parser.add_argument("--out", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="recordskit-startup-") as folder:
        scratch = Path(folder)
        base = sandbox(scratch)
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(Postgres(args.postgres)).url if args.postgres else ""
            results = measure(list(cases(scratch, base, url)), args.runs, scratch)
    load_after = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; load average {loads(load_before)} before, "
          f"{loads(load_after)} after")
    print()
    print("\n".join(table(results, args.runs)))
    if args.out:
        args.out.write_text(json.dumps({
            "runs": args.runs, "cpus": os.cpu_count(), "load_average_before": load_before,
            "load_average_after": load_after,
            "results": [{"command": label, "wall_seconds": timing.wall,
                         "cpu_seconds": timing.cpu} for label, timing in results.items()]},
            indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
