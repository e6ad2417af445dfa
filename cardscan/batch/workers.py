"""Where the reading runs: in worker processes (``LocalPool``), inline, or on a Dask cluster.

A task's work (``process_task``) is a pure function of its photos: it runs in a worker and
returns small results (the contact, the OCR text, an optional small JPEG of the crop). Only
the parent writes to the book (``batch/scan.py``). Every executor reports a task the same
way: ``(task, "ok", results)`` or ``(task, "error", one-line reason)``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from cardscan.batch.model import ScanOptions, Task
from cardscan.errors import (
    CardscanError,
    InputError,
    MissingDependencyError,
    NoCardError,
    WorkerError,
)
from cardscan.merge import merge_sides
from cardscan.models import CardResult, ReadOptions
from cardscan.reading import read_photo
from cardscan.reading.timers import add_up
from cardscan.tesseract import check_languages, default_engine, probe

#: Seconds a new worker may take to import its modules and load the OCR engine.
STARTUP_TIMEOUT = 300.0
#: Modules the fork server imports once, so every worker starts with them loaded.
PRELOAD = ["cardscan.batch.workers", "cardscan.reading.detect", "cardscan.reading.enhance",
           "cardscan.reading.strategy", "cardscan.parse"]

Work = Callable[[Task, ScanOptions, Callable[[], None] | None], list[CardResult]]
ReadPhoto = Callable[[Path, ReadOptions, Callable[[], None] | None], list[CardResult]]


def check_dependencies(lang: str) -> None:
    """Tesseract and every language of ``lang`` are installed where the work runs."""
    probe()
    check_languages(lang)


def process_task(task: Task, options: ScanOptions, on_card: Callable[[], None] | None = None,
                 read: ReadPhoto = read_photo) -> list[CardResult]:
    """The work for one task: a single photo, or a front/back pair merged into one contact.

    ``read`` reads one photo (``reading.read_photo``; tests pass a fake).
    """
    if len(task.paths) == 1:
        return read(task.path, options.reading, on_card)
    front_path, back_path = task.paths
    try:
        front = read(front_path, options.reading, on_card)
    except NoCardError:
        front = []
    try:
        back = read(back_path, options.reading, on_card)
    except NoCardError:
        back = []
    if not front and not back:
        raise NoCardError("no text found on either side", front_path)
    if not front or not back:
        return front or back
    first, other = front[0], back[0]
    contact = merge_sides(first.contact, other.contact)
    text = f"{first.ocr_text}\n\n{other.ocr_text}".strip()
    timers = add_up([t for t in (first.timers, other.timers) if t]) or None
    merged = replace(first, contact=contact, ocr_text=text, notes=first.notes + other.notes,
                     timers=timers)
    return [merged, *front[1:]]


def run_task(work: Work, task: Task, options: ScanOptions,
              on_card: Callable[[], None] | None = None) -> tuple[str, Any]:
    """Run one task; failures become ("error", reason) so any executor reports them alike."""
    try:
        return "ok", work(task, options, on_card)
    except CardscanError as exc:
        return "error", str(exc.args[0]) if exc.args else type(exc).__name__
    except MemoryError:
        return "error", "out of memory"
    except Exception as exc:  # a bug or an odd file must not stop the batch
        return "error", f"unexpected error ({type(exc).__name__}: {exc})"


def _worker_main(conn: Connection, options: ScanOptions, work: Work) -> None:
    """A worker process: set its own environment, warm the engine meanwhile, serve tasks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides how to stop
    os.setpgrp()  # so a hung worker can be killed together with its OCR helper process
    os.environ["OMP_THREAD_LIMIT"] = "1"  # this worker's environment only
    if (options.jobs or default_jobs()) > 1:
        import cv2

        cv2.setNumThreads(1)  # the other workers already use the other cores
    # the OCR helper starts (a Python, libtesseract, the language models: most of a second)
    # while this worker decodes and prepares its first photo; its first OCR call waits for it
    threading.Thread(target=default_engine().warm_up, args=(options.lang,), daemon=True,
                     name="cardscan-warm-up").start()
    try:
        conn.send(("ready", None))
    except OSError:
        return

    def tick() -> None:
        conn.send(("tick", None))

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent went away
            return
        if task is None:
            return
        kind, payload = run_task(work, task, options, tick)
        try:
            conn.send((kind, payload))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: Task | None = None
    deadline: float = 0.0
    ready: bool = False  # the worker has started (its engine warms up meanwhile) and waits


class LocalPool:
    """Worker processes reused across cards; a crashed or hung worker is replaced.

    Unlike concurrent.futures, one dead worker does not break the batch: its task is
    reported as failed and a fresh worker takes its place.
    """

    def __init__(self, jobs: int, options: ScanOptions, work: Work = process_task) -> None:
        self.jobs = max(1, jobs)
        self.options = options
        self.work = work
        self.context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported the heavy modules.
        self.context.set_forkserver_preload(PRELOAD)
        self.workers: list[_Worker] = []
        self.start_failures = 0

    def _start(self) -> _Worker:
        parent_conn, child_conn = self.context.Pipe(duplex=True)
        process = self.context.Process(target=_worker_main, name="cardscan-worker",
                                       args=(child_conn, self.options, self.work), daemon=True)
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if kill and worker.process.is_alive():
            with contextlib.suppress(OSError):
                os.killpg(worker.process.pid, signal.SIGKILL)  # the worker and its children
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        self.workers.remove(worker)

    def _deadline(self) -> float:
        return time.monotonic() + self.options.timeout + self.options.grace

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, str, Any]]:
        """Yield (task, "ok", results) or (task, "error", reason) as tasks finish."""
        pending = deque(tasks)
        try:
            while pending or any(w.task for w in self.workers):
                busy = sum(1 for w in self.workers if w.task is not None)
                while len(self.workers) < min(self.jobs, busy + len(pending)):
                    self._start()
                self._hand_out(pending)
                finished = []
                try:
                    finished.extend(self._collect())
                except WorkerError:
                    yield from finished  # what finished before the pool gave up is stored
                    raise
                # the next photos go out before the caller stores these results: the
                # workers read while the parent writes the book
                self._hand_out(pending)
                yield from finished
        finally:
            self.close()

    def _hand_out(self, pending: deque[Task]) -> None:
        """Send a pending task to every worker that is ready and idle."""
        for worker in self.workers:
            if worker.ready and worker.task is None and pending:
                worker.task = pending.popleft()
                worker.deadline = self._deadline()
                worker.conn.send(worker.task)

    def _collect(self) -> Iterator[tuple[Task, str, Any]]:
        """Wait for the next messages from the workers; replace the dead and the hung."""
        busy = [w for w in self.workers if w.task is not None]
        timeout = (max(0.0, min(w.deadline for w in busy) - time.monotonic()) if busy
                   else STARTUP_TIMEOUT)
        ready = set(wait([w.conn for w in self.workers]
                         + [w.process.sentinel for w in self.workers], timeout))
        for worker in list(self.workers):
            task = worker.task
            crashed = False
            if worker.conn in ready:
                try:
                    kind, payload = worker.conn.recv()
                except (EOFError, OSError):
                    kind, payload = "crash", None
                if kind == "ready":
                    worker.ready = True
                    continue
                if kind == "tick":
                    worker.deadline = self._deadline()
                    continue
                if kind != "crash" and task is not None:
                    worker.task = None
                    yield task, kind, payload
                    continue
                crashed = True
            crashed = crashed or worker.process.sentinel in ready
            hung = not crashed and task is not None and time.monotonic() >= worker.deadline
            if not (crashed or hung):
                continue
            if crashed:
                worker.process.join(timeout=5)
            self._retire(worker, kill=True)
            if task is None:  # died while starting: give up after a few tries
                self.start_failures += 1
                if self.start_failures > 3 * self.jobs:
                    raise WorkerError("cannot start worker processes "
                                        f"(exit status {worker.process.exitcode})")
            elif crashed:
                code = worker.process.exitcode or 0
                how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
                yield task, "error", f"worker crashed ({how})"
            else:
                yield task, "error", f"timed out after {self.options.timeout:g} s (worker killed)"

    def close(self) -> None:
        for worker in list(self.workers):
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in list(self.workers):
            worker.process.join(timeout=2)
            self._retire(worker, kill=True)


def run_inline(tasks: Sequence[Task], options: ScanOptions,
                work: Work) -> Iterator[tuple[Task, str, Any]]:
    for task in tasks:
        kind, payload = run_task(work, task, options)
        yield task, kind, payload


def _dask_task(work: Work, task: Task, options: ScanOptions) -> tuple[str, Any]:
    return run_task(work, task, options)


def dask_address(executor: str) -> str:
    """'dask://HOST:PORT' -> 'tcp://HOST:PORT'."""
    if not executor.startswith("dask://") or len(executor) <= len("dask://"):
        raise InputError(f"unknown executor {executor!r} (use local or dask://HOST:PORT)")
    return "tcp://" + executor[len("dask://"):]


def run_dask(tasks: Sequence[Task], options: ScanOptions, work: Work,
              check: bool) -> Iterator[tuple[Task, str, Any]]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise MissingDependencyError(
            "--executor dask:// needs dask.distributed: pip install 'cardscan[dask]'") from exc
    address = dask_address(options.executor)
    try:
        client = Client(address, timeout=30)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        if check:  # Tesseract must exist where the work runs, not here
            client.submit(check_dependencies, options.lang, pure=False).result()
        futures = {client.submit(_dask_task, work, task, options, pure=False): task
                   for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                kind, payload = future.result()
            except Exception as exc:  # the worker died or the task was lost
                kind, payload = "error", f"dask task failed ({type(exc).__name__}: {exc})"
            yield task, kind, payload
    finally:
        client.close()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
