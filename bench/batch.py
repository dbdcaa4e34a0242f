"""Measure `recordskit batch` against a naive docxtpl loop and a floor, and its peak memory.

Usage: python bench/batch.py [--rows 1000] [--naive-rows 300] [--memory-rows 0]
                             [--stage-rows 200] [--settle-minutes 10] [--folder .]

Prints, from one run on the same template and rows, a Markdown table (the one README quotes,
with the ranges of several runs) of three ways of making the same files per row (eight for an
agency with a records email, which gets the email draft; seven otherwise), side by side, each
with its wall time, its CPU time (user and system, every process of it), rows per second and
milliseconds of CPU per row:

- a naive loop (`DocxTemplate(path)` -> `render` -> `save` per document, the other files
  written plainly, one process, in this process, on the first --naive-rows rows);
- `recordskit batch` (the whole command, start-up included, with the request log on, as
  clinics run it; the median of three timings, each in a new folder, printed below the table);
- the floor: a bare writer with nothing else in it (``BareWriter``: the rows made into
  requests, the three documents' bodies rendered with templates compiled once and zipped, the
  email draft written directly, the files written once each, one process per core; no checks,
  no log, no manifest), timed as the batch is, right after each of its three timings; its
  files for the first rows are compared with the batch's, and a difference is printed;

then the ratios of their time per row, naive ÷ batch and batch ÷ floor, in wall and in CPU
terms (a busy machine stretches the wall time more than the CPU time), the peak memory of the
batch and of the floor, and a re-run of unchanged input. With --memory-rows N it also runs a
batch of N rows for time and peak memory. A second table breaks one worker's time per row into
its stages (read and check the row, render the three documents, the email draft, the other
files, write the folder, log the row), measured in this process on --stage-rows rows, beside
the floor's time in the same stages. The number of cores and the load average are printed at
the start of the runs and at the end, with a warning when the 1-minute load is above the number
of cores.

The package's bytecode is written first, as ``pip install`` leaves it (see ``compile_package``).

Everything is written in a temporary folder inside --folder (by default the current folder),
removed at the end.

Before measuring, it times creating 100 folders of nine empty files there, every 30 seconds
until four in a row are quick (at most --settle-minutes, 10 by default); the last figure is
printed at the end. On a filesystem that keeps no journal (ext4 without one, as on the 2-core
machine README's figures come from), the kernel avoids reusing an inode for a minute after its
file is deleted (six while the change is not yet on disk), and each new file first steps past
those: after a run deleted its scratch folder, creating a file there took 0.2 to 0.5 ms instead
of 0.01 to 0.03 for five to six minutes, and a batch of 1,000 rows measured then took 3.7 to
4.1 s instead of 2.4 to 2.8. The slowing can start a minute or two after the deletion, which is
why one quick probe is not enough, and why a run first waits until six minutes have passed since
the run before it in the same folder removed its scratch folder (it notes the time in the
system's temporary folder).
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime
import gc
import hashlib
import io
import json
import os
import pickle
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import escape

AGENCIES = (
    ("bps", "school-police-reports-shared-with-bric;incident-report-sharing-policies", "email"),
    ("bpd", "bric-federal-access-rules;bric-federal-user-audit-logs", "mail"),
    ("city-clerk", "trust-act-annual-reports", "portal"),
)


def write_rows(path: Path, count: int) -> None:
    from recordskit.intake.rows import COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for number in range(count):
            agency, records, delivery = AGENCIES[number % len(AGENCIES)]
            writer.writerow({
                "row_id": f"r{number:05d}", "agency": agency, "records": records,
                "other_records": f"Emails about case {number} & its <attachments>",
                "requester.name": f"Família Número {number}",
                "requester.organization": "Example Family Law Clinic",
                "requester.email": f"family{number}@clinic.example.org",
                "requester.mailing_address": f"{number} Main Street, Boston, MA 02110",
                "delivery": delivery, "sent_on": "2026-11-23", "fee_waiver": "public_interest",
                "max_fee": "25", "format": "electronic",
            })


_LAUNCHER = (
    "import json, resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[2:], capture_output=True, text=True, check=False)\n"
    "seconds = time.perf_counter() - started\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    json.dump({'seconds': seconds, 'peak_kb': usage.ru_maxrss, 'code': done.returncode,\n"
    "               'cpu': usage.ru_utime + usage.ru_stime, 'stderr': done.stderr}, out)\n"
)
"""Runs the batch and reports its time and peak memory. The batch is started from this small
process, not from the bench: a child started from a process records that process's own peak
memory as its first (Linux counts the parent's pages at the exec), and after the naive loop the
bench itself is larger than the batch."""


@dataclass(frozen=True)
class Timing:
    """One timed run: wall seconds, CPU seconds (user and system, every process of it), peak
    memory of its largest process (MB; 0 when not measured) and, for the floor, its own
    report."""

    seconds: float
    cpu: float
    peak: float = 0.0
    parts: dict[str, float] | None = None


def launch(what: str, command: list[str], report: Path, env: dict[str, str] | None = None
           ) -> dict[str, Any]:
    """Run ``command`` from the launcher; its wall time, CPU time, peak memory."""
    subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), *command], check=True,
                   env=env)
    result: dict[str, Any] = json.loads(report.read_text())
    if result["code"] != 0:
        sys.exit(f"{what} failed:\n{result['stderr']}")
    return result


def run_batch(rows: Path, out: Path) -> Timing:
    """The whole command: seconds, CPU seconds, and the peak memory (MB) of its largest
    process."""
    # A home of its own, so the bench never records its rows in the user's real request log;
    # the log is created there first, since clinics run batches with their log on.
    # A home per output folder: each timing's log starts empty, so none finds its rows logged.
    home = {**os.environ, "RECORDSKIT_HOME": str(out.parent / f"home-{out.name}")}
    subprocess.run([sys.executable, "-c", "from recordskit.tracking.open import open_log; "
                    "open_log().create()"], check=True, env=home)
    command = [sys.executable, "-m", "recordskit", "batch", str(rows), "--out", str(out)]
    result = launch("the batch", command, out.parent / "batch-run.json", home)
    return Timing(result["seconds"], result["cpu"], result["peak_kb"] / 1024)


_FLOOR = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('recordskit_bench_batch', sys.argv[1])\n"
    "bench = sys.modules[spec.name] = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(bench)\n"
    "bench.floor_process(*sys.argv[2:])\n"
)
"""Starts ``floor_process`` of this file as a command of its own."""


def run_floor(rows: Path, out: Path) -> Timing:
    """The floor, timed as the batch is: a command of its own, from the same launcher."""
    report = out.parent / "floor-report.json"
    command = [sys.executable, "-c", _FLOOR, str(Path(__file__).resolve()), str(rows), str(out),
               str(report)]
    result = launch("the floor", command, out.parent / "floor-run.json")
    return Timing(result["seconds"], result["cpu"], result["peak_kb"] / 1024,
                  json.loads(report.read_text()))


def load_line(when: str, load: tuple[float, ...]) -> str:
    """The cores and how busy the machine was, with a warning when the 1-minute load is above
    the number of cores: other work then competes for them, and stretches the wall times more
    than the CPU times."""
    cores = os.cpu_count() or 1
    line = (f"Machine {when}: {cores} cores (os.cpu_count()); load average {load[0]:.2f}, "
            f"{load[1]:.2f}, {load[2]:.2f} (1, 5 and 15 minutes).")
    if load[0] > cores:
        line += (f" WARNING: the 1-minute load is above the {cores} cores: other work competes "
                 "for the CPU, so the wall times are stretched; compare the CPU times.")
    return line


def naive_run(rows: Path, count: int, folder: Path) -> Timing:
    """Seconds and CPU seconds (this process's) of a plain loop producing the same files per
    row as the batch:
    each DOCX through ``DocxTemplate(path)`` -> ``render`` -> ``save``, the other files written
    plainly, one row after another in one process, from reading the row to its last file."""
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from recordskit.deadlines.schedule import request_schedule
    from recordskit.directory.load import load_directory
    from recordskit.documents.contexts.letter import letter_context
    from recordskit.documents.contexts.schedule_page import schedule_context
    from recordskit.documents.contexts.summary import summary_context
    from recordskit.documents.email_draft import email_draft
    from recordskit.documents.exports import schedule_csv, schedule_ics
    from recordskit.documents.instructions import how_to_send
    from recordskit.documents.rendering.render import environment
    from recordskit.intake.answers import answers_yaml, request_from
    from recordskit.intake.rows import answers_of, read_rows
    from recordskit.paths import templates_dir

    directory = load_directory()
    templates = templates_dir()
    # The same sandbox settings and filters as the batch, but Jinja's own ``from_string``, which
    # compiles the document again on every render, as docxtpl does: the batch's compile cache is
    # one of the things measured, so the naive loop must not borrow it.
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined,
                                        keep_trailing_newline=True)
    env.filters.update(environment().filters)
    selected = read_rows(rows)[:count]

    def docx(name: str, context: dict[str, object]) -> bytes:
        document = DocxTemplate(templates / name)
        document.render(context, jinja_env=env)
        data = io.BytesIO()
        document.save(data)
        return data.getvalue()

    cpu = _cpu_now()
    started = time.perf_counter()
    for number, row in enumerate(selected):
        request = request_from(answers_of(row)[0], directory)
        agency = request.addressed(directory.agency(request.agency))
        schedule = request_schedule(request, directory)
        out = folder / f"naive-{number}"
        out.mkdir()
        letter = docx("request.docx", letter_context(request, directory, schedule))
        (out / "letter.docx").write_bytes(letter)
        draft = email_draft(request, agency, letter, f"Public records request: {agency.name}")
        if draft is not None:
            (out / "email.eml").write_bytes(draft)
        (out / "how_to_send.txt").write_text(how_to_send(request, agency, draft is not None),
                                             encoding="utf-8")
        (out / "summary.docx").write_bytes(
            docx("summary.docx", summary_context(request, directory, schedule)))
        (out / "schedule.docx").write_bytes(
            docx("schedule.docx", schedule_context(request, directory, schedule)))
        (out / "schedule.csv").write_text(schedule_csv(schedule.deadlines), encoding="utf-8")
        (out / "schedule.ics").write_bytes(
            schedule_ics(schedule.deadlines, agency, request.fingerprint()))
        (out / "answers.yaml").write_text(answers_yaml(request), encoding="utf-8")
    return Timing(time.perf_counter() - started, _cpu_now() - cpu)


def _cpu_now() -> float:
    """User and system seconds of this process and of the children it has waited for."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                           resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


FLOOR_DOCUMENTS = ("request.docx", "summary.docx", "schedule.docx")

_TEXT_PART = (b"X-Unsent: 1\nMIME-Version: 1.0\n"
              b'Content-Type: multipart/mixed; boundary="=_recordskit-draft"\n\n'
              b"--=_recordskit-draft\n"
              b'Content-Type: text/plain; charset="utf-8"\n'
              b"Content-Transfer-Encoding: quoted-printable\n\n")
_ATTACHMENT_PART = (b"\n--=_recordskit-draft\n"
                    b"Content-Type: application/"
                    b"vnd.openxmlformats-officedocument.wordprocessingml.document\n"
                    b"Content-Transfer-Encoding: base64\n"
                    b'Content-Disposition: attachment; filename="public-records-request.docx"\n'
                    b"MIME-Version: 1.0\n\n")
_LAST_BOUNDARY = b"\n--=_recordskit-draft--\n"
"""The parts of ``email.eml`` that never change, as the email package writes them (the bench
compares the floor's files with the batch's, so a change there shows)."""


class BareWriter:
    """The floor: the least work that makes a row's files as the batch makes them, byte for
    byte (but for the email's Message-ID, which is random), with nothing else in it.

    Per row, in one of a process per core (forked once, given a share of the rows):

    - the row's answers into a request and its schedule (the library's ``answers_of``,
      ``request_from`` and ``request_schedule``: every file is made from them);
    - the three documents (``request.docx``, ``summary.docx``, ``schedule.docx``): each
      context from the library's own function, the body rendered with the template compiled
      once per process, line breaks resolved, and zipped onto the template's other parts,
      compressed once: the steps of the library's fast path, without its look-up of the
      letter's and the summary's data among those rendered before (a pickle of the context,
      which never matches: they name the family), its check that the body is well-formed and
      its error wording. The schedule page, the same for every row of one agency and day, is
      rendered once per distinct page, as the batch does;
    - ``email.eml`` (for an agency with a records email) written directly: the letter's text
      from its body as rendered, quoted-printable, and the letter attached in base64, as the
      email package encodes them; its headers folded by the email package, each distinct one
      once (To, Subject, Date), From every row;
    - ``how_to_send.txt``, ``schedule.csv``, ``schedule.ics`` and ``answers.yaml`` from the
      library's own functions;
    - the row's folder made and each file created and written once: no temporary file
      renamed into place, no flush.

    Nothing else: no checks of the rows (privacy, duplicates, a passed deadline, a folder
    already there), no messages between processes, no manifest, calendar or request log, no
    sync to the disk. The rows are English public records requests, as the bench writes them.
    """

    def __init__(self, directory: Any, templates: Path) -> None:
        from email import quoprimime
        from email.headerregistry import Address
        from email.policy import default
        from email.utils import format_datetime, make_msgid

        from lxml import etree

        from recordskit.deadlines.schedule import request_schedule
        from recordskit.documents import email_draft
        from recordskit.documents.contexts.letter import letter_context
        from recordskit.documents.contexts.schedule_page import schedule_context
        from recordskit.documents.contexts.summary import summary_context
        from recordskit.documents.exports import schedule_csv, schedule_ics
        from recordskit.documents.instructions import how_to_send
        from recordskit.documents.rendering import render
        from recordskit.documents.rendering.docx_text import document_text
        from recordskit.intake.answers import answers_yaml, request_from
        from recordskit.intake.rows import answers_of, folder_name
        from recordskit.limits import LIMITS

        self.directory = directory
        self.lib = SimpleNamespace(**{function.__name__: function for function in (
            request_schedule, document_text, schedule_csv, schedule_ics, how_to_send,
            letter_context, schedule_context, summary_context, answers_yaml, request_from,
            answers_of, folder_name, format_datetime, make_msgid, Address)})
        self.render, self.etree, self.quoprimime = render, etree, quoprimime
        self.email_draft, self.policy = email_draft, default
        self.steps = LIMITS["render_steps"].value
        self.templates = {name: render.template(name, templates) for name in FLOOR_DOCUMENTS}
        for name, loaded in self.templates.items():
            if not loaded.fast_path:
                sys.exit(f"the floor renders by the library's fast path only, which {name} "
                         "cannot take")
        self.pages: dict[bytes, tuple[bytes, str]] = {}
        self.headers: dict[tuple[str, str], bytes] = {}

    def request(self, row: Any) -> tuple[Any, Any, Any]:
        """The row's request, its agency as addressed, and its schedule."""
        request = self.lib.request_from(self.lib.answers_of(row)[0], self.directory)
        agency = request.addressed(self.directory.agency(request.agency))
        return request, agency, self.lib.request_schedule(request, self.directory)

    def documents(self, request: Any, agency: Any, schedule: Any
                  ) -> tuple[tuple[bytes, str], bytes, bytes]:
        """The letter (DOCX and body XML), the summary and the schedule page."""
        lib, directory = self.lib, self.directory
        letter = self.document("request.docx", lib.letter_context(request, directory, schedule),
                               f"Public records request to {agency.name}")
        summary = self.document("summary.docx",
                                lib.summary_context(request, directory, schedule),
                                "recordskit summary")[0]
        context = lib.schedule_context(request, directory, schedule)
        title = f"Dates of the request to {agency.name}"
        key = pickle.dumps((context, title), protocol=pickle.HIGHEST_PROTOCOL)
        page = self.pages.get(key)
        if page is None:
            page = self.pages[key] = self.document("schedule.docx", context, title)
        return letter, summary, page[0]

    def document(self, name: str, context: dict[str, Any], title: str) -> tuple[bytes, str]:
        """A document's DOCX bytes and its ``word/document.xml``, by the fast path's steps."""
        render = self.render
        loaded = self.templates[name]
        parts = loaded._fast
        render._STEPS.set(self.steps)  # a template looping over range() spends from it
        xml = parts._body.render(context)
        body = render._resolve_listing(
            parts._helper, xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>"))
        if "<w:tbl" in body:  # as the library: docxtpl widens a table whose rows gained cells
            body = self.etree.tostring(parts._helper.fix_tables(body), encoding="unicode")
        properties = loaded._properties(render.stamp(title, name))
        core = render._CORE.format(**{key: escape(value) for key, value in properties.items()})
        document = parts._prefix + body + parts._suffix
        out = io.BytesIO(parts._entries)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.filelist.extend(parts._listed)
            archive.writestr(render._DOCUMENT, document)
            archive.writestr(render._CORE_PART, core)
        return out.getvalue(), document

    def header(self, name: str, value: Any) -> bytes:
        """A header as the email package folds it, each distinct text folded once."""
        key = (name, value) if isinstance(value, str) else None
        folded = self.headers.get(key) if key else None
        if folded is None:
            folded = self.policy.fold_binary(name, self.policy.header_factory(name, value))
            if key:
                self.headers[key] = folded
        return folded

    def email(self, request: Any, agency: Any, request_id: str, letter: bytes, letter_xml: str
              ) -> bytes | None:
        """``email.eml``, or None when the agency has no records email."""
        to = agency.records_officer.email
        if not to:
            return None
        drafts = self.email_draft
        head = [self.header("To", str(self.lib.Address(addr_spec=to)))]
        person = request.requester
        if person.email:
            name = drafts.header_text(person.name or person.organization)
            if max(map(len, name.split() or [""])) <= drafts._LONGEST_WORD:
                head.append(self.header("From", self.lib.Address(display_name=name,
                                                                 addr_spec=person.email)))
            else:
                head.append(self.policy.fold_binary(
                    "From", f"{drafts.encoded_words(name)}\n <{person.email}>"))
        head.append(self.header("Subject",
                                drafts.header_text(f"Public records request: {agency.name}")))
        sent = datetime.datetime.combine(request.sent_on, datetime.time(9, 0)).astimezone()
        head.append(self.header("Date", self.lib.format_datetime(sent)))
        message_id = self.lib.make_msgid(idstring=request_id, domain="recordskit.invalid")
        line = f"Message-ID: {message_id}"
        head.append((line if len(line) <= 78 else f"Message-ID:\n {message_id}").encode()
                    + b"\n")
        lines = self.lib.document_text(letter_xml).encode("utf-8").splitlines()
        text = self.quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), 78)
        return b"".join((*head, _TEXT_PART, text.encode("ascii"), _ATTACHMENT_PART,
                         base64.encodebytes(letter), _LAST_BOUNDARY))

    def other_files(self, request: Any, agency: Any, schedule: Any, request_id: str,
                    has_email: bool) -> tuple[bytes, bytes, bytes, bytes]:
        """how_to_send.txt, schedule.csv, schedule.ics and answers.yaml."""
        lib = self.lib
        return (lib.how_to_send(request, agency, has_email).encode("utf-8"),
                lib.schedule_csv(schedule.deadlines).encode("utf-8"),
                lib.schedule_ics(schedule.deadlines, agency, request_id),
                lib.answers_yaml(request).encode("utf-8"))

    @staticmethod
    def write(folder: str, files: dict[str, bytes]) -> None:
        """The folder made, each file created and written once, in the batch's order."""
        os.mkdir(folder)  # noqa: PTH102 (a string: as the library writes a row's files)
        for name, data in files.items():
            descriptor = os.open(f"{folder}/{name}", _CREATE_NEW, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view):]
            finally:
                os.close(descriptor)

    def row(self, row: Any, out: str) -> None:
        """One row's files, from its answers to its folder."""
        request, agency, schedule = self.request(row)
        request_id = request.fingerprint()
        (letter, letter_xml), summary, page = self.documents(request, agency, schedule)
        draft = self.email(request, agency, request_id, letter, letter_xml)
        how, csv_file, ics, answers = self.other_files(request, agency, schedule, request_id,
                                                       draft is not None)
        files = {"letter.docx": letter, **({"email.eml": draft} if draft else {}),
                 "how_to_send.txt": how, "summary.docx": summary, "schedule.docx": page,
                 "schedule.csv": csv_file, "schedule.ics": ics, "answers.yaml": answers}
        self.write(f"{out}/{self.lib.folder_name(row, request.agency)}", files)


_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def floor_process(rows: str, out: str, report: str) -> None:
    """The floor as a command of its own (started as the batch is, start-up included): reads
    the rows, compiles the templates, forks one process per core, each writing a share of the
    rows, and reports, besides, how long it took to be ready and each part's CPU time (the
    processes' from ``os.wait4``)."""
    started = time.perf_counter()
    from recordskit.directory.load import load_directory
    from recordskit.intake.rows import read_rows
    from recordskit.paths import templates_dir

    selected = read_rows(Path(rows))
    writer = BareWriter(load_directory(), templates_dir())
    Path(out).mkdir()
    ready = time.perf_counter()
    share = -(-len(selected) // (os.cpu_count() or 1))
    gc.freeze()  # as the batch before it forks: a collection in a child copies no shared page
    children = []
    for start in range(0, len(selected), share):
        child = os.fork()
        if child == 0:
            code = 0
            try:
                for row in selected[start:start + share]:
                    writer.row(row, out)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                code = 1
            os._exit(code)
        children.append(child)
    cpu, failed = 0.0, 0
    for child in children:
        _pid, status, usage = os.wait4(child, 0)
        cpu += usage.ru_utime + usage.ru_stime
        failed += os.waitstatus_to_exitcode(status) != 0
    done = time.perf_counter()
    own = resource.getrusage(resource.RUSAGE_SELF)
    Path(report).write_text(json.dumps({
        "ready": ready - started, "rows_seconds": done - ready, "rows_cpu": cpu,
        "own_cpu": own.ru_utime + own.ru_stime, "processes": len(children),
        "failed": failed}), encoding="utf-8")
    if failed:
        sys.exit(f"{failed} of the floor's processes failed")


def floor_differences(batch: Path, floor: Path, count: int = 3) -> list[str]:
    """Files of the first ``count`` rows (one per agency) that the floor did not make as the
    batch did: compared byte by byte, but a DOCX (and the email's attachment) part by part, as
    a zip dates its parts, and the email without its Message-ID, which is random."""
    differ = []
    for folder in sorted(path.name for path in batch.iterdir() if path.is_dir())[:count]:
        names = {path.name for path in (batch / folder).iterdir()}
        names |= {path.name for path in (floor / folder).iterdir()} if (
            floor / folder).is_dir() else set()
        differ += [f"{folder}/{name}" for name in sorted(names)
                   if _content(batch / folder / name) != _content(floor / folder / name)]
    return differ


def _content(path: Path) -> object:
    if not path.is_file():
        return None
    data = path.read_bytes()
    if path.suffix == ".docx":
        return _zip_parts(data)
    if path.name == "email.eml":
        data = re.sub(rb"Message-ID:\s+<[^>]*>", b"Message-ID: <>", data)
        head, part, rest = data.partition(_ATTACHMENT_PART)
        attached, end, tail = rest.partition(_LAST_BOUNDARY)
        if part and end:
            return head, _zip_parts(base64.b64decode(attached)), tail
    return data


def _zip_parts(data: bytes) -> object:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
    except zipfile.BadZipFile:
        return data


PROBE_FOLDERS = 100
SLOW_PROBE_MS = 0.1
"""On the 2-core machine, creating a file or folder took 0.01 to 0.03 ms on a settled disk, and
0.15 to 0.75 ms in the minutes after a run deleted its scratch folder."""


def probe_file_creation(folder: Path) -> float:
    """Milliseconds to create one empty file or folder in ``folder``: ``PROBE_FOLDERS`` folders
    of nine files each, as a batch's rows are laid out.

    They stay until the scratch folder is removed at the end: deleting them now would slow the
    very run this measures.
    """
    folder.mkdir()
    started = time.perf_counter()
    for number in range(PROBE_FOLDERS):
        row = folder / f"{number}"
        row.mkdir()
        for name in range(9):
            os.close(os.open(row / f"{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return 1000 * (time.perf_counter() - started) / (PROBE_FOLDERS * 10)


QUICK_PROBES = 4
"""Probes 30 seconds apart that must all be quick: after a run deleted its scratch folder, the
probe was at times still quick 30 seconds later, and creating files slowed down only after."""


SETTLE_AFTER_REMOVAL = 6 * 60
"""Seconds a run waits after the run before it, in the same folder, removed its scratch folder:
the kernel's minute, and five more while the change may not be on disk yet. A run begun at once
after one that wrote 10,000 rows found four quick probes, then slowed down (writing the folders
took 2.85 ms a row instead of 0.5)."""


def removal_marker(folder: Path) -> Path:
    """Where a run notes when it removed its scratch folder in ``folder``: in the system's
    temporary folder, so that nothing is left in ``folder``."""
    key = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"recordskit-bench-{key}.removed"


def wait_after_last_removal(folder: Path, minutes: float) -> float:
    """Seconds waited (at most ``minutes``) until ``SETTLE_AFTER_REMOVAL`` has passed since the
    last run here removed its files."""
    try:
        removed = float(removal_marker(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0.0
    left = min(SETTLE_AFTER_REMOVAL - (time.time() - removed), 60 * minutes)
    if left <= 0:
        return 0.0
    print(f"The last run here removed its files {time.time() - removed:.0f} s ago: waiting "
          f"{left:.0f} s more", file=sys.stderr)
    time.sleep(left)
    return left


def settled_probe(folder: Path, minutes: float) -> tuple[float, float]:
    """The probe's figure once the disk is settled, and the seconds waited for it: probed every
    30 seconds, for at most ``minutes``, until ``QUICK_PROBES`` in a row are quick."""
    folder.mkdir()
    waited = 0.0
    probe = probe_file_creation(folder / "0")
    quick = int(probe < SLOW_PROBE_MS)
    while quick < QUICK_PROBES and waited < 60 * minutes:
        state = "checking again that it stays so" if quick else "waiting"
        print(f"Creating a file here takes {probe:.2f} ms: {state} ({waited:.0f} s so far)",
              file=sys.stderr)
        time.sleep(30)
        waited += 30
        probe = probe_file_creation(folder / f"{waited:.0f}")
        quick = quick + 1 if probe < SLOW_PROBE_MS else 0
    return probe, waited


def probe_line(ms: float, waited: float) -> str:
    """What the probe found, and what a slow figure means for the tables above it."""
    line = f"Creating an empty file or folder here took {ms:.2f} ms before the run"
    line += f", after waiting {waited:.0f} s for the disk to settle." if waited else "."
    if ms >= SLOW_PROBE_MS:
        line += (" That is slow: the disk is likely still stepping past files deleted in the "
                 "last few minutes, so the batch's figures above are slower than usual.")
    return line


STAGES = ("read and check the row", "render the three documents", "email draft",
          "the other five files", "write the folder", "log the row")


def stage_times(rows: Path, count: int, folder: Path) -> dict[str, float]:
    """Milliseconds per row in each stage of one batch worker, in this process: the same steps
    as the worker (``prepare_request`` taken apart), on the first ``count`` rows."""
    from recordskit.deadlines.schedule import request_schedule
    from recordskit.directory.load import load_directory
    from recordskit.documents.contexts.letter import letter_context
    from recordskit.documents.contexts.schedule_page import schedule_context
    from recordskit.documents.contexts.summary import summary_context
    from recordskit.documents.email_draft import email_draft
    from recordskit.documents.exports import schedule_csv, schedule_ics
    from recordskit.documents.instructions import how_to_send
    from recordskit.documents.rendering.render import PUBLIC_RECORDS_SUBJECT, stamp, template
    from recordskit.files import write_folder
    from recordskit.intake.answers import answers_yaml, request_from
    from recordskit.intake.rows import answers_of, read_rows
    from recordskit.paths import templates_dir
    from recordskit.tracking.log import RequestRow, now
    from recordskit.tracking.sqlite import SqliteLog

    directory = load_directory()
    log = SqliteLog(folder / "home")
    log.create()
    spent = dict.fromkeys(STAGES, 0.0)
    logged: list[RequestRow] = []
    selected = read_rows(rows)[:count]
    templates = templates_dir()  # looked up once, as a worker is given its folder once
    for template_name in ("request.docx", "summary.docx", "schedule.docx"):
        template(template_name, templates)  # compiled once per process, as in a worker
    for number, row in enumerate(selected):
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            spent[stage] += now - clock
            clock = now

        request = request_from(answers_of(row)[0], directory)
        agency = request.addressed(directory.agency(request.agency))
        schedule = request_schedule(request, directory)
        lap(STAGES[0])
        subject = PUBLIC_RECORDS_SUBJECT
        rendered = template("request.docx", templates).render_document(
            letter_context(request, directory, schedule),
            stamp(f"Public records request to {agency.name}", "request.docx", subject))
        letter = rendered.docx
        summary = template("summary.docx", templates).render(
            summary_context(request, directory, schedule),
            stamp("recordskit summary", "summary.docx", subject))
        printable = template("schedule.docx", templates).render(
            schedule_context(request, directory, schedule),
            stamp(f"Dates of the request to {agency.name}", "schedule.docx", subject))
        lap(STAGES[1])
        draft = email_draft(request, agency, letter, f"Public records request: {agency.name}",
                            letter_xml=rendered.document_xml)
        lap(STAGES[2])
        files = {"letter.docx": letter, **({"email.eml": draft} if draft else {}),
                 "how_to_send.txt": how_to_send(request, agency, draft is not None).encode(),
                 "summary.docx": summary, "schedule.docx": printable,
                 "schedule.csv": schedule_csv(schedule.deadlines).encode(),
                 "schedule.ics": schedule_ics(schedule.deadlines, agency, request.fingerprint()),
                 "answers.yaml": answers_yaml(request).encode()}
        lap(STAGES[3])
        write_folder(folder / f"stage-{number}", files, force=True, durable=False)
        lap(STAGES[4])
        logged.append(RequestRow(request.fingerprint(), now(), request.agency,
                                 request.stored(), str(folder / f"stage-{number}"),
                                 "bench", "bench"))
        lap(STAGES[5])
    clock = time.perf_counter()
    log.insert_requests(logged)  # as the batch logs its rows: one transaction at the end
    spent[STAGES[5]] += time.perf_counter() - clock
    return {stage: 1000 * seconds / max(1, len(selected)) for stage, seconds in spent.items()}


def floor_stage_times(rows: Path, count: int, folder: Path) -> dict[str, float]:
    """The floor's milliseconds per row in the same stages, in this process, on the first
    ``count`` rows (it logs nothing: its last stage is 0)."""
    from recordskit.directory.load import load_directory
    from recordskit.intake.rows import read_rows
    from recordskit.paths import templates_dir

    writer = BareWriter(load_directory(), templates_dir())
    spent = dict.fromkeys(STAGES, 0.0)
    selected = read_rows(rows)[:count]
    clock = [0.0]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        spent[stage] += now - clock[0]
        clock[0] = now

    for row in selected:
        clock[0] = time.perf_counter()
        request, agency, schedule = writer.request(row)
        request_id = request.fingerprint()
        lap(STAGES[0])
        (letter, letter_xml), summary, page = writer.documents(request, agency, schedule)
        lap(STAGES[1])
        draft = writer.email(request, agency, request_id, letter, letter_xml)
        lap(STAGES[2])
        how, csv_file, ics, answers = writer.other_files(request, agency, schedule, request_id,
                                                         draft is not None)
        files = {"letter.docx": letter, **({"email.eml": draft} if draft else {}),
                 "how_to_send.txt": how, "summary.docx": summary, "schedule.docx": page,
                 "schedule.csv": csv_file, "schedule.ics": ics, "answers.yaml": answers}
        lap(STAGES[3])
        writer.write(str(folder / writer.lib.folder_name(row, request.agency)), files)
        lap(STAGES[4])
    return {stage: 1000 * seconds / max(1, len(selected)) for stage, seconds in spent.items()}


def stage_table(spent: dict[str, float], floor: dict[str, float], count: int) -> str:
    """The per-stage figures as a Markdown table: milliseconds per row and share of the total,
    and the floor's milliseconds per row in the same stage."""
    total = sum(spent.values())
    lines = [f"| stage of one worker ({count:,} rows, in process) | ms per row | share "
             "| floor, ms per row |",
             "| --- | --- | --- | --- |"]
    lines += [f"| {stage} | {spent[stage]:.2f} | {100 * spent[stage] / total:.0f}% "
              f"| {floor[stage]:.2f} |" for stage in STAGES]
    lines.append(f"| all stages | {total:.2f} | 100% | {sum(floor.values()):.2f} |")
    return "\n".join(lines)


NAIVE_LABEL = ("naive loop: the same files per row, `DocxTemplate(path)` → `render` → `save` "
               "per document, one process")
BATCH_LABEL = "`recordskit batch` (whole command, start-up included)"
FLOOR_LABEL = ("floor: a bare writer of the same files, templates compiled once, one process "
               "per core (whole command, start-up included)")


def median_timing(timings: list[Timing]) -> Timing:
    """The median wall time and the median CPU time of several runs, the largest peak memory,
    and the report of the run whose wall time is the median."""
    middle = sorted(timings, key=lambda timing: timing.seconds)[len(timings) // 2]
    return Timing(statistics.median(timing.seconds for timing in timings),
                  statistics.median(timing.cpu for timing in timings),
                  max(timing.peak for timing in timings), middle.parts)


def _timing_line(label: str, rows: int, timing: Timing) -> str:
    peak = f" {timing.peak:.0f} MB |" if timing.peak else " |"
    return (f"| {label} | {rows:,} | {timing.seconds:.2f} | {timing.cpu:.2f} | "
            f"{rows / timing.seconds:.0f} | {1000 * timing.cpu / rows:.2f} |{peak}")


def _ratio_line(label: str, slow: Timing, slow_rows: int, fast: Timing, fast_rows: int) -> str:
    wall = (slow.seconds / slow_rows) / (fast.seconds / fast_rows)
    cpu = (slow.cpu / slow_rows) / (fast.cpu / fast_rows)
    return f"| {label} | | {wall:.1f}× | {cpu:.1f}× | | | |"


def table(figures: dict[str, Any]) -> str:
    """README's Markdown table: naive loop, batch and floor side by side, each with its wall
    and CPU time; the ratios of their time per row, in wall and in CPU terms; the re-run."""
    rows, naive_rows = figures["rows"], figures["naive_rows"]
    batch, floor, naive = figures["batch"], figures["floor"], figures["naive"]
    lines = ["| | rows | wall seconds | CPU seconds | rows per second | CPU ms per row "
             "| peak memory |",
             "| --- | --- | --- | --- | --- | --- | --- |",
             _timing_line(NAIVE_LABEL, naive_rows, naive),
             _timing_line(BATCH_LABEL, rows, batch),
             _timing_line(FLOOR_LABEL, rows, floor),
             _ratio_line("naive ÷ batch, time per row (wall, CPU)", naive, naive_rows, batch,
                         rows),
             _ratio_line("batch ÷ floor, time per row (wall, CPU)", batch, rows, floor, rows),
             f"| re-run of the same rows, unchanged | {rows:,} | {figures['rerun'].seconds:.2f} "
             f"| {figures['rerun'].cpu:.2f} | | | |"]
    if "big" in figures:
        lines.append(_timing_line("`recordskit batch`, larger", figures["big_rows"],
                                  figures["big"]))
    return "\n".join(lines)


def runs_lines(batches: list[Timing], floors: list[Timing], naive: Timing, naive_rows: int,
               rows: int) -> list[str]:
    """Each timing of the batch and of the floor that the table's medians come from, with
    their ratios, and where the floor's median run spent its time."""
    naive_row = naive.seconds / naive_rows
    each = "; ".join(f"{timing.seconds:.2f} s, {timing.cpu:.2f} s CPU "
                     f"({naive_row * rows / timing.seconds:.1f}× the naive loop's rate)"
                     for timing in batches)
    lines = [f"The batch of {rows:,} rows, timed three times in new folders: {each}."]
    each = "; ".join(f"{floor.seconds:.2f} s, {floor.cpu:.2f} s CPU (batch ÷ floor "
                     f"{batch.seconds / floor.seconds:.2f}× wall, {batch.cpu / floor.cpu:.2f}× "
                     "CPU)" for batch, floor in zip(batches, floors, strict=True))
    lines.append(f"The floor, timed right after each: {each}.")
    middle = median_timing(floors)
    parts = middle.parts or {}
    if parts:
        before = middle.seconds - parts["rows_seconds"]
        lines.append(
            f"The floor's median run: {before:.2f} s before its first row (Python and the "
            f"imports, the rows read, the templates compiled; {parts['own_cpu']:.2f} s of CPU "
            f"in its first process), then {parts['rows_seconds']:.2f} s writing the rows in "
            f"{parts['processes']:.0f} processes, {parts['rows_cpu']:.2f} s of CPU "
            f"({1000 * parts['rows_cpu'] / rows:.2f} ms a row).")
    return lines


def compile_package() -> None:
    """The package's bytecode written before anything is timed, as ``pip install`` leaves it.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on the project's machine) and a checkout whose
    bytecode is missing or older than its source, every timed command would compile the
    modules it imports again, the batch more of them than the floor (about 0.1 s)."""
    import compileall

    import recordskit

    compileall.compile_dir(Path(recordskit.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--naive-rows", type=int, default=300)
    parser.add_argument("--memory-rows", type=int, default=0)
    parser.add_argument("--stage-rows", type=int, default=200)
    parser.add_argument("--settle-minutes", type=float, default=10,
                        help="first wait, at most this long, until creating a file here is "
                             "quick (see above; 0: measure at once)")
    parser.add_argument("--folder", type=Path, default=Path.cwd(),
                        help="where to write, made if missing (in a temporary folder removed at "
                             "the end); by "
                             "default the current folder, as a clinic's batch writes into a "
                             "folder of its own rather than the system's temporary folder")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)  # a new folder, as a clinic's batch makes
    compile_package()
    before = wait_after_last_removal(args.folder, args.settle_minutes)
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=args.folder) as scratch:
        work = Path(scratch)
        probe, waited = settled_probe(work / "probe", args.settle_minutes - before / 60)
        waited += before
        rows = work / "rows.csv"
        write_rows(rows, args.rows)
        print(load_line("at the start of the runs", os.getloadavg()), flush=True)
        # The batch is timed three times, each in a new folder, and the median is used: one
        # run of two seconds is moved by a moment's noise on a shared machine far more than the
        # naive loop's, which takes many seconds. (The three are printed too.) The floor is
        # timed right after each, so that a change in how busy the machine is moves both.
        batches: list[Timing] = []
        floors: list[Timing] = []
        for name in ("out", "out-2", "out-3"):
            batches.append(run_batch(rows, work / name))
            floors.append(run_floor(rows, work / f"floor-{name}"))
        naive_rows = min(args.naive_rows, args.rows)
        naive_folder = work / "naive"
        naive_folder.mkdir()
        figures: dict[str, Any] = {
            "rows": args.rows, "naive_rows": naive_rows, "batch": median_timing(batches),
            "floor": median_timing(floors),
            "naive": naive_run(rows, naive_rows, naive_folder)}
        figures["rerun"] = run_batch(rows, work / "out")  # the command alone
        if args.memory_rows:
            big = work / "big.csv"
            write_rows(big, args.memory_rows)
            figures["big"] = run_batch(big, work / "big")
            figures["big_rows"] = args.memory_rows
        print(table(figures))
        print()
        print("\n".join(runs_lines(batches, floors, figures["naive"], naive_rows, args.rows)))
        differ = floor_differences(work / "out", work / "floor-out")
        if differ:
            print("WARNING: the floor did not make these files as the batch did, so it is not "
                  "the floor of the same work: " + ", ".join(differ))
        if args.stage_rows:
            stages = work / "stages"
            stages.mkdir()
            floor_stages = work / "floor-stages"
            floor_stages.mkdir()
            count = min(args.stage_rows, args.rows)
            print()
            print(stage_table(stage_times(rows, count, stages),
                              floor_stage_times(rows, count, floor_stages), count))
        print()
        print(load_line("at the end", os.getloadavg()))
        print(probe_line(probe, waited))
    removal_marker(args.folder).write_text(str(time.time()), encoding="utf-8")


if __name__ == "__main__":
    main()
