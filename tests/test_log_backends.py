"""The request log on both backends: the embedded SQLite file and a real PostgreSQL server.

Every test runs twice (the ``backend`` fixture, both halves in the quick run too); on
PostgreSQL each gets a schema of its own.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.deadlines.timeline import timeline_for
from recordskit.errors import InputFileError
from recordskit.intake.answers import request_from
from recordskit.logged import parse_details
from recordskit.models import Request
from recordskit.service import Directory, UserError, open_log, stored_details
from recordskit.tracking.log import EventRow
from recordskit.tracking.schema import SCHEMA_VERSION
from recordskit.tracking.sqlite import SqliteLog
from recordskit.tracking.transfer import export_log, import_log
from tests.conftest import DATA, log_on


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both halves in every run, the quick one too: these are the log's own tests, where
    the two backends' code differs (``tests.conftest.backend``)."""
    yield from log_on(request, monkeypatch)


Answers = Callable[..., dict[str, Any]]
D = date.fromisoformat


def requests(directory: Directory, answers: Answers, count: int) -> list[Request]:
    return [request_from(answers(requester__name=f"Family {n}", sent_on="2026-11-23"),
                         directory) for n in range(count)]


def test_requests_and_events_round_trip(backend: str, directory: Directory,
                                        answers: Answers) -> None:
    log = open_log()
    [first] = requests(directory, answers, 1)
    assert log.record_request(first.fingerprint(), first, folder="/a", by="ana")
    assert not log.record_request(first.fingerprint(), first, folder="/b")  # once only
    received = log.record_event(first.fingerprint(), D("2026-11-24"),
                                parse_details("received", {"tracking": "R1"}), by="ana")
    log.record_event(first.fingerprint(), D("2026-11-25"),
                     parse_details("undo", {"undoes": received.seq, "event": "received"}), by="ben")
    logged = log.get(first.fingerprint()[:6])
    assert logged.folder == "/b" and logged.created_by == "ana"
    assert [(e.event, e.recorded_by) for e in logged.events] == [("received", "ana"),
                                                                ("undo", "ben")]
    assert logged.active_events == []
    assert logged.request == first


def test_the_family_language_is_stored_only_when_set(backend: str, directory: Directory,
                                                     answers: Answers) -> None:
    """An English request's row has no "language" key, so a log shared with the previous
    release stays readable there; a Spanish request's row keeps its language."""
    log = open_log()
    english, spanish = (request_from(answers(requester__name=name, language=lang), directory)
                        for name, lang in (("Ana", ""), ("María", "es")))
    log.record_request(english.fingerprint(), english)
    log.record_request(spanish.fingerprint(), spanish)
    stored = {row.id: json.loads(row.answers) for row in log.request_rows()}
    assert "language" not in stored[english.fingerprint()]
    assert stored[spanish.fingerprint()]["language"] == "es"
    assert log.get(spanish.fingerprint()).request.language == "es"


def test_a_failed_write_leaves_nothing_half_done(backend: str, directory: Directory,
                                                 answers: Answers) -> None:
    log = open_log()
    [first] = requests(directory, answers, 1)
    log.record_request(first.fingerprint(), first)
    good = EventRow(0, first.fingerprint(), "received", "2026-11-24", "{}", "now", "", "u1")
    orphan = EventRow(0, "no-such-request", "received", "2026-11-24", "{}", "now", "", "u2")
    with pytest.raises(UserError):
        log.insert_events([good, orphan])  # one transaction: the good one is not kept either
    assert log.get(first.fingerprint()).events == ()


def _log_many(url: str, home: str, ids: list[str], worker: int, count: int) -> None:
    os.environ["RECORDSKIT_HOME"] = home
    log = open_log(url)
    for n in range(count):
        log.record_event(ids[n % len(ids)], date(2026, 11, 24),
                         parse_details("received", {"note": f"{worker}-{n}"}),
                         by=f"worker-{worker}")


@pytest.mark.slow
def test_four_writers_at_once_lose_nothing(backend: str, directory: Directory,
                                           answers: Answers, _private_log: Path) -> None:
    log = open_log()
    many = requests(directory, answers, 10)
    for request in many:
        log.record_request(request.fingerprint(), request)
    ids = [r.fingerprint() for r in many]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_log_many, args=(backend, str(_private_log), ids, w, 200))
               for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    logged = log.all()
    notes = sorted(stored_details(e.details)["note"] for entry in logged for e in entry.events)
    assert len(notes) == 800 and len(set(notes)) == 800  # none lost, none twice
    assert sorted(e.seq for entry in logged for e in entry.events) == sorted(
        {e.seq for entry in logged for e in entry.events})
    for entry in logged:
        assert len(entry.events) == 80
        timeline = timeline_for(entry.request, entry.active_events, directory, D("2026-11-25"))
        assert timeline.state == "acknowledged"


KILLED_SQLITE = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at, uid) "
           "VALUES (?, 'received', '2026-11-24', '{}', 'now', 'half')", (sys.argv[2],))
db.execute("UPDATE requests SET folder = 'half' WHERE id = ?", (sys.argv[2],))
os.kill(os.getpid(), signal.SIGKILL)
"""
KILLED_POSTGRES = """
import os, signal, sys, psycopg
db = psycopg.connect(sys.argv[1])
db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at, uid) "
           "VALUES (%s, 'received', '2026-11-24', '{}', 'now', 'half')", (sys.argv[2],))
db.execute("UPDATE requests SET folder = 'half' WHERE id = %s", (sys.argv[2],))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_writer_killed_mid_transaction_leaves_the_log_whole(
        backend: str, directory: Directory, answers: Answers, _private_log: Path) -> None:
    log = open_log()
    [first] = requests(directory, answers, 1)
    log.record_request(first.fingerprint(), first, folder="/whole")
    target = backend or str(_private_log / "requests.sqlite3")
    script = KILLED_POSTGRES if backend else KILLED_SQLITE
    process = subprocess.run([sys.executable, "-c", textwrap.dedent(script), target,
                              first.fingerprint()], check=False)
    assert process.returncode == -signal.SIGKILL
    if not backend:
        with sqlite3.connect(_private_log / "requests.sqlite3") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    logged = log.get(first.fingerprint())
    assert (logged.events, logged.folder) == ((), "/whole")
    log.record_event(first.fingerprint(), D("2026-11-24"),
                     parse_details("received", {}))  # and it still writes
    assert len(log.get(first.fingerprint()).events) == 1


def test_a_log_from_a_newer_release_is_refused_and_untouched(backend: str,
                                                             _private_log: Path) -> None:
    log = open_log()
    log.create()
    if backend:
        import psycopg

        with psycopg.connect(backend, autocommit=True) as db:
            db.execute("UPDATE recordskit_schema SET version = %s", (SCHEMA_VERSION + 1,))
        fresh = open_log()
    else:
        with sqlite3.connect(_private_log / "requests.sqlite3") as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        fresh = open_log()
    with pytest.raises(UserError, match=r"written by a newer recordskit.*was not changed"):
        fresh.all()


def test_export_then_import_is_exact_and_idempotent(backend: str, directory: Directory,
                                                    answers: Answers, tmp_path: Path) -> None:
    source = SqliteLog(tmp_path / "source")
    many = requests(directory, answers, 3)
    for request in many:
        source.record_request(request.fingerprint(), request, folder=f"/f/{request.agency}",
                              batch_id="batch-1", by="ana")
    first = many[0].fingerprint()
    wrong = source.record_event(first, D("2026-11-24"),
                                parse_details("received", {"tracking": "R1"}), by="ana")
    source.record_event(first, D("2026-11-25"), parse_details("undo", {"undoes": wrong.seq,
                                                         "event": "received"}), by="ben")
    source.record_event(first, D("2026-11-23"), parse_details("received", {}), by="ben")
    exported = tmp_path / "log.jsonl"
    assert export_log(source, exported) == (3, 3)
    target = open_log()  # SQLite elsewhere, or PostgreSQL
    assert import_log(target, exported) == (3, 3)
    assert import_log(target, exported) == (0, 0)  # twice: nothing added
    again = tmp_path / "again.jsonl"
    export_log(target, again)
    assert _normalised(again) == _normalised(exported)
    entry = target.get(first)
    assert [e.event for e in entry.active_events] == ["received"]  # the undo still undoes
    assert entry.active_events[0].on_date == D("2026-11-23")


@pytest.mark.parametrize(("line", "problem"), [
    ({"type": "event", "request_id": "ffffffffff"},
     ":3: request_id: 'ffffffffff' is a request neither in this file nor in the log"),
    ({"type": "event", "on_date": "2026-02-30"}, ":3: on_date '2026-02-30' is not a date"),
    ({"type": "event", "event": "exploded"}, ":3: unknown event 'exploded'"),
    ({"type": "event", "event": "response", "details": {"kind": "extension", "until": "soon"}},
     ":3: until 'soon' is not a date"),
    ({"type": "event", "event": "petition_granted", "details": {"days": "ten"}},
     ":3: days 'ten' is not a whole number"),
    ({"type": "event", "seq": "7"}, ":3: seq: expected the event's number"),
    ({"type": "request", "answers": {"agency": "bps", "delivery": "fax"}}, ":3: answers."),
])
def test_an_import_with_a_line_the_log_could_not_read_adds_nothing(
        backend: str, directory: Directory, answers: Answers, tmp_path: Path,
        line: dict[str, Any], problem: str) -> None:
    # A hand-edited export: one bad line (the third) and the whole file is refused, naming
    # it, before anything is added; before, it went in and hid its request from every command
    # (or crashed status), in a clinic's shared log for everyone.
    source = SqliteLog(tmp_path / "source")
    [request] = requests(directory, answers, 1)
    source.record_request(request.fingerprint(), request, by="ana")
    source.record_event(request.fingerprint(), D("2026-11-24"), parse_details("received", {}),
                        by="ana")
    exported = tmp_path / "log.jsonl"
    export_log(source, exported)
    good = [json.loads(text) for text in exported.read_text().splitlines()]
    template = next(item for item in good if item["type"] == line["type"])
    bad = {**template, **line, "uid": "bad", "id": "0123456789"}
    exported.write_text("".join(json.dumps(item) + "\n" for item in [*good, bad]))
    target = open_log()
    with pytest.raises(InputFileError, match=re.escape(f"{exported}{problem}")):
        import_log(target, exported)
    assert target.request_rows() == [] and target.event_rows() == []


def _normalised(path: Path) -> list[dict[str, Any]]:
    """Every field of every line; an event's number, which each log assigns itself, is replaced
    by its uid, in an undo's reference too."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    uid_of = {line["seq"]: line["uid"] for line in lines if line["type"] == "event"}
    for line in lines:
        if line["type"] == "event":
            del line["seq"]
            if "undoes" in line["details"]:
                line["details"]["undoes"] = uid_of[line["details"]["undoes"]]
    return sorted(lines, key=lambda line: (line["type"], line.get("uid") or line.get("id")))


def test_a_log_written_by_the_previous_release_is_upgraded(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(DATA / "log-v1.sqlite3", folder / "requests.sqlite3")
    with sqlite3.connect(folder / "requests.sqlite3") as db:
        before = db.execute("SELECT id, answers, folder, batch_id FROM requests ORDER BY id"
                            ).fetchall()
        old_events = db.execute("SELECT seq, request_id, event, on_date, details FROM events "
                                "ORDER BY seq").fetchall()
    log = SqliteLog(folder)
    entries = {entry.id: entry for entry in log.all()}
    # Each request reads back as it was written (a field added since, such as the family's
    # language, reads as its default).
    assert sorted((e.id, e.request.model_dump_json(exclude={"language"}), e.folder, e.batch_id)
                  for e in entries.values()) == sorted(before)
    assert {e.request.language for e in entries.values()} == {""}
    upgraded = sorted((e.seq, entry.id, e.event, e.on_date.isoformat(),
                       json.dumps(stored_details(e.details)))
                      for entry in entries.values() for e in entry.events)
    assert upgraded == sorted(old_events)  # every event, under its own number
    with sqlite3.connect(folder / "requests.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    undone = [e for e in entries.values() if len(e.events) == 3]
    assert len(undone) == 1 and [x.event for x in undone[0].active_events] == ["received"]


def test_who_logged_what_is_shown_and_filtered(backend: str, tmp_path: Path,
                                               answers: Answers,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    monkeypatch.setenv("RECORDSKIT_USER", "Ana at the clinic")
    assert CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                    str(tmp_path / "o")]).exit_code == 0
    request_id = open_log().all()[0].id
    logged = CliRunner().invoke(cli, ["log", request_id, "received", "--on", "2026-06-12",
                                      "--by", "Ben"])
    assert logged.exit_code == 0, logged.output
    shown = CliRunner().invoke(cli, ["show", request_id])
    assert "Ben" in shown.output and "Ana at the clinic" in shown.output
    assert request_id in CliRunner().invoke(cli, ["status", "--by", "Ben"]).output
    assert request_id not in CliRunner().invoke(cli, ["status", "--by", "Carla"]).output


def test_the_cli_moves_a_log_between_backends(backend: str, tmp_path: Path, answers: Answers,
                                              _private_log: Path) -> None:
    import yaml

    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    sqlite_only = {"RECORDSKIT_DATABASE_URL": ""}
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "--answers", str(path), "--out", str(tmp_path / "o")],
                         env=sqlite_only).exit_code == 0
    exported = runner.invoke(cli, ["log", "export", str(tmp_path / "log.jsonl")],
                             env=sqlite_only)
    assert exported.exit_code == 0, exported.output
    assert "1 request and 0 events" in exported.output
    imported = runner.invoke(cli, ["log", "import", str(tmp_path / "log.jsonl")])
    assert imported.exit_code == 0, imported.output
    assert runner.invoke(cli, ["status", "--json"]).output.count('"id"') == 1


def test_an_unreachable_server_is_a_clear_error() -> None:
    log = open_log("postgresql://nobody@/nowhere?host=/nonexistent-socket-folder")
    with pytest.raises(UserError, match="cannot reach the request log"):
        log.all()
