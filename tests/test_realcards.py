"""End to end on real phone photos of printed cards (../shared/realcards, when present).

The photos are what users feed cardscan: perspective, glare, a card running off the frame,
a logo panel with its own outline. Each test checks the fields a user would look at first.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import pytest

from cardscan.models import CardResult, ReadOptions
from cardscan.reading import read_photo

REALCARDS = Path(__file__).resolve().parents[2] / "shared" / "realcards"

pytestmark = [
    pytest.mark.tesseract,
    pytest.mark.skipif(not (REALCARDS / "truth.jsonl").is_file(), reason="../shared/realcards absent"),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract"),
]


def truth(name_end: str) -> tuple[Path, dict]:
    for line in (REALCARDS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["file"].endswith(name_end):
            return REALCARDS / record["file"], record
    pytest.skip(f"{name_end} is not among the real cards")


def scan(path: Path) -> list[CardResult]:
    return read_photo(path, ReadOptions(region="ES"))


def test_uk_card_with_labelled_international_numbers() -> None:
    path, expected = truth("business-card-english.jpg")
    [card] = scan(path)
    contact = card.contact
    assert contact.name.plain == expected["fn"]
    assert [e.address for e in contact.emails] == expected["emails"]
    typed = {(t["e164"], t["type"]) for t in expected["tels"]}  # mob/tel/fax
    assert {(p.number, str(p.type)) for p in contact.phones} == typed


def test_card_whose_logo_panel_has_an_outline_of_its_own() -> None:
    """The dark logo panel looks like a card; the whole card must still be read."""
    path, expected = truth("806625591_155637.jpg")
    [card] = scan(path)
    assert [e.address for e in card.contact.emails] == expected["emails"]
    assert {p.number for p in card.contact.phones} == {t["e164"] for t in expected["tels"]}
    assert card.contact.name.plain == expected["fn"]


def test_card_running_off_the_frame_at_an_angle() -> None:
    """No outline to find: the photo is straightened by the card's visible edges."""
    path, expected = truth("business_card.jpg")
    [card] = scan(path)
    assert card.contact.name.plain == expected["fn"]
    assert [e.address for e in card.contact.emails] == expected["emails"]


def test_card_whose_edge_fades_into_the_table_in_places_is_outlined() -> None:
    """A cream card on a light grey desk: its outline is broken where the two tones meet."""
    from cardscan.reading import detect, ink, load

    path, expected = truth("806010510_264886.jpg")
    assert expected["org"].startswith("Eletr")
    small = ink.thumbnail(load.load(path).pixels, detect.DETECT_LONG_SIDE)
    [quad] = detect.detect_quads(small)
    share = cv2.contourArea(quad) / small[..., 0].size
    assert 0.2 < share < 0.3  # the card, not its picture or the desk
    [card] = scan(path)
    assert card.contact.org.startswith("Eletr") and "ADACHI" in card.contact.org
