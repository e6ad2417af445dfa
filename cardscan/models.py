"""Typed values that flow between the stages.

photo path -> Photo -> CardCrop -> CardImage -> OcrPage -> Contact -> store/vcard
(reading/load, reading/detect + orient, reading/enhance, reading/strategy, parse)

Every stage takes the previous stage's value and returns its own; nothing here
does I/O, so each stage can be tested with a small hand-made value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # numpy is heavy to import for modules that only parse text
    import numpy as np

#: Fields whose confidence is below this are flagged for review in the prompt
#: and in the HTML report.
LOW_CONFIDENCE = 0.6


# ---------------------------------------------------------------- reading: photo to card image


@dataclass
class Photo:
    """A photo loaded safely from disk."""

    path: Path
    pixels: np.ndarray  # BGR, uint8, already turned upright by the EXIF hint
    sha256: str
    exif_rotation: int = 0  # degrees clockwise the EXIF tag asked for (a hint only)
    #: ``pixels`` over the file's own size (below 1 when decoded reduced: a 12 MP photo at half)
    reduced: float = 1.0


@dataclass
class QrCode:
    """A QR code found on a card: what it says and where (corners in the image's pixels)."""

    payload: str
    corners: np.ndarray  # 4x2 float32: top-left, top-right, bottom-right, bottom-left


@dataclass
class CardCrop:
    """One card found in a photo: its colour pixels, rectified (and, once oriented, upright)."""

    source: Path
    pixels: np.ndarray  # BGR, uint8
    index: int = 0  # position of the card in its photo (several cards per photo)
    detected: bool = True  # False when no card outline was found and the whole photo is used
    rotation: int = 0  # degrees clockwise applied to make the card upright
    notes: list[str] = field(default_factory=list)  # what was done to it, for the report
    qr_codes: list[QrCode] = field(default_factory=list)  # found on the upright card
    dark: bool | None = None  # light text on a dark card (None: not measured yet)


@dataclass
class CardImage:
    """One card ready for OCR: the enhanced image and the colour crop it came from."""

    source: Path
    image: np.ndarray  # the image handed to Tesseract (gray or binarised)
    crop: np.ndarray  # colour crop of the card, upright (kept as the contact's PHOTO)
    index: int = 0  # position of the card in its photo (several cards per photo)
    detected: bool = True  # False when no card outline was found and the whole photo is used
    rotation: int = 0  # degrees clockwise applied to make the card upright
    inverted: bool = False  # the image was inverted: read as light text on a dark card
    notes: list[str] = field(default_factory=list)  # what the reading did, for the report
    qr_codes: list[QrCode] = field(default_factory=list)  # painted out of ``image``


# ---------------------------------------------------------------- ocr


@dataclass
class Word:
    text: str
    confidence: float  # 0..1, from Tesseract
    left: int
    top: int
    width: int
    height: int


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def confidence(self) -> float:
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)

    @property
    def height(self) -> int:
        """Typical letter height of the line (median word box height)."""
        heights = sorted(w.height for w in self.words)
        return heights[len(heights) // 2] if heights else 0

    @property
    def left(self) -> int:
        return min((w.left for w in self.words), default=0)

    @property
    def top(self) -> int:
        return min((w.top for w in self.words), default=0)


@dataclass
class OcrPage:
    """What Tesseract read on one card, in reading order."""

    lines: list[Line]
    width: int = 0
    height: int = 0
    source: str = ""  # photo file name, for messages
    lang: str = ""  # the languages it was read with, when not the scan's own (por+eng)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @classmethod
    def from_text(cls, text: str, source: str = "") -> OcrPage:
        """A page from plain text (tests, pasted text): uniform size, full confidence."""
        lines = []
        for row, raw in enumerate(text.splitlines()):
            words = [
                Word(tok, 1.0, left=col * 10, top=row * 40, width=10 * len(tok), height=20)
                for col, tok in enumerate(raw.split())
            ]
            if words:
                lines.append(Line(words))
        return cls(lines=lines, width=1000, height=40 * max(1, len(lines)), source=source)


class ReadQuality(NamedTuple):
    """How well a page was read: the judge of every "read it again?" decision."""

    confident_chars: int  # letters and digits in confidently read words
    mean_confidence: float  # mean confidence per letter or digit (0..1)


# ---------------------------------------------------------------- contact


class PhoneType(StrEnum):
    CELL = "cell"
    WORK = "work"  # a landline at work (vCard WORK,VOICE)
    FAX = "fax"
    VOICE = "voice"  # a phone whose kind is unknown


@dataclass
class Name:
    given: str = ""
    family: str = ""
    middle: str = ""
    prefix: str = ""  # Dr., Dra., Ing., Mr.
    suffix: str = ""  # PhD, MBA, Jr.
    confidence: float = 1.0
    family_first: bool = False  # printed 'TANAKA Hiroshi': the formatted name keeps that order

    def _in_order(self) -> list[str]:
        if self.family_first:
            return [self.family, self.given, self.middle]
        return [self.given, self.middle, self.family]

    @property
    def plain(self) -> str:
        """The name alone, without honorific or degree (those are in prefix and suffix)."""
        return " ".join(p for p in self._in_order() if p)

    @property
    def full(self) -> str:
        """The formatted name (vCard FN)."""
        parts = [self.prefix, *self._in_order()]
        text = " ".join(p for p in parts if p)
        return f"{text}, {self.suffix}" if self.suffix and text else (text or self.suffix)

    def __bool__(self) -> bool:
        return bool(self.given or self.family)


@dataclass
class Phone:
    number: str  # E.164, e.g. +34912345678
    type: PhoneType = PhoneType.VOICE
    printed: str = ""  # as read on the card
    confidence: float = 1.0


@dataclass
class Email:
    address: str
    confidence: float = 1.0


@dataclass
class Website:
    url: str  # absolute, e.g. https://www.example.com
    kind: str = "website"  # website | linkedin | twitter | instagram | facebook | github | ...
    confidence: float = 1.0


@dataclass
class Address:
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""  # country name as printed or derived
    country_code: str = ""  # ISO 3166-1 alpha-2, when known
    printed: str = ""  # the lines as read
    confidence: float = 1.0

    def __bool__(self) -> bool:
        return any((self.street, self.city, self.region, self.postal_code, self.country))


class HistoryKind(StrEnum):
    """What one dated entry of a contact's history records."""

    GAVE = "gave"  # something given: a report sent, an intro offered, advice
    INTRODUCED = "introduced"  # introduced to another contact (``with_uid``)
    FOLLOWED_UP = "followed_up"  # a follow-up done


@dataclass
class HistoryEntry:
    """One dated thing done for or with a contact (stored as one X-CARDSCAN-HISTORY line)."""

    kind: HistoryKind
    day: date
    text: str = ""  # what was given; why they were introduced
    with_uid: str = ""  # the other contact of an introduction
    with_name: str = ""  # their name when it was recorded (the UID may leave the book)


@dataclass
class Annotations:
    """The relationship: why this card matters. Typed by the user, never overwritten by a scan."""

    met_at: str = ""
    needs: str = ""
    offer: str = ""  # how I can help them
    tags: list[str] = field(default_factory=list)
    follow_up: date | None = None
    follow_up_done: date | None = None
    annotated_at: datetime | None = None  # set when the prompt finished this card
    skipped: bool = False  # the user chose to skip the card in the prompt
    #: keep in touch every ...: an ISO 8601 period ("P6W", "P3M"); "" for no repeat
    every: str = ""
    history: list[HistoryEntry] = field(default_factory=list)  # oldest first

    def __bool__(self) -> bool:
        return bool(self.met_at or self.needs or self.offer or self.tags or self.follow_up)


@dataclass
class Source:
    """Where a contact came from."""

    file: str  # the photo's file name
    path: str = ""  # absolute path of the photo when scanned (to reopen it)
    sha256: str = ""
    scanned_at: datetime | None = None
    card_index: int = 0


def new_uid() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Contact:
    """A person (or a company) read from a card, with the relationship around it."""

    name: Name = field(default_factory=Name)
    title: str = ""
    department: str = ""
    org: str = ""
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    websites: list[Website] = field(default_factory=list)
    address: Address = field(default_factory=Address)
    note: str = ""  # free text the user typed (not the annotations)
    annotations: Annotations = field(default_factory=Annotations)
    sources: list[Source] = field(default_factory=list)
    #: confidence 0..1 of the scalar fields: "name", "title", "department", "org", "address"
    confidence: dict[str, float] = field(default_factory=dict)
    #: field names the user typed or corrected; scans never overwrite them
    user_edited: set[str] = field(default_factory=set)
    photo_jpeg: bytes | None = None  # the card crop, when the user opted in
    uid: str = field(default_factory=new_uid)
    rev: datetime = field(default_factory=utc_now)
    #: the card as the book holds it, and where ("file.vcf", or "file.vcf#1" for the second
    #: card of a file): the book writes back into this text, changing only what cardscan owns
    vcard_text: str = field(default="", compare=False, repr=False)
    book_ref: str = field(default="", compare=False, repr=False)
    #: the card's own country as the parser judged it from its evidence (not stored)
    country: str = field(default="", compare=False, repr=False)
    #: the user's own card (`cardscan me`): kept in the book, left out of the network
    is_me: bool = False

    @property
    def display_name(self) -> str:
        """What to call this contact in lists: the name, else the company, else an email."""
        if self.name:
            return self.name.full
        if self.org:
            return self.org
        if self.emails:
            return self.emails[0].address
        if self.phones:
            return self.phones[0].number
        return "(unnamed)"

    def low_confidence_fields(self) -> list[str]:
        """Names of the fields the prompt should ask the user to check."""
        low = [k for k, v in self.confidence.items() if v < LOW_CONFIDENCE]
        low += [f"phone:{p.number}" for p in self.phones if p.confidence < LOW_CONFIDENCE]
        low += [f"email:{e.address}" for e in self.emails if e.confidence < LOW_CONFIDENCE]
        low += [f"url:{w.url}" for w in self.websites if w.confidence < LOW_CONFIDENCE]
        return low

    def is_empty(self) -> bool:
        """True when nothing usable was read (no name, org, phone, email or website)."""
        return not (self.name or self.org or self.phones or self.emails or self.websites)


# ---------------------------------------------------------------- reading and storing


class ScanStatus(StrEnum):
    """What became of a card of a batch."""

    ADDED = "added"  # a new contact
    MERGED = "merged"  # into a contact already in the book
    UNCHANGED = "unchanged"  # the book already held all of it
    SKIPPED = "skipped"  # the photo was scanned before (resume)



@dataclass(frozen=True)
class ReadOptions:
    """What reading a photo needs to know; picklable (sent to every worker)."""

    region: str = "ES"  # country for numbers printed without a country code
    lang: str = "spa+eng"  # Tesseract languages
    timeout: float = 60.0  # seconds per Tesseract call
    keep_crops: bool = False  # encode each card's crop (for the report or --photo)
    photo: bool = False  # store the crop as the contact's PHOTO


@dataclass
class CardResult:
    """What reading one card gave (small: no full-size pixels, so workers send it cheaply)."""

    contact: Contact
    source: Source
    ocr_text: str = ""
    crop_jpeg: bytes | None = None
    detected: bool = True
    notes: list[str] = field(default_factory=list)
    #: seconds per stage of the photo the card is on (``reading/timers.py``), when timed
    timers: dict[str, float] | None = None
