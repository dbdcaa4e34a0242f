"""Shared fixtures: the shipped directory, answer data, DOCX text, and real key input."""

from __future__ import annotations

import copy
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import prompt_toolkit.application.application
import pytest
import yaml
from docx import Document
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.key_binding import KeyBindingsBase
from prompt_toolkit.key_binding.defaults import load_key_bindings
from prompt_toolkit.output import DummyOutput

from recordskit.errors import Problem
from recordskit.service import Directory, load_directory

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
FROZEN_AGENCIES = DATA / "agencies.yaml"
"""A frozen copy of the directory: unit tests never read the file volunteers edit."""
TODAY = "2026-06-12"
"""The day the tests' commands take as today (a request's own ``sent_on`` is set by each test)."""
FROZEN_TEMPLATES = DATA / "letter_templates"
"""A frozen copy of the templates, for the same reason."""

FULL_RUN = bool(os.environ.get("CI"))
"""CI (where CI=true) tries each property test's full count of generated examples and hashes
staff passwords at the recommended cost; a run while working tries a quarter of the examples
and hashes at the lowest cost, so that ``pytest -m "not slow"`` stays quick."""


def examples(full: int) -> int:
    """How many examples a property test generates: ``full`` in CI, a quarter (at least 20)
    otherwise. Hypothesis tries its most telling shapes (empty, extremes) first either way."""
    return full if FULL_RUN else max(20, full // 4)


@pytest.fixture
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """While working, staff passwords are hashed with Argon2id at its lowest cost: at the
    recommended cost (64 MiB, three passes, four lanes) each hash or check takes 0.2 s of CPU,
    and the clinic's tests make about ninety of them, a tenth of the quick run's time. What
    the tests check (a stored Argon2id hash, sign-in, locking, sessions) is the same at any
    cost; CI (where CI=true) hashes at the recommended cost, and
    ``test_a_staff_member_signs_in_and_out`` always does, and checks that cost."""
    if FULL_RUN:
        return
    from argon2 import PasswordHasher

    from recordskit.clinic import accounts

    monkeypatch.setattr(accounts, "_hasher",
                        lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    # The stand-in hash an unknown name is checked against, made afresh at this cost
    monkeypatch.setattr(accounts, "_DUMMY", [])


MEMORY_TMP = Path("/dev/shm")
"""A file system in memory, where the machine has one with room (see ``pytest_configure``)."""


def pytest_configure(config: pytest.Config) -> None:
    """The tests' own folders (``tmp_path``, and every ``tempfile`` folder) go in memory when
    the machine has room there: each SQLite commit otherwise waits for the disk (``fsync``),
    tens of milliseconds each on a busy shared disk, which doubled the run's time. The tests do
    the same work either way. ``TMPDIR`` (or ``--basetemp``), when given, decides instead."""
    import tempfile

    if os.environ.get("TMPDIR") or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    try:
        room = os.statvfs(MEMORY_TMP)
    except OSError:
        return
    if os.access(MEMORY_TMP, os.W_OK | os.X_OK) and room.f_bavail * room.f_frsize >= 4 << 30:
        tempfile.tempdir = str(MEMORY_TMP)


# Keys as a terminal sends them.
DOWN, UP, ENTER, SPACE, BACKSPACE, CTRL_C = "\x1b[B", "\x1b[A", "\r", " ", "\x7f", "\x03"

BASE_ANSWERS: dict[str, Any] = {
    "agency": "bps",
    "records": ["school-police-reports-shared-with-bric"],
    "other_records": "",
    "date_from": None,
    "date_to": None,
    "requester": {
        "name": "Ana Pérez",
        "organization": "",
        "email": "ana@example.org",
        "mailing_address": "",
        "phone": "",
    },
    "delivery": "email",
    "sent_on": "2026-06-12",
    "fee_waiver": "none",
    "max_fee": 0,
    "format": "electronic",
}


@pytest.fixture(autouse=True, scope="session")
def _trap() -> Iterator[Path]:
    """HOME and RECORDSKIT_HOME point at a trap folder for the whole run: every test gets its
    own log below (``_private_log``), so anything that appears here was written where a user's
    real files live, and fails the run."""
    import os
    import tempfile

    trap = Path(tempfile.mkdtemp(prefix="recordskit-trap-"))
    saved = {name: os.environ.get(name) for name in ("HOME", "RECORDSKIT_HOME",
                                                     "XDG_DATA_HOME", "XDG_CONFIG_HOME")}
    os.environ.update(HOME=str(trap), RECORDSKIT_HOME=str(trap / "recordskit"))
    os.environ.pop("XDG_DATA_HOME", None)
    os.environ.pop("XDG_CONFIG_HOME", None)
    yield trap
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    left = sorted(str(p.relative_to(trap)) for p in trap.rglob("*"))
    shutil.rmtree(trap, ignore_errors=True)  # a run leaves no folder of its own behind
    assert left == [], f"the tests wrote into the user's own folders: {left}"


@pytest.fixture(autouse=True)
def _private_log(_trap: Path, tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own request log, never the user's."""
    home = tmp_path_factory.mktemp("recordskit-home")
    monkeypatch.setenv("RECORDSKIT_HOME", str(home))
    monkeypatch.setenv("RECORDSKIT_AGENCIES", str(FROZEN_AGENCIES))
    monkeypatch.setenv("RECORDSKIT_TEMPLATES", str(FROZEN_TEMPLATES))
    monkeypatch.setenv("RECORDSKIT_USER", "Test Clinic Staff")
    monkeypatch.delenv("RECORDSKIT_DATABASE_URL", raising=False)
    # One fixed "today" for every command a test runs, so that no test's dates pass with time.
    monkeypatch.setenv("RECORDSKIT_TODAY", TODAY)
    monkeypatch.setenv("LANGUAGE", "en")
    from recordskit.service import set_language

    set_language("en")
    return home


@pytest.fixture(autouse=True, scope="session")
def _frozen_directory_checked_once() -> Iterator[None]:
    """Every command a test runs reads the frozen directory, and reading and checking it
    takes 10 ms of CPU: a tenth of the quick run, over its thousand-odd commands. Its text
    never changes, so each test process checks it in full once, as any command does, and
    hands that result to the commands after it, as a shared fixture. Any other text (an
    edited copy, a broken or hostile file) is checked in full every time, and so is the
    frozen one while a test sets any limit (``RECORDSKIT_MAX_*``). A ``Directory`` is
    frozen, so no command can change the one they share."""
    from recordskit.directory import load

    frozen = FROZEN_AGENCIES.read_text(encoding="utf-8")
    check = load.check_directory_text
    checked: list[Directory] = []

    def check_directory_text(text: str, label: Path | str
                             ) -> tuple[Directory | None, list[Problem]]:
        if text != frozen or any(name.startswith("RECORDSKIT_MAX_") for name in os.environ):
            return check(text, label)
        if not checked:
            found, problems = check(text, label)
            if found is None or problems:
                return found, problems
            checked.append(found)
        return checked[0], []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "check_directory_text", check_directory_text)
        yield


@functools.cache
def _frozen_agencies_data() -> Any:
    return yaml.load(FROZEN_AGENCIES.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def frozen_agencies_data() -> Any:
    """The frozen directory as plain data, a copy of its own to change and write out with
    ``yaml_text`` (read once, by libyaml: PyYAML's own reader takes a tenth of a second)."""
    return copy.deepcopy(_frozen_agencies_data())


def yaml_text(data: Any, **options: Any) -> str:
    """``data`` as ``yaml.safe_dump`` writes it, by libyaml (five times quicker)."""
    return yaml.dump(data, Dumper=yaml.CSafeDumper, **options)


@pytest.fixture(scope="session")
def directory() -> Directory:
    """The frozen agency directory (a copy of the shipped one, edited only with the tests)."""
    return load_directory(FROZEN_AGENCIES)


@pytest.fixture
def answers() -> Callable[..., dict[str, Any]]:
    """A valid set of answers, with any key replaced: ``answers(agency="bpd", ...)``."""

    def make(**changes: Any) -> dict[str, Any]:
        data = copy.deepcopy(BASE_ANSWERS)
        for key, value in changes.items():
            if key.startswith("requester__"):
                data["requester"][key.removeprefix("requester__")] = value
            else:
                data[key] = value
        return data

    return make


def docx_text(path: Path | bytes) -> str:
    """All the text of a DOCX, paragraph by paragraph, as Word would show it."""
    import io

    document = Document(io.BytesIO(path) if isinstance(path, bytes) else path)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


@functools.cache
def _default_key_bindings() -> KeyBindingsBase:
    return load_key_bindings()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[PipeInput]:
    """Every questionary prompt created inside reads its keys from this pipe and draws nothing.

    Send the keys, then ``keys.close()``: a prompt that runs out of keys then raises EOFError
    instead of waiting for ever.

    The prompts share one set of prompt_toolkit's default key bindings (Emacs, Vi, mouse),
    which it otherwise builds afresh for every prompt: a third of an interview's time here.
    The set is the same every time and keeps nothing of a prompt's (each binding's condition
    reads the application running it), so every key does what it does in a terminal.
    """
    monkeypatch.setattr(prompt_toolkit.application.application, "load_key_bindings",
                        _default_key_bindings)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


POSTGRES_URL = os.environ.get("RECORDSKIT_TEST_POSTGRES_URL", "")
"""A PostgreSQL server for the tests (``tools/test_postgres.sh start`` prints it)."""


def postgres_database(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(POSTGRES_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def _postgres_test_database() -> Iterator[str]:
    """One database on the test server for this test process, dropped at its end: creating a
    database takes PostgreSQL about 0.2 s, so each test gets a schema of its own in it
    instead (``backend``), which takes under a millisecond."""
    import uuid

    import psycopg

    name = f"rk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_schema_url(database: str, schema: str) -> str:
    """The URL of ``database`` on the test server whose connections see only ``schema``
    (libpq's ``options``, as a clinic would set a schema of its own in its URL)."""
    from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

    parts = urlsplit(postgres_database(database))
    query = [*parse_qsl(parts.query), ("options", f"-c search_path={schema}")]
    # Spaces as %20: libpq reads no "+" as a space
    encoded = urlencode(query, quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, encoded, ""))


def log_on(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The request log of ``request.param``: the SQLite file (""), or the URL of a fresh,
    empty PostgreSQL schema (the log's tables, the schema table included, are made in it on
    first use), set as the log every command uses.

    Without a test server the PostgreSQL half is skipped on a developer's machine, never in CI
    (where CI=true and .ci/run starts one)."""
    if request.param == "sqlite":
        monkeypatch.delenv("RECORDSKIT_DATABASE_URL", raising=False)
        yield ""
        return
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL half: RECORDSKIT_TEST_POSTGRES_URL is unset")
        pytest.skip("no PostgreSQL test server (tools/test_postgres.sh start)")
    import uuid

    import psycopg

    database = request.getfixturevalue("_postgres_test_database")
    schema = f"rk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_database(database), autocommit=True) as owner:
        owner.execute(f'CREATE SCHEMA "{schema}"')
    url = postgres_schema_url(database, schema)
    monkeypatch.setenv("RECORDSKIT_DATABASE_URL", url)
    yield url
    with psycopg.connect(postgres_database(database), autocommit=True) as owner:
        owner.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test once on each request log (``log_on``).

    Past the log's own tests, the PostgreSQL half is the same behaviour again through the
    other backend, so it is marked slow: CI and a full run take both halves, the quick run
    (``-m "not slow"``) the SQLite one. The log's own tests (``test_log_backends.py``,
    ``test_standing.py``) override this fixture to run both halves in the quick run too, as
    do the tests of what only PostgreSQL does."""
    yield from log_on(request, monkeypatch)
