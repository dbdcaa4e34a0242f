"""Golden outputs: every document recordskit writes, as text, compared with a committed copy.

The cases run through the command line, as a user runs them, on the frozen directory and
templates under ``tests/data``. Anything that depends on the machine (temporary folders, the
time zone of an email's Date, a Message-ID) is replaced by a placeholder; everything else must
match to the byte. A deliberate change of wording is reviewed by regenerating the files:

    RECORDSKIT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

and reading ``git diff tests/golden`` before committing it.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from recordskit.cli import cli
from tests.conftest import docx_text

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("RECORDSKIT_UPDATE_GOLDEN") == "1"

Answers = Callable[..., dict[str, Any]]

REQUESTS: dict[str, dict[str, Any]] = {
    "bps-email": {"agency": "bps", "delivery": "email",
                  "records": ["school-police-reports-shared-with-bric",
                              "incident-report-sharing-policies", "communications-with-ice"],
                  "other_records": "Emails between BPS Safety Services and the BRIC about "
                                   "incident reports & their attachments <2016>.",
                  "fee_waiver": "public_interest", "max_fee": 25,
                  "requester__organization": "Example Family Law Clinic",
                  "requester__phone": "617-555-0100"},
    "bps-portal": {"agency": "bps", "delivery": "portal",
                   "records": ["disclosure-protocol-2020"], "date_from": "2019-01-01"},
    "bps-mail": {"agency": "bps", "delivery": "mail", "records": [],
                 "other_records": "School incident reports shared outside BPS",
                 "date_from": "2019-01-01", "date_to": "2021-06-30", "format": "paper",
                 "requester__mailing_address": "100 Main Street\nBoston, MA 02110"},
    "bps-hand": {"agency": "bps", "delivery": "hand",
                 "records": ["privacy-training-materials", "school-police-bric-agreements"],
                 "fee_waiver": "indigency"},
    "bpd-mail": {"agency": "bpd", "delivery": "mail",
                 "records": ["bric-federal-access-rules", "school-reports-at-the-bric",
                             "ice-requests-and-responses"],
                 "requester__name": "", "requester__organization": "Example Family Law Clinic",
                 "requester__email": "records@clinic.example.org"},
    "bpd-hand": {"agency": "bpd", "delivery": "hand",
                 "records": ["bric-federal-user-audit-logs", "ice-task-force-assignments",
                             "gang-database-rules"], "max_fee": 12.5},
    "clerk-portal": {"agency": "city-clerk", "delivery": "portal",
                     "records": ["trust-act-annual-reports", "trust-act-council-dockets"]},
    "clerk-mail": {"agency": "city-clerk", "delivery": "mail",
                   "records": ["trust-act-ordinance-history",
                               "council-records-student-information-sharing"],
                   "requester__email": "",
                   "requester__mailing_address": "12 Elm Street\nBoston, MA 02128"},
    "clerk-hand": {"agency": "city-clerk", "delivery": "hand",
                   "records": ["records-access-officer-list"], "sent_on": "2026-03-16"},
}
STUDENT_REQUESTS: dict[str, tuple[dict[str, Any], str]] = {
    "student-parent-es": ({
        "request_type": "student_records", "agency": "bps", "delivery": "hand",
        "student": {"name": "Carlos Pérez", "school": "East Boston High School", "grade": "10"},
        "requester_role": "parent", "sent_on": "2026-11-23",
        "requester": {"name": "María Pérez", "email": "maria@example.org"}}, "es"),
    "student-self-ht": ({
        "request_type": "student_records", "agency": "bps", "delivery": "email",
        "student": {"name": "Jean Baptiste", "school": "Madison Park High School"},
        "requester_role": "eligible_student", "sent_on": "2026-06-12",
        "requester": {"name": "Jean Baptiste",
                      "mailing_address": "5 Oak Street\nBoston, MA 02121"}},
        "ht"),
}
REQUEST_FILES = ("letter.docx", "email.eml", "how_to_send.txt", "summary.docx", "schedule.docx",
                 "schedule.csv", "schedule.ics", "answers.yaml")
BATCH_CSV = (
    "row_id,agency,records,requester.name,requester.organization,requester.email,"
    "requester.mailing_address,delivery,sent_on,fee_waiver,max_fee,format\r\n"
    "fam-001,bps,school-police-reports-shared-with-bric,,Example Clinic,clinic@example.org,,"
    "email,2026-11-23,public_interest,0,electronic\r\n"
    "fam-002,bpd,ice-requests-and-responses;gang-database-rules,Ana,,ana@example.org,,"
    "mail,2026-11-24,none,10,electronic\r\n"
    "fam-003,nowhere,,Ana,,ana@example.org,,email,2026-11-24,none,0,electronic\r\n"
    "fam-004,city-clerk,trust-act-annual-reports,,,,\"1 Main St, Boston, MA 02108\","
    "portal,2026-12-24,none,0,paper\r\n"
    "fam-005,bps,school-police-reports-shared-with-bric,,Example Clinic,clinic@example.org,,"
    "email,2026-11-23,public_interest,0,electronic\r\n"
)


class Outputs:
    """Collects every output of a run under a name, normalised, for one comparison at the end."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.texts: dict[str, str] = {}

    def normalise(self, text: str) -> str:
        home = os.environ["RECORDSKIT_HOME"]
        for path, placeholder in ((str(self.base.resolve()), "<tmp>"), (str(self.base), "<tmp>"),
                                  (str(Path(home).resolve()), "<home>"), (home, "<home>")):
            text = text.replace(path, placeholder)
        return text

    def add(self, name: str, text: str) -> None:
        self.texts[name] = self.normalise(text)

    def add_file(self, name: str, path: Path) -> None:
        if path.suffix == ".docx":
            self.add(name + ".txt", docx_text(path))
        elif path.suffix == ".eml":
            self.add(name + ".txt", eml_text(path.read_bytes()))
        else:
            self.add(name, path.read_bytes().decode("utf-8"))


def eml_text(data: bytes) -> str:
    """An email draft's headers and parts, less what depends on the machine and the moment."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    lines = []
    for key, value in message.items():
        if key in ("Date", "Message-ID"):
            value = f"<{key}>"
        if key == "Content-Type" and "boundary" in str(value):
            value = str(value).split(";")[0] + "; boundary=<boundary>"
        lines.append(f"{key}: {value}")
    for part in message.walk():
        if part.is_multipart():
            continue
        lines.append(f"--- {part.get_content_type()} {part.get_filename() or ''}".rstrip())
        if part.get_content_type() == "text/plain":
            lines.append(part.get_content())
        else:
            lines.append(f"{len(part.get_payload(decode=True))} bytes")
    return "\n".join(lines) + "\n"


# Wide enough that no path wraps, whatever the length of pytest's temporary folders.
ENV = {"COLUMNS": "200"}


def run(*args: str, today: str | None = None) -> str:
    env = {**ENV, "RECORDSKIT_TODAY": today} if today else ENV
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def run_failing(*args: str, today: str | None = None) -> str:
    env = {**ENV, "RECORDSKIT_TODAY": today} if today else ENV
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 1, result.output
    return result.output


@pytest.fixture
def outputs(tmp_path: Path) -> Iterator[Outputs]:
    collected = Outputs(tmp_path)
    yield collected


def compare(group: str, outputs: Outputs) -> None:
    folder = GOLDEN / group
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, text in outputs.texts.items():
            (folder / name).write_bytes(text.encode("utf-8"))
        return
    expected = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    assert set(outputs.texts) == expected, "the set of outputs changed"
    for name, text in outputs.texts.items():
        want = (folder / name).read_bytes().decode("utf-8")
        assert text == want, f"{group}/{name} differs from its golden copy"


def make(tmp_path: Path, name: str, data: dict[str, Any], outputs: Outputs, *,
         lang: str = "en", log: bool = False) -> str:
    answers_file = tmp_path / f"{name}.yaml"
    answers_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder = tmp_path / name
    args = ["new", "--answers", str(answers_file), "--out", str(folder), "--lang", lang,
            *(["--past"] if data.get("sent_on", "9999") < os.environ["RECORDSKIT_TODAY"] else [])]
    output = run(*args, *(() if log else ("--no-log",)))
    outputs.add(f"{name}.stdout.txt", output)
    for file in REQUEST_FILES:
        if (folder / file).exists():
            outputs.add_file(f"{name}.{file}", folder / file)
    return output


def test_request_documents(tmp_path: Path, answers: Answers, outputs: Outputs) -> None:
    for name, changes in REQUESTS.items():
        make(tmp_path, name, answers(**{"sent_on": "2026-11-23", **changes}), outputs)
    compare("requests", outputs)


def test_student_records_documents(tmp_path: Path, outputs: Outputs) -> None:
    for name, (data, lang) in STUDENT_REQUESTS.items():
        make(tmp_path, name, data, outputs, lang=lang)
    compare("student", outputs)


def _logged_id(output: str) -> str:
    marker = "Logged as request "
    return output[output.index(marker) + len(marker):].split()[0]


def test_follow_through_documents(tmp_path: Path, answers: Answers, outputs: Outputs) -> None:
    late = _logged_id(make(tmp_path, "late", answers(sent_on="2026-11-23"), outputs, log=True))
    run("log", late, "received", "--on", "2026-11-23", "--tracking", "R004625-112326",
        today="2026-11-24")
    outputs.add("late.followup.stdout.txt", run(
        "followup", late, "--out", str(tmp_path / "late-followup"), today="2026-12-15"))
    outputs.add_file("late.follow_up.docx", tmp_path / "late-followup" / "follow_up.docx")

    denied = _logged_id(make(tmp_path, "denied", answers(
        sent_on="2026-11-23", records=["school-police-reports-shared-with-bric",
                                       "incident-report-sharing-policies"]), outputs, log=True))
    outputs.add("denied.log.stdout.txt", run(
        "log", denied, "response", "--kind", "denied", "--no-exemption", "--on", "2026-12-14",
        today="2026-12-14"))
    outputs.add("denied.log2.stdout.txt", run(
        "log", denied, "response", "--kind", "fee_estimate", "--amount", "450", "--on",
        "2026-12-16", today="2026-12-16"))
    outputs.add("denied.followup.stdout.txt", run(
        "followup", denied, "--out", str(tmp_path / "denied-followup"), today="2026-12-16"))
    outputs.add_file("denied.follow_up.docx", tmp_path / "denied-followup" / "follow_up.docx")
    outputs.add("denied.appeal.stdout.txt", run(
        "appeal", denied, "--out", str(tmp_path / "appeal"), "--ground", "excessive_fee",
        "--objection", "The fee counts hours that the law makes free.",
        "--earlier-appeal", "SPR26/0999", today="2026-12-21"))
    for name in ("appeal.docx", "appeal_cover.docx", "appeal_checklist.txt"):
        outputs.add_file(f"denied.{name}", tmp_path / "appeal" / name)

    extended = _logged_id(make(tmp_path, "extended", answers(
        sent_on="2026-06-12", agency="bpd", delivery="mail",
        records=["bric-federal-access-rules"]), outputs, log=True))
    run("log", extended, "received", "--on", "2026-06-18", today="2026-06-18")
    run("log", extended, "response", "--kind", "extension", "--until", "2026-09-30", "--on",
        "2026-07-01", today="2026-07-01")
    outputs.add("extended.followup.stdout.txt", run(
        "followup", extended, "--out", str(tmp_path / "extended-followup"),
        today="2026-10-05"))
    outputs.add_file("extended.follow_up.docx",
                     tmp_path / "extended-followup" / "follow_up.docx")
    outputs.add("extended.show.stdout.txt", run("show", extended, today="2026-10-05"))
    outputs.add("status.stdout.txt", run("status", today="2026-12-21"))
    outputs.add("status.json", run("status", "--json", today="2026-12-21"))
    run("calendar", "--out", str(tmp_path / "all.ics"), today="2026-12-21")
    outputs.add_file("calendar.ics", tmp_path / "all.ics")
    outputs.add("nothing-to-follow-up.stdout.txt", run_failing(
        "followup", late, "--out", str(tmp_path / "x"), today="2026-11-30"))
    compare("followthrough", outputs)


def test_batch_outputs(tmp_path: Path, outputs: Outputs) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(BATCH_CSV, encoding="utf-8")
    out = tmp_path / "letters"
    result = CliRunner().invoke(cli, ["batch", str(rows), "--out", str(out), "--workers", "1"],
                                env=ENV)
    assert result.exit_code == 1, result.output  # row 3 names an unknown agency
    lines = [line for line in result.output.splitlines() if not line.startswith("Produced ")]
    outputs.add("batch.stdout.txt", "\n".join(lines) + "\n")
    for name in ("manifest.csv", "errors.csv", "calendar.ics"):
        outputs.add_file(name, out / name)
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        for file in REQUEST_FILES:
            if (folder / file).exists():
                outputs.add_file(f"{folder.name}.{file}", folder / file)
    compare("batch", outputs)


# Follow-up and appeal packets: for each response kind (and none), what `followup` and `appeal`
# write or refuse, and what `show` says after, in the request's own language. Every public
# records case is a BPS request sent by email on Monday 2026-11-23, so received that day: its
# response is due 2026-12-08 and the latest production date BPS may set is 2026-12-30.
PACKET_SENT = "2026-11-23"
Step = tuple[str, str, tuple[str, ...], bool]
"""(command, today, arguments, whether it succeeds): a refusal is captured as it is said."""


def log(on: str, *args: str) -> Step:
    """``log ID ...`` on day ``on``, dated that day."""
    return ("log", on, (*args, "--on", on), True)


def followup(on: str, ok: bool = True) -> Step:
    return ("followup", on, (), ok)


def appeal(on: str, *args: str, ok: bool = True) -> Step:
    return ("appeal", on, args, ok)


def show(on: str) -> Step:
    return ("show", on, (), True)


DENIAL_OBJECTION = ("The exemption named does not cover incident reports already shared with the "
                    "BRIC.")
PACKETS: dict[str, tuple[dict[str, Any], str, list[Step]]] = {
    "produced-en": ({}, "en", [
        log("2026-11-24", "received", "--tracking", "R004625-112326"),
        log("2026-12-04", "response", "--kind", "produced"),
        followup("2026-12-07", ok=False), appeal("2026-12-07", ok=False), show("2026-12-07")]),
    # A partial response or a denial that names its exemption is appealed, not followed up:
    # the exemption is contested (records are presumed public; segregable parts released).
    "partial-es": ({}, "es", [
        log("2026-12-04", "response", "--kind", "partial"),
        followup("2026-12-07", ok=False),
        appeal("2026-12-07"),
        appeal("2026-12-07", "--objection", DENIAL_OBJECTION), show("2026-12-07")]),
    "partial-no-exemption-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "partial", "--no-exemption"),
        followup("2026-12-07"), appeal("2026-12-16"), show("2026-12-16")]),
    # A denial naming no exemption is followed up first; the appeal comes once the reply-by
    # date has passed (in English, while it has not: the appeal warns).
    "denied-no-exemption-en": ({}, "en", [
        log("2026-12-04", "response", "--kind", "denied", "--no-exemption"),
        followup("2026-12-07"), appeal("2026-12-09"), show("2026-12-09")]),
    "denied-no-exemption-es": ({}, "es", [
        log("2026-12-04", "response", "--kind", "denied", "--no-exemption"),
        followup("2026-12-07"), appeal("2026-12-16"), show("2026-12-16")]),
    "denied-no-exemption-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "denied", "--no-exemption"),
        followup("2026-12-07"), appeal("2026-12-16"), show("2026-12-16")]),
    # A denial that names its exemption is appealed, not followed up; the log's own ground is
    # that the exemption does not justify the withholding, and an objection adds to it.
    "denied-en": ({}, "en", [
        log("2026-12-04", "response", "--kind", "denied"),
        followup("2026-12-07", ok=False),
        appeal("2026-12-07"),
        appeal("2026-12-07", "--objection", DENIAL_OBJECTION), show("2026-12-07")]),
    "denied-es": ({}, "es", [
        log("2026-12-04", "response", "--kind", "denied"),
        followup("2026-12-07", ok=False),
        appeal("2026-12-07"),
        appeal("2026-12-07", "--objection", DENIAL_OBJECTION), show("2026-12-07")]),
    "denied-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "denied"),
        followup("2026-12-07", ok=False),
        appeal("2026-12-07"),
        appeal("2026-12-07", "--objection", DENIAL_OBJECTION), show("2026-12-07")]),
    "fee-estimate-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "fee_estimate", "--amount", "120"),
        followup("2026-12-07", ok=False),
        appeal("2026-12-07", "--ground", "excessive_fee", "--objection",
               "The estimate charges for hours the law makes free."),
        show("2026-12-07")]),
    # A fee asked for after the response date: no fee may be charged.
    "fee-estimate-late-es": ({}, "es", [
        log("2026-12-10", "response", "--kind", "fee_estimate", "--amount", "450"),
        followup("2026-12-10"), appeal("2026-12-18"), show("2026-12-18")]),
    # An extension within the limit: nothing to do until its date passes, then a follow-up.
    "extension-within-en": ({}, "en", [
        log("2026-12-04", "response", "--kind", "extension", "--until", "2026-12-22"),
        followup("2026-12-10", ok=False), appeal("2026-12-10", ok=False),
        followup("2026-12-28"), appeal("2026-12-28"), show("2026-12-28")]),
    "extension-beyond-es": ({}, "es", [
        log("2026-12-04", "response", "--kind", "extension", "--until", "2027-02-26"),
        followup("2026-12-07"), appeal("2026-12-16"), show("2026-12-16")]),
    "no-records-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "no_records"),
        followup("2026-12-07", ok=False), appeal("2026-12-07"), show("2026-12-07")]),
    # No response at all: too early on 2026-12-01, overdue after 2026-12-09 (receipt logged).
    "overdue-es": ({}, "es", [
        log("2026-11-24", "received", "--tracking", "R004625-112326"),
        followup("2026-12-01", ok=False), appeal("2026-12-01", ok=False),
        followup("2026-12-10"), appeal("2026-12-18"), show("2026-12-18")]),
    # An extension past the limit, then the agency's petition and the Supervisor's order.
    "petition-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "extension", "--until", "2027-02-26"),
        log("2026-12-07", "petition"),
        followup("2026-12-07"),
        log("2026-12-14", "petition_granted", "--days", "20", "--until", "2027-01-29"),
        followup("2026-12-15", ok=False), appeal("2026-12-15", ok=False),
        followup("2027-02-01"), show("2027-02-01")]),
    # Appealed (event 1, the response), then decided with a date the order gives the agency.
    "appealed-decided-en": ({}, "en", [
        log("2026-12-04", "response", "--kind", "denied"),
        appeal("2026-12-07", "--objection", DENIAL_OBJECTION),
        log("2026-12-08", "appealed", "--number", "SPR26/1234", "--response", "1"),
        followup("2026-12-10", ok=False), appeal("2026-12-10", ok=False), show("2026-12-10"),
        log("2026-12-22", "decided", "--until", "2027-01-08"),
        followup("2026-12-23", ok=False), appeal("2026-12-23", ok=False), show("2026-12-23"),
        # The order's date passed without the records: write to BPS, citing the order.
        followup("2027-01-11"), appeal("2027-01-11", ok=False), show("2027-01-11")]),
    "appealed-decided-ht": ({}, "ht", [
        log("2026-12-04", "response", "--kind", "partial", "--no-exemption"),
        followup("2026-12-07"), appeal("2026-12-16"),
        log("2026-12-17", "appealed", "--number", "SPR26/1301", "--response", "1"),
        appeal("2026-12-18", ok=False),
        log("2027-01-05", "decided", "--until", "2027-01-20"),
        # Before the date the order gives BPS, there is nothing to follow up: wait for it.
        followup("2027-01-06", ok=False), show("2027-01-06")]),
}
STUDENT_PACKETS: dict[str, tuple[dict[str, Any], str, list[Step]]] = {
    "student-custodial-es": ({"custody": "custodial"}, "es", [
        followup("2026-11-30", ok=False), followup("2026-12-04"),
        appeal("2026-12-04", ok=False), show("2026-12-04")]),
    "student-custodial-en": ({"custody": "custodial"}, "en", [
        followup("2026-11-30", ok=False), followup("2026-12-04"),
        appeal("2026-12-04", ok=False), show("2026-12-04")]),
    "student-non-custodial-ht": ({"custody": "non_custodial"}, "ht", [
        followup("2026-12-04", ok=False), followup("2026-12-21"),
        appeal("2026-12-21", ok=False), show("2026-12-21")]),
}
STUDENT_PACKET = {
    "request_type": "student_records", "agency": "bps", "delivery": "hand",
    "student": {"name": "Carlos Pérez", "school": "East Boston High School", "grade": "10"},
    "requester_role": "parent", "sent_on": PACKET_SENT,
    "requester": {"name": "María Pérez", "email": "maria@example.org",
                  "mailing_address": "12 Elm Street\nBoston, MA 02128"}}


def run_packet(tmp_path: Path, data: dict[str, Any], lang: str, steps: list[Step],
               outputs: Outputs) -> None:
    """Logs the request (in its language), then runs each step, collecting what it says and
    every file it writes."""
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump({**data, "language": lang}, allow_unicode=True),
                            encoding="utf-8")
    said = run("new", "--answers", str(answers_file), "--out", str(tmp_path / "request"),
               "--lang", lang, today=data["sent_on"])
    request_id = said[said.index("recordskit log ") + len("recordskit log "):].split()[0]
    for number, (command, on, args, ok) in enumerate(steps, 1):
        name = f"{number:02d}-{command}"
        folder = tmp_path / name
        if command in ("followup", "appeal"):
            args = (*args, "--out", str(folder))
        said = (run if ok else run_failing)(command, request_id, *args, today=on)
        outputs.add(f"{name}.stdout.txt", said)
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                outputs.add_file(f"{name}.{path.name}", path)
        assert ok or not folder.exists(), f"{name} refused but wrote {folder}"


@pytest.mark.parametrize("case", PACKETS)
def test_packets(case: str, tmp_path: Path, answers: Answers, outputs: Outputs) -> None:
    changes, lang, steps = PACKETS[case]
    run_packet(tmp_path, answers(sent_on=PACKET_SENT, **changes), lang, steps, outputs)
    compare(f"packets/{case}", outputs)


@pytest.mark.parametrize("case", STUDENT_PACKETS)
def test_student_packets(case: str, tmp_path: Path, outputs: Outputs) -> None:
    changes, lang, steps = STUDENT_PACKETS[case]
    run_packet(tmp_path, {**STUDENT_PACKET, **changes}, lang, steps, outputs)
    compare(f"packets/{case}", outputs)
