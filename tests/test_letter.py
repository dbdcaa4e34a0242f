"""The generated letter, opened with python-docx and read: what a records officer would see."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from recordskit.intake.answers import request_from
from recordskit.law import LAW_VERSION
from recordskit.service import LAW, Directory, prepare_request
from tests.conftest import docx_text

Answers = Callable[..., dict[str, Any]]


def _letter(directory: Directory, answers: Answers, **changes: Any) -> str:
    made = prepare_request(request_from(answers(**changes), directory), directory)
    return docx_text(made.files["letter.docx"])


@pytest.mark.parametrize(("agency", "records", "delivery", "address_line", "delivery_line"), [
    ("bps", ["school-police-reports-shared-with-bric", "disclosure-protocol-2020"], "email",
     "2300 Washington Street\nRoxbury, MA 02119", "By email to legal@bostonpublicschools.org"),
    ("bpd", ["bric-federal-access-rules", "bric-federal-user-audit-logs"], "mail",
     "One Schroeder Plaza\nBoston, MA 02120", "By mail"),
    ("city-clerk", ["trust-act-annual-reports"], "portal",
     "1 City Hall Square, Room 601\nBoston, MA 02201-2014",
     "Submitted through the public records portal, https://www.boston.gov/departments/public-records"),
])
def test_letter_for_each_agency(directory: Directory, answers: Answers, agency: str,
                                records: list[str], delivery: str, address_line: str,
                                delivery_line: str) -> None:
    text = _letter(directory, answers, agency=agency, records=records, delivery=delivery,
                   requester__mailing_address="1 Main St\nBoston, MA 02110")
    body = directory.agency(agency)
    assert text.startswith("June 12, 2026\nRecords Access Officer\n")
    assert body.name in text
    assert address_line in text
    assert delivery_line in text
    assert "This is a request under the Massachusetts Public Records Law, M.G.L. c. 66, § 10, " \
           "and its regulations, 950 CMR 32.00, for copies of these records:" in text
    for number, record_id in enumerate(records, start=1):
        record = body.record(record_id)
        assert f"{number}. {record.title}. {record.description}" in text
    assert "release every segregable, non-exempt portion (M.G.L. c. 66, § 10(a); Reinstein" in text
    assert "state the specific exemption and the reason it applies " \
           "(M.G.L. c. 66, § 10(b)(iv))" in text
    # Both fee rules share one citation, so it is given once.
    assert LAW["free_hours_municipal"].citation == LAW["labor_rate_cap"].citation
    assert f"may not charge for the first 2 hours of employee time; after that, " \
           f"{LAW['labor_rate_cap'].statement} ({LAW['labor_rate_cap'].citation})" in text
    assert "no fee may be charged if you do not respond within 10 business days " \
           "(950 CMR 32.06(2)(c))." in text
    assert "records access officers help requesters identify the records they seek " \
           "(M.G.L. c. 66, § 6A(b))." in text
    assert text.rstrip().endswith("Ana Pérez\n1 Main St\nBoston, MA 02110\nana@example.org")
    assert "{{" not in text and "{%" not in text


def test_response_date_comes_from_the_schedule(directory: Directory, answers: Answers) -> None:
    text = _letter(directory, answers)
    assert "I expect this request to count as received on June 12, 2026, so your response is " \
           "due within 10 business days, by June 30, 2026 (M.G.L. c. 66, § 10(a)–(b); " \
           "950 CMR 32.06(2)(b)), even if you need more time to produce the records" in text
    # Friday 3 July 2026 is counted closed (Independence Day falls on the Saturday).
    assert "a production date may be no later than July 22, 2026, 25 business days " \
           "after receipt (M.G.L. c. 66, § 10(b)(vi))" in text
    mailed = _letter(directory, answers, agency="bpd", records=["gang-database-rules"],
                     delivery="mail", requester__mailing_address="1 Main St")
    assert "I expect this letter to reach you by June 18, 2026, so your response is due within " \
           "10 business days, by July 6, 2026 (" in mailed


def test_period_of_each_item(directory: Directory, answers: Answers) -> None:
    text = _letter(directory, answers, records=["school-police-reports-shared-with-bric",
                                                 "incident-report-sharing-policies"],
                   other_records="Budget of the school police.")
    assert "Period: from January 1, 2014 through December 31, 2018." in text
    assert "Period: from January 1, 2014 to the date of this request." in text
    assert "3. Other records. Budget of the school police." in text
    narrowed = _letter(directory, answers, date_from="2016-01-01", date_to="2016-12-31")
    assert "Period: from January 1, 2016 through December 31, 2016." in narrowed


def test_exemption_asks_and_precedents(directory: Directory, answers: Answers) -> None:
    text = _letter(directory, answers)
    # Each exemption note is one sentence inside its item, then the de-identified alternative.
    item = next(line for line in text.splitlines() if line.startswith("1. "))
    assert item.endswith(
        "Period: from January 1, 2014 through December 31, 2018. If you rely on M.G.L. c. 4, "
        "§ 7(26)(a): Please redact students' identifying details from any part that is a "
        "student record, and release the rest. If you rely on M.G.L. c. 4, § 7(26)(c): Please "
        "redact the names of students and witnesses rather than withhold whole reports. If "
        "reports are withheld, please provide instead an extract of existing data without "
        "names: each report's date, school and type of incident, and when and with whom it was "
        "shared.")
    assert "an extract of existing data is not a new record (950 CMR 32.07(1)(f))" in text
    # As the sources say it (shared/precedents.md P1): "at least 135", "most between 2014 and
    # 2017", and the suit named the City, BPS and the School Police.
    assert "Earlier requests. Documents released on January 6, 2020, after Lawyers for Civil " \
        "Rights and education advocacy groups sued the City of Boston, BPS and the Boston " \
        "School Police for them, showed that at least 135 BPS student incident reports were " \
        "made accessible to ICE through the BRIC, most between 2014 and 2017 (reported by CBS " \
        "News and the Associated Press on January 6, 2020)." in text
    assert "more than 100" not in text and "answered by" not in text


def _precedent_lines(text: str) -> list[str]:
    """The sentences of the "Earlier requests." paragraph, one per precedent."""
    paragraph = next((line for line in text.splitlines()
                      if line.startswith("Earlier requests. ")), "")
    return re.findall(r".+?\((?:reported by [^)]*|source: [^)]*)\)\.",
                      paragraph.removeprefix("Earlier requests. "))


def test_at_most_two_precedents_those_behind_the_most_items(directory: Directory,
                                                            answers: Answers) -> None:
    """BPD's six items cite six precedents; only the one behind three items is cited, since the
    others stand behind fewer; two tied at the top are both cited, in catalog order."""
    text = _letter(directory, answers, agency="bpd", delivery="mail", records=[
        "bric-federal-access-rules", "bric-federal-user-audit-logs",
        "school-reports-at-the-bric", "ice-task-force-assignments",
        "ice-requests-and-responses", "gang-database-rules"])
    lines = _precedent_lines(text)
    assert len(lines) == 1, lines
    assert lines[0].startswith("Documents released on January 6, 2020, after Lawyers for Civil")
    tied = _letter(directory, answers, agency="bpd", delivery="mail",
                   records=["bric-federal-access-rules"])
    lines = _precedent_lines(tied)
    assert len(lines) == 2, lines
    assert lines[1].strip().startswith("A March 2024 public records request for BRIC quarterly")
    # The source shows an acknowledgment, nothing more.
    assert lines[1].endswith("was acknowledged by the Boston Police Department under its own "
                             "reference number, B000630-030524 (source: MuckRock).")
    three = _letter(directory, answers, agency="bpd", delivery="mail", records=[
        "ice-task-force-assignments", "ice-requests-and-responses", "gang-database-rules"])
    assert len(_precedent_lines(three)) == 2  # four tied at one item each: the first two


def test_a_policy_event_is_never_cited_as_an_earlier_request(directory: Directory,
                                                             answers: Answers) -> None:
    text = _letter(directory, answers, records=["disclosure-protocol-2020",
                                                "privacy-training-materials"])
    assert "proposed a stricter student privacy policy" not in text
    assert "Earlier requests" not in text
    with_release = _letter(directory, answers, records=["incident-report-sharing-policies"])
    assert "revised its policy in 2018" not in with_release
    assert len(_precedent_lines(with_release)) == 1


def test_no_asks_or_precedents_for_own_words_only(directory: Directory, answers: Answers) -> None:
    text = _letter(directory, answers, records=[], other_records="The school police budget.")
    assert "If you rely on" not in text and "Earlier requests" not in text
    assert "not a new record" not in text
    assert "1. Other records. The school police budget." in text


def test_fee_choices(directory: Directory, answers: Answers) -> None:
    default = _letter(directory, answers)
    assert "Please send me an itemized, good-faith estimate before any work that would be " \
           "charged; no fee may be charged" in default
    assert "No per-page copy fee may be charged for records provided electronically" in default
    assert "waive" not in default
    capped = _letter(directory, answers, max_fee=40, fee_waiver="public_interest")
    assert "If the fees will exceed $40.00, please send me an itemized, good-faith estimate " \
           "first; no fee" in capped
    assert "I ask that you waive all fees in the public interest (M.G.L. c. 66, § 10(d)): " \
           "disclosure is likely to contribute significantly to public understanding of the " \
           "operations of government and is not primarily in my commercial interest." in capped
    poor = _letter(directory, answers, fee_waiver="indigency")
    assert "because I cannot afford to pay them." in poor
    paper = _letter(directory, answers, format="paper", requester__mailing_address="1 Main St")
    assert "Please send paper copies to my mailing address below. Paper copies may cost no more " \
           "than $0.05 a page (M.G.L. c. 66, § 10(d); 950 CMR 32.07(2))." in paper
    assert "No per-page copy fee" not in paper


def test_organization_filing_for_a_family(directory: Directory, answers: Answers) -> None:
    text = _letter(directory, answers, requester__name="", requester__organization="Family Clinic",
                   requester__email="intake@clinic.example.org", requester__phone="617-555-0100")
    assert text.rstrip().endswith("Sincerely,\nFamily Clinic\nintake@clinic.example.org\n"
                                  "617-555-0100")
    assert "Ana" not in text


HOSTILE = [
    "Smith & Sons <records@example.org>",
    'He said "stop" & she said \'go\' > < &amp; &lt;',
    "First line\nSecond line\nThird line",
    "السجلات المطلوبة — 学生记录 — Записи — Ἀθῆναι — 🚓📄",
    "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {{ cycler.__init__.__globals__ }}",
    "<w:p><w:r><w:t>injected</w:t></w:r></w:p>",
    "x" * 10_000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_answers_come_out_intact(directory: Directory, answers: Answers,
                                         value: str) -> None:
    line = value.replace("\n", " ")  # a name and an organization are one line (refused else)
    text = _letter(directory, answers, other_records=value, requester__name=f"N {line}",
                   requester__organization=f"O {line}", requester__mailing_address=f"A {value}")
    # Free text is one paragraph of the letter: its spaces and line breaks run together, its
    # first letter is a capital, and it ends a sentence.
    flowed = " ".join(value.split())
    assert f"Other records. {flowed[:1].upper()}{flowed[1:]}." in text
    assert f"Sincerely,\nN {line}\nO {line}\nA {value}\nana@example.org" in text
    assert "49" not in text.replace(value, "")  # Jinja in an answer is text, never evaluated


def test_document_properties_are_stamped(directory: Directory, answers: Answers) -> None:
    made = prepare_request(request_from(answers(), directory), directory)
    properties = Document(io.BytesIO(made.files["letter.docx"])).core_properties
    assert properties.title == "Public records request to Boston Public Schools"
    assert f"law table {LAW_VERSION}" in properties.comments
    assert "template request.docx version 1" in properties.comments
    assert properties.version == "request.docx 1"


def test_template_is_a_real_word_document() -> None:
    template = Path(__file__).resolve().parent.parent / "letter_templates" / "request.docx"
    document = Document(template)
    assert document.core_properties.version == "1"
    assert any("{{ letter_date }}" in p.text for p in document.paragraphs)


def test_the_letter_states_the_presumption_and_the_appeal_route(directory: Directory,
                                                                answers: Answers) -> None:
    text = _letter(directory, answers)
    presumption, window = LAW["presumption_public"], LAW["appeal_window"]
    expected = (f"Your rights. {presumption.statement[:1].upper()}{presumption.statement[1:]} "
                f"({presumption.citation}). Please release every segregable, non-exempt portion "
                f"({LAW['segregable'].citation}); an extract of existing data is not a new record "
                f"({LAW['segregable_extract'].citation}), and for anything withheld, state the "
                "specific "
                "exemption and the reason it applies "
                f"({LAW['withholding_reasons'].citation}). If this request is not answered as "
                "the law requires, "
                "I may appeal to the Supervisor of Records within "
                f"{window.value} calendar days ({LAW['appeal_right'].citation}; "
                f"{window.citation}).")
    assert expected in text
    # As facts.md 1.14 supports it: the presumption is cited to the chapter, no section.
    assert "Your rights. Records are presumed public, and the records custodian bears the " \
           "burden of showing with specificity that an exemption applies and why the record " \
           "should be withheld (M.G.L. c. 66). Please release" in text
    assert "If this request is not answered as the law " \
           "requires, I may appeal to the Supervisor of Records within 90 calendar days " \
           "(M.G.L. c. 66, § 10A(a); 950 CMR 32.08(1)(c)–(d))." in text
