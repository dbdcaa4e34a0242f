"""The one door from the web pages to the library: everything ``recordskit.web`` asks of it.

The pages call only the names of this module, which speak in plain data (the answers-file
keys, dates, ids, words already in the person's language). Each is a call to the service layer
(``recordskit.service``), the surface the command line uses too, and nothing else of the
library.

Every function speaks the language in use (``set_language``): the page sets it before it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from recordskit import service
from recordskit.errors import FieldError, InputFileError, UserError
from recordskit.i18n import _, current_language
from recordskit.service import Workspace as ServiceWorkspace
from recordskit.web.words import reply_kind_words

__all__ = [
    "ACTING",
    "PUBLIC_PAGES",
    "STUDENT_PAGES",
    "Account",
    "AgencyInfo",
    "AuditLine",
    "Choice",
    "Confirmed",
    "Finding",
    "IntakeInfo",
    "Made",
    "Problem",
    "Quote",
    "ReplyCheck",
    "Row",
    "SendingCheck",
    "ShownEvent",
    "StaffMember",
    "UserError",
    "View",
    "Workspace",
    "accounts",
    "acting_as",
    "add_account",
    "agencies",
    "answered_pages",
    "appeal",
    "audit",
    "calendar",
    "check_answers",
    "check_reply",
    "close_request",
    "day_words",
    "edit_intake",
    "findings",
    "followup",
    "intake",
    "intake_by_link",
    "intake_findings",
    "intake_open",
    "intake_queue",
    "intakes_of_request",
    "interview_pages",
    "log_confirmed",
    "make",
    "make_link",
    "mark_sent",
    "moment_words",
    "open_workspace",
    "produce_intake",
    "read_reply",
    "receipt_words",
    "record_answer",
    "record_appealed",
    "review_text",
    "rows",
    "save_intake",
    "sending_check",
    "set_account_active",
    "sign_in",
    "sign_out",
    "staff_member",
    "status",
    "submit_intake",
    "undo",
    "view",
]

Request = Any
"""A checked request (``recordskit.models.Request``), passed back to this module only."""

ACTING: ContextVar[str | None] = ContextVar("recordskit_acting", default=None)
"""Who records what a page logs: a clinic's staff member, by her account's name; None (the
computer's user) on a family's own computer."""


@contextmanager
def acting_as(name: str | None) -> Iterator[None]:
    """Every event, request and document made inside is recorded as ``name``'s."""
    token = ACTING.set(name)
    try:
        yield
    finally:
        ACTING.reset(token)


@dataclass
class Workspace:
    """The service's workspace, the folder requests are written in, and how to tell today."""

    service: ServiceWorkspace
    folder: Path
    clock: Callable[[], date]

    def now(self) -> ServiceWorkspace:
        """The workspace as of today (a server runs across midnight)."""
        self.service.today = self.clock()
        return self.service

    @property
    def today(self) -> date:
        return self.clock()


def open_workspace(*, agencies_path: Path | None, database_url: str, folder: Path,
                   today: Callable[[], date]) -> Workspace:
    made = ServiceWorkspace(agencies_path=agencies_path, database_url=database_url,
                             today=today())
    made.directory  # noqa: B018 (loaded now: a broken directory stops the server at start)
    return Workspace(made, folder, today)


@dataclass(frozen=True)
class Choice:
    value: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class AgencyInfo:
    id: str
    name: str
    short_name: str
    description: str
    records: tuple[Choice, ...]
    channels: tuple[Choice, ...]
    """The ways the directory knows for it, each with where it goes."""
    other_channels: tuple[str, ...]
    """The other ways, possible with an address the person gives (``send_to``)."""


CHANNELS = ("email", "portal", "mail", "hand")


def agencies(ws: Workspace) -> list[AgencyInfo]:
    """Every agency a request can go to, in the person's language."""
    found = []
    for agency in ws.now().directory.request_targets:
        known = [c for c in agency.delivery if agency.channel_contact(c)]
        found.append(AgencyInfo(
            agency.id, _(agency.name), agency.short_name,
            _(agency.description) if agency.description else "",
            tuple(Choice(r.id, _(r.title), _(r.why)) for r in agency.records),
            tuple(Choice(c, " ".join(str(agency.channel_contact(c)).split()))
                  for c in known),
            tuple(c for c in CHANNELS if c not in known)))
    return found


@dataclass(frozen=True)
class Problem:
    """One problem with the answers: the answers-file key, and what to do (translated)."""

    field: str
    message: str


def check_answers(data: Mapping[str, Any], ws: Workspace) -> tuple[Request | None,
                                                                      list[Problem]]:
    """The request the answers make, or the problems with them, each naming its key: the same
    check an answers file gets."""
    try:
        return service.answers_from_mapping(data, ws.now().directory, source="page"), []
    except InputFileError as exc:
        return None, [Problem(p.field, p.message[:1].upper() + p.message[1:])
                      for p in exc.problems]


@dataclass(frozen=True)
class Finding:
    """A personal detail the privacy guard found in one answer."""

    field: str
    kind: str
    what: str
    excerpt: str


def findings(request: Request, ws: Workspace) -> list[Finding]:
    """The personal details in the request's own words (the service's ``prepare``)."""
    prepared = service.prepare(request, ws.now().directory, ws.today)
    return [Finding(f.field, f.kind, _(f.what), f.excerpt) for f in prepared.findings]


@dataclass(frozen=True)
class SendingCheck:
    closed: str
    """Why the office is closed that day and when the request counts as received, or ""."""
    passed_due: date | None
    """The day a letter sent then was due an answer, when it has passed."""


def sending_check(request: Request, ws: Workspace) -> SendingCheck:
    """Whether the office is closed the day the letter arrives (said as the interview says it),
    and whether the first answer to a letter sent that day was already due."""
    prepared = service.prepare(request, ws.now().directory, ws.today)
    said = ""
    if prepared.closed is not None:
        said = _("{date} is a day the office is closed ({reason}). A request that arrives "
                 "that day counts as received on the next business day, {next}, and every "
                 "deadline counts from there.").format(
            date=day_words(request.sent_on),
            reason=service.closed_day_words(prepared.closed.reason),
            next=day_words(prepared.closed.received_on))
    return SendingCheck(said, prepared.passed.due if prepared.passed else None)


def review_text(request: Request, ws: Workspace, *, by_clinic: bool = False) -> str:
    """What will be written, in plain words, as the interview's review says it; ``by_clinic``
    when a clinic will date and send it (an intake), so no sending day is shown."""
    return str(service.answers_in_words(request, ws.now().directory,
                                        dated_by_clinic=by_clinic))


def make(request: Request, ws: Workspace, *, past: bool, by: str | None = None) -> str:
    """Write the request's folder (as ``new --answers`` does), log it, and return its id.

    The page has put each personal detail to the person, who kept it; ``past`` says she
    confirmed a sending day whose first answer was already due."""
    workspace = ws.now()
    folder = service.default_folder(request, ws.folder)
    made = service.make_request(request, workspace.directory, folder, log=workspace.log,
                                by=by or ACTING.get(),
                                allow_personal_details=True, past=past,
                                today=workspace.today)
    return str(made.request_id)


def find(ws: Workspace, typed: str) -> str:
    """The id of the request a number (or its unique beginning) names, or ""."""
    try:
        return str(service.find_request(ws.now(), typed).id)
    except UserError:
        return ""


def day_words(day: date) -> str:
    return str(service.local_date(day))


BOSTON = "America/New_York"


def moment_words(stamp: str) -> str:
    """A moment the clinic's tables keep (UTC, ``2026-12-21T22:45:30Z``) as people in Boston
    read it: its day in the language in force, and its hour on their clocks."""
    from zoneinfo import ZoneInfo

    try:
        at = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    local = at.astimezone(ZoneInfo(BOSTON))
    return f"{day_words(local.date())}, {local:%H:%M}"


@dataclass(frozen=True)
class Row:
    id: str
    asked: str
    agency: str
    sent_on: date
    state: str
    step: str
    step_date: date | None
    student: bool


def rows(ws: Workspace, ids: list[str]) -> list[Row]:
    """The requests of ``ids`` (this visit's), each with its next step."""
    found = []
    workspace = ws.now()
    for request_id in ids:
        shown = service.request_view(workspace, request_id)
        logged = shown.logged
        action = shown.action
        found.append(Row(logged.id, _asked(logged, workspace),
                         _(shown.agency.name) if shown.agency else logged.request.agency,
                         logged.request.sent_on,
                         str(shown.timeline.state) if shown.timeline else "",
                         action.kind if action else "none", action.date if action else None,
                         logged.request.student is not None))
    return found


def _asked(logged: Any, workspace: ServiceWorkspace) -> str:
    request = logged.request
    if request.student is not None:
        return _("Student record: {name}").format(name=request.student.name)
    known = {r.id: r.title for r in workspace.directory.agency(request.agency).records}
    titles = [_(known[r]) if r in known else r for r in request.records]
    if request.other_records:
        titles.append(request.other_records)
    return "; ".join(titles)


@dataclass(frozen=True)
class Dated:
    day: date
    title: str
    what: str


@dataclass(frozen=True)
class Event:
    seq: int
    day: date
    event: str
    kind: str
    undone: bool


@dataclass(frozen=True)
class View:
    id: str
    asked: str
    agency: str
    agency_short: str
    student: bool
    school: str
    sent_on: date
    state: str
    step: str
    step_date: date | None
    situation: str
    dates: tuple[Dated, ...]
    events: tuple[Event, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    folder: Path | None
    final: bool
    response_due: date


def view(ws: Workspace, request_id: str) -> View:
    """One request as its page shows it, in the language in use."""
    workspace = ws.now()
    shown = service.request_view(workspace, request_id)
    logged, timeline, agency = shown.logged, shown.timeline, shown.agency
    if timeline is None or agency is None or shown.action is None:
        raise UserError(str(shown.problem))
    student = logged.request.student is not None
    dates = [Dated(deadline.date, *service.deadline_in_words(
        deadline, agency.short_name, student=student, assumption=False))
        for deadline in timeline.deadlines]
    active = {e.seq for e in logged.active_events}
    events = tuple(Event(e.seq, e.on_date, str(e.event),
                         str(getattr(e.details, "kind", "") or ""),
                         e.seq not in active and str(e.event) != "undo")
                   for e in logged.events)
    notes = service.notes_in_words(timeline.notes)
    warnings = service.notes_in_words(timeline.warnings)
    situation = shown.action.situation
    return View(logged.id, _asked(logged, workspace), _(agency.name), agency.short_name,
                student, logged.request.student.school if logged.request.student else "",
                logged.request.sent_on, str(timeline.state), shown.action.kind,
                shown.action.date, situation, tuple(dates), events, notes, warnings,
                Path(logged.folder) if logged.folder else None,
                timeline.state in service.FINAL_STATES, timeline.facts.response_due)


_MEANING_EVENTS = {"acknowledged": "received"}


def record_answer(ws: Workspace, request_id: str, meaning: str, form: Mapping[str, str]
                  ) -> None:
    """Log what the agency answered, by its meaning, as the typed event the command line logs.
    A problem raises ``FieldError`` naming the form's field."""
    event = _MEANING_EVENTS.get(meaning, "response")
    details: dict[str, Any] = {"note": form.get("note", "").strip() or None}
    if event == "received":
        details["tracking"] = form.get("tracking", "").strip() or None
    else:
        details["kind"] = meaning
        if meaning == "extension":
            details["until"] = form.get("until", "").strip() or None
        if meaning == "fee_estimate":
            details["amount"] = form.get("amount", "").strip().lstrip("$") or None
        if meaning in ("denied", "partial") and form.get("no_exemption") == "yes":
            details["no_exemption"] = True
    _record(ws, request_id, event, form.get("on", ""), details)


def record_appealed(ws: Workspace, request_id: str, form: Mapping[str, str]) -> None:
    _record(ws, request_id, "appealed", form.get("on", ""),
            {"number": form.get("number", "").strip() or None})


def undo(ws: Workspace, request_id: str, number: int) -> None:
    """Undo a mistaken event: it stays in the log, marked undone."""
    service.undo(ws.now(), request_id, number, by=ACTING.get())


def close_request(ws: Workspace, request_id: str) -> None:
    _record(ws, request_id, "closed", ws.today.isoformat(), {})


def _record(ws: Workspace, request_id: str, event: str, on: str, details: dict[str, Any]
            ) -> None:
    try:
        day = date.fromisoformat(on.strip())
    except ValueError:
        raise FieldError(_("Write the date as YYYY-MM-DD, for example 2026-11-23"),
                         field="on") from None
    try:
        service.record_event(ws.now(), request_id, event, day, details, by=ACTING.get())
    except ValueError as exc:  # the details' own door: it names the field
        raise FieldError(str(exc), field=str(getattr(exc, "field", ""))) from None


@dataclass(frozen=True)
class Made:
    folder: Path
    files: tuple[str, ...]
    day: date | None
    """The follow-up's reply-by day, or the appeal's last day."""
    warnings: tuple[str, ...] = ()


def _free(parent: Path, name: str) -> Path:
    candidate, number = parent / name, 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{name}-{number}"
    return candidate


def _home_of(logged: Any, ws: Workspace) -> Path:
    return Path(logged.folder) if logged.folder else ws.folder / f"request-{logged.id}"


def followup(ws: Workspace, request_id: str) -> Made:
    workspace = ws.now()
    logged = service.find_request(workspace, request_id)
    folder = _free(_home_of(logged, ws), "follow-up")
    made = service.make_followup(logged, workspace.directory, folder, today=workspace.today,
                                 log=workspace.log, language=service.current_language())
    return Made(folder, tuple(p.name for p in made.paths), made.reply_by)


def appeal(ws: Workspace, request_id: str, objection: str) -> Made:
    workspace = ws.now()
    logged = service.find_request(workspace, request_id)
    folder = _free(_home_of(logged, ws), "appeal")
    made = service.make_appeal(logged, workspace.directory, folder, today=workspace.today,
                               objections=(objection,) if objection.strip() else (),
                               language=service.current_language())
    return Made(folder, tuple(p.name for p in made.paths), made.packet.deadline,
                tuple(str(w) for w in made.packet.warnings))


def calendar(ws: Workspace, request_id: str) -> bytes:
    """The request's deadlines as a calendar file, as they stand today, in the language in
    use."""
    return bytes(service.request_calendar(ws.now(), request_id, language=current_language()))


# -- the agency's reply, pasted or uploaded ---------------------------------------------------

Reply = Any
"""An agency's reply as it came and its reading (``service.Reply``), passed back to this module
only."""


def read_reply(stream: BinaryIO, source: str) -> Reply:
    """The reply in ``stream`` (pasted text or a saved email), bounded by the reply size limit
    as the command line's is. A reply that cannot be read raises ``UserError``."""
    return service.load_reply_stream(stream, source)


@dataclass(frozen=True)
class Quote:
    """Words of the agency's email (in English, as they are) and what they mean."""

    words: str


@dataclass(frozen=True)
class ShownEvent:
    """One event the reply calls for, as the page asks about it."""

    number: int
    event: str
    """``received`` or ``response``."""
    kind: str
    """The response's kind (the reply's kind for a response), "" for a receipt."""
    on: date
    until: date | None
    asks_until: bool
    amount: str
    asks_amount: bool
    tracking: str
    no_exemption: bool
    dated: bool
    """The reply gives this day (else it is the day the reply came, or today)."""
    quotes: tuple[Quote, ...]
    receipt: tuple[str, ...]
    """What the receipt the agency states means for the dates, in the person's language."""


@dataclass(frozen=True)
class ReplyCheck:
    """What recordskit read in the reply, as the page shows it before anything is logged."""

    kind: str
    """The kind used ("" when recordskit is not sure and she has not chosen)."""
    candidates: tuple[tuple[str, str, tuple[Quote, ...]], ...]
    """The kinds it could be, most likely first: (value, words, the email's words)."""
    kinds: tuple[tuple[str, str], ...]
    """Every kind, the candidates first: (value, words)."""
    events: tuple[ShownEvent, ...]
    needs_date: bool
    needs_until: bool
    already: int | None
    references: tuple[Quote, ...]
    is_email: bool
    elsewhere: str = ""
    """A reference number of the reply that is logged on another request (its id is not
    said: on a shared computer it may be another family's)."""


def _quotes(texts: Any) -> tuple[Quote, ...]:
    return tuple(Quote(" ".join(str(t).split())) for t in texts if str(t).strip())


def check_reply(ws: Workspace, request_id: str, reply: Reply, kind: str) -> ReplyCheck:
    """What the reply calls for on the request (``kind``: her choice, or "" for the reader's),
    nothing logged."""
    workspace = ws.now()
    proposal = service.propose_reply_events(workspace, request_id, reply, kind=kind or None)
    reading = reply.reading
    candidates = tuple((c.kind.value, reply_kind_words(c.kind.value), _quotes(c.evidence[:1]))
                       for c in reading.candidates[:4])
    ranked = list(dict.fromkeys([*(c.value for c in proposal.candidates),
                                 *(k.value for k in service.ReplyKind)]))
    shown = []
    for number, proposed in enumerate(proposal.events):
        details = proposed.details
        receipt: tuple[str, ...] = ()
        if isinstance(details, service.Response):
            kind_value = ("closure_inactivity" if details.kind == "closed_inactive"
                          else str(details.kind))
            shown.append(ShownEvent(
                number, str(proposed.event), kind_value, proposed.on, details.until,
                details.until is not None or proposal.needs_until, details.amount,
                str(details.kind) == "fee_estimate", str(details.tracking or ""),
                bool(details.no_exemption), proposed.stated and not proposal.needs_date,
                _quotes(proposed.evidence), receipt))
            continue
        if proposal.receipt is not None and proposed.on == proposal.receipt.on:
            receipt = receipt_words(proposal.receipt)
        shown.append(ShownEvent(
            number, str(proposed.event), "", proposed.on, None, False, "", False,
            str(details.tracking or ""), False, proposed.stated,
            _quotes(proposed.evidence), receipt))
    elsewhere = next((m.matched for m in service.find_reply_request(workspace, reading)
                      if m.how == "reference" and m.request_id != request_id), "")
    return ReplyCheck(proposal.kind.value if proposal.kind else "", candidates,
                      tuple((k, reply_kind_words(k)) for k in ranked), tuple(shown),
                      proposal.needs_date, proposal.needs_until, proposal.already,
                      _quotes(r.evidence for r in reading.references[:2]), reply.is_email,
                      str(elsewhere))


def receipt_words(receipt: Any) -> tuple[str, ...]:
    """What the receipt the agency states means for the schedule (as ``log ID reply`` says)."""
    said = []
    if receipt.at is not None:
        said.append(_("The agency's own system stated the time it received your request: "
                      "{time} on {date}.").format(time=f"{receipt.at:%H:%M}",
                                                  date=service.local_date(receipt.on)))
    if receipt.closed and receipt.assumed:
        said.append(_("recordskit counts that day ({reason}) as a day the office is closed, "
                      "which is an assumption: it may have been open. So the schedule counts "
                      "from {date}; if the office was open, every date is one business day "
                      "earlier.").format(reason=service.closed_day_words(receipt.closed),
                                         date=service.local_date(receipt.counts_from)))
    elif receipt.closed:
        said.append(_("The office was closed that day ({reason}). A request that arrives on "
                      "a Saturday, Sunday, legal holiday or a day the office is closed is "
                      "treated as received on the next business day, so the schedule counts "
                      "from {date} ({citation}).").format(
            reason=service.closed_day_words(receipt.closed),
            date=service.local_date(receipt.counts_from), citation=receipt.citation))
    elif receipt.after_hours:
        said.append(_("That time is outside usual office hours. recordskit logs the day the "
                      "agency stated and does not move it."))
    return tuple(str(s) for s in said)


@dataclass(frozen=True)
class Confirmed:
    """What she said of one proposed event: log it or not, and what she changed."""

    number: int
    log: bool
    on: date
    until: date | None = None
    amount: str = ""


def log_confirmed(ws: Workspace, request_id: str, reply: Reply, kind: str,
                  answers: list[Confirmed]) -> str:
    """Log the events she confirmed, as she changed them, and keep the reply byte for byte in
    the request's folder (``service.log_reply``, as ``log ID reply`` does). Returns the kept
    file's name, or "" when she confirmed none (then nothing is logged and nothing kept)."""
    workspace = ws.now()
    proposal = service.propose_reply_events(workspace, request_id, reply, kind=kind or None)
    chosen = []
    by_number = {a.number: a for a in answers}
    for number, proposed in enumerate(proposal.events):
        said = by_number.get(number)
        if said is None or not said.log:
            continue
        made = proposed.changed(said.on) if said.on != proposed.on else proposed
        if said.until is not None and isinstance(made.details, service.Response) and (
                made.details.until != said.until):
            made = made.until(said.until)
        if said.amount and isinstance(made.details, service.Response) and (
                said.amount.strip().lstrip("$").strip() != made.details.amount):
            made = made.amount(said.amount)
        chosen.append(made)
    if not chosen:
        return ""
    try:
        done = service.log_reply(workspace, request_id, reply, chosen, by=ACTING.get())
    except ValueError as exc:  # the details' own door
        raise UserError(str(exc)) from None
    return str(done.name)


# --- A clinic's server -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    name: str
    admin: bool
    csrf: str


def sign_in(ws: Workspace, name: str, password: str) -> tuple[str, StaffMember]:
    """A new staff session's secret, and who she is; ``UserError`` (one wording for any
    mistake) when refused."""
    made = service.sign_in(ws.now(), name, password)
    return made.token, StaffMember(made.staff.name, made.staff.role == "admin", made.csrf)


def staff_member(ws: Workspace, token: str) -> StaffMember | None:
    """Who an open staff session is (None: expired, signed out, turned off)."""
    if not token:
        return None
    found = service.staff_session(ws.now(), token)
    return StaffMember(found.staff.name, found.staff.role == "admin", found.csrf) if found \
        else None


def sign_out(ws: Workspace, token: str) -> None:
    service.sign_out(ws.now(), token)


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool
    active: bool
    locked_until: str
    """When a locked account may sign in again (UTC), or ""."""
    role_words: str


def accounts(ws: Workspace) -> list[Account]:
    return [Account(found.name, found.role == "admin", found.active, found.locked_until,
                    _(service.ROLE_WORDS[found.role]))
            for found in service.staff_accounts(ws.now())]


def add_account(ws: Workspace, name: str, password: str, *, admin: bool, by: str) -> None:
    """A new staff account; ``UserError`` (its ``field`` named) when refused."""
    service.add_staff(ws.now(), name, password, admin=admin, by=by)


def set_account_active(ws: Workspace, name: str, active: bool, *, by: str) -> None:
    service.set_staff_active(ws.now(), name, active, by=by)


@dataclass(frozen=True)
class AuditLine:
    at: str
    who: str
    action: str
    """In the reader's language."""
    subject: str
    detail: str


def audit(ws: Workspace, *, limit: int = 200) -> list[AuditLine]:
    """The latest lines of the clinic's audit trail, newest first."""
    return [AuditLine(line.at, line.who,
                      _(service.ACTION_WORDS[line.action]) if line.action in
                      service.ACTION_WORDS else line.action, line.subject, line.detail)
            for line in service.audit_trail(ws.now(), limit=limit)]


@dataclass(frozen=True)
class IntakeInfo:
    id: str
    status: str
    language: str
    label: str
    made_by: str
    made_at: str
    expires_at: str
    submitted_at: str
    request_id: str
    answers: dict[str, Any]
    status_words: str
    """Its status in the language in use."""


def _intake_info(found: Any) -> IntakeInfo:
    return IntakeInfo(found.id, str(found.status), found.language, found.label, found.made_by,
                      found.made_at, found.expires_at, found.submitted_at, found.request_id,
                      dict(found.answers), _(service.STATUS_WORDS[found.status]))


def intake_by_link(ws: Workspace, secret: str) -> IntakeInfo | None:
    """The intake a family's link opens, or None (unknown or expired)."""
    try:
        return _intake_info(service.intake_by_link(ws.now(), secret))
    except UserError:
        return None


def intake_open(ws: Workspace, secret: str) -> bool:
    """Whether a family's link still takes answers (open, not yet submitted, not expired)."""
    found = intake_by_link(ws, secret)
    return found is not None and found.status == "open"


def save_intake(ws: Workspace, secret: str, answers: Mapping[str, Any]) -> bool:
    """Keep the family's answers so far; False when the link no longer takes them."""
    try:
        service.save_intake_answers(ws.now(), secret, answers)
    except UserError:
        return False
    return True


def submit_intake(ws: Workspace, secret: str) -> bool:
    """Submit once; False when the link no longer takes it (expired, or submitted)."""
    try:
        service.submit_intake(ws.now(), secret)
    except InputFileError:
        raise
    except UserError:
        return False
    return True


def make_link(ws: Workspace, *, by: str, language: str, label: str, days: int
              ) -> tuple[str, IntakeInfo]:
    made = service.make_intake_link(ws.now(), by=by, language=language, label=label,
                                    days=days)
    return made.token, _intake_info(made.intake)


def intake_queue(ws: Workspace, *, every: bool = False) -> list[IntakeInfo]:
    return [_intake_info(found) for found in service.intake_queue(
        ws.now(), None if every else service.IntakeStatus.SUBMITTED)]


def intakes_of_request(ws: Workspace, request_id: str) -> list[IntakeInfo]:
    """The clinic's intakes a request was produced from, for staff to go back to them."""
    return [_intake_info(found) for found in service.intakes_of_request(ws.now(), request_id)]


def intake(ws: Workspace, intake_id: str) -> IntakeInfo | None:
    try:
        return _intake_info(service.find_intake(ws.now(), intake_id))
    except UserError:
        return None


def intake_findings(ws: Workspace, answers: Mapping[str, Any]) -> list[Finding]:
    """The personal details the privacy check finds in an intake's answers (none while they do
    not make a request yet)."""
    made, _problems = check_answers(answers, ws)
    return findings(made, ws) if made is not None else []


def edit_intake(ws: Workspace, intake_id: str, answers: Mapping[str, Any]) -> None:
    """Put a staff member's corrected answers back into a submitted intake (recorded as the
    staff member the pages act for)."""
    service.edit_intake(ws.now(), intake_id, answers, by=ACTING.get() or service.current_user())


PUBLIC_PAGES = ("agency", "records", "requester", "sending")
STUDENT_PAGES = ("student", "requester", "sending")


_ANSWERED_BY = {"agency": ("agency",), "records": ("records", "other_records"),
                "student": ("student",), "requester": ("requester",),
                "sending": ("fee_waiver", "format")}


def answered_pages(answers: Mapping[str, Any]) -> set[str]:
    """The interview's pages whose answers are there already (a family back through her
    link, staff correcting an intake): each is still checked again before the letter."""
    return {page for page in interview_pages(answers)
            if any(answers.get(key) for key in _ANSWERED_BY[page])}


def interview_pages(answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The interview's pages for these answers (a student's records ask about the student)."""
    return STUDENT_PAGES if answers.get("request_type") == "student_records" else PUBLIC_PAGES


def produce_intake(ws: Workspace, intake_id: str, *, by: str) -> str:
    """Make the submitted intake's request in the clinic's folder; its request id."""
    made = service.produce_intake(ws.now(), intake_id, ws.folder, by=by,
                                  allow_personal_details=True)
    return str(made.made.request_id)


def mark_sent(ws: Workspace, intake_id: str, *, by: str, sent_on: date | None = None) -> str:
    """Mark a produced intake's letter sent on ``sent_on`` (today by default); what staff are
    told about it."""
    return service.sent_words(service.mark_intake_sent(ws.now(), intake_id, by=by,
                                                       sent_on=sent_on))


def status(ws: Workspace, *, agency: str = "", state: str = "", batch: str = "", by: str = "",
           include_closed: bool = False, limit: int = 100) -> tuple[list[Row], int]:
    """The log's requests as ``status`` lists them (the most pressing first), for staff; and
    how many more match."""
    workspace = ws.now()
    report = service.status_rows(workspace, service.StatusFilter(
        agency=agency, state=state, batch=batch, by=by, include_closed=include_closed,
        limit=limit))
    found = [Row(row.logged.id, row.asked, _(row.agency.name), row.logged.request.sent_on,
                 str(row.timeline.state), row.action.kind, row.action.date,
                 row.logged.request.student is not None) for row in report.rows]
    return found, report.not_shown
