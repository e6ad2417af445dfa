"""Batch scanning: discovery, workers, progress, resume and per-file errors.

The per-card work (`process_photo`) is a pure function of the photo: it runs in a
worker process (or on a Dask cluster) and returns small results (the contact, the
OCR text and an optional small JPEG of the crop). The parent process alone writes
to the book and records each photo's hash once its cards are written, so a batch
interrupted at any point (Ctrl-C, SIGKILL) resumes where it stopped with nothing
half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardscan.config import DEFAULT_LANG, DEFAULT_REGION
from cardscan.errors import CardscanError, ExitCode, InputError, NoCardError
from cardscan.models import Annotations, Contact, Source, utc_now

if TYPE_CHECKING:
    import numpy as np

    from cardscan.models import CardImage, OcrPage
    from cardscan.progress import Progress
    from cardscan.store import Book

#: File name extensions scanned when a folder is given (case-insensitive).
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif"})
#: Name endings that mark the back of a card; the front is the same name without it.
BACK_SUFFIXES = ("_back", "-back", " back", "_reverso", "-reverso")
FRONT_SUFFIXES = ("", "_front", "-front", " front", "_anverso", "-anverso")
#: Longest side of the crop kept for the report and the vCard PHOTO.
CROP_MAX_SIDE = 600
CROP_JPEG_QUALITY = 80
#: Seconds a worker may stay silent beyond the OCR timeout before it is killed.
WORKER_GRACE = 30.0
#: Seconds a new worker may take to import its modules and load the OCR engine.
STARTUP_TIMEOUT = 300.0

Status = str  # added | merged | unchanged | skipped | failed


@dataclass
class ScanOptions:
    """What a batch scan needs to know; picklable, sent to every worker."""

    region: str = DEFAULT_REGION
    lang: str = DEFAULT_LANG
    jobs: int = 0  # 0: one worker per available core
    rescan: bool = False
    keep_crops: bool = False  # encode each card's crop (for the report or --photo)
    photo: bool = False  # store the crop as the contact's PHOTO
    timeout: float = 60.0  # seconds per card for Tesseract
    grace: float = WORKER_GRACE  # extra seconds of silence before a worker is killed
    executor: str = "local"  # local | inline (in this process) | dask://HOST:PORT
    annotations: Annotations | None = None  # applied to every card of the batch
    pairs: list[tuple[Path, Path]] = field(default_factory=list)  # explicit front/back pairs
    pair_backs: bool = True  # pair "<name>_back.jpg" with "<name>.jpg" in folders


@dataclass(frozen=True)
class Task:
    """One unit of work: a photo, or the front and back of one card."""

    paths: tuple[Path, ...]
    hashes: tuple[str, ...]
    order: int = 0

    @property
    def path(self) -> Path:
        return self.paths[0]


@dataclass
class CardResult:
    """What a worker read from one card (small: no full-size pixels)."""

    contact: Contact
    source: Source
    ocr_text: str = ""
    crop_jpeg: bytes | None = None
    detected: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class CardOutcome:
    """One card of the batch after the parent stored it (or found it already stored)."""

    status: Status  # added | merged | unchanged | skipped
    contact: Contact  # as read from the card (or as stored, for skipped photos)
    source: Source
    uid: str
    vcf: Path | None = None
    ocr_text: str = ""
    crop_jpeg: bytes | None = None
    detected: bool = True
    notes: list[str] = field(default_factory=list)
    order: int = 0


@dataclass
class Failure:
    path: Path
    reason: str
    order: int = 0

    def line(self) -> str:
        return f"{self.path.name}: {self.reason}"


@dataclass
class ScanSummary:
    cards: list[CardOutcome]
    failures: list[Failure]
    photos: int
    seconds: float

    def count(self, status: Status) -> int:
        return sum(1 for card in self.cards if card.status == status)

    @property
    def exit_code(self) -> ExitCode:
        if not self.failures:
            return ExitCode.OK if self.photos else ExitCode.ALL_FAILED
        return ExitCode.SOME_FAILED if self.cards else ExitCode.ALL_FAILED

    def line(self) -> str:
        return (f"{self.count('added')} written, {self.count('merged')} merged, "
                f"{self.count('unchanged')} unchanged, {self.count('skipped')} skipped, "
                f"{len(self.failures)} failed, {self.photos} photos in {self.seconds:.1f} s")


# ------------------------------------------------------------------ discovery


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """Photos named by the user, folders searched recursively, in a deterministic order.

    Explicitly named files are kept whatever their extension (so bad input gets a
    clear error); in folders only image extensions count, hidden entries are
    skipped and symlinked folders are followed once (loops are cut).
    """
    found: list[Path] = []
    failures: list[Failure] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.absolute()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for path in paths:
        path = Path(path)
        try:
            st = path.stat()
        except OSError as exc:
            failures.append(Failure(path, _os_reason(exc, path)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(path, add, failures, visited=set())
        else:
            add(path)
    return found, failures


def _walk(folder: Path, add: Callable[[Path], None], failures: list[Failure],
          visited: set[tuple[int, int]]) -> None:
    try:
        st = folder.stat()
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:  # a symlink back to a folder already searched
        return
    visited.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        failures.append(Failure(folder, _os_reason(exc, folder)))
        return
    for entry in entries:
        if _is_hidden(entry.name):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks; False for a symlink loop
        except OSError:
            is_dir = False
        if is_dir:
            _walk(path, add, failures, visited)
        elif path.suffix.lower() in IMAGE_EXTENSIONS:
            add(path)


def _os_reason(exc: OSError, path: Path) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "broken symlink" if path.is_symlink() else "no such file or folder"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return exc.strerror or str(exc)


def pair_backs(photos: list[Path]) -> tuple[list[tuple[Path, ...]], list[Path]]:
    """Group "<name>_back.ext" with "<name>.ext" (or "<name>_front.ext") in the same folder.

    Returns (pairs, singles); a back without a front stays a single photo.
    """
    by_key: dict[tuple[Path, str], Path] = {}
    for photo in photos:
        by_key.setdefault((photo.parent, photo.stem.lower()), photo)
    paired: set[Path] = set()
    pairs: list[tuple[Path, ...]] = []
    for photo in photos:
        stem = photo.stem.lower()
        suffix = next((s for s in BACK_SUFFIXES if stem.endswith(s) and len(stem) > len(s)), None)
        if suffix is None or photo in paired:
            continue
        base = stem[: -len(suffix)]
        front = next((by_key[(photo.parent, base + f)] for f in FRONT_SUFFIXES
                      if (photo.parent, base + f) in by_key), None)
        if front is None or front in paired or front == photo:
            continue
        paired.update((front, photo))
        pairs.append((front, photo))
    return pairs, [p for p in photos if p not in paired]


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a file, read in chunks (cheap on memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _precheck(path: Path) -> str:
    """Hash a photo in the parent; raise InputError for what no worker should see."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(_os_reason(exc, path), path) from exc
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file", path)
    if st.st_size == 0:
        raise InputError("empty file (0 bytes)", path)
    try:
        return file_sha256(path)
    except OSError as exc:
        raise InputError(_os_reason(exc, path), path) from exc


# ------------------------------------------------------------------ per-card work


def encode_crop(image: np.ndarray, max_side: int = CROP_MAX_SIDE) -> bytes:
    """A small JPEG of a card crop (for the report and the vCard PHOTO)."""
    import cv2

    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale < 1:
        image = cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))),
                           interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, CROP_JPEG_QUALITY])
    if not ok:
        raise InputError("cannot encode the card crop")
    return buffer.tobytes()


def process_photo(path: Path, options: ScanOptions,
                  on_card: Callable[[], None] | None = None) -> list[CardResult]:
    """Read every card of one photo: load -> find cards -> OCR -> parse.

    Raises a CardscanError naming the file when the photo gives no card.
    """
    from cardscan import imaging, ocr, parse

    path = Path(path)
    photo = imaging.load(path)
    sha256 = photo.sha256
    cards = imaging.find_cards(photo, use_osd=False)  # read_upright checks with the text
    pages = []
    for card in cards:
        if on_card is not None:
            on_card()
        pages.append(read_upright(card, options))
    single = ocr.read_quality(pages[0][1]) if len(cards) == 1 and cards[0].detected else None
    if single is not None and single[1] < DOUBTFUL_READ:
        # The outline may be a logo panel or a picture on the card: the whole photo is the
        # second opinion, kept when it reads more text confidently.
        whole = read_upright(imaging.whole_photo(photo, use_osd=False), options)
        if _clearly_better(ocr.read_quality(whole[1]), single):
            pages = [whole]
    del photo  # the full-size pixels are no longer needed: keep the worker's memory low
    scanned_at = utc_now()
    results: list[CardResult] = []
    any_text = False
    for card, page in pages:
        text = page.text
        any_text = any_text or bool(text.strip())
        contact = parse.contact_from(page, options.region)
        if contact.is_empty():
            continue
        source = Source(file=path.name, path=str(path.absolute()), sha256=sha256,
                        scanned_at=scanned_at, card_index=card.index)
        contact.sources = [source]
        crop = encode_crop(card.crop) if options.keep_crops or options.photo else None
        if options.photo:
            contact.photo_jpeg = crop
        results.append(CardResult(contact, source, text, crop if options.keep_crops else None,
                                  card.detected, list(card.notes)))
    if not results:
        raise NoCardError("no contact details found" if any_text else "no text found", path)
    for index, result in enumerate(results):  # number the cards that gave a contact
        result.source.card_index = index
    return results


#: Mean confidence per character below which a card's text may be upside down or sideways.
DOUBTFUL_READ = 0.8


def read_upright(card: CardImage, options: ScanOptions) -> tuple[CardImage, OcrPage]:
    """OCR a card; when the text reads poorly, try the other orientations and keep the best.

    The imaging stage's orientation checks are cheap but can be fooled by pictures and
    logos; the text itself is the final judge (a wrong turn reads as low-confidence
    fragments). A well-read card costs one OCR pass, a doubtful one up to six (four turns,
    two polarities); what stays doubtful is completed with the other polarity's lines.
    """
    from cardscan import imaging, ocr

    def alternatives() -> Iterator[CardImage]:  # most likely mistakes first
        yield imaging.turned(card, 180)
        flipped = imaging.other_polarity(card)
        yield flipped
        yield imaging.turned(flipped, 180)
        yield imaging.turned(card, 90)
        yield imaging.turned(card, 270)

    def read(image: CardImage) -> OcrPage:
        page = ocr.read(image, options.lang, timeout=options.timeout)
        reads[image.rotation, imaging.is_inverted(image)] = (image, page)
        return page

    reads: dict[tuple[int, bool], tuple[CardImage, OcrPage]] = {}
    best_card, best_page = card, read(card)
    best = ocr.read_quality(best_page)
    others = alternatives()
    while best[1] < DOUBTFUL_READ and (other := next(others, None)) is not None:
        page = read(other)
        quality = ocr.read_quality(page)
        if quality[0] > best[0]:
            best_card, best_page, best = other, page, quality
    if best[1] < DOUBTFUL_READ:
        # Still doubtful: part of the card may be printed the other way round (white text
        # on a coloured band). Complete the richer polarity with what the other one read
        # where it found nothing.
        key = (best_card.rotation, not imaging.is_inverted(best_card))
        if key in reads:
            other_card, other_page = reads[key]
        else:
            other_card = imaging.other_polarity(best_card)
            other_page = read(other_card)
        if ocr.read_quality(other_page)[0] > best[0]:
            best_card, best_page, other_page = other_card, other_page, best_page
        best_page = ocr.merge_pages(best_page, other_page)
    best_page = ocr.reread_weak_lines(best_card.image, best_page, options.lang, options.timeout)
    return best_card, best_page


def _clearly_better(candidate: tuple[int, float], current: tuple[int, float]) -> bool:
    """A second opinion replaces a read only with a fifth more confident text, read no worse:
    the whole photo also reads the table, whose texture yields confident-looking fragments."""
    return candidate[0] > 1.2 * current[0] and candidate[1] >= current[1] - 0.05


def merge_sides(front: Contact, back: Contact) -> Contact:
    """One contact from both sides of a card: the front wins, the back fills the gaps."""
    merged = replace(front, phones=list(front.phones), emails=list(front.emails),
                     websites=list(front.websites), sources=front.sources + back.sources,
                     confidence=dict(front.confidence))
    if not merged.name and back.name:
        merged.name = back.name
        merged.confidence["name"] = back.confidence.get("name", back.name.confidence)
    for attr in ("title", "department", "org"):
        if not getattr(merged, attr) and getattr(back, attr):
            setattr(merged, attr, getattr(back, attr))
            if attr in back.confidence:
                merged.confidence[attr] = back.confidence[attr]
    if not merged.address and back.address:
        merged.address = back.address
        if "address" in back.confidence:
            merged.confidence["address"] = back.confidence["address"]
    numbers = {p.number for p in merged.phones}
    merged.phones += [p for p in back.phones if p.number not in numbers]
    emails = {e.address.lower() for e in merged.emails}
    merged.emails += [e for e in back.emails if e.address.lower() not in emails]
    urls = {w.url.lower().rstrip("/") for w in merged.websites}
    merged.websites += [w for w in back.websites if w.url.lower().rstrip("/") not in urls]
    if merged.photo_jpeg is None:
        merged.photo_jpeg = back.photo_jpeg
    return merged


def process_task(task: Task, options: ScanOptions,
                 on_card: Callable[[], None] | None = None) -> list[CardResult]:
    """The work for one task: a single photo, or a front/back pair merged into one contact."""
    if len(task.paths) == 1:
        return process_photo(task.path, options, on_card)
    front_path, back_path = task.paths
    try:
        front = process_photo(front_path, options, on_card)
    except NoCardError:
        front = []
    try:
        back = process_photo(back_path, options, on_card)
    except NoCardError:
        back = []
    if not front and not back:
        raise NoCardError("no text found on either side", front_path)
    if not front or not back:
        return front or back
    first, other = front[0], back[0]
    contact = merge_sides(first.contact, other.contact)
    text = f"{first.ocr_text}\n\n{other.ocr_text}".strip()
    merged = replace(first, contact=contact, ocr_text=text, notes=first.notes + other.notes)
    return [merged, *front[1:]]


Work = Callable[[Task, ScanOptions, Callable[[], None] | None], list[CardResult]]


def _run_task(work: Work, task: Task, options: ScanOptions,
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


# ------------------------------------------------------------------ executors


def _warm_engine(lang: str) -> None:
    """Load the OCR engine once in this worker so the first card does not pay for it."""
    try:
        import numpy as np

        from cardscan import ocr

        warm = getattr(ocr, "warm_up", None)
        if warm is not None:
            warm(lang)
        else:  # a tiny blank page loads the language models into this worker's engine
            ocr.run_tesseract(np.full((48, 48), 255, np.uint8), lang, ocr.READ_CONFIG, 60, "")
    except Exception:  # warming is an optimisation; the real call reports any error
        return


def _worker_main(conn: Connection, options: ScanOptions, work: Work) -> None:
    """A worker process: set its own environment, warm the engine, then serve tasks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides how to stop
    os.setpgrp()  # so a hung worker can be killed together with its OCR helper process
    os.environ["OMP_THREAD_LIMIT"] = "1"  # this worker's environment only
    if (options.jobs or default_jobs()) > 1:
        import cv2

        cv2.setNumThreads(1)  # the other workers already use the other cores
    _warm_engine(options.lang)
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
        kind, payload = _run_task(work, task, options, tick)
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
    ready: bool = False  # the worker has warmed its engine and waits for tasks


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
        self.context.set_forkserver_preload(
            ["cardscan.pipeline", "cardscan.imaging", "cardscan.ocr", "cardscan.parse"])
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
                for worker in self.workers:
                    if worker.ready and worker.task is None and pending:
                        worker.task = pending.popleft()
                        worker.deadline = self._deadline()
                        worker.conn.send(worker.task)
                yield from self._collect()
        finally:
            self.close()

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
                    raise CardscanError("cannot start worker processes "
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


def _run_inline(tasks: Sequence[Task], options: ScanOptions,
                work: Work) -> Iterator[tuple[Task, str, Any]]:
    for task in tasks:
        kind, payload = _run_task(work, task, options)
        yield task, kind, payload


def _dask_task(work: Work, task: Task, options: ScanOptions) -> tuple[str, Any]:
    return _run_task(work, task, options)


def _dask_check(lang: str) -> None:
    from cardscan import ocr

    ocr.probe()
    ocr.check_languages(lang)


def dask_address(executor: str) -> str:
    """'dask://HOST:PORT' -> 'tcp://HOST:PORT'."""
    if not executor.startswith("dask://") or len(executor) <= len("dask://"):
        raise InputError(f"unknown executor {executor!r} (use local or dask://HOST:PORT)")
    return "tcp://" + executor[len("dask://"):]


def _run_dask(tasks: Sequence[Task], options: ScanOptions, work: Work,
              check: bool) -> Iterator[tuple[Task, str, Any]]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        from cardscan.errors import MissingDependencyError

        raise MissingDependencyError(
            "--executor dask:// needs dask.distributed: pip install 'cardscan[dask]'") from exc
    address = dask_address(options.executor)
    try:
        client = Client(address, timeout=30)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        if check:  # Tesseract must exist where the work runs, not here
            client.submit(_dask_check, options.lang, pure=False).result()
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


# ------------------------------------------------------------------ the batch


def _check_dependencies(lang: str) -> None:
    from cardscan import ocr

    ocr.probe()
    ocr.check_languages(lang)


def _plan(paths: Sequence[Path], options: ScanOptions
          ) -> tuple[list[tuple[Path, ...]], list[Failure]]:
    """Discover the photos and group them into tasks (single photos and front/back pairs)."""
    explicit = [(Path(f), Path(b)) for f, b in options.pairs]
    photos, failures = discover(paths)
    in_pairs = {p.absolute() for pair in explicit for p in pair}
    photos = [p for p in photos if p.absolute() not in in_pairs]
    if options.pair_backs:
        pairs, singles = pair_backs(photos)
    else:
        pairs, singles = [], photos
    groups: list[tuple[Path, ...]] = [*explicit, *pairs, *((p,) for p in singles)]
    position = {p.absolute(): i for i, p in enumerate(photos)}
    # Keep discovery order: a pair sits where its front was found.
    groups.sort(key=lambda g: position.get(g[0].absolute(), -1))
    return groups, failures


def scan(paths: Sequence[Path], options: ScanOptions, book: Book, *,
         progress: Progress | None = None, work: Work = process_task,
         check_dependencies: bool = True) -> ScanSummary:
    """Scan photos and folders into `book`; return every card of the batch and every failure."""
    from cardscan.progress import NullProgress

    progress = progress or NullProgress()
    started = time.monotonic()
    local = options.executor in ("local", "inline")
    groups, failures = _plan(paths, options)
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
            hashes = tuple(_precheck(p) for p in group)
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
            try:  # MissingDependencyError before any OCR (a resumed batch needs no Tesseract)
                _check_dependencies(options.lang)
            except CardscanError:
                progress.stop()
                raise
        if options.executor == "inline":
            results = _run_inline(tasks, options, work)
        elif options.executor == "local":
            jobs = options.jobs or default_jobs()
            results = LocalPool(min(jobs, len(tasks)), options, work).run(tasks)
        else:
            results = _run_dask(tasks, options, work, check_dependencies)
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
    progress.stop()
    outcomes.sort(key=lambda o: (o.order, o.source.card_index))
    failures.sort(key=lambda f: f.order)
    return ScanSummary(outcomes, failures, photos, time.monotonic() - started)


def _skipped(book: Book, group: tuple[Path, ...], hashes: tuple[str, ...],
             order: int) -> list[CardOutcome]:
    """The cards of a photo scanned before, as the book holds them now."""
    from cardscan.errors import NotFoundError

    outcomes = []
    uids = list(dict.fromkeys(uid for h in hashes for uid in book.uids_for_scan(h)))
    for index, uid in enumerate(uids):
        try:
            contact = book.get_uid(uid)
        except NotFoundError:  # deleted from the book since: still not rescanned
            continue
        source = Source(file=group[0].name, path=str(group[0].absolute()), sha256=hashes[0],
                        card_index=index)
        outcomes.append(CardOutcome("skipped", contact, source, contact.uid,
                                    _vcf_path(book, contact.uid), order=order))
    return outcomes


def _vcf_path(book: Book, uid: str) -> Path:
    return Path(book.path).absolute() / f"{uid}.vcf"


def _store(book: Book, task: Task, results: list[CardResult],
           options: ScanOptions) -> list[CardOutcome]:
    """Write a photo's cards to the book, then remember the photo as scanned."""
    outcomes = []
    for result in results:
        contact = result.contact
        if options.annotations:
            contact.annotations = replace(options.annotations,
                                          tags=list(options.annotations.tags))
        added = book.add(contact)
        status = str(getattr(added.status, "value", added.status))
        stored = getattr(added, "contact", None) or contact
        path = getattr(added, "path", None)
        outcomes.append(CardOutcome(
            status, contact, result.source, stored.uid,
            Path(path).absolute() if path else _vcf_path(book, stored.uid),
            result.ocr_text, result.crop_jpeg, result.detected, result.notes, task.order))
    uids = [o.uid for o in outcomes]
    for path, sha in zip(task.paths, task.hashes, strict=True):
        book.mark_scanned(sha, path.name, uids)
    return outcomes


# ------------------------------------------------------------------ output


def contact_fields(contact: Contact) -> dict[str, Any]:
    """The `fields` object of the --json schema (docs/architecture.md)."""
    adr = contact.address
    return {
        "fn": contact.name.plain, "given": contact.name.given, "family": contact.name.family,
        "prefix": contact.name.prefix, "suffix": contact.name.suffix,
        "title": contact.title, "department": contact.department, "org": contact.org,
        "tels": [{"e164": p.number, "type": str(p.type)} for p in contact.phones],
        "emails": [e.address for e in contact.emails],
        "urls": [w.url for w in contact.websites],
        "adr": {"street": adr.street, "city": adr.city, "region": adr.region,
                "postal": adr.postal_code, "country": adr.country},
    }


def contact_confidence(contact: Contact) -> dict[str, Any]:
    confidence: dict[str, Any] = dict(contact.confidence)
    if contact.name and "name" not in confidence:
        confidence["name"] = contact.name.confidence
    confidence["tels"] = [p.confidence for p in contact.phones]
    confidence["emails"] = [e.confidence for e in contact.emails]
    confidence["urls"] = [w.confidence for w in contact.websites]
    return confidence


def outcome_json(card: CardOutcome) -> dict[str, Any]:
    """One card as the --json object."""
    return {
        "source": card.source.file, "path": card.source.path, "card_index": card.source.card_index,
        "status": card.status, "error": None, "uid": card.uid,
        "vcf": str(card.vcf) if card.vcf else None,
        "fields": contact_fields(card.contact), "confidence": contact_confidence(card.contact),
        "ocr_text": card.ocr_text,
    }


def failure_json(failure: Failure) -> dict[str, Any]:
    """One failed photo as the --json object."""
    return {
        "source": failure.path.name, "path": str(failure.path.absolute()), "card_index": 0,
        "status": "failed", "error": failure.reason, "uid": None, "vcf": None,
        "fields": None, "confidence": None, "ocr_text": "",
    }
