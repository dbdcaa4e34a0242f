"""A family that chose Spanish or Haitian Creole meets no English it must act on.

A whole run in each language, as a family would make it: a bad answers file, then the request,
status, show, a follow-up, an appeal and the calendar. Everything printed and every file but
the letters to the agency (which stay English, for the agency) is read, and any line that still
reads as English fails the test. What may stay as it is: addresses, names of offices and
agencies, file names, commands, citations and ids.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.service import set_language
from tests.conftest import docx_text

# Words that mark a sentence as English and are no words of Spanish or Haitian Creole.
ENGLISH = {"the", "and", "your", "you", "is", "are", "to", "of", "for", "with", "when", "what",
           "this", "that", "it", "be", "will", "not", "has", "have", "was", "can", "may",
           "must", "by", "from", "or", "if", "any", "its", "until", "after", "before", "which"}
# What stays as it is in every language: names, addresses, commands, citations, file names.
KEPT = [
    r"recordskit [a-z]+[^\n]*", r"https?://\S+", r"\S+@\S+", r"\S+\.(docx|txt|ics|csv|eml|yaml)\b",
    r"M\.G\.L\.[^;)]*", r"\d+ CMR [\d.()–a-z, -]*", r"\d+ CFR [\d.()a-z]*",
    r"Boston Public Schools", r"Boston Police Department", r"Office of (the )?Legal Advisor",
    r"Records Access Officer", r"Supervisor of Records", r"Division of Public Records",
    r"Office of the Secretary of the Commonwealth", r"One Ashburton Place, Room \d+",
    r"'[^']*'", r"YYYY-MM-DD", r"<[^>]*>", r"Show original|View source",
    r"BPS Helpline", r"Evacuation Day|Bunker Hill Day",
]


def english_lines(text: str) -> list[str]:
    """The lines of ``text`` that still read as English sentences."""
    found = []
    for line in text.splitlines():
        prose = line
        for pattern in KEPT:
            prose = re.sub(pattern, " ", prose)
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", prose)}
        if len(words & ENGLISH) >= 3:
            found.append(line)
    return found


def test_the_detector_sees_english_and_passes_the_rest() -> None:
    assert english_lines("It asks for a reply by 2026-12-28. To see what comes next:")
    assert english_lines("Keep a copy of what you send: an oral request cannot be the basis")
    assert not english_lines("Pide una respuesta a más tardar el 2026-12-28. Para ver lo que "
                             "sigue: recordskit show 2785a4f734")
    assert not english_lines("Li mande yon repons pa pita pase 28 desanm 2026.")
    assert not english_lines("Por correo postal a: Records Access Officer, Office of the Legal "
                             "Advisor, Boston Police Department, One Schroeder Plaza")


def _ics_text(path: Path) -> str:
    """The words an iCalendar file shows: its titles and descriptions, unfolded."""
    raw = path.read_text(encoding="utf-8").replace("\r\n ", "")
    return "\n".join(line.split(":", 1)[1].replace("\\n", "\n").replace("\\,", ",")
                     for line in raw.splitlines()
                     if line.startswith(("SUMMARY", "DESCRIPTION", "X-WR-CALNAME")))


@pytest.mark.parametrize("lang", ["es", "ht"])
def test_a_whole_run_in_the_family_language_has_no_english(
        tmp_path: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    read: dict[str, str] = {}

    def run(name: str, today: str, *args: str, code: int = 0) -> str:
        monkeypatch.setenv("RECORDSKIT_TODAY", today)
        result = runner.invoke(cli, list(args))
        set_language("en")  # each command sets its own language
        assert result.exit_code == code, (name, result.output)
        read[name] = result.output
        return result.output

    bad = tmp_path / "bad.yaml"
    bad.write_text("agency: bpx\nrecords: [nope]\nrequester:\n  name: Rosa\ndelivery: fax\n"
                   "sent_on: 2026-13-01\ncolour: red\nmax_fee: lots\n", encoding="utf-8")
    typos = tmp_path / "typos.yaml"
    typos.write_text("agency: bps\nrecords: [school-police-reports-shared-with-bric]\n"
                     "requester:\n  name: Rosa\n  email: rosa.example.org\n  phone: '555'\n"
                     "delivery: email\nsent_on: 1926-11-23\ndate_from: 2019-01-01\n"
                     "date_to: 2018-01-01\n", encoding="utf-8")
    run("typos in an answers file", "2026-11-20", "new", "--lang", lang, "--answers",
        str(typos), "--out", str(tmp_path / "never"), code=1)
    typos.write_text("agency: bps\nrecords: [school-police-reports-shared-with-bric]\n"
                     "requester:\n  email: rosa@example.org\ndelivery: email\n"
                     "sent_on: 2026-11-23\ndate_from: 2019-01-01\ndate_to: 2018-01-01\n",
                     encoding="utf-8")
    run("dates backwards", "2026-11-20", "new", "--lang", lang, "--answers", str(typos),
        "--out", str(tmp_path / "never"), code=1)
    run("bad answers file", "2026-11-20", "new", "--lang", lang, "--answers", str(bad),
        "--out", str(tmp_path / "never"), code=1)
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({
        "agency": "bps", "records": ["school-police-reports-shared-with-bric"],
        "requester": {"name": "Rosa Díaz", "email": "rosa@example.org"},
        "delivery": "email", "sent_on": "2026-11-23"}), encoding="utf-8")
    past = tmp_path / "past.yaml"
    past.write_text(answers.read_text(encoding="utf-8").replace("2026-11-23", "2026-10-01"),
                    encoding="utf-8")
    run("a past sending date", "2026-11-20", "new", "--lang", lang, "--answers", str(past),
        "--out", str(tmp_path / "past"), code=1)
    personal = tmp_path / "personal.yaml"
    personal.write_text(yaml.safe_dump({
        "agency": "bps", "records": ["school-police-reports-shared-with-bric"],
        "other_records": "Reports about my son Juan, born 04/03/2012, who is undocumented",
        "requester": {"email": "rosa@example.org"}, "delivery": "email",
        "sent_on": "2026-11-23"}), encoding="utf-8")
    run("personal details", "2026-11-20", "new", "--lang", lang, "--answers", str(personal),
        "--out", str(tmp_path / "never"), code=1)
    # No --lang: the answers file names the family's language, and its errors are said in it.
    personal.write_text(personal.read_text(encoding="utf-8") + f"language: {lang}\n",
                        encoding="utf-8")
    run("personal details, the file's language", "2026-11-20", "new", "--answers",
        str(personal), "--out", str(tmp_path / "never"), code=1)
    out = tmp_path / "request"
    made = run("new", "2026-11-20", "new", "--lang", lang, "--answers", str(answers),
               "--out", str(out))
    request_id = re.findall(r"\b[0-9a-f]{10}\b", made)[0]
    run("the same request again", "2026-11-20", "new", "--lang", lang, "--answers",
        str(answers), "--out", str(out), "--no-log", code=1)
    # From here on no --lang: the request remembers its language.
    run("status", "2026-12-20", "status")
    run("show", "2026-12-20", "show", request_id)
    run("too early to appeal", "2026-11-24", "appeal", request_id, "--out",
        str(tmp_path / "early"), code=1)
    run("nothing to follow up", "2026-11-24", "followup", request_id, "--out",
        str(tmp_path / "f2"), code=1)
    run("followup", "2026-12-20", "followup", request_id, "--out", str(tmp_path / "f"))
    run("an event in the future", "2026-12-22", "log", request_id, "response", "--kind",
        "denied", "--on", "2026-12-30", code=1)
    run("an extension without its date", "2026-12-22", "log", request_id, "response",
        "--kind", "extension", "--on", "2026-12-21", code=1)
    logged = run("log a denial", "2026-12-22", "log", request_id, "response", "--kind",
                 "denied", "--no-exemption", "--on", "2026-12-22")
    assert re.search(r"\b2\b", logged)  # the denial is event 2, after the follow-up
    run("appeal", "2026-12-30", "appeal", request_id, "--out", str(tmp_path / "a"))
    run("not a response", "2026-12-30", "appeal", request_id, "--response", "1", "--out",
        str(tmp_path / "never"), code=1)
    run("an appeal too late", "2027-06-30", "appeal", request_id, "--response", "2", "--out",
        str(tmp_path / "never"), code=1)
    run("calendar", "2026-12-30", "calendar", "--out", str(tmp_path / "all.ics"))
    run("unknown id", "2026-12-30", "show", "abcdef0123", "--lang", lang, code=1)
    run("undo", "2026-12-30", "undo", request_id, "2")
    run("undo again", "2026-12-30", "undo", request_id, "2", code=1)
    run("no terminal", "2026-12-30", "new", "--lang", lang, "--out", str(tmp_path / "t"),
        code=1)

    read["how_to_send.txt"] = (out / "how_to_send.txt").read_text(encoding="utf-8")
    for name in ("summary.docx", "schedule.docx"):
        read[name] = docx_text(out / name)
    read["schedule.ics"] = _ics_text(out / "schedule.ics")
    read["follow_up_summary.docx"] = docx_text(tmp_path / "f" / "follow_up_summary.docx")
    read["appeal_summary.docx"] = docx_text(tmp_path / "a" / "appeal_summary.docx")
    read["appeal_checklist.txt"] = (tmp_path / "a" / "appeal_checklist.txt").read_text(
        encoding="utf-8")
    read["calendar"] = _ics_text(tmp_path / "all.ics")

    leaks = {name: lines for name, text in read.items() if (lines := english_lines(text))}
    assert leaks == {}
    assert all(text.strip() for text in read.values()), "every step said something"
    # The letters to the agency stay English.
    assert "This is a request under" in docx_text(out / "letter.docx")
    assert "Dear" in docx_text(tmp_path / "f" / "follow_up.docx")


FAMILY_COMMANDS = (Path(__file__).resolve().parent.parent / "src" / "recordskit" / "cli")
CLINIC_ONLY = {"log_export", "log_import"}  # clinics move a shared log; README lists them


def _untranslated_text(module: Path) -> list[str]:
    """Every message a family command prints as a literal (or f-string) not passed through the
    catalog: ``say("…")`` or ``screen.print(f"…")`` instead of ``say(_("…"))``."""
    import ast

    found = []
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or function.name in CLINIC_ONLY:
            continue
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and call.args):
                continue
            name = (call.func.id if isinstance(call.func, ast.Name) else
                    call.func.attr if isinstance(call.func, ast.Attribute) else "")
            if name not in ("say", "print", "secho"):
                continue
            first = call.args[0]
            parts = ([first] if isinstance(first, ast.Constant) else
                     [v for v in first.values if isinstance(v, ast.Constant)]
                     if isinstance(first, ast.JoinedStr) else [])
            literal = any(isinstance(part.value, str) and re.search(r"[A-Za-z]{3}", part.value)
                          for part in parts)
            if literal:
                found.append(f"{module.name}:{call.lineno} in {function.name}")
    return found


@pytest.mark.parametrize("module", ["new.py", "tracking.py", "app.py"])
def test_every_message_of_a_family_command_comes_from_the_catalog(module: str) -> None:
    assert _untranslated_text(FAMILY_COMMANDS / module) == []


def test_the_catalog_check_catches_a_planted_english_message(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text('def followup():\n    say(f"Wrote {path}")\n    say(_("Fine"))\n',
                       encoding="utf-8")
    assert _untranslated_text(planted) == ["planted.py:2 in followup"]


@pytest.mark.parametrize("lang", ["es", "ht"])
def test_notes_and_warnings_are_said_in_the_family_language(
        tmp_path: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each note and warning beside a request's dates (overdue, a petition, more time granted, a
    # production date past the limit, more days than the Supervisor normally grants) is shown
    # in the family's words: the same notice, translated, never another note in its place.
    from recordskit.deadlines.notices import OVERDUE_ASSUMED, PETITION
    from recordskit.service import LAW, _

    runner = CliRunner()

    def run(today: str, *args: str) -> str:
        monkeypatch.setenv("RECORDSKIT_TODAY", today)
        result = runner.invoke(cli, list(args))
        set_language("en")
        assert result.exit_code == 0, result.output
        return result.output

    def said(output: str) -> str:
        return " ".join(output.split())  # the screen wraps lines

    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({
        "agency": "bps", "records": ["school-police-reports-shared-with-bric"],
        "requester": {"name": "Rosa Díaz", "email": "rosa@example.org"},
        "delivery": "email", "sent_on": "2026-11-23"}), encoding="utf-8")
    made = run("2026-11-20", "new", "--lang", lang, "--answers", str(answers), "--out",
               str(tmp_path / "request"))
    request_id = re.findall(r"\b[0-9a-f]{10}\b", made)[0]
    # Emailed Monday 23 November: due 24, 25, (26 Thanksgiving), 27, 30 November, 1, 2, 3, 4,
    # 7, 8 December; the last day to appeal no response is 90 calendar days after sending.
    overdue = said(run("2026-12-20", "show", request_id))
    english = said(run("2026-12-20", "show", request_id, "--lang", "en"))
    # The receipt was not logged: the note says the response date rests on an assumption.
    assert "Note: Overdue: no response came by 2026-12-08, the response date if the request " \
           "was received on 2026-11-23, as assumed (not confirmed)." in english
    set_language(lang)
    try:
        expected = _(OVERDUE_ASSUMED).format(
            due="2026-12-08", received="2026-11-23", fee_citation=LAW["no_fee_if_late"].citation,
            appeal_citation=LAW["appeal_right"].citation, until="2027-02-21")
        petition = _(PETITION).format(agency="BPS", date="2026-11-30",
                                      citation=LAW["extension_petition"].citation)
    finally:
        set_language("en")
    assert expected in overdue
    assert "Suffolk" not in overdue  # no Suffolk County day in these dates: no such note
    logged = [said(run("2026-12-20", "log", request_id, *event)) for event in (
        ("petition", "--on", "2026-11-30"),
        ("petition_granted", "--days", "40", "--on", "2026-12-01"),
        ("response", "--kind", "extension", "--until", "2027-06-01", "--on", "2026-12-02"))]
    assert petition in logged[0]
    timeline = json.loads(run("2026-12-20", "status", "--json", "--lang", "en"))[0]
    # The petition and the days granted; one warning (more days than normal): the extension
    # past the limit was granted, so no "you may appeal" about it.
    assert len(timeline["notes"]) == 2 and len(timeline["warnings"]) == 1
    assert english_lines("\n".join(logged)) == []
    shown = run("2026-12-20", "show", request_id).replace(str(tmp_path), "")
    assert english_lines(shown) == []
    # Two notes (the petition, the days granted) and a warning, each in its own words.
    set_language(lang)
    try:
        note, warning = _("Note: {note}").split("{")[0], _("Warning: {problem}").split("{")[0]
    finally:
        set_language("en")
    notices = re.findall(rf"(?:{note}|{warning})(.*?)(?={note}|{warning}|$)", said(shown))
    assert [said(shown).count(note), said(shown).count(warning)] == [2, 1]
    assert len(set(notices)) == 3
