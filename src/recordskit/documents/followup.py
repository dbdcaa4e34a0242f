"""``follow_up.docx``: a polite, firm letter when a response or a production date was missed."""

from __future__ import annotations

from datetime import date
from typing import Any

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.events import FINAL_STATES, event_title
from recordskit.deadlines.timeline import Timeline
from recordskit.documents.letter import (
    agency_block,
    delivery_line,
    law_data,
    original_request_block,
    requester_block,
)
from recordskit.errors import UserError
from recordskit.law import LAW_VERSION
from recordskit.models import Agency, Directory
from recordskit.text import long_date
from recordskit.tracking.log import LoggedRequest
from recordskit.tracking.service import timeline_of

REPLY_BUSINESS_DAYS = 5
"""Not law: the courtesy time a follow-up letter gives before the requester considers appealing."""


def followup_context(logged: LoggedRequest, directory: Directory, today: date
                     ) -> dict[str, Any]:
    """What ``follow_up.docx`` says; refuses when there is nothing to follow up yet."""
    agency = directory.agency(logged.request.agency)
    timeline = timeline_of(logged, directory, today)
    facts = timeline.facts
    if facts.student:
        raise UserError("follow_up.docx is for public records requests; for a student record, "
                        "write to the principal again, with a copy to the BPS Office of Legal "
                        "Advisor")
    production_due = timeline.date_of("production_due")
    produced = any(r.details.get("kind") in ("produced", "no_records") for r in facts.responses)
    if facts.overdue:
        situation = "no_response"
    elif production_due and today > production_due and not produced:
        situation = "production_missed"
    elif timeline.state in FINAL_STATES:
        raise UserError(f"the request is {timeline.state}; there is nothing to follow up")
    else:
        raise UserError(f"nothing to follow up yet: the request is {timeline.state}, and the "
                        f"next deadline is {_next_text(timeline, agency, today)}")
    appeal_deadline = timeline.date_of("appeal_deadline") or timeline.date_of(
        "appeal_deadline_no_response")
    return {
        "letter_date": long_date(today),
        "agency": agency_block(agency),
        "delivery_line": delivery_line(logged.request, agency),
        "original": original_request_block(logged.request, agency, logged.active_events,
                                           facts.received),
        "situation": situation,
        "late_response": facts.late_response or situation == "no_response",
        "dates": {
            "response_due": long_date(facts.response_due),
            "production_due": long_date(production_due) if production_due else "",
            "reply_by": long_date(calendar_for(agency, directory).add_business_days(
                today, REPLY_BUSINESS_DAYS)),
            "appeal_deadline": long_date(appeal_deadline) if appeal_deadline else "",
        },
        "law": law_data(),
        "requester": requester_block(logged.request),
        "law_version": LAW_VERSION,
    }


def _next_text(timeline: Timeline, agency: Agency, today: date) -> str:
    upcoming = timeline.next_deadline(today)
    if upcoming is None:
        return "none"
    return f"{event_title(upcoming.event, agency.short_name).lower()} on {upcoming.date}"
