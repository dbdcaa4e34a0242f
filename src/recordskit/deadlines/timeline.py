"""A request's whole timeline: its state and every deadline, recomputed from what was logged.

The starting point is the new request's schedule (``recordskit.deadlines.schedule``); each
logged event moves, adds or retires deadlines by the rules in ``recordskit.law``. Nothing here
guesses what the law leaves open: a granted extension's end date, or a Supervisor order's
deadline, is the date the person copies from the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from recordskit.deadlines.calendars import BusinessCalendar, calendar_for
from recordskit.deadlines.events import order_of_day
from recordskit.deadlines.notices import (
    EXTENSION_BEYOND_LIMIT,
    LATE_RESPONSE,
    MORE_THAN_NORMAL,
    OVERDUE,
    OVERDUE_APPEALED,
    OVERDUE_ASSUMED,
    PETITION,
    PETITION_GRANTED,
    PETITION_GRANTED_LATE,
    PETITION_LATE,
    PRODUCTION_PASSED,
    PRODUCTION_PASSED_ENGLISH,
    Notice,
    notice,
)
from recordskit.deadlines.schedule import new_request_schedule, student_records_schedule
from recordskit.errors import FieldError, UserError
from recordskit.i18n import N_, _, in_language
from recordskit.law import LAW, extension_max, production_limit
from recordskit.logged import (
    Appealed,
    Decided,
    EventDetails,
    FollowedUp,
    Petition,
    PetitionGranted,
    Received,
    Response,
)
from recordskit.models import Agency, Deadline, Directory, LoggedEvent, Request, events_of
from recordskit.text import capital, written_date
from recordskit.vocabulary import FINAL_STATES, EventKind, GroundKind, ResponseKind, State

RECORDS_CAME = (ResponseKind.PRODUCED, ResponseKind.PARTIAL, ResponseKind.NO_RECORDS,
                ResponseKind.DENIED, ResponseKind.CLOSED_INACTIVE)
"""Responses after which a production date set earlier no longer stands unanswered: records
came, or the body said none will."""

KIND_WORDS: dict[ResponseKind, str] = {
    ResponseKind.PRODUCED: N_("produced"), ResponseKind.PARTIAL: N_("partial"),
    ResponseKind.DENIED: N_("denied"), ResponseKind.FEE_ESTIMATE: N_("fee estimate"),
    ResponseKind.EXTENSION: N_("extension"), ResponseKind.NO_RECORDS: N_("no records"),
    ResponseKind.CLOSED_INACTIVE: N_("closed for no recent activity"),
}
"""Each kind of response as a letter names it (English), marked for the family's words."""


def kind_words(kind: ResponseKind) -> str:
    """A response's kind as the letters name it, in English."""
    return KIND_WORDS[kind]


@dataclass(frozen=True)
class AppealWindow:
    """The window to appeal one response, or the request itself when no response came."""

    response: LoggedEvent[Response] | None
    closes: date
    who: str = ""
    """The body's short name."""
    grounds: tuple[GroundKind, ...] = ()
    """The grounds the log itself supports in this window, each resting on its response (or,
    for ``no_response``, on the silence). A window without any is still open to a ground or
    an objection the requester names."""
    petition: LoggedEvent[Petition] | None = None
    """A petition for more time made after the limit, argued in this window."""

    def said(self) -> str:
        """What the window counts from, in the language in use: ``BPS's response of November
        23, 2026 (denied)``."""
        if self.response is None:
            return _("the request, since there was no response")
        return _("{agency}'s response of {date} ({kind})").format(
            agency=self.who, date=written_date(self.response.on_date),
            kind=_(kind_words(self.response.details.kind)))

    @property
    def counted(self) -> str:
        """What the window counts from as the appeal to the Supervisor says it: in English,
        whatever the family reads, since the letters stay English."""
        with in_language("en"):
            return self.said()

    @property
    def ref(self) -> str:
        """``no_response``, or the logged response's event number."""
        return "no_response" if self.response is None else str(self.response.seq)

    def is_open(self, today: date) -> bool:
        return today <= self.closes


@dataclass(frozen=True)
class TimelineFacts:
    """What the log establishes about a request, for the documents that argue from it."""

    received: date
    received_logged: bool
    response_due: date
    production_due_max: date
    responses: tuple[LoggedEvent[Response], ...]
    appeals: tuple[LoggedEvent[Appealed], ...]
    follow_ups: tuple[LoggedEvent[FollowedUp], ...]
    windows: tuple[AppealWindow, ...]
    """Every appeal window the log gives a ground for and no logged appeal has used, open or
    closed, oldest first."""
    extension_granted: bool
    late_response: bool
    overdue: bool
    student: bool = False
    all_windows: tuple[AppealWindow, ...] = ()
    """Every response's window not yet used by a logged appeal (with a ground or not): any
    response the requester believes violates the law can be appealed (facts.md 2.1)."""
    petition_limit: date | None = None
    """The last day the body could petition the Supervisor of Records for more time."""
    late_petition: LoggedEvent[Petition] | None = None
    """The body's petition for more time, when it came after ``petition_limit``."""
    decided: LoggedEvent[Decided] | None = None
    """The Supervisor's latest decision, when one is logged."""
    production_due: date | None = None
    """The production date that stands (the body's, or the Supervisor's order's), if any."""
    production_missed: bool = False
    """That production date passed, and no response has come since that answers it."""


@dataclass(frozen=True)
class Timeline:
    """Where a request stands, and its deadlines, first to last."""

    state: State
    deadlines: tuple[Deadline, ...]
    facts: TimelineFacts
    notes: tuple[Notice, ...] = ()
    warnings: tuple[Notice, ...] = ()

    def date_of(self, event: str) -> date | None:
        return next((d.date for d in self.deadlines if d.event == event), None)

    def next_deadline(self, today: date) -> Deadline | None:
        """The first deadline from today on that asks something of someone."""
        if self.state in FINAL_STATES:
            return None
        # The production limit binds what a response may set; with no response it asks nothing.
        # Once a response came, the response date asks nothing more either.
        responses = self.facts.responses
        extended = any(r.details.kind == ResponseKind.EXTENSION for r in responses)
        passive = {"received", "petition_limit"} | (
            set() if extended else {"production_due_max"}) | (
            {"response_due"} if responses else set())
        return next((d for d in self.deadlines if d.date >= today and d.event not in passive),
                    None)


def check_event(request: Request, events: Sequence[LoggedEvent], details: EventDetails,
                on: date, today: date) -> None:
    """Refuse an event that cannot have happened, with the reason (in the language in use:
    a family logs its own responses). The details themselves were checked where they entered
    (``recordskit.logged.parse_details``); this checks them against the request's history."""
    event = LoggedEvent(0, on, details).event
    if on < request.sent_on:
        raise FieldError(_("{event} on {date}: the request was sent on {sent}, and an event "
                           "cannot come before it; check the date").format(
                               event=event, date=on, sent=request.sent_on), field="on")
    if on > today:
        raise FieldError(_("{event} on {date}: that date is in the future; log events once "
                           "they have happened").format(event=event, date=on), field="on")
    final = [e for e in events if e.event in (EventKind.CLOSED, EventKind.WITHDRAWN)]
    if final:
        raise UserError(_("the request was marked {state} on {date}; undo that first if it "
                          "was a mistake").format(state=_(final[-1].event),
                                                  date=final[-1].on_date))
    if isinstance(details, Response) and details.kind == ResponseKind.EXTENSION and (
            details.until is None):
        raise FieldError(_("a response of kind extension needs the production date the "
                           "body set"), field="until")
    until = details.until if isinstance(
        details, Response | FollowedUp | PetitionGranted | Decided) else None
    if until is not None and until < on:
        raise FieldError(_("until {until} is before the event's date {date}").format(
            until=until, date=on), field="until")


def timeline_for(request: Request, events: Sequence[LoggedEvent], directory: Directory,
                 today: date) -> Timeline:
    """The timeline of a logged request, on its agency's and the Supervisor's calendars."""
    agency = directory.agency(request.agency)
    return build_timeline(request, events, agency, calendar_for(agency, directory),
                          calendar_for(appeal_body(directory), directory), today)


def appeal_body(directory: Directory) -> Agency:
    """The body appeals go to (the Supervisor of Records): the directory's role ``appeals``."""
    return next(a for a in directory.agencies if a.role == "appeals")


def build_timeline(request: Request, events: Sequence[LoggedEvent], agency: Agency,
                   calendar: BusinessCalendar, supervisor_calendar: BusinessCalendar,
                   today: date) -> Timeline:
    """The recomputed schedule of a logged request."""
    if request.request_type == "student_records":
        return _student_timeline(request, events, agency, calendar, today)
    who = agency.short_name
    ordered = sorted(events, key=lambda e: (e.on_date, e.seq))
    receipts = events_of(ordered, Received)
    receipt = receipts[-1] if receipts else None
    base = new_request_schedule(
        request, agency, calendar,
        received_on=receipt.on_date if receipt else None,
        tracking=receipt.details.tracking if receipt else "",
        stated=receipt is not None and receipt.details.source == "reply",
    )
    deadlines = {d.key: d for d in base.deadlines}
    notes = list(base.notes)
    warnings: list[Notice] = []
    response_due = base.date_of("response_due")
    production_max = base.date_of("production_due_max")
    received = base.date_of("received")
    responses = events_of(ordered, Response)
    appeals = events_of(ordered, Appealed)
    petitions = events_of(ordered, Petition)
    granted = bool(events_of(ordered, PetitionGranted))
    decisions = events_of(ordered, Decided)
    overdue = not responses and today > response_due
    petition_rule = LAW["extension_petition"]
    petition_limit = calendar.add_business_days(received, petition_rule.days)
    late_petition = next((p for p in petitions if p.on_date > petition_limit), None)
    production_due = _standing_production_date(ordered)
    answered_after = [r for r in responses if r.details.kind in RECORDS_CAME]
    production_missed = production_due is not None and today > production_due and not any(
        r.on_date >= _production_set_on(ordered) for r in answered_after)
    late_first = bool(responses and responses[0].on_date > response_due)
    all_windows = _appeal_windows(
        request, responses, appeals, production_max, who, overdue=overdue, granted=granted,
        late_first=late_first, production_missed=production_missed, late_petition=late_petition)
    facts = TimelineFacts(
        received=received, received_logged=receipt is not None,
        response_due=response_due, production_due_max=production_max,
        responses=tuple(responses), appeals=tuple(appeals),
        follow_ups=tuple(events_of(ordered, FollowedUp)),
        windows=tuple(w for w in all_windows
                      if w.grounds or w.petition or w.response is None),
        extension_granted=granted,
        late_response=late_first, overdue=overdue,
        all_windows=tuple(all_windows), petition_limit=petition_limit,
        late_petition=late_petition, decided=decisions[-1] if decisions else None,
        production_due=production_due, production_missed=production_missed,
    )

    if responses:
        deadlines.pop("follow_up")
        if facts.late_response:
            rule = LAW["no_fee_if_late"]
            notes.append(notice(
                LATE_RESPONSE, date=responses[0].on_date, due=response_due,
                citation=rule.citation, english="The first response came on {date}, after the "
                "response date {due}: " + rule.statement + " ({citation})."))
    elif overdue:
        fee, appeal = LAW["no_fee_if_late"], LAW["appeal_right"]
        until = deadlines["appeal_deadline_no_response"].date
        if appeals:
            notes.append(notice(
                OVERDUE_APPEALED, due=response_due, fee_citation=fee.citation,
                english="Overdue: no response came by {due}. " + capital(fee.statement)
                + " ({fee_citation}). You have appealed; the Supervisor of Records decides."))
        elif receipt is None:
            notes.append(notice(
                OVERDUE_ASSUMED, due=response_due, received=received,
                fee_citation=fee.citation, appeal_citation=appeal.citation, until=until,
                english="Overdue: no response came by {due}, the response date if the request "
                "was received on {received}, as assumed (not confirmed). If it was, "
                + fee.statement + " ({fee_citation}). You may appeal to the Supervisor of "
                "Records ({appeal_citation}) by {until}."))
        else:
            notes.append(notice(
                OVERDUE, due=response_due, fee_citation=fee.citation,
                appeal_citation=appeal.citation, until=until,
                english="Overdue: no response came by {due}. " + capital(fee.statement)
                + " ({fee_citation}), and you may appeal to the Supervisor of Records "
                "({appeal_citation}) by {until}."))
    deadlines.pop("appeal_deadline_no_response")
    for window in facts.windows:
        deadline = _window_deadline(window, who)
        deadlines[deadline.key] = deadline
    if petitions or any(r.details.kind == ResponseKind.EXTENSION for r in responses):
        deadlines["petition_limit"] = Deadline(
            date=petition_limit, event="petition_limit",
            description=f"The last day {who} may petition the Supervisor of Records for more "
            f"time: {petition_rule.days} business days after receipt. A later petition is a "
            "ground for appeal.", citation=petition_rule.citation)

    for event in ordered:
        _apply(event, who, agency, deadlines, notes, warnings, production_max, supervisor_calendar,
               calendar, granted=granted, petition_limit=petition_limit)
    if production_missed and production_due is not None and not appeals:
        warnings.append(notice(PRODUCTION_PASSED, agency=capital(who), date=production_due,
                               english=PRODUCTION_PASSED_ENGLISH))

    if appeals:
        deadlines.pop("follow_up", None)
    state = _state(ordered, facts)
    listed = sorted(deadlines.values(), key=lambda d: (d.date, order_of_day(d.event), d.ref))
    return Timeline(state, tuple(listed), facts, tuple(dict.fromkeys(notes)), tuple(warnings))


def _standing_production_date(ordered: list[LoggedEvent]) -> date | None:
    """The production date that stands: the last one set, by the body's extension or by the
    Supervisor's order granting more time (an order's compliance date is apart)."""
    day: date | None = None
    for event in ordered:
        details = event.details
        if (isinstance(details, Response) and details.kind == ResponseKind.EXTENSION) or (
                isinstance(details, PetitionGranted) and details.until):
            day = details.until
    return day


def _production_set_on(ordered: list[LoggedEvent]) -> date:
    """The day the standing production date was set."""
    day = date.min
    for event in ordered:
        details = event.details
        if (isinstance(details, Response) and details.kind == ResponseKind.EXTENSION) or (
                isinstance(details, PetitionGranted) and details.until):
            day = event.on_date
    return day


def _appeal_windows(request: Request, responses: list[LoggedEvent[Response]],
                    appeals: list[LoggedEvent[Appealed]], production_max: date, who: str, *,
                    overdue: bool, granted: bool, late_first: bool, production_missed: bool,
                    late_petition: LoggedEvent[Petition] | None) -> list[AppealWindow]:
    """One window per response (or the request, while no response came), less those a logged
    appeal has used, each with the grounds the log supports in it. An appeal logged without
    naming its window used them all."""
    window_days = LAW["appeal_window"].days
    found: list[AppealWindow] = []
    if not responses:
        found.append(AppealWindow(
            None, request.sent_on + timedelta(days=window_days), who,
            (GroundKind.NO_RESPONSE,) if overdue else ()))
    last_extension = next((r for r in reversed(responses)
                           if r.details.kind == ResponseKind.EXTENSION), None)
    for response in responses:
        grounds = _grounds_of(response, production_max, granted=granted, late_first=late_first,
                              missed=production_missed and response is last_extension)
        found.append(AppealWindow(
            response, response.on_date + timedelta(days=window_days), who, grounds))
    if late_petition is not None and found:
        # The petition is argued in the window of the last response before it, or of the
        # request while none came.
        before = [w for w in found if w.response is None
                  or w.response.on_date <= late_petition.on_date]
        index = found.index(before[-1] if before else found[0])
        found[index] = replace(found[index], petition=late_petition)
    used = {a.details.window for a in appeals}
    # An appeal logged without naming its window used every window open when it was filed.
    blanket = max((a.on_date for a in appeals if not a.details.window), default=None)
    return [window for window in found if window.ref not in used and not (
        blanket is not None and (window.response is None or window.response.on_date <= blanket))]


def _grounds_of(response: LoggedEvent[Response], production_max: date, *, granted: bool,
                late_first: bool, missed: bool) -> tuple[GroundKind, ...]:
    """The grounds a response gives by itself, from what was logged about it."""
    details = response.details
    kind = details.kind
    if kind in (ResponseKind.DENIED, ResponseKind.PARTIAL):
        return (GroundKind.DENIAL_WITHOUT_EXEMPTION if details.no_exemption
                else GroundKind.EXEMPTION_CONTESTED,)
    if kind == ResponseKind.FEE_ESTIMATE:
        return (GroundKind.UNLAWFUL_FEE if late_first else GroundKind.EXCESSIVE_FEE,)
    if kind == ResponseKind.NO_RECORDS:
        return (GroundKind.NO_RECORDS,)
    if kind == ResponseKind.CLOSED_INACTIVE:
        return (GroundKind.CLOSED_INACTIVE,)
    if kind == ResponseKind.EXTENSION:
        found = []
        if details.until and details.until > production_max and not granted:
            found.append(GroundKind.PRODUCTION_BEYOND_LIMIT)
        if missed:
            found.append(GroundKind.PRODUCTION_MISSED)
        return tuple(found)
    return ()


def _window_deadline(window: AppealWindow, who: str) -> Deadline:
    rule = LAW["appeal_window"]
    if window.response is None:
        return Deadline(
            date=window.closes, event="appeal_deadline_no_response",
            description=f"If there is no response, the last day to appeal to the Supervisor of "
            f"Records: {rule.days} calendar days after the request. This date does not move for "
            "weekends or holidays; file a few days early.", citation=rule.citation)
    response = window.response
    kind = response.details.kind.replace("_", " ")
    return Deadline(
        date=window.closes, event="appeal_deadline", ref=window.ref,
        description=f"The last day to appeal {who}'s response of {response.on_date} ({kind}) "
        f"to the Supervisor of Records: {rule.days} calendar days after it. This date does not "
        "move for weekends or holidays; file a few days early.", citation=rule.citation)


def _student_timeline(request: Request, events: Sequence[LoggedEvent], agency: Agency,
                      calendar: BusinessCalendar, today: date) -> Timeline:
    """A student-records request: the school's 10 days; no Public Records Law appeal."""
    schedule = student_records_schedule(request, agency, calendar)
    ordered = sorted(events, key=lambda e: (e.on_date, e.seq))
    responses = events_of(ordered, Response)
    due = schedule.date_of("non_custodial_release" if request.non_custodial
                           else "student_record_due")
    facts = TimelineFacts(received=schedule.date_of("received"), received_logged=False,
                          response_due=due, production_due_max=due, responses=tuple(responses),
                          appeals=(), follow_ups=tuple(events_of(ordered, FollowedUp)),
                          windows=(),
                          extension_granted=False, late_response=False,
                          overdue=not responses and today > due, student=True)
    deadlines = list(schedule.deadlines)
    for follow_up in facts.follow_ups:
        if follow_up.details.until:
            deadlines.append(Deadline(
                date=follow_up.details.until,
                event="student_reply_due", ref=str(follow_up.seq),
                description=f"The day by which your follow-up of {follow_up.on_date} asked the "
                "school to reply. Not a legal deadline: the date your own letter gave.",
                citation=""))
    deadlines.sort(key=lambda d: (d.date, order_of_day(d.event), d.ref))
    return Timeline(_state(ordered, facts), tuple(deadlines), facts, schedule.notes)


def _apply(event: LoggedEvent, who: str, agency: Agency, deadlines: dict[str, Deadline],
           notes: list[Notice], warnings: list[Notice], production_max: date,
           supervisor_calendar: BusinessCalendar, calendar: BusinessCalendar, *,
           granted: bool, petition_limit: date) -> None:
    details = event.details
    if (isinstance(details, Response) and details.kind == ResponseKind.EXTENSION
            and (until := details.until)):
        limit = production_limit(agency.kind)
        deadlines["production_due"] = Deadline(
            date=until, event="production_due", basis="logged",
            description=f"The production date {who} set in its response of {event.on_date}.",
            citation=limit.citation)
        if until > production_max and not granted:
            warnings.append(notice(
                EXTENSION_BEYOND_LIMIT, agency=capital(who), until=until,
                latest=production_max, days=limit.days, citation=limit.citation))
    elif isinstance(details, Petition):
        rule = LAW["extension_petition"]
        notes.append(notice(
            PETITION, agency=capital(who), date=event.on_date, citation=rule.citation))
        if event.on_date > petition_limit:
            warnings.append(notice(
                PETITION_LATE, agency=capital(who), date=event.on_date, limit=petition_limit,
                days=rule.days, citation=rule.citation))
    elif isinstance(details, PetitionGranted):
        days, until = details.days, details.until
        ceiling = extension_max(agency.kind)
        if until:
            deadlines["production_due"] = Deadline(
                date=until, event="production_due", basis="logged",
                description=f"The production date the Supervisor of Records' order of "
                f"{event.on_date} gives {who} ({days} more business days), as the order "
                "states it.", citation=ceiling.citation)
        else:
            notes.append(notice(
                PETITION_GRANTED, agency=who, days=days, date=event.on_date))
        petitioned = LAW["extension_petition"]
        late = [w for w in warnings if w.message == PETITION_LATE]
        if late:
            warnings.append(notice(
                PETITION_GRANTED_LATE, agency=who,
                limit=petition_limit, citation=petitioned.citation))
        if days > ceiling.days:
            warnings.append(notice(
                MORE_THAN_NORMAL, days=days, most=ceiling.days, citation=ceiling.citation))
    elif isinstance(details, Appealed):
        rule = LAW["supervisor_decision"]
        arrives = supervisor_calendar.next_business_day(event.on_date)
        number = f" {details.number}" if details.number else ""
        deadlines["appeal_decision_due"] = Deadline(
            date=supervisor_calendar.add_business_days(arrives, rule.days),
            event="appeal_decision_due", basis="assumed",
            assumption="the Supervisor receives the appeal the day it is sent (by email); "
            "by mail it arrives later, and this date moves with it",
            description=f"The Supervisor of Records must decide the appeal{number} filed on "
            f"{event.on_date}: {rule.days} business days after receiving it, taken here as "
            f"received on {arrives} (not confirmed).",
            citation=rule.citation)
    elif isinstance(details, FollowedUp):
        deadline = Deadline(
            date=details.until, event="follow_up_reply_due", ref=str(event.seq),
            description=f"The day by which your follow-up of {event.on_date} asked {who} to "
            "reply. Not a legal deadline: the date your own letter gave.", citation="")
        deadlines[deadline.key] = deadline
    elif isinstance(details, Decided) and details.until:
        deadlines["compliance_due"] = Deadline(
            date=details.until, event="compliance_due", basis="logged",
            description=f"The date the Supervisor of Records' decision of {event.on_date} gives "
            f"{who}, as the order states it.", citation=LAW["appeal_right"].citation)


_STATE_AFTER: dict[EventKind, State] = {
    EventKind.RECEIVED: State.ACKNOWLEDGED, EventKind.PETITION: State.PETITION_FILED,
    EventKind.PETITION_GRANTED: State.EXTENSION_GRANTED, EventKind.PAID: State.FEE_PAID,
    EventKind.APPEALED: State.APPEALED, EventKind.DECIDED: State.DECIDED,
    EventKind.CLOSED: State.CLOSED, EventKind.WITHDRAWN: State.WITHDRAWN,
}
"""The state a logged event (other than a response) puts a request in."""


def _state(ordered: list[LoggedEvent], facts: TimelineFacts) -> State:
    state = State.SENT
    for event in ordered:
        if isinstance(event.details, Response):
            state = State.after_response(event.details.kind)
        else:
            state = _STATE_AFTER.get(event.event, state)
    if facts.overdue and state in (State.SENT, State.ACKNOWLEDGED, State.PETITION_FILED):
        return State.OVERDUE
    # The production date passed without the records: they are overdue now.
    if facts.production_missed and state in (State.EXTENSION, State.EXTENSION_GRANTED,
                                             State.FEE_PAID, State.PETITION_FILED):
        return State.OVERDUE
    return state
