"""Work divided among worker processes, one a core, its results taken back in order: the two
halves of a large import that are each a row's own (reading the file's lines, working out the
standings) run on every core, while one process keeps the order, the bookkeeping and the log's
writes.

Workers are forked, and only where forking is safe (Linux, a process with one thread): they
start with the modules and whatever they work with already loaded, nothing sent. Elsewhere, or
with one core, this process does the work itself, by the same function. A worker that dies
(killed, out of memory) costs nothing but time: this process does what was left.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any, TypeVar

Batch = TypeVar("Batch")
Result = TypeVar("Result")

MOST = 4
"""Workers at most, by default, however many cores: past a few, the one process that keeps the
results (and writes the log) is the bottleneck, and each worker is a copy of this process."""

AHEAD = 2
"""Batches given to each worker ahead of the one taken back: the workers never wait for this
process, and no more than a few batches are in memory at once."""


@dataclass(frozen=True)
class Pool:
    """Worker processes started by ``forked``."""

    executor: ProcessPoolExecutor
    count: int


@contextmanager
def forked(workers: int | None, start: Callable[..., None], arguments: tuple[Any, ...]
           ) -> Iterator[Pool | None]:
    """Worker processes (``workers``, by default one a core, up to ``MOST``), each set up by
    ``start(*arguments)`` and started now, ended with the block; None where they are not worth
    it or not safe (one core, a process with threads), and this process is then set up the
    same way. The set-up is inherited by the fork, never sent (a log, a directory)."""
    count = workers or min(os.cpu_count() or 1, MOST)
    start(*arguments)  # this process works too when the workers cannot (or one died)
    if count < 2 or not _can_fork():
        yield None
        return
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                               initializer=start, initargs=arguments)
    try:
        # Forked now, with every worker at once (a pool that forks starts them all with its
        # first task), before the caller opens a connection a fork would copy
        pool.submit(int).result()
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        yield None
        return
    try:
        yield Pool(pool, count)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def in_order(pool: Pool | None, work: Callable[[Batch], Result],
             batches: Iterable[Batch]) -> Iterator[tuple[Batch, Result]]:
    """``work(batch)`` for each of ``batches``, done by ``pool``'s workers a few batches ahead
    (here, when there is no pool), and given back in the order of ``batches``."""
    remaining = iter(batches)
    if pool is None:
        yield from ((batch, work(batch)) for batch in remaining)
        return
    # Each batch stays here until its result is taken back: a worker that dies loses none
    pending: deque[tuple[Batch, Future[Result] | None]] = deque()
    ahead = pool.count * AHEAD
    try:
        for batch in remaining:
            future = None
            try:
                future = pool.executor.submit(work, batch)
            finally:
                pending.append((batch, future))
            while len(pending) > ahead:
                yield _taken(pending)
        while pending:
            yield _taken(pending)
    except BrokenProcessPool:
        # A worker died: what the workers had is done here, and the rest
        for batch in chain((batch for batch, _future in pending), remaining):
            yield batch, work(batch)


def _taken(pending: deque[tuple[Batch, Future[Result] | None]]) -> tuple[Batch, Result]:
    batch, future = pending[0]
    if future is None:  # never given to a worker: the pool broke as it was
        raise BrokenProcessPool
    result = future.result()
    pending.popleft()
    return batch, result


def _can_fork() -> bool:
    """Forking is safe only from a process with one thread (a lock another thread held would
    stay held in the child for ever), and only where the system forks well (Linux)."""
    return (sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)
