"""Working out the standings of many requests at once, on every core: an import's, once it is
written, so that the next ``status`` finds them current.

Each request's standing is worked out by ``recordskit.tracking.standing`` (the timeline's own
code), a few hundred requests at a time; the batches go to worker processes
(``recordskit.tracking.workers``), one a core, while this process keeps what they send back
(the log's writes stay in one process). At 100,000 requests working them out was most of an
import's time, and each request is worked out on its own: the work divides by the cores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from itertools import chain

from recordskit.models import Directory
from recordskit.tracking.log import RequestLog, Standing
from recordskit.tracking.standing import bases, worked_out
from recordskit.tracking.workers import forked, in_order


def settle(log: RequestLog, directory: Directory, today: date, chunks: Iterable[list[str]],
           *, workers: int | None = None) -> int:
    """Work out and keep the standings of the requests ``chunks`` names, a few hundred at a
    time, with ``workers`` processes (by default one a core); how many."""
    batches = iter(chunks)
    first = next(batches, None)
    if first is None:
        return 0
    second = next(batches, None)
    if second is None:  # one batch: not worth a process
        workers = 1
    done = 0
    kept: list[Standing] = []
    # The workers are forked as the pool starts, before this process's connection is opened
    try:
        with forked(workers, _start, ((log, directory, today, bases(directory)),)) as pool, \
                log.session():
            for ids, standings in in_order(pool, _work_out, chain(
                    [first], [second] if second else [], batches)):
                kept += standings
                done += len(ids)
                if len(kept) >= KEPT_AT_ONCE:
                    log.store_standings(kept)
                    kept = []
            log.store_standings(kept)
    finally:
        _start(None)
    return done


KEPT_AT_ONCE = 5000
"""Standings stored in one transaction: each rewrites the pages of the standings' indexes it
touches, and many requests' standings share a page (at 500 a transaction, SQLite spent 8 s of
system time at 100,000 requests rewriting the same pages)."""


_WORKING: tuple[RequestLog, Directory, date, Mapping[str, str]] | None = None
"""What ``_work_out`` works with, given when its process starts (inherited by a fork)."""


def _start(working: tuple[RequestLog, Directory, date, Mapping[str, str]] | None) -> None:
    """Set this process up with (log, directory, today, bases); None when done."""
    global _WORKING
    _WORKING = working


def _work_out(ids: list[str]) -> list[Standing]:
    """The standings of ``ids``, read from the log and worked out (in a worker, or here)."""
    if _WORKING is None:  # pragma: no cover - ``forked`` sets every process up
        raise RuntimeError("working out standings before being set up")
    log, directory, today, basis = _WORKING
    with log.session():  # one connection for the batch's few questions
        return worked_out(log, ids, directory, today, basis)
