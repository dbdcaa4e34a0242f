"""Moving a request log: every request and event to JSON Lines, and back, losslessly.

``export_log`` writes one line per request, then one per event; ``import_log`` reads such a
file into any log (SQLite or PostgreSQL). Importing the same file twice adds nothing: requests
are known by their id and events by their own id (``uid``). Event numbers are the receiving
log's own; an ``undo`` that names an event by number is renumbered with it.

An import is one transaction, checked whole before it writes: the file is read line by line
within its limits (``import_bytes`` in all, ``import_line_bytes`` a line), every line is checked
as the log will read it back, and only then is anything written, all of it or nothing. An
import adds: a request or event the log already holds is left as it is, and a differing copy of
one refuses the import, naming it; an ``undo`` undoes only an event of the same file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from recordskit import inputfile
from recordskit.errors import InputFileError, Problem, UserError
from recordskit.files import atomic_writer, not_regular, open_regular
from recordskit.limits import LIMITS
from recordskit.logged import EventDetailsError
from recordskit.models import Request
from recordskit.tracking.log import (
    EventRow,
    RequestLog,
    RequestRow,
    read_event,
    request_id_problem,
    stored_json,
)


class IncompleteExport(UserError):
    """An export written without the rows the log cannot read, which it names."""


def export_log(log: RequestLog, path: Path) -> tuple[int, int]:
    """Write every request and event of ``log`` to ``path``; how many of each.

    A row the log cannot read (its stored JSON damaged by hand or by a disk) is left out, with
    its request's events, so that the file imports whole; the rest is written, and then an
    ``IncompleteExport`` names what was left out and why."""
    left_out: list[str] = []
    exported: set[str] = set()
    written_events = skipped = 0
    # Read and written a few thousand rows at a time: a log of any size, in flat memory
    with atomic_writer(path) as handle:
        for row in map(_request_row, log.stream(
                "SELECT id, created_at, agency, answers, folder, batch_id, created_by "
                "FROM requests ORDER BY created_at, id")):
            try:
                answers = stored_json(row.answers)
                Request.model_validate_json(row.answers)
            except (ValueError, TypeError) as exc:
                left_out.append(f"request {row.id} ({_first_line(exc)})")
                continue
            handle.write(_line({
                "type": "request", "id": row.id, "created_at": row.created_at,
                "agency": row.agency, "answers": answers, "folder": row.folder,
                "batch_id": row.batch_id, "created_by": row.created_by}))
            exported.add(row.id)
        for event in map(_event_row, log.stream(
                "SELECT seq, request_id, event, on_date, details, recorded_at, recorded_by, uid "
                "FROM events ORDER BY seq")):
            if event.request_id not in exported:
                skipped += 1
                continue  # its request is left out (and named) above
            try:
                details = stored_json(event.details)
                read_event(event.seq, event.event, event.on_date, details)
            except (ValueError, TypeError) as exc:
                left_out.append(f"event {event.seq} of request {event.request_id} "
                                f"({_first_line(exc)})")
                continue
            handle.write(_line({
                "type": "event", "seq": event.seq, "request_id": event.request_id,
                "event": event.event, "on_date": event.on_date, "details": details,
                "recorded_at": event.recorded_at, "recorded_by": event.recorded_by,
                "uid": event.uid}))
            written_events += 1
    if left_out:
        also = (f"; with them {skipped} event{'s' if skipped != 1 else ''} of the requests "
                "left out") if skipped else ""
        raise IncompleteExport(
            f"Wrote {path}: {len(exported)} requests and {written_events} events. "
            f"Left out, since the log cannot read them: {'; '.join(left_out)}{also}. Mend or "
            "remove them in the log and export again to move them too")
    return len(exported), written_events


def _request_row(row: tuple[Any, ...]) -> RequestRow:
    return RequestRow(*map(str, row))


def _event_row(row: tuple[Any, ...]) -> EventRow:
    return EventRow(int(row[0]), *map(str, row[1:]))


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]


@dataclass
class _Read:
    """An export read and checked, ready to go into a log in one transaction."""

    requests: list[RequestRow] = field(default_factory=list)
    events: list[tuple[int, EventRow]] = field(default_factory=list)
    """Each event with its number in the file."""
    request_lines: dict[str, int] = field(default_factory=dict)
    event_lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def import_log(log: RequestLog, path: Path) -> tuple[int, int]:
    """Add every request and event of an export to ``log``; how many of each were new.

    The file is read and checked whole first; then everything new goes in, in one
    transaction. A problem anywhere (a line that is not an export's, a request that differs
    from the log's copy, an ``undo`` of an event not in the file) refuses the whole file,
    naming every line, and nothing is written."""
    read = _read(path)
    problems = read.problems
    # Only the rows the file names are looked up (by their indexes), never the whole log
    file_ids = {row.id for row in read.requests}
    known_requests = log.requests_named(sorted(file_ids | {row.request_id
                                                           for _seq, row in read.events}))
    known_events = log.events_named([row.uid for _seq, row in read.events])
    for request in read.requests:
        if (old := known_requests.get(request.id)) is not None and (
                differs := _request_differences(old, request)):
            problems.append(Problem("id", (
                f"request {request.id} is already in the log, with another {', '.join(differs)}; "
                "an import only adds, and never changes a request the log holds. Remove this "
                "line to import the rest (the log keeps its own copy), or change the request "
                "in the log itself"), read.request_lines[request.id]))
    numbers_in_file: dict[int, EventRow] = {}
    for seq, row in read.events:
        line = read.event_lines[row.uid]
        if row.request_id not in file_ids and row.request_id not in known_requests:
            problems.append(Problem("request_id", f"{row.request_id!r} is a request neither in "
                                    "this file nor in the log; export the log with its "
                                    "requests", line))
        if seq in numbers_in_file:
            problems.append(Problem("seq", f"event number {seq} is given twice in this file",
                                    line))
        numbers_in_file[seq] = row
        if (old_event := known_events.get(row.uid)) is not None and (
                differs := _event_differences(old_event, row)):
            problems.append(Problem("uid", (
                f"event {row.uid} is already in the log (as event {old_event.seq}), with "
                f"another {', '.join(differs)}; an import only adds, and never changes an event "
                "the log holds"), line))
    for _seq, row in read.events:
        if row.event != "undo":
            continue
        undoes = json.loads(row.details).get("undoes")
        target = numbers_in_file.get(undoes) if isinstance(undoes, int) else None
        if target is None or target.request_id != row.request_id or target.event == "undo":
            problems.append(Problem("details.undoes", (
                f"undoes event {undoes!r}, which is not an event of request {row.request_id} "
                "in this file; an import never undoes an event the log already holds"),
                read.event_lines[row.uid]))
    if problems:
        raise InputFileError(path, sorted(problems, key=lambda problem: problem.line or 0))
    return log.import_rows(read.requests, read.events)


def _request_differences(old: RequestRow, new: RequestRow) -> list[str]:
    found = [name for name in ("created_at", "agency", "folder", "batch_id", "created_by")
             if getattr(old, name) != getattr(new, name)]
    try:
        same = stored_json(old.answers) == json.loads(new.answers)
    except ValueError:
        same = False
    return found if same else ["answers", *found]


def _event_differences(old: EventRow, new: EventRow) -> list[str]:
    found = [name for name in ("request_id", "event", "on_date", "recorded_at", "recorded_by")
             if getattr(old, name) != getattr(new, name)]
    try:
        details = stored_json(old.details)
    except ValueError:
        details = None
    if details != json.loads(new.details):
        found.append("details")
    return found


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines, read as a stream within the limits of a line and of the file: a
    device, a pipe or a folder is refused before a byte is read."""
    line_limit, file_limit = LIMITS["import_line_bytes"], LIMITS["import_bytes"]
    try:
        handle = open_regular(path)
    except OSError as exc:
        raise InputFileError(path, [Problem("", not_regular(path, exc))]) from None
    total = 0
    with handle:
        for number in range(1, 1 << 62):
            try:
                text = handle.readline(line_limit.value + 1)
            except OSError as exc:
                raise UserError(f"{path}: cannot be read: {exc.strerror}") from None
            if not text:
                return
            total += len(text)
            if total > file_limit.value:
                raise InputFileError(path, [Problem("", file_limit.exceeded(
                    "the file", "it is larger"), number)])
            if len(text) > line_limit.value:
                raise InputFileError(path, [Problem("", line_limit.exceeded(
                    "this line", "it is longer"), number)])
            yield number, text


def _read(path: Path) -> _Read:
    read = _Read()
    seen_requests: dict[str, RequestRow] = {}
    for number, raw in _lines(path):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            read.problems.append(Problem("", f"not UTF-8 text (byte {exc.start + 1} of the "
                                         "line); an export is UTF-8", number))
            continue
        if not text.strip():
            continue
        try:
            item = _parse(text)
        except _LineProblem as problem:
            read.problems.append(Problem(problem.field, problem.message, number,
                                         problem.column))
            continue
        if found := _problem(item):
            read.problems.append(Problem(found[0], found[1], number))
            continue
        if item["type"] == "request":
            row = RequestRow(item["id"], item["created_at"], item["agency"],
                             json.dumps(item["answers"], ensure_ascii=False), item["folder"],
                             item["batch_id"], item.get("created_by", ""))
            if (twin := seen_requests.get(row.id)) is not None:
                if _request_differences(twin, row):
                    read.problems.append(Problem("id", f"request {row.id} is given twice in "
                                                 "this file, differently", number))
                continue
            seen_requests[row.id] = row
            read.requests.append(row)
            read.request_lines[row.id] = number
            continue
        event = EventRow(0, item["request_id"], item["event"], item["on_date"],
                         json.dumps(item["details"], ensure_ascii=False), item["recorded_at"],
                         item.get("recorded_by", ""), item["uid"])
        if event.uid in read.event_lines:
            read.problems.append(Problem("uid", f"event {event.uid} is given twice in this "
                                         "file", number))
            continue
        read.events.append((item["seq"], event))
        read.event_lines[event.uid] = number
    return read


class _LineProblem(Exception):
    def __init__(self, field: str, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.field, self.message, self.column = field, message, column


_REQUIRED = {"request": ("id", "created_at", "agency", "answers", "folder", "batch_id"),
             "event": ("seq", "request_id", "event", "on_date", "details", "recorded_at",
                       "uid")}


def _parse(text: str) -> dict[str, Any]:
    try:
        item = inputfile.json_value(text)
    except json.JSONDecodeError as exc:
        raise _LineProblem("", f"not a line of a log export: {exc.msg}", exc.colno) from None
    except ValueError as exc:
        raise _LineProblem("", f"not a line of a log export: {exc}") from None
    kind = item.get("type") if isinstance(item, dict) else None
    if kind not in _REQUIRED:
        raise _LineProblem("type", "expected 'request' or 'event'")
    missing = [key for key in _REQUIRED[kind] if key not in item]
    if missing:
        raise _LineProblem(missing[0], "is missing")
    return dict(item)


def _problem(item: dict[str, Any]) -> tuple[str, str] | None:
    """The field and the message of what keeps a line from going into a log, or None: what
    the log could not read back, checked as the log reads it."""
    if where := _unstorable(item):
        return where, "holds a character no log can store (a NUL, or half of a character)"
    texts = ("id", "created_at", "agency", "folder", "batch_id") if item["type"] == "request" \
        else ("request_id", "recorded_at", "uid")
    for key in (*texts, "created_by", "recorded_by"):
        if key in item and not isinstance(item[key], str):
            return key, "expected text"
    if item["type"] == "request":
        if problem := request_id_problem(item["id"]):
            return "id", problem
        try:
            # As the log reads it back: from the JSON it stores.
            Request.model_validate_json(json.dumps(item["answers"], ensure_ascii=False))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            return f"answers.{where}" if where else "answers", error["msg"]
        return None
    if problem := request_id_problem(item["request_id"]):
        return "request_id", problem
    if not item["uid"] or len(item["uid"]) > 100:
        return "uid", "expected the event's own id (at most 100 characters)"
    if type(item["seq"]) is not int or item["seq"] < 1:
        return "seq", "expected the event's number"
    try:  # as the log will read it back, through the same door
        read_event(item["seq"], item["event"], item["on_date"], item["details"])
    except EventDetailsError as problem:
        return "", str(problem)
    return None


_NUL_OR_HALF = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: object, at: str = "") -> str:
    """Where in ``value`` a text holds what neither backend stores (PostgreSQL refuses a NUL,
    and neither can encode half of a surrogate pair), or ""."""
    if isinstance(value, str):
        if _NUL_OR_HALF.search(value):
            return at or "line"
        return ""
    if isinstance(value, dict):
        for key, item in value.items():
            if found := _unstorable(key, at) or _unstorable(item, f"{at}.{key}" if at else key):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := _unstorable(item, f"{at}[{index}]"):
                return found
    return ""


def _line(item: dict[str, Any]) -> bytes:
    return (json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
