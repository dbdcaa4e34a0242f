"""After the letter: the log, recomputed schedules, follow-up and appeal letters, the calendar.

Every date below was counted by hand on a printed calendar (Boston calendar for BPS, the
Massachusetts one for the Supervisor of Records).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from recordskit.cli import cli
from recordskit.service import Directory, open_log
from tests.conftest import docx_text

Answers = Callable[..., dict[str, Any]]

# The whole follow-through, on the SQLite file and on a PostgreSQL server.
pytestmark = pytest.mark.usefixtures("backend")


def run(*args: str, today: str | None = None) -> Result:
    env = {"RECORDSKIT_TODAY": today} if today else {}
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def sent(tmp_path: Path, answers: Answers) -> str:
    """A request to BPS, emailed on Monday 23 November 2026, and its id in the log."""
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers(sent_on="2026-11-23")), encoding="utf-8")
    result = run("new", "--answers", str(path), "--out", str(tmp_path / "request"))
    assert result.exit_code == 0, result.output
    logged = open_log().all()
    assert len(logged) == 1
    assert f"Logged as request {logged[0].id}" in result.output
    return logged[0].id


def status_json(today: str) -> list[dict[str, Any]]:
    result = run("status", "--json", today=today)
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.output)
    return data


def schedule_of(entry: dict[str, Any]) -> dict[str, str]:
    return {item["event"]: item["date"] for item in entry["schedule"]}


def test_new_records_the_request(sent: str, tmp_path: Path) -> None:
    logged = open_log().get(sent[:6])
    assert logged.id == sent
    assert logged.folder == str((tmp_path / "request").resolve())
    assert logged.request.sent_on.isoformat() == "2026-11-23"


def test_no_log_leaves_nothing(tmp_path: Path, answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()), encoding="utf-8")
    assert run("new", "--answers", str(path), "--out", str(tmp_path / "o"), "--no-log"
               ).exit_code == 0
    assert open_log().all() == []
    assert "No open requests" in run("status").output


def test_no_answer_then_follow_up_then_appeal(sent: str, tmp_path: Path) -> None:
    [entry] = status_json("2026-12-01")
    assert entry["id"] == sent and entry["agency"] == "bps" and entry["state"] == "sent"
    assert entry["next"] == {"date": "2026-12-08", "event": "response_due"}
    assert schedule_of(entry) == {
        "received": "2026-11-23", "response_due": "2026-12-08", "follow_up": "2026-12-09",
        "production_due_max": "2026-12-30", "appeal_deadline_no_response": "2027-02-21"}
    assert {"date", "event", "description", "citation", "basis"} == set(entry["schedule"][0])
    early = run("followup", sent, "--out", str(tmp_path / "f"), today="2026-12-01")
    assert early.exit_code == 1
    assert "nothing to follow up yet" in early.output
    assert "response due from BPS on 2026-12-08" in early.output  # its name as written
    assert "nothing to appeal yet" in run("appeal", sent, "--out", str(tmp_path / "a"),
                                          today="2026-12-01").output

    [entry] = status_json("2026-12-09")
    assert entry["state"] == "overdue"
    assert entry["next"] == {"date": "2026-12-09", "event": "follow_up"}
    # The receipt was not logged: the overdue note says the date it rests on is assumed.
    assert "the response date if the request was received on 2026-11-23, as assumed (not " \
           "confirmed). If it was, no fee may be charged" in entry["notes"][0]
    assert "by 2027-02-21" in entry["notes"][0]

    followed = run("followup", sent, "--out", str(tmp_path / "f"), today="2026-12-09")
    assert followed.exit_code == 0, followed.output
    letter = docx_text(tmp_path / "f" / "follow_up.docx")
    assert "Re: Follow-up on my public records request of November 23, 2026" in letter
    assert "The law requires a response within 10 business days of receipt (M.G.L. c. 66, " \
           "§ 10(a)–(b); 950 CMR 32.06(2)(b)). It was sent by email on November 23, 2026; its " \
           "receipt has not been confirmed, so it is taken to have been received on November " \
           "23, 2026. Counted from that day, a response was due by December 8, 2026. I have " \
           "not received one." in letter
    assert "If the request reached you then, no fee may now be charged for these records, " \
           "because no response came within that time (950 CMR 32.06(2)(c))" in letter
    assert "Please send the records, or your written response, by December 16, 2026." in letter
    assert "the last day for that is February 21, 2027 (950 CMR 32.08(1)(c)–(d))" in letter

    appealed = run("appeal", sent, "--out", str(tmp_path / "appeal"), today="2026-12-28")
    assert appealed.exit_code == 0, appealed.output
    assert "Last day to file: February 21, 2027" in appealed.output
    packet = tmp_path / "appeal"
    assert sorted(p.name for p in packet.iterdir()) == [
        "appeal.docx", "appeal_checklist.txt", "appeal_cover.docx"]
    appeal = docx_text(packet / "appeal.docx")
    assert appeal.startswith("December 28, 2026\nSupervisor of Records\nDivision of Public "
                             "Records, Office of the Secretary of the Commonwealth\nOne "
                             "Ashburton Place, Room 1719\nBoston, MA 02108")
    # No receipt was logged: the day of receipt is stated as the assumption it is.
    assert "1. No response within the time the law allows. It was sent by email on November " \
           "23, 2026; its receipt has not been confirmed, so it is taken to have been received " \
           "on November 23, 2026. BPS had to respond within 10 business days of receipt, by " \
           "December 8, 2026, counted from that assumed day (M.G.L. c. 66, § 10(a)–(b); 950 " \
           "CMR 32.06(2)(b)). It has not responded at all. Because it did not respond in " \
           "time, no fee may be charged for these records (950 CMR 32.06(2)(c))." in appeal
    assert "within 90 calendar days of the request, since there was no response " \
           "(950 CMR 32.08(1)(c)–(d))" in appeal
    assert "produce the requested records promptly, without charge" in appeal
    assert "cc: Records Access Officer, Boston Public Schools" in appeal
    cover = docx_text(packet / "appeal_cover.docx")
    assert "The regulations require that you receive a copy (950 CMR 32.08(1)(e)–(h))." in cover
    checklist = (packet / "appeal_checklist.txt").read_text()
    assert "(the email with its full headers)" in checklist
    assert "time, date, subject, sender and recipient addresses (950 CMR 32.08(1)(f))" in checklist
    assert "by February 21, 2027" in checklist

    logged = run("log", sent[:8], "appealed", "--on", "2026-12-28", "--number", "SPR26/1234",
                 today="2026-12-28")
    assert logged.exit_code == 0, logged.output
    assert "State: appealed." in logged.output
    [entry] = status_json("2026-12-28")
    # Supervisor's calendar: Dec 28 + 10 business days, New Year's Day skipped.
    assert entry["next"] == {"date": "2027-01-12", "event": "appeal_decision_due"}
    assert "appeal_deadline_no_response" not in schedule_of(entry)


def test_appeal_refused_after_the_window(sent: str, tmp_path: Path) -> None:
    late = run("appeal", sent, "--out", str(tmp_path / "a"), today="2027-02-22")
    assert late.exit_code == 1
    assert "the appeal window closed on 2027-02-21" in late.output
    assert "90 calendar days of the request" in late.output
    assert "Superior Court" in late.output
    assert not (tmp_path / "a").exists()
    close = run("appeal", sent, "--out", str(tmp_path / "b"), today="2027-02-17")
    assert close.exit_code == 0
    assert "Warning: Only 4 days are left" in close.output


def test_confirmed_receipt_and_an_extension_beyond_the_limit(sent: str, tmp_path: Path) -> None:
    assert run("log", sent, "received", "--on", "2026-11-24", "--tracking", "R004625-112426",
               today="2026-11-25").exit_code == 0
    [entry] = status_json("2026-11-25")
    assert entry["state"] == "acknowledged"
    assert schedule_of(entry)["response_due"] == "2026-12-09"
    assert schedule_of(entry)["production_due_max"] == "2026-12-31"
    extended = run("log", sent, "response", "--kind", "extension", "--until", "2027-01-29",
                   "--on", "2026-12-07", today="2026-12-07")
    assert extended.exit_code == 0, extended.output
    assert "Warning: BPS set 2027-01-29 for production, later than 2026-12-31, the 25 " \
           "business days after receipt the law allows (M.G.L. c. 66, § 10(b)(vi))" \
           in extended.output
    [entry] = status_json("2026-12-07")
    assert entry["state"] == "extension"
    schedule = schedule_of(entry)
    assert schedule["production_due"] == "2027-01-29"
    assert schedule["appeal_deadline"] == "2027-03-07"
    assert "follow_up" not in schedule and "appeal_deadline_no_response" not in schedule
    appealed = run("appeal", sent, "--out", str(tmp_path / "a"), today="2026-12-08")
    assert appealed.exit_code == 0, appealed.output
    text = docx_text(tmp_path / "a" / "appeal.docx")
    assert "(reference R004625-112426)" in text
    assert "A production date beyond the limit. In its response of December 7, 2026, BPS set " \
           "January 29, 2027 for production, later than December 31, 2026, 25 business days " \
           "after receipt" in text
    # The Supervisor then grants the time: the ground is gone, the order's date is kept.
    assert run("log", sent, "petition", "--on", "2026-12-08", today="2026-12-10").exit_code == 0
    granted = run("log", sent, "petition_granted", "--days", "20", "--until", "2027-01-29",
                  "--on", "2026-12-10", today="2026-12-10")
    assert granted.exit_code == 0
    [entry] = status_json("2026-12-10")
    assert entry["state"] == "extension granted"
    # A granted extension is lawful: the log no longer shows a ground, and nothing says
    # "you may appeal" (the petition was on time: the limit is 20 business days after receipt).
    assert schedule_of(entry)["petition_limit"] == "2026-12-23"
    assert not any("appeal" in warning for warning in entry["warnings"])
    assert entry["next_step"]["kind"] != "appeal"
    refused = run("appeal", sent, "--out", str(tmp_path / "b"), today="2026-12-11")
    assert refused.exit_code == 1
    assert "the log shows no ground for an appeal" in refused.output
    assert "--objection TEXT" in refused.output


def test_late_fee_estimate_and_denial(sent: str, tmp_path: Path) -> None:
    assert run("log", sent, "response", "--kind", "fee_estimate", "--amount", "300", "--on",
               "2026-12-10", today="2026-12-10").exit_code == 0
    [entry] = status_json("2026-12-10")
    assert entry["state"] == "fee estimate"
    assert "The first response came on 2026-12-10, after the response date 2026-12-08: no fee " \
           "may be charged" in entry["notes"][-1]
    assert run("log", sent, "response", "--kind", "denied", "--no-exemption", "--on",
               "2026-12-14", today="2026-12-14").exit_code == 0
    [entry] = status_json("2026-12-14")
    assert entry["state"] == "denied"
    assert schedule_of(entry)["appeal_deadline"] == "2027-03-14"  # from the latest response
    result = run("appeal", sent, "--out", str(tmp_path / "a"), "--objection",
                 "The denial gives no reason at all.", today="2026-12-15")
    assert result.exit_code == 0, result.output
    text = docx_text(tmp_path / "a" / "appeal.docx")
    # Both windows are open: each ground is argued, each saying the response it rests on.
    assert "Records withheld without a specific exemption. BPS's response of December 14, " \
           "2026 withheld records" in text
    assert "This ground rests on BPS's response of December 14, 2026 (denied)." in text
    assert "A fee after a late response. On December 10, 2026, BPS asked for a fee of $300. " \
           "Its first response came after the response date" in text
    assert "This ground rests on BPS's response of December 10, 2026 (fee estimate)." in text
    assert "I ask you to strike any fee it has asked for." in text
    assert "I also object specifically to the following:\n•\tThe denial gives no reason at all." \
           in text
    assert "It responded on December 10, 2026 (fee estimate) and December 14, 2026 (denied)." \
           in text


@pytest.mark.parametrize(("args", "message"), [
    (("received", "--on", "2026-11-20"), "the request was sent on 2026-11-23, and an event "
     "cannot come before it"),
    (("received", "--on", "2026-12-20"), "that date is in the future"),
    (("response", "--on", "2026-12-01"), "a response needs its kind, one of: produced, "
     "partial, denied, fee_estimate, extension, no_records, closed_inactive (--kind)"),
    (("response", "--kind", "extension", "--on", "2026-12-01"),
     "needs the production date the body set (--until)"),
    (("response", "--kind", "extension", "--until", "2026-11-30", "--on", "2026-12-01"),
     "until 2026-11-30 is before the event's date 2026-12-01 (--until)"),
    (("petition_granted", "--on", "2026-12-01"),
     "petition_granted needs the number of business days the Supervisor granted, as the "
     "order states (--days)"),
])
def test_impossible_events_are_refused(sent: str, args: tuple[str, ...], message: str) -> None:
    result = run("log", sent, *args, today="2026-12-02")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert open_log().get(sent).events == ()


def test_undo_keeps_both_events(sent: str) -> None:
    assert run("log", sent, "received", "--on", "2026-11-30", today="2026-12-01").exit_code == 0
    [entry] = status_json("2026-12-01")
    assert schedule_of(entry)["response_due"] == "2026-12-14"
    undone = run("undo", sent, "1", today="2026-12-01")
    assert undone.exit_code == 0 and "Undid event 1 (received)" in undone.output
    [entry] = status_json("2026-12-01")
    assert schedule_of(entry)["response_due"] == "2026-12-08"
    events = open_log().get(sent).events
    assert [(e.seq, e.event) for e in events] == [(1, "received"), (2, "undo")]
    assert "already undone" in run("undo", sent, "1", today="2026-12-01").output
    shown = run("show", sent, today="2026-12-01")
    assert "received (undone)" in shown.output
    assert "school-police-reports-shared-with-bric" in shown.output


def test_closed_requests_leave_status(sent: str) -> None:
    assert run("log", sent, "closed", "--on", "2026-12-01", today="2026-12-01").exit_code == 0
    assert status_json("2026-12-01") == []
    assert [e["state"] for e in json.loads(run("status", "--json", "--all").output)] == ["closed"]
    after = run("log", sent, "paid", "--on", "2026-12-01", today="2026-12-01")
    assert "was marked closed on 2026-12-01" in after.output


def test_ids_by_prefix(sent: str) -> None:
    assert "too short" in run("show", sent[:2]).output
    assert "no request in the log has id 'ffffffff'" in run("show", "ffffffff").output


def test_calendar_of_every_open_request(sent: str, tmp_path: Path, answers: Answers) -> None:
    from icalendar import Calendar

    second = tmp_path / "b.yaml"
    second.write_text(yaml.safe_dump(answers(agency="city-clerk", delivery="portal",
                                             records=["trust-act-annual-reports"])))
    assert run("new", "--answers", str(second), "--out", str(tmp_path / "b")).exit_code == 0
    out = tmp_path / "all.ics"
    result = run("calendar", "--out", str(out), today="2026-12-01")
    assert result.exit_code == 0
    assert "10 deadlines of 2 open requests" in result.output
    uids = {str(e["uid"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert f"{sent}-response_due@recordskit.invalid" in uids
    assert len(uids) == 10
    assert "already exists" in run("calendar", "--out", str(out)).output
    assert run("calendar", "--out", str(out), "--force", today="2026-12-01").exit_code == 0
    again = {str(e["uid"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert again == uids


def test_library_errors_name_fields_not_flags(directory: Directory, answers: Answers) -> None:
    """The library is used without the command line: its errors name the field, not an option."""
    from datetime import date

    from recordskit.deadlines.timeline import check_event
    from recordskit.errors import FieldError
    from recordskit.intake.answers import request_from
    from recordskit.logged import parse_details
    from recordskit.models import LoggedEvent
    from recordskit.service import Response, ResponseKind, UserError

    with pytest.raises(FieldError) as caught:  # where an event enters
        parse_details("response", {}, strict=True)
    assert caught.value.field == "kind"
    assert "--" not in str(caught.value)
    request = request_from(answers(sent_on="2026-11-23"), directory)
    closed = LoggedEvent(1, date(2026, 11, 24), parse_details("closed", {}))
    with pytest.raises(UserError, match="closed"):  # against the request's history
        check_event(request, [closed], Response(kind=ResponseKind.EXTENSION),
                    date(2026, 12, 1), date(2026, 12, 2))
    with pytest.raises(FieldError) as caught:
        check_event(request, [], Response(kind=ResponseKind.EXTENSION), date(2026, 12, 1),
                    date(2026, 12, 2))
    assert caught.value.field == "until"
