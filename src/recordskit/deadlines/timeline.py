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
from recordskit.deadlines.notices import (
    EXTENSION_BEYOND_LIMIT,
    LATE_RESPONSE,
    MORE_THAN_NORMAL,
    OVERDUE,
    PETITION,
    PETITION_GRANTED,
    Notice,
    notice,
)
from recordskit.deadlines.schedule import new_request_schedule, student_records_schedule
from recordskit.errors import FieldError, UserError
from recordskit.i18n import _
from recordskit.law import LAW, extension_max, production_limit
from recordskit.models import Agency, Deadline, Directory, LoggedEvent, Request
from recordskit.text import capital, local_date, long_date

APPEALABLE_KINDS = ("denied", "partial", "fee_estimate")
"""Responses that open their own appeal window (an extension does when it goes past the limit)."""


@dataclass(frozen=True)
class AppealWindow:
    """The window to appeal one response, or the request itself when no response came."""

    response: LoggedEvent | None
    closes: date
    counted: str
    """What the window counts from, as the appeal says it: ``the response of …``."""
    who: str = ""
    """The body's short name."""

    def in_family_words(self) -> str:
        """What the window counts from, in the language in use, for the family."""
        if self.response is None:
            return _("your request, since no answer came")
        kind = str(self.response.details.get("kind", "")).replace("_", " ")
        return _("{agency}'s answer of {date} ({kind})").format(
            agency=self.who, date=local_date(self.response.on_date), kind=_(kind) if kind else "")

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
    responses: tuple[LoggedEvent, ...]
    appeals: tuple[LoggedEvent, ...]
    follow_ups: tuple[LoggedEvent, ...]
    windows: tuple[AppealWindow, ...]
    """Every appeal window not yet used by a logged appeal, open or closed, oldest first."""
    extension_granted: bool
    late_response: bool
    overdue: bool
    student: bool = False


@dataclass(frozen=True)
class Timeline:
    """Where a request stands, and its deadlines, first to last."""

    state: str
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
        passive = {"received"} | ({"production_due_max"} if not self.facts.responses
                                  else set())
        return next((d for d in self.deadlines if d.date >= today and d.event not in passive),
                    None)


def check_event(request: Request, events: Sequence[LoggedEvent], event: str, on: date,
                details: dict[str, Any], today: date) -> None:
    """Refuse an event that cannot have happened, with the reason (in the language in use:
    a family logs its own responses)."""
    if event not in LOGGED_EVENTS:
        raise FieldError(_("unknown event {event}; expected one of: {events}").format(
            event=repr(event), events=", ".join(LOGGED_EVENTS)), field="event")
    if on < request.sent_on:
        raise FieldError(_("{event} on {date}: the request was sent on {sent}, and an event "
                           "cannot come before it; check the date").format(
                               event=event, date=on, sent=request.sent_on), field="on")
    if on > today:
        raise FieldError(_("{event} on {date}: that date is in the future; log events once "
                           "they have happened").format(event=event, date=on), field="on")
    final = [e for e in events if e.event in FINAL_STATES]
    if final:
        raise UserError(_("the request was marked {state} on {date}; undo that first if it "
                          "was a mistake").format(state=_(final[-1].event),
                                                  date=final[-1].on_date))
    if event == "response":
        kind = details.get("kind")
        if kind not in RESPONSE_KINDS:
            raise FieldError(_("a response needs its kind, one of: {kinds}").format(
                kinds=", ".join(RESPONSE_KINDS)), field="kind")
        if kind == "extension" and not details.get("until"):
            raise FieldError(_("a response of kind extension needs the production date the "
                               "body set"), field="until")
    until = details.get("until")
    if until and date.fromisoformat(until) < on:
        raise FieldError(_("until {until} is before the event's date {date}").format(
            until=until, date=on), field="until")
    if event == "followed_up" and not details.get("until"):
        raise FieldError(_("followed_up needs the day your letter asked for a reply by"),
                         field="until")
    window = details.get("window")
    if window is not None and (event != "appealed" or not (
            str(window) == "no_response" or str(window).isdigit())):
        raise FieldError(_("only an appeal names the response it appeals: its event number, "
                           "or no_response"), field="window")
    if event == "petition_granted" and not details.get("days"):
        raise FieldError(_("petition_granted needs the number of business days the Supervisor "
                           "granted, as the order states"), field="days")


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
    deadlines = {d.key: d for d in base.deadlines}
    notes = list(base.notes)
    warnings: list[Notice] = []
    response_due = base.date_of("response_due")
    production_max = base.date_of("production_due_max")
    responses = [e for e in ordered if e.event == "response"]
    appeals = [e for e in ordered if e.event == "appealed"]
    overdue = not responses and today > response_due
    windows = _appeal_windows(request, ordered, responses, appeals, production_max, who)
    facts = TimelineFacts(
        received=base.date_of("received"), received_logged=receipt is not None,
        response_due=response_due, production_due_max=production_max,
        responses=tuple(responses), appeals=tuple(appeals),
        follow_ups=tuple(e for e in ordered if e.event == "followed_up"),
        windows=tuple(windows),
        extension_granted=any(e.event == "petition_granted" for e in ordered),
        late_response=bool(
            responses and responses[0].on_date > response_due), overdue=overdue,
    )

    if responses:
        deadlines.pop("follow_up")
        if facts.late_response:
            rule = LAW["no_fee_if_late"]
            notes.append(notice(
                f"The first response came on {responses[0].on_date}, after the response date "
                f"{response_due}: {rule.statement} ({rule.citation}).",
                LATE_RESPONSE, date=responses[0].on_date, due=response_due,
                citation=rule.citation))
    elif overdue:
        fee, appeal = LAW["no_fee_if_late"], LAW["appeal_right"]
        until = deadlines["appeal_deadline_no_response"].date
        notes.append(notice(
            f"Overdue: no response came by {response_due}. {capital(fee.statement)} "
            f"({fee.citation}), and you may appeal to the Supervisor of Records "
            f"({appeal.citation}) by {until}.",
            OVERDUE, due=response_due, fee_citation=fee.citation,
            appeal_citation=appeal.citation, until=until))
    deadlines.pop("appeal_deadline_no_response")
    for window in windows:
        deadline = _window_deadline(window, who)
        deadlines[deadline.key] = deadline

    for event in ordered:
        _apply(event, who, agency, deadlines, notes, warnings, production_max, supervisor_calendar,
               calendar)

    if appeals:
        deadlines.pop("follow_up", None)
    state = _state(ordered, facts)
    listed = sorted(deadlines.values(), key=lambda d: (d.date, order_of_day(d.event), d.ref))
    return Timeline(state, tuple(listed), facts, tuple(dict.fromkeys(notes)), tuple(warnings))


def _appeal_windows(request: Request, ordered: list[LoggedEvent], responses: list[LoggedEvent],
                    appeals: list[LoggedEvent], production_max: date, who: str
                    ) -> list[AppealWindow]:
    """One window per appealable response (or the request, while no response came), less those
    a logged appeal has used. An appeal logged without naming its window used them all."""
    window_days = LAW["appeal_window"].days
    granted = any(e.event == "petition_granted" for e in ordered)
    found: list[AppealWindow] = []
    if not responses:
        found.append(AppealWindow(None, request.sent_on + timedelta(days=window_days),
                                  "the request, since there was no response", who))
    for response in responses:
        kind = str(response.details.get("kind", ""))
        until = response.details.get("until")
        beyond = (kind == "extension" and bool(until) and not granted
                  and date.fromisoformat(str(until)) > production_max)
        if kind in APPEALABLE_KINDS or beyond:
            found.append(AppealWindow(
                response, response.on_date + timedelta(days=window_days),
                f"{who}'s response of {long_date(response.on_date)} ({kind.replace('_', ' ')})",
                who))
    used = {str(a.details.get("window", "")) for a in appeals}
    if any(not a.details.get("window") for a in appeals):
        return []
    return [window for window in found if window.ref not in used]


def _window_deadline(window: AppealWindow, who: str) -> Deadline:
    rule = LAW["appeal_window"]
    if window.response is None:
        return Deadline(
            date=window.closes, event="appeal_deadline_no_response",
            description=f"If there is no response, the last day to appeal to the Supervisor of "
            f"Records: {rule.days} calendar days after the request. This date does not move for "
            "weekends or holidays; file a few days early.", citation=rule.citation)
    response = window.response
    kind = str(response.details.get("kind", "")).replace("_", " ")
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
    responses = [e for e in ordered if e.event == "response"]
    due = schedule.date_of("non_custodial_release" if request.non_custodial
                           else "student_record_due")
    facts = TimelineFacts(received=schedule.date_of("received"), received_logged=False,
                          response_due=due, production_due_max=due, responses=tuple(responses),
                          appeals=(), follow_ups=tuple(
                              e for e in ordered if e.event == "followed_up"), windows=(),
                          extension_granted=False, late_response=False,
                          overdue=not responses and today > due, student=True)
    deadlines = list(schedule.deadlines)
    for follow_up in facts.follow_ups:
        if follow_up.details.get("until"):
            deadlines.append(Deadline(
                date=date.fromisoformat(str(follow_up.details["until"])),
                event="follow_up_reply_due", ref=str(follow_up.seq),
                description=f"The day by which your follow-up of {follow_up.on_date} asked the "
                "school to reply. Not a legal deadline: the date your own letter gave.",
                citation=""))
    deadlines.sort(key=lambda d: (d.date, order_of_day(d.event), d.ref))
    return Timeline(_state(ordered, facts), tuple(deadlines), facts, schedule.notes)


def _apply(event: LoggedEvent, who: str, agency: Agency, deadlines: dict[str, Deadline],
           notes: list[Notice], warnings: list[Notice], production_max: date,
           supervisor_calendar: BusinessCalendar, calendar: BusinessCalendar) -> None:
    details = event.details
    until = date.fromisoformat(details["until"]) if details.get("until") else None
    if event.event == "response" and details.get("kind") == "extension" and until:
        limit = production_limit(agency.kind)
        deadlines["production_due"] = Deadline(
            date=until, event="production_due", basis="logged",
            description=f"The production date {who} set in its response of {event.on_date}.",
            citation=limit.citation)
        if until > production_max:
            warnings.append(notice(
                f"{capital(who)} set {until} for production, later than {production_max}, the "
                f"{limit.days} business days after receipt the law allows ({limit.citation}) "
                "unless the Supervisor of Records grants more time. You may appeal.",
                EXTENSION_BEYOND_LIMIT, agency=capital(who), until=until,
                latest=production_max, days=limit.days, citation=limit.citation))
    elif event.event == "petition":
        rule = LAW["extension_petition"]
        notes.append(notice(
            f"{capital(who)} petitioned the Supervisor of Records for more time on "
            f"{event.on_date}. It must send you a copy ({rule.citation}), and must still "
            "answer in writing by the response date.",
            PETITION, agency=capital(who), date=event.on_date, citation=rule.citation))
    elif event.event == "petition_granted":
        days = int(details.get("days", 0))
        ceiling = extension_max(agency.kind)
        if until:
            deadlines["production_due"] = Deadline(
                date=until, event="production_due", basis="logged",
                description=f"The production date the Supervisor of Records' order of "
                f"{event.on_date} gives {who} ({days} more business days), as the order "
                "states it.", citation=ceiling.citation)
        else:
            notes.append(notice(
                f"The Supervisor of Records granted {who} {days} more business days on "
                f"{event.on_date}. Log the production date the order gives with the "
                "petition_granted event.",
                PETITION_GRANTED, agency=who, days=days, date=event.on_date))
        if days > ceiling.days:
            warnings.append(notice(
                f"{days} business days is more than the {ceiling.days} the Supervisor "
                f"normally grants ({ceiling.citation}); check the order.",
                MORE_THAN_NORMAL, days=days, most=ceiling.days, citation=ceiling.citation))
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
    elif event.event == "followed_up" and until:
        deadline = Deadline(
            date=until, event="follow_up_reply_due", ref=str(event.seq),
            description=f"The day by which your follow-up of {event.on_date} asked {who} to "
            "reply. Not a legal deadline: the date your own letter gave.", citation="")
        deadlines[deadline.key] = deadline
    elif event.event == "decided" and until:
        deadlines["compliance_due"] = Deadline(
            date=until, event="compliance_due", basis="logged",
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

