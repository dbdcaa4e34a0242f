"""Making a request: from answers (a file, a form, an interview) to a checked request, then to
its folder of files.

``prepare`` tells a front end what it must put to the person before anything is written: the
personal details the privacy guard found, each with its field, and whether the first answer was
already due on the day given as sent. ``make_request`` then writes the folder (and refuses the
same things unless told the person chose them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.schedule import first_answer_due, receipt_day
from recordskit.intake.answers import request_from
from recordskit.intake.interview import summary
from recordskit.intake.privacy import Finding, personal_details
from recordskit.models import Directory, Request


@dataclass(frozen=True)
class PassedDate:
    """A ``sent_on`` whose first answer was due before today: usually a mistake, unless the
    letter really went then."""

    sent_on: date
    due: date


@dataclass(frozen=True)
class ClosedDay:
    """The sending day is one the office is closed (not by mail, which arrives days later):
    the request counts as received on the next business day."""

    reason: str
    """Why the office is closed (a holiday's name, a weekend), as the calendar says it."""
    received_on: date


@dataclass(frozen=True)
class Preparation:
    """A checked request, and what the person must decide before it is written."""

    request: Request
    findings: tuple[Finding, ...]
    """Personal details in the answers (a child's name, an A-number …), each with its field."""
    passed: PassedDate | None
    """Set when the first answer was already due: the person confirms the day, or changes it."""
    closed: ClosedDay | None = None
    """Set when the request arrives on a day the office is closed, to be explained."""


def answers_from_mapping(data: Mapping[str, Any], directory: Directory, *,
                         source: str = "answers") -> Request:
    """A request from answers keyed as an answers file is (``requester`` a mapping, or
    ``requester.name`` … flat), checked the same way; errors name the field."""
    nested: dict[str, Any] = {}
    for key, value in data.items():
        if "." in key:
            outer, inner = key.split(".", 1)
            nested.setdefault(outer, {})[inner] = value
        else:
            nested[key] = value
    return request_from(nested, directory, file=source)


def prepare(request: Request, directory: Directory, today: date) -> Preparation:
    """What the privacy guard finds and whether the first answer was already due."""
    agency = directory.agency(request.agency)
    calendar = calendar_for(agency, directory)
    due = first_answer_due(request.sent_on, request.delivery, calendar,
                           student=request.request_type == "student_records",
                           non_custodial=request.non_custodial)
    passed = PassedDate(request.sent_on, due) if due < today else None
    reason = calendar.closed_reason(request.sent_on) if request.delivery != "mail" else None
    closed = ClosedDay(reason, receipt_day(request.sent_on, request.delivery, calendar)) \
        if reason else None
    return Preparation(request, tuple(personal_details(request)), passed, closed)


def free_folder(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``… when it is taken: a default never
    overwrites."""
    candidate, number = parent / name, 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{name}-{number}"
    return candidate


def default_folder(request: Request, parent: Path) -> Path:
    """Where a request's files go when no folder is named: ``request-AGENCY-DATE``."""
    return free_folder(parent, f"request-{request.agency}-{request.sent_on}")


def answers_in_words(request: Request, directory: Directory, *,
                     dated_by_clinic: bool = False) -> str:
    """A request's answers in plain words in the language in use, as the interview's review
    shows them (what a family reads instead of the answers file's keys); ``dated_by_clinic``
    for a request a clinic will date and send, whose day is not yet known."""
    return summary(request, directory, dated_by_clinic=dated_by_clinic)
