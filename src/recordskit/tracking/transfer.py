"""Moving a request log: every request and event to JSON Lines, and back, losslessly.

``export_log`` writes one line per request, then one per event; ``import_log`` reads such a
file into any log (SQLite or PostgreSQL). Importing the same file twice adds nothing: requests
are known by their id and events by their own id (``uid``). Event numbers are the receiving
log's own; an ``undo`` that names an event by number is renumbered with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from recordskit.errors import InputFileError, Problem, UserError
from recordskit.files import atomic_writer
from recordskit.limits import LIMITS
from recordskit.logged import EventDetailsError
from recordskit.models import Request
from recordskit.tracking.log import EventRow, RequestLog, RequestRow, read_event


def export_log(log: RequestLog, path: Path) -> tuple[int, int]:
    """Write every request and event of ``log`` to ``path``; how many of each."""
    requests = log.request_rows() if log.exists() else []
    events = log.event_rows() if log.exists() else []
    with atomic_writer(path) as handle:
        for row in requests:
            handle.write(_line({"type": "request", "id": row.id, "created_at": row.created_at,
                                "agency": row.agency, "answers": json.loads(row.answers),
                                "folder": row.folder, "batch_id": row.batch_id,
                                "created_by": row.created_by}))
        for event in events:
            handle.write(_line({"type": "event", "seq": event.seq,
                                "request_id": event.request_id, "event": event.event,
                                "on_date": event.on_date, "details": json.loads(event.details),
                                "recorded_at": event.recorded_at,
                                "recorded_by": event.recorded_by, "uid": event.uid}))
    return len(requests), len(events)


def import_log(log: RequestLog, path: Path) -> tuple[int, int]:
    """Add every request and event of an export to ``log``; how many were new.

    Requests go in one transaction, then events; an ``undo`` is renumbered to the number its
    event got here, so it goes in after them.
    """
    log.create()
    known_events = len(log.event_rows())
    requests: list[RequestRow] = []
    events: list[tuple[int, EventRow]] = []
    undos: list[tuple[int, EventRow]] = []
    problems: list[Problem] = []
    named: list[tuple[int, str]] = []  # each event's line and the request it names
    longest = LIMITS["input_bytes"].value
    try:
        with path.open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, start=1):
                if len(text) > longest:
                    raise InputFileError(path, [Problem("", LIMITS["input_bytes"].exceeded(
                        "this line", f"{len(text):,} characters"), number)])
                if not text.strip():
                    continue
                item = _parse(text, path, number)
                if problem := _problem(item):
                    problems.append(Problem(problem[0], problem[1], number))
                    continue
                if item["type"] == "request":
                    requests.append(RequestRow(
                        item["id"], item["created_at"], item["agency"],
                        json.dumps(item["answers"], ensure_ascii=False), item["folder"],
                        item["batch_id"], item.get("created_by", "")))
                    continue
                named.append((number, item["request_id"]))
                row = EventRow(0, item["request_id"], item["event"], item["on_date"],
                               json.dumps(item["details"], ensure_ascii=False),
                               item["recorded_at"], item.get("recorded_by", ""), item["uid"])
                (undos if item["event"] == "undo" else events).append((item["seq"], row))
    except OSError as exc:
        raise UserError(f"{path}: cannot be read: {exc.strerror}") from None
    # Checked whole before anything is added: a line the log could not read back would hide
    # its request from every later command (or, in a clinic's shared log, from everyone).
    known = {row.id for row in requests} | {row.id for row in log.request_rows()}
    problems += [Problem("request_id", f"{request_id!r} is a request neither in this file nor "
                         "in the log; export the log with its requests", number)
                 for number, request_id in named if request_id not in known]
    if problems:
        raise InputFileError(path, sorted(problems, key=lambda problem: problem.line or 0))
    added = log.insert_requests(requests)
    numbers = dict(zip((seq for seq, _row in events),
                       log.insert_events(row for _seq, row in events), strict=True))
    renumbered = []
    for _seq, row in undos:
        details = json.loads(row.details)
        if details.get("undoes") in numbers:
            details["undoes"] = numbers[details["undoes"]]
        renumbered.append(EventRow(0, row.request_id, row.event, row.on_date,
                                   json.dumps(details, ensure_ascii=False), row.recorded_at,
                                   row.recorded_by, row.uid))
    log.insert_events(renumbered)
    return added, len(log.event_rows()) - known_events


_REQUIRED = {"request": ("id", "created_at", "agency", "answers", "folder", "batch_id"),
             "event": ("seq", "request_id", "event", "on_date", "details", "recorded_at",
                       "uid")}


def _parse(text: str, path: Path, number: int) -> dict[str, Any]:
    try:
        item = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(path, [Problem("", f"not a line of a log export: {exc.msg}",
                                            number, exc.colno)]) from None
    kind = item.get("type") if isinstance(item, dict) else None
    if kind not in _REQUIRED:
        raise InputFileError(path, [Problem("type", "expected 'request' or 'event'", number)])
    missing = [key for key in _REQUIRED[kind] if key not in item]
    if missing:
        raise InputFileError(path, [Problem(missing[0], "is missing", number)])
    return dict(item)


def _problem(item: dict[str, Any]) -> tuple[str, str] | None:
    """The field and the message of what keeps a line from going into a log, or None: what
    the log could not read back, checked as the log reads it."""
    texts = ("id", "created_at", "agency", "folder", "batch_id") if item["type"] == "request" \
        else ("request_id", "recorded_at", "uid")
    for key in (*texts, "created_by", "recorded_by"):
        if key in item and not isinstance(item[key], str):
            return key, "expected text"
    if item["type"] == "request":
        try:
            # As the log reads it back: from the JSON it stores.
            Request.model_validate_json(json.dumps(item["answers"], ensure_ascii=False))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            return f"answers.{where}" if where else "answers", error["msg"]
        return None
    if type(item["seq"]) is not int:
        return "seq", "expected the event's number"
    try:  # as the log will read it back, through the same door
        read_event(item["seq"], item["event"], item["on_date"], item["details"])
    except EventDetailsError as problem:
        return "", str(problem)
    return None


def _line(item: dict[str, Any]) -> bytes:
    return (json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
