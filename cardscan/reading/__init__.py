"""The reading path: a photo file -> the contacts on it, in the order a photo travels.

    load.py      path -> Photo              safe decoding, EXIF hint, sha256
    detect.py    Photo -> list[CardCrop]    card outlines warped flat, else the whole photo
    orient.py    CardCrop -> CardCrop       upright by the geometry of the text
    enhance.py   CardCrop -> CardImage      polarity, paper, rules, columns, letter size
    strategy.py  CardImage -> OcrPage       every "read it again?" decision, with thresholds
    (parse)      OcrPage -> Contact

``read_photo`` is the entry point; the OCR engine is passed in (``cardscan.tesseract``), so
tests read through a fake engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from cardscan.errors import InputError, NoCardError
from cardscan.models import CardResult, ReadOptions, Source, utc_now
from cardscan.reading.timers import Timers
from cardscan.tesseract import OcrEngine, default_engine

#: Longest side of the crop kept for the report and the vCard PHOTO.
CROP_MAX_SIDE = 600
CROP_JPEG_QUALITY = 80

__all__ = ["CardResult", "ReadOptions", "encode_crop", "read_photo"]


def read_photo(path: Path, options: ReadOptions, on_card: Callable[[], None] | None = None,
               engine: OcrEngine | None = None) -> list[CardResult]:
    """Read every card of one photo: load -> detect -> orient -> enhance -> OCR -> parse.

    Raises a CardscanError naming the file when the photo gives no card.
    """
    from cardscan import parse, qr
    from cardscan.reading import detect, enhance, load, strategy

    timers = Timers()
    engine = strategy.ReadOnce(timers.engine(engine or default_engine()))
    path = Path(path)
    with timers.stage("decode"):
        photo = load.load(path)
    with timers.stage("detect"):
        crops = detect.find_cards(photo)
    cards = [enhance.card_image(crop, photo.exif_rotation, timers) for crop in crops]
    started, ocr_before = time.perf_counter(), timers.seconds.get("ocr", 0.0)
    reads = strategy.read_photo_cards(photo, cards, engine, options, on_card)
    # the strategy's own image work (turns, the other polarity, the whole photo), OCR apart
    timers.add("strategy", time.perf_counter() - started
               - (timers.seconds.get("ocr", 0.0) - ocr_before))
    sha256 = photo.sha256
    del photo, cards, crops  # the full-size pixels are no longer needed: keep the worker's memory low
    parse_started = time.perf_counter()
    scanned_at = utc_now()
    results: list[CardResult] = []
    any_text = False
    for card, page in reads:
        text = page.text
        any_text = any_text or bool(text.strip())
        contact = parse.contact_from(page, options.region)
        if card.qr_codes:  # a vCard's fields win over OCR's; a URL is the website or a profile
            findings = qr.contact_from_qr([code.payload for code in card.qr_codes], options.region)
            contact = qr.merge_qr(contact, findings)
        if contact.is_empty():
            continue
        source = Source(file=path.name, path=str(path.absolute()), sha256=sha256,
                        scanned_at=scanned_at, card_index=len(results))
        contact.sources = [source]
        crop = encode_crop(card.crop) if options.keep_crops or options.photo else None
        if options.photo:
            contact.photo_jpeg = crop
        results.append(CardResult(contact, source, text, crop if options.keep_crops else None,
                                  card.detected, list(card.notes)))
    timers.add("parse", time.perf_counter() - parse_started)
    if not results:
        raise NoCardError("no contact details found" if any_text else "no text found", path)
    figures = timers.as_dict()
    for result in results:
        result.timers = dict(figures)  # the photo's figures, on each of its cards
    return results


def installed_languages() -> list[str]:
    """Tesseract's languages here; none when it cannot be probed (a fake engine in tests)."""
    from cardscan.errors import MissingDependencyError
    from cardscan.tesseract import probe

    try:
        return probe().languages
    except MissingDependencyError:
        return []


def encode_crop(image: object, max_side: int = CROP_MAX_SIDE) -> bytes:
    """A small JPEG of a card crop (for the report and the vCard PHOTO)."""
    import cv2
    import numpy as np

    pixels = np.asarray(image)
    height, width = pixels.shape[:2]
    scale = max_side / max(height, width)
    if scale < 1:
        pixels = cv2.resize(pixels, (max(1, round(width * scale)), max(1, round(height * scale))),
                            interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, CROP_JPEG_QUALITY])
    if not ok:
        raise InputError("cannot encode the card crop")
    return buffer.tobytes()
