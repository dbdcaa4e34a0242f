"""The schedule of a new request, against dates counted by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from recordskit.deadlines.calendars import get_calendar
from recordskit.deadlines.schedule import new_request_schedule
from recordskit.intake.answers import request_from
from recordskit.models import Agency
from recordskit.service import Directory

Answers = Callable[..., dict[str, Any]]
D = date.fromisoformat


def _schedule(directory: Directory, answers: Answers, **changes: Any) -> dict[str, date]:
    request = request_from(answers(**changes), directory)
    agency = directory.agency(request.agency)
    schedule = new_request_schedule(request, agency, get_calendar(agency.calendar))
    assert [d.event for d in schedule.deadlines] == ["received", "response_due", "follow_up",
                                                        "production_due_max",
                                                        "appeal_deadline_no_response"]
    return {d.event: d.date for d in schedule.deadlines}


# sent_on, delivery, then the five dates, each counted by hand on the Boston calendar.
HAND_COUNTED = [
    # Email on Fri 12 June 2026: Bunker Hill Day (17th) and Juneteenth (19th) are skipped, and
    # Friday 3 July (Independence Day is a Saturday: Boston closes the Friday, by assumption).
    ("2026-06-12", "email", "2026-06-12", "2026-06-30", "2026-07-01", "2026-07-22", "2026-09-10"),
    # Email on Mon 23 Nov 2026: Thanksgiving and Christmas fall in the counts; the appeal
    # deadline (Sun 21 Feb 2027) is not moved off the weekend.
    ("2026-11-23", "email", "2026-11-23", "2026-12-08", "2026-12-09", "2026-12-30", "2027-02-21"),
    # Portal on Saturday 21 Nov 2026: counts as received Monday the 23rd; appeal from the 21st.
    ("2026-11-21", "portal", "2026-11-23", "2026-12-08", "2026-12-09", "2026-12-30", "2027-02-19"),
    # Mail on Fri 12 June 2026: assumed to arrive 3 business days later (Thu 18th, past
    # Bunker Hill Day), so every business-day deadline moves; the appeal deadline does not.
    # Friday 3 July is counted closed (the Friday before a Saturday holiday).
    ("2026-06-12", "mail", "2026-06-18", "2026-07-06", "2026-07-07", "2026-07-27", "2026-09-10"),
]


@pytest.mark.parametrize(("sent_on", "delivery", "received", "response_due", "follow_up",
                          "production_due_max", "appeal"), HAND_COUNTED)
def test_new_request_schedule(directory: Directory, answers: Answers, sent_on: str, delivery: str,
                              received: str, response_due: str, follow_up: str,
                              production_due_max: str, appeal: str) -> None:
    extra = {"requester__mailing_address": "1 Main St"} if delivery == "mail" else {}
    dates = _schedule(directory, answers, sent_on=sent_on, delivery=delivery, **extra)
    assert dates == {
        "received": D(received),
        "response_due": D(response_due),
        "follow_up": D(follow_up),
        "production_due_max": D(production_due_max),
        "appeal_deadline_no_response": D(appeal),
    }


def test_descriptions_and_citations(directory: Directory, answers: Answers) -> None:
    request = request_from(answers(), directory)
    agency = directory.agency("bps")
    schedule = new_request_schedule(request, agency, get_calendar("boston"))
    by_event = {d.event: d for d in schedule.deadlines}
    assert by_event["response_due"].citation == "M.G.L. c. 66, § 10(a)–(b); 950 CMR 32.06(2)(b)"
    assert "10 business days after receipt" in by_event["response_due"].description
    assert "Bunker Hill Day (2026-06-17)" in by_event["response_due"].description
    assert by_event["production_due_max"].citation == "M.G.L. c. 66, § 10(b)(vi)"
    assert "25 business days" in by_event["production_due_max"].description
    assert by_event["appeal_deadline_no_response"].citation == "950 CMR 32.08(1)(c)–(d)"
    assert "90 calendar days" in by_event["appeal_deadline_no_response"].description
    assert "no fee may be charged" in by_event["follow_up"].description
    assert schedule.notes and "Suffolk County" in schedule.notes[0].text
    # The notes are their own data, beside the dates: no description repeats one (the
    # printable schedule shows each description as it is, and the notes once below).
    assert not any(note.text in d.description for note in schedule.notes
                   for d in schedule.deadlines)


def test_no_suffolk_note_when_no_suffolk_day_is_counted(directory: Directory,
                                                       answers: Answers) -> None:
    request = request_from(answers(sent_on="2026-11-23"), directory)
    schedule = new_request_schedule(request, directory.agency("bps"), get_calendar("boston"))
    assert schedule.notes == ()
    assert all("Suffolk" not in d.description for d in schedule.deadlines)


def test_state_agency_production_limit_is_fifteen(directory: Directory, answers: Answers) -> None:
    request = request_from(answers(sent_on="2026-11-23"), directory)
    changes = {"kind": "state_agency", "calendar": "massachusetts"}
    state_body = Agency.model_validate(directory.agency("bps").model_dump() | changes)
    schedule = new_request_schedule(request, state_body, get_calendar("massachusetts"))
    # Nov 23 2026 + 15 business days: Thanksgiving (26th) skipped -> Tue 15 Dec 2026.
    assert schedule.date_of("production_due_max") == D("2026-12-15")
    assert "15 business days" in schedule.deadlines[3].description


def test_an_assumed_receipt_is_titled_expected_and_a_logged_one_is_not(
        directory: Directory, answers: Answers) -> None:
    from recordskit.service import deadline_title

    request = request_from(answers(delivery="mail", requester__mailing_address="1 Main St"),
                           directory)
    agency = directory.agency(request.agency)
    calendar = get_calendar(agency.calendar)
    assumed = new_request_schedule(request, agency, calendar).deadlines[0]
    logged = new_request_schedule(request, agency, calendar,
                                  received_on=D("2026-06-17")).deadlines[0]
    assert (assumed.basis, logged.basis) == ("assumed", "logged")
    assert deadline_title(assumed, "BPS") == "Request received by BPS (expected)"
    assert deadline_title(logged, "BPS") == "Request received by BPS"
