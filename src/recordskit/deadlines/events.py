"""The event vocabulary: every name a request's schedule and log use, and what each is called.

Two kinds of event:

- **Dated events of a schedule** (``response_due``, ``appeal_deadline`` …): each has a short
  title for the letter-writer's own tables and calendars, a title and an action line for the
  family's summary (translated), its place in the order of a day, and its calendar reminders.
- **Logged events** (``received``, ``response`` …): what a person records when something
  happened, with the kinds of response and the state each event puts a request in.

Schedules, timelines, the family summary, the calendar exports and the command line all read
these tables; a new event is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from recordskit.i18n import N_

if TYPE_CHECKING:  # the command line's help reads this module: no pydantic at start-up
    from recordskit.models import Deadline

_DAY_BEFORE = (timedelta(days=-1),)


@dataclass(frozen=True)
class DatedEvent:
    """One kind of dated event: how it is named and reminded of."""

    key: str
    title: str
    """English, with ``{agency}`` for the body's short name."""
    family_title: str = ""
    """For the family's summary, marked for translation."""
    family_action: str = ""
    """What to do on that date, for the family's summary, marked for translation."""
    alarms: tuple[timedelta, ...] = _DAY_BEFORE
    """Calendar reminders, relative to the start of the day."""
    student_title: str = ""
    """The title on a student-records request's own schedule, where it differs."""


DATED_EVENTS: tuple[DatedEvent, ...] = (
    DatedEvent(
        "received", "Request received by {agency}",
        N_("Your letter arrives"),
        N_("The day your letter counts as received. Keep a copy of what you sent, with the "
           "date."),
        alarms=(), student_title="Request received by the school"),
    DatedEvent(
        "response_due", "Response due from {agency}",
        N_("The answer is due"),
        N_("The agency must answer by this day: send the records, or write to you to "
           "explain.")),
    DatedEvent(
        "follow_up", "Follow up with {agency} if no response came",
        N_("Follow up if nothing came"),
        N_("If no answer came, write to the agency again (recordskit followup makes the "
           "letter). From now on it may not charge you fees, and you may appeal to the "
           "Supervisor of Records."),
        alarms=(timedelta(hours=9),)),
    DatedEvent("follow_up_reply_due", "Reply due to your follow-up to {agency}",
               N_("The reply to your follow-up is due"),
               N_("Your follow-up letter asked for an answer by this day. If none came, "
                  "recordskit status says what to do next: an appeal, where the log gives a "
                  "ground for one."),
               alarms=(timedelta(hours=9),), student_title="Reply due to your follow-up"),
    DatedEvent("student_reply_due", "Reply due to your follow-up",
               N_("The reply to your follow-up is due"),
               N_("Your follow-up letter asked the school to answer by this day. If none came, "
                  "ask the BPS Office of Legal Advisor or the BPS Helpline for help."),
               alarms=(timedelta(hours=9),)),
    DatedEvent("petition_limit", "Last day {agency} may petition for more time",
               N_("Last day for the agency to ask for more time"),
               N_("The last day the agency may ask the Supervisor of Records for more time. "
                  "Asking later is a ground for appeal.")),
    DatedEvent("production_due", "Production date {agency} set",
               N_("The records are due"),
               N_("The date the agency set for giving you the records.")),
    DatedEvent(
        "production_due_max", "Latest production date {agency} may set",
        N_("Latest date for the records"),
        N_("The latest date the agency may set for giving you the records, unless the "
           "Supervisor of Records gives it more time.")),
    DatedEvent("appeal_deadline", "Last day to appeal {agency}'s response",
               N_("Last day to appeal"),
               N_("The last day to appeal the agency's answer to the Supervisor of Records "
                  "(recordskit appeal makes the appeal). Do it a few days before."),
               alarms=(timedelta(days=-7), timedelta(days=-1))),
    DatedEvent(
        "appeal_deadline_no_response", "Last day to appeal if {agency} never responded",
        N_("Last day to appeal"),
        N_("If the agency never answered, this is the last day to appeal to the Supervisor "
           "of Records (recordskit appeal makes the appeal). Do it a few days before."),
        alarms=(timedelta(days=-7), timedelta(days=-1))),
    DatedEvent("appeal_decision_due", "Supervisor's decision due",
               N_("The Supervisor's decision is due"),
               N_("The Supervisor of Records should decide your appeal by this day.")),
    DatedEvent("compliance_due", "Date the Supervisor's order gives {agency}",
               N_("The date the Supervisor's order gives"),
               N_("The date by which the Supervisor of Records ordered the agency to act.")),
    DatedEvent(
        "student_record_due", "The school must give access to the student record",
        N_("The school must give access"),
        N_("The school must let you see the record and give you copies by this day.")),
    DatedEvent(
        "non_custodial_release", "Earliest day the school may give access",
        N_("The school may give access"),
        N_("The earliest day the school may let you see the record, counted from when it tells "
           "the other parent. It may be later if that notice went out later.")),
    DatedEvent(
        "student_follow_up", "Follow up if the school has not given access",
        N_("Follow up with the school"),
        N_("If the school has not answered, write to the principal again, with a copy to the "
           "BPS Office of Legal Advisor.")),
    DatedEvent(
        "ferpa_outer_limit", "Federal outer limit for access",
        N_("Federal outer limit"),
        N_("The latest date federal law allows. The Massachusetts rule above is stricter.")),
)
"""Every dated event, in the order two events of the same day are listed."""

DATED: dict[str, DatedEvent] = {event.key: event for event in DATED_EVENTS}
_ORDER = {event.key: index for index, event in enumerate(DATED_EVENTS)}


def order_of_day(key: str) -> int:
    """Where an event stands among events of the same date (unknown events last)."""
    return _ORDER.get(key, len(_ORDER))


def event_title(key: str, agency: str, *, student: bool = False) -> str:
    """A dated event's short title, such as ``Response due from BPS``."""
    event = DATED.get(key)
    if event is None:
        return key
    title = event.student_title if student and event.student_title else event.title
    return title.format(agency=agency)


def deadline_title(deadline: Deadline, agency: str, *, student: bool = False) -> str:
    """A deadline's short title, which says so when its date is only assumed (a receipt not yet
    logged): ``Request received by BPD (expected)``, never a guess shown as a fact."""
    title = event_title(deadline.event, agency, student=student)
    return f"{title} (expected)" if deadline.basis == "assumed" else title
