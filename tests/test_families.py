"""Families first: a child's own record, the privacy guard, and the interview in their language."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po
from click.testing import CliRunner
from prompt_toolkit.input.base import PipeInput

from recordskit.cli import cli
from recordskit.errors import InputFileError
from recordskit.i18n import LOCALE_DIR, catalog_problems, languages, placeholder_problem
from recordskit.intake.answers import request_from
from recordskit.intake.privacy import personal_details, refuse
from recordskit.service import (
    Directory,
    TerminalAsker,
    local_date,
    prepare_request,
    run_interview,
    set_language,
)
from tests.conftest import DOWN, ENTER, FROZEN_AGENCIES, docx_text

Answers = Callable[..., dict[str, Any]]
ROOT = Path(__file__).resolve().parent.parent
D = date.fromisoformat


def student_answers(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "request_type": "student_records", "agency": "bps",
        "student": {"name": "Carlos Pérez", "school": "East Boston High School", "grade": "10"},
        "requester_role": "parent",
        "requester": {"name": "María Pérez", "email": "maria@example.org"},
        "delivery": "hand", "sent_on": "2026-11-23",
    }
    data.update(changes)
    return data


def test_parent_letter_for_the_student_record(directory: Directory) -> None:
    made = prepare_request(request_from(student_answers(), directory), directory)
    letter = docx_text(made.files["letter.docx"])
    assert letter.startswith("November 23, 2026\nPrincipal\nEast Boston High School\nBoston "
                             "Public Schools\nRe: Access to the student record of Carlos Pérez, "
                             "grade 10")
    assert "I am the parent of Carlos Pérez, a student at East Boston High School. Under 603 "\
           "CMR 23.07(2), I ask for access to, and copies of, my child's complete student " \
           "record" in letter
    assert "the log of access kept with the record, showing everyone who obtained access to " \
           "it, when, which parts, and for what purpose (603 CMR 23.07(1))" in letter
    assert "(34 CFR 99.32)" in letter
    assert "any incident reports written by Boston School Police about my child" in letter
    # The rule's own words, and the counted date as the family's own expectation, not the rule's.
    assert "The regulations require access within 10 days of the request (603 CMR 23.07(2)); I " \
           "will look for your answer by December 3, 2026." in letter
    assert "business days" not in letter  # facts.md: the regulation says days
    assert "no fee may be charged if it would keep me from seeing the record" in letter
    assert "cc: Office of Legal Advisor, Boston Public Schools, 2300 Washington Street" in letter
    assert "email.eml" not in made.files
    schedule = {d.event: d.date for d in made.schedule.deadlines}
    assert schedule == {"received": D("2026-11-23"), "student_record_due": D("2026-12-03"),
                        "student_follow_up": D("2026-12-04"),
                        "ferpa_outer_limit": D("2027-01-07")}
    follow = next(d for d in made.schedule.deadlines if d.event == "student_follow_up")
    assert "legal@bostonpublicschools.org" in follow.description
    assert "617-635-8873" in follow.description  # the BPS Helpline, from the directory
    sending = made.files["how_to_send.txt"].decode()
    assert "bring them to the main office of East Boston High School" in sending


def test_eligible_student_writes_for_themselves(directory: Directory) -> None:
    data = student_answers(requester_role="eligible_student",
                           requester={"name": "Carlos Pérez", "email": "carlos@example.org"})
    letter = docx_text(prepare_request(request_from(data, directory), directory)
                       .files["letter.docx"])
    assert "I am Carlos Pérez, a student at East Boston High School, and an eligible student " \
           "(603 CMR 23.02): I am 14 or older or have entered 9th grade." in letter
    assert "about me, or tell me which office holds them" in letter


@pytest.mark.parametrize(("changes", "message"), [
    ({"agency": "bpd"}, "student-records requests are for Boston Public Schools"),
    ({"student": None}, "needs 'student' with the student's name and school"),
    ({"requester_role": None}, "needs requester_role: parent or eligible_student"),
    ({"records": ["school-police-reports-shared-with-bric"]}, "leave 'records' and"),
    ({"delivery": "portal"}, "goes to the school itself"),
])
def test_student_request_mistakes(directory: Directory, changes: dict[str, Any],
                                  message: str) -> None:
    with pytest.raises(InputFileError, match=re.escape(message)):
        request_from(student_answers(**changes), directory)


def test_public_request_cannot_carry_a_student(directory: Directory, answers: Answers) -> None:
    with pytest.raises(InputFileError, match="belong to request_type: student_records"):
        request_from(answers(student={"name": "A", "school": "B"}), directory)


@pytest.mark.parametrize(("text", "kind"), [
    ("Reports about student SASID 1234567890", "student_id"),
    ("Any record mentioning A-123-456-789", "a_number"),
    ("Reports about a boy born on 3/4/2010", "birth_date"),
    ("Reports about my son Carlos at East Boston High", "child_name"),
    ("Records about undocumented students at the school", "immigration_status"),
    ("Registros sobre mi hijo en la escuela", "child_name"),
    ("Dosye sou pitit gason mwen", "child_name"),
])
def test_privacy_guard_finds_each_kind(directory: Directory, answers: Answers, text: str,
                                       kind: str) -> None:
    request = request_from(answers(records=[], other_records=text), directory)
    assert [f.kind for f in personal_details(request)] == [kind]
    with pytest.raises(InputFileError, match="can itself be released to anyone"):
        refuse(personal_details(request), "answers.yaml")


def test_privacy_guard_leaves_policy_requests_alone(directory: Directory,
                                                    answers: Answers) -> None:
    text = ("ICE detainer requests, deportation matters discussed with BPD, and the BRIC's "
            "rules on student records, 2014 to 2018")
    request = request_from(answers(other_records=text), directory)
    assert personal_details(request) == []
    student = request_from(student_answers(), directory)
    assert personal_details(student) == []  # the student's own fields are meant to name them


def test_answers_mode_refuses_personal_details_unless_allowed(tmp_path: Path,
                                                              answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(other_records="Reports about my daughter Ana")))
    refused = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                       str(tmp_path / "o")])
    assert refused.exit_code == 1
    assert "other_records: contains what looks like a child's name ('my daughter Ana')" \
        in refused.output
    assert "--allow-personal-details" in refused.output
    assert not (tmp_path / "o").exists()
    allowed = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                       str(tmp_path / "o"), "--allow-personal-details"])
    assert allowed.exit_code == 0


def test_every_message_is_translated_everywhere() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    from extract_messages import catalog, code_messages

    # The code's messages must all be in the catalogs; the directory's words are checked on the
    # frozen copy, so that a volunteer's new record cannot fail this test (the interview shows
    # a word not yet translated in English until translators catch up).
    in_code = {m.id for m in code_messages() if m.id}
    wanted = in_code | {m.id for m in catalog(FROZEN_AGENCIES) if m.id}
    committed = {m.id for m in read_po((LOCALE_DIR / "recordskit.pot").open("rb")) if m.id}
    assert in_code <= committed, "run: python tools/extract_messages.py"
    assert wanted <= committed, "run: python tools/extract_messages.py"
    assert set(languages()) >= {"en", "es", "ht"}
    for code in languages():
        if code == "en":
            continue
        po = read_po((LOCALE_DIR / code / "LC_MESSAGES" / "recordskit.po").open("rb"))
        translated = {m.id: m.string for m in po if m.id}
        for message in wanted:
            assert translated.get(message), f"{code}: no translation for {message[:60]!r}"
            # Exactly the original's placeholders, each a plain name: "{path.parent}", "{0}",
            # "{path!r}" or a lone "{" is refused (i18n leaves such an entry out, in English).
            assert not placeholder_problem(message, translated[message]), (code, message)
        assert catalog_problems(code) == (), code


def _interview(keys: PipeInput, directory: Directory, lang: str, *typed: str
               ) -> tuple[Any, list[str]]:
    set_language(lang)
    keys.send_text("".join(typed))
    keys.close()
    shown: list[str] = []

    class Recording(TerminalAsker):
        def text(self, message: str, **kwargs: Any) -> str:  # type: ignore[override]
            shown.append(message)
            return super().text(message, **kwargs)

        def select(self, message: str, options: list, **kwargs: Any) -> str:  # type: ignore[override]
            shown.append(message + " | " + " | ".join(o.title for o in options))
            return super().select(message, options, **kwargs)

    request = run_interview(Recording(shown.append), directory, today=date(2026, 11, 23))
    return request, shown


@pytest.mark.parametrize(("lang", "first_question", "notice"), [
    ("es", "¿Qué quiere pedir?", "Antes de empezar, lea esto"),
    ("ht", "Kisa ou vle mande?", "Anvan ou kòmanse, tanpri li sa a"),
])
def test_policy_request_interview_in_each_language(keys: PipeInput, directory: Directory,
                                                   lang: str, first_question: str,
                                                   notice: str) -> None:
    request, shown = _interview(
        keys, directory, lang,
        ENTER, ENTER, " ", ENTER, ENTER, ENTER, ENTER,  # public records, BPS, first record
        "Ana", ENTER, ENTER, "ana@example.org", ENTER, ENTER, ENTER,
        ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)  # the last: "Yes" in the language
    assert shown[0].startswith(notice)
    assert any(text.startswith(first_question) for text in shown)
    assert not any("Which agency" in text for text in shown)  # nothing left in English
    assert request.records == ["school-police-reports-shared-with-bric"]
    assert request.language == lang  # kept: her pages are written in it, whoever calls
    summary = docx_text(prepare_request(request, directory).files["summary.docx"])
    made = prepare_request(request, directory)
    for deadline in made.schedule.deadlines:
        assert local_date(deadline.date) in summary  # the family's page matches the schedule
    letter = docx_text(made.files["letter.docx"])
    assert "This is a request under the Massachusetts Public Records Law" in letter


def test_parent_in_spanish_gets_the_student_records_letter(keys: PipeInput,
                                                           directory: Directory) -> None:
    request, shown = _interview(
        keys, directory, "es",
        DOWN, ENTER,                              # my child's own school record
        "Carlos Pérez", ENTER, "East Boston High School", ENTER, "10", ENTER,
        ENTER,                                    # the student lives with me
        "María Pérez", ENTER,                     # the parent's name
        ENTER, "maria@example.org", ENTER, ENTER, ENTER,  # no org; email; no address or phone
        DOWN, ENTER,                              # by hand
        ENTER, ENTER, ENTER)                      # today, electronic, "Sí"
    assert request.request_type == "student_records"
    assert request.requester_role == "parent"
    assert request.student is not None and request.student.name == "Carlos Pérez"
    assert any("Nombre completo del estudiante" in text for text in shown)
    review = next(text for text in shown if "Envío:" in text)  # the date in Spanish, too
    assert re.search(r"Envío: [a-záéíóúñ]+, \d{1,2} de [a-z]+ de \d{4}", review), review
    made = prepare_request(request, directory)
    summary = docx_text(made.files["summary.docx"])
    assert "El expediente escolar completo de Carlos Pérez" in summary
    assert "jueves, 3 de diciembre de 2026" in summary
    with zipfile.ZipFile(io.BytesIO(made.files["summary.docx"])) as package:
        footer = re.sub(r"<[^>]+>", "", package.read("word/footer1.xml").decode("utf-8"))
    assert footer.strip() == "recordskit – 1"  # the page number needs no English word
    assert "Access to the student record of Carlos Pérez" in docx_text(made.files["letter.docx"])


def test_haitian_creole_dates() -> None:
    set_language("ht")
    assert local_date(D("2026-12-03")) == "jedi 3 desanm 2026"
    set_language("en")
    assert local_date(D("2026-12-03")) == "Thursday, December 3, 2026"


def test_a_date_in_a_sentence_is_written_by_the_languages_own_pattern() -> None:
    # English writes it as a US letter does; Spanish and Haitian Creole as their full date.
    from datetime import timedelta

    from recordskit.service import long_date, written_date

    days = [D("2026-01-01") + timedelta(days=n) for n in range(0, 730, 7)]
    assert [written_date(day) for day in days] == [long_date(day) for day in days]
    try:
        for code in ("es", "ht"):
            set_language(code)
            assert [written_date(day) for day in days] == [local_date(day) for day in days]
        set_language("es")
        assert written_date(D("2026-11-23")) == "lunes, 23 de noviembre de 2026"
    finally:
        set_language("en")


def test_lang_option_and_locale(tmp_path: Path, answers: Answers,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    result = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                      str(tmp_path / "es"), "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert "Las fechas, y qué hacer en cada una:" in docx_text(tmp_path / "es" / "summary.docx")
    monkeypatch.setenv("LANGUAGE", "ht_HT.UTF-8")
    result = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(tmp_path / "ht")])
    assert "Dat yo, ak sa pou fè chak fwa:" in docx_text(tmp_path / "ht" / "summary.docx")
    bad = CliRunner().invoke(cli, ["new", "--answers", str(path), "--lang", "xx"])
    assert "no translation for 'xx'; available: en, es, ht" in bad.output


def _sentences(text: str) -> list[str]:
    """The English prose of a text: its lines with four or more words, file names aside."""
    return [line for line in text.splitlines()
            if len(re.findall(r"\b[A-Za-z]{2,}\b", line.replace(".docx", "")
                              .replace(".eml", ""))) >= 4]


@pytest.mark.parametrize("lang", ["es", "ht"])
@pytest.mark.parametrize("shape", [
    {"agency": "bps", "delivery": "email"},
    {"agency": "bps", "delivery": "portal"},
    {"agency": "bpd", "delivery": "mail", "records": ["gang-database-rules"]},
    {"agency": "city-clerk", "delivery": "hand", "records": ["trust-act-annual-reports"]},
    {"agency": "bpd", "delivery": "email", "send_to": "records@example.org",
     "records": ["gang-database-rules"]},
    {"student": True, "delivery": "hand"},
    {"student": True, "delivery": "email"},
    {"student": True, "delivery": "mail"},
])
def test_the_family_files_are_in_the_family_language(directory: Directory, answers: Answers,
                                                      lang: str, shape: dict[str, Any]) -> None:
    """Every sentence of how_to_send.txt, schedule.docx and summary.docx is translated;
    addresses and commands stay whole."""
    shape = dict(shape)
    data = (student_answers(delivery=shape["delivery"], requester={
                "name": "María Pérez", "email": "maria@example.org",
                "mailing_address": "1 Main St, Boston, MA 02110"})
            if shape.pop("student", False) else answers(**shape))
    request = request_from(data, directory)
    english = prepare_request(request, directory).files["how_to_send.txt"].decode()
    try:
        set_language(lang)
        translated = prepare_request(request, directory, language=lang).files[
            "how_to_send.txt"].decode()
    finally:
        set_language("en")
    assert _sentences(english), english
    leaked = [line for line in _sentences(english) if line in translated]
    assert leaked == [], leaked
    for name in ("schedule.docx", "summary.docx"):
        english_page = docx_text(prepare_request(request, directory).files[name])
        try:
            set_language(lang)
            page = docx_text(prepare_request(request, directory, language=lang).files[name])
        finally:
            set_language("en")
        leaked = [line for line in _sentences(english_page) if line in page]
        assert leaked == [], (name, leaked)
        assert local_date(request.sent_on) not in page  # the English form of the date
    for kept in re.findall(r"recordskit log \S+ received[^\n]*|https://\S+|\S+@\S+", english):
        assert kept in translated  # a command or an address is never translated
    if request.student is None:
        assert "(950 CMR 32.08(1)(b))" in translated


def test_the_law_tables_sentences_a_family_reads_are_the_law_tables() -> None:
    """The sentences marked for translation are the law table's own, word for word."""
    from recordskit.service import LAW, rule_statement
    from recordskit.text import FAMILY_RULES

    for key, marked in FAMILY_RULES.items():
        assert LAW[key].statement == marked, key
    try:
        set_language("es")
        assert rule_statement("written_request_for_appeal").startswith("una solicitud oral")
    finally:
        set_language("en")
    assert rule_statement("statute") == LAW["statute"].statement  # not marked: as it is


def test_the_superior_court_sentence_is_the_law_tables() -> None:
    """The sentence about the Superior Court is one message whose English is the law table's
    statement (a translation words the whole sentence, so the statement cannot be a value put
    into it)."""
    from recordskit.deadlines.appeals import SUPERIOR_COURT
    from recordskit.service import LAW

    court = LAW["superior_court"].statement
    assert f"{court[:1].upper()}{court[1:]} ({{citation}})" == SUPERIOR_COURT


def test_an_unreviewed_translation_says_so_on_the_summary(
        directory: Directory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every es/ht entry is flagged "#, unreviewed" until a native speaker checks it; while any
    is, summary.docx says so in that language. A reviewed catalog (flags removed) does not."""
    from recordskit import i18n

    request = request_from(student_answers(), directory)
    for code, note in (("es", "Traducción aún no revisada"), ("ht", "Tradiksyon an poko revize")):
        assert i18n.unreviewed_messages(code), code  # nobody has reviewed them yet
        try:
            set_language(code)
            page = docx_text(prepare_request(request, directory, language=code).files[
                "summary.docx"])
        finally:
            set_language("en")
        assert note in page, code
    english = docx_text(prepare_request(request, directory).files["summary.docx"])
    assert "reviewed" not in english
    # A reviewer removes the flags: the note goes.
    reviewed = tmp_path / "es" / "LC_MESSAGES"
    reviewed.mkdir(parents=True)
    po = (LOCALE_DIR / "es" / "LC_MESSAGES" / "recordskit.po").read_text(encoding="utf-8")
    (reviewed / "recordskit.po").write_text(
        re.sub(r"^#, unreviewed\n", "", po.replace(", unreviewed", ""), flags=re.M),
        encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalog.cache_clear()
    try:
        assert not i18n.unreviewed_messages("es")
        set_language("es")
        page = docx_text(prepare_request(request, directory, language="es").files[
            "summary.docx"])
    finally:
        set_language("en")
        i18n._catalog.cache_clear()
    assert "Traducción aún no revisada" not in page and "Guarde esta página" in page
