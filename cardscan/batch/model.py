"""The values a batch scan passes around: options, tasks, outcomes, failures, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cardscan.config import DEFAULT_LANG, DEFAULT_REGION
from cardscan.errors import ExitCode
from cardscan.models import Annotations, Contact, ReadOptions, ScanStatus, Source

#: Seconds a worker may stay silent beyond the OCR timeout before it is killed.
WORKER_GRACE = 30.0


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

    @property
    def reading(self) -> ReadOptions:
        """The part of the options the reading path needs."""
        return ReadOptions(region=self.region, lang=self.lang, timeout=self.timeout,
                           keep_crops=self.keep_crops, photo=self.photo)


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
class CardOutcome:
    """One card of the batch after the parent stored it (or found it already stored)."""

    status: ScanStatus
    contact: Contact  # as read from the card (or as stored, for skipped photos)
    source: Source
    uid: str
    vcf: Path | None = None
    ocr_text: str = ""
    crop_jpeg: bytes | None = None
    detected: bool = True
    notes: list[str] = field(default_factory=list)
    order: int = 0
    timers: dict[str, float] | None = None  # seconds per stage of its photo (reading/timers.py)


@dataclass
class Failure:
    """A photo that gave no card, and why (one line)."""

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

    def count(self, status: ScanStatus) -> int:
        return sum(1 for card in self.cards if card.status == status)

    @property
    def exit_code(self) -> ExitCode:
        if not self.failures:
            return ExitCode.OK if self.photos else ExitCode.ALL_FAILED
        return ExitCode.SOME_FAILED if self.cards else ExitCode.ALL_FAILED

    def line(self) -> str:
        return (f"{self.count(ScanStatus.ADDED)} written, {self.count(ScanStatus.MERGED)} merged, "
                f"{self.count(ScanStatus.UNCHANGED)} unchanged, "
                f"{self.count(ScanStatus.SKIPPED)} skipped, "
                f"{len(self.failures)} failed, {self.photos} photos in {self.seconds:.1f} s")
