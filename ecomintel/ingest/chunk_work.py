"""Everything an ingest does to a chunk before the database write, done ahead of the writer: in a thread, or
for a tenant's first large sales load in a forked process.

Why ahead: while the database stores chunk N, chunk N+1 is parsed, validated, deduplicated and encoded, so
a load takes about max(prepare, write) instead of their sum. Why a process for large first loads: both sides
hold Python's GIL most of the time (pandas bookkeeping, sqlite3 binding each parameter), so a thread only
interleaves them; on the 541,909-line file a forked producer took the SQLite chunk loop from ~2.4 s to ~1.6 s
on 2 cores (bench/ingest.py). PostgreSQL keeps the thread: its writer waits on the server with the GIL released,
and a process made that load slower. The process is used only where forking is safe — a POSIX process whose only
thread is the caller (the CLI, a worker's job, the bench) — and when the file is large enough to repay
sending each chunk's encoded rows back (FORK_MIN_ROWS); the app's threads take the thread path.

The producer keeps the state that must follow file order: the keys seen in earlier chunks (a repeat in a
later chunk is a duplicate) and how many warned rows it kept (the first WARNING_ROWS).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ecomintel.db.repository import Repository
from ecomintel.ingest.load import Staged, stage_rows
from ecomintel.ingest.validate import NO_TEXT, Prepared

WARNING_ROWS = 200
FORK_MIN_ROWS = 100_000
_END = object()


@dataclass
class ChunkWork:
    """One chunk, ready for the writer: its size and position, the staged rows, the rejected rows with their
    reasons, the warned rows (counted; the first ones kept) and its return lines."""

    rows: int
    fraction: float
    staged: Staged
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warned: int = 0
    no_text: int = 0
    warning_rows: list[dict[str, Any]] = field(default_factory=list)
    returns: int = 0


@dataclass
class Producer:
    """Turns chunks into ChunkWork in file order (`__call__`), keeping the order-dependent state."""

    repo: Repository
    kind: str
    batch_id: int
    prepare: Callable[..., Prepared]
    mapping: Mapping[str, str | None]
    defaults: Mapping[str, Any] | None
    encode: bool
    seen: set[str] = field(default_factory=set)
    kept_warnings: int = 0

    def __call__(self, chunk: pd.DataFrame, fraction: float) -> ChunkWork:
        prepared = self.prepare(chunk, self.mapping, self.defaults)
        staged = stage_rows(self.repo, self.kind, prepared.valid(), self.batch_id, self.seen, encode=self.encode)
        ok = prepared.ok
        work = ChunkWork(rows=len(chunk), fraction=fraction, staged=staged)
        if not ok.all():
            bad = ~ok
            work.rejected = [{"row_number": num, "raw": {str(k): str(v) for k, v in row.items()}, "reasons": why}
                             for num, row, why in zip((chunk.index[bad] + 1).tolist(), chunk[bad].to_dict("records"),
                                                      prepared.reasons[bad].tolist(), strict=True)]
        self._warnings(work, chunk, prepared)
        if self.kind == "sales":
            work.returns = int(staged.rows["is_return"].sum())
        return work

    def _warnings(self, work: ChunkWork, chunk: pd.DataFrame, prepared: Prepared) -> None:
        if prepared.warnings is None:
            return
        warned = prepared.warnings.ne("").to_numpy() & prepared.ok
        if not warned.any():
            return
        work.warned = int(warned.sum())
        if self.kind == "reviews":
            work.no_text = int(prepared.warnings[warned].str.contains(NO_TEXT, regex=False).sum())
        room = WARNING_ROWS - self.kept_warnings
        if room > 0:
            rows = chunk[warned].head(room)
            for number, (_i, row), why in zip((rows.index + 1).tolist(), rows.iterrows(),
                                              prepared.warnings[warned].head(room).tolist(), strict=True):
                work.warning_rows.append({"row": int(number), "warnings": why,
                                          **{str(k): str(v)[:200] for k, v in row.items()}})
            self.kept_warnings += len(work.warning_rows)


def can_fork(rows: int | None) -> bool:
    """Whether a forked producer is safe and worth it here (see the module docstring)."""
    return (rows is not None and rows >= FORK_MIN_ROWS and os.name == "posix"
            and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods())


def threaded_chunks(chunks: Iterator[pd.DataFrame], produce: Producer, position: Callable[[], float],
                    depth: int = 2) -> Iterator[ChunkWork]:
    """ChunkWork of each chunk, produced in a background thread `depth` chunks ahead. Errors in the reader or
    the validator re-raise here, in the caller's thread."""
    box: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                box.put(produce(chunk, position()))
            box.put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            box.put(exc)

    worker = threading.Thread(target=work, name="ingest-prepare", daemon=True)
    worker.start()
    try:
        while True:
            item = box.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.05)
        worker.join()


def forked_chunks(chunks: Iterator[pd.DataFrame], produce: Producer, position: Callable[[], float]
                  ) -> Iterator[ChunkWork]:
    """ChunkWork of each chunk, produced by a forked child (a copy of this process: the file, the mapping and
    the producer's state) and sent back through a pipe. While this process writes chunk N the child prepares
    N+1 (the pipe holds one)."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        receive.close()
        try:
            for chunk in chunks:
                send.send(produce(chunk, position()))
            send.send(("end", None))
        except BaseException as exc:  # an exception that cannot be pickled is sent as its text
            try:
                send.send(("error", exc))
            except Exception:
                send.send(("error", RuntimeError(f"{exc.__class__.__name__}: {exc}")))
        finally:
            send.close()

    process = ctx.Process(target=child, name="ingest-prepare", daemon=True)
    process.start()
    send.close()
    try:
        while True:
            try:
                item = receive.recv()
            except EOFError:
                raise RuntimeError("the ingest's preparing process stopped unexpectedly") from None
            if isinstance(item, tuple):
                tag, value = item
                if tag == "error":
                    raise value
                return
            yield item
    finally:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()
