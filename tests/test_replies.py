"""Reading agencies' replies: the corpus, echoes that must not count, encodings, hostile input."""

from __future__ import annotations

import base64
import html
import io
import json
import quopri
import string
import time
import zipfile
from datetime import date
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordskit.replies.echo import strip_echo
from recordskit.replies.extract import Sentences, amounts, dates, exemptions, references
from recordskit.replies.mime import ReplyFileError
from recordskit.replies.reader import read_reply, read_reply_file
from recordskit.service import ReplyKind, ReplyReading, UserError
from tests.conftest import examples

CORPUS = Path(__file__).parent / "data" / "replies"
CORPUS_FILES = sorted(path for path in CORPUS.iterdir() if path.suffix in (".eml", ".txt"))


def _summary(reading: ReplyReading) -> dict[str, Any]:
    """The fields each corpus file's .expected.json states, from a reading."""
    data = reading.to_json()
    received = data["received"]
    sender = data["sender"]
    return {
        "kind": data["kind"],
        "best_guess": data["best_guess"],
        "references": [reference["number"] for reference in data["references"]],
        "received": [received["date"], received["time"]] if received else None,
        "due": [[found["date"], found["role"]] for found in data["dates"]
                if found["role"] in ("due", "until")],
        "amounts": [amount["dollars"] for amount in data["amounts"]],
        "exemptions": [exemption["clause"] for exemption in data["exemptions"]],
        "sender": [sender["address"], sender["display_name"]] if sender else None,
        "no_exemption_cited": data["no_exemption_cited"],
    }


# --- the corpus ---------------------------------------------------------------------------------

def test_the_corpus_is_all_there_and_every_file_has_a_source() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert len(CORPUS_FILES) >= 20
    for path in CORPUS_FILES:
        assert (CORPUS / f"{path.name}.expected.json").is_file(), path.name
        assert f"`{path.name}`" in sources, f"{path.name} has no line in SOURCES.md"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_each_corpus_reply_reads_as_expected(path: Path) -> None:
    expected = json.loads((CORPUS / f"{path.name}.expected.json").read_text(encoding="utf-8"))
    reading = read_reply_file(path)
    assert _summary(reading) == expected
    # Every finding quotes the words it rests on, and they are the reply's own words.
    quotes = [*(ref.evidence for ref in reading.references),
              *(found.evidence for found in reading.dates),
              *(exemption.evidence for exemption in reading.exemptions),
              *(amount.evidence for amount in reading.amounts)]
    assert all(quote.strip() for quote in quotes)
    for candidate in reading.candidates:
        assert candidate.score > 0
    scores = [candidate.score for candidate in reading.candidates]
    assert scores == sorted(scores, reverse=True)
    json.dumps(reading.to_json())  # plain data


def test_a_sunday_night_and_a_christmas_eve_receipt_are_reported_exactly_as_stated() -> None:
    sunday = read_reply_file(CORPUS / "city_ack_sunday_night.txt")
    assert sunday.received is not None
    assert (sunday.received.on, sunday.received.at) == (date(2023, 12, 3), clock(22, 37, 21))
    assert sunday.received.to_json()["weekday"] == "Sunday"
    assert "10:37:21 PM" in sunday.received.evidence
    eve = read_reply_file(CORPUS / "city_ack_christmas_eve.eml")
    assert eve.received is not None
    assert (eve.received.on, eve.received.at) == (date(2024, 12, 24), clock(20, 15, 11))
    assert eve.references[0].dated == date(2024, 12, 24)
    assert eve.sent is not None and eve.sent.utcoffset() is not None  # the Date header, as sent


def test_the_police_acknowledgment_is_not_swayed_by_the_request_it_repeats() -> None:
    reading = read_reply_file(CORPUS / "police_ack_with_request.eml")
    assert reading.kind is ReplyKind.ACKNOWLEDGMENT
    assert reading.echo_removed
    assert [ref.system for ref in reading.references] == ["police"]
    assert reading.amounts == ()  # the request's "$25.00" is the requester's, not the agency's
    # 617-343-4520 is a telephone number, not an old-style reference
    assert all(ref.number != "343-4520" for ref in reading.references)


def test_a_closure_for_inactivity_is_an_appealable_denial_without_exemption() -> None:
    reading = read_reply_file(CORPUS / "closure_inactivity.eml")
    assert reading.kind is ReplyKind.CLOSURE_INACTIVITY
    assert reading.kind.response_kind == "denied"
    assert reading.no_exemption_cited
    assert "no recent activity" in reading.candidates[0].evidence[0]


def test_exemptions_map_to_law_keys() -> None:
    reading = read_reply_file(CORPUS / "denied_exemptions.eml")
    keys = {exemption.clause: exemption.key for exemption in reading.exemptions}
    assert keys == {"f": "investigatory", "c": "privacy", "a": "statutory"}
    assert not reading.no_exemption_cited


def test_when_unsure_the_kind_is_none_and_candidates_are_ranked() -> None:
    reading = read_reply_file(CORPUS / "unsure_status_or_fee.txt")
    assert reading.kind is None and not reading.sure
    assert reading.best_guess is ReplyKind.FEE_ESTIMATE
    assert [c.kind for c in reading.candidates] == [ReplyKind.FEE_ESTIMATE,
                                                    ReplyKind.STATUS_UPDATE]
    assert any("not sure" in note for note in reading.notes)
    data = reading.to_json()
    assert data["kind"] is None and data["sure"] is False and data["response_kind"] is None


def test_response_kinds_match_the_logs() -> None:
    logged = {"produced", "partial", "denied", "fee_estimate", "extension", "no_records"}
    assert {kind.response_kind for kind in ReplyKind} - {None} == logged
    assert ReplyKind.ACKNOWLEDGMENT.response_kind is None
    assert ReplyKind.REFERRAL.response_kind is None


def test_a_forwarded_reply_is_read_as_the_agencys() -> None:
    reading = read_reply_file(CORPUS / "forwarded_extension.eml")
    assert reading.sender is not None
    assert reading.sender.address == "publicrecords@example.boston.gov"
    assert reading.kind is ReplyKind.EXTENSION  # not the requester's "I think they denied it"


def test_a_pasted_thread_is_read_at_its_latest_agency_message() -> None:
    reading = read_reply_file(CORPUS / "pasted_muckrock_thread.txt")
    assert reading.kind is ReplyKind.NO_RECORDS
    assert reading.received is None  # the acknowledgment's receipt belongs to an older message
    assert any("holds 4 messages" in note for note in reading.notes)


def test_a_request_letter_pasted_above_the_answer_leaves_the_answer() -> None:
    text = ("To Whom It May Concern:\n\nPursuant to the Massachusetts Public Records Law, I hereby "
            "request all fee records. Deny nothing.\n\nSincerely,\n\nA. Requester\n"
            "requester@example.org\n\nDear Requester, the City has no responsive records.\n")
    reading = read_reply(text.encode(), source="pasted.txt")
    assert reading.kind is ReplyKind.NO_RECORDS
    assert reading.echo_removed


_ATTACHED_REQUEST = ("From: A. Requester <r@example.org>\nSubject: Request\n"
                     "Content-Type: text/plain\n\nYour request is denied. Send a fee estimate of "
                     "$900.00 and cite exemption (c) for anything withheld.\n")


def _with_attached_email(outer_text: str, inner: str) -> bytes:
    body = (f"--b\nContent-Type: text/plain; charset=utf-8\n\n{outer_text}\n--b\n"
            "Content-Type: message/rfc822\nContent-Disposition: attachment; "
            f"filename=original.eml\n\n{inner}\n--b--\n")
    return _email(body.encode(), 'multipart/mixed; boundary="b"')


def test_an_attached_original_request_is_not_read_as_the_reply() -> None:
    raw = _with_attached_email("Hello,\n\nThere are no responsive records for your request; "
                               "your original message is attached for reference. The search "
                               "covered the department's email archive and its shared drives "
                               "for the whole period you named.", _ATTACHED_REQUEST)
    reading = read_reply(raw, source="r.eml")
    assert reading.kind is ReplyKind.NO_RECORDS
    assert reading.exemptions == () and reading.amounts == ()
    assert [a.content_type for a in reading.attachments] == ["message/rfc822"]
    assert any("attached to this one" in note for note in reading.notes)


def test_an_email_forwarded_as_an_attachment_is_read_as_the_reply() -> None:
    inner = ("From: City Of Boston -- Public Records Access Officer "
             "<publicrecords@example.boston.gov>\nSubject: Public Records Request :: "
             "R000214-011024\nContent-Type: text/plain\n\nThe City requires additional "
             "time; we will provide the records no later than 2/15/2024.\n")
    reading = read_reply(_with_attached_email("FYI, see below.", inner), source="fwd.eml")
    assert reading.kind is ReplyKind.EXTENSION
    assert reading.sender is not None
    assert reading.sender.address == "publicrecords@example.boston.gov"
    assert [ref.number for ref in reading.references] == ["R000214-011024"]


def test_a_short_email_with_a_pdf_says_the_letter_may_be_in_the_pdf() -> None:
    reading = read_reply_file(CORPUS / "partial_redacted.eml")
    assert not any("PDF" in note for note in reading.notes)  # it says enough itself
    body = ("--b\nContent-Type: text/plain\n\nPlease see the attached response.\n--b\n"
            "Content-Type: application/pdf\nContent-Disposition: attachment; filename=r.pdf\n"
            "\n%PDF-1.4\n--b--\n")
    short = read_reply(_email(body.encode(), 'multipart/mixed; boundary="b"'), source="r.eml")
    assert any("PDF" in note for note in short.notes)


# Phrasings other agencies use for each kind, one sentence each (synthetic).
PHRASINGS = [
    ("acknowledgment",
     "Please be advised that the Department is in receipt of your public records "
     "request and it has been assigned reference number B000123-010224."),
    ("produced",
     "The responsive records are available for download via the link below."),
    ("denied",
     "We are unable to provide these records as they are exempt under G.L. c. 4, § "
     "7(26)(f)."),
    ("extension",
     "The Department will need to extend its time to respond to your request until "
     "March 1, 2024."),
    ("extension",
     "Pursuant to G.L. c. 66, § 10(b)(vi), the City will provide the records by March "
     "3, 2025."),
    ("no_records",
     "We have determined that the Department does not possess records responsive to "
     "your request."),
    ("no_records",
     "There are no records responsive to your request."),
    ("fee_estimate",
     "The fee for this request is $12.50. Please remit payment to the City of Boston."),
    ("clarification_request",
     "Can you please clarify which records you are seeking and for what dates?"),
    ("referral",
     "This office does not maintain the records you requested. Please submit your "
     "request to the Boston Police Department."),
    ("status_update",
     "I am writing to update you on the status of your request. We are still gathering"
     " records."),
    ("partial",
     "Enclosed please find the records responsive to your request. Certain information"
     " has been redacted pursuant to exemption (c)."),
    ("denied",
     "The City is withholding the requested records in their entirety pursuant to G.L."
     " c. 4, § 7(26)(n)."),
    ("produced",
     "Please see the attached documents responsive to your request."),
    ("closure_inactivity",
     "A review indicates no recent activity on this request. Should you still seek "
     "records I encourage you to file a new request using the City's public records "
     "request portal."),
    ("no_records",
     "After a diligent search, the School Department was unable to locate any "
     "responsive documents."),
    ("acknowledgment",
     "This is to acknowledge receipt of your public records request received on "
     "January 5, 2024."),
    ("extension",
     "Due to the volume of records, we will not be able to respond within 10 business "
     "days. We anticipate responding by February 2, 2024."),
]


@pytest.mark.parametrize(("kind", "text"), PHRASINGS, ids=[f"{k}-{i}" for i, (k, _t) in
                                                           enumerate(PHRASINGS)])
def test_common_phrasings_of_each_kind(kind: str, text: str) -> None:
    reading = read_reply(text.encode(), source="phrasing.txt")
    assert reading.kind is not None and reading.kind.value == kind, reading.candidates


# --- echoes never change the kind ---------------------------------------------------------------

BASE_REPLIES: dict[ReplyKind, str] = {
    ReplyKind.ACKNOWLEDGMENT: (
        "Dear Requester\nThank you for your interest in public records of Boston Police "
        "Department. Your request has been received and is being processed. Your request was "
        "received in this office on 11/29/2023 12:02:01 AM and given the reference number "
        "B003626-112923 for tracking purposes.\n"),
    ReplyKind.EXTENSION: (
        "Dear Requester,\n\nThe City requires additional time to respond to your request. We "
        "will provide the responsive records no later than February 15, 2024.\n"),
    ReplyKind.NO_RECORDS: (
        "Hello,\n\nAfter a search, BPS has no responsive records for your request.\n"),
    ReplyKind.CLOSURE_INACTIVITY: (
        "A review indicates no recent activity on this request. Should you still seek records I "
        "encourage you to file a new request using the City's public records request portal.\n"),
    ReplyKind.PRODUCED: (
        "Hello,\n\nAttached are the records responsive to your request. This completes the "
        "City's response.\n"),
    ReplyKind.CLARIFICATION_REQUEST: (
        "Dear Requester,\n\nYour request is void of a specific time period. Please clarify the "
        "time period you are seeking.\n"),
}

TRIGGERS = ["fee", "fees", "deny", "denied", "exempt", "exemption (c)", "extension",
            "Your request is denied.", "a fee estimate of $500.00", "no responsive records",
            "Attached are the records.", "no recent activity", "please clarify",
            "forwarded to the City Clerk", "until 1/15/2024", "we need additional time",
            "withheld in their entirety", "redacted", "payable to", "still working on it",
            "received in this office on 1/2/2024 9:00:00 AM"]
_WORDS = st.one_of(st.sampled_from(TRIGGERS),
                   st.text(alphabet=string.ascii_letters + string.digits + " .,;:$()/-",
                           min_size=1, max_size=24))
ECHOED_TEXT = st.lists(_WORDS, min_size=1, max_size=30).map(" ".join)
LINES = st.lists(ECHOED_TEXT, min_size=1, max_size=5).map("\n".join)


def _echoed(base: str, form: str, request: str) -> tuple[str, str | None]:
    """``base`` with ``request`` echoed in one of the ways replies repeat a request."""
    if form == "quoted":
        quoted = "\n".join("> " + line for line in request.split("\n"))
        return f"{base}\nOn Mon, Dec 4, 2023 at 9:00 AM A. Requester <a@example.org> wrote:\n" \
               f"{quoted}\n", None
    if form == "quoted_bare":
        return base + "\n" + "\n".join(">" + line for line in request.split("\n")), None
    if form == "details":
        return f"{base}\nRequest Details:\n{request}\n", None
    if form == "letter":
        return (f"{base}\nTo Whom It May Concern:\n\nPursuant to the Massachusetts Public Records "
                f"Law, I hereby request the following records:\n\n{request}\n\nSincerely,\n"
                "A. Requester\n"), None
    if form == "outlook":
        return (f"{base}\nFrom: A. Requester <a@example.org>\nSent: Monday, December 4, 2023 "
                f"9:00 AM\nTo: Records <records@example.org>\nSubject: Request\n\n{request}\n"
                ), None
    if form == "original":
        return f"{base}\n-----Original Message-----\n{request}\n", None
    if form == "inline":
        one_line = request.replace("\n", " ")
        return f'In which you requested "{one_line}":\n\n{base}', None
    assert form == "known"  # the caller passes the request as sent
    paragraph = "Records requested for the office: " + request.replace("\n", " ")
    return f"{base}\n\n{paragraph}\n", paragraph


FORMS = ["quoted", "quoted_bare", "details", "letter", "outlook", "original", "inline", "known"]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(list(BASE_REPLIES)), form=st.sampled_from(FORMS), request=LINES)
def test_an_echoed_request_never_changes_the_kind(kind: ReplyKind, form: str,
                                                  request: str) -> None:
    base = BASE_REPLIES[kind]
    alone = read_reply(base.encode(), source="base.txt")
    assert alone.kind is kind
    text, known = _echoed(base, form, request)
    reading = read_reply(text.encode(), source="echoed.txt", request_text=known)
    assert reading.kind is kind
    assert [c.kind for c in reading.candidates] == [c.kind for c in alone.candidates]
    assert reading.exemptions == alone.exemptions
    assert reading.amounts == alone.amounts


@settings(max_examples=examples(100), deadline=None)
@given(request=LINES)
def test_an_echo_inside_an_email_never_changes_the_kind(request: str) -> None:
    base = BASE_REPLIES[ReplyKind.NO_RECORDS]
    quoted = "\n".join("> " + line for line in request.split("\n"))
    body = f"{base}\nOn Mon, Dec 4, 2023 at 9:00 AM A. Requester wrote:\n{quoted}\n"
    raw = _email(body.encode("utf-8"), "text/plain; charset=utf-8", "base64")
    assert read_reply(raw, source="echo.eml").kind is ReplyKind.NO_RECORDS


@settings(max_examples=examples(100), deadline=None)
@given(kind=st.sampled_from(list(BASE_REPLIES)), request=LINES,
       wrapper=st.sampled_from(['<blockquote type="cite">{}</blockquote>',
                                '<div class="gmail_quote">{}</div>',
                                '<div id="divRplyFwdMsg"><div>{}</div></div>']))
def test_an_echo_quoted_in_html_never_changes_the_kind(kind: ReplyKind, request: str,
                                                       wrapper: str) -> None:
    own = "".join(f"<p>{html.escape(line)}</p>" for line in BASE_REPLIES[kind].split("\n"))
    quoted = wrapper.format("<br>".join(html.escape(line) for line in request.split("\n")))
    raw = _email(f"<html><body>{own}{quoted}</body></html>".encode(),
                 "text/html; charset=utf-8", "quoted-printable")
    assert read_reply(raw, source="echo.eml").kind is kind


def test_the_request_as_sent_is_removed_even_unmarked() -> None:
    request = ("Any police records about arrests for underage drinking. Please waive the fee, "
               "or send a fee estimate first; if you deny any part, cite the exemption.")
    reply = BASE_REPLIES[ReplyKind.ACKNOWLEDGMENT] + "\n" + request + "\n"
    without = read_reply(reply.encode(), source="ack.txt")
    with_request = read_reply(reply.encode(), source="ack.txt", request_text=request)
    assert with_request.kind is ReplyKind.ACKNOWLEDGMENT
    assert with_request.echo_removed
    assert [c.kind for c in with_request.candidates] == [ReplyKind.ACKNOWLEDGMENT]
    assert ReplyKind.FEE_ESTIMATE in [c.kind for c in without.candidates]


def test_strip_echo_keeps_the_agencys_words() -> None:
    unechoed = strip_echo("We have no responsive records.\n\n> I hereby request fees waived")
    assert unechoed.text == "We have no responsive records."
    assert unechoed.removed
    assert not strip_echo("We have no responsive records.").removed


# --- encodings ----------------------------------------------------------------------------------

def _email(body: bytes, content_type: str, encoding: str | None = None,
           headers: str = "") -> bytes:
    if encoding == "base64":
        body = base64.encodebytes(body)
    elif encoding == "quoted-printable":
        body = quopri.encodestring(body)
    transfer = f"Content-Transfer-Encoding: {encoding}\n" if encoding else ""
    return (f"From: Records <records@example.boston.gov>\nTo: r@example.org\n"
            f"Subject: Public Records Request :: R004372-120323\n{headers}"
            f"MIME-Version: 1.0\nContent-Type: {content_type}\n{transfer}\n").encode() + body


NO_RECORDS_TEXT = "Café owners’ request: the Department has no responsive records. — Legal"


@pytest.mark.parametrize(("charset", "encoding"), [
    ("utf-8", "quoted-printable"), ("utf-8", "base64"), ("utf-8", "8bit"),
    ("windows-1252", "quoted-printable"), ("windows-1252", "8bit"), ("cp1252", "base64"),
])
def test_text_parts_in_any_declared_charset_and_transfer_encoding(charset: str,
                                                                  encoding: str) -> None:
    raw = _email(NO_RECORDS_TEXT.encode(charset), f"text/plain; charset={charset}", encoding)
    reading = read_reply(raw, source="reply.eml")
    assert reading.kind is ReplyKind.NO_RECORDS
    assert "Café owners’" in reading.candidates[0].evidence[0]


def test_latin1_has_no_curly_quotes_but_reads() -> None:
    text = "Café: the Department has no responsive records."
    raw = _email(text.encode("latin-1"), "text/plain; charset=ISO-8859-1", "8bit")
    reading = read_reply(raw, source="reply.eml")
    assert reading.kind is ReplyKind.NO_RECORDS
    assert "Café" in reading.candidates[0].evidence[0]


def test_an_undeclared_charset_falls_back_from_utf8_to_windows_1252() -> None:
    raw = _email(NO_RECORDS_TEXT.encode("cp1252"), "text/plain", "8bit")
    assert "owners’" in read_reply(raw, source="r.eml").candidates[0].evidence[0]


def test_html_only_is_read_as_text_without_scripts_styles_or_quoted_text() -> None:
    html = ("<html><head><style>.x{}</style></head><body><p>Attached are the records.</p>"
            "<p>This completes&nbsp;the City&#8217;s response.</p>"
            "<script>document.write('your request is denied')</script>"
            "<blockquote>Your request is denied. Fee estimate $900.</blockquote></body></html>")
    raw = _email(html.encode(), "text/html; charset=utf-8", "base64")
    reading = read_reply(raw, source="r.eml")
    assert reading.kind is ReplyKind.PRODUCED
    assert reading.amounts == ()
    assert "City’s response" in " ".join(reading.candidates[0].evidence)


def test_plain_text_is_preferred_over_html_unless_it_is_a_placeholder() -> None:
    alternative = (
        "--b\nContent-Type: text/plain; charset=utf-8\n\nView this email in HTML.\n"
        "--b\nContent-Type: text/html; charset=utf-8\n\n<p>There are no responsive records.</p>\n"
        "--b--\n")
    raw = _email(alternative.encode(), 'multipart/alternative; boundary="b"')
    assert read_reply(raw, source="r.eml").kind is ReplyKind.NO_RECORDS


def test_pasted_text_in_windows_1252_and_utf16_reads_with_a_note() -> None:
    text = "We need additional time; we will respond no later than 3/1/2024. Café’s"
    cp1252 = read_reply(text.encode("cp1252"), source="pasted.txt")
    assert cp1252.kind is ReplyKind.EXTENSION
    assert any("Windows-1252" in note for note in cp1252.notes)
    utf16 = read_reply(text.encode("utf-16"), source="pasted.txt")
    assert utf16.kind is ReplyKind.EXTENSION
    assert [(d.on, d.role) for d in utf16.due_dates] == [(date(2024, 3, 1), "due")]


def test_an_email_whose_mail_program_put_its_own_header_first_is_an_email() -> None:
    raw = b"X-Mozilla-Status: 0001\n" + _email(b"There are no responsive records.",
                                               "text/plain; charset=utf-8")
    reading = read_reply(raw, source="r.eml")
    assert reading.kind is ReplyKind.NO_RECORDS
    assert reading.subject == "Public Records Request :: R004372-120323"


def test_headers_are_decoded_from_encoded_words() -> None:
    raw = _email(b"There are no responsive records.", "text/plain; charset=utf-8",
                 headers="Reply-To: x@example.org\n").replace(
        b"From: Records <records@example.boston.gov>",
        b"From: =?utf-8?b?" + base64.b64encode("Bureau des Archives – Café".encode())
        + b"?= <records@example.boston.gov>")
    reading = read_reply(raw, source="r.eml")
    assert reading.sender is not None
    assert reading.sender.display_name == "Bureau des Archives – Café"
    assert reading.sender.address == "records@example.boston.gov"


# --- what is extracted --------------------------------------------------------------------------

def _extract(text: str) -> Sentences:
    return Sentences(text)


def test_times_are_read_on_a_twelve_hour_clock() -> None:
    text = ("Received in this office on 11/29/2023 12:02:01 AM. Also 1/2/2024 12:30 PM and "
            "January 3, 2024 at 4:05 p.m. and 2024-01-04 16:06 and 1-5-2024 and Sept. 6th, "
            "2024.")
    found, _total = dates(text, _extract(text))
    assert [(d.on, d.at) for d in found] == [
        (date(2023, 11, 29), clock(0, 2, 1)), (date(2024, 1, 2), clock(12, 30)),
        (date(2024, 1, 3), clock(16, 5)), (date(2024, 1, 4), clock(16, 6)),
        (date(2024, 1, 5), None), (date(2024, 9, 6), None)]
    assert found[0].role == "received"


def test_date_roles_come_from_the_words_before_them() -> None:
    text = ("We received your request by email on June 30, 2017. The period from January 1, "
            "2016 to December 31, 2016 is covered. We extend the time to March 1, 2024, and "
            "expect to produce records by 3/15/2024. The letter of 13/45/2024 is no date.")
    found, _total = dates(text, _extract(text))
    assert [(d.on.isoformat(), d.role) for d in found] == [
        ("2017-06-30", "received"), ("2016-01-01", "mentioned"), ("2016-12-31", "mentioned"),
        ("2024-03-01", "until"), ("2024-03-15", "due")]


def test_references_take_every_numbering_and_refuse_lookalikes() -> None:
    text = ("In 2017: R004372-120323 and B003626-112923. Your request number 17-140 was "
            "appealed as SPR17-001. Call 617-343-4520; pages 10-15; XR004372-120323 is not one.")
    found = references(text, _extract(text))
    assert [(ref.number, ref.system) for ref in found] == [
        ("R004372-120323", "city"), ("B003626-112923", "police"), ("17-140", "police_legacy"),
        ("SPR17-001", "supervisor")]
    assert found[0].dated == date(2023, 12, 3)


@pytest.mark.parametrize(("text", "clauses"), [
    ("withheld under G.L. c. 4, § 7(26)(f)", ["f"]),
    ("under M.G.L. c. 4, §7, cl. 26(n)", ["n"]),
    ("see exemptions (c), (d) and (f)", ["c", "d", "f"]),
    ("the twenty-sixth clause, subclause (a)", ["a"]),
    ("Exemption (a) allows for the withholding", ["a"]),
    ("exemption (see below) and option (c)", []),
])
def test_exemption_citations(text: str, clauses: list[str]) -> None:
    assert [ex.clause for ex in exemptions(text, _extract(text))] == clauses


def test_amounts_with_dollar_signs_or_the_word() -> None:
    text = "The fee is $1,250.50, or $ 30, or 12 dollars; 40 hours is not money."
    found, total = amounts(text, _extract(text))
    assert [str(a.dollars) for a in found] == ["1250.50", "30.00", "12.00"]
    assert total == 3


def test_evidence_is_the_whole_sentence_despite_abbreviations() -> None:
    text = "Hello. Under G.L. c. 4, § 7(26)(c) the records are withheld. Thanks."
    found = exemptions(text, _extract(text))
    assert found[0].evidence == "Under G.L. c. 4, § 7(26)(c) the records are withheld."


# --- hostile and broken input -------------------------------------------------------------------

def _problem(excinfo: pytest.ExceptionInfo[ReplyFileError]) -> str:
    message = str(excinfo.value)
    assert isinstance(excinfo.value, UserError)
    assert message.startswith("evil.eml: ")
    return message


def test_mime_nested_past_the_depth_limit_is_refused() -> None:
    depth = 12
    opening = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'
                      for i in range(depth))
    closing = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    raw = ("From: a@example.org\nMIME-Version: 1.0\n" + opening
           + "Content-Type: text/plain\n\nno responsive records\n" + closing).encode()
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw, source="evil.eml")
    assert "nesting" in _problem(excinfo) and "RECORDSKIT_MAX_REPLY_MIME_DEPTH" in str(
        excinfo.value)


def test_too_many_parts_are_refused_before_parsing() -> None:
    parts = "".join("--b\nContent-Type: text/plain\n\nx\n" for _ in range(500))
    raw = _email((parts + "--b--\n").encode(), 'multipart/mixed; boundary="b"')
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw, source="evil.eml")
    assert "MIME structure" in _problem(excinfo)


def test_deep_message_rfc822_nesting_is_refused() -> None:
    raw = ("From: a@example.org\nMIME-Version: 1.0\n"
           + "Content-Type: message/rfc822\n\n" * 30 + "Content-Type: text/plain\n\nhi\n")
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw.encode(), source="evil.eml")
    assert "nesting" in _problem(excinfo)


def test_a_huge_attachment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_ATTACHMENT_BYTES", "10000")
    data = base64.encodebytes(b"\x00" * 20_000).decode()
    body = ("--b\nContent-Type: text/plain\n\nAttached are the records.\n--b\n"
            "Content-Type: application/pdf\nContent-Disposition: attachment; filename=big.pdf\n"
            f"Content-Transfer-Encoding: base64\n\n{data}\n--b--\n")
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(_email(body.encode(), 'multipart/mixed; boundary="b"'), source="evil.eml")
    assert "'big.pdf'" in _problem(excinfo)
    assert "RECORDSKIT_MAX_REPLY_ATTACHMENT_BYTES" in str(excinfo.value)


def test_a_zip_bomb_attachment_is_measured_never_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\x00" * 50_000_000)  # 50 MB of zeros, a few KB zipped
    packed = buffer.getvalue()
    assert len(packed) < 100_000
    body = ("--b\nContent-Type: text/plain\n\nAttached are the records.\n--b\n"
            "Content-Type: application/zip\nContent-Disposition: attachment; filename=r.zip\n"
            "Content-Transfer-Encoding: base64\n\n"
            + base64.encodebytes(packed).decode() + "\n--b--\n")
    started = time.monotonic()
    reading = read_reply(_email(body.encode(), 'multipart/mixed; boundary="b"'), source="z.eml")
    assert time.monotonic() - started < 5
    assert reading.kind is ReplyKind.PRODUCED
    assert [(a.filename, a.size) for a in reading.attachments] == [("r.zip", len(packed))]


def test_the_whole_file_over_its_limit_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_BYTES", "1000")
    path = tmp_path / "big.eml"
    path.write_bytes(_email(b"x" * 5000, "text/plain"))
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply_file(path)
    assert str(excinfo.value).startswith(f"{path}: the file is over the limit of 1,000 bytes")
    with pytest.raises(ReplyFileError, match="RECORDSKIT_MAX_REPLY_BYTES"):
        read_reply(path.read_bytes(), source="evil.eml")


def test_a_text_part_over_its_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_TEXT_BYTES", "1000")
    raw = _email(b"no responsive records " * 200, "text/plain; charset=utf-8", "base64")
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw, source="evil.eml")
    assert "text/plain part" in _problem(excinfo)


def test_an_html_bomb_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_TEXT_CHARS", "5000")
    many = "<p>&nbsp;word&#x41;</p>" * 20_000
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(_email(many.encode(), "text/html; charset=utf-8"), source="evil.eml")
    assert "reply's text" in _problem(excinfo)


def test_deeply_nested_html_is_read() -> None:
    # Far deeper than any recursion limit; how the time grows with depth is bench/replies.py's
    nested = "<div>" * 20_000 + "There are no responsive records." + "</div>" * 20_000
    reading = read_reply(_email(nested.encode(), "text/html"), source="deep.eml")
    assert reading.kind is ReplyKind.NO_RECORDS


@pytest.mark.parametrize("header", [
    b"Subject: =?utf-8?q?Records=0D=0ABcc:_victim@example.org?=",
    b"From: =?utf-8?q?Evil=0ABcc:_x@example.org?= <a@example.org>",
    b"Subject: =?utf-8?b?" + base64.b64encode(b"ok\r\nX-Injected: 1") + b"?=",
])
def test_line_breaks_smuggled_in_encoded_words_are_refused(header: bytes) -> None:
    raw = header + b"\nDate: Mon, 4 Dec 2023 10:00:00 -0500\nFrom: a@example.org\n\nhello\n"
    if header.startswith(b"From"):
        raw = header + b"\nSubject: x\n\nhello\n"
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw, source="evil.eml")
    assert "header" in _problem(excinfo)


@pytest.mark.parametrize("charset", ["utf-7", "x-unknown-charset", "UTF-7"])
def test_encoded_words_in_an_unread_charset_are_refused(charset: str) -> None:
    raw = f"From: a@example.org\nSubject: =?{charset}?q?hello?=\n\nno responsive records\n"
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw.encode(), source="evil.eml")
    assert charset in _problem(excinfo)


def test_a_body_in_utf7_is_refused() -> None:
    raw = _email(b"+ADw-script+AD4-", "text/plain; charset=utf-7")
    with pytest.raises(ReplyFileError, match="utf-7"):
        read_reply(raw, source="evil.eml")


def test_an_overlong_header_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_HEADER_CHARS", "100")
    raw = b"From: a@example.org\nSubject: " + b"x" * 300 + b"\n\nhello\n"
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(raw, source="evil.eml")
    assert "Subject header" in _problem(excinfo)


@pytest.mark.parametrize(("data", "words"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF"),
    (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Outlook .msg"),
    (b"From: a@example.org\n\nhello\x00\x01\x02world", "binary data"),
    (bytes(range(256)) * 4, "binary data"),
])
def test_a_file_that_is_not_an_email_or_text_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(ReplyFileError) as excinfo:
        read_reply(data, source="evil.eml")
    assert words in _problem(excinfo)
    assert ".eml" in str(excinfo.value)  # it says what to save instead


_MUTATIONS = [b"Content-Type: multipart/mixed; boundary=", b"=?utf-8?q?", b"?=", b"\r\n",
              b"\n\n", b"--", b"charset=", b"Content-Transfer-Encoding: base64\n",
              b"filename*=utf-8''%FF%FE", b"<", b"&#x0;", b"&#99999999;", b"\xff\xfe",
              b"Date: ", b"From: ", b"@", b"\xe9", b"\xc3", b"message/rfc822"]


@settings(max_examples=examples(200), deadline=None)
@given(source=st.sampled_from(CORPUS_FILES), data=st.data())
def test_broken_emails_give_a_reading_or_a_clear_error_never_a_crash(source: Path,
                                                                     data: st.DataObject) -> None:
    raw = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            raw[at:at] = data.draw(st.one_of(st.sampled_from(_MUTATIONS),
                                             st.binary(min_size=1, max_size=4)))
        else:
            del raw[at:at + data.draw(st.integers(1, 40))]
    try:
        reading = read_reply(bytes(raw), source="fuzzed.eml")
    except ReplyFileError as exc:
        assert str(exc).startswith("fuzzed.eml: ")
    else:
        json.dumps(reading.to_json()).encode("utf-8")  # plain data, writable as UTF-8


def test_findings_are_capped_and_their_quotes_bounded() -> None:
    # One 13,000-character "sentence" of dates: each date's quote is bounded, not the whole
    # sentence (quoting it whole once took minutes at 30,000 dates: bench/replies.py times it)
    text = "12/1/2023 $5 " * 1_000
    reading = read_reply(text.encode(), source="dates.txt")
    assert len(reading.dates) == len(reading.amounts) == 200
    assert all(len(found.evidence) <= 402 for found in reading.dates)
    assert any("only the first 200 of 1,000 dates" in note for note in reading.notes)
    assert any("200 of 1,000 sums of money" in note for note in reading.notes)


# How the time of each shape grows with its size is bench/replies.py's to measure.
@pytest.mark.parametrize(("text", "note"), [
    ("I hereby request x.\nSincerely,\nA\n\n" * 1_100,   # pasted letters, each cut in turn
     "text the reply repeats from the request or an earlier message was set aside"),
    ("From: a\nSent: b\nTo: c\n" * 1_700, "the reply has no text of its own"),
    ("From: x\n\nI wanted to follow up\n\n" * 1_200,
     "the pasted text holds 1200 messages; the latest that is not the requester's was read"),
    ('you requested "' * 2_600,
     "text the reply repeats from the request or an earlier message was set aside"),
], ids=["letters", "outlook", "thread", "quotes"])
def test_hostile_echo_shapes_are_read_as_echoes(text: str, note: str) -> None:
    reading = read_reply(text.encode(), source="hostile.txt")
    assert reading.kind is None
    assert any(found.startswith(note) for found in reading.notes), reading.notes


def test_missing_files_and_folders_are_named(tmp_path: Path) -> None:
    with pytest.raises(ReplyFileError, match="file not found"):
        read_reply_file(tmp_path / "nope.eml")
    with pytest.raises(ReplyFileError, match="is a folder"):
        read_reply_file(tmp_path)


def test_a_bad_limit_setting_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_REPLY_BYTES", "lots")
    with pytest.raises(UserError, match="RECORDSKIT_MAX_REPLY_BYTES"):
        read_reply(b"hello", source="r.txt")


def test_reading_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reply.eml"
    path.write_bytes((CORPUS / "partial_redacted.eml").read_bytes())
    before = sorted(tmp_path.iterdir())
    read_reply_file(path)
    with pytest.raises(ReplyFileError):
        read_reply(b"\x00\x00", source=str(path))
    assert sorted(tmp_path.iterdir()) == before


def test_an_empty_reply_is_read_as_nothing_sure() -> None:
    reading = read_reply(b"", source="empty.txt")
    assert reading.kind is None and reading.candidates == ()
    assert any("no text of its own" in note for note in reading.notes)
