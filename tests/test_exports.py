"""schedule.csv and schedule.ics, read back the way a spreadsheet and a calendar read them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from icalendar import Calendar

from recordskit.intake.answers import request_from
from recordskit.service import Directory, prepare_request

Answers = Callable[..., dict[str, Any]]


def test_csv(directory: Directory, answers: Answers) -> None:
    made = prepare_request(request_from(answers(), directory), directory)
    text = made.files["schedule.csv"].decode("utf-8")
    assert text.splitlines()[0] == "date,event,description,citation,basis"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["date"], r["event"]) for r in rows] == [
        ("2026-06-12", "received"),
        ("2026-06-30", "response_due"),
        ("2026-07-01", "follow_up"),
        ("2026-07-22", "production_due_max"),  # Friday 3 July counted closed for Boston
        ("2026-09-10", "appeal_deadline_no_response"),
    ]
    assert rows[1]["citation"] == "M.G.L. c. 66, § 10(a)–(b); 950 CMR 32.06(2)(b)"
    assert all(r["description"] for r in rows)
    # Emailed, receipt not logged: the receipt is an assumption and says which; the rest counted.
    assert rows[0]["basis"].startswith("assumed: a request sent by email, through a portal or by "
                                       "hand is assumed to arrive the day it is sent")
    assert [r["basis"] for r in rows[1:]] == ["computed"] * 4


def test_csv_basis_of_a_mailed_request(directory: Directory, answers: Answers) -> None:
    made = prepare_request(request_from(answers(delivery="mail", agency="bpd", records=[
        "bric-federal-access-rules"]), directory), directory)
    rows = list(csv.DictReader(io.StringIO(made.files["schedule.csv"].decode("utf-8"))))
    assert rows[0]["event"] == "received"
    # Friday 12 June + 3 business days: 15, 16, and 18 June (17 June is Bunker Hill Day)
    assert rows[0]["date"] == "2026-06-18"
    assert rows[0]["basis"] == ("assumed: a mailed letter is assumed to arrive 3 business days "
                                "after it is posted")


def test_ics(directory: Directory, answers: Answers) -> None:
    made = prepare_request(request_from(answers(), directory), directory)
    calendar = Calendar.from_ical(made.files["schedule.ics"])
    assert str(calendar["version"]) == "2.0"
    events = calendar.walk("VEVENT")
    assert len(events) == 5
    by_uid = {str(e["uid"]): e for e in events}
    assert set(by_uid) == {f"{made.request_id}-{event}@recordskit.invalid" for event in (
        "received", "response_due", "follow_up", "production_due_max",
        "appeal_deadline_no_response")}
    due = by_uid[f"{made.request_id}-response_due@recordskit.invalid"]
    assert due.decoded("dtstart") == date(2026, 6, 30)  # all-day: a date, not a datetime
    assert due.decoded("dtend") == date(2026, 7, 1)
    assert str(due["summary"]) == "Response due from BPS"
    assert "Law: M.G.L. c. 66, § 10(a)–(b)" in str(due["description"])
    assert [a.decoded("trigger") for a in due.walk("VALARM")] == [timedelta(days=-1)]
    appeal = by_uid[f"{made.request_id}-appeal_deadline_no_response@recordskit.invalid"]
    assert [a.decoded("trigger") for a in appeal.walk("VALARM")] == [timedelta(days=-7),
                                                                    timedelta(days=-1)]
    assert all(len(line) <= 75 for line in made.files["schedule.ics"].split(b"\r\n"))


def test_same_request_same_bytes_and_uids(directory: Directory, answers: Answers) -> None:
    first = prepare_request(request_from(answers(), directory), directory)
    second = prepare_request(request_from(answers(), directory), directory)
    assert first.files["schedule.ics"] == second.files["schedule.ics"]
    other = prepare_request(request_from(answers(sent_on="2026-06-15"), directory), directory)
    assert other.request_id != first.request_id
