"""Each request's standing, kept with it in the log (``recordskit.tracking.standing``).

The stored answer must always be the one the timeline gives when worked out afresh from the
events: on every day, after every kind of write, on both backends. The rebuild test below
walks a varied log through four months, day by day, and compares every request each day.
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.deadlines.followups import next_step
from recordskit.intake.answers import request_from
from recordskit.logged import parse_details
from recordskit.models import Request
from recordskit.service import (
    Directory,
    Workspace,
    import_requests,
    record_event,
    status_rows,
    undo,
)
from recordskit.service.tracking import StatusFilter
from recordskit.tracking import settle, standing
from recordskit.tracking.schema import MIGRATIONS, SCHEMA_VERSION
from recordskit.tracking.service import timeline_of
from recordskit.tracking.sqlite import SqliteLog
from recordskit.tracking.transfer import export_log
from tests.conftest import FROZEN_AGENCIES, log_on

Answers = Callable[..., dict[str, Any]]
D = date.fromisoformat
START = D("2026-03-02")

STORED = ("SELECT id, state, next_step, next_on, next_now, state_since, state_until, "
          "state_basis, state_problem FROM requests")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both halves in every run, the quick one too: these are the log's own tests, where
    the two backends' code differs (``tests.conftest.backend``)."""
    yield from log_on(request, monkeypatch)


def workspace(today: date) -> Workspace:
    return Workspace(agencies_path=FROZEN_AGENCIES,
                     database_url=os.environ.get("RECORDSKIT_DATABASE_URL", ""), today=today)


def varied_log(directory: Directory, answers: Answers, count: int, seed: int) -> list[str]:
    """``count`` requests to the three agencies, sent over a month, with a mix of events: no
    answer, a receipt, extensions with a date, fee estimates, denials with and without an
    exemption, productions, follow-ups with a reply-by date, appeals, the Supervisor's orders,
    closings, withdrawals and undos."""
    chance = random.Random(seed)  # noqa: S311 (a repeatable mix, not a secret)
    log = workspace(START).log
    ids = []
    for number in range(count):
        sent = START + timedelta(days=chance.randrange(30))
        agency = chance.choice(["bps", "bpd", "city-clerk"])
        request: Request = request_from(answers(
            agency=agency, delivery="email" if agency == "bps" else "mail",
            requester__name=f"Family {number}", sent_on=sent.isoformat(), records=[],
            other_records=f"records {number}"), directory)
        request_id = request.fingerprint()
        log.record_request(request_id, request, batch_id=f"batch-{number % 3}",
                           by=f"staff {number % 4}")
        ids.append(request_id)
        day = sent
        for _step in range(chance.randrange(5)):
            day += timedelta(days=chance.randrange(1, 20))
            kind = chance.choice(["received", "extension", "fee_estimate", "denied",
                                  "produced", "partial", "followed_up", "appealed", "decided",
                                  "closed", "withdrawn", "undo", "nothing"])
            details: dict[str, Any] = {}
            event = kind
            if kind in ("extension", "fee_estimate", "denied", "produced", "partial"):
                event, details = "response", {"kind": kind}
                if kind == "extension":
                    details["until"] = (day + timedelta(days=chance.randrange(5, 60))).isoformat()
                if kind == "fee_estimate":
                    details["amount"] = 25
                if kind == "denied" and chance.random() < 0.5:
                    details["no_exemption"] = True
            elif kind in ("followed_up", "decided"):
                details = {"until": (day + timedelta(days=chance.randrange(3, 30))).isoformat()}
            elif kind == "undo":
                logged = log.get(request_id)
                if not logged.active_events:
                    continue
                target = chance.choice(logged.active_events)
                details = {"undoes": target.seq, "event": target.event}
            elif kind == "nothing":
                continue
            log.record_event(request_id, day, parse_details(event, details), by="staff")
    return ids


def fresh(request_id: str, space: Workspace) -> tuple[str, str, str]:
    """(state, next step, its day) worked out from the events now, as the timeline does."""
    return every_fresh([request_id], space)[request_id]


def every_fresh(ids: list[str], space: Workspace) -> dict[str, tuple[str, str, str]]:
    found = {}
    for logged in space.log.many(ids):
        timeline = timeline_of(logged, space.directory, space.today)
        step = next_step(timeline, space.today)
        found[logged.id] = (timeline.state.value, step.kind,
                            step.date.isoformat() if step.date else "")
    return found


def stored(request_id: str, space: Workspace) -> tuple[str, str, str]:
    """(state, next step, its day on ``space.today``) as the log keeps them."""
    return every_stored(space)[request_id]


def every_stored(space: Workspace) -> dict[str, tuple[str, str, str]]:
    return {str(request_id): (str(state), str(kind), space.today.isoformat() if now else str(on))
            for request_id, state, kind, on, now, *_rest in space.log.fetch(
                STORED)}


@pytest.mark.slow
def test_every_stored_standing_is_the_timelines_own_on_every_day(
        backend: str, directory: Directory, answers: Answers) -> None:
    """Day by day for four months, with a few events written on the way: after ``refresh``,
    every stored standing equals the one worked out afresh from the request's events, and
    only the requests whose dates the day crossed are worked out again."""
    count = 60 if backend == "sqlite" else 30
    ids = varied_log(directory, answers, count, seed=7)
    chance = random.Random(11)  # noqa: S311 (a repeatable mix, not a secret)
    day, days, recomputed = START, 0, 0
    while day < START + timedelta(days=120):
        space = workspace(day)
        recomputed += standing.refresh(space.log, space.directory, day)
        days += 1
        assert every_stored(space) == every_fresh(ids, space), day
        if chance.random() < 0.2:  # a write through the library: stored at once
            request_id = chance.choice(ids)
            logged = space.log.get(request_id)
            if logged.request.sent_on <= day and not any(
                    e.event in ("closed", "withdrawn") for e in logged.active_events):
                record_event(space, request_id, "followed_up", day,
                             {"until": day + timedelta(days=10)})
                assert stored(request_id, space) == fresh(request_id, space)
        day += timedelta(days=chance.choice([1, 1, 2, 3]))
    # The stored standings spare work: on a day, most requests are not worked out again
    assert recomputed < days * count / 4, (recomputed, days)


@pytest.mark.slow
def test_an_import_leaves_every_standing_the_timelines_own(
        backend: str, directory: Directory, answers: Answers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An import works out the standings of the requests it adds, or adds events to, before
    it returns: each equals the one worked out afresh from the events, on the day imported,
    and the first ``status`` after it finds none to work out. A second file with more events
    (one a later export of the same log) changes only the requests it adds to."""
    count = 60 if backend == "sqlite" else 30
    exported = tmp_path / "log.jsonl"
    with monkeypatch.context() as elsewhere:  # the log exported: SQLite, in a folder of its own
        elsewhere.setenv("RECORDSKIT_HOME", str(tmp_path / "source"))
        elsewhere.delenv("RECORDSKIT_DATABASE_URL", raising=False)
        ids = varied_log(directory, answers, count, seed=7)
        source = workspace(START).log
        export_log(source, exported)
    chance = random.Random(5)  # noqa: S311 (a repeatable mix, not a secret)
    for day in (START + timedelta(days=40), START + timedelta(days=75)):
        space = workspace(day)
        if day == START + timedelta(days=40):
            assert import_requests(space, exported)[0] == count
            assert every_stored(space) == every_fresh(ids, space), day
            assert standing.refresh(space.log, space.directory, day) == 0, day
        else:  # another day: the dates it passed, as its first status works them out
            assert standing.refresh(space.log, space.directory, day) > 0, day
        # Later in the source log: a few requests followed up, the export taken again
        followed = [rid for rid in chance.sample(ids, 8) if not any(
            e.event in ("closed", "withdrawn") for e in source.get(rid).active_events)][:4]
        for request_id in followed:
            source.record_event(request_id, day, parse_details(
                "followed_up", {"until": (day + timedelta(days=10)).isoformat()}))
        exported.unlink()
        export_log(source, exported)
        before = dict(space.log.fetch("SELECT id, revision FROM requests"))
        assert followed and import_requests(space, exported) == (0, len(followed))
        changed = {rid for rid, revision in space.log.fetch("SELECT id, revision FROM requests")
                   if before[rid] != revision}
        assert changed == set(followed)
        assert every_stored(space) == every_fresh(ids, space), day
        assert standing.refresh(space.log, space.directory, day) == 0, day
        assert import_requests(space, exported) == (0, 0)


_WORK_OUT = settle._work_out
_MARKS = Path()
"""Where ``_noted_work_out`` notes the processes that ran it (the test's own folder)."""
_PARENT = os.getpid()


def _noted_work_out(batch: list[str]) -> list[Any]:
    """A worker's work, noting the process that did it; a worker whose batch is a single
    request dies as one killed (out of memory) would, when the folder says so."""
    (_MARKS / str(os.getpid())).touch()
    if (_MARKS / "die").exists() and len(batch) == 1 and os.getpid() != _PARENT:
        os._exit(1)
    return _WORK_OUT(batch)


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_standings_worked_out_by_workers_are_the_timelines_own(
        backend: str, directory: Directory, answers: Answers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker processes an import's standings go to give each request the standing
    worked out here; a worker that dies loses none (this process works out the rest)."""
    ids = varied_log(directory, answers, 24, seed=3)
    space = workspace(D("2026-05-20"))
    expected = every_fresh(ids, space)
    marks = tmp_path / "workers"
    marks.mkdir()
    monkeypatch.setattr(sys.modules[__name__], "_MARKS", marks)
    monkeypatch.setattr(settle, "_work_out", _noted_work_out)
    for dying in (False, True):
        if dying:
            (marks / "die").touch()
        space.log.execute_many("UPDATE requests SET state_until = '', state = '' WHERE id = ?",
                               [(rid,) for rid in ids])
        batches = [ids[start:start + 5] for start in range(0, 20, 5)] + [ids[20:23], ids[23:]]
        assert settle.settle(space.log, space.directory, space.today, batches,
                             workers=2) == len(ids)
        assert every_stored(space) == expected, dying
        assert standing.refresh(space.log, space.directory, space.today) == 0
        workers = {path.name for path in marks.iterdir()} - {"die", str(os.getpid())}
        assert workers, "no worker ran"
        # Here, only what the dead worker left
        assert (marks / str(os.getpid())).exists() == dying


def test_a_write_clears_the_standing_and_the_library_stores_the_new_one(
        backend: str, directory: Directory, answers: Answers) -> None:
    space = workspace(D("2026-06-12"))
    request = request_from(answers(sent_on="2026-05-01"), directory)
    rid = request.fingerprint()
    space.log.record_request(rid, request)
    assert standing.refresh(space.log, space.directory, space.today) == 1
    assert stored(rid, space)[0] == "overdue"
    # A write by the log alone (an import, another program) clears it in its transaction
    space.log.record_event(rid, D("2026-06-01"), parse_details("received", {}))
    [(until,)] = space.log.fetch("SELECT state_until FROM requests WHERE id = ?", [rid])
    assert until == ""
    assert standing.refresh(space.log, space.directory, space.today) == 1
    # The library's own writes store the new standing with the event
    recorded = record_event(space, rid, "response", D("2026-06-10"), {"kind": "produced"})
    assert stored(rid, space) == fresh(rid, space) == ("produced", "close", "")
    assert standing.refresh(space.log, space.directory, space.today) == 0
    undo(space, rid, recorded.event.seq)
    assert stored(rid, space) == fresh(rid, space)
    assert standing.refresh(space.log, space.directory, space.today) == 0


def test_a_standing_worked_out_before_a_write_is_never_stored_over_it(
        backend: str, directory: Directory, answers: Answers) -> None:
    """A reader that read the events, then lost the race to a writer, stores nothing: its
    standing would hide the writer's event until the next write."""
    space = workspace(D("2026-06-12"))
    request = request_from(answers(sent_on="2026-05-01"), directory)
    rid = request.fingerprint()
    space.log.record_request(rid, request)
    revisions: dict[str, int] = {}
    [logged] = space.log.many([rid], revisions=revisions)
    late = standing.standing_of(logged, revisions[rid], space.directory, space.today,
                                standing.bases(space.directory))
    space.log.record_event(rid, D("2026-06-01"), parse_details("response", {"kind": "denied"}))
    space.log.store_standings([late])
    [(state, until)] = space.log.fetch(
        "SELECT state, state_until FROM requests WHERE id = ?", [rid])
    assert (state, until) == ("", "")  # still to be worked out: the writer's event counts
    standing.refresh(space.log, space.directory, space.today)
    assert stored(rid, space) == fresh(rid, space)
    assert stored(rid, space)[0] == "denied"


def test_a_changed_agency_entry_or_law_table_works_its_requests_out_again(
        backend: str, directory: Directory, answers: Answers, tmp_path: Path) -> None:
    space = workspace(D("2026-06-12"))
    for agency in ("bps", "bpd"):
        request = request_from(answers(agency=agency, sent_on="2026-06-01", records=[],
                                       other_records="the reports",
                                       delivery="email" if agency == "bps" else "mail"),
                               directory)
        space.log.record_request(request.fingerprint(), request)
    assert standing.refresh(space.log, space.directory, space.today) == 2
    assert standing.refresh(space.log, space.directory, space.today) == 0
    # BPD's entry edited by a volunteer: BPD's request only is worked out again
    changed = FROZEN_AGENCIES.read_text(encoding="utf-8").replace(
        "short_name: BPD", "short_name: Boston Police")
    assert changed != FROZEN_AGENCIES.read_text(encoding="utf-8")
    edited = tmp_path / "agencies.yaml"
    edited.write_text(changed, encoding="utf-8")
    other = Workspace(agencies_path=edited, database_url=space.database_url, today=space.today)
    assert standing.refresh(other.log, other.directory, other.today) == 1
    assert set(standing.bases(space.directory)) >= {"bps", "bpd", "city-clerk", ""}
    # Stored on another basis (another release's law table): all worked out again
    space.log.execute_many("UPDATE requests SET state_basis = ?", [("an older law table",)])
    assert standing.refresh(space.log, space.directory, space.today) == 2


def test_an_older_log_gets_its_standings_on_first_use(directory: Directory,
                                                      answers: Answers, tmp_path: Path) -> None:
    """A log of schema 2 (the last release's) is upgraded in place by the numbered migration,
    and its first ``status`` works out every standing; its rows are unchanged."""
    home = tmp_path / "home"
    home.mkdir()
    database = home / "requests.sqlite3"
    request = request_from(answers(sent_on="2026-05-01"), directory)
    rid = request.fingerprint()
    with sqlite3.connect(database) as db:
        for version in (1, 2):
            for statement in MIGRATIONS[version]["sqlite"]:
                db.execute(statement)
        db.execute("PRAGMA user_version = 2")
        db.execute("INSERT INTO requests (id, created_at, agency, answers, folder, batch_id, "
                   "created_by) VALUES (?, '2026-05-01T10:00:00+00:00', 'bps', ?, '/f', '', "
                   "'ana')", (rid, request.stored()))
        db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at, "
                   "recorded_by, uid) VALUES (?, 'received', '2026-05-04', '{}', "
                   "'2026-05-04T10:00:00+00:00', 'ana', 'u1')", (rid,))
    db.close()
    result = CliRunner().invoke(cli, ["status", "--json"], env={"RECORDSKIT_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert '"state": "overdue"' in result.output
    log = SqliteLog(home)
    [(state, until, folder)] = log.fetch("SELECT state, state_until, folder FROM requests")
    assert state == "overdue" and until and folder == "/f"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master "
                                                "WHERE type = 'index'")}
    db.close()
    assert {"requests_by_folder", "requests_by_state", "events_by_recorder"} <= indexes


def test_status_filters_by_the_stored_standings(backend: str, directory: Directory,
                                                answers: Answers) -> None:
    """Each filter, answered by the database, agrees with the timelines; quotes in a filter
    value are a value, never SQL."""
    ids = varied_log(directory, answers, 24, seed=3)
    space = workspace(D("2026-05-20"))
    every = status_rows(space, StatusFilter(include_closed=True))
    assert sorted(row.logged.id for row in every.rows) == sorted(ids)
    for chosen in (StatusFilter(agency="bpd"), StatusFilter(state="overdue"),
                   StatusFilter(batch="batch-1"), StatusFilter(by="staff 2"),
                   StatusFilter(due_before=D("2026-06-01")), StatusFilter(limit=5)):
        shown = [row.logged.id for row in status_rows(space, chosen).rows]
        expected = []
        for row in every.rows:
            logged, step = row.logged, row.action
            if row.timeline.state in ("closed", "withdrawn"):
                continue
            if chosen.agency and logged.request.agency != chosen.agency:
                continue
            if chosen.state and row.timeline.state != chosen.state:
                continue
            if chosen.batch and logged.batch_id != chosen.batch:
                continue
            if chosen.by and chosen.by not in {logged.created_by,
                                               *(e.recorded_by for e in logged.events)}:
                continue
            if chosen.due_before and not (step.date and step.date < chosen.due_before):
                continue
            expected.append(row)
        from recordskit.service.tracking import urgency
        expected.sort(key=lambda row: urgency(row, space.today))
        assert shown == [row.logged.id for row in expected][:chosen.limit], chosen
        # A role that may only read gets the same answer, worked out in memory
        picked = standing.Picked(chosen.agency, chosen.state, chosen.due_before, chosen.batch,
                                 chosen.by, chosen.include_closed)
        in_memory, total, _problems = standing.pressing_in_memory(
            space.log, space.directory, space.today, picked, limit=chosen.limit)
        assert (in_memory, total) == standing.pressing(space.log, space.today, picked,
                                                       limit=chosen.limit)
    for hostile in ("x' OR '1'='1", "batch-1'; DROP TABLE requests; --"):
        with pytest.raises(Exception, match="unknown batch"):
            status_rows(space, StatusFilter(batch=hostile))
        with pytest.raises(Exception, match="unknown by"):
            status_rows(space, StatusFilter(by=hostile))
    assert len(status_rows(space, StatusFilter(include_closed=True)).rows) == len(ids)


def test_a_folder_is_found_by_its_index(backend: str, directory: Directory,
                                        answers: Answers) -> None:
    space = workspace(D("2026-06-12"))
    log = space.log
    made = []
    for number, folder in enumerate(["/a", "/a", "/b", "/c"]):
        request = request_from(answers(requester__name=f"F{number}"), directory)
        log.record_request(request.fingerprint(), request, folder=folder)
        made.append(request.fingerprint())
    withdrawn = log.record_event(made[1], D("2026-06-12"), parse_details("withdrawn", {}))
    assert log.in_folders(["/a", "/b", "/missing"]) == {"/a": [made[0]], "/b": [made[2]]}
    assert log.open_folders() == {made[0]: "/a", made[2]: "/b", made[3]: "/c"}
    log.record_event(made[1], D("2026-06-12"), parse_details(
        "undo", {"undoes": withdrawn.seq, "event": "withdrawn"}))
    assert sorted(log.in_folders(["/a"])["/a"]) == sorted(made[:2])


def test_nothing_reads_the_whole_log_to_answer_a_question(
        backend: str, directory: Directory, answers: Answers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``status``, ``show``, ``calendar``, ``new`` in a folder already logged, and an export
    and its import read by index, or stream: the readers of every row of the log are off."""
    from recordskit.service import RequestLog
    from recordskit.tracking.transfer import export_log, import_log

    varied_log(directory, answers, 12, seed=5)
    space = workspace(D("2026-05-20"))

    def whole(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("read the whole log")

    monkeypatch.setattr(RequestLog, "all", whole)
    monkeypatch.setattr(type(space.log), "request_rows",
                        _only_one(type(space.log).request_rows))
    monkeypatch.setattr(type(space.log), "event_rows", _only_one(type(space.log).event_rows))
    report = status_rows(space, StatusFilter())
    assert len(report.rows) > 0
    [first, *_rest] = report.rows
    from recordskit.service import calendar_file, request_view

    assert request_view(space, first.logged.id[:6]).logged.id == first.logged.id
    assert calendar_file(space, language="en", default_language="en").requests == len(
        status_rows(space, StatusFilter()).rows)
    export = tmp_path / "log.jsonl"
    requests, _events = export_log(space.log, export)
    assert requests == 12
    assert import_log(space.log, export) == (0, 0)  # all there already: looked up by id


def _only_one(method: Any) -> Any:
    """A reader of rows that refuses to read every row (one request's are fine)."""
    def guarded(self: Any, request_id: str | None = None) -> Any:
        if request_id is None:
            raise AssertionError("read the whole log")
        return method(self, request_id)
    return guarded


def test_status_json_is_written_as_it_is_worked_out() -> None:
    """The pieces are ``json.dumps(entries, indent=2)``'s, whatever the entries."""
    import json

    from recordskit.cli.app import json_array

    for entries in ([], [{}], [{"id": "a", "text": "línea\nnueva \u202e"}, [], {"n": [1, 2]}]):
        assert "".join(json_array(iter(entries))) == json.dumps(
            entries, indent=2, ensure_ascii=False) + "\n"

