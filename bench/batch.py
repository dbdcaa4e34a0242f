"""Measure `recordskit batch` against a naive docxtpl loop, and its peak memory.

Usage: python bench/batch.py [--rows 1000] [--naive-rows 300] [--memory-rows 0]

Prints, from one run on the same template and rows, a Markdown table (the one README quotes,
with the ranges of several runs): rows per second for `recordskit batch` (the whole command,
start-up included), rows per second for a naive loop producing the same eight files per row
(`DocxTemplate(path)` -> `render` -> `save` per document, the other files written plainly, one
process), their ratio, the peak memory of the batch and a re-run of unchanged input. With
--memory-rows N it also runs a batch of N rows for time and peak memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
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


def run_batch(rows: Path, out: Path) -> tuple[float, float]:
    """Seconds for the whole command, and the peak memory (MB) of its largest process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    # A home of its own, so the bench never records its rows in the user's real request log.
    home = {**os.environ, "RECORDSKIT_HOME": str(out.parent / "home")}
    result = subprocess.run([sys.executable, "-m", "recordskit", "batch", str(rows), "--out",
                             str(out)], capture_output=True, text=True, check=False, env=home)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"batch failed:\n{result.stderr}")
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak_kb / 1024


def naive_rate(rows: Path, count: int, folder: Path) -> float:
    """Rows per second for a plain loop producing the same eight files per row as the batch:
    each DOCX through ``DocxTemplate(path)`` -> ``render`` -> ``save``, the other files written
    plainly, one row after another in one process, from reading the row to its last file."""
    import io

    from docxtpl import DocxTemplate

    from recordskit.directory.load import load_directory
    from recordskit.documents.email_draft import email_draft
    from recordskit.documents.exports import schedule_csv, schedule_ics
    from recordskit.documents.instructions import how_to_send
    from recordskit.documents.letter import letter_context
    from recordskit.documents.make import request_schedule
    from recordskit.documents.render import environment
    from recordskit.documents.schedule_page import schedule_context
    from recordskit.documents.summary import summary_context
    from recordskit.intake.answers import answers_yaml, request_from
    from recordskit.intake.rows import answers_of, read_rows
    from recordskit.paths import templates_dir

    directory = load_directory()
    templates = templates_dir()
    env = environment()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--naive-rows", type=int, default=300)
    parser.add_argument("--memory-rows", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rows = work / "rows.csv"
        write_rows(rows, args.rows)
        seconds, peak = run_batch(rows, work / "out")
        figures = {"rows": args.rows, "seconds": seconds, "rate": args.rows / seconds,
                   "peak": peak, "naive_rows": min(args.naive_rows, args.rows)}
        naive_folder = work / "naive"
        naive_folder.mkdir()
        figures["naive_rate"] = naive_rate(rows, int(figures["naive_rows"]), naive_folder)
        again = time.perf_counter()
        run_batch(rows, work / "out")
        figures["rerun"] = time.perf_counter() - again
        if args.memory_rows:
            big = work / "big.csv"
            write_rows(big, args.memory_rows)
            figures["big_seconds"], figures["big_peak"] = run_batch(big, work / "big")
            figures["big_rows"] = args.memory_rows
        print(table(figures))


if __name__ == "__main__":
    main()
