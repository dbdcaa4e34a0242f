"""Realistic sample contexts for every template, to check and preview templates with.

Each sample is built the way a real document is, through the same context functions, from the
directory in use, so a template is checked against exactly the fields the renderer supplies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from recordskit.deadlines.calendars import get_calendar
from recordskit.deadlines.schedule import new_request_schedule, student_records_schedule
from recordskit.directory.load import load_directory
from recordskit.documents.contexts.appeal import appeal_context, prepare_appeal
from recordskit.documents.contexts.followup import followup_context, plan_followup
from recordskit.documents.contexts.letter import letter_context, student_letter_context
from recordskit.documents.contexts.schedule_page import schedule_context
from recordskit.documents.contexts.summary import summary_context
from recordskit.intake.answers import request_from
from recordskit.logged import parse_details
from recordskit.models import Directory, LoggedEvent, Request
from recordskit.tracking.log import LoggedRequest


def sample_request_context() -> dict[str, Any]:
    """What ``request.docx`` receives, for a realistic request that uses every part."""

    directory = load_directory()
    request = request_from({
        "agency": "bps",
        "records": ["school-police-reports-shared-with-bric", "incident-report-sharing-policies"],
        "other_records": "Emails between BPS Safety Services and the BRIC about incident "
                         "reports, including their attachments.",
        "date_from": None, "date_to": None,
        "requester": {"name": "Ana Pérez", "organization": "Example Family Law Clinic",
                      "email": "ana@example.org",
                      "mailing_address": "100 Main Street\nBoston, MA 02110",
                      "phone": "617-555-0100"},
        "delivery": "email", "sent_on": date(2026, 11, 23).isoformat(),
        "fee_waiver": "public_interest", "max_fee": 25, "format": "electronic",
    }, directory)
    agency = directory.agency(request.agency)
    schedule = new_request_schedule(request, agency, get_calendar(agency.calendar))
    return letter_context(request, directory, schedule)


def _sample_logged(events: list[tuple[str, str, dict[str, Any]]]
                   ) -> tuple[LoggedRequest, Directory]:

    directory = load_directory()
    request = request_from({
        "agency": "bps", "records": ["school-police-reports-shared-with-bric",
                                     "incident-report-sharing-policies"],
        "requester": {"name": "Ana Pérez", "email": "ana@example.org",
                      "mailing_address": "100 Main Street\nBoston, MA 02110"},
        "delivery": "email", "sent_on": "2026-11-23",
    }, directory)
    logged = LoggedRequest("sample0001", "2026-11-23T12:00:00+00:00", request, "", "", tuple(
        LoggedEvent(i, date.fromisoformat(on), parse_details(name, details))
        for i, (name, on, details) in enumerate(events, start=1)))
    return logged, directory


def sample_follow_up_context() -> dict[str, Any]:
    """A follow-up on a request that got no answer."""

    logged, directory = _sample_logged([("received", "2026-11-23",
                                         {"tracking": "R004625-112326"})])
    today = date(2026, 12, 15)
    return followup_context(logged, directory, plan_followup(logged, directory, today), today)


def sample_appeal_context() -> dict[str, Any]:
    """An appeal after a late denial without an exemption and a late fee estimate."""

    logged, directory = _sample_logged([
        ("received", "2026-11-23", {"tracking": "R004625-112326"}),
        ("response", "2026-12-14", {"kind": "denied", "no_exemption": True}),
        ("response", "2026-12-16", {"kind": "fee_estimate", "amount": "450"}),
    ])
    return appeal_context(prepare_appeal(logged, directory, date(2026, 12, 21),
                                         grounds=("excessive_fee",),
                                         earlier_appeal="SPR26/0999"))


def sample_schedule_context() -> dict[str, Any]:
    """The printable schedule of the sample request."""

    logged, directory = _sample_logged([])
    request = logged.request.model_copy(update={"sent_on": date(2026, 6, 12)})
    agency = directory.agency(request.agency)
    schedule = new_request_schedule(request, agency, get_calendar(agency.calendar))
    return schedule_context(request, directory, schedule)


def _sample_student_request() -> tuple[Request, Directory]:
    """María Pérez's hand-delivered request for her son's record at East Boston High School."""
    directory = load_directory()
    request = request_from({
        "request_type": "student_records", "agency": "bps",
        "student": {"name": "Carlos Pérez", "school": "East Boston High School", "grade": "10"},
        "requester_role": "parent",
        "requester": {"name": "María Pérez", "email": "maria@example.org"},
        "delivery": "hand", "sent_on": "2026-11-23",
    }, directory)
    return request, directory


def sample_student_context() -> dict[str, Any]:
    """A parent's request for a child's student record."""
    request, directory = _sample_student_request()
    agency = directory.agency("bps")
    schedule = student_records_schedule(request, agency, get_calendar(agency.calendar))
    return student_letter_context(request, directory, schedule)


def sample_summary_context() -> dict[str, Any]:
    """The family's summary of the sample request."""

    logged, directory = _sample_logged([])
    agency = directory.agency(logged.request.agency)
    schedule = new_request_schedule(logged.request, agency, get_calendar(agency.calendar))
    return summary_context(logged.request, directory, schedule)


def sample_student_follow_up_context() -> dict[str, Any]:
    """A parent's follow-up when the school has not given access within its 10 days."""
    request, directory = _sample_student_request()
    logged = LoggedRequest("sample0002", "2026-11-23T12:00:00+00:00", request, "", "", ())
    today = date(2026, 12, 10)
    return followup_context(logged, directory, plan_followup(logged, directory, today), today)


SAMPLE_CONTEXTS: dict[str, Callable[[], dict[str, Any]]] = {
    "request.docx": sample_request_context,
    "follow_up.docx": sample_follow_up_context,
    "appeal.docx": sample_appeal_context,
    "appeal_cover.docx": sample_appeal_context,
    "schedule.docx": sample_schedule_context,
    "student_records.docx": sample_student_context,
    "student_follow_up.docx": sample_student_follow_up_context,
    "summary.docx": sample_summary_context,
}
"""Every template recordskit renders, with the function that builds a realistic context for it."""
