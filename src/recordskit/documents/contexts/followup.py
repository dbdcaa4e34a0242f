"""``follow_up.docx`` (to the records access officer) and ``student_follow_up.docx`` (to the
principal): a polite, firm letter for every situation that calls for one.

The situation comes from the timeline (``recordskit.deadlines.followups``); each paragraph
that states the law takes its numbers and citations from the law table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.followups import FollowUpSituation, followup_situation, next_step
from recordskit.deadlines.schedule import receipt_assumption, receipt_sentence
from recordskit.deadlines.timeline import Timeline, TimelineFacts
from recordskit.documents.contexts.family_words import deadline_in_words
from recordskit.documents.contexts.letter import (
    agency_block,
    copy_to_block,
    delivery_line,
    law_data,
    original_request_block,
    requester_block,
)
from recordskit.errors import UserError
from recordskit.i18n import _
from recordskit.law import LAW, LAW_VERSION, production_limit
from recordskit.logged import FollowedUp
from recordskit.models import Agency, Directory, Request
from recordskit.text import long_date
from recordskit.tracking.log import LoggedRequest
from recordskit.tracking.service import timeline_of

REPLY_BUSINESS_DAYS = 5
"""Not law: the courtesy time a follow-up letter gives before the requester considers appealing."""
STUDENT_REPLY_DAYS = 5
"""Not law: the same courtesy for a school, in calendar days like the school's own 10 days."""


def reply_by(logged: LoggedRequest, directory: Directory, today: date) -> date:
    """The day a follow-up written today asks for a reply by."""
    agency = directory.agency(logged.request.agency)
    calendar = calendar_for(agency, directory)
    if logged.request.request_type == "student_records":
        # Calendar days, like the school's own; a weekend or holiday moves to the next school
        # day, when someone is there to answer.
        return calendar.next_business_day(
            date.fromordinal(today.toordinal() + STUDENT_REPLY_DAYS))
    return calendar.add_business_days(today, REPLY_BUSINESS_DAYS)


@dataclass(frozen=True)
class FollowUpPlan:
    """What a follow-up written today answers, on which timeline, and the day it asks for a
    reply by: decided once, then worded by the letter and the family's page, and logged."""

    timeline: Timeline
    situation: FollowUpSituation
    reply_by: date

    @property
    def event(self) -> FollowedUp:
        """The event that records the follow-up once it is written."""
        return FollowedUp(until=self.reply_by, situation=self.situation.kind)


def plan_followup(logged: LoggedRequest, directory: Directory, today: date) -> FollowUpPlan:
    """The follow-up a request calls for today; refuses when nothing calls for one yet."""
    agency = logged.request.addressed(directory.agency(logged.request.agency))
    timeline = timeline_of(logged, directory, today)
    situation = followup_situation(timeline, today)
    if situation is None:
        step = next_step(timeline, today)
        if step.kind == "appeal" and step.date is not None:
            # A denial, say: a follow-up would only delay what is left to do.
            raise UserError(_("nothing to follow up: the request is {state}, and what is left "
                              "is to appeal, by {date}").format(state=_(timeline.state),
                                                                date=step.date))
        raise UserError(_("nothing to follow up yet: the request is {state}, and the next "
                          "deadline is {next}").format(state=_(timeline.state),
                                                       next=_next_text(timeline, agency, today)))
    return FollowUpPlan(timeline, situation, reply_by(logged, directory, today))


def followup_context(logged: LoggedRequest, directory: Directory, plan: FollowUpPlan,
                     today: date) -> dict[str, Any]:
    """What the follow-up letter says."""
    agency = logged.request.addressed(directory.agency(logged.request.agency))
    timeline, situation, answer_by = plan.timeline, plan.situation, plan.reply_by
    facts = timeline.facts
    if facts.student:
        return _student_context(logged, agency, timeline, answer_by, today)
    appeal_deadline = max((w.closes for w in facts.windows if w.is_open(today)), default=None)
    return {
        "closing": _closing(situation, appeal_deadline, answer_by),
        "letter_date": long_date(today),
        "agency": agency_block(agency),
        "delivery_line": delivery_line(logged.request, agency),
        "original": original_request_block(logged.request, agency, logged.active_events,
                                           facts.received),
        "situation": situation.kind,
        "situation_paragraphs": _paragraphs(situation, timeline, agency, logged.request),
        "late_response": facts.late_response or situation.kind == "no_response",
        "dates": {
            "response_due": long_date(facts.response_due),
            "production_due": _long(timeline.date_of("production_due")),
            "reply_by": long_date(answer_by),
            "appeal_deadline": _long(appeal_deadline),
        },
        "law": law_data(),
        "requester": requester_block(logged.request),
        "law_version": LAW_VERSION,
    }


def _closing(situation: FollowUpSituation, appeal_deadline: date | None, answer_by: date
             ) -> str:
    """What the letter says comes next: an appeal only where ``recordskit appeal`` will make
    one (an open window with a ground), the Supervisor's enforcement after an order."""
    if situation.kind == "order_not_followed":
        enforce = LAW["supervisor_order_enforcement"]
        return (f"If I do not have the records by {long_date(answer_by)}, I will tell the "
                f"Supervisor of Records, who may refer the matter to the Attorney General "
                f"({enforce.citation}). I would much rather have the records from you.")
    if appeal_deadline is None:
        return "I would much rather have the records from you than take this further."
    appeal, window = LAW["appeal_right"], LAW["appeal_window"]
    return (f"If I do not hear from you, I may appeal to the Supervisor of Records "
            f"({appeal.citation}); the last day for that is {long_date(appeal_deadline)} "
            f"({window.citation}). I would much rather have the records from you.")


def _due_words(request: Request, agency: Agency, facts: TimelineFacts) -> str:
    """The response date, and, when receipt was not logged, the assumption it rests on."""
    due = long_date(facts.response_due)
    if facts.received_logged:
        return due
    return (f"{due} (counted from {long_date(facts.received)}, the day the request is taken to "
            f"have reached {agency.short_name}: {receipt_assumption(request)}; the real day "
            "has not been confirmed)")


def _paragraphs(situation: FollowUpSituation, timeline: Timeline, agency: Agency,
                request: Request) -> list[str]:
    facts = timeline.facts
    response = situation.response
    on = long_date(response.on_date) if response else ""
    fee, reasons = LAW["no_fee_if_late"], LAW["withholding_reasons"]
    if situation.kind == "no_response":
        rule = LAW["response_time"]
        if facts.received_logged:
            return [f"The law required a response within {rule.days} business days of "
                    f"receipt, by {long_date(facts.response_due)} ({rule.citation}). I have not "
                    "received one. Because no response came within that time, no fee may be "
                    f"charged for these records ({fee.citation})."]
        return [f"The law requires a response within {rule.days} business days of receipt "
                f"({rule.citation}). "
                f"{receipt_sentence(request, agency.short_name, facts.received, logged=False)} "
                f"Counted from that day, a response was due by "
                f"{long_date(facts.response_due)}. I have not received one. If the request "
                "reached you then, no fee may now be charged for these records, because no "
                f"response came within that time ({fee.citation}). If it reached you on "
                "another day, please tell me which."]
    if situation.kind == "order_not_followed" and facts.decided is not None:
        until = facts.decided.details.until
        number = next((f" {a.details.number}" for a in reversed(facts.appeals)
                       if a.details.number), "")
        return [f"The Supervisor of Records decided my appeal{number} on "
                f"{long_date(facts.decided.on_date)}, and the order gave you until "
                f"{_long(until)}. That date has passed, and I have not received the records."]
    if situation.kind == "extension_beyond_limit" and response is not None:
        limit, petition = production_limit(agency.kind), LAW["extension_petition"]
        body = "a municipality" if agency.kind == "municipal" else "a state agency"
        until = response.details.until or facts.production_due_max
        return [f"Your response of {on} set {long_date(until)} for producing the records. That "
                f"is later than {long_date(facts.production_due_max)}, {limit.days} business "
                f"days after receipt, the latest date {body} may set ({limit.citation}), unless "
                f"the Supervisor of Records grants more time ({petition.citation}). Please "
                f"produce the records by {long_date(facts.production_due_max)}, or send me the "
                "Supervisor's order if one granted more time."]
    if situation.kind == "late_fee" and response is not None:
        amount = f" of ${response.details.amount}" if response.details.amount else ""
        return [f"Your response of {on} asked for a fee{amount}. Your first response came "
                f"after the response date of {_due_words(request, agency, facts)}, and no fee "
                f"may be charged when the response was not made in time ({fee.citation}). "
                "Please produce the records without charge."]
    if situation.kind == "no_exemption" and response is not None:
        segregable = LAW["segregable"]
        return [f"Your response of {on} withheld records without identifying each record "
                "withheld and the specific exemption relied on, with the reason it applies, as "
                f"the law requires ({reasons.citation}). Please send that explanation, and "
                "release every segregable, non-exempt portion of the records "
                f"({segregable.citation})."]
    late = (f" Because your first response came after the response date of "
            f"{_due_words(request, agency, facts)}, no fee may be charged for these records "
            f"({fee.citation})." if facts.late_response else "")
    production_due = facts.production_due or timeline.date_of("production_due")
    delay = LAW["without_delay"]
    set_by = (f"The Supervisor of Records gave you until {_long(production_due)} to produce the "
              "records." if facts.extension_granted and (
                  response is None or production_due != response.details.until) else
              f"Your response{f' of {on}' if on else ''} set {_long(production_due)} as the "
              "date for producing the records.")
    return [f"{set_by} That date has passed and I have not received them. Records must be "
            f"provided without unreasonable delay ({delay.citation}).{late}"]


def _student_context(logged: LoggedRequest, agency: Agency, timeline: Timeline, answer_by: date,
                     today: date) -> dict[str, Any]:
    request, rule = logged.request, LAW["student_record_access"]
    if request.student is None:  # the Request model requires it for this request type
        raise ValueError("a student-records request needs a student")
    whose = "my child's" if request.requester_role == "parent" else "my"
    asked = (f"On {long_date(request.sent_on)} I asked for access to, and copies of, {whose} "
             "complete student record, including the log of access kept with it.")
    if request.non_custodial:
        notice = LAW["non_custodial_parent"]
        rule_text = (f"As a non-custodial parent, I understand that you first notify the "
                     f"custodial parent, and may give me access {notice.days} days after that "
                     f"notice unless documents restricting my access are received "
                     f"({notice.citation}). More than {notice.days} days have passed since my "
                     "request, and I have not been given access or told of any restriction.")
    else:
        rule_text = (f"The regulations require access within {rule.days} days of the request "
                     f"({rule.citation}), and I have not been given access.")
    return {
        "letter_date": long_date(today),
        "student": request.student.model_dump(),
        "situation": "student_no_access",
        "situation_paragraphs": [
            f"{asked} {rule_text}",
            f"Please give me access to the record, and the copies I asked for, by "
            f"{long_date(answer_by)}. I am sending a copy of this letter to the "
            f"{agency.records_officer.office}.",
        ],
        "copy_to": copy_to_block(agency),
        "requester": requester_block(request),
        "law": law_data(),
        "law_version": LAW_VERSION,
    }


def _long(day: date | None) -> str:
    return long_date(day) if day else ""


def _next_text(timeline: Timeline, agency: Agency, today: date) -> str:
    upcoming = timeline.next_deadline(today)
    if upcoming is None:
        return _("none")
    title, _what = deadline_in_words(upcoming, agency.short_name)
    # Lower case at the start only: the title may name the agency ("BPS").
    return _("{title} on {date}").format(title=title[:1].lower() + title[1:],
                                         date=upcoming.date)
