"""A request's whole timeline: its state and every deadline, recomputed from what was logged.

The starting point is the new request's schedule (``recordskit.deadlines.schedule``); each
logged event moves, adds or retires deadlines by the rules in ``recordskit.law``. Nothing here
guesses what the law leaves open: a granted extension's end date, or a Supervisor order's
deadline, is the date the person copies from the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from recordskit.deadlines.calendars import BusinessCalendar, calendar_for
from recordskit.deadlines.events import (
    FINAL_STATES,
    LOGGED_EVENTS,
    RESPONSE_KINDS,
    STATE_AFTER,
    order_of_day,
)
from recordskit.deadlines.schedule import new_request_schedule, student_records_schedule
from recordskit.errors import FieldError, UserError
from recordskit.law import LAW, extension_max, production_limit
from recordskit.models import Agency, Deadline, Directory, LoggedEvent, Request
from recordskit.text import capital


@dataclass(frozen=True)
class TimelineFacts:
    """What the log establishes about a request, for the documents that argue from it."""

    received: date
    response_due: date
    production_due_max: date
    responses: tuple[LoggedEvent, ...]
    appeals: tuple[LoggedEvent, ...]
    late_response: bool
    overdue: bool
    student: bool = False


@dataclass(frozen=True)
class Timeline:
    """Where a request stands, and its deadlines, first to last."""

    state: str
    deadlines: tuple[Deadline, ...]
    facts: TimelineFacts
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def date_of(self, event: str) -> date | None:
        return next((d.date for d in self.deadlines if d.event == event), None)

    def next_deadline(self, today: date) -> Deadline | None:
        """The first deadline from today on that asks something of someone."""
        if self.state in FINAL_STATES:
            return None
        # The production limit binds what a response may set; with no response it asks nothing.
        passive = {"received"} | ({"production_due_max"} if not self.facts.responses
                                  else set())
        return next((d for d in self.deadlines if d.date >= today and d.event not in passive),
                    None)


def check_event(request: Request, events: Sequence[LoggedEvent], event: str, on: date,
                details: dict[str, Any], today: date) -> None:
    """Refuse an event that cannot have happened, with the reason."""
    if event not in LOGGED_EVENTS:
        raise FieldError(f"unknown event {event!r}; expected one of: "
                         f"{', '.join(LOGGED_EVENTS)}", field="event")
    if on < request.sent_on:
        raise FieldError(f"{event} on {on}: the request was sent on {request.sent_on}, and an "
                         "event cannot come before it; check the date", field="on")
    if on > today:
        raise FieldError(f"{event} on {on}: that date is in the future; log events once they "
                         "have happened", field="on")
    final = [e for e in events if e.event in FINAL_STATES]
    if final:
        raise UserError(f"the request was marked {final[-1].event} on {final[-1].on_date}; "
                        "undo that first if it was a mistake")
    if event == "response":
        kind = details.get("kind")
        if kind not in RESPONSE_KINDS:
            raise FieldError(f"a response needs its kind, one of: {', '.join(RESPONSE_KINDS)}",
                             field="kind")
        if kind == "extension" and not details.get("until"):
            raise FieldError("a response of kind extension needs the production date the body "
                             "set", field="until")
    until = details.get("until")
    if until and date.fromisoformat(until) < on:
        raise FieldError(f"until {until} is before the event's date {on}", field="until")
    if event == "petition_granted" and not details.get("days"):
        raise FieldError("petition_granted needs the number of business days the Supervisor "
                         "granted, as the order states", field="days")


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
    receipts = [e for e in ordered if e.event == "received"]
    receipt = receipts[-1] if receipts else None
    base = new_request_schedule(
        request, agency, calendar,
        received_on=receipt.on_date if receipt else None,
        tracking=str(receipt.details.get("tracking", "")) if receipt else "",
    )
    deadlines = {d.event: d for d in base.deadlines}
    notes = list(base.notes)
    warnings: list[str] = []
    response_due = base.date_of("response_due")
    production_max = base.date_of("production_due_max")
    responses = [e for e in ordered if e.event == "response"]
    appeals = [e for e in ordered if e.event == "appealed"]
    facts = TimelineFacts(
        received=base.date_of("received"), response_due=response_due,
        production_due_max=production_max, responses=tuple(responses), appeals=tuple(appeals),
        late_response=bool(responses and responses[0].on_date > response_due),
        overdue=not responses and today > response_due,
    )

    if responses:
        deadlines.pop("follow_up")
        deadlines.pop("appeal_deadline_no_response")
        latest = responses[-1]
        window = LAW["appeal_window"]
        kind = str(latest.details.get("kind", "")).replace("_", " ")
        deadlines["appeal_deadline"] = Deadline(
            date=latest.on_date + timedelta(days=window.days), event="appeal_deadline",
            description=f"The last day to appeal {who}'s response of {latest.on_date} "
            f"({kind}) to the Supervisor of Records: {window.days} calendar days after it. "
            "This date does not move for weekends or holidays; file a few days early.",
            citation=window.citation)
        if facts.late_response:
            rule = LAW["no_fee_if_late"]
            notes.append(f"The first response came on {responses[0].on_date}, after the "
                         f"response date {response_due}: {rule.statement} ({rule.citation}).")
    elif facts.overdue:
        fee, appeal = LAW["no_fee_if_late"], LAW["appeal_right"]
        notes.append(f"Overdue: no response came by {response_due}. {capital(fee.statement)} "
                     f"({fee.citation}), and you may appeal to the Supervisor of Records "
                     f"({appeal.citation}) by {deadlines['appeal_deadline_no_response'].date}.")

    for event in ordered:
        _apply(event, who, agency, deadlines, notes, warnings, production_max, supervisor_calendar)

    if appeals:
        deadlines.pop("appeal_deadline", None)
        deadlines.pop("appeal_deadline_no_response", None)
        deadlines.pop("follow_up", None)
    state = _state(ordered, facts)
    listed = sorted(deadlines.values(), key=lambda d: (d.date, order_of_day(d.event)))
    return Timeline(state, tuple(listed), facts, tuple(dict.fromkeys(notes)), tuple(warnings))


def _student_timeline(request: Request, events: Sequence[LoggedEvent], agency: Agency,
                      calendar: BusinessCalendar, today: date) -> Timeline:
    """A student-records request: the school's 10 days; no Public Records Law appeal."""
    schedule = student_records_schedule(request, agency, calendar)
    ordered = sorted(events, key=lambda e: (e.on_date, e.seq))
    responses = [e for e in ordered if e.event == "response"]
    due = schedule.date_of("student_record_due")
    facts = TimelineFacts(received=schedule.date_of("received"), response_due=due,
                          production_due_max=due, responses=tuple(responses), appeals=(),
                          late_response=False, overdue=not responses and today > due,
                          student=True)
    return Timeline(_state(ordered, facts), schedule.deadlines, facts, schedule.notes)


def _apply(event: LoggedEvent, who: str, agency: Agency, deadlines: dict[str, Deadline],
           notes: list[str], warnings: list[str], production_max: date,
           supervisor_calendar: BusinessCalendar) -> None:
    details = event.details
    until = date.fromisoformat(details["until"]) if details.get("until") else None
    if event.event == "response" and details.get("kind") == "extension" and until:
        limit = production_limit(agency.kind)
        deadlines["production_due"] = Deadline(
            date=until, event="production_due",
            description=f"The production date {who} set in its response of {event.on_date}.",
            citation=limit.citation)
        if until > production_max:
            warnings.append(
                f"{capital(who)} set {until} for production, later than {production_max}, the "
                f"{limit.days} business days after receipt the law allows ({limit.citation}) "
                "unless the Supervisor of Records grants more time. You may appeal.")
    elif event.event == "petition":
        rule = LAW["extension_petition"]
        notes.append(f"{capital(who)} petitioned the Supervisor of Records for more time on "
                     f"{event.on_date}. It must send you a copy ({rule.citation}), and must "
                     "still answer in writing by the response date.")
    elif event.event == "petition_granted":
        days = int(details.get("days", 0))
        ceiling = extension_max(agency.kind)
        if until:
            deadlines["production_due"] = Deadline(
                date=until, event="production_due",
                description=f"The production date the Supervisor of Records' order of "
                f"{event.on_date} gives {who} ({days} more business days), as the order "
                "states it.", citation=ceiling.citation)
        else:
            notes.append(f"The Supervisor of Records granted {who} {days} more business days "
                         f"on {event.on_date}. Log the production date the order gives "
                         "with the petition_granted event.")
        if days > ceiling.days:
            warnings.append(f"{days} business days is more than the {ceiling.days} the "
                            f"Supervisor normally grants ({ceiling.citation}); check the order.")
    elif event.event == "appealed":
        rule = LAW["supervisor_decision"]
        arrives = supervisor_calendar.next_business_day(event.on_date)
        number = f" {details['number']}" if details.get("number") else ""
        deadlines["appeal_decision_due"] = Deadline(
            date=supervisor_calendar.add_business_days(arrives, rule.days),
            event="appeal_decision_due",
            description=f"The Supervisor of Records must decide the appeal{number} filed on "
            f"{event.on_date}: {rule.days} business days after receiving it.",
            citation=rule.citation)
    elif event.event == "decided" and until:
        deadlines["compliance_due"] = Deadline(
            date=until, event="compliance_due",
            description=f"The date the Supervisor of Records' decision of {event.on_date} gives "
            f"{who}, as the order states it.", citation=LAW["appeal_right"].citation)


def _state(ordered: list[LoggedEvent], facts: TimelineFacts) -> str:
    state = "sent"
    for event in ordered:
        if event.event == "response":
            state = str(event.details.get("kind", "response")).replace("_", " ")
        else:
            state = STATE_AFTER.get(event.event, state)
    if facts.overdue and state in ("sent", "acknowledged", "petition filed"):
        return "overdue"
    return state

