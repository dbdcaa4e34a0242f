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

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from recordskit import inputfile
from recordskit.errors import InputFileError, Problem, UserError
from recordskit.files import atomic_writer, not_regular, open_regular
from recordskit.limits import LIMITS
from recordskit.logged import EventDetailsError
from recordskit.models import Request
from recordskit.tracking.ledger import Ledger
from recordskit.tracking.log import (
    EVERY_EVENT,
    EVERY_REQUEST,
    EventRow,
    RequestLog,
    RequestRow,
    event_row,
    read_event,
    request_id_problem,
    request_row,
    stored_json,
)
from recordskit.tracking.workers import Pool, forked, in_order


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
        for row in map(request_row, log.stream(EVERY_REQUEST)):
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
        for event in map(event_row, log.stream(EVERY_EVENT)):
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


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]


@dataclass
class _Checked:
    """What the reading of an export keeps to check it whole and then write it: its problems,
    and in a ledger on disk each line's number, a digest and the row to write (never a table
    of them in memory), so that a file of any size takes flat memory."""

    ledger: Ledger
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""
    """The file's SHA-256 when it was checked: the writing reads the same bytes or nothing."""


CHUNK = 500
"""Rows of the file compared with the log's copies at a time."""

Settle = Callable[[Iterator[list[str]]], object]
"""What works out the standings of the requests an import changed, given their ids a few
hundred at a time, once the import is written (``recordskit.tracking.settle``)."""


def import_log(log: RequestLog, path: Path, settle: Settle | None = None) -> tuple[int, int]:
    """Add every request and event of an export to ``log``; how many of each were new.

    The file is read and checked whole first (a line at a time, comparing each request and
    event with the log's copy, if it has one); then everything new goes in as checked, in one
    transaction, once the file is read again to make sure it is the one checked. A problem
    anywhere (a line that is not an export's, a request that differs from the log's copy, an
    ``undo`` of an event not in the file) refuses the whole file, naming every line, and
    nothing is written. The file's rows are never held in memory: it stays flat however large
    the log. A file that adds nothing is not read again.

    ``settle``, when given, is then handed the requests the import added or added events to,
    to keep their standings (the write clears them, as every write of an event does)."""
    checked = _check(log, path)
    with checked.ledger as ledger:
        if checked.problems:
            raise InputFileError(path, sorted(checked.problems,
                                              key=lambda problem: problem.line or 0))
        if not ledger.anything_new():
            return 0, 0
        added = log.import_rows(lambda: _requests_of(path, checked), ledger.new_events,
                                ledger.new_undos)
        if settle is not None:
            settle(ledger.changed_requests())
        return added


def _check(log: RequestLog, path: Path) -> _Checked:
    checked = _Checked(Ledger())
    try:
        # A large file's lines are read (parsed, and checked as the log would read them back)
        # by a worker process a core, a thousand at a time; the bookkeeping stays here. The
        # workers are forked before the log's connection is opened: none holds a copy of it
        workers = None if _size(path) > PARALLEL_BYTES else 1
        with forked(workers, _set_up, ()) as pool, log.session():
            _check_lines(log, path, checked, pool)
    except BaseException:
        checked.ledger.close()
        raise
    return checked


PARALLEL_BYTES = 4_000_000
"""A file larger than this (some 3,000 requests) is read by worker processes."""
LINES_A_BATCH = 1000


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # refused, with why, when it is opened


def _set_up() -> None:
    """A reader of lines needs nothing but the modules it is forked with."""


class _Line(NamedTuple):
    """What the check keeps of one line that is not blank: its problem, or its row."""

    number: int
    problem: Problem | None
    request: RequestRow | None = None
    digest: str = ""
    """Of a request: the same id given again must be the same request."""
    event: EventRow | None = None
    seq: int = 0
    undoes: object = None
    """Of an undo: the number in the file of the event it undoes, as given."""


def _read_lines(lines: list[tuple[int, bytes]]) -> list[_Line]:
    """The lines that are not blank, each read (in a worker, or here)."""
    return [read for number, raw in lines if (read := _read_line(number, raw)) is not None]


def _read_line(number: int, raw: bytes) -> _Line | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _Line(number, Problem("", f"not UTF-8 text (byte {exc.start + 1} of the line); "
                                     "an export is UTF-8", number))
    if not text.strip():
        return None
    try:
        item = _parse(text)
    except _LineProblem as problem:
        return _Line(number, Problem(problem.field, problem.message, number, problem.column))
    if found := _problem(item, text):
        return _Line(number, Problem(found[0], found[1], number))
    if item["type"] == "request":
        row = _request_from(item)
        return _Line(number, None, row, _digest(row))
    event = _event_from(item)
    return _Line(number, None, event=event, seq=item["seq"], undoes=item["details"].get(
        "undoes") if event.event == "undo" else None)


def _check_lines(log: RequestLog, path: Path, checked: _Checked, pool: Pool | None) -> None:
    ledger = checked.ledger
    requests: list[tuple[RequestRow, int]] = []
    events: list[tuple[EventRow, int]] = []
    digest = hashlib.sha256()

    def batches() -> Iterator[list[tuple[int, bytes]]]:
        batch = []
        for number, raw in _lines(path):
            digest.update(raw)
            batch.append((number, raw))
            if len(batch) >= LINES_A_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    for _lines_read, found in in_order(pool, _read_lines, batches()):
        for line in found:
            number = line.number
            if line.problem is not None:
                checked.problems.append(line.problem)
            elif line.request is not None:
                row = line.request
                if (twin := ledger.add_request(row, line.digest, number)) is not None:
                    if twin != line.digest:
                        checked.problems.append(Problem(
                            "id", f"request {row.id} is given twice in this file, differently",
                            number))
                    continue
                requests.append((row, number))
                if len(requests) >= CHUNK:
                    _compare_requests(log, requests, checked)
            elif (event := line.event) is not None:
                if not ledger.add_event(event, number):
                    checked.problems.append(Problem(
                        "uid", f"event {event.uid} is given twice in this file", number))
                    continue
                if not ledger.add_number(line.seq, event.uid, event.request_id, event.event,
                                         number):
                    checked.problems.append(Problem(
                        "seq", f"event number {line.seq} is given twice in this file", number))
                if event.event == "undo":
                    ledger.add_undo(event.uid, line.undoes)
                events.append((event, number))
                if len(events) >= CHUNK:
                    _compare_events(log, events, checked)
    _compare_requests(log, requests, checked)
    _compare_events(log, events, checked)
    checked.digest = digest.hexdigest()
    for missing in ledger.named_requests_not_given():
        unknown = set(missing) - set(log.requests_named(missing))
        for request_id, at in ledger.lines_naming(sorted(unknown)) if unknown else ():
            checked.problems.append(Problem("request_id", (
                f"{request_id!r} is a request neither in this file nor in the log; export "
                "the log with its requests"), at))
    for request_id, undoes, at in ledger.stray_undos():
        checked.problems.append(Problem("details.undoes", (
            f"undoes event {undoes}, which is not an event of request {request_id} in "
            "this file; an import never undoes an event the log already holds"), at))


def _compare_requests(log: RequestLog, rows: list[tuple[RequestRow, int]],
                      checked: _Checked) -> None:
    """A request the log holds already must be the same: an import only adds."""
    known = log.requests_named([row.id for row, _line in rows]) if rows else {}
    for row, line in rows:
        if (old := known.get(row.id)) is not None and (
                differs := _request_differences(old, row)):
            checked.problems.append(Problem("id", (
                f"request {row.id} is already in the log, with another {', '.join(differs)}; "
                "an import only adds, and never changes a request the log holds. Remove this "
                "line to import the rest (the log keeps its own copy), or change the request "
                "in the log itself"), line))
    checked.ledger.known("requests", list(known))
    rows.clear()


def _compare_events(log: RequestLog, rows: list[tuple[EventRow, int]], checked: _Checked
                    ) -> None:
    known = log.events_named([row.uid for row, _line in rows]) if rows else {}
    for row, line in rows:
        if (old := known.get(row.uid)) is not None and (
                differs := _event_differences(old, row)):
            checked.problems.append(Problem("uid", (
                f"event {row.uid} is already in the log (as event {old.seq}), with another "
                f"{', '.join(differs)}; an import only adds, and never changes an event the "
                "log holds"), line))
    checked.ledger.known("events", list(known))
    rows.clear()


def _requests_of(path: Path, checked: _Checked) -> Iterator[RequestRow]:
    """The requests the log did not hold at the check, as checked; first, the file is read
    once more: a file changed since (its digest differs) stops the import inside its
    transaction, so nothing of it is written."""
    digest = hashlib.sha256()
    for _number, raw in _lines(path):
        digest.update(raw)
    if digest.hexdigest() != checked.digest:
        raise UserError(f"{path}: the file changed while it was imported; nothing of it was "
                        "imported. Import it again")
    yield from checked.ledger.new_requests()


def _request_from(item: dict[str, Any]) -> RequestRow:
    return RequestRow(item["id"], item["created_at"], item["agency"],
                      json.dumps(item["answers"], ensure_ascii=False), item["folder"],
                      item["batch_id"], item.get("created_by", ""))


def _event_from(item: dict[str, Any]) -> EventRow:
    return EventRow(0, item["request_id"], item["event"], item["on_date"],
                    json.dumps(item["details"], ensure_ascii=False), item["recorded_at"],
                    item.get("recorded_by", ""), item["uid"])


def _digest(row: RequestRow) -> str:
    return hashlib.sha256(repr(row).encode("utf-8")).hexdigest()


def _request_differences(old: RequestRow, new: RequestRow) -> list[str]:
    if old == new:  # written by an import of the same line: nothing to read (a re-import)
        return []
    found = [name for name in ("created_at", "agency", "folder", "batch_id", "created_by")
             if getattr(old, name) != getattr(new, name)]
    try:
        same = stored_json(old.answers) == json.loads(new.answers)
    except ValueError:
        same = False
    return found if same else ["answers", *found]


def _event_differences(old: EventRow, new: EventRow) -> list[str]:
    if (old.request_id, old.event, old.on_date, old.details, old.recorded_at, old.recorded_by,
            old.uid) == (new.request_id, new.event, new.on_date, new.details, new.recorded_at,
                         new.recorded_by, new.uid):  # as an import of the same line wrote it
        return []
    found = [name for name in ("request_id", "event", "on_date", "recorded_at", "recorded_by")
             if getattr(old, name) != getattr(new, name)]
    try:
        details = stored_json(old.details)
    except ValueError:
        details = None
    given = json.loads(new.details)
    if new.event == "undo" and isinstance(details, dict) and isinstance(given, dict):
        # The number an undo names is each log's own (it was renumbered when it went in);
        # the same undo (its uid) undoes the same event
        details, given = ({k: v for k, v in d.items() if k != "undoes"}
                          for d in (details, given))
    if details != given:
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
        # Read once for the whole file, not three times a line (each is an environment lookup)
        line_max, file_max = line_limit.value, file_limit.value
        for number in range(1, 1 << 62):
            try:
                text = handle.readline(line_max + 1)
            except OSError as exc:
                raise UserError(f"{path}: cannot be read: {exc.strerror}") from None
            if not text:
                return
            total += len(text)
            if total > file_max:
                raise InputFileError(path, [Problem("", file_limit.exceeded(
                    "the file", "it is larger"), number)])
            if len(text) > line_max:
                raise InputFileError(path, [Problem("", line_limit.exceeded(
                    "this line", "it is longer"), number)])
            yield number, text


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


def _problem(item: dict[str, Any], text: str) -> tuple[str, str] | None:
    """The field and the message of what keeps a line from going into a log, or None: what
    the log could not read back, checked as the log reads it (``text``: the line)."""
    # A NUL or half a character reaches a value only written as such or as a \u escape: a
    # line with neither (almost every line) needs no walk through its values
    if ("\\u" in text or _NUL_OR_HALF.search(text)) and (where := _unstorable(item)):
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
