"""Fakes for the two seams tests swap: the OCR engine, and the reading of a whole photo.

``FakeEngine`` implements ``cardscan.tesseract.OcrEngine``: the reading path runs for real on
small images and only Tesseract is replaced. ``text_work`` is a batch ``Work`` whose "photos"
are text files (cards separated by a line "----", each a name line and an e-mail line), so
batch tests need neither images nor Tesseract.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from cardscan.batch import ScanOptions, Task, file_sha256, process_task
from cardscan.errors import InputError, NoCardError
from cardscan.models import CardResult, Contact, Email, Name, OcrPage, ReadOptions, Source
from cardscan.tesseract import PAGE_PSM


class FakeEngine:
    """An OcrEngine whose reading is a function of the image and the page mode."""

    def __init__(self, read: Callable[[np.ndarray, int], OcrPage] | str) -> None:
        self._read = read if callable(read) else (lambda image, psm: OcrPage.from_text(read))
        self.calls: list[tuple[tuple[int, ...], int]] = []

    def read(self, image: np.ndarray, lang: str, *, psm: int = PAGE_PSM, timeout: float = 60,
             source: str = "") -> OcrPage:
        self.calls.append((image.shape, psm))
        page = self._read(image, psm)
        page.source = source
        return page

    def warm_up(self, lang: str) -> None:
        pass


def write_photo(folder: Path, name: str, *cards: str) -> Path:
    """A text "photo" for ``text_work``."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("----\n".join(cards))
    return path


def contact_from_text(text: str) -> Contact:
    """A tiny parser: '@' lines are e-mails ('low' ones read poorly), 'ORG x' a company."""
    contact = Contact()
    for line in text.splitlines():
        if "@" in line:
            contact.emails.append(Email(line, confidence=0.4 if "low" in line else 0.95))
        elif line.startswith("ORG "):
            contact.org = line[4:]
        elif line.strip():
            given, _, family = line.partition(" ")
            contact.name = Name(given, family, confidence=0.9)
    return contact


def read_text_photo(path: Path, options: ReadOptions,
                    on_card: Callable[[], None] | None = None) -> list[CardResult]:
    """``reading.read_photo`` for text "photos"."""
    raw = Path(path).read_bytes()
    if raw.startswith(b"BAD"):
        raise InputError("not an image", path)
    results = []
    for chunk in raw.decode().split("----\n"):
        if on_card:
            on_card()
        contact = contact_from_text(chunk)
        if contact.is_empty():
            continue
        source = Source(path.name, str(path.absolute()), file_sha256(path),
                        card_index=len(results))
        contact.sources = [source]
        results.append(CardResult(contact, source, chunk.strip(), b"\xff\xd8fake"
                                  if options.keep_crops else None))
    if not results:
        raise NoCardError("no text found", path)
    return results


def text_work(task: Task, options: ScanOptions,
              on_card: Callable[[], None] | None = None) -> list[CardResult]:
    """The batch's real ``process_task`` (front/back merge included) over text "photos"."""
    return process_task(task, options, on_card, read=read_text_photo)
