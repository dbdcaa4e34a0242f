"""Measure `recordskit batch` against a naive docxtpl loop, and its peak memory.

Usage: python bench/batch.py [--rows 1000] [--naive-rows 300] [--memory-rows 0]
                             [--stage-rows 200] [--settle-minutes 10] [--folder .]

Prints, from one run on the same template and rows, a Markdown table (the one README quotes,
with the ranges of several runs): rows per second for `recordskit batch` (the whole command,
start-up included, with the request log on, as clinics run it; the median of three timings, each
in a new folder, which are printed below the table), rows per second for a naive
loop producing the same eight files per row (`DocxTemplate(path)` -> `render` -> `save` per
document, the other files written plainly, one process), their ratio, the peak memory of the
batch and a re-run of unchanged input. With --memory-rows N it also runs a batch of N rows for
time and peak memory. A second table breaks one worker's time per row into its stages (read
and check the row, render the three documents, the email draft, the other files, write the
folder, log the row), measured in this process on --stage-rows rows.

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
import csv
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def run_batch(rows: Path, out: Path) -> tuple[float, float]:
    """Seconds for the whole command, and the peak memory (MB) of its largest process."""
    # A home of its own, so the bench never records its rows in the user's real request log;
    # the log is created there first, since clinics run batches with their log on.
    # A home per output folder: each timing's log starts empty, so none finds its rows logged.
    home = {**os.environ, "RECORDSKIT_HOME": str(out.parent / f"home-{out.name}")}
    subprocess.run([sys.executable, "-c", "from recordskit.tracking.open import open_log; "
                    "open_log().create()"], check=True, env=home)
    report = out.parent / "batch-run.json"
    subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), sys.executable, "-m",
                    "recordskit", "batch", str(rows), "--out", str(out)], check=True, env=home)
    result = json.loads(report.read_text())
    if result["code"] != 0:
        sys.exit(f"batch failed:\n{result['stderr']}")
    CPU_SECONDS.append(result["cpu"])
    return result["seconds"], result["peak_kb"] / 1024


CPU_SECONDS: list[float] = []
"""The CPU time (user and system, every process of the batch) of each timed run, in order."""


def machine_line(load_before: tuple[float, ...], load_after: tuple[float, ...],
                 cpu: list[float]) -> str:
    """What a figure depends on besides the code: the cores, how busy the machine was, and the
    CPU time the batch used (which a busy machine stretches less than the wall time)."""
    return (f"Machine: {os.cpu_count()} cores; load average {load_before[0]:.2f} before the "
            f"runs, {load_after[0]:.2f} after; CPU time of the three timed batches "
            f"(user and system, all their processes): "
            + ", ".join(f"{seconds:.2f} s" for seconds in cpu) + ".")


def naive_rate(rows: Path, count: int, folder: Path) -> float:
    """Rows per second for a plain loop producing the same eight files per row as the batch:
    each DOCX through ``DocxTemplate(path)`` -> ``render`` -> ``save``, the other files written
    plainly, one row after another in one process, from reading the row to its last file."""
    import io

    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from recordskit.deadlines.schedule import request_schedule
    from recordskit.directory.load import load_directory
    from recordskit.documents.email_draft import email_draft
    from recordskit.documents.exports import schedule_csv, schedule_ics
    from recordskit.documents.instructions import how_to_send
    from recordskit.documents.letter import letter_context
    from recordskit.documents.render import environment
    from recordskit.documents.schedule_page import schedule_context
    from recordskit.documents.summary import summary_context
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
    return len(selected) / (time.perf_counter() - started)


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
    from recordskit.documents.email_draft import email_draft
    from recordskit.documents.exports import schedule_csv, schedule_ics
    from recordskit.documents.instructions import how_to_send
    from recordskit.documents.letter import letter_context
    from recordskit.documents.render import PUBLIC_RECORDS_SUBJECT, stamp, template
    from recordskit.documents.schedule_page import schedule_context
    from recordskit.documents.summary import summary_context
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


def stage_table(spent: dict[str, float], count: int) -> str:
    """The per-stage figures as a Markdown table: milliseconds per row and share of the total."""
    total = sum(spent.values())
    lines = [f"| stage of one worker ({count:,} rows, in process) | ms per row | share |",
             "| --- | --- | --- |"]
    lines += [f"| {stage} | {spent[stage]:.2f} | {100 * spent[stage] / total:.0f}% |"
              for stage in STAGES]
    lines.append(f"| all stages | {total:.2f} | 100% |")
    return "\n".join(lines)


NAIVE_LABEL = ("naive loop: the same eight files per row, `DocxTemplate(path)` → `render` → "
               "`save` per document, one process")


def table(figures: dict[str, float]) -> str:
    """The figures as README's Markdown table: rows, seconds, rows per second, peak memory."""
    lines = ["| | rows | seconds | rows per second | peak memory |",
             "| --- | --- | --- | --- | --- |",
             f"| `recordskit batch` (whole command, start-up included) | {figures['rows']:,.0f} "
             f"| {figures['seconds']:.1f} | {figures['rate']:.0f} | {figures['peak']:.0f} MB |",
             f"| {NAIVE_LABEL} | {figures['naive_rows']:,.0f} | "
             f"{figures['naive_rows'] / figures['naive_rate']:.1f} | "
             f"{figures['naive_rate']:.0f} | |",
             f"| ratio of the rates | | | {figures['rate'] / figures['naive_rate']:.1f}× | |",
             f"| re-run of the same rows, unchanged | {figures['rows']:,.0f} "
             f"| {figures['rerun']:.1f} | | |"]
    if "big_rows" in figures:
        lines.append(f"| `recordskit batch`, larger | {figures['big_rows']:,.0f} "
                     f"| {figures['big_seconds']:.1f} | "
                     f"{figures['big_rows'] / figures['big_seconds']:.0f} "
                     f"| {figures['big_peak']:.0f} MB |")
    return "\n".join(lines)


def runs_line(times: list[float], naive_rate: float, rows: int) -> str:
    """The three timings of the batch the table's median comes from, with their ratios."""
    each = ", ".join(f"{seconds:.2f} s ({rows / seconds / naive_rate:.1f}×)" for seconds in times)
    return f"The batch of {rows:,} rows, timed three times in new folders: {each}."


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
                        help="where to write (in a temporary folder removed at the end); by "
                             "default the current folder, as a clinic's batch writes into a "
                             "folder of its own rather than the system's temporary folder")
    args = parser.parse_args()
    before = wait_after_last_removal(args.folder, args.settle_minutes)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=args.folder) as scratch:
        work = Path(scratch)
        probe, waited = settled_probe(work / "probe", args.settle_minutes - before / 60)
        waited += before
        rows = work / "rows.csv"
        write_rows(rows, args.rows)
        # The batch is timed three times, each in a new folder, and the median is used: one
        # run of two seconds is moved by a moment's noise on a shared machine far more than the
        # naive loop's, which takes many seconds. (The three are printed too.)
        timed = [run_batch(rows, work / name) for name in ("out", "out-2", "out-3")]
        seconds = statistics.median(seconds for seconds, _peak in timed)
        figures = {"rows": args.rows, "seconds": seconds, "rate": args.rows / seconds,
                   "peak": max(peak for _seconds, peak in timed),
                   "naive_rows": min(args.naive_rows, args.rows)}
        naive_folder = work / "naive"
        naive_folder.mkdir()
        figures["naive_rate"] = naive_rate(rows, int(figures["naive_rows"]), naive_folder)
        figures["rerun"], _peak = run_batch(rows, work / "out")  # the command alone
        if args.memory_rows:
            big = work / "big.csv"
            write_rows(big, args.memory_rows)
            figures["big_seconds"], figures["big_peak"] = run_batch(big, work / "big")
            figures["big_rows"] = args.memory_rows
        print(table(figures))
        print()
        print(runs_line([seconds for seconds, _peak in timed], figures["naive_rate"],
                        args.rows))
        print(machine_line(load_before, os.getloadavg(), CPU_SECONDS[:3]))
        if args.stage_rows:
            stages = work / "stages"
            stages.mkdir()
            count = min(args.stage_rows, args.rows)
            print()
            print(stage_table(stage_times(rows, count, stages), count))
        print()
        print(probe_line(probe, waited))
    removal_marker(args.folder).write_text(str(time.time()), encoding="utf-8")


if __name__ == "__main__":
    main()
