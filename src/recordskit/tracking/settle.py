"""Working out the standings of many requests at once, on every core: an import's, once it is
written, so that the next ``status`` finds them current.

Each request's standing is worked out by ``recordskit.tracking.standing`` (the timeline's own
code), a few hundred requests at a time; here those batches go to worker processes, one a core,
while this process keeps what they send back (the log's writes stay in one process). At 100,000
requests working them out is most of an import's time, and each request is worked out on its
own: the work divides by the cores.

Workers are forked, and only where forking is safe (Linux, a process with one thread): they
start with the directory and the modules already loaded. Elsewhere, with one core, or for a few
hundred requests, this process works them out itself. A worker that dies (killed, out of memory)
costs nothing but time: this process works out the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from itertools import chain

from recordskit.models import Directory
from recordskit.tracking.log import RequestLog, Standing
from recordskit.tracking.standing import bases, worked_out

_IN_FLIGHT = 2
"""Batches given to each worker ahead: the workers never wait for this process, and no more than
a few batches' requests are in memory at once."""


def settle(log: RequestLog, directory: Directory, today: date, chunks: Iterable[list[str]],
           *, workers: int | None = None) -> int:
    """Work out and keep the standings of the requests ``chunks`` names, a few hundred at a
    time, with ``workers`` processes (by default one a core); how many."""
    basis = bases(directory)
    batches = iter(chunks)
    first = next(batches, [])
    second = next(batches, None)
    count = workers or os.cpu_count() or 1
    if second is None or count < 2 or not _can_fork():  # one batch: not worth a process
        return _settle_here(log, directory, today, basis, chain([first], [second] if second
                                                                else [], batches))
    return _settle_in_workers(log, directory, today, basis, chain([first, second], batches),
                              count)


def _settle_here(log: RequestLog, directory: Directory, today: date, basis: Mapping[str, str],
                 batches: Iterable[list[str]]) -> int:
    done = 0
    with log.session():  # no worker is forked from here: a held connection is safe
        for ids in batches:
            log.store_standings(worked_out(log, ids, directory, today, basis))
            done += len(ids)
    return done


def _settle_in_workers(log: RequestLog, directory: Directory, today: date,
                       basis: Mapping[str, str], batches: Iterator[list[str]], count: int
                       ) -> int:
    done = 0
    # Each batch stays here until its standings are kept: a worker that dies loses none
    pending: deque[tuple[list[str], Future[list[Standing]] | None]] = deque()
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker,
                               initargs=(log, directory, today, dict(basis)))
    try:
        for ids in chain(batches, [[]]):  # an empty batch at the end: keep what is left
            future = None
            try:
                if ids:
                    future = pool.submit(_work_out, ids)
            finally:
                pending.append((ids, future))
            while pending and (not ids or len(pending) > count * _IN_FLIGHT):
                kept, working = pending[0]
                if working is not None:
                    log.store_standings(working.result())
                pending.popleft()
                done += len(kept)
    except BrokenProcessPool:
        # A worker died: what the workers had is worked out here, and the rest
        done += _settle_here(log, directory, today, basis,
                             chain((ids for ids, _future in pending), batches))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return done


def _can_fork() -> bool:
    """Forking is safe only from a process with one thread (a lock another thread held would
    stay held in the child for ever), and only where the system forks well (Linux)."""
    return (sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


_WORKER: tuple[RequestLog, Directory, date, dict[str, str]] | None = None
"""What a worker process works with, given when it starts (inherited by the fork, not sent)."""


def _start_worker(log: RequestLog, directory: Directory, today: date,
                  basis: dict[str, str]) -> None:
    global _WORKER
    _WORKER = (log, directory, today, basis)


def _work_out(ids: list[str]) -> list[Standing]:
    """In a worker: the standings of ``ids``, read from the log and worked out."""
    if _WORKER is None:  # pragma: no cover - every worker is started with it
        raise RuntimeError("a worker started without its log")
    log, directory, today, basis = _WORKER
    with log.session():  # the worker's own connection, for the batch's few questions
        return worked_out(log, ids, directory, today, basis)
