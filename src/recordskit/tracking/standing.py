"""Where each logged request stands, kept with the request so that ``status`` need not rebuild
every timeline of the log on every call.

A request's standing (its state, its next step and that step's day) is worked out by the same
code as its timeline (``timeline_of`` and ``next_step``), for one day, and stored with the day it
was worked out for and the first day on which it could read differently. Both depend on the day
only through comparisons with the dates the timeline holds (a deadline passed, a window still
open), so the answer worked out on day C holds on every day before the earliest of those dates,
or the day after one, that comes after C: that is the stored ``until``. A standing is worked out
again when

- an event is written, undone or imported (the write clears it, in the same transaction);
- the day asked is outside ``[from, until)``;
- its basis changed: the law table, the calendar, this code's own version, or the agency's
  entry in the directory in use (``bases``).

Whatever asks (``status``, the pages) first brings the stale standings up to date (``refresh``)
and then asks the database, with indexes, only for the rows it shows.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from operator import attrgetter

from pydantic import BaseModel

from recordskit.deadlines.followups import next_step
from recordskit.deadlines.timeline import Timeline, appeal_body
from recordskit.law import LAW, LAW_VERSION
from recordskit.models import Directory
from recordskit.tracking.log import DamagedEntry, LoggedRequest, RequestLog, Standing
from recordskit.tracking.service import UnknownAgencyError, timeline_of
from recordskit.vocabulary import FINAL_STATES, State

STANDING_VERSION = 1
"""Raised whenever the timeline's or the next step's code changes what it works out: every
stored standing is then worked out again on first use."""

FOREVER = "9999-12-31"
"""The ``until`` of a standing no day can change (a closed request, a damaged row)."""

CHUNK = 500
"""Requests read, worked out and written back at a time: memory stays flat at any size."""

UNKNOWN_AGENCY = "unknown agency"
DAMAGED = "damaged: "


def bases(directory: Directory) -> dict[str, str]:
    """Each agency's basis (what its requests' standings depend on besides their events),
    and, under "", the basis of requests whose agency the directory does not list."""
    common = _digest(STANDING_VERSION, LAW_VERSION, sorted((k, repr(r)) for k, r in LAW.items()),
                     _holidays_version())
    try:
        body = appeal_body(directory)
    except StopIteration:  # a directory without the Supervisor: every timeline says so
        body = None
    body_part = (body.model_dump_json(), directory.closures_for(body.calendar)) if body else ""
    found = {agency.id: _digest(common, agency.model_dump_json(),
                                directory.closures_for(agency.calendar), body_part)
             for agency in directory.agencies}
    found[""] = _digest(common, "missing", sorted(found))
    return found


@cache  # the installed package does not change under a running process (7 ms a lookup)
def _holidays_version() -> str:
    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - a dependency; always installed
        return ""


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


def standing_of(logged: LoggedRequest, revision: int, directory: Directory, today: date,
                basis: Mapping[str, str]) -> Standing:
    """The standing of one request on ``today``, by the timeline's own code."""
    try:
        timeline = timeline_of(logged, directory, today)
    except UnknownAgencyError:
        return Standing(logged.id, revision, "", "", "", False, today.isoformat(), FOREVER,
                        basis[""], UNKNOWN_AGENCY)
    step = next_step(timeline, today)
    # A closed or withdrawn request stays so whatever the day: only a write (an undo) changes it
    until = FOREVER if timeline.state in FINAL_STATES else holds_until(timeline, today).isoformat()
    return Standing(
        logged.id, revision, timeline.state.value, step.kind,
        step.date.isoformat() if step.date else "", step.date == today, today.isoformat(),
        until, basis[logged.request.agency])


def holds_until(timeline: Timeline, today: date) -> date:
    """The first day after ``today`` on which the timeline's state or next step could differ:
    the earliest date it holds, or the day after one, that is later than ``today``."""
    later = [day for found in dates_in(timeline) for day in (found, found + timedelta(days=1))
             if day > today]
    return min(later, default=date.max)


def dates_in(value: object) -> set[date]:
    """Every date held anywhere in ``value`` (dataclasses, pydantic models, collections): the
    walk is generic so that a date a later change adds to the timeline is never missed."""
    found: set[date] = set()
    seen: set[int] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _LEAVES:  # most of what a timeline holds: one lookup, not five checks
            continue
        if isinstance(item, date):
            found.add(item)
            continue
        if isinstance(item, str | bytes | int | float | bool) or item is None:
            _LEAVES.add(kind)  # an enum, a subclass of text: never a date, nor holds one
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if (read := _fields_of(kind)) is not None:
            pending.extend(read(item))
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, Iterable):
            pending.extend(item)
    return found


_LEAVES: set[type] = {str, int, float, bool, bytes, type(None)}
"""Types that hold no date, whatever their value (each found once by ``dates_in``)."""
_FIELDS: dict[type, Callable[[object], tuple[object, ...]] | None] = {}


def _fields_of(kind: type) -> Callable[[object], tuple[object, ...]] | None:
    """What reads the values of a dataclass's or a pydantic model's fields, in one call (None
    for any other type), made once a type: asking ``dataclasses.fields`` for each value was most
    of the walk's time."""
    if kind not in _FIELDS:
        names: tuple[str, ...] | None = None
        if dataclasses.is_dataclass(kind):
            names = tuple(f.name for f in dataclasses.fields(kind))
        elif issubclass(kind, BaseModel):
            names = tuple(kind.model_fields)
        _FIELDS[kind] = None if names is None else _reader(names)
    return _FIELDS[kind]


def _reader(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """The values of the attributes ``names``, as a tuple, by ``attrgetter`` (which gives a
    lone value for a lone name, and takes no empty list)."""
    if not names:
        return lambda _item: ()
    getter = attrgetter(*names)
    if len(names) == 1:
        return lambda item: (getter(item),)
    return getter


def damaged_standing(entry: DamagedEntry, revision: int, today: date, basis: str) -> Standing:
    """The standing of a row that cannot be read: kept, with why, until an event changes it."""
    return Standing(entry.request_id, revision, "", "", "", False, today.isoformat(), FOREVER,
                    basis, DAMAGED + entry.reason)


def refresh(log: RequestLog, directory: Directory, today: date) -> int:
    """Work out again every stored standing that does not hold on ``today`` with
    ``directory``; how many were."""
    if not log.exists():
        return 0
    basis = bases(directory)
    stale = log.stale_standings(today.isoformat(), set(basis.values()))
    for start in range(0, len(stale), CHUNK):
        log.store_standings(list(_worked_out(log, stale[start:start + CHUNK], directory,
                                             today, basis)))
    return len(stale)


def _worked_out(log: RequestLog, ids: list[str], directory: Directory, today: date,
                basis: Mapping[str, str]) -> Iterator[Standing]:
    damaged: list[DamagedEntry] = []
    revisions: dict[str, int] = {}
    found = log.many(ids, damaged, revisions)
    for logged in found:
        yield standing_of(logged, revisions[logged.id], directory, today, basis)
    agencies = log.agencies_of([entry.request_id for entry in damaged])
    for entry in damaged:
        agency = agencies.get(entry.request_id, "")
        yield damaged_standing(entry, revisions.get(entry.request_id, 0), today,
                               basis.get(agency, basis[""]))


def worked_out(log: RequestLog, ids: list[str], directory: Directory, today: date,
               basis: Mapping[str, str]) -> list[Standing]:
    """The standings of ``ids`` (a few hundred) on ``today``, read from the log and worked
    out, to store (``recordskit.tracking.settle`` works out many at once with it)."""
    return list(_worked_out(log, ids, directory, today, basis))


def refresh_one(log: RequestLog, request_id: str, directory: Directory, today: date) -> None:
    """Work out and keep one request's standing now, after a write to it."""
    log.store_standings(list(_worked_out(log, [request_id], directory, today,
                                         bases(directory))))


@dataclass(frozen=True)
class Picked:
    """Which requests ``status`` asks for, as the stored standings and the indexes answer it."""

    agency: str = ""
    state: str = ""
    due_before: date | None = None
    batch: str = ""
    by: str = ""
    include_closed: bool = False


def _conditions(picked: Picked) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if picked.agency:
        where.append("agency = ?")
        params.append(picked.agency)
    if picked.batch:
        where.append("batch_id = ?")
        params.append(picked.batch)
    if picked.by:
        where.append("(created_by = ? OR EXISTS (SELECT 1 FROM events WHERE "
                     "events.request_id = requests.id AND events.recorded_by = ?))")
        params += [picked.by, picked.by]
    return where, params


def pressing(log: RequestLog, today: date, picked: Picked, *, limit: int | None = None
             ) -> tuple[list[str], int]:
    """The ids of the requests ``picked`` names whose standing is worked out (``refresh``
    first), most pressing first: overdue (late, or a step whose day passed), then due within
    ``soon_days``, then the rest, each group by the step's day; and how many there are in all.
    The database sorts and counts: only the ids come back."""
    where, params = _conditions(picked)
    where.append("state_problem = ''")
    if not picked.include_closed:
        where.append(f"state NOT IN ({', '.join('?' * len(FINAL_STATES))})")
        params += sorted(state.value for state in FINAL_STATES)
    if picked.state:
        where.append("state = ?")
        params.append(str(picked.state))
    day = today.isoformat()
    outer, outer_params = "", []
    if picked.due_before is not None:
        outer, outer_params = "WHERE due < ?", [picked.due_before.isoformat()]
    picked_rows = (f"(SELECT id, state, CASE WHEN next_now = 1 THEN ? WHEN next_on = '' THEN "
                   f"'{FOREVER}' ELSE next_on END AS due FROM requests "
                   f"WHERE {' AND '.join(where)}) AS picked {outer}")
    rows = log.fetch(
        f"SELECT id FROM {picked_rows} "
        f"ORDER BY CASE WHEN state = '{State.OVERDUE.value}' OR due < ? THEN 0 "
        "WHEN due <= ? THEN 1 ELSE 2 END, due, id LIMIT ?",
        [day, *params, *outer_params, day, (today + timedelta(days=SOON_DAYS)).isoformat(),
         limit if limit is not None else 2 ** 62])
    ids = [str(row[0]) for row in rows]
    if limit is None or len(ids) < limit:
        return ids, len(ids)
    # Counted apart: with the count in the same query (a window), the database sorts every
    # row it picks; alone, the first rows take a top-N sort (a third of the time at 100,000)
    [(total,)] = log.fetch(f"SELECT COUNT(*) FROM {picked_rows}", [day, *params, *outer_params])
    return ids, int(total)


SOON_DAYS = 14
"""Not law: how far ahead a step counts as due soon, listed before the rest."""


def problems(log: RequestLog, picked: Picked) -> list[tuple[str, str, str]]:
    """(id, agency, problem) of every request whose standing could not be worked out: rows the
    log cannot read, whatever ``picked`` says, and, among those it names, requests of an
    agency the directory in use does not list."""
    where, params = _conditions(picked)
    rows = log.fetch(
        "SELECT id, agency, state_problem FROM requests WHERE state_problem LIKE 'damaged:%' "
        f"OR (state_problem = ? {''.join(' AND ' + w for w in where)}) ORDER BY created_at, id",
        [UNKNOWN_AGENCY, *params])
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def known_values(log: RequestLog, column: str, value: str) -> tuple[bool, list[str]]:
    """Whether ``value`` is a batch (``column`` "batch") or a person (``by``) the log has seen;
    when not, up to 50 it has, for a suggestion."""
    if column == "batch":
        queries = [("SELECT batch_id FROM requests WHERE batch_id = ? LIMIT 1",
                    "SELECT DISTINCT batch_id FROM requests ORDER BY batch_id LIMIT 51")]
    else:
        queries = [("SELECT created_by FROM requests WHERE created_by = ? LIMIT 1",
                    "SELECT DISTINCT created_by FROM requests ORDER BY created_by LIMIT 51"),
                   ("SELECT recorded_by FROM events WHERE recorded_by = ? LIMIT 1",
                    "SELECT DISTINCT recorded_by FROM events ORDER BY recorded_by LIMIT 51")]
    if any(log.fetch(exact, [value]) for exact, _all in queries):
        return True, []
    seen = sorted({str(r[0]) for _exact, every in queries for r in log.fetch(every)} - {""})
    return False, seen[:50]


def open_ids(log: RequestLog) -> list[str]:
    """The ids of every request whose stored standing is open (``refresh`` first), oldest
    first."""
    return [str(row[0]) for row in log.fetch(
        "SELECT id FROM requests WHERE state_problem = '' AND state NOT IN "
        f"({', '.join('?' * len(FINAL_STATES))}) ORDER BY created_at, id",
        sorted(state.value for state in FINAL_STATES))]


# --- A log this user may only read -----------------------------------------------------------
# Its standings cannot be stored, so each is worked out in memory, by the same code, and the
# database's filter and order are followed here: slower on a large log, and the same answer.


def every_standing(log: RequestLog, directory: Directory, today: date
                   ) -> Iterator[tuple[Standing, LoggedRequest | None]]:
    """Every request's standing on ``today``, worked out now (with the request, unless it
    cannot be read), oldest first, a few hundred requests at a time."""
    basis = bases(directory)
    ids = [str(row[0]) for row in log.fetch("SELECT id FROM requests ORDER BY created_at, id")]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        damaged: list[DamagedEntry] = []
        readable = {logged.id: logged for logged in log.many(chunk, damaged)}
        why = {entry.request_id: entry for entry in damaged}
        agencies = log.agencies_of(list(why))
        for request_id in chunk:
            if (logged := readable.get(request_id)) is not None:
                yield standing_of(logged, 0, directory, today, basis), logged
            elif request_id in why:
                yield damaged_standing(why[request_id], 0, today, basis.get(
                    agencies.get(request_id, ""), basis[""])), None


def pressing_in_memory(log: RequestLog, directory: Directory, today: date, picked: Picked, *,
                       limit: int | None = None
                       ) -> tuple[list[str], int, list[tuple[str, str, str]]]:
    """``pressing`` and ``problems`` for a log whose standings cannot be stored."""
    soon = (today + timedelta(days=SOON_DAYS)).isoformat()
    day = today.isoformat()
    keys: list[tuple[int, str, str]] = []
    found: list[tuple[str, str, str]] = []
    for held, logged in every_standing(log, directory, today):
        if held.problem.startswith(DAMAGED):
            found.append((held.request_id, "", held.problem))
            continue
        if logged is None or not _named(logged, picked):
            continue
        if held.problem:
            found.append((held.request_id, logged.request.agency, held.problem))
            continue
        if (not picked.include_closed and held.state in FINAL_STATES) or (
                picked.state and held.state != picked.state):
            continue
        due = day if held.next_now else held.next_on or FOREVER
        if picked.due_before is not None and not due < picked.due_before.isoformat():
            continue
        group = 0 if held.state == State.OVERDUE.value or due < day else 1 if due <= soon else 2
        keys.append((group, due, held.request_id))
    keys.sort()
    shown = keys if limit is None else keys[:limit]
    return [key[2] for key in shown], len(keys), found


def _named(logged: LoggedRequest, picked: Picked) -> bool:
    """Whether ``picked``'s agency, batch and person name the request (as ``_conditions``)."""
    return ((not picked.agency or logged.request.agency == picked.agency)
            and (not picked.batch or logged.batch_id == picked.batch)
            and (not picked.by or picked.by in {logged.created_by,
                                                *(e.recorded_by for e in logged.events)}))
