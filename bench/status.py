"""Measure `recordskit status` over a large request log, on SQLite and on PostgreSQL.

Usage: python bench/status.py [--requests 10000] [--runs 3] [--postgres URL]

Builds a log of N requests (each with a receipt and, for a third of them, a response) in a
fresh SQLite file and, when a PostgreSQL URL is given (or RECORDSKIT_TEST_POSTGRES_URL is set),
in a fresh database there; then times the whole `recordskit status --json` command on each,
RUNS times, and prints the median, min and max wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export_file(path: Path, count: int) -> None:
    """A log export of ``count`` requests, written directly (the import is what is timed next)."""
    from recordskit.directory.load import load_directory
    from recordskit.intake.answers import request_from

    directory = load_directory(ROOT / "tests" / "data" / "agencies.yaml")
    base = request_from({"agency": "bps", "records": ["school-police-reports-shared-with-bric"],
                         "requester": {"name": "Family", "email": "f@example.org"},
                         "delivery": "email", "sent_on": "2026-11-23"}, directory)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            request = base.model_copy(update={"requester": base.requester.model_copy(
                update={"name": f"Family {number}"})})
            rid = request.fingerprint()
            out.write(json.dumps({"type": "request", "id": rid, "created_at": "2026-11-23",
                                  "agency": "bps", "answers": request.model_dump(mode="json"),
                                  "folder": "", "batch_id": "", "created_by": "bench"}) + "\n")
            events = [("received", "2026-11-23", {})]
            if number % 3 == 0:
                events.append(("response", "2026-12-01", {"kind": "denied"}))
            for seq, (event, on, details) in enumerate(events):
                out.write(json.dumps({"type": "event", "seq": number * 10 + seq + 1,
                                      "request_id": rid, "event": event, "on_date": on,
                                      "details": details, "recorded_at": "2026-12-01",
                                      "recorded_by": "bench", "uid": uuid.uuid4().hex}) + "\n")


def timed(env: dict[str, str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "recordskit", "status", "--json"], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("RECORDSKIT_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    from recordskit.tracking.open import open_log
    from recordskit.tracking.transfer import import_log

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        export = work / "log.jsonl"
        export_file(export, args.requests)
        env = {**os.environ, "RECORDSKIT_HOME": str(work / "home"),
               "RECORDSKIT_AGENCIES": str(ROOT / "tests" / "data" / "agencies.yaml"),
               "RECORDSKIT_TODAY": "2026-12-15", "RECORDSKIT_DATABASE_URL": ""}
        backends = [("SQLite", env, open_log("", folder=work / "home"), None)]
        if args.postgres:
            import psycopg

            name = f"rk_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            url = args.postgres.replace("/postgres?", f"/{name}?")
            backends.append(("PostgreSQL", {**env, "RECORDSKIT_DATABASE_URL": url},
                             open_log(url), name))
        print(f"requests: {args.requests}, runs: {args.runs} (whole command, start-up included)")
        for label, backend_env, log, database in backends:
            started = time.perf_counter()
            import_log(log, export)
            loaded = time.perf_counter() - started
            seconds = timed(backend_env, args.runs)
            print(f"{label}: status --json median {statistics.median(seconds):.2f} s "
                  f"(min {min(seconds):.2f}, max {max(seconds):.2f}); import took {loaded:.1f} s")
            if database:
                with psycopg.connect(args.postgres, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
