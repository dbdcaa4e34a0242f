"""The schedule of a new request: every deadline the law gives, as dates.

All numbers and citations come from ``recordskit.law``; all counting from
``recordskit.deadlines.calendars``. The schedule of a request that has a history (acknowledged,
extended, denied) is ``recordskit.deadlines.timeline``, built on this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recordskit.deadlines.calendars import FRIDAY_BEFORE, BusinessCalendar, calendar_for
from recordskit.deadlines.events import order_of_day
from recordskit.deadlines.notices import (
    FRIDAY_CLOSED,
    MAIL_ON_ASSUMED_DAY,
    PORTAL_SUNDAY,
    RECEIPT_ON_ASSUMED_DAY,
    SUFFOLK,
    Notice,
    notice,
)
from recordskit.errors import FieldError
from recordskit.i18n import _
from recordskit.law import LAW, production_limit
from recordskit.models import Agency, Deadline, Directory, Request
from recordskit.text import capital, long_date, one_line

MAIL_TRANSIT_BUSINESS_DAYS = 3
"""Not law: how long recordskit assumes a mailed letter takes to arrive, until receipt is known.

Erring late is deliberate: it can only make the body's deadline later, never call a response
late that is not; the requester's own appeal deadline is counted from the date sent instead.
"""



@dataclass(frozen=True)
class Schedule:
    """A request's dated events, first to last, and the calendar they were counted on."""

    deadlines: tuple[Deadline, ...]
    calendar: str
    notes: tuple[Notice, ...] = ()

    def date_of(self, event: str) -> date:
        for deadline in self.deadlines:
            if deadline.event == event:
                return deadline.date
        raise KeyError(event)


def receipt_assumption(request: Request) -> str:
    """What recordskit assumes about receipt until the real day is logged, in plain words."""
    if request.delivery == "mail":
        return (f"a mailed letter is assumed to arrive {MAIL_TRANSIT_BUSINESS_DAYS} business "
                "days after it is posted")
    return ("a request sent by email, through a portal or by hand is assumed to arrive the day "
            "it is sent, or the next business day when the office is closed that day")


def receipt_sentence(request: Request, who: str, received: date, *, logged: bool) -> str:
    """When the body received the request, said as a fact only when it was logged."""
    if logged:
        return f"{capital(who)} received it on {long_date(received)}."
    if request.delivery == "mail":
        return (f"It was mailed on {long_date(request.sent_on)}; its receipt has not been "
                f"confirmed, so it is taken to have reached {who} by {long_date(received)}, "
                f"{MAIL_TRANSIT_BUSINESS_DAYS} business days after posting.")
    channel = {"email": "by email", "portal": "through the portal", "hand": "by hand"}.get(
        request.delivery, "")
    return (f"It was sent {channel} on {long_date(request.sent_on)}; its receipt has not been "
            f"confirmed, so it is taken to have been received on {long_date(received)}.")


def deemed_receipt(request: Request, calendar: BusinessCalendar) -> date:
    """The day the request counts as received (``receipt_rule``: the next business day)."""
    return receipt_day(request.sent_on, request.delivery, calendar)


def receipt_day(sent: date, delivery: str, calendar: BusinessCalendar) -> date:
    """The assumed day of receipt of a request sent on ``sent`` by ``delivery``."""
    arrives = sent
    if delivery == "mail":
        arrives = calendar.add_business_days(arrives, MAIL_TRANSIT_BUSINESS_DAYS)
    return calendar.next_business_day(arrives)


def first_answer_due(sent: date, delivery: str, calendar: BusinessCalendar, *,
                     student: bool = False, non_custodial: bool = False) -> date:
    """When the first answer to a request sent on ``sent`` is due: the response date, or for a
    student record the school's access date (a non-custodial parent's earliest one)."""
    received = receipt_day(sent, delivery, calendar)
    if non_custodial:
        return received + timedelta(days=LAW["non_custodial_parent"].days)
    if student:
        return received + timedelta(days=LAW["student_record_access"].days)
    return calendar.add_business_days(received, LAW["response_time"].days)


def request_schedule(request: Request, directory: Directory) -> Schedule:
    """The schedule of a new request of either kind."""
    agency = directory.agency(request.agency)
    calendar = calendar_for(agency, directory)
    if request.request_type == "student_records":
        return student_records_schedule(request, agency, calendar)
    return new_request_schedule(request, agency, calendar)


def new_request_schedule(request: Request, agency: Agency, calendar: BusinessCalendar, *,
                         received_on: date | None = None, tracking: str = "",
                         stated: bool = False) -> Schedule:
    """The schedule of a request that has just been sent.

    ``received_on`` is the day the body says it received the request, when that is known; it
    replaces the assumed receipt and moves every business-day deadline with it. ``stated``: the
    agency stated that day in a reply recordskit read (and kept), rather than a person logging it.
    """
    if received_on is not None:
        received = calendar.next_business_day(received_on)
    else:
        received = deemed_receipt(request, calendar)
    response = LAW["response_time"]
    production = production_limit(agency.kind)
    appeal = LAW["appeal_window"]
    response_due = calendar.add_business_days(received, response.days)
    follow_up = calendar.add_business_days(response_due, 1)
    production_due = calendar.add_business_days(received, production.days)
    appeal_due = request.sent_on + timedelta(days=appeal.days)
    who = agency.short_name
    response_note = _assumed_note(calendar, received, response_due)
    production_note = _assumed_note(calendar, received, production_due)

    deadlines = [
        Deadline(
            date=received,
            event="received",
            description=_receipt_text(request, received, who, received_on, tracking,
                                      calendar, stated=stated),
            citation=LAW["receipt_rule"].citation,
            basis=("stated" if stated else "logged") if received_on is not None else "assumed",
            assumption="" if received_on is not None else receipt_assumption(request),
        ),
        Deadline(
            date=response_due,
            event="response_due",
            description=(
                f"{capital(who)} must respond by this day: produce the records or answer in "
                f"writing, {response.days} business days after receipt." + response_note
            ),
            citation=response.citation,
        ),
        Deadline(
            date=follow_up,
            event="follow_up",
            description=(
                "If no response has come, follow up today. From now on no fee may be charged, "
                "and you may appeal to the Supervisor of Records."
            ),
            citation=f"{LAW['no_fee_if_late'].citation}; {LAW['appeal_right'].citation}",
        ),
        Deadline(
            date=production_due,
            event="production_due_max",
            description=(
                f"The latest production date {who} may set in its written response: "
                f"{production.days} business days after receipt, unless the Supervisor of "
                "Records grants more time." + production_note
            ),
            citation=production.citation,
        ),
        Deadline(
            date=appeal_due,
            event="appeal_deadline_no_response",
            description=(
                f"If there is no response, the last day to appeal to the Supervisor of Records: "
                f"{appeal.days} calendar days after the request. This date does not move for "
                "weekends or holidays; file a few days early."
            ),
            citation=appeal.citation,
        ),
    ]
    deadlines.sort(key=lambda d: (d.date, order_of_day(d.event)))
    notes = [*_receipt_notes(request, calendar, received, received_on),
             *_assumed_notices(calendar, received, max(response_due, production_due))]
    return Schedule(tuple(deadlines), calendar.name, tuple(dict.fromkeys(notes)))


def _receipt_notes(request: Request, calendar: BusinessCalendar, received: date,
                   received_on: date | None) -> list[Notice]:
    """Say so when an assumed closed day moved the receipt itself, and when the City's portal
    may show an earlier date than the one counted here."""
    notes = []
    arrived = received_on if received_on is not None else (
        request.sent_on if request.delivery != "mail" else None)
    if arrived is not None and arrived != received:
        assumed = calendar.assumed_between(arrived - timedelta(days=1), received)
        if assumed:
            day, reason = assumed[0]
            notes.append(notice(RECEIPT_ON_ASSUMED_DAY, received=received, sent=arrived, day=day,
                                reason=reason))
    if received_on is None and request.delivery == "mail":
        skipped = calendar.assumed_between(request.sent_on, received)
        if skipped:
            day, reason = skipped[0]
            notes.append(notice(MAIL_ON_ASSUMED_DAY, received=received,
                                days=MAIL_TRANSIT_BUSINESS_DAYS, day=day, reason=reason))
    if (received_on is None and calendar.spec.suffolk_days and request.delivery != "mail"
            and request.sent_on.weekday() == 6):
        rule = LAW["receipt_rule"]
        notes.append(notice(PORTAL_SUNDAY, citation=rule.citation))
    return notes


def _assumed_notices(calendar: BusinessCalendar, start: date, end: date) -> list[Notice]:
    """One note for each kind of assumed closed day that lengthened a count."""
    days = calendar.assumed_between(start, end)
    notes = []
    if any(not reason.startswith(FRIDAY_BEFORE) for _day, reason in days):
        rule = LAW["suffolk_days"]
        notes.append(notice(SUFFOLK, citation=rule.citation))
    if any(reason.startswith(FRIDAY_BEFORE) for _day, reason in days):
        rule = LAW["boston_saturday_holiday"]
        notes.append(notice(FRIDAY_CLOSED, citation=rule.citation))
    return notes


def student_records_schedule(request: Request, agency: Agency, calendar: BusinessCalendar
                             ) -> Schedule:
    """The schedule of a parent's or eligible student's request for a student record.

    The state regulation's "10 days" does not say business days; recordskit counts calendar days
    and says so, so that the family knows the school may count otherwise.
    """
    state, federal = LAW["student_record_access"], LAW["ferpa_access"]
    received = deemed_receipt(request, calendar)
    helpline = f" {agency.family_helpline}." if agency.family_helpline else ""
    officer = agency.records_officer
    receipt = Deadline(
        date=received, event="received", basis="assumed", assumption=receipt_assumption(request),
        description=("The day the school is taken to receive the request, until you know it"
                     + (" (a mailed letter is assumed to arrive "
                        f"{MAIL_TRANSIT_BUSINESS_DAYS} business days after it is posted)"
                        if request.delivery == "mail" else "")
                     + (f". The notice to the custodial parent, and its "
                        f"{LAW['non_custodial_parent'].days} days, follow it."
                        if request.non_custodial else f". The {state.days} days count from "
                        "here.")),
        citation=state.citation)
    if request.non_custodial:
        rule = LAW["non_custodial_parent"]
        due = received + timedelta(days=rule.days)
        access = Deadline(
            date=due, event="non_custodial_release", basis="assumed",
            assumption="the school notifies the custodial parent the day it receives the "
            "request; a later notice moves this date by as many days",
            description=f"The earliest day the school may give a non-custodial parent access: "
            f"{rule.days} days after it notifies the custodial parent (taken here as the day it "
            "receives the request), unless documents restricting access arrive. The school's "
            f"{state.days}-day limit does not apply.",
            citation=rule.citation)
    else:
        due = received + timedelta(days=state.days)
        access = Deadline(
            date=due, event="student_record_due",
            description=f"The school must give access to the record, and copies, within "
            f"{state.days} days of the request. The regulation says days, not business days; "
            "if the school counts business days it may answer a few days later.",
            citation=state.citation)
    deadlines = (
        receipt,
        access,
        # The day after, or the next business day when that is a weekend or holiday: a
        # letter to a closed school waits anyway.
        Deadline(date=calendar.next_business_day(due + timedelta(days=1)),
                 event="student_follow_up",
                 description="If the school has not given access, follow up in writing with "
                 f"the principal, with a copy to the {officer.office} of {agency.name} "
                 f"({officer.email or one_line(officer.mailing_address)}); recordskit followup "
                 f"writes the letter.{helpline}",
                 citation=access.citation),
        Deadline(date=received + timedelta(days=federal.days), event="ferpa_outer_limit",
                 description=f"The outer limit of federal law: {federal.statement}.",
                 citation=federal.citation),
    )
    return Schedule(deadlines, calendar.name)


def _receipt_text(request: Request, received: date, who: str, confirmed: date | None,
                  tracking: str, calendar: BusinessCalendar, *, stated: bool = False) -> str:
    if confirmed is not None:
        reference = f" (reference {tracking})" if tracking else ""
        assumed = calendar.assumed(confirmed)
        rolled = "" if confirmed == received else (
            f" It arrived on {confirmed.isoformat()} ({assumed}), a day the office is assumed "
            "to be closed (it may have been open), so it counts from this next business day."
            if assumed else
            f" It arrived on {confirmed.isoformat()}, a day the office was closed, so it counts "
            "from this next business day.")
        confirmation = (f"stated in its reply that it received the request on "
                        f"{confirmed.isoformat()}{reference}" if stated else
                        f"confirmed receipt{reference}")
        return f"{capital(who)} {confirmation}.{rolled} Counting starts the business day after."
    if request.delivery == "mail":
        return (f"Expected receipt by {who}: a mailed letter is assumed to arrive "
                f"{MAIL_TRANSIT_BUSINESS_DAYS} business days after it is posted. Change this "
                "date when you learn when it arrived; every deadline moves with it.")
    if received != request.sent_on:
        assumed = calendar.assumed(request.sent_on)
        if assumed:
            return (f"Sent on {assumed}, a day {who}'s office is assumed to be closed (it may be "
                    "open), so it is taken as received on the next business day, until you log "
                    "the day it arrived. Counting starts the business day after.")
        return (f"Sent on a day {who}'s office is closed, so it is taken as received on the next "
                "business day, until you log the day it arrived. Counting starts the business "
                "day after.")
    return (f"Taken as received by {who} the day it is sent, until you log the day it arrived. "
            "Counting starts the business day after.")


def _assumed_note(calendar: BusinessCalendar, start: date, end: date) -> str:
    """Say so when a day counted closed only by assumption lengthened the count: a Suffolk
    County day, or the Friday before a Saturday holiday. Boston may be open on either."""
    skipped = calendar.assumed_between(start, end)
    if not skipped:
        return ""
    suffolk = [f"{reason} ({day.isoformat()})" for day, reason in skipped
               if not reason.startswith(FRIDAY_BEFORE)]
    fridays = [f"{day.isoformat()} ({reason})" for day, reason in skipped
               if reason.startswith(FRIDAY_BEFORE)]
    parts = []
    if suffolk:
        parts.append(f"{' and '.join(suffolk)}, a Suffolk County legal holiday "
                     f"({LAW['suffolk_days'].citation}) that Boston offices may not observe")
    if fridays:
        parts.append(f"{' and '.join(fridays)}, assumed closed as Boston's buildings were "
                     "before a Saturday holiday in 2023 "
                     f"({LAW['boston_saturday_holiday'].citation})")
    return (f" This count skips {'; and '.join(parts)}, so the deadline may be one business "
            "day earlier (an assumption).")


def refuse_a_passed_request(request: Request, agency: Agency, calendar: BusinessCalendar,
                            today: date) -> None:
    """Stop a request whose first answer was already due: a past ``sent_on`` is usually a
    mistake (yesterday's answers file, today's letter). ``past`` says it really was sent then."""
    due = first_answer_due(request.sent_on, request.delivery, calendar,
                           student=request.request_type == "student_records",
                           non_custodial=request.non_custodial)
    if due < today:
        raise FieldError(_(
            "sent_on {sent}: a request sent that day was due an answer by {due}, which has "
            "passed. If it really was sent then, say so; if not, give the day you will send "
            "it").format(sent=request.sent_on, due=due), field="past")
