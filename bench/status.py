"""Measure recordskit's tracking commands over large request logs, on SQLite and PostgreSQL.

Usage: python bench/status.py [--requests 1000 10000] [--runs 3] [--postgres URL] [--out FILE]
                              [--seed 2026] [--only COMMAND ...] [--cache FOLDER]

For each size it writes a log export of that many requests, with the events a clinic's log
gathers (receipts, responses of every kind, extensions and fee estimates, follow-ups, appeals,
a few withdrawn, closed or undone), spread over the agencies that take requests and over the
two years before RECORDSKIT_TODAY (2026-12-15), some made in batches; the same requests and
events for the same size and --seed on every run. On a fresh SQLite log and, when a PostgreSQL
URL is given (or RECORDSKIT_TEST_POSTGRES_URL is set), on a fresh database there, it times each
whole command (start-up included) RUNS times: `log import` of the file into an empty log (the
last of these imports is the log the other commands read), `status`, `status --json`,
`status --state overdue`, `show ID`, `calendar --out FILE` and `log export FILE`. It prints, per
backend, a Markdown table of each command's median wall time (min–max) and its peak memory (the
largest resident size of the command's process, or of a worker process it started, over the
runs, in MiB; for PostgreSQL the client's only, not the server's) and its median CPU time (user
and system, of the command's process and the workers it started: the machine's other work does
not count in it, as it does in the wall time). `--out
FILE` also writes every figure as JSON. `--cache FOLDER` keeps each generated file there and
reads it back on the next run of the same size and seed (a 100,000-request file takes minutes
to make).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from recordskit.models import Agency, Directory, Request

ROOT = Path(__file__).resolve().parent.parent
AGENCIES_FILE = ROOT / "tests" / "data" / "agencies.yaml"
TODAY = date(2026, 12, 15)
SPAN_DAYS = 730
"""Requests are sent over the two years before TODAY, so that their states differ."""
STAFF = ("ana", "marc", "li", "rosa")
"""Who made the requests and logged the events (`status --by` would tell them apart)."""
FIRST = "status, the first after the import"
COMMANDS = (FIRST, "status", "status --json", "status --state overdue", "show", "calendar",
            "log export", "log import")
"""The rows of the tables, in the order the issue lists them. The first ``status`` that reads
a log just imported works out every request's standing once (the import clears them), so it
is a row of its own; the ``status`` row is the runs after it."""


@dataclass
class Event:
    event: str
    on: date
    details: dict[str, Any] = field(default_factory=dict)
    undoes: Event | None = None
    """For an ``undo``: the event it undoes, numbered only once every event has its number."""


def business_day(day: date) -> date:
    """The day itself, or the Monday after a weekend: offices answer and people send mail on
    weekdays (holidays are left to chance)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class Story:
    """One request's events, in the order they happen; nothing on or after a day past TODAY
    is kept, since the log cannot know the future."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[Event] = []
        self.ended = False

    @property
    def last(self) -> date:
        return self.events[-1].on

    def add(self, event: str, on: date, details: dict[str, Any] | None = None) -> bool:
        """Log the event unless it falls after TODAY (which also ends the story)."""
        if self.ended or on > TODAY:
            self.ended = True
            return False
        self.events.append(Event(event, on, details or {}))
        return True

    def after(self, low: int, high: int) -> date:
        """A weekday ``low`` to ``high`` days after the last event."""
        return business_day(self.last + timedelta(days=self.rng.randint(low, high)))


def events_of(sent_on: date, delivery: str, rng: random.Random) -> list[Event]:
    """A request's events: always its receipt, then (for most) a response of some kind and
    what follows it. Shares are rough guesses at a clinic's log, not data."""
    story = Story(rng)
    arrives = sent_on + timedelta(days=rng.randint(2, 4) if delivery == "mail" else 0)
    # A letter still in the post on TODAY is logged as received today: every request has one.
    received = min(business_day(arrives), TODAY)
    story.add("received", received, {"tracking": f"R{rng.randint(1, 999_999):06d}-"
                                                 f"{received:%m%d%y}"}
              if rng.random() < 0.5 else {})
    if rng.random() < 0.15:
        silent(story)
    else:
        answered(story, late=rng.random() < 0.2)
    last = story.events[-1]
    waiting = last.event in ("received", "followed_up") or last.details.get("kind") in (
        "extension", "fee_estimate")
    if waiting and rng.random() < 0.05 and not story.ended:
        story.add("withdrawn", story.after(1, 30), {"note": "the family no longer needs it"}
                  if rng.random() < 0.5 else {})
    if rng.random() < 0.01:
        logged_twice(story)
    return story.events


def silent(story: Story) -> None:
    """No response: a follow-up after the deadline for most, then for some an appeal and an
    order, sometimes obeyed."""
    rng = story.rng
    if rng.random() < 0.4:
        return
    follow_up = story.after(16, 30)
    if not story.add("followed_up", follow_up, {
            "until": business_day(follow_up + timedelta(days=14)).isoformat(),
            "kind": "no_response"}):
        return
    if rng.random() < 0.5:
        return
    appealed_on = story.after(15, 40)
    if not story.add("appealed", appealed_on, {
            "number": f"SPR{appealed_on:%y}/{rng.randint(100, 3999):04d}",
            "window": "no_response"}):
        return
    decided(story)


def answered(story: Story, *, late: bool) -> None:
    """A first response (late for some) and what follows from its kind."""
    rng = story.rng
    first = story.after(15, 45) if late else story.after(1, 14)
    kind = rng.choices(("produced", "partial", "denied", "extension", "fee_estimate",
                        "no_records"), weights=(30, 12, 10, 20, 12, 6))[0]
    if kind == "extension":
        until = business_day(first + timedelta(days=rng.randint(20, 70)))
        if not story.add("response", first, {"kind": "extension", "until": until.isoformat()}):
            return
        if rng.random() < 0.65:
            produced_by = business_day(until - timedelta(days=rng.randint(0, 15)))
            later(story, max(produced_by, story.after(1, 1)))
        elif rng.random() < 0.5:  # the production date passed: a follow-up
            missed = business_day(until + timedelta(days=rng.randint(3, 20)))
            story.add("followed_up", missed, {
                "until": business_day(missed + timedelta(days=14)).isoformat(),
                "kind": "production_missed"})
        return
    if kind == "fee_estimate":
        amount = f"{rng.choice((25, 40, 75, 120, 250, 600, 1500))}.00"
        if not story.add("response", first, {"kind": "fee_estimate", "amount": amount}):
            return
        if rng.random() < 0.55 and story.add("paid", story.after(3, 20), {"amount": amount}):
            later(story, story.after(10, 40))
        return
    details: dict[str, Any] = {"kind": kind}
    if kind in ("denied", "partial") and rng.random() < 0.2:
        details["no_exemption"] = True
    if not story.add("response", first, details):
        return
    if kind in ("denied", "partial") and rng.random() < 0.35:
        appealed_on = story.after(10, 80)
        if story.add("appealed", appealed_on, {
                "number": f"SPR{appealed_on:%y}/{rng.randint(100, 3999):04d}"}):
            decided(story)
    elif kind == "produced" and rng.random() < 0.4:
        story.add("closed", story.after(3, 30))


def later(story: Story, on: date) -> None:
    """Records after an extension or a payment: all of them, or some; then, for some, closed."""
    kind = "produced" if story.rng.random() < 0.8 else "partial"
    if story.add("response", on, {"kind": kind}) and kind == "produced" \
            and story.rng.random() < 0.4:
        story.add("closed", story.after(3, 30))


def decided(story: Story) -> None:
    """For half of the appeals, the Supervisor's order (a date to comply by); records follow
    it for some."""
    if story.rng.random() < 0.5:
        return
    decided_on = story.after(20, 60)
    comply_by = business_day(decided_on + timedelta(days=14))
    if story.add("decided", decided_on, {"until": comply_by.isoformat()}) \
            and story.rng.random() < 0.5:
        later(story, story.after(5, 20))


def logged_twice(story: Story) -> None:
    """The last event logged a second time by mistake, and that copy undone: the log keeps
    both, and an import renumbers the undo's reference."""
    last = story.events[-1]
    twin = Event(last.event, last.on, dict(last.details))
    story.events += [twin, Event("undo", last.on, {"event": last.event}, undoes=twin)]


@dataclass
class Export:
    path: Path
    requests: int
    events: int
    middle_id: str
    """A request from the middle of the file, for `show`."""


def write_export(path: Path, count: int, scratch: Path, seed: int) -> Export:
    """A log export of ``count`` requests as ``log export`` writes one: the requests (oldest
    first), then the events numbered in the order they were recorded."""
    from recordskit.directory.load import load_directory

    directory = load_directory(AGENCIES_FILE)
    agencies = directory.request_targets
    rng = random.Random(seed)
    requests: list[dict[str, Any]] = []
    ids: set[str] = set()
    recorded: list[tuple[datetime, int, int, str, Event, str]] = []
    batch_left, batch_id, batch_sent_on = 0, "", TODAY
    for number in range(count):
        if batch_left == 0 and rng.random() < 0.004:  # about a third come in batches
            batch_left = rng.randint(20, 200)
            batch_id = f"batch-{rng.getrandbits(32):08x}"
            batch_sent_on = sent_on_between(rng)
        in_batch = batch_left > 0
        batch_left = max(batch_left - 1, 0)
        sent_on = batch_sent_on if in_batch else sent_on_between(rng)
        agency = rng.choice(agencies)
        request = answers_of(number, agency, sent_on, rng, directory)
        # Ids are ten hex digits of a hash: at 100,000 requests two could meet (about one
        # chance in 200), and an import refuses one id given twice differently.
        while (rid := request.fingerprint()) in ids:
            request = request.model_copy(update={"requester": request.requester.model_copy(
                update={"name": request.requester.name + " Jr."})})
        ids.add(rid)
        created = datetime.combine(sent_on - timedelta(days=rng.randint(1, 3)),
                                   office_hours(rng))
        made_by = STAFF[number % len(STAFF)]
        if in_batch:
            folder = str(scratch / "requests" / batch_id / f"row-{number:06d}")
        elif rng.random() < 0.5:
            folder = str(scratch / "requests" / f"request-{rid}")
        else:
            folder = ""  # made with `new` but no folder kept, or logged by hand
        requests.append({"type": "request", "id": rid, "created_at": stamp(created),
                         "agency": agency.id, "answers": json.loads(request.stored()),
                         "folder": folder, "batch_id": batch_id if in_batch else "",
                         "created_by": made_by})
        when = created
        for order, event in enumerate(events_of(sent_on, request.delivery, rng)):
            # Logged on the day or a few days late, never before the event before it.
            logged_on = min(event.on + timedelta(days=rng.choice((0, 0, 0, 1, 2, 5))), TODAY)
            when = max(datetime.combine(logged_on, office_hours(rng)),
                       when + timedelta(minutes=1))
            recorded.append((when, number, order, rid, event, rng.choice(STAFF)))
    recorded.sort(key=lambda item: item[:3])
    numbers = {id(item[4]): seq for seq, item in enumerate(recorded, start=1)}
    with path.open("w", encoding="utf-8") as out:
        for item in sorted(requests, key=lambda row: (row["created_at"], row["id"])):
            out.write(line(item))
        for seq, (when, _number, _order, rid, event, by) in enumerate(recorded, start=1):
            details = dict(event.details)
            if event.undoes is not None:
                details["undoes"] = numbers[id(event.undoes)]
            out.write(line({"type": "event", "seq": seq, "request_id": rid,
                            "event": event.event, "on_date": event.on.isoformat(),
                            "details": details, "recorded_at": stamp(when), "recorded_by": by,
                            "uid": uuid.UUID(int=rng.getrandbits(128), version=4).hex}))
    return Export(path, len(requests), len(recorded), requests[len(requests) // 2]["id"])


def cached_export(count: int, scratch: Path, seed: int, cache: Path | None) -> Export:
    """The export of ``count`` requests: written in ``scratch``, or, with a ``cache`` folder,
    read back from there when a run before wrote it (the same size and seed give the same
    requests and events; only the folders they name differ) and written there when not."""
    if cache is None:
        return write_export(scratch / f"log-{count}.jsonl", count, scratch, seed)
    cache.mkdir(parents=True, exist_ok=True)
    path, facts = cache / f"log-{count}-{seed}.jsonl", cache / f"log-{count}-{seed}.json"
    if path.exists() and facts.exists():
        known = json.loads(facts.read_text(encoding="utf-8"))
        return Export(path, known["requests"], known["events"], known["middle_id"])
    export = write_export(path, count, scratch, seed)
    facts.write_text(json.dumps({"requests": export.requests, "events": export.events,
                                 "middle_id": export.middle_id}) + "\n", encoding="utf-8")
    return export


def sent_on_between(rng: random.Random) -> date:
    return min(business_day(TODAY - timedelta(days=rng.randint(0, SPAN_DAYS))), TODAY)


def office_hours(rng: random.Random) -> time:
    """A time of a Boston working day, in UTC as the log stamps it."""
    return time(rng.randint(13, 22), rng.randint(0, 59), rng.randint(0, 59))


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "+00:00"


def answers_of(number: int, agency: Agency, sent_on: date, rng: random.Random,
               directory: Directory) -> Request:
    """A request's answers, checked against the directory as `recordskit new` checks them.
    A few are a parent's student-records requests to BPS; some families read Spanish or
    Haitian Creole."""
    from recordskit.intake.answers import request_from

    requester: dict[str, Any] = {"name": f"Family {number}",
                                 "email": f"family{number}@example.org"}
    if rng.random() < 0.3:
        requester["mailing_address"] = f"{number % 400 + 1} Main Street\nBoston, MA 02119"
    answers: dict[str, Any] = {
        "agency": agency.id, "requester": requester, "sent_on": sent_on.isoformat(),
        "language": rng.choices(("", "es", "ht"), weights=(80, 12, 8))[0]}
    if agency.id == "bps" and rng.random() < 0.05:
        answers |= {"request_type": "student_records", "requester_role": "parent",
                    "student": {"name": f"Student {number}", "school": "Boston Latin Academy"},
                    "delivery": rng.choice(("email", "mail", "hand"))}
    else:
        records = [record.id for record in agency.records]
        answers |= {"records": rng.sample(records, rng.randint(1, min(3, len(records)))),
                    "delivery": rng.choice(agency.delivery)}
    return request_from(answers, directory)


def line(item: dict[str, Any]) -> str:
    """As ``log export`` writes a line."""
    return json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n"


_LAUNCHER = """\
import json, os, subprocess, sys, time
stdout, stderr, command = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(stdout, "wb") as out, open(stderr, "wb") as err:
    started = time.perf_counter()
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
child.returncode = os.waitstatus_to_exitcode(status)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_kib": usage.ru_maxrss, "code": child.returncode}))
"""
"""Starts one command and reports its wall time and its own peak memory. It runs in a small
process of its own rather than in the bench: Linux counts the parent's resident pages at the
exec as the child's first peak, so a command started from the bench (which holds the directory,
the generated requests and psycopg) would report the bench's size whenever it is the larger."""


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """User and system seconds of the command's own process."""
    peak_kib: list[int] = field(default_factory=list)

    def cells(self) -> tuple[str, str, str]:
        if not self.seconds:
            return "not measured", "", ""
        wall = (f"{statistics.median(self.seconds):.2f} ({min(self.seconds):.2f}–"
                f"{max(self.seconds):.2f})")
        return wall, f"{statistics.median(self.cpu):.2f}", f"{max(self.peak_kib) / 1024:.0f}"


def run(arguments: list[str], env: dict[str, str], work: Path, timing: Timing) -> Path:
    """Run ``recordskit ARGUMENTS`` once, adding its time and peak memory to ``timing``; the
    file holding what it printed. A failed command stops the bench, with what it said."""
    stdout, stderr = work / "stdout.txt", work / "stderr.txt"
    command = [sys.executable, "-m", "recordskit", *arguments]
    # -I -S: the launcher needs only the standard library, and stays small without site.
    launched = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, str(stdout),
                               str(stderr), *command], env=env, cwd=work, check=True,
                              capture_output=True, text=True)
    report = json.loads(launched.stdout)
    if report["code"] != 0:
        said = stderr.read_text(encoding="utf-8", errors="replace").strip()
        raise SystemExit(f"`recordskit {' '.join(arguments)}` failed (exit {report['code']}):"
                         f"\n{said}")
    timing.seconds.append(report["seconds"])
    timing.cpu.append(report["cpu"])
    timing.peak_kib.append(report["peak_kib"])
    return stdout


class Logs(Protocol):
    """Where fresh, empty logs come from for one backend."""

    label: str

    def fresh(self) -> dict[str, str]:
        """The environment of commands that use a new, empty log."""

    def discard(self, env: dict[str, str]) -> None:
        """Remove the log ``fresh`` gave."""


class SQLiteLogs:
    label = "SQLite"

    def __init__(self, base: dict[str, str], work: Path) -> None:
        self.base, self.work, self.made = base, work, 0

    def fresh(self) -> dict[str, str]:
        self.made += 1
        return {**self.base, "RECORDSKIT_HOME": str(self.work / f"home-{self.made}"),
                "RECORDSKIT_DATABASE_URL": ""}

    def discard(self, env: dict[str, str]) -> None:
        shutil.rmtree(env["RECORDSKIT_HOME"], ignore_errors=True)


class PostgresLogs:
    """A new database on the server for each log, dropped when done."""

    label = "PostgreSQL"

    def __init__(self, base: dict[str, str], work: Path, admin_url: str) -> None:
        self.base, self.home, self.admin_url = base, work / "home-pg", admin_url

    def fresh(self) -> dict[str, str]:
        import psycopg

        name = f"rk_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))
        return {**self.base, "RECORDSKIT_HOME": str(self.home), "RECORDSKIT_DATABASE_URL": url}

    def discard(self, env: dict[str, str]) -> None:
        import psycopg

        name = urlsplit(env["RECORDSKIT_DATABASE_URL"]).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def measure(logs: Logs, export: Export, runs: int, work: Path, only: set[str]
            ) -> dict[str, Timing]:
    """Every command's timings on one backend (those in ``only``, when given), on a log loaded
    from ``export`` by the last of the timed imports."""
    timings = {command: Timing() for command in COMMANDS}
    env: dict[str, str] = {}
    try:
        for _ in range(runs if "log import" in only else 1):
            if env:
                logs.discard(env)  # an import is timed into an empty log each time
            env = logs.fresh()
            run(["log", "import", str(export.path)], env, work, timings["log import"])
        if "log import" not in only:
            timings["log import"] = Timing()
        run(["status"], env, work, timings[FIRST])
        print(f"  {logs.label}: the first `status` after the import took "
              f"{timings[FIRST].seconds[0]:.2f} s")
        for arguments, name in ((["status"], "status"), (["status", "--json"], "status --json"),
                                (["status", "--state", "overdue"], "status --state overdue"),
                                (["show", export.middle_id], "show")):
            if name not in only:
                continue
            for _ in range(runs):
                printed = run(arguments, env, work, timings[name])
            if name == "status --json":
                print(f"  {logs.label}: open requests by state: {states_in(printed)}")
        for attempt in range(runs if "calendar" in only else 0):
            # A new file each time: both commands refuse to replace one without --force.
            calendar = work / f"calendar-{attempt}.ics"
            run(["calendar", "--out", str(calendar)], env, work, timings["calendar"])
            calendar.unlink()
        for attempt in range(runs if "log export" in only else 0):
            exported = work / f"exported-{attempt}.jsonl"
            run(["log", "export", str(exported)], env, work, timings["log export"])
            if attempt == 0 and digest_of(exported) != digest_of(export.path):
                print(f"  note: {logs.label}'s export differs from the file imported")
            exported.unlink()
    finally:
        if env:
            logs.discard(env)
    return timings


def states_in(printed: Path) -> str:
    """How many requests `status --json` gave in each state: the mix the timings are over."""
    counts = Counter(row["state"] for row in json.loads(printed.read_text(encoding="utf-8")))
    return ", ".join(f"{state} {count}" for state, count in counts.most_common())


def digest_of(path: Path) -> int:
    """One number for an export's requests and events, whatever their order and numbers: an
    import gives events the log's own numbers, putting the undo events after the others, so an
    export of the imported log is the file imported, less its order. (A sum of each line's
    hash: the file is read as a stream, at any size.)"""
    total, uids = 0, {}
    with path.open(encoding="utf-8") as handle:
        for text in handle:
            item = json.loads(text)
            if item["type"] == "event":
                uids[item.pop("seq")] = item["uid"]
                if item["event"] == "undo":  # the undone event, by its own id
                    item["details"]["undoes"] = uids[item["details"]["undoes"]]
            canonical = json.dumps(item, sort_keys=True).encode("utf-8")
            total += int.from_bytes(hashlib.sha256(canonical).digest(), "big")
    return total % (1 << 256)


def table(label: str, results: dict[int, dict[str, Timing]]) -> Iterator[str]:
    """One backend's Markdown table: a row per command, two columns per size."""
    sizes = sorted(results)
    yield f"{label}:"
    yield ""
    yield "| command | " + " | ".join(f"{size:,} requests: wall s (min–max) | CPU s | peak MB"
                                        for size in sizes) + " |"
    yield "| --- |" + " --- | --- | --- |" * len(sizes)
    for command in COMMANDS:
        cells = [cell for size in sizes for cell in results[size][command].cells()]
        yield f"| `{command}` | " + " | ".join(cells) + " |"


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
    parser.add_argument("--requests", type=at_least_one, nargs="+", default=[1_000, 10_000],
                        help="the sizes of log to measure (default: 1000 10000)")
    parser.add_argument("--runs", type=at_least_one, default=3, help="timings of each command")
    parser.add_argument("--postgres", default=os.environ.get("RECORDSKIT_TEST_POSTGRES_URL", ""),
                        help="a PostgreSQL server's URL, to make a database in for each log")
    parser.add_argument("--out", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--seed", type=int, default=2026, help="the generated logs' seed")
    parser.add_argument("--cache", type=Path, help="keep the generated files in this folder, "
                        "and reuse them on later runs")
    parser.add_argument("--only", nargs="+", choices=COMMANDS[1:], default=list(COMMANDS[1:]),
                        help="measure only these commands (the first status after the import "
                             "always runs)")
    args = parser.parse_args()
    results: dict[str, dict[int, dict[str, Timing]]] = {}
    machine: dict[int, dict[str, Any]] = {}
    print(f"runs: {args.runs} of each whole command (start-up included); "
          f"peak memory in MiB, of the command's own process")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        base = {**os.environ, "RECORDSKIT_AGENCIES": str(AGENCIES_FILE),
                "RECORDSKIT_TODAY": TODAY.isoformat()}
        backends: list[Logs] = [SQLiteLogs(base, work)]
        if args.postgres:
            backends.append(PostgresLogs(base, work, args.postgres))
        for size in args.requests:
            # Taken before the log is generated, which keeps a core busy for a while: the load
            # says how busy the machine was besides this bench.
            load_before = os.getloadavg()
            export = cached_export(size, work, args.seed, args.cache)
            print(f"\n{size:,} requests ({export.events:,} events); machine: "
                  f"{os.cpu_count()} cores, load average {loads(load_before)} before")
            for logs in backends:
                results.setdefault(logs.label, {})[size] = measure(logs, export, args.runs,
                                                                    work, set(args.only))
            if args.cache is None:
                export.path.unlink()
            machine[size] = {"cpus": os.cpu_count(), "load_average_before": load_before,
                             "load_average_after": os.getloadavg()}
            print(f"  load average after: {loads(machine[size]['load_average_after'])}")
    for label, by_size in results.items():
        print()
        print("\n".join(table(label, by_size)))
    if args.out:
        args.out.write_text(json.dumps({
            "runs": args.runs, "today": TODAY.isoformat(), "seed": args.seed,
            "machine": {str(size): figures for size, figures in machine.items()},
            "results": [{"backend": label, "requests": size, "command": command,
                         "seconds": timing.seconds, "cpu_seconds": timing.cpu,
                         "peak_mb": [kib / 1024 for kib in timing.peak_kib]}
                        for label, by_size in results.items()
                        for size, timings in by_size.items()
                        for command, timing in timings.items()]}, indent=2) + "\n",
            encoding="utf-8")


if __name__ == "__main__":
    main()
