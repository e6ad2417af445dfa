"""The scan loop: plan the batch, skip what was scanned before, run the work, store each card.

Only this process writes to the book. A photo's hash is recorded as scanned once its cards
are written, so a batch interrupted at any point (Ctrl-C, SIGKILL) resumes where it stopped
with nothing half-written.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardscan.batch import workers
from cardscan.batch.discovery import plan, precheck
from cardscan.batch.model import CardOutcome, Failure, ScanOptions, ScanSummary, Task
from cardscan.batch.workers import (
    LocalPool,
    Work,
    default_jobs,
    process_task,
    run_dask,
    run_inline,
)
from cardscan.contact_json import confidence_json, contact_json
from cardscan.errors import InputError, NotFoundError
from cardscan.merge import apply_batch
from cardscan.models import CardResult, ScanStatus, Source
from cardscan.vcard import printable

if TYPE_CHECKING:
    from cardscan.progress import Progress
    from cardscan.store import Book


def scan(paths: Sequence[Path], options: ScanOptions, book: Book, *,
         progress: Progress | None = None, work: Work = process_task,
         check_dependencies: bool = True) -> ScanSummary:
    """Scan photos and folders into `book`; return every card of the batch and every failure.

    The progress display is stopped however the scan ends (an error or Ctrl-C included), so
    what is printed next starts on a line of its own.
    """
    from cardscan.progress import NullProgress

    progress = progress or NullProgress()
    try:
        return _scan(paths, options, book, progress, work, check_dependencies)
    finally:
        progress.stop()


def _scan(paths: Sequence[Path], options: ScanOptions, book: Book, progress: Progress,
          work: Work, check_dependencies: bool) -> ScanSummary:
    started = time.monotonic()
    local = options.executor in ("local", "inline")
    groups, failures = plan(paths, options)
    photos = sum(len(g) for g in groups) + len(failures)
    for failure in failures:
        progress.failed(failure)
    outcomes: list[CardOutcome] = []
    tasks: list[Task] = []
    seen_hashes: dict[str, Path] = {}
    duplicates: list[tuple[tuple[Path, ...], tuple[str, ...], int, Path]] = []
    progress.start(len(groups))
    for order, group in enumerate(groups):
        try:
            hashes = tuple(precheck(p) for p in group)
        except InputError as exc:
            failure = Failure(exc.path or group[0], str(exc.args[0]), order)
            failures.append(failure)
            progress.failed(failure)
            progress.advance()
            continue
        duplicate = next((seen_hashes[h] for h in hashes if h in seen_hashes), None)
        if duplicate is not None:  # the same photo twice: listed once the first is stored
            duplicates.append((group, hashes, order, duplicate))
            continue
        if not options.rescan and all(map(book.has_scanned, hashes)):
            outcomes += _skipped(book, group, hashes, order)
            progress.advance()
            continue
        seen_hashes.update(dict.fromkeys(hashes, group[0]))
        tasks.append(Task(group, hashes, order))

    if tasks:
        if check_dependencies and local:
            # MissingDependencyError before any OCR (a resumed batch needs no Tesseract)
            workers.check_dependencies(options.lang)
        if options.executor == "inline":
            results = run_inline(tasks, options, work)
        elif options.executor == "local":
            jobs = options.jobs or default_jobs()
            results = LocalPool(min(jobs, len(tasks)), options, work).run(tasks)
        else:
            results = run_dask(tasks, options, work, check_dependencies)
        for task, kind, payload in results:
            if kind == "ok":
                outcomes += _store(book, task, payload, options)
            else:
                failure = Failure(task.path, str(payload), task.order)
                failures.append(failure)
                progress.failed(failure)
            progress.advance()
    for group, hashes, order, first in duplicates:
        if all(map(book.has_scanned, hashes)):
            outcomes += _skipped(book, group, hashes, order)
        else:
            failure = Failure(group[0], f"same photo as {first.name}, which failed", order)
            failures.append(failure)
            progress.failed(failure)
        progress.advance()
    outcomes.sort(key=lambda o: (o.order, o.source.card_index))
    failures.sort(key=lambda f: f.order)
    if tasks:
        book.keep_parse_cache()  # the batch resumes, and the book is listed, without parsing it
    return ScanSummary(outcomes, failures, photos, time.monotonic() - started)


def _skipped(book: Book, group: tuple[Path, ...], hashes: tuple[str, ...],
             order: int) -> list[CardOutcome]:
    """The cards of a photo scanned before, as the book holds them now."""
    outcomes = []
    uids = list(dict.fromkeys(uid for h in hashes for uid in book.uids_for_scan(h)))
    for index, uid in enumerate(uids):
        try:
            contact = book.get_uid(uid)
        except NotFoundError:  # deleted from the book since: still not rescanned
            continue
        source = Source(file=group[0].name, path=str(group[0].absolute()), sha256=hashes[0],
                        card_index=index)
        outcomes.append(CardOutcome(ScanStatus.SKIPPED, contact, source, contact.uid,
                                    book.file_of(contact).absolute(), order=order))
    return outcomes


def _store(book: Book, task: Task, results: list[CardResult],
           options: ScanOptions) -> list[CardOutcome]:
    """Write a photo's cards to the book, then remember the photo as scanned."""
    outcomes = []
    for result in results:
        contact = result.contact
        if options.annotations:
            apply_batch(contact, options.annotations)
        added = book.add(contact)
        outcomes.append(CardOutcome(
            ScanStatus(added.status), contact, result.source, added.contact.uid,
            Path(added.path).absolute(),
            result.ocr_text, result.crop_jpeg, result.detected, result.notes, task.order,
            result.timers))
    uids = [o.uid for o in outcomes]
    for path, sha in zip(task.paths, task.hashes, strict=True):
        book.mark_scanned(sha, path.name, uids)
    return outcomes


def outcome_json(card: CardOutcome) -> dict[str, Any]:
    """One card as the --json object."""
    return {
        "source": printable(card.source.file), "path": printable(card.source.path),
        "card_index": card.source.card_index,
        "status": str(card.status), "error": None, "uid": card.uid,
        "vcf": str(card.vcf) if card.vcf else None,
        "fields": contact_json(card.contact), "confidence": confidence_json(card.contact),
        "ocr_text": card.ocr_text,
        **({"timers": card.timers} if card.timers else {}),
    }


def photo_timers(cards: Sequence[CardOutcome]) -> list[dict[str, float]]:
    """The stage timers of each photo read in the batch (once per photo, not per card)."""
    seen: set[str] = set()
    figures = []
    for card in cards:
        key = card.source.path or card.source.file
        if card.timers and key not in seen:
            seen.add(key)
            figures.append(card.timers)
    return figures


def failure_json(failure: Failure) -> dict[str, Any]:
    """One failed photo as the --json object."""
    return {
        "source": printable(failure.path.name), "path": printable(str(failure.path.absolute())),
        "card_index": 0,
        "status": "failed", "error": failure.reason, "uid": None, "vcf": None,
        "fields": None, "confidence": None, "ocr_text": "",
    }
