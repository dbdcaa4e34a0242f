"""After a request is sent: where each request stands, what to do next, and recording what
happened. Every front end asks these functions and words their answers itself.

What comes back is data: a status row carries the request's timeline and its next step as an
``Action`` (its kind, its date, and the arguments of the command that does it), never a
sentence. ``recordskit.service.words`` has the sentences the command line and pages share.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

from recordskit.errors import FieldError, UserError
from recordskit.i18n import _, in_language
from recordskit.tracking.log import DamagedEntry, LoggedRequest, ReadOnlyLog, RequestLog
from recordskit.vocabulary import FINAL_STATES, EventKind, State

if TYPE_CHECKING:
    from recordskit.deadlines.followups import NextStep, StepKind
    from recordskit.deadlines.timeline import Timeline
    from recordskit.logged import LoggedEvent, Undo
    from recordskit.models import Agency, Directory
    from recordskit.service.workspace import Workspace
    from recordskit.tracking.service import UnknownAgencyError

# The timelines, the stored standings and the export's reader are imported by the functions
# that use them, not here: `status` and `log export` on a log that holds no request need none
# of them, nor the pydantic models they load (bench/startup.py times their start-up;
# tests/test_startup_imports.py keeps them out).


# --- The next step, as data ---------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """The one thing to do now on a request, as data a front end words its own way."""

    kind: StepKind
    date: date | None
    request_id: str
    window: str = ""
    """For an appeal: the response whose window it uses (its event number, or
    ``no_response``)."""
    situation: str = ""
    """For a follow-up: what it answers (``no_response``, ``extension_beyond_limit``,
    ``late_fee``, ``no_exemption``, ``production_missed``, ``student_no_access``)."""
    student: bool = False
    """The request is for a student record: the school, not an agency, gives access."""

    @property
    def command(self) -> tuple[str, ...]:
        """The arguments of the ``recordskit`` command that does it (placeholders in capitals),
        or () when the step is to wait with nothing to record."""
        request = self.request_id
        if self.kind == "follow_up":
            return ("followup", request, "--out", "FOLDER")
        if self.kind == "appeal":
            which = ("--response", self.window) if self.window.isdigit() else ()
            return ("appeal", request, *which, "--out", "FOLDER")
        if self.kind == "wait_response":
            return ("log", request, "response", "--kind", "KIND", "--on", "DATE")
        if self.kind == "wait_production":
            return ("log", request, "response", "--kind", "produced", "--on", "DATE")
        if self.kind == "wait_decision":
            return ("log", request, "decided", "--on", "DATE")
        if self.kind == "close":
            return ("log", request, "closed", "--on", "DATE")
        return ()


def action_of(step: NextStep, request_id: str, *, student: bool = False) -> Action:
    return Action(step.kind, step.date, request_id, step.window,
                  step.situation.kind if step.situation else "", student)


# --- Status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusFilter:
    """Which requests ``status`` shows. Each value is checked against what the log can hold."""

    agency: str = ""
    state: str = ""
    """A state, as its id (``fee estimate``, ``fee_estimate``) or in the language in use."""
    due_before: date | None = None
    batch: str = ""
    by: str = ""
    include_closed: bool = False
    limit: int | None = None
    """Show at most this many (the most pressing first); None for every one."""


@dataclass(frozen=True)
class StatusRow:
    """One request as ``status`` lists it."""

    logged: LoggedRequest
    agency: Agency
    timeline: Timeline
    action: Action
    asked: str
    """What it asks for, in a few words (the first record's title, in the language in use)."""


class StatusRows(Sequence[StatusRow]):
    """The rows ``status`` shows, most pressing first, each read from the log and its timeline
    worked out only when it is reached, a few hundred at a time: a front end that writes them
    out as it goes (``status --json`` of a whole log) holds no more than that in memory."""

    CHUNK = 200

    def __init__(self, workspace: Workspace, ids: list[str]) -> None:
        self._workspace, self._ids = workspace, ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[StatusRow]:
        for start in range(0, len(self._ids), self.CHUNK):
            yield from self._rows(self._ids[start:start + self.CHUNK])

    @overload
    def __getitem__(self, index: int) -> StatusRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[StatusRow]: ...

    def __getitem__(self, index: int | slice) -> StatusRow | list[StatusRow]:
        if isinstance(index, slice):
            return self._rows(self._ids[index])
        return self._rows([self._ids[index]])[0]

    def _rows(self, ids: list[str]) -> list[StatusRow]:
        from recordskit.deadlines.followups import next_step
        from recordskit.tracking.service import UnknownAgencyError, timeline_of

        directory, today = self._workspace.directory, self._workspace.today
        found = []
        for logged in self._workspace.log.many(ids):
            try:
                timeline = timeline_of(logged, directory, today)
            except UnknownAgencyError:  # the directory changed in between: left out
                continue
            found.append(StatusRow(
                logged, directory.agency(logged.request.agency), timeline,
                action_of(next_step(timeline, today), logged.id,
                          student=logged.request.student is not None),
                asked_in_words(logged, directory)))
        return found


@dataclass(frozen=True)
class StatusReport:
    """The rows that match, and what could not be read (each says why, when worded)."""

    rows: Sequence[StatusRow]
    damaged: list[DamagedEntry] = field(default_factory=list)
    unreadable: list[tuple[LoggedRequest, UnknownAgencyError]] = field(default_factory=list)
    not_shown: int = 0
    """Rows that matched but fell past the limit."""


def _choice(value: str, valid: Mapping[str, str], field_name: str) -> str:
    """The id ``value`` names among ``valid`` (ids and their words in the language in use, each
    mapped to its id), or a clear error listing them, with the nearest as a suggestion."""
    given = value.strip().lower()
    for key in (given, given.replace("_", " "), given.replace(" ", "_")):
        if key in valid:
            return valid[key]
    import difflib  # a suggestion, only for a value that names nothing

    near = difflib.get_close_matches(given, list(valid), n=1)
    hint = _(" (did you mean {suggestion}?)").format(suggestion=near[0]) if near else ""
    ids = sorted(set(valid.values()))
    raise FieldError(_("unknown {field} {value}{hint}; expected one of: {valid}").format(
        field=field_name, value=repr(value), hint=hint, valid=", ".join(ids)), field=field_name)


def state_choices() -> dict[str, str]:
    """Every state by its id and by its name in the language in use."""
    choices = {state.value: state.value for state in State}
    choices |= {state.value.replace(" ", "_"): state.value for state in State}
    choices |= {_(state.value).lower(): state.value for state in State}
    return choices


def asked_in_words(logged: LoggedRequest, directory: Directory) -> str:
    """What a request asks for, in a few words: the first record's title (translated) and how
    many more, or a student record's student."""
    request = logged.request
    if request.student is not None:
        return _("Student record: {name}").format(name=request.student.name)
    known = {a.id: a for a in directory.agencies}
    records = {r.id: r.title for r in known[request.agency].records} if (
        request.agency in known) else {}
    titles = [_(records[r]) if r in records else r for r in request.records]
    text = titles[0] if titles else request.other_records
    more = len(request.records) + bool(request.other_records) - 1
    text = text if len(text) <= 48 else text[:47] + "…"
    return text + (f" (+{more})" if more > 0 else "")


def status_rows(workspace: Workspace, chosen: StatusFilter | None = None) -> StatusReport:
    """The requests of the log that match ``chosen`` (open ones unless it includes closed),
    each with its timeline and next step, the most pressing first (overdue, then due within
    ``SOON_DAYS``, then the rest); unknown filter values are refused.

    The stored standings that no longer hold are worked out again first; the database then
    filters, sorts and counts by them, and only the rows shown are read whole."""
    chosen = chosen or StatusFilter()
    log, today = workspace.log, workspace.today
    # A log that holds no request has nothing to work out, and the answer is no rows: the
    # directory in use is not read (nor the timelines' code loaded) unless an agency is to be
    # checked against it, or the person named a directory file (which is checked, and a bad
    # one refused, as on any other log)
    any_request = _holds_requests(log)
    directory = workspace.directory if (
        any_request or chosen.agency or workspace.agencies_path is not None) else None
    agency = _choice(chosen.agency, {a.id: a.id for a in directory.request_targets} | {
        a.short_name.lower(): a.id for a in directory.request_targets}, "agency") \
        if directory is not None and chosen.agency else ""
    state = _choice(chosen.state, state_choices(), "state") if chosen.state else ""
    # A batch or a person the log has never seen is a typo, not an empty answer
    for value, name in ((chosen.batch, "batch"), (chosen.by, "by")):
        if value.strip():
            seen, known = (_known_values(log, name, value.strip()) if any_request
                           else (False, []))
            if not seen:
                _choice(value, {item.lower(): item for item in known}, name)
    if directory is None or not any_request:
        return StatusReport([])
    import recordskit.tracking.standing as standing
    from recordskit.tracking.service import UnknownAgencyError

    picked = standing.Picked(agency, state, chosen.due_before, chosen.batch.strip(),
                             chosen.by.strip(), chosen.include_closed)
    try:
        standing.refresh(log, directory, today)
        ids, total = standing.pressing(log, today, picked, limit=chosen.limit)
        problems = standing.problems(log, picked)
    except ReadOnlyLog:  # a role that may only read: the same answer, worked out in memory
        ids, total, problems = standing.pressing_in_memory(log, directory, today, picked,
                                                           limit=chosen.limit)
    report = StatusReport(StatusRows(workspace, ids), not_shown=total - len(ids))
    unknown = []
    for request_id, _agency, problem in problems:
        if problem.startswith(standing.DAMAGED):
            report.damaged.append(DamagedEntry(request_id, problem[len(standing.DAMAGED):]))
        else:
            unknown.append(request_id)
    report.unreadable.extend((logged, UnknownAgencyError(logged.id, logged.request.agency))
                             for logged in log.many(unknown))
    return report


def _holds_requests(log: RequestLog) -> bool:
    """Whether the log holds any request: one row looked for, by the table's index."""
    return log.exists() and bool(log.fetch("SELECT 1 FROM requests LIMIT 1"))


def _known_values(log: RequestLog, column: str, value: str) -> tuple[bool, list[str]]:
    """``standing.known_values``, which a log with no request is not asked (it knows none)."""
    import recordskit.tracking.standing as standing

    return standing.known_values(log, column, value)


def urgency(row: StatusRow, today: date) -> tuple[int, date, str]:
    """Where a row stands in ``status``: overdue first (a request past its response date, or a
    step whose day has passed), then what is due in the next two weeks, then the rest; each
    group by the step's day. (The database sorts ``status`` the same way by the stored
    standings: ``standing.pressing``.)"""
    from recordskit.tracking.standing import SOON_DAYS

    day = row.action.date or date.max
    if row.timeline.state == State.OVERDUE or day < today:
        group = 0
    elif (day - today).days <= SOON_DAYS:
        group = 1
    else:
        group = 2
    return group, day, row.logged.id


# --- One request ------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    """One logged request with its timeline; ``timeline`` is None (and ``problem`` says why)
    when the directory in use does not list its agency."""

    logged: LoggedRequest
    timeline: Timeline | None
    agency: Agency | None
    action: Action | None
    problem: UnknownAgencyError | None = None


def find_request(workspace: Workspace, request_id: str) -> LoggedRequest:
    """The logged request an id (or a unique beginning of one) names."""
    return workspace.log.get(request_id)


def request_view(workspace: Workspace, request_id: str) -> RequestView:
    """One request, its timeline and its next step."""
    logged = find_request(workspace, request_id)
    return view_of(workspace, logged)


def view_of(workspace: Workspace, logged: LoggedRequest) -> RequestView:
    from recordskit.deadlines.followups import next_step
    from recordskit.tracking.service import UnknownAgencyError, timeline_of

    directory, today = workspace.directory, workspace.today
    try:
        timeline = timeline_of(logged, directory, today)
    except UnknownAgencyError as exc:
        return RequestView(logged, None, None, None, exc)
    return RequestView(logged, timeline, directory.agency(logged.request.agency),
                       action_of(next_step(timeline, today), logged.id,
                                 student=logged.request.student is not None))


def references_of(logged: LoggedRequest) -> list[str]:
    """Every reference number logged on a request: receipts', responses' and appeals'."""
    from recordskit.logged import Appealed, Received, Response

    found: list[str] = []
    for event in logged.active_events:
        details = event.details
        numbers = (details.tracking if isinstance(details, Received | Response) else
                   details.number if isinstance(details, Appealed) else "")
        found += [n.strip() for n in numbers.split(",") if n.strip()]
    return list(dict.fromkeys(found))


# --- Recording what happened ---------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """An event just recorded, and the request as it stands now."""

    event: LoggedEvent
    view: RequestView


def record_event(workspace: Workspace, request_id: str, event: EventKind | str, on: date,
                 details: Mapping[str, Any], *, by: str | None = None) -> Recorded:
    """Record what happened to a request. ``details`` are the event's fields by name (``kind``,
    ``until``, ``amount`` …); one that does not belong to the event is refused, naming it, and
    so is an event that cannot have happened (before the request, in the future, after it was
    closed)."""
    import recordskit.tracking.standing as standing
    from recordskit.logged import parse_details
    from recordskit.tracking.service import log_event

    typed = parse_details(event, {k: v for k, v in details.items() if v is not None},
                          strict=True)
    recorded, _timeline, logged = log_event(workspace.log, request_id, on, typed,
                                            workspace.directory, workspace.today, by=by)
    standing.refresh_one(workspace.log, logged.id, workspace.directory, workspace.today)
    return Recorded(recorded, view_of(workspace, logged))


def undo(workspace: Workspace, request_id: str, number: int, *, by: str | None = None
         ) -> LoggedEvent[Undo]:
    """Undo a mistaken event: a new ``undo`` event names it; both stay in the log."""
    import recordskit.tracking.standing as standing
    from recordskit.tracking.service import undo_event

    undone = undo_event(workspace.log, request_id, number, workspace.today, by=by)
    standing.refresh_one(workspace.log, workspace.log.resolve(request_id), workspace.directory,
                         workspace.today)
    return undone


# --- Every open request's calendar, and moving the log ----------------------------------------


@dataclass(frozen=True)
class CalendarFile:
    """One calendar of every open request's deadlines, and what was left out."""

    blocks: IO[bytes]
    """Its events, spooled (to a temporary file once large): ``chunks`` gives the whole file."""
    name: str
    requests: int
    deadlines: int
    left_out: list[UnknownAgencyError]
    damaged: list[DamagedEntry]
    language: str
    """The language its name is in: the requests' own when they share one."""

    def chunks(self) -> Iterator[bytes]:
        """The calendar file, a piece at a time (then the spool is closed)."""
        from recordskit.documents.exports import CALENDAR_END, wrap_events

        with self.blocks:
            self.blocks.seek(0)
            yield wrap_events(b"", name=self.name).removesuffix(CALENDAR_END)
            while piece := self.blocks.read(1 << 20):
                yield piece
            yield CALENDAR_END

    @property
    def content(self) -> bytes:
        return b"".join(self.chunks())


def calendar_file(workspace: Workspace, *, language: str, default_language: str
                  ) -> CalendarFile:
    """Every open request's deadlines as one iCalendar file, with stable ids so that importing
    it again updates. Each request's events are in ``language`` when given, else in the
    request's own, else in ``default_language``. The requests are read a few hundred at a
    time and their events spooled, so that a log of any size takes flat memory."""
    # Here, not at the top: the calendar library is a tenth of every other command's start-up
    import recordskit.tracking.standing as standing
    from recordskit.documents.exports import event_blocks
    from recordskit.tracking.service import UnknownAgencyError, timeline_of

    directory, today = workspace.directory, workspace.today
    blocks: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
    left_out: list[UnknownAgencyError] = []
    damaged: list[DamagedEntry] = []
    requests = deadlines = 0
    languages: set[str] = set()
    log = workspace.log
    try:
        standing.refresh(log, directory, today)
        problems, ids = standing.problems(log, standing.Picked()), standing.open_ids(log)
    except ReadOnlyLog:  # a role that may only read: the same answer, worked out in memory
        ids, _count, problems = standing.pressing_in_memory(log, directory, today,
                                                            standing.Picked())
    for request_id, agency, problem in problems:
        if problem.startswith(standing.DAMAGED):
            damaged.append(DamagedEntry(request_id, problem[len(standing.DAMAGED):]))
        else:
            left_out.append(UnknownAgencyError(request_id, agency))
    for logged in _each(log, ids):
        try:
            timeline = timeline_of(logged, directory, today)
        except UnknownAgencyError as exc:  # the directory changed in between
            left_out.append(exc)
            continue
        if timeline.state in FINAL_STATES:
            continue
        with in_language(language or logged.request.language or default_language):
            blocks.write(event_blocks(logged.id, directory.agency(logged.request.agency),
                                      timeline.deadlines, name_request=True,
                                      student=logged.request.student is not None))
        languages.add(language or logged.request.language or default_language)
        requests, deadlines = requests + 1, deadlines + len(timeline.deadlines)
    # The calendar's own name in the requests' language when they share one (a family's)
    spoken = languages.pop() if len(languages) == 1 else language or default_language
    with in_language(spoken):
        name = _("Public records requests")
    return CalendarFile(blocks, name, requests, deadlines, left_out, damaged, spoken)


def _each(log: RequestLog, ids: list[str], chunk: int = 200) -> Iterator[LoggedRequest]:
    """The requests ``ids`` names, read a few hundred at a time."""
    for start in range(0, len(ids), chunk):
        yield from log.many(ids[start:start + chunk])


def request_calendar(workspace: Workspace, request_id: str, *, language: str) -> bytes:
    """One request's deadlines as they stand today, as an iCalendar file with the same stable
    ids ``calendar_file`` gives them (a page offers only that family's own dates)."""
    from recordskit.documents.exports import event_blocks, wrap_events
    from recordskit.tracking.service import UnknownAgencyError

    view = request_view(workspace, request_id)
    if view.timeline is None or view.agency is None:
        raise view.problem or UnknownAgencyError(view.logged.id, view.logged.request.agency)
    request = view.logged.request
    with in_language(language or request.language or "en"):
        blocks = event_blocks(view.logged.id, view.agency, view.timeline.deadlines,
                              name_request=True, student=request.student is not None)
        return wrap_events(blocks, name=_("Records request to {agency}").format(
            agency=view.agency.name))


def export_requests(workspace: Workspace, file: Path) -> tuple[int, int]:
    """Write every request and event of the log to ``file``; (requests, events)."""
    from recordskit.files import atomic_writer

    if not _holds_requests(workspace.log):
        with atomic_writer(file):
            pass  # a log with no request exports as an empty file (as export_log writes it)
        return 0, 0
    from recordskit.tracking.transfer import export_log

    return export_log(workspace.log, file)


def import_requests(workspace: Workspace, file: Path) -> tuple[int, int]:
    """Add an export's requests and events to the log; (requests added, events added). The
    standings of the requests it changed are worked out and kept at once, as after any other
    write of an event."""
    from recordskit.tracking.settle import settle as settle_standings
    from recordskit.tracking.transfer import import_log

    def settle(chunks: Iterator[list[str]]) -> None:
        try:
            directory = workspace.directory
        except UserError:
            # No directory to count with (none chosen yet, or one that does not load): the
            # import stands, and the first command that lists requests works them out
            return
        settle_standings(workspace.log, directory, workspace.today, chunks)

    return import_log(workspace.log, file, settle)
