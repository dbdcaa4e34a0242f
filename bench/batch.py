"""Measure `recordskit batch` against a naive docxtpl loop, and its peak memory.

Usage: python bench/batch.py [--rows 1000] [--naive-rows 300] [--memory-rows 0]

Prints, from one run on the same template and rows: letters per second for `recordskit batch`
(the whole command, start-up included), letters per second for a naive loop
(`DocxTemplate(path)` -> `render` -> `save` per letter, one process), their ratio, and the peak
memory of the batch. With --memory-rows N it also runs a batch of N rows for peak memory alone.
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
    """Letters per second for DocxTemplate(path) -> render -> save, one letter at a time."""
    from docxtpl import DocxTemplate

    from recordskit.deadlines.calendars import get_calendar
    from recordskit.deadlines.schedule import new_request_schedule
    from recordskit.directory.load import load_directory
    from recordskit.documents.letter import letter_context
    from recordskit.documents.render import environment
    from recordskit.intake.answers import request_from
    from recordskit.intake.rows import answers_of, read_rows
    from recordskit.paths import templates_dir

    directory = load_directory()
    contexts = []
    for row in read_rows(rows)[:count]:
        request = request_from(answers_of(row)[0], directory)
        agency = directory.agency(request.agency)
        schedule = new_request_schedule(request, agency, get_calendar(agency.calendar))
        contexts.append(letter_context(request, directory, schedule))
    template = templates_dir() / "request.docx"
    env = environment()
    started = time.perf_counter()
    for number, context in enumerate(contexts):
        letter = DocxTemplate(template)
        letter.render(context, jinja_env=env)
        letter.save(folder / f"naive-{number}.docx")
    return len(contexts) / (time.perf_counter() - started)


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
        batch_rate = args.rows / seconds
        naive_folder = work / "naive"
        naive_folder.mkdir()
        naive = naive_rate(rows, min(args.naive_rows, args.rows), naive_folder)
        print(f"rows: {args.rows}")
        print(f"recordskit batch: {seconds:.2f} s, {batch_rate:.0f} letters/s (whole command)")
        print(f"naive loop: {naive:.0f} letters/s (DocxTemplate per letter, one process)")
        print(f"ratio: {batch_rate / naive:.1f}x")
        print(f"peak memory of the batch: {peak:.0f} MB (largest process)")
        again = time.perf_counter()
        run_batch(rows, work / "out")
        print(f"re-run with unchanged input: {time.perf_counter() - again:.2f} s")
        if args.memory_rows:
            big = work / "big.csv"
            write_rows(big, args.memory_rows)
            seconds, peak = run_batch(big, work / "big")
            print(f"rows: {args.memory_rows}: {seconds:.1f} s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
