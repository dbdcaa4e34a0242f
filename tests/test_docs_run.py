"""Every command README.md and CONTRIBUTING.md show, run as a newcomer runs it.

``tests/test_docs_commands.py`` extracts the commands from the documents' code blocks and parses
each through the real command line. Here each one is run: the installed ``recordskit`` script,
in a sandbox of its own (its home, configuration, data and request log in the test's tmp folder;
the frozen directory and templates of ``tests/data``, copied where a command edits them), and its
outcome is read back: the exit code, and the file or output it is meant to make. Commands that
follow one another in the documents (make a request, log its answer, undo, follow up, appeal…)
run in that order in one sandbox, the id that ``new`` printed standing for the documents'
``3f9a2c81``. Interactive commands are answered key by key in a real terminal (tmux).

A command that cannot run as a test is listed in ``NOT_RUN`` with why, and what covers it
instead; ``test_every_command_shown_is_run_or_said_why`` fails when a document shows a command
that neither a scenario here runs nor ``NOT_RUN`` names (and when either names one no document
shows any longer)."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx2
import pytest

from tests.conftest import FROZEN_AGENCIES, FROZEN_TEMPLATES, POSTGRES_URL, docx_text
from tests.test_docs_commands import COMMANDS, ROOT, other_commands

INSTALLED = shutil.which("recordskit", path=str(Path(sys.executable).parent))
DOCUMENTS = ("README.md", "CONTRIBUTING.md")
SHOWN = {command for _document, command in COMMANDS}
"""Every recordskit command the documents show, without the program's name."""
OTHERS = {command for document in DOCUMENTS for command in other_commands(ROOT / document)}
"""Every other program's command they show (pip, venv, pytest)."""
DATA = Path(__file__).resolve().parent / "data"

_INSTALLING = ("installs from the package index, which the tests may not reach (no network at "
               "run time). Covered by tests/test_directory_copies.py::"
               "test_contributing_works_word_for_word_after_the_quick_start_install, which makes "
               "a fresh venv and `pip install .` into it from this checkout and runs "
               "CONTRIBUTING's commands with the script it installed; the extras' packages are "
               "those this suite runs with")
NOT_RUN: dict[str, str] = {
    "python3 -m venv .venv": _INSTALLING,
    ".venv/bin/pip install '.[web]'": _INSTALLING,
    ".venv/bin/pip install -e '.[test,web]'": _INSTALLING + "; this line is the one CI runs "
    "(tests/test_docs.py::test_readme_commands_match_ci)",
    ".venv/bin/pytest": "is this test suite itself, which CI runs as the README writes it "
    "(tests/test_docs.py::test_readme_commands_match_ci)",
    "pip install '.[web,postgres]'": _INSTALLING + "; the PostgreSQL extra's psycopg is what "
    "test_the_clinic_server_starts_as_shown uses",
    "systemctl daemon-reload": "needs systemd "
    "running as the computer's init, which a test has not; test_the_clinic_server_starts_as_"
    "shown starts the server as the unit `clinic setup` wrote does (its EnvironmentFile as the "
    "environment, its ExecStart), and tests/test_clinic_setup.py checks that unit is "
    "deploy/recordskit-clinic.service",
    "systemctl enable --now recordskit-clinic": "as systemctl daemon-reload",
}

RUN_BY: dict[str, tuple[str, ...]] = {
    "test_a_request_followed_through": (
        "new --answers answers.yaml --out my-request",
        "status", "status --state overdue", "status --json", "show 3f9a2c81",
        "log 3f9a2c81 received --on 2026-11-24 --tracking R004625-112426",
        "log 3f9a2c81 response --kind extension --until 2027-01-15 --on 2026-12-07",
        "undo 3f9a2c81 2", "followup 3f9a2c81 --out my-request",
        "appeal 3f9a2c81 --out my-request/appeal", "calendar --out requests.ics",
        "log export requests.jsonl", "log import requests.jsonl",
        "reply read reply.eml", "reply read - --json", "log 3f9a2c81 reply reply.eml --yes"),
    "test_a_clinic_batch": (
        "batch --template requests.xlsx", "batch requests.xlsx --check",
        "batch requests.xlsx --out letters"),
    "test_the_agencies_and_their_records": ("agencies list", "agencies show bpd"),
    "test_a_volunteer_in_a_checkout": (
        "agencies where", "agencies validate", "agencies stale",
        "agencies edit ID --set records_officer.phone=617-635-4601 --source URL --yes",
        "agencies edit city-clerk --set records_officer.phone=617-635-4601 --source "
        "https://www.boston.gov/departments/city-clerk --verified-on 2026-11-23 --yes",
        "agencies schema", "templates check",
        "templates preview request.docx --out preview.docx"),
    "test_a_copy_of_ones_own": (
        "agencies where", "agencies init",
        "agencies edit ID --set records_officer.phone=617-635-4601 --source URL --yes",
        "agencies update"),
    "test_serve_opens_the_browser_on_its_pages": ("serve",),
    "test_serve_without_a_browser_prints_its_address":
        ("serve --no-browser --port 8765 --out requests",),
    "test_the_clinic_server_starts_as_shown": (
        "--database postgresql://clinic:PASSWORD@127.0.0.1/records clinic setup "
        "/etc/recordskit/clinic.env --public-host records.example-clinic.org --admin 'Ana Lima' "
        "--unit /etc/systemd/system/recordskit-clinic.service",),
    "test_the_interview_in_a_terminal": ("new", "new --out my-request", "new --lang es"),
    "test_agencies_edit_and_add_by_answering_questions": ("agencies edit ID", "agencies add"),
    "test_logging_a_reply_by_answering_its_question": ("log 3f9a2c81 reply reply.eml",),
}
pytestmark = pytest.mark.skipif(INSTALLED is None, reason="recordskit is not installed")


def test_every_command_shown_is_run_or_said_why() -> None:
    run = {command for commands in RUN_BY.values() for command in commands}
    assert run <= SHOWN, f"run here, but no document shows it: {sorted(run - SHOWN)}"
    assert set(NOT_RUN) <= OTHERS | SHOWN, sorted(set(NOT_RUN) - OTHERS - SHOWN)
    assert not run & set(NOT_RUN), sorted(run & set(NOT_RUN))
    missing = (SHOWN | OTHERS) - run - set(NOT_RUN)
    assert not missing, f"shown but neither run nor said why: {sorted(missing)}"
    assert all(callable(globals().get(name)) for name in RUN_BY), "a scenario without its test"


@pytest.fixture(autouse=True)
def _the_checkout_is_left_alone() -> Iterator[None]:
    """No command run here writes the files volunteers edit or the frozen copies."""
    watched = [ROOT / "agencies.yaml", FROZEN_AGENCIES,
               *sorted((ROOT / "letter_templates").glob("*")), *sorted(FROZEN_TEMPLATES.glob("*"))]
    before = {path: path.read_bytes() for path in watched}
    yield
    assert {path: path.read_bytes() for path in watched} == before


class Sandbox:
    """A newcomer's computer in a tmp folder: a working folder, a home of its own (HOME and the
    XDG folders, so a copy made by `agencies init` lands there), a request log, the frozen
    directory and templates, and a fixed day per command."""

    def __init__(self, root: Path, scenario: str) -> None:
        self.root, self.cwd, self.scenario = root, root / "work", scenario
        self.cwd.mkdir(parents=True, exist_ok=True)
        home = root / "home"
        self.env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_DATA_HOME": str(home / ".local" / "share"),
                    "XDG_CACHE_HOME": str(home / ".cache"),
                    "XDG_STATE_HOME": str(home / ".local" / "state"),
                    "RECORDSKIT_HOME": str(root / "log"),
                    "RECORDSKIT_AGENCIES": str(FROZEN_AGENCIES),
                    "RECORDSKIT_TEMPLATES": str(FROZEN_TEMPLATES),
                    "RECORDSKIT_USER": "Docs Reader", "LANGUAGE": "en", "LANG": "C.UTF-8",
                    "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
        self.env.pop("RECORDSKIT_DATABASE_URL", None)
        self.placeholders: dict[str, str] = {}
        """A word the documents write for the reader's own (``3f9a2c81``, ``ID``) → it."""
        self.ran: list[str] = []

    def words(self, shown: str) -> list[str]:
        assert shown in SHOWN, f"no document shows `recordskit {shown}`"
        self.ran.append(shown)
        return [self.placeholders.get(word, word) for word in shlex.split(shown)]

    def environment(self, today: str | None, changes: dict[str, str | None]) -> dict[str, str]:
        env = {**self.env, **{k: v for k, v in changes.items() if v is not None}}
        for name in [k for k, v in changes.items() if v is None]:
            env.pop(name, None)
        if today:
            env["RECORDSKIT_TODAY"] = today
        return env

    def run(self, shown: str, *, today: str | None = None, stdin: str | None = None,
            cwd: Path | None = None, **changes: str | None) -> subprocess.CompletedProcess[str]:
        """Run a command as the documents show it, the reader's own words put in."""
        return self.call(*self.words(shown), today=today, stdin=stdin, cwd=cwd, **changes)

    def call(self, *words: str, today: str | None = None, stdin: str | None = None,
             cwd: Path | None = None, **changes: str | None) -> subprocess.CompletedProcess[str]:
        """Run a command of the test's own, to read back what a shown one did."""
        assert INSTALLED is not None
        return subprocess.run([INSTALLED, *words], cwd=cwd or self.cwd, input=stdin,
                              env=self.environment(today, changes), capture_output=True,
                              text=True, timeout=120, check=False)

    def done(self) -> None:
        assert sorted(set(self.ran)) == sorted(RUN_BY[self.scenario])


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.stdout, result.stderr)
    return result.stdout


def answers_shown() -> str:
    """The answers file the README shows, as it shows it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(agency: .*?)```", text, re.DOTALL)
    assert found
    return found.group(1)


def reply_dated(fixture: str, date_header: str) -> bytes:
    """A saved reply of tests/data/replies, sent on another day (after the request)."""
    data = (DATA / "replies" / fixture).read_bytes()
    data, count = re.subn(rb"(?m)^Date: .*$", b"Date: " + date_header.encode(), data, count=1)
    assert count == 1
    return data


# --- Making a request, and after you send it --------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_request_followed_through(tmp_path: Path) -> None:
    box = Sandbox(tmp_path, "test_a_request_followed_through")
    work = box.cwd
    (work / "answers.yaml").write_text(answers_shown(), encoding="utf-8")

    # It is sent on the day of its answers file (2026-11-23, a Monday).
    made = ok(box.run("new --answers answers.yaml --out my-request", today="2026-11-23"))
    folder = work / "my-request"
    for name in ("letter.docx", "email.eml", "how_to_send.txt", "summary.docx",
                 "schedule.docx", "schedule.csv", "schedule.ics", "answers.yaml"):
        assert (folder / name).stat().st_size > 0, name  # the README's table of files
    assert "Example Family Law Clinic" in docx_text(folder / "letter.docx")
    with (folder / "schedule.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["date", "event", "description", "citation", "basis"]
    assert {"response_due", "follow_up"} <= {row["event"] for row in rows}
    found = re.search(r"Logged as request (\w+)", made)
    assert found, made
    request = box.placeholders["3f9a2c81"] = found.group(1)

    # Two weeks later nothing has come: the request is overdue.
    day = "2026-12-10"
    listed = ok(box.run("status", today=day))
    assert request in listed and "overdue" in listed
    assert request in ok(box.run("status --state overdue", today=day))
    [entry] = json.loads(ok(box.run("status --json", today=day)))
    assert (entry["id"], entry["state"]) == (request, "overdue")
    assert entry["folder"] == str(folder) and entry["schedule"]
    assert f"Request {request} to Boston Public Schools: overdue" in ok(
        box.run("show 3f9a2c81", today=day))

    logged = ok(box.run("log 3f9a2c81 received --on 2026-11-24 --tracking R004625-112426",
                        today=day))
    assert "Logged received on 2026-11-24 as event 1" in logged
    assert "R004625-112426" in ok(box.call("show", request, today=day))
    logged = ok(box.run(
        "log 3f9a2c81 response --kind extension --until 2027-01-15 --on 2026-12-07", today=day))
    assert "as event 2. State: extension" in logged

    def state() -> str:
        [entry] = json.loads(ok(box.call("status", "--json", today=day)))
        return str(entry["state"])

    assert state() == "extension"
    assert "Undid event 2 (response)" in ok(box.run("undo 3f9a2c81 2", today=day))
    assert state() == "overdue"  # the extension was the mistake: undone, never erased

    ok(box.run("followup 3f9a2c81 --out my-request", today=day))
    follow_up = docx_text(folder / "follow_up.docx")
    assert "R004625-112426" in follow_up  # it names the original request's reference
    assert "followed_up" in ok(box.call("show", request, today=day))
    ok(box.run("appeal 3f9a2c81 --out my-request/appeal", today=day))
    for name in ("appeal.docx", "appeal_cover.docx", "appeal_checklist.txt"):
        assert (folder / "appeal" / name).stat().st_size > 0, name
    checklist = (folder / "appeal" / "appeal_checklist.txt").read_text(encoding="utf-8")
    assert f"log {request} appealed" in checklist

    ok(box.run("calendar --out requests.ics", today=day))
    calendar = (work / "requests.ics").read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in calendar
    assert "Response due from BPS" in calendar or "Follow up with BPS" in calendar

    ok(box.run("log export requests.jsonl", today=day))
    lines = [json.loads(line) for line in
             (work / "requests.jsonl").read_text(encoding="utf-8").splitlines()]
    assert request in json.dumps(lines[0])
    assert len(lines) == 1 + 4  # the request; received, response, its undo, the follow-up
    other = str(tmp_path / "other-log")  # "into another log"
    imported = ok(box.run("log import requests.jsonl", today=day, RECORDSKIT_HOME=other))
    assert "Added 1 request and 4 events" in imported
    again = ok(box.call("log", "import", "requests.jsonl", today=day, RECORDSKIT_HOME=other))
    assert "Added 0 requests and 0 events" in again  # "twice adds nothing"
    [moved] = json.loads(ok(box.call("status", "--json", today=day, RECORDSKIT_HOME=other)))
    assert (moved["id"], moved["state"]) == (request, entry["state"])

    # The agency answers by email: no records.
    day = "2026-12-14"
    reply = reply_dated("bps_no_records_latin1.eml", "Fri, 11 Dec 2026 11:20:00 -0500")
    (work / "reply.eml").write_bytes(reply)
    shutil.copy(DATA / "replies" / "no_records_use_of_force.txt", work / "reply.txt")
    read = ok(box.run("reply read reply.eml", today=day))
    assert "They say they have no such records" in read and request in read
    findings = json.loads(ok(box.run(
        "reply read - --json", today=day,
        stdin=(work / "reply.txt").read_text(encoding="utf-8"))))
    assert findings["kind"] == "no_records" and findings["source"] == "<stdin>"
    assert "Logged response on 2026-12-11" in ok(
        box.run("log 3f9a2c81 reply reply.eml --yes", today=day))
    assert (folder / "replies" / "2026-12-11-1.eml").read_bytes() == reply  # byte for byte
    assert state() == "no records"
    box.done()


# --- For clinics ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_clinic_batch(tmp_path: Path) -> None:
    box = Sandbox(tmp_path, "test_a_clinic_batch")
    # Long after the day the project wrote its example row: the three commands still run.
    day = "2027-03-01"
    ok(box.run("batch --template requests.xlsx", today=day))
    assert (box.cwd / "requests.xlsx").stat().st_size > 0
    checked = box.run("batch requests.xlsx --check", today=day)
    assert checked.returncode == 0, checked.stderr
    assert not (box.cwd / "letters").exists()  # "write nothing"
    made = box.run("batch requests.xlsx --out letters", today=day)
    assert made.returncode == 0, made.stderr
    row = box.cwd / "letters" / "family-001-bps"
    assert (row / "answers.yaml").read_text(encoding="utf-8").count(f"sent_on: '{day}'") == 1
    assert "Example Family Law Clinic" in docx_text(row / "letter.docx")
    manifest = (box.cwd / "letters" / "manifest.csv").read_text(encoding="utf-8")
    assert "family-001" in manifest
    batch = re.search(r"recordskit status --batch (batch-\w+)", made.stderr)
    assert batch, made.stderr
    assert len(json.loads(ok(box.call("status", "--json", "--batch", batch.group(1),
                                      today=day)))) == 1
    box.done()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _started(process: subprocess.Popen[str], until: str) -> str:
    """What the server printed up to the line holding ``until`` (or its end)."""
    assert process.stdout is not None
    printed = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        printed += line
        if until in line or not line:
            break
    return printed


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


SETUP_SHOWN = (
    "--database postgresql://clinic:PASSWORD@127.0.0.1/records clinic setup "
    "/etc/recordskit/clinic.env --public-host records.example-clinic.org --admin 'Ana Lima' "
    "--unit /etc/systemd/system/recordskit-clinic.service")


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_clinic_server_starts_as_shown(tmp_path: Path) -> None:
    """The README's clinic setup, on a PostgreSQL database of its own (the suite's test
    server), then its server started the way the unit it wrote starts it: systemd's
    environment read from the settings file, and the unit's own command. The words that are the
    test's: the paths under /etc and /var/lib (not the test's to write), the password from
    standard input, the system account (`nobody`, since the test makes none), and the port
    (8765 may be taken on a shared machine)."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run this: RECORDSKIT_TEST_POSTGRES_URL is unset")
        pytest.skip("no PostgreSQL test server (tools/test_postgres.sh start)")
    import psycopg

    from tests.conftest import postgres_database

    box = Sandbox(tmp_path, "test_the_clinic_server_starts_as_shown")
    name = f"rk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_database(name)
    port = _free_port()
    settings, unit = tmp_path / "etc" / "clinic.env", tmp_path / "systemd" / "clinic.service"
    box.placeholders.update({"postgresql://clinic:PASSWORD@127.0.0.1/records": url,
                             "/etc/recordskit/clinic.env": str(settings),
                             "/etc/systemd/system/recordskit-clinic.service": str(unit)})
    try:
        said = ok(box.call(*box.words(SETUP_SHOWN), "--password-stdin", "--user", "nobody",
                           "--out", str(tmp_path / "requests"), "--port", str(port),
                           stdin="a long clinic password 7\n"))
        assert "Added Ana Lima (admin)" in said and "systemctl enable --now" in said
        # As systemd runs it: the settings file as the environment, the unit's command
        environment = dict(line.split("=", 1) for line in settings.read_text().splitlines()
                           if line and not line.startswith("#"))
        command = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE)
        assert command and f"EnvironmentFile={settings}" in unit.read_text()
        process = subprocess.Popen(shlex.split(command.group(1)), cwd=box.cwd,
                                   env=box.environment(None, environment),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            printed = _started(process, "Ctrl-C")
            assert f"port {port}, for records.example-clinic.org" in printed, printed
            assert "no PostgreSQL log is set" not in printed
            base = f"http://127.0.0.1:{port}"
            proxy = {"Host": "records.example-clinic.org", "X-Forwarded-Proto": "https"}
            # Its cookies are Secure: the test hands them back itself, as the browser does
            # behind the clinic's HTTPS proxy.
            with httpx2.Client(base_url=base, headers=proxy) as browser:
                first = browser.get("/staff")
                assert first.status_code == 303 and first.headers["location"] == "/staff/signin"
                page = browser.get("/staff/signin")
                assert page.status_code == 200 and "<html lang=" in page.text
                cookie = page.headers["set-cookie"].split(";")[0]
                csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert csrf, page.text
                signed = browser.post("/staff/signin", headers={"Cookie": cookie}, data={
                    "csrf": csrf.group(1), "name": "Ana Lima",
                    "password": "a long clinic password 7"})
                assert signed.status_code == 303, signed.text  # the admin setup made
                staff = browser.get("/staff", headers={
                    "Cookie": signed.headers["set-cookie"].split(";")[0]})
                assert staff.status_code == 200 and "Ana Lima" in staff.text
            assert httpx2.get(f"{base}/staff/signin", headers={"Host": "elsewhere.example.org"}
                             ).status_code == 400  # another name gets 400
            assert (tmp_path / "requests").is_dir()
        finally:
            _stop(process)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    box.done()


# --- In your browser ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_serve_opens_the_browser_on_its_pages(tmp_path: Path) -> None:
    """`recordskit serve` as printed: the browser it opens (BROWSER, as Python's webbrowser
    reads it) is a script that writes down the address; the test then opens it."""
    box = Sandbox(tmp_path, "test_serve_opens_the_browser_on_its_pages")
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" > {shlex.quote(str(opened))}\n',
                       encoding="utf-8")
    browser.chmod(0o755)
    process = subprocess.Popen([str(INSTALLED), *box.words("serve")], cwd=box.cwd,
                               env=box.environment(None, {"BROWSER": str(browser),
                                                          "DISPLAY": None}),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (opened.exists() and opened.read_text().strip()) \
                and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert opened.exists(), f"no browser was opened (the server's exit: {process.poll()})"
        address = opened.read_text().strip()
        found = re.fullmatch(r"(http://127\.0\.0\.1:\d+)/\?token=[\w-]{20,}", address)
        assert found, address
        with httpx2.Client(base_url=found.group(1), follow_redirects=True) as client:
            page = client.get(address)
            assert page.status_code == 200 and "<html lang=" in page.text
            assert str(page.url) == f"{found.group(1)}/language"
        assert httpx2.get(f"{found.group(1)}/").status_code == 403  # only with its key
    finally:
        _stop(process)
    box.done()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_serve_without_a_browser_prints_its_address(tmp_path: Path) -> None:
    """The README's port 8765 is replaced by a free one, which a shared machine needs."""
    box = Sandbox(tmp_path, "test_serve_without_a_browser_prints_its_address")
    port = _free_port()
    box.placeholders["8765"] = str(port)
    process = subprocess.Popen(
        [str(INSTALLED), *box.words("serve --no-browser --port 8765 --out requests")],
        cwd=box.cwd, env=box.environment(None, {"BROWSER": "/bin/false"}),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        printed = _started(process, "Ctrl-C")
        found = re.search(rf"http://127\.0\.0\.1:{port}/\?token=[\w-]{{20,}}", printed)
        assert found, printed
        with httpx2.Client(follow_redirects=True) as client:
            page = client.get(found.group(0))
            assert page.status_code == 200 and "<html lang=" in page.text
        assert (box.cwd / "requests").is_dir()  # "write into requests/"
    finally:
        _stop(process)
    box.done()


# --- The agencies, and the volunteers who keep them --------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_the_agencies_and_their_records(tmp_path: Path) -> None:
    box = Sandbox(tmp_path, "test_the_agencies_and_their_records")
    listed = ok(box.run("agencies list"))
    assert all(agency in listed for agency in ("bps", "bpd", "city-clerk"))
    shown = ok(box.run("agencies show bpd"))
    assert "Boston Police Department (bpd)" in shown and "One Schroeder Plaza" in shown
    assert "bric-federal-access-rules" in shown  # its records catalog
    box.done()


def _checkout(tmp_path: Path) -> Path:
    """A checkout as a volunteer has one: the project's pyproject.toml, and the frozen
    directory and templates where the repository keeps its own."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    shutil.copy(FROZEN_AGENCIES, checkout / "agencies.yaml")
    shutil.copytree(FROZEN_TEMPLATES, checkout / "letter_templates")
    return checkout


def _city_clerk(path: Path) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return next(a for a in data["agencies"] if a["id"] == "city-clerk")


def _checked(path: Path) -> list[str]:
    """The days the city clerk's contact was checked on the page the documents' edit names."""
    sources = _city_clerk(path).get("sources") or []
    return [str(s["verified_on"]) for s in sources  # type: ignore[attr-defined]
            if s["url"] == "https://www.boston.gov/departments/city-clerk"]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_volunteer_in_a_checkout(tmp_path: Path) -> None:
    """CONTRIBUTING's commands, "in a terminal, in the folder of the project"."""
    box = Sandbox(tmp_path, "test_a_volunteer_in_a_checkout")
    checkout = _checkout(tmp_path)
    box.cwd = checkout
    box.env.pop("RECORDSKIT_AGENCIES")
    box.env.pop("RECORDSKIT_TEMPLATES")
    box.placeholders.update({"ID": "city-clerk",
                             "URL": "https://www.boston.gov/departments/city-clerk"})
    directory = checkout / "agencies.yaml"
    where = ok(box.run("agencies where"))
    assert where.startswith(f"{directory}\n") and "repository checkout" in where
    assert f"{directory}: OK" in ok(box.run("agencies validate"))
    stale = ok(box.run("agencies stale"))
    assert stale.strip()

    ok(box.run("agencies edit ID --set records_officer.phone=617-635-4601 --source URL --yes"))
    assert _checked(directory) == [date.today().isoformat()]  # the source, checked today
    assert _city_clerk(directory)["records_officer"]["phone"] == "617-635-4601"  # type: ignore[index]
    edited = directory.read_bytes()
    contributing = ("agencies edit city-clerk --set records_officer.phone=617-635-4601 --source "
                    "https://www.boston.gov/departments/city-clerk --verified-on 2026-11-23 "
                    "--yes")
    ok(box.run(contributing))
    assert _checked(directory) == ["2026-11-23"]  # --verified-on
    assert directory.read_bytes() != edited
    assert f"{directory}: OK" in ok(box.call("agencies", "validate"))

    schema = json.loads(ok(box.run("agencies schema")))
    assert schema == json.loads((ROOT / "agencies.schema.json").read_text(encoding="utf-8"))
    assert ok(box.run("templates check")).strip()
    ok(box.run("templates preview request.docx --out preview.docx"))
    assert "Records Access Officer" in docx_text(checkout / "preview.docx")
    box.done()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_copy_of_ones_own(tmp_path: Path) -> None:
    """Outside a checkout: `agencies init` makes a copy of one's own in the (sandbox's) user
    configuration folder; an edit lands there, and `agencies update` takes a newer release's
    changes and keeps the edit. The release is the directory this installation ships (read,
    never written: the autouse fixture checks); a newer one is stood for by an older base."""
    box = Sandbox(tmp_path, "test_a_copy_of_ones_own")
    box.env.pop("RECORDSKIT_AGENCIES")
    box.placeholders.update({"ID": "city-clerk",
                             "URL": "https://www.boston.gov/departments/city-clerk"})
    own = tmp_path / "home" / ".config" / "recordskit" / "agencies.yaml"
    before = ok(box.run("agencies where"))
    assert str(own) not in before
    made = ok(box.run("agencies init"))
    assert f"Wrote {own}" in made and own.is_file()
    assert ok(box.call("agencies", "where")).startswith(f"{own}\n")
    edit = "agencies edit ID --set records_officer.phone=617-635-4601 --source URL --yes"
    assert date.today().isoformat() not in _checked(own)
    ok(box.run(edit))
    assert _checked(own) == [date.today().isoformat()]  # the edit landed in the own copy

    # The release the copy came from called the clerk otherwise than this one does.
    base = own.with_name("agencies.base.yaml")
    release = str(_city_clerk(base)["short_name"])
    older = "the Clerk of an older release"
    for path in (base, own):
        text = path.read_text(encoding="utf-8")
        assert text.count(f"short_name: {release}\n") == 1
        path.write_text(text.replace(f"short_name: {release}\n", f"short_name: {older}\n"),
                        encoding="utf-8")
    updated = ok(box.run("agencies update"))
    assert f"into {own}: " in updated and "Took 0 changes" not in updated, updated
    assert _city_clerk(own)["short_name"] == release  # the release's change is taken
    assert _checked(own) == [date.today().isoformat()]  # and the volunteer's is kept
    box.done()


# --- Interactive commands, answered in a real terminal ------------------------------------


class Terminal:
    """One command in a tmux server of its own, read from the screen and answered by keys."""

    def __init__(self, box: Sandbox, shown: str, *, today: str, cwd: Path | None = None
                 ) -> None:
        # tmux's socket path must be short; the folder is removed when the command ends.
        self.folder = Path(tempfile.mkdtemp(prefix="rkdoc"))
        self.name = "docs"
        self.env = {**box.environment(today, {}), "TMUX_TMPDIR": str(self.folder),
                    "TERM": "xterm-256color"}
        script = self.folder / "run.sh"
        script.write_text(
            f"cd {shlex.quote(str(cwd or box.cwd))} && "
            f"{shlex.join([str(INSTALLED), *box.words(shown)])}; "
            'echo "EXIT=$?"; sleep 120\n', encoding="utf-8")
        self.tmux("new-session", "-d", "-s", self.name, "-x", "200", "-y", "60",
                  f"bash {shlex.quote(str(script))}")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.name, *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=30).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        pytest.fail(f"never saw {text!r} on the screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:  # a word as typed, or a key by tmux's name
            named = key in ("Enter", "Down", "Up", "Space", "C-u", "C-c", "BSpace")
            self.tmux("send-keys", "-t", self.name, *(() if named else ("-l",)), key)

    def exit_code(self) -> int:
        found = re.search(r"EXIT=(\d+)", self.wait_for("EXIT=", timeout=60))
        assert found
        return int(found.group(1))

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], env=self.env,
                       capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the interactive commands: tmux is not installed")
        pytest.skip("tmux is not installed")
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


INTERVIEW: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What do you want to ask for?", ("Enter",)),                 # public records
    ("Which agency has the records?", ("Down", "Enter")),         # BPD
    ("Which records do you want from {agency}?", ("Space", "Down", "Space", "Enter")),
    ("Any other records? Describe them in your own words:", ("Emails about the BRIC", "Enter")),
    ("Records from what date?", ("2016-01-01", "Enter")),
    ("Records up to what date?", ("2018-12-31", "Enter")),
    ("Your name:", ("Rosa Díaz", "Enter")),
    ("Organization filing the request, if any:", ("Enter",)),
    ("Email address for the answer:", ("rosa@example.org", "Enter")),
    ("Mailing address:", ("12 Elm St, Boston, MA 02119", "Enter")),
    ("Phone number:", ("Enter",)),
    ("How will you send the letter?", ("Enter",)),                # by mail
    ("On what date will you send it?", ("C-u", "2026-11-23", "Enter")),
    ("Do you want to ask for a fee waiver?", ("Enter",)),
    ("Largest fee you accept without being asked first, in dollars:", ("Enter",)),
    ("How do you want the records?", ("Enter",)),
    ("This letter can be released to others. Whose name goes on it?", ("Enter",)),
)


def _interview(terminal: Terminal, language: str) -> None:
    """The whole interview, each question awaited in the language it is asked in."""
    from recordskit.i18n import in_language
    from recordskit.service import _

    with in_language(language):
        for question, keys in INTERVIEW:
            terminal.wait_for(_(question).split("{")[0].strip())
            terminal.keys(*keys)
        terminal.wait_for(_("Write the letter and schedule now?"))
    terminal.keys("y" if language == "en" else "Enter")  # elsewhere Yes is chosen, first
    assert terminal.exit_code() == 0, terminal.screen()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_interview_in_a_terminal(tmp_path: Path, terminals: list[Terminal]) -> None:
    box = Sandbox(tmp_path, "test_the_interview_in_a_terminal")
    day = "2026-11-20"
    terminals.append(bare := Terminal(box, "new", today=day))
    _interview(bare, "en")
    [folder] = box.cwd.glob("request-bpd-*")  # "request-AGENCY-DATE in the current folder"
    assert "Rosa Díaz" in docx_text(folder / "letter.docx")

    terminals.append(named := Terminal(box, "new --out my-request", today=day))
    _interview(named, "en")
    letter = docx_text(box.cwd / "my-request" / "letter.docx")
    assert "Emails about the BRIC" in letter and "Boston Police Department" in letter

    spanish = box.root / "es"
    spanish.mkdir()
    terminals.append(es := Terminal(box, "new --lang es", today=day, cwd=spanish))
    es.wait_for("¿Qué quiere pedir?")  # the interview in Spanish
    _interview(es, "es")
    [folder] = spanish.glob("request-bpd-*")
    assert (folder / "letter.docx").is_file()
    assert "language: es" in (folder / "answers.yaml").read_text(encoding="utf-8")
    box.done()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_agencies_edit_and_add_by_answering_questions(tmp_path: Path,
                                                      terminals: list[Terminal]) -> None:
    """In a checkout, as CONTRIBUTING has it: Enter at every question of `edit` changes
    nothing (the file stays byte for byte); `add` adds an agency before the Supervisor."""
    box = Sandbox(tmp_path, "test_agencies_edit_and_add_by_answering_questions")
    checkout = _checkout(tmp_path)
    box.cwd = checkout
    box.env.pop("RECORDSKIT_AGENCIES")
    box.placeholders["ID"] = "city-clerk"
    directory = checkout / "agencies.yaml"
    before = directory.read_bytes()
    terminals.append(edit := Terminal(box, "agencies edit ID", today="2026-11-23"))
    edit.wait_for("Title of the person to write to:")
    for question in ("Title of the person to write to:", "Office:", "Mailing address:",
                     "Records email address:", "Phone:", "Public records portal",
                     "How does it take requests?", "Did you check these details"):
        edit.wait_for(question)
        edit.keys("Enter")
    assert edit.exit_code() == 0
    assert "Nothing changed" in edit.screen()
    assert directory.read_bytes() == before

    terminals.append(add := Terminal(box, "agencies add", today="2026-11-23"))
    for question, keys in (
            ("Short id for the agency:", ("boston-housing", "Enter")),
            ("Full name:", ("Boston Housing Authority", "Enter")),
            ("Short name used in sentences:", ("BHA", "Enter")),
            ("One line about it:", ("Public housing in Boston.", "Enter")),
            ("What kind of body is it?", ("Enter",)),
            ("more than 20,000 people?", ("y",)),
            ("Which business days does it count?", ("Enter",)),
            ("Title of the person to write to:", ("Enter",)),
            ("Office:", ("Legal Department", "Enter")),
            ("Mailing address:", ("52 Chauncy Street / Boston, MA 02111", "Enter")),
            ("Records email address:", ("records@bha.example.org", "Enter")),
            ("Phone:", ("617-555-0199", "Enter")),
            ("Public records portal", ("Enter",)),
            ("How does it take requests?", ("Space", "Down", "Space", "Enter")),
            ("Web page where you checked these details:",
             ("https://www.bostonhousing.org/", "Enter")),
            ("Date you checked it:", ("C-u", "2026-11-20", "Enter")),
            ("Write this change to", ("y",))):
        add.wait_for(question)
        add.keys(*keys)
    assert add.exit_code() == 0, add.screen()
    assert "Added the agency to" in add.screen()
    from recordskit.service import load_directory

    ids = [a.id for a in load_directory(directory).agencies]
    assert ids.index("boston-housing") == ids.index("supervisor-of-records") - 1
    box.done()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_logging_a_reply_by_answering_its_question(tmp_path: Path,
                                                   terminals: list[Terminal]) -> None:
    box = Sandbox(tmp_path, "test_logging_a_reply_by_answering_its_question")
    (box.cwd / "answers.yaml").write_text(answers_shown(), encoding="utf-8")
    made = ok(box.call("new", "--answers", "answers.yaml", "--out", "my-request",
                       today="2026-11-23"))
    found = re.search(r"Logged as request (\w+)", made)
    assert found
    box.placeholders["3f9a2c81"] = found.group(1)
    reply = reply_dated("bps_no_records_latin1.eml", "Fri, 11 Dec 2026 11:20:00 -0500")
    (box.cwd / "reply.eml").write_bytes(reply)
    terminals.append(asked := Terminal(box, "log 3f9a2c81 reply reply.eml", today="2026-12-14"))
    asked.wait_for("Log this?")
    asked.keys("Enter")  # Yes, log it
    assert asked.exit_code() == 0, asked.screen()
    assert (box.cwd / "my-request" / "replies" / "2026-12-11-1.eml").read_bytes() == reply
    [entry] = json.loads(ok(box.call("status", "--json", today="2026-12-14")))
    assert entry["state"] == "no records"
    box.done()
