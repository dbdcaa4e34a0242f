"""Every appeal the law allows, and no assumption told as fact: the audit's findings, each
driven through the installed command (the log, then the document it writes).

Every public records case is a request to BPS sent by email on Monday 23 November 2026 (taken
as received that day, not confirmed): its response is due 8 December 2026, the latest
production date it may set is 30 December 2026, and the last day it may petition the
Supervisor of Records for more time is 22 December 2026 (20 business days: 24–25, 27–30 Nov,
1–4, 7–11, 14–18, 21–22 Dec; Thanksgiving left out). A response of 4 December can be appealed
until 4 March 2027 (90 calendar days).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from recordskit.cli import cli
from recordskit.service import open_log
from tests.conftest import docx_text

Answers = Callable[..., dict[str, Any]]


def run(*args: str, today: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"RECORDSKIT_TODAY": today})


def new(tmp_path: Path, data: dict[str, Any], lang: str = "en") -> str:
    """``new`` for these answers; the request's id in the log."""
    path = tmp_path / f"answers-{lang}.yaml"
    path.write_text(yaml.safe_dump({**data, "language": lang}, allow_unicode=True),
                    encoding="utf-8")
    result = run("new", "--answers", str(path), "--out", str(tmp_path / f"request-{lang}"),
                 "--lang", lang, today=data["sent_on"])
    assert result.exit_code == 0, result.output
    return sorted(open_log().all(), key=lambda r: r.request.sent_on)[-1].id


@pytest.fixture
def sent(tmp_path: Path, answers: Answers) -> str:
    return new(tmp_path, answers(sent_on="2026-11-23"))


def log(request: str, on: str, *args: str) -> None:
    result = run("log", request, *args, "--on", on, today=on)
    assert result.exit_code == 0, result.output


def status(today: str) -> dict[str, Any]:
    result = run("status", "--json", today=today)
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.output)
    return entry  # type: ignore[no-any-return]


def appeal(request: str, folder: Path, today: str, *args: str) -> tuple[Result, str]:
    result = run("appeal", request, "--out", str(folder), *args, today=today)
    text = docx_text(folder / "appeal.docx") if result.exit_code == 0 else ""
    return result, text


def followup(request: str, folder: Path, today: str) -> tuple[Result, str]:
    result = run("followup", request, "--out", str(folder), today=today)
    letter = folder / "follow_up.docx"
    if not letter.exists():
        letter = folder / "student_follow_up.docx"
    return result, docx_text(letter) if result.exit_code == 0 else ""


# --- 1. The requester loses no right -------------------------------------------------------


def test_a_missed_production_date_is_followed_up_then_appealed(sent: str, tmp_path: Path
                                                               ) -> None:
    log(sent, "2026-12-04", "response", "--kind", "extension", "--until", "2026-12-22")
    entry = status("2026-12-28")
    assert entry["state"] == "overdue"  # not "extension": the date passed without the records
    assert entry["next_step"]["kind"] == "follow_up"
    assert any("2026-12-22 has passed" in w for w in entry["warnings"])
    result, letter = followup(sent, tmp_path / "f", "2026-12-28")
    assert result.exit_code == 0, result.output
    assert "Your response of December 4, 2026 set December 22, 2026 as the date for producing " \
           "the records. That date has passed" in letter
    # The letter says an appeal may follow, and the appeal is then made.
    assert "I may appeal to the Supervisor of Records" in letter
    result, text = appeal(sent, tmp_path / "a", "2027-01-06")
    assert result.exit_code == 0, result.output
    assert "1. A production date that passed without the records. In its response of December " \
           "4, 2026, BPS set December 22, 2026 for producing the records. That date has " \
           "passed, and I have not received the records." in text
    assert "Last day to file: March 4, 2027" in result.output


def test_a_no_records_answer_is_appealed_with_its_own_ground(sent: str, tmp_path: Path) -> None:
    log(sent, "2026-12-04", "response", "--kind", "no_records")
    entry = status("2026-12-07")
    # Not "Records came": the answer can be appealed.
    assert entry["next_step"]["kind"] == "appeal"
    assert entry["next_step"]["date"] == "2027-03-04"
    result, text = appeal(sent, tmp_path / "a", "2026-12-07")
    assert result.exit_code == 0, result.output
    assert '1. A "no records" answer after an inadequate search. BPS answered on December 4, ' \
           "2026 that it has no records responsive to my request. I believe the search was " \
           "not adequate" in text
    assert "I ask you to order BPS to search again and to describe its search." in text
    result, text = appeal(sent, tmp_path / "b", "2026-12-07", "--ground", "no_search_described")
    assert result.exit_code == 0, result.output
    assert 'A "no records" answer that does not describe the search. BPS answered on ' \
           "December 4, 2026 that it has no records responsive to my request, without saying " \
           "where or how it searched." in text


def test_an_incomplete_production_is_appealed_when_she_says_so(sent: str, tmp_path: Path
                                                               ) -> None:
    log(sent, "2026-12-04", "response", "--kind", "produced")
    refused, _text = appeal(sent, tmp_path / "a", "2026-12-07")
    assert refused.exit_code == 1
    # The refusal points to what she can give: her objection (not only --ground).
    assert "--objection TEXT" in refused.output
    result, text = appeal(sent, tmp_path / "b", "2026-12-07", "--ground", "incomplete_production")
    assert result.exit_code == 0, result.output
    assert "1. An incomplete production. BPS's response of December 4, 2026 produced records, " \
           "but not all the records I asked for." in text
    # Her own objection alone: no "grounds" heading over no grounds.
    result, text = appeal(sent, tmp_path / "c", "2026-12-07", "--objection",
                          "The attachments were left out.")
    assert result.exit_code == 0, result.output
    assert "My objections.\nI object specifically to the following:\n•\tThe attachments were " \
           "left out." in text
    assert "their grounds" not in text


def test_a_closure_for_no_recent_activity_is_appealed(sent: str, tmp_path: Path) -> None:
    log(sent, "2026-12-04", "response", "--kind", "closed_inactive")
    entry = status("2026-12-07")
    assert entry["state"] == "response" and entry["next_step"]["kind"] == "appeal"
    result, text = appeal(sent, tmp_path / "a", "2026-12-07")
    assert result.exit_code == 0, result.output
    assert "1. A request closed without an answer. BPS closed my request on December 4, 2026, " \
           "citing no recent activity. I did not withdraw the request" in text
    assert "within 90 calendar days of BPS's response of December 4, 2026 (closed for no " \
           "recent activity)" in text


def test_a_denial_that_names_an_exemption_is_appealable(sent: str, tmp_path: Path) -> None:
    log(sent, "2026-12-04", "response", "--kind", "denied")
    entry = status("2026-12-07")
    assert entry["next_step"]["kind"] == "appeal"
    result, text = appeal(sent, tmp_path / "a", "2026-12-07")
    assert result.exit_code == 0, result.output  # the command status offered works
    assert "1. An exemption that does not justify the withholding. BPS's response of December " \
           "4, 2026 withheld records under an exemption. I contest that the exemption applies" \
           in text
    # Segregability is argued once, with its citation, and asked for without repeating it.
    assert text.count("Reinstein") == 1


# --- 2. A non-custodial parent -------------------------------------------------------------


STUDENT = {
    "request_type": "student_records", "agency": "bps", "delivery": "hand",
    "student": {"name": "Carlos Pérez", "school": "East Boston High School", "grade": "10"},
    "requester_role": "parent", "sent_on": "2026-11-23",
    "requester": {"name": "María Pérez", "email": "maria@example.org",
                  "mailing_address": "12 Elm Street\nBoston, MA 02128"}}


def test_a_non_custodial_parent_is_never_told_the_ten_day_rule(tmp_path: Path) -> None:
    request = new(tmp_path, {**STUDENT, "custody": "non_custodial"})
    letter = docx_text(tmp_path / "request-en" / "letter.docx")
    assert "Under M.G.L. c. 71, § 34H; 603 CMR 23.07(5), I ask for access" in letter
    assert "Under 603 CMR 23.07(2)" not in letter
    result, text = followup(request, tmp_path / "f", "2026-12-21")
    assert result.exit_code == 0, result.output
    assert "require access within 10 days" not in text
    assert "As a non-custodial parent, I understand that you first notify the custodial " \
           "parent, and may give me access 21 days after that notice unless documents " \
           "restricting my access are received (M.G.L. c. 71, § 34H; 603 CMR 23.07(5))." in text
    # The copy line is one line; the reply-by date is not a weekend (26 Dec is a Saturday).
    assert "cc: Office of Legal Advisor, Boston Public Schools, 2300 Washington Street, " \
           "Roxbury, MA 02119" in text
    assert "by December 28, 2026" in text


# --- 3. After the Supervisor's decision ----------------------------------------------------


def test_after_the_order_wait_for_its_date_then_write_citing_it(sent: str, tmp_path: Path
                                                                ) -> None:
    log(sent, "2026-12-04", "response", "--kind", "denied")
    log(sent, "2026-12-08", "appealed", "--number", "SPR26/1234", "--response", "1")
    log(sent, "2026-12-22", "decided", "--until", "2027-01-08")
    entry = status("2026-12-23")
    assert (entry["next_step"]["kind"], entry["next_step"]["date"]) == (
        "wait_production", "2027-01-08")
    early, _letter = followup(sent, tmp_path / "early", "2026-12-23")
    assert early.exit_code == 1
    entry = status("2027-01-11")
    assert entry["next_step"]["kind"] == "follow_up"
    result, letter = followup(sent, tmp_path / "f", "2027-01-11")
    assert result.exit_code == 0, result.output
    assert "The Supervisor of Records decided my appeal SPR26/1234 on December 22, 2026, and " \
           "the order gave you until January 8, 2027. That date has passed" in letter
    assert "Your response set" not in letter
    assert "who may refer the matter to the Attorney General (M.G.L. c. 66, § 10A(b))" in letter
    assert "I may appeal" not in letter


# --- 4. A date resting on an assumption ----------------------------------------------------


def test_a_mailed_request_never_states_its_assumed_receipt_as_fact(
        tmp_path: Path, answers: Answers) -> None:
    request = new(tmp_path, answers(sent_on="2026-11-23", agency="bpd", delivery="mail",
                                    records=["gang-database-rules"],
                                    requester__mailing_address="1 Main St"))
    # Mailed Monday 23 Nov; assumed to arrive 3 business days later: 24, 25, 27 November.
    entry = status("2026-12-15")
    assert entry["state"] == "overdue"
    assert "as assumed (not confirmed)" in entry["notes"][0]
    result, letter = followup(request, tmp_path / "f", "2026-12-15")
    assert result.exit_code == 0, result.output
    assert "The law required a response within 10 business days of receipt, by" not in letter
    assert "It was mailed on November 23, 2026; its receipt has not been confirmed, so it is " \
           "taken to have reached BPD by November 27, 2026, 3 business days after posting. " \
           "Counted from that day, a response was due by December 11, 2026." in letter
    assert "If the request reached you then, no fee may now be charged" in letter
    # The directory's 2015 address is flagged wherever the letter is to be mailed.
    how = (tmp_path / "request-en" / "how_to_send.txt").read_text(encoding="utf-8")
    assert "This address comes from a source dated Friday, February 20, 2015. It may have " \
           "changed: confirm it with Boston Police Department before you mail or bring the " \
           "letter." in how
    assert "The deadlines count from the day Boston Police Department receives it" in how


# --- 5. Grounds tied to their window -------------------------------------------------------


def test_a_later_appeal_argues_only_what_is_still_in_its_window(sent: str, tmp_path: Path
                                                                ) -> None:
    log(sent, "2026-12-04", "response", "--kind", "denied", "--no-exemption")
    log(sent, "2027-03-10", "response", "--kind", "partial")
    result, text = appeal(sent, tmp_path / "a", "2027-03-10")
    assert result.exit_code == 0, result.output
    # The denial's window closed on 4 March: its ground is not argued.
    assert "without a specific exemption" not in text
    assert "1. An exemption that does not justify the withholding. BPS's response of March " \
           "10, 2027 withheld records" in text
    assert "within 90 calendar days of BPS's response of March 10, 2027 (partial)" in text


# --- 6. The petition limit -----------------------------------------------------------------


def test_a_late_petition_is_a_ground_and_an_early_one_is_not(sent: str, tmp_path: Path,
                                                             answers: Answers) -> None:
    log(sent, "2026-12-04", "response", "--kind", "extension", "--until", "2027-02-26")
    log(sent, "2027-01-04", "petition")
    entry = status("2027-01-04")
    assert any("after 2026-12-22, the last day to do so" in w for w in entry["warnings"])
    result, text = appeal(sent, tmp_path / "a", "2027-01-04")
    assert result.exit_code == 0, result.output
    assert "A petition for more time made after the limit. BPS petitioned the Supervisor of " \
           "Records for more time on January 4, 2027, after December 22, 2026, the last day " \
           "to do so: 20 business days after receipt (M.G.L. c. 66, § 10(c); 950 CMR " \
           "32.06(4)(e))." in text


def test_a_granted_timely_petition_leaves_no_you_may(tmp_path: Path, answers: Answers) -> None:
    request = new(tmp_path, answers(sent_on="2026-11-23"))
    log(request, "2026-12-04", "response", "--kind", "extension", "--until", "2027-02-26")
    log(request, "2026-12-07", "petition")
    log(request, "2026-12-14", "petition_granted", "--days", "20", "--until", "2027-01-29")
    entry = status("2026-12-15")
    assert not any("may appeal" in text for text in entry["warnings"] + entry["notes"])
    assert entry["next_step"]["kind"] != "appeal"
    refused, _text = appeal(request, tmp_path / "a", "2026-12-15")
    assert refused.exit_code == 1


# --- 7, 8. Fees ------------------------------------------------------------------------------


def test_a_fee_appeal_names_the_amount_the_rule_and_asks_to_strike_it(sent: str, tmp_path: Path
                                                                     ) -> None:
    log(sent, "2026-12-04", "response", "--kind", "fee_estimate", "--amount", "120")
    result, text = appeal(sent, tmp_path / "a", "2026-12-07")
    assert result.exit_code == 0, result.output
    assert "1. A fee above what the law allows. On December 4, 2026, BPS asked for a fee of " \
           "$120. I object that it is more than the law allows." in text
    assert "at no more than $25 an hour unless the Supervisor of Records allows a municipality " \
           "more on its petition (M.G.L. c. 66, § 10(d))" in text
    assert "I ask you to strike the fee of $120, or to reduce it to what the law allows." in text


# --- 9, 15. Student records: the same guidance in every language ----------------------------


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "Supervisor"), ("es", "Supervisor de Registros"), ("ht", "Sipèvizè Dosye")])
def test_a_student_record_never_offers_the_appeal_it_refuses(tmp_path: Path, lang: str,
                                                             words: str) -> None:
    request = new(tmp_path, {**STUDENT, "custody": "custodial"}, lang)
    assert followup(request, tmp_path / "f", "2026-12-04")[0].exit_code == 0
    shown = run("show", request, today="2026-12-04").output
    assert words not in shown, shown
    refused = run("appeal", request, "--out", str(tmp_path / "a"), today="2026-12-04")
    assert refused.exit_code == 1
    assert "are for public records requests" not in refused.output


# --- 12. The subject line ------------------------------------------------------------------


def test_the_subject_names_the_law_and_is_never_cut(tmp_path: Path, answers: Answers) -> None:
    new(tmp_path, answers(sent_on="2026-11-23", agency="bpd", delivery="mail",
                          requester__mailing_address="1 Main St",
                          records=["bric-federal-access-rules", "bric-federal-user-audit-logs",
                                   "school-reports-at-the-bric", "gang-database-rules"]))
    letter = docx_text(tmp_path / "request-en" / "letter.docx")
    subject = next(line for line in letter.splitlines() if line.startswith("Re: "))
    assert subject.startswith("Re: Public records request under M.G.L. c. 66, § 10: ")
    assert "…" not in subject
    assert subject.endswith("and 3 other records listed below")


# --- 13, 14. Assumed closed days, and the City's portal ------------------------------------


def test_the_friday_before_a_saturday_holiday_is_closed_and_labelled(
        tmp_path: Path, answers: Answers) -> None:
    # Thursday 2 July 2026; Independence Day is a Saturday, so Friday 3 July is counted closed:
    # 6–10, 13–17 July: due Friday 17 July (the state calendar would say the 16th).
    new(tmp_path, answers(sent_on="2026-07-02"))
    entry = status("2026-07-02")
    dates = {item["event"]: item for item in entry["schedule"]}
    assert dates["response_due"]["date"] == "2026-07-17"
    assert "2026-07-03 (Friday before Independence Day (a Saturday)), assumed closed" \
        in dates["response_due"]["description"]
    assert any("The Friday before a Saturday holiday is counted as a day Boston offices are "
               "closed" in note for note in entry["notes"])


def test_a_request_sent_on_an_assumed_closed_day_says_so(tmp_path: Path, answers: Answers
                                                         ) -> None:
    new(tmp_path, answers(sent_on="2026-03-17"))  # Evacuation Day
    entry = status("2026-03-17")
    received = next(item for item in entry["schedule"] if item["event"] == "received")
    assert received["date"] == "2026-03-18"
    assert "Sent on Evacuation Day, a day BPS's office is assumed to be closed (it may be open)" \
        in received["description"]
    assert any("not 2026-03-17: 2026-03-17 (Evacuation Day) is counted as a day the office is "
               "closed, which is an assumption" in note for note in entry["notes"])


def test_a_sunday_portal_request_says_why_the_portal_may_differ(tmp_path: Path,
                                                                answers: Answers) -> None:
    new(tmp_path, answers(sent_on="2026-11-22", delivery="portal"))
    entry = status("2026-11-22")
    assert any("the City's records portal has shown a due date one business day earlier"
               in note for note in entry["notes"])


# --- 16, 17. After an appeal; smaller points ---------------------------------------------


def test_after_an_appeal_the_decision_date_not_a_second_packet(sent: str, tmp_path: Path
                                                               ) -> None:
    log(sent, "2026-12-04", "response", "--kind", "denied", "--no-exemption")
    log(sent, "2026-12-08", "appealed", "--number", "SPR26/1234", "--response", "1")
    entry = status("2026-12-10")
    assert entry["next_step"]["kind"] == "wait_decision"
    assert not any("may appeal" in text for text in entry["warnings"] + entry["notes"])
    decision = next(item for item in entry["schedule"] if item["event"] == "appeal_decision_due")
    assert decision["basis"].startswith("assumed")  # received the day sent: an assumption
    refused, _text = appeal(sent, tmp_path / "a", "2026-12-10")
    assert refused.exit_code == 1
    assert "was already logged on 2026-12-08 for this; the Supervisor of Records decides by " \
           "2026-12-22" in refused.output


def test_the_smaller_points(sent: str, tmp_path: Path) -> None:
    log(sent, "2026-11-24", "received", "--tracking", "R004625-112326")
    log(sent, "2026-12-04", "response", "--kind", "denied")
    entry = status("2026-12-05")
    assert entry["next"]["event"] != "response_due"  # a response came
    # On the last day: no "Only 0 days are left".
    result, _text = appeal(sent, tmp_path / "a", "2027-03-04")
    assert result.exit_code == 0, result.output
    assert "Only 0 days" not in result.output and "Today is the last day" in result.output
    checklist = (tmp_path / "a" / "appeal_checklist.txt").read_text(encoding="utf-8")
    assert "sign and date it" not in checklist
    assert "sign it (it is dated March 4, 2027" in checklist
    text = docx_text(tmp_path / "a" / "appeal.docx")
    # The logged acknowledgment is attached.
    assert "BPS's acknowledgment of receipt (R004625-112326), dated November 24, 2026" in text


# --- One wording per ground, in the letter and in the family's words ------------------------


def test_every_ground_has_its_own_wording_and_family_words(sent: str, tmp_path: Path) -> None:
    from recordskit.documents.contexts.appeal import argue, prepare_appeal
    from recordskit.documents.contexts.companion import APPEAL_GROUNDS
    from recordskit.service import GroundKind, load_directory

    assert set(APPEAL_GROUNDS) == {kind.value for kind in GroundKind}
    log(sent, "2026-12-04", "response", "--kind", "extension", "--until", "2027-02-26")
    packet = prepare_appeal(open_log().get(sent), load_directory(), date(2026, 12, 7),
                            grounds=tuple(kind.value for kind in GroundKind))
    worded = [argue(packet, ground) for ground in packet.grounds]
    assert {ground.kind for ground in packet.grounds} == set(GroundKind)
    titles = [title for title, _argument, _citation in worded]
    assert len(set(titles)) == len(titles), titles
    assert not any("on this ground" in argument for _title, argument, _citation in worded)


def test_the_family_page_says_which_answer_each_ground_rests_on(tmp_path: Path,
                                                                answers: Answers) -> None:
    # A late fee estimate (10 December) and a denial naming no exemption (14 December): both
    # windows open on the 15th, so both grounds are argued, each on its own answer.
    request = new(tmp_path, answers(sent_on="2026-11-23"), "es")
    log(request, "2026-12-10", "response", "--kind", "fee_estimate", "--amount", "300")
    log(request, "2026-12-14", "response", "--kind", "denied", "--no-exemption")
    result = run("appeal", request, "--out", str(tmp_path / "a"), today="2026-12-15")
    assert result.exit_code == 0, result.output
    page = docx_text(tmp_path / "a" / "appeal_summary.docx")
    assert page.count("Esto se basa en") == 2
    assert "10 de diciembre" in page and "14 de diciembre" in page


def test_a_mailed_letter_whose_transit_skips_an_assumed_day_says_so(
        tmp_path: Path, answers: Answers) -> None:
    # Mailed Friday 13 March 2026: 16, (17 Evacuation Day), 18, 19 March: taken to arrive the
    # 19th, a day later than if Boston offices open on Evacuation Day.
    new(tmp_path, answers(sent_on="2026-03-13", agency="bpd", delivery="mail",
                          records=["gang-database-rules"], requester__mailing_address="1 Main St"))
    entry = status("2026-03-13")
    received = next(item for item in entry["schedule"] if item["event"] == "received")
    assert received["date"] == "2026-03-19"
    assert any("the 3 business days of the mail skip 2026-03-17 (Evacuation Day), counted as a "
               "day the office is closed, which is an assumption" in note
               for note in entry["notes"])
