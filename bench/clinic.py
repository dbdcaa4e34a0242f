"""Load a clinic's server (``recordskit serve --clinic``) with families and staff at once, on
this machine, against a real PostgreSQL; then check in the database that nothing was lost or
mixed up.

Usage: python bench/clinic.py [--families 50] [--staff 2] [--postgres URL] [--timeout 600]
                              [--server process|thread] [--overlap]

It creates a fresh database (a random name) on the PostgreSQL server of --postgres (default:
RECORDSKIT_TEST_POSTGRES_URL; `eval "$(RECORDSKIT_TEST_PG_DIR=/tmp/rk-pg-bench
tools/test_postgres.sh start)"` starts a throwaway one), makes FAMILIES intake links and STAFF
accounts in it, and starts the real application under uvicorn on 127.0.0.1 and a free port: in
a subprocess by default, so that the clients' threads and the server do not share one GIL
(``--server thread`` runs it in this process instead, to compare).

Then every family, each on her own thread and cookie jar, opens her link, chooses English,
answers the interview with answers of her own (requester "Family K", familyK@example.org,
other records "records of family K") and submits. Meanwhile each staff member signs in and
loops: read the queue, produce each waiting intake, and log the agency's "acknowledged" answer
on the request it made, until every submitted intake is produced. Each staff member takes
only her own share of the intakes (K modulo STAFF); ``--overlap`` lets them all take any, so
that they race, and counts the server's refusal of the second ("not waiting for review") as
a clean refusal.

At the end it reads the database directly and prints a PASS or FAIL line for each check
(every intake arrived once and was produced, with its own family's answers; one request per
intake with the right requester; one "received" event on each, recorded by the staff member
who logged it; no page answered 5xx; nothing lost), a Markdown table of the latencies per kind
of page (count, p50, p95, max in ms), the wall time, the cores and the load average before and
after; then drops the database. It exits 1 when a check fails.

Everything stops by --timeout seconds (counted from the start): the clients' loops, each
request's own timeout and the server's start. Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2

ROOT = Path(__file__).resolve().parent.parent
AGENCIES_FILE = ROOT / "tests" / "data" / "agencies.yaml"
HOST = "127.0.0.1"
COOKIE = "recordskit_session"
"""The server's session cookie (``recordskit.web.guard.COOKIE``)."""
KINDS = ("family GET", "family POST", "submit", "staff sign-in", "staff queue", "produce",
         "log answer")
"""The rows of the latency table, in the order a request passes through the clinic."""
MAX_FAMILIES = 150
"""The server keeps at most 200 sessions in memory (``web_sessions``) and forgets the oldest
past that: more families at once would measure that limit, not the load."""
MAX_STAFF = 10
REQUEST_SECONDS = 60.0
"""No single page may take longer than this (nor past the deadline)."""
POLL_SECONDS = 0.2
"""How long a staff member waits before reading the queue again when it has nothing for her:
a person would wait longer; a busy loop would load the server with nothing but queue pages."""
RECORDS = "school-police-reports-shared-with-bric"


# -- what the clients saw ---------------------------------------------------------------------

@dataclass
class Sample:
    kind: str
    ms: float
    statuses: tuple[int, ...]
    """The status of each answer in the chain (a POST's 303, then the page it leads to)."""


@dataclass
class Seen:
    """Everything the clients saw, shared between their threads."""

    deadline: float
    families: int
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Anything a client did not expect: a refusal, a wrong page, an error, a timeout."""
    refusals: int = 0
    """Produces the server refused because another staff member produced it first."""
    submitted: dict[str, int] = field(default_factory=dict)
    """Intake id -> family number, for each family that reached /submitted."""
    families_done: int = 0
    produced: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Intake id -> (request id, staff member who produced it)."""
    answered: dict[str, str] = field(default_factory=dict)
    """Request id -> staff member who logged its answer."""
    given_up: set[str] = field(default_factory=set)
    """Intakes a staff member could not produce (a problem says why): not waited for."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def note(self, problem: str) -> None:
        with self.lock:
            self.problems.append(problem)

    def all_settled(self) -> bool:
        """Every family is done, and every intake submitted is produced or given up on."""
        with self.lock:
            return self.families_done >= self.families and all(
                i in self.produced or i in self.given_up for i in self.submitted)


class OutOfTime(Exception):
    """The deadline passed: the client stops where it is."""


class Unexpected(Exception):
    """A page answered other than a browser following the clinic's forms expects."""


def gist(page: str) -> str:
    """A refusal's heading and its error lines, as text, to say what went wrong."""
    found = re.findall(r"<h1[^>]*>(.*?)</h1>|class=\"error\"[^>]*>(.*?)</p>", page, re.S)
    said = " / ".join(p for pair in found for p in pair if p)
    text = re.sub(r"<[^>]+>", " ", said or page[:400])
    return " ".join(html.unescape(text).split())[:300]


class SessionCookie:
    """The server's session cookie, kept and sent by hand. The clinic's server marks it Secure,
    since browsers reach it through the clinic's HTTPS proxy; this bench talks to it directly
    over plain HTTP on 127.0.0.1, as the proxy does. httpx2's jar would keep it and never send
    it back there (it copies the jar for every request, with the default policy: Secure cookies
    over HTTPS only), so the hooks below do what a browser behind the proxy does."""

    def __init__(self) -> None:
        self.value = ""

    def keep(self, response: httpx2.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            if COOKIE in cookie:
                forgotten = cookie[COOKIE]["max-age"] == "0"
                self.value = "" if forgotten else cookie[COOKIE].value

    def send(self, request: httpx2.Request) -> None:
        if self.value:
            request.headers["cookie"] = f"{COOKIE}={self.value}"


def only_this_machine(request: httpx2.Request) -> None:
    """Refuse any request elsewhere than 127.0.0.1 (a redirect somewhere else included)."""
    if request.url.host != HOST:
        raise Unexpected(f"a request to {request.url.host!r}, not {HOST}")


class Browser:
    """One person's browser: her cookie jar, the CSRF token of the last page, her timings."""

    def __init__(self, base: str, seen: Seen, who: str) -> None:
        self.seen, self.who, self.csrf = seen, who, ""
        # trust_env=False: a proxy set in the environment must not see (or carry) these
        cookie = SessionCookie()
        self.client = httpx2.Client(base_url=base, follow_redirects=True, trust_env=False,
                                   event_hooks={"request": [only_this_machine, cookie.send],
                                                "response": [cookie.keep]})

    def close(self) -> None:
        self.client.close()

    def go(self, kind: str, method: str, path: str, form: dict[str, Any] | None = None
           ) -> httpx2.Response:
        """One page as a person waits for it: a form's POST and the page its 303 leads to
        are timed together."""
        left = self.seen.left()
        if left <= 0:
            raise OutOfTime
        data = None if method == "GET" else {"csrf": self.csrf, **(form or {})}
        started = time.perf_counter()
        try:
            response = self.client.request(method, path, data=data,
                                           timeout=min(REQUEST_SECONDS, left))
        except httpx2.TimeoutException:
            raise OutOfTime from None
        except httpx2.HTTPError as exc:
            raise Unexpected(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        ms = (time.perf_counter() - started) * 1000
        statuses = (*(r.status_code for r in response.history), response.status_code)
        with self.seen.lock:
            self.seen.samples.append(Sample(kind, ms, statuses))
        if any(status >= 500 for status in statuses):
            raise Unexpected(f"{method} {path} answered {statuses}: {gist(response.text)}")
        found = re.search(r'name="csrf" value="([^"]+)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def expect(self, response: httpx2.Response, path: str, what: str) -> None:
        if response.status_code != 200 or response.url.path != path:
            raise Unexpected(f"{what}: expected 200 at {path}, got {response.status_code} at "
                             f"{response.url.path}: {gist(response.text)}")


# -- the family -------------------------------------------------------------------------------

def answers_of(number: int, today: date) -> list[tuple[str, dict[str, Any]]]:
    """Family NUMBER's answers, page by page: her own name, email and records, so that any
    answer that ends up in another family's intake shows whose it was."""
    return [
        ("/new", {"kind": "public_records"}),
        ("/new/agency", {"agency": "bps"}),
        ("/new/records", {"records": [RECORDS], "other_records": f"records of family {number}",
                          "date_from": "", "date_to": ""}),
        ("/new/requester", {"requester.name": f"Family {number}", "requester.organization": "",
                            "requester.email": f"family{number}@example.org",
                            "requester.mailing_address": "", "requester.phone": ""}),
        ("/new/sending", {"delivery": "email", "send_to": "", "sent_on": today.isoformat(),
                          "fee_waiver": "none", "max_fee": "0", "format": "electronic"}),
    ]


def family(number: int, secret: str, intake_id: str, base: str, seen: Seen,
           start: threading.Barrier) -> None:
    """Family NUMBER fills her intake through her link alone, and submits it."""
    browser = Browser(base, seen, f"family {number}")
    try:
        # Every family opens her link at the same moment: the load is at once, not staggered
        with suppress(threading.BrokenBarrierError):
            start.wait(timeout=max(seen.left(), 0.1))
        opened = browser.go("family GET", "GET", f"/i/{secret}")
        browser.expect(opened, "/language", "opening her link")
        chose = browser.go("family POST", "POST", "/language", {"language": "en"})
        browser.expect(chose, "/new", "choosing English")
        for path, form in answers_of(number, date.today()):
            answered = browser.go("family POST", "POST", path, form)
            if answered.status_code != 200 or answered.url.path in (path, "/new/privacy"):
                # The same page again is a refusal of her answers; the privacy page was not
                # expected of these made-up answers either
                raise Unexpected(f"answering {path}: {answered.status_code} at "
                                 f"{answered.url.path}: {gist(answered.text)}")
        browser.expect(answered, "/new/review", "after the last page")
        sent = browser.go("submit", "POST", "/new/write")
        browser.expect(sent, "/submitted", "submitting")
        if f"Family {number}" not in sent.text:
            raise Unexpected("the submitted page does not show her name")
        for other in re.findall(r"Family (\d+)", sent.text):
            if int(other) != number:
                raise Unexpected(f"her submitted page shows family {other}'s name")
        with seen.lock:
            seen.submitted[intake_id] = number
    except OutOfTime:
        seen.note(f"family {number}: out of time before submitting")
    except Unexpected as exc:
        seen.note(f"family {number}: {exc}")
    finally:
        with seen.lock:
            seen.families_done += 1
        browser.close()


# -- staff ------------------------------------------------------------------------------------

def staff_member(index: int, name: str, password: str, base: str, seen: Seen,
                 mine: Callable[[str], bool]) -> None:
    """A staff member signs in and works through the queue (her share of it, by ``mine``):
    produce each intake, then log the agency's acknowledgment on the request it made."""
    browser = Browser(base, seen, name)
    handled: set[str] = set()
    try:
        browser.go("staff sign-in", "GET", "/staff/signin")
        signed = browser.go("staff sign-in", "POST", "/staff/signin",
                            {"name": name, "password": password})
        browser.expect(signed, "/staff", "signing in")
        while True:
            queue = browser.go("staff queue", "GET", "/staff")
            browser.expect(queue, "/staff", "the queue")
            waiting = [i for i in dict.fromkeys(re.findall(r"/staff/intakes/([0-9a-f]{10})",
                                                           queue.text))
                       if i not in handled and mine(i)]
            if not waiting:
                if seen.all_settled():
                    return
                time.sleep(min(POLL_SECONDS, max(seen.left(), 0)))
                continue
            for intake_id in waiting:
                handled.add(intake_id)
                produce(browser, name, intake_id, seen)
    except OutOfTime:
        seen.note(f"{name} (staff {index}): out of time with intakes still waiting")
    except Unexpected as exc:
        seen.note(f"{name} (staff {index}): {exc}")
    finally:
        browser.close()


def produce(browser: Browser, name: str, intake_id: str, seen: Seen) -> None:
    made = browser.go("produce", "POST", f"/staff/intakes/{intake_id}/produce")
    if made.status_code == 400 and "not waiting for review" in made.text:
        # Another staff member produced it first: the server refused the second, cleanly
        with seen.lock:
            seen.refusals += 1
        return
    try:
        browser.expect(made, f"/staff/intakes/{intake_id}", f"producing intake {intake_id}")
        links = set(re.findall(r"/requests/([0-9a-f]{10})", made.text))
        if len(links) != 1:
            raise Unexpected(f"intake {intake_id}'s page links {sorted(links)} after producing")
    except Unexpected:
        with seen.lock:
            seen.given_up.add(intake_id)
        raise
    [request_id] = links
    with seen.lock:
        seen.produced[intake_id] = (request_id, name)
    logged = browser.go("log answer", "POST", f"/requests/{request_id}/answered", {
        "meaning": "acknowledged", "on": date.today().isoformat(),
        "tracking": f"T-{intake_id}", "note": ""})
    browser.expect(logged, f"/requests/{request_id}", f"logging request {request_id}'s answer")
    with seen.lock:
        seen.answered[request_id] = name


# -- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def application(folder: Path, port: int, url: str) -> Any:
    from recordskit.web.app import WebConfig, create_app

    return create_app(WebConfig(folder=folder, port=port, clinic=True, hosts=frozenset({HOST}),
                                database_url=url, today=date.today,
                                agencies_path=AGENCIES_FILE))


def serve(folder: str, port: str, url: str) -> None:
    """The subprocess: the application under uvicorn until it is told to stop (SIGTERM)."""
    import uvicorn

    uvicorn.run(application(Path(folder), int(port), url), host=HOST, port=int(port),
                log_level="warning", access_log=False)


class ErrorsLogged(logging.Handler):
    """In ``--server thread``: what uvicorn logs of the server's errors (its tracebacks)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def running_server(mode: str, folder: Path, url: str, work: Path, seen: Seen
                   ) -> Iterator[tuple[str, Callable[[], str], Callable[[], float]]]:
    """The server's address, a function giving what it logged of errors, and one giving the
    CPU seconds it used so far (in a thread: this whole process's, clients included); stopped
    after."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    if mode == "thread":
        import uvicorn

        caught = ErrorsLogged()
        logging.getLogger("uvicorn.error").addHandler(caught)
        server = uvicorn.Server(uvicorn.Config(application(folder, port, url), host=HOST,
                                               port=port, log_level="warning",
                                               access_log=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            wait_for(base, seen, lambda: thread.is_alive())
            yield base, lambda: "\n".join(caught.lines), time.process_time
        finally:
            server.should_exit = True
            thread.join(10)
            logging.getLogger("uvicorn.error").removeHandler(caught)
        return
    log_file = work / "server.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve",
                                    str(folder), str(port), url],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_for(base, seen, lambda: process.poll() is None,
                 lambda: log_file.read_text("utf-8", "replace"))
        yield (base, lambda: log_file.read_text("utf-8", "replace"),
               lambda: cpu_seconds(process.pid))
    finally:
        process.send_signal(signal.SIGTERM)  # uvicorn's graceful stop
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process used so far, from Linux's /proc; NaN
    elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return math.nan
    # Fields after the command's name (in parentheses, which may hold spaces): utime and
    # stime are the 14th and 15th of the line
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(base: str, seen: Seen, alive: Callable[[], bool],
             output: Callable[[], str] = lambda: "") -> None:
    """Until the sign-in page answers (30 s at most, and never past the deadline)."""
    until = min(time.monotonic() + 30, seen.deadline)
    while time.monotonic() < until:
        if not alive():
            raise SystemExit(f"the server stopped at start:\n{output()}")
        with suppress(httpx2.HTTPError):
            if httpx2.get(f"{base}/staff/signin", timeout=2,
                         trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"the server did not start in time:\n{output()}")


# -- the database -----------------------------------------------------------------------------

@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database on the server, dropped at the end (with any connection still open)."""
    import psycopg

    name = f"rk_bench_clinic_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def set_up(url: str, families: int, staff: int) -> tuple[list[tuple[str, str]],
                                                           list[tuple[str, str]]]:
    """The links (secret, intake id) for each family, and each staff account (name,
    password), made as the clinic's admin makes them."""
    from recordskit.clinic import accounts, intakes
    from recordskit.tracking.open import open_log

    log = open_log(url)
    links = []
    for _ in range(families):
        made = intakes.make_link(log, by="bench", at=datetime.now(UTC), language="", days=1)
        links.append((made.token, made.intake.id))
    people = []
    for index in range(1, staff + 1):
        name, password = f"Staff {index}", secrets.token_urlsafe(18)
        accounts.add_staff(log, name, password, by="bench", at=datetime.now(UTC))
        people.append((name, password))
    return links, people


@dataclass
class Check:
    name: str
    problems: list[str]


def check(url: str, links: list[tuple[str, str]], seen: Seen, server_errors: str,
          finished: bool, folder: Path) -> list[Check]:
    """Every check, read from the database itself (not from what the pages said)."""
    from recordskit.clinic import intakes
    from recordskit.tracking.open import open_log

    log = open_log(url)
    number_of = {intake_id: number for number, (_secret, intake_id) in enumerate(links, 1)}
    found = {i.id: i for i in intakes.intakes(log, None, limit=len(links) + 100)}
    results = []

    wrong = [f"intake {i} was never made" for i in number_of if i not in found]
    wrong += [f"intake {i} is not one of the links made" for i in found if i not in number_of]
    wrong += [f"intake {i} (family {number_of.get(i)}) is {found[i].status}, not produced"
              for i in found if found[i].status != "produced"]
    audit = Counter((str(action), str(subject)) for action, subject in log.fetch(
        "SELECT action, subject FROM audit WHERE action IN (?, ?)",
        ["intake submitted", "request produced"]))
    for intake_id in number_of:
        for action in ("intake submitted", "request produced"):
            if audit[action, intake_id] != 1:
                wrong.append(f"intake {intake_id}: {audit[action, intake_id]} "
                             f"'{action}' lines in the audit, not 1")
    results.append(Check("every intake arrived exactly once, and was produced once", wrong))

    wrong = []
    for intake_id, intake in found.items():
        number = number_of.get(intake_id)
        person = intake.answers.get("requester") or {}
        held = (person.get("name"), person.get("email"), intake.answers.get("other_records"))
        # An intake still open (its family ran out of time) holds only the answers she gave so
        # far: the other checks say it was lost; here it need only hold no other family's
        if intake.status != "open" and held != (
                f"Family {number}", f"family{number}@example.org", f"records of family {number}"):
            wrong.append(f"intake {intake_id} (family {number}) holds {person.get('name')!r}, "
                         f"{person.get('email')!r}, {intake.answers.get('other_records')!r}")
        text = json.dumps(intake.answers, ensure_ascii=False)
        others = {int(n) for n in re.findall(r"[Ff]amily ?(\d+)", text)} - {number}
        if others:
            wrong.append(f"intake {intake_id} (family {number}) holds answers of families "
                         f"{sorted(others)}")
    results.append(Check("each intake holds its own family's answers, none mixed", wrong))

    wrong = []
    requests = {r.id: r for r in log.all()}
    by_intake = {i: found[i].request_id for i in found}
    if len(requests) != len(links):
        wrong.append(f"{len(requests)} requests in the log for {len(links)} intakes")
    for intake_id, request_id in by_intake.items():
        number = number_of.get(intake_id)
        if not request_id or request_id not in requests:
            wrong.append(f"intake {intake_id}'s request {request_id!r} is not in the log")
            continue
        logged = requests[request_id]
        person = logged.request.requester
        if (person.name, person.email, logged.request.other_records) != (
                f"Family {number}", f"family{number}@example.org", f"records of family {number}"):
            wrong.append(f"request {request_id} of intake {intake_id} (family {number}) is "
                         f"{person.name!r}'s, {person.email!r}")
        producer = seen.produced.get(intake_id, ("", ""))
        if producer[0] != request_id or logged.created_by != producer[1]:
            wrong.append(f"request {request_id} was created by {logged.created_by!r}; the page "
                         f"showed {producer[0]!r} produced by {producer[1]!r}")
        if not logged.folder or not Path(logged.folder).is_dir() or folder.resolve() not in (
                Path(logged.folder).resolve().parents):
            wrong.append(f"request {request_id}'s folder {logged.folder!r} is not on disk in "
                         "the clinic's folder")
    repeated = [r for r, n in Counter(by_intake.values()).items() if n > 1]
    wrong += [f"request {r} is the request of more than one intake" for r in repeated]
    results.append(Check("one request per intake, with its family as requester, created by "
                         "the staff member who produced it", wrong))

    wrong = []
    for request_id, logged in requests.items():
        events = [(str(e.event), e.recorded_by, getattr(e.details, "tracking", None))
                  for e in logged.events]
        intake_id = next((i for i, r in by_intake.items() if r == request_id), "")
        expected = [("received", seen.answered.get(request_id), f"T-{intake_id}")]
        if events != expected:
            wrong.append(f"request {request_id}: events {events}, expected {expected}")
    results.append(Check("one received event per request, recorded by the staff member who "
                         "logged it", wrong))

    wrong = [f"{sum(1 for s in seen.samples if max(s.statuses) >= 500)} pages answered 5xx"]
    if wrong[0].startswith("0 "):
        wrong = []
    if "Traceback" in server_errors or "Exception in ASGI" in server_errors:
        wrong.append("the server logged an error (below)")
    results.append(Check("no page answered 5xx, and the server logged no error", wrong))

    wrong = list(seen.problems)
    if not finished:
        wrong.append("the clients were still running at the deadline")
    wrong += [f"family {n} never reached her submitted page" for n in range(1, len(links) + 1)
              if n not in seen.submitted.values()]
    wrong += [f"intake {i}'s answer was never logged" for i, (r, _n) in seen.produced.items()
              if r not in seen.answered]
    results.append(Check("nothing lost: every family submitted, every intake produced and "
                         "answered, no page refused unexpectedly, all within the timeout",
                         wrong))
    return results


# -- the report -------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: a value that was seen, not one between two."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share / 100 * len(ordered)) - 1, 0)]


def table(samples: list[Sample]) -> str:
    lines = ["| page | count | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for kind in KINDS:
        times = [s.ms for s in samples if s.kind == kind]
        if times:
            lines.append(f"| {kind} | {len(times)} | {percentile(times, 50):.0f} | "
                         f"{percentile(times, 95):.0f} | {max(times):.0f} |")
        else:
            lines.append(f"| {kind} | 0 | – | – | – |")
    return "\n".join(lines)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--staff", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("RECORDSKIT_TEST_POSTGRES_URL", ""))
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--server", choices=("process", "thread"), default="process")
    parser.add_argument("--overlap", action="store_true",
                        help="every staff member takes any intake (they race to produce it)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS,
                        metavar=("FOLDER", "PORT", "URL"))
    args = parser.parse_args(argv)
    if args.serve:
        serve(*args.serve)
        return 0
    if not args.postgres:
        parser.error("give --postgres URL, or set RECORDSKIT_TEST_POSTGRES_URL")
    if not 1 <= args.families <= MAX_FAMILIES or not 1 <= args.staff <= MAX_STAFF:
        parser.error(f"--families from 1 to {MAX_FAMILIES}, --staff from 1 to {MAX_STAFF}")
    if not 1 <= args.timeout <= 3600:
        parser.error("--timeout from 1 to 3600 seconds")

    started = time.monotonic()
    load_before = load()
    seen = Seen(deadline=started + args.timeout, families=args.families)
    work = Path(tempfile.mkdtemp(prefix="rk-bench-clinic-"))
    folder = work / "requests"
    folder.mkdir()
    try:
        with fresh_database(args.postgres) as url:
            links, people = set_up(url, args.families, args.staff)
            owner = {intake_id: (number - 1) % args.staff
                     for number, (_secret, intake_id) in enumerate(links, 1)}
            with running_server(args.server, folder, url, work, seen) as (base, errors, server_cpu):
                load_start = time.monotonic()
                cpu_start, client_start = server_cpu(), time.process_time()
                barrier = threading.Barrier(args.families)
                threads = [threading.Thread(target=family, daemon=True, args=(
                    number, secret, intake_id, base, seen, barrier))
                    for number, (secret, intake_id) in enumerate(links, 1)]
                for index, (name, password) in enumerate(people):
                    def mine(intake_id: str, index: int = index) -> bool:
                        return args.overlap or owner.get(intake_id) == index

                    threads.append(threading.Thread(target=staff_member, daemon=True, args=(
                        index + 1, name, password, base, seen, mine)))
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(max(seen.deadline - time.monotonic(), 0))
                finished = not any(thread.is_alive() for thread in threads)
                load_seconds = time.monotonic() - load_start
                cpu_used = server_cpu() - cpu_start
                client_used = time.process_time() - client_start
                load_after = load()
                server_errors = errors()
            results = check(url, links, seen, server_errors, finished, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    failed = False
    for result in results:
        failed |= bool(result.problems)
        print(f"{'FAIL' if result.problems else 'PASS'}: {result.name}")
        for problem in result.problems[:20]:
            print(f"    {problem}")
        if len(result.problems) > 20:
            print(f"    … and {len(result.problems) - 20} more")
    print()
    print(f"{args.families} families, {args.staff} staff"
          f"{' (overlapping)' if args.overlap else ''}, server in a {args.server}; "
          f"{seen.refusals} produce refused as already produced")
    print()
    print(table(seen.samples))
    print()
    print(f"Load phase {load_seconds:.1f} s; total wall time {time.monotonic() - started:.1f} s.")
    if args.server == "process":
        print(f"CPU in the load phase: server {cpu_used:.1f} s, clients {client_used:.1f} s.")
    else:
        print(f"CPU in the load phase: server and clients together {cpu_used:.1f} s.")
    print(f"Cores: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))}); load average "
          f"(1, 5, 15 min) before {load_before}, after {load_after}.")
    if server_errors.strip():
        print("\nThe server's log:\n" + server_errors[-6000:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
