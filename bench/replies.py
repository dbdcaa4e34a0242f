"""Measure how reading an agency's reply grows with hostile shapes of text.

Usage: python bench/replies.py [--runs 3] [--scale 10]

A reply is text from outside: an agency's email, or whatever a family pastes. Some shapes once
cost far more than their size (a page of dates quoted sentence by sentence took minutes; a
request letter pasted many times over was cut again for every copy). The tests check what the
reader finds in these shapes at a small size; this bench times them at two sizes, SCALE times
apart, and prints a Markdown table of each shape's median wall and CPU time at both sizes and the
ratio between them. A reader that stays linear shows a ratio near SCALE; one near SCALE squared
has gone quadratic. The larger size of each shape is the one the tests used to time.

The bench reads in this process and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def _email(html: str) -> bytes:
    """An email whose only part is ``html``."""
    return (b"From: records@example.org\nSubject: Your request\nMIME-Version: 1.0\n"
            b"Content-Type: text/html; charset=utf-8\n\n" + html.encode())


@dataclass(frozen=True)
class Shape:
    name: str
    make: Callable[[int], bytes]
    """The reply at ``count`` repetitions of its unit."""
    count: int
    """Repetitions at the larger size."""


SHAPES = (
    Shape("dates and sums in one sentence", lambda n: ("12/1/2023 $5 " * n).encode(), 30_000),
    Shape("deeply nested HTML", lambda n: _email("<div>" * n + "There are no responsive "
                                                 "records." + "</div>" * n), 100_000),
    Shape("pasted request letters", lambda n: ("I hereby request x.\nSincerely,\nA\n\n"
                                               * n).encode(), 11_000),
    Shape("Outlook header blocks", lambda n: ("From: a\nSent: b\nTo: c\n" * n).encode(), 17_000),
    Shape("a pasted thread", lambda n: ("From: x\n\nI wanted to follow up\n\n" * n).encode(),
          12_000),
    Shape("open quotes", lambda n: ('you requested "' * n).encode(), 26_000),
)


def _timed(read: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` calls of ``read``."""
    walls, cpus = [], []
    for _run in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        read()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timings of each size (median)")
    parser.add_argument("--scale", type=int, default=10, help="how many times larger the "
                        "larger size is")
    options = parser.parse_args()
    from recordskit.replies.reader import read_reply

    read_reply(b"warm up", source="bench.txt")
    load = os.getloadavg()[0]
    print(f"| shape | repetitions | wall s | CPU s | repetitions ×{options.scale} | wall s | "
          "CPU s | CPU ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for shape in SHAPES:
        small, large = shape.count // options.scale, shape.count
        row = [shape.name]
        cpus = []
        for count in (small, large):
            data = shape.make(count)
            wall, cpu = _timed(lambda data=data: read_reply(data, source="bench.txt"),
                               options.runs)
            row += [f"{count:,}", f"{wall:.3f}", f"{cpu:.3f}"]
            cpus.append(cpu)
        row.append(f"{cpus[1] / cpus[0]:.1f}" if cpus[0] else "")
        print("| " + " | ".join(row) + " |")
    print(f"\n{os.cpu_count()} cores; load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after; {options.runs} runs of each size, medians.")


if __name__ == "__main__":
    main()
