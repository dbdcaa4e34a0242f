"""A logged request's timeline itself: windows, assumptions, follow-ups and next steps.

Every date was counted by hand on a printed calendar. Boston business days leave out weekends,
Massachusetts holidays (1 January, Martin Luther King Day 19 January 2026, Thanksgiving
26 November 2026) and Suffolk County's 17 March and 17 June. Appeal windows are 90 calendar
days: for example 12 January + 19 days = 31 January, + 28 = 28 February, + 31 = 31 March,
+ 12 = 12 April 2026.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from recordskit.deadlines.appeals import appeal_window
from recordskit.deadlines.followups import followup_situation, next_step
from recordskit.deadlines.timeline import Timeline, timeline_for
from recordskit.documents.contexts.appeal import (
    appeal_checklist,
    appeal_context,
    argue,
    prepare_appeal,
)
from recordskit.documents.rendering.docx_text import docx_text
from recordskit.intake.answers import request_from
from recordskit.logged import parse_details
from recordskit.models import LoggedEvent, Request
from recordskit.service import (
    Directory,
    LoggedRequest,
    UserError,
    make_appeal,
    make_followup,
    open_log,
)

D = date.fromisoformat
Answers = Callable[..., dict[str, Any]]


def events(*items: tuple[str, str, dict[str, Any]]) -> list[LoggedEvent]:
    return [LoggedEvent(seq, D(on), parse_details(name, details))
            for seq, (name, on, details) in enumerate(items, start=1)]


def dates(timeline: Timeline) -> dict[str, str]:
    return {d.key: d.date.isoformat() for d in timeline.deadlines}


@pytest.fixture
def bps_email(directory: Directory, answers: Answers) -> Request:
    """Emailed to BPS on Friday 2 January 2026."""
    return request_from(answers(sent_on="2026-01-02"), directory)


@pytest.fixture
def bpd_mail(directory: Directory, answers: Answers) -> Request:
    """Mailed to BPD on Monday 5 January 2026."""
    return request_from(answers(agency="bpd", delivery="mail", sent_on="2026-01-05",
                                records=["bric-federal-access-rules"]), directory)


def test_a_denial_then_a_partial_response_each_keep_their_window(
        bps_email: Request, directory: Directory) -> None:
    log = events(("response", "2026-01-12", {"kind": "denied"}),
                 ("response", "2026-03-30", {"kind": "partial"}))
    timeline = timeline_for(bps_email, log, directory, D("2026-04-01"))
    # The denial's window (12 January + 90 days) stays beside the partial response's
    # (30 March + 1 = 31 March, + 30 = 30 April, + 31 = 31 May, + 28 = 28 June).
    assert dates(timeline)["appeal_deadline-1"] == "2026-04-12"
    assert dates(timeline)["appeal_deadline-2"] == "2026-06-28"
    assert [w.closes for w in timeline.facts.windows] == [D("2026-04-12"), D("2026-06-28")]
    # By default an appeal takes the most recent window still open; either can be named.
    assert appeal_window(timeline, D("2026-04-01")).ref == "2"
    assert appeal_window(timeline, D("2026-04-01"), 1).closes == D("2026-04-12")
    late = timeline_for(bps_email, log, directory, D("2026-04-13"))
    with pytest.raises(UserError, match=r"the appeal window closed on 2026-04-12.*open: BPS's "
                       r"response of March 30, 2026 \(partial\) \(until 2026-06-28, event 2\)"):
        appeal_window(late, D("2026-04-13"), 1)
    # After a partial response the next step is the appeal, with the command's window.
    step = next_step(timeline, D("2026-04-01"))
    assert (step.kind, step.date, step.window) == ("appeal", D("2026-06-28"), "2")


def test_an_appeal_uses_the_window_it_names(bps_email: Request, directory: Directory) -> None:
    log = events(("response", "2026-01-12", {"kind": "denied"}),
                 ("response", "2026-03-30", {"kind": "partial"}),
                 ("appealed", "2026-04-02", {"window": "1"}))
    timeline = timeline_for(bps_email, log, directory, D("2026-04-03"))
    assert [w.ref for w in timeline.facts.windows] == ["2"]
    assert "appeal_deadline-1" not in dates(timeline)
    # The Supervisor's 10 business days from Thursday 2 April (Massachusetts calendar):
    # 3, 6, 7, 8, 9, 10, 13, 14, 15, 16 April (no holiday falls in them).
    assert dates(timeline)["appeal_decision_due"] == "2026-04-16"


@pytest.mark.parametrize(("logged_receipt", "received", "due", "basis", "sentence"), [
    # Monday 5 January + 3 business days in the mail: 6, 7, 8 January.
    (None, "2026-01-08", "2026-01-23", "assumed",
     "It was mailed on January 5, 2026; its receipt has not been confirmed, so it is taken to "
     "have reached BPD by January 8, 2026, 3 business days after posting."),
    # Logged as arrived on Monday 12 January: 13–16, (19 is MLK Day) 20–23, 26, 27 January.
    ("2026-01-12", "2026-01-12", "2026-01-27", "logged",
     "BPD received it on January 12, 2026."),
])
def test_a_mailed_request_says_what_is_assumed(
        bpd_mail: Request, directory: Directory, logged_receipt: str | None, received: str,
        due: str, basis: str, sentence: str) -> None:
    log = events(("received", logged_receipt, {})) if logged_receipt else []
    timeline = timeline_for(bpd_mail, log, directory, D("2026-02-10"))
    receipt = next(d for d in timeline.deadlines if d.event == "received")
    assert (receipt.date.isoformat(), receipt.basis) == (received, basis)
    assert dates(timeline)["response_due"] == due
    assert next(d for d in timeline.deadlines if d.event == "response_due").basis == "computed"
    logged = LoggedRequest("0123456789", "", bpd_mail, "", "", tuple(log))
    packet = prepare_appeal(logged, directory, D("2026-02-10"))
    _title, argument, _citation = argue(packet, packet.grounds[0])
    assert argument.startswith(sentence)
    assert "BPD received it on" not in argument or logged_receipt


@pytest.mark.parametrize(("log", "today", "kind"), [
    ([], "2026-01-20", "no_response"),  # due 16 January: 5–9, 12–16 (the 1st is a holiday)
    ([("response", "2026-01-09", {"kind": "denied", "no_exemption": True})], "2026-01-20",
     "no_exemption"),
    ([("response", "2026-01-21", {"kind": "fee_estimate", "amount": "300"})], "2026-01-22",
     "late_fee"),
    # 25 business days after Friday 2 January: 5–9, 12–16, 20–23, 26–30, 2–6, 9 February
    # (MLK Day 19 January left out): 9 February.
    ([("response", "2026-01-09", {"kind": "extension", "until": "2026-03-31"})], "2026-01-20",
     "extension_beyond_limit"),
    ([("response", "2026-01-09", {"kind": "extension", "until": "2026-02-02"})], "2026-02-03",
     "production_missed"),
])
def test_every_state_that_calls_for_a_follow_up(
        bps_email: Request, directory: Directory, log: list[tuple[str, str, dict[str, Any]]],
        today: str, kind: str, tmp_path: Path) -> None:
    timeline = timeline_for(bps_email, events(*log), directory, D(today))
    assert dates(timeline).get("production_due_max") == "2026-02-09"
    situation = followup_situation(timeline, D(today))
    assert situation is not None and situation.kind == kind
    assert next_step(timeline, D(today)).kind == "follow_up"
    logged = LoggedRequest("0123456789", "", bps_email, "", "", tuple(events(*log)))
    made = make_followup(logged, directory, tmp_path / kind, today=D(today))
    text = docx_text((tmp_path / kind / "follow_up.docx").read_bytes())
    expected = {
        # Receipt was not logged: the date, and the no-fee rule, rest on the assumption.
        "no_response": "so it is taken to have been received on January 2, 2026. Counted from "
                       "that day, a response was due by January 16, 2026. I have not received "
                       "one. If the request reached you then, no fee may now be charged for "
                       "these records, because no response came within that time (950 CMR "
                       "32.06(2)(c)).",
        "no_exemption": "withheld records without identifying each record withheld and the "
                        "specific exemption relied on, with the reason it applies, as the law "
                        "requires (M.G.L. c. 66, § 10(b)(iv)).",
        "late_fee": "asked for a fee of $300. Your first response came after the response "
                    "date of January 16, 2026 (counted from January 2, 2026, the day the "
                    "request is taken to have reached BPS: a request sent by email",
        "extension_beyond_limit": "set March 31, 2026 for producing the records. That is later "
                                  "than February 9, 2026, 25 business days after receipt",
        "production_missed": "Your response of January 9, 2026 set February 2, 2026 as the "
                             "date for producing the records. That date has passed",
    }[kind]
    assert expected in text
    # Five business days to reply, counted on the agency's calendar.
    assert made.reply_by == {"2026-01-20": D("2026-01-27"), "2026-01-22": D("2026-01-29"),
                             "2026-02-03": D("2026-02-10")}[today]


@pytest.mark.parametrize("earlier", [
    ("response", "2026-01-09", {"kind": "extension", "until": "2026-03-31"}),  # past the limit
    ("response", "2026-01-09", {"kind": "extension", "until": "2026-02-02"}),  # date passed
    ("response", "2026-01-21", {"kind": "fee_estimate", "amount": "300"}),  # after the due date
])
def test_a_later_denial_is_appealed_not_followed_up(
        bps_email: Request, directory: Directory, tmp_path: Path,
        earlier: tuple[str, str, dict[str, Any]]) -> None:
    # Each earlier response alone calls for a follow-up (above). Once BPS denies the request
    # outright, citing an exemption, on 11 February, that is moot: no records will come, and
    # the family's step is to appeal the denial (11 February + 90 days: 12 May).
    log = events(earlier, ("response", "2026-02-11", {"kind": "denied"}))
    timeline = timeline_for(bps_email, log, directory, D("2026-02-20"))
    assert followup_situation(timeline, D("2026-02-20")) is None
    step = next_step(timeline, D("2026-02-20"))
    assert (step.kind, step.date, step.window) == ("appeal", D("2026-05-12"), "2")
    logged = LoggedRequest("0123456789", "", bps_email, "", "", tuple(log))
    with pytest.raises(UserError, match=r"^nothing to follow up: the request is denied, and "
                       r"what is left is to appeal, by 2026-05-12$"):
        make_followup(logged, directory, tmp_path / "f", today=D("2026-02-20"))
    assert not (tmp_path / "f").exists()
    # A denial that names no exemption is still followed up: the law asks for one.
    log = events(earlier, ("response", "2026-02-11", {"kind": "denied", "no_exemption": True}))
    timeline = timeline_for(bps_email, log, directory, D("2026-02-20"))
    situation = followup_situation(timeline, D("2026-02-20"))
    assert situation is not None and situation.kind == "no_exemption"


def test_a_production_date_set_after_a_denial_is_followed_up_when_it_passes(
        bps_email: Request, directory: Directory) -> None:
    # BPS denied on 12 January, thought again, and on the 20th set 5 February for the records
    # (within its limit, 9 February). On 10 February nothing has come: that is followed up.
    reconsidered = events(("response", "2026-01-12", {"kind": "denied"}),
                          ("response", "2026-01-20", {"kind": "extension", "until": "2026-02-05"}))
    timeline = timeline_for(bps_email, reconsidered, directory, D("2026-02-10"))
    situation = followup_situation(timeline, D("2026-02-10"))
    assert situation is not None and situation.kind == "production_missed"


def test_a_response_to_a_follow_up_ends_the_wait_for_its_reply(
        bps_email: Request, directory: Directory) -> None:
    # The follow-up of Tuesday 20 January asked BPS to reply by the 27th. Until a reply comes,
    # the step is to wait; once BPS answers (on the 22nd), the family acts on that answer.
    asked = [("followed_up", "2026-01-20", {"until": "2026-01-27"})]
    waiting = timeline_for(bps_email, events(*asked), directory, D("2026-01-23"))
    assert next_step(waiting, D("2026-01-23")).kind == "wait_reply"
    denied = events(("response", "2026-01-09", {"kind": "denied", "no_exemption": True}),
                    *asked, ("response", "2026-01-22", {"kind": "denied"}))
    step = next_step(timeline_for(bps_email, denied, directory, D("2026-01-23")), D("2026-01-23"))
    # The denial of 22 January, citing an exemption: appeal it by 22 January + 90 = 22 April,
    # with no warning that the follow-up's reply date has not passed.
    assert (step.kind, step.date, step.window) == ("appeal", D("2026-04-22"), "3")
    logged = LoggedRequest("0123456789", "", bps_email, "", "", tuple(denied))
    assert not any("has not passed" in w
                   for w in prepare_appeal(logged, directory, D("2026-01-23")).warnings)
    extended = events(*asked, ("response", "2026-01-21", {"kind": "extension",
                                                          "until": "2026-02-05"}))
    step = next_step(timeline_for(bps_email, extended, directory, D("2026-01-23")),
                     D("2026-01-23"))
    assert (step.kind, step.date) == ("wait_production", D("2026-02-05"))


def test_nothing_to_follow_up_before_the_response_date(bps_email: Request,
                                                       directory: Directory) -> None:
    timeline = timeline_for(bps_email, [], directory, D("2026-01-10"))
    assert followup_situation(timeline, D("2026-01-10")) is None
    step = next_step(timeline, D("2026-01-10"))
    assert (step.kind, step.date) == ("wait_response", D("2026-01-16"))


def test_a_follow_up_then_an_appeal_before_and_after_its_reply_date(
        bps_email: Request, directory: Directory, tmp_path: Path) -> None:
    log = open_log()
    log.record_request(bps_email.fingerprint(), bps_email)
    logged = log.get(bps_email.fingerprint())
    made = make_followup(logged, directory, tmp_path / "f", today=D("2026-01-20"), log=log)
    assert made.reply_by == D("2026-01-27")
    logged = log.get(logged.id)
    timeline = timeline_for(bps_email, logged.active_events, directory, D("2026-01-22"))
    assert dates(timeline)["follow_up_reply_due-1"] == "2026-01-27"
    assert next_step(timeline, D("2026-01-22")).kind == "wait_reply"
    early = prepare_appeal(logged, directory, D("2026-01-22"))
    assert any("asked BPS to reply by 2026-01-27, which has not passed" in w
               for w in early.warnings)
    assert "My follow-up letter of January 20, 2026, complete" in early.attachments
    later = prepare_appeal(logged, directory, D("2026-01-28"))
    assert not any("has not passed" in w for w in later.warnings)
    after = timeline_for(bps_email, logged.active_events, directory, D("2026-01-28"))
    step = next_step(after, D("2026-01-28"))
    # No response: the window counts from the request (2 January + 90 days = 2 April).
    assert (step.kind, step.date, step.window) == ("appeal", D("2026-04-02"), "no_response")


def test_a_non_custodial_parent_waits_for_the_notice(directory: Directory) -> None:
    request = request_from({
        "request_type": "student_records", "agency": "bps", "requester_role": "parent",
        "custody": "non_custodial", "delivery": "hand", "sent_on": "2026-11-23",
        "student": {"name": "Carlos Pérez", "school": "East Boston High School"},
        "requester": {"name": "Luis Pérez", "email": "luis@example.org"}}, directory)
    timeline = timeline_for(request, [], directory, D("2026-12-01"))
    # 23 November + 21 days = 14 December; the federal outer limit 45 days: 7 January 2027.
    assert dates(timeline) == {"received": "2026-11-23", "non_custodial_release": "2026-12-14",
                               "student_follow_up": "2026-12-15",
                               "ferpa_outer_limit": "2027-01-07"}
    release = next(d for d in timeline.deadlines if d.event == "non_custodial_release")
    assert release.basis == "assumed"
    assert "notifies the custodial parent the day it receives" in release.assumption
    assert followup_situation(timeline, D("2026-12-10")) is None  # not late before the 14th
    overdue = timeline_for(request, [], directory, D("2026-12-15"))
    assert followup_situation(overdue, D("2026-12-15")) is not None


def test_a_student_records_follow_up_goes_to_the_principal(
        directory: Directory, tmp_path: Path) -> None:
    request = request_from({
        "request_type": "student_records", "agency": "bps", "requester_role": "parent",
        "delivery": "hand", "sent_on": "2026-11-23",
        "student": {"name": "Carlos Pérez", "school": "East Boston High School"},
        "requester": {"name": "María Pérez", "email": "maria@example.org"}}, directory)
    logged = LoggedRequest("0123456789", "", request, "", "", ())
    with pytest.raises(UserError, match="nothing to follow up yet"):
        make_followup(logged, directory, tmp_path / "early", today=D("2026-12-03"))
    made = make_followup(logged, directory, tmp_path / "f", today=D("2026-12-04"))
    assert made.reply_by == D("2026-12-09")
    text = docx_text((tmp_path / "f" / "student_follow_up.docx").read_bytes())
    assert text.startswith("December 4, 2026\nPrincipal\nEast Boston High School\nBoston Public "
                           "Schools\nRe: Follow-up: access to the student record of Carlos "
                           "Pérez\nDear Principal:\nOn November 23, 2026 I asked for access to, "
                           "and copies of, my child's complete student record")
    assert "The regulations require access within 10 days of the request (603 CMR 23.07(2))" \
           in text
    assert "by December 9, 2026" in text
    assert "cc: Office of Legal Advisor, Boston Public Schools" in text
    with pytest.raises(UserError, match="recordskit writes appeals to the Supervisor of Records "
                                        "only for public records requests"):
        make_appeal(logged, directory, tmp_path / "a", today=D("2026-12-10"))


def test_the_packet_for_a_denial_then_a_partial_production(
        bps_email: Request, directory: Directory) -> None:
    """950 CMR 32.08(1), point by point, on the packet for "denied, then a partial production"."""
    log = events(("received", "2026-01-02", {"tracking": "R000001-010226"}),
                 ("response", "2026-01-12", {"kind": "denied", "no_exemption": True}),
                 ("response", "2026-03-30", {"kind": "partial"}))
    logged = LoggedRequest("0123456789", "", bps_email, "", "", tuple(log))
    packet = prepare_appeal(logged, directory, D("2026-04-01"), earlier_appeal="SPR26/0001",
                            objections=("The partial production left out every attachment.",))
    context = appeal_context(packet)
    checklist = appeal_checklist(packet)
    # (b) a written request: the request is attached as sent, with the email's headers.
    assert "My request of January 2, 2026, complete, as sent (the email with its full " \
           "headers)" in packet.attachments
    # (c)-(d) within 90 calendar days of each response appealed: the denial's window is still
    # open on 1 April (it closes on 12 April), so both are argued, and the packet is due by the
    # earlier close.
    assert packet.deadline == D("2026-04-12")
    assert context["window"]["counted"] == ("BPS's response of January 12, 2026 (denied) and "
                                            "BPS's response of March 30, 2026 (partial)")
    # (e) in writing, with the specific objections: the grounds and the person's own.
    # Each ground rests on its own response.
    assert [(g.key, g.rests_on and g.rests_on.seq) for g in packet.grounds] == [
        ("denial_without_exemption", 2), ("exemption_contested", 3)]
    assert [g["argument"].rsplit(". ", 1)[-1] for g in context["grounds"]] == [
        "This ground rests on BPS's response of January 12, 2026 (denied).",
        "This ground rests on BPS's response of March 30, 2026 (partial)."]
    # On 20 April the denial's window has closed: only the partial's ground is argued.
    later = prepare_appeal(logged, directory, D("2026-04-20"))
    assert [g.key for g in later.grounds] == ["exemption_contested"]
    assert later.deadline == D("2026-06-28")
    # The logged acknowledgment is attached too.
    assert "BPS's acknowledgment of receipt (R000001-010226), dated January 2, 2026" \
        in packet.attachments
    assert context["objections"] == ["The partial production left out every attachment."]
    # (e) complete copies of every written response: both are attached.
    assert "BPS's response of January 12, 2026 (denied), complete" in packet.attachments
    assert "BPS's response of March 30, 2026 (partial), complete" in packet.attachments
    # (f) full email headers.
    assert "the full header information: time, date, subject, sender and recipient " \
           "addresses (950 CMR 32.08(1)(f))" in checklist
    # (g) a copy to the records access officer.
    assert "Send appeal_cover.docx with a copy of the appeal and attachments to BPS's records " \
           "access officer, the same day." in checklist
    # (h) the earlier appeal's number.
    assert context["earlier_appeal"] == "SPR26/0001"
    assert "its number is in the letter (SPR26/0001)" in checklist
    # Logging the appeal names its window, with the real request id.
    # (both windows are argued, so both are used: no --response)
    assert "recordskit log 0123456789 appealed --on DATE" in checklist
    assert "--response 3 --on DATE" in appeal_checklist(later)
