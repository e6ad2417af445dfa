"""samples/generate.py draws each real-card class of issue 13 (fast: no Tesseract)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from test_samples import load_generator

from cardscan.qr import contact_from_qr, decode_qr

ROOT = Path(__file__).resolve().parents[1]


gen = load_generator()  # samples/generate.py, loaded once (see test_samples)


@pytest.fixture(scope="module")
def class_sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Path, dict]]]:
    """Three flat cards of each class (and two photos of low-res ones): class -> [(image, truth)]."""
    out: dict[str, list[tuple[Path, dict]]] = {}
    for name in gen.CLASSES:
        folder = tmp_path_factory.mktemp(name)
        paths = gen.generate(folder, 3, 11, "both" if name == "lowres" else "flat", classes=(name,))
        out[name] = [(p, json.loads(p.with_suffix(".json").read_text(encoding="utf-8")))
                     for p in paths]
    return out


def flats(items: list[tuple[Path, dict]]) -> list[tuple[np.ndarray, dict]]:
    return [(cv2.imread(str(p)), t) for p, t in items if t["kind"] == "flat"]


def luminance(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY).astype(np.float32)


def test_every_card_is_labelled_with_its_class(class_sets: dict) -> None:
    for name, items in class_sets.items():
        assert items, name
        for path, truth in items:
            assert truth["classes"] == [name]
            assert path.name.startswith(f"{name}-")


def test_qr_codes_decode_to_their_payload(class_sets: dict) -> None:
    for name in ("qr_url", "qr_vcard"):
        for path, truth in class_sets[name]:
            if truth["kind"] == "flat":
                assert decode_qr(cv2.imread(str(path))) == [truth["qr"]["payload"]], path.name


def test_vcard_qr_holds_the_cards_fields(class_sets: dict) -> None:
    for pixels, truth in flats(class_sets["qr_vcard"]):
        contact = contact_from_qr(decode_qr(pixels), truth["country"]).contact
        assert contact.name.plain == truth["fn"]
        assert contact.org == truth["org"]
        assert [p.number for p in contact.phones] == [t["e164"] for t in truth["tels"]]
        assert [e.address for e in contact.emails] == truth["emails"]


def test_url_qr_is_in_the_truth_urls(class_sets: dict) -> None:
    for _path, truth in class_sets["qr_url"]:
        payload = truth["qr"]["payload"]
        bare = payload.split("://", 1)[1].removeprefix("www.").rstrip("/")
        assert any(u.removeprefix("https://").removeprefix("www.").rstrip("/") == bare
                   for u in truth["urls"])


def test_low_resolution_scans_are_480_to_650_wide(class_sets: dict) -> None:
    for path, truth in class_sets["lowres"]:
        height, width = cv2.imread(str(path)).shape[:2]
        if truth["kind"] == "flat":
            assert 480 <= width <= 650 and truth["lowres"]["width"] == width
        else:
            assert 470 <= truth["photo"]["lowres"]["card_width"] <= 660
            assert [width, height] == truth["photo"]["lowres"]["size"]


def test_panel_has_light_text_on_a_mid_tone(class_sets: dict) -> None:
    for pixels, truth in flats(class_sets["panel_light"]):
        x0, y0, x1, y1 = truth["panel_light"]["box"]
        region = luminance(pixels[y0:y1, x0:x1])
        background = float(np.median(region))
        assert 70 <= background <= 170, background
        assert (region > 225).mean() > 0.01  # light ink on it
        assert (region < 40).mean() < 0.002  # and no dark text


def test_top_band_holds_the_company_in_light_ink(class_sets: dict) -> None:
    for pixels, truth in flats(class_sets["top_band"]):
        x0, y0, x1, y1 = truth["top_band"]["box"]
        band = luminance(pixels[y0:y1, x0:x1])
        assert (band > 225).mean() > 0.01
        assert truth["text"].splitlines()[0] == truth["org"]


def test_logo_box_is_filled_and_names_the_company(class_sets: dict) -> None:
    for pixels, truth in flats(class_sets["logo_box"]):
        x0, y0, x1, y1 = truth["logo_box"]["box"]
        box = luminance(pixels[y0:y1, x0:x1])
        assert np.median(box) < 150  # a filled, darker block
        assert (box > 225).mean() > 0.01  # with the short name in light ink
        short = truth["logo_box"]["text"]
        assert short and short.upper() == short and short in truth["text"]


def test_picture_looks_like_a_photo(class_sets: dict) -> None:
    for pixels, truth in flats(class_sets["picture"]):
        x0, y0, x1, y1 = truth["picture"]["box"]
        picture = pixels[y0:y1, x0:x1]
        assert picture.shape[0] >= 200 and picture.shape[1] >= 180
        assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 1000  # many colours: noise, shading


def test_intl_cards_use_their_countrys_labels_and_formats(class_sets: dict) -> None:
    countries = {"BR", "DE", "FR", "IT", "CH", "AR", "CO", "CL"}
    for _path, truth in class_sets["intl"]:
        assert truth["country"] in countries
        assert truth["adr"]["street"] and truth["adr"]["street"] in truth["text"]


def test_native_content_for_each_country() -> None:
    import random

    for code in gen.NATIVE_LANG:
        country = gen.COUNTRIES[code]
        lines = set()
        for i in range(40):
            rng = random.Random(f"t/{code}/{i}")
            fake = gen.Faker(country.locale)
            fake.seed_instance(i)
            spec = gen.make_card(rng, fake, country, {"native": True, "address": True})
            lines.update(text for _, text in spec.blocks["contact"] + spec.blocks["address"])
        text = "\n".join(lines)
        expected = {"BR": "CEP", "DE": "Mobil", "CH": "CH-", "FR": "Tél", "IT": "Cell.",
                    "AR": "C1", "CO": " # ", "CL": "Fono"}[code]
        assert expected.lower() in text.lower(), (code, text[:300])


def test_standard_sets_carry_no_class_keys(tmp_path: Path) -> None:
    paths = gen.generate(tmp_path, 2, 7, "flat")
    truth = json.loads(paths[0].with_suffix(".json").read_text(encoding="utf-8"))
    assert "classes" not in truth and "qr" not in truth


def test_class_sets_are_deterministic(tmp_path: Path) -> None:
    digests = []
    for run in ("a", "b"):
        paths = gen.generate(tmp_path / run, 1, 5, "flat", classes=("qr_vcard",))
        digests.append(hashlib.sha256(paths[0].read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_phone_photos_are_12_megapixels_stored_as_phones_store_them(tmp_path: Path) -> None:
    from PIL import Image, ImageOps

    from cardscan.reading.load import load

    orientations = set()
    for path in gen.generate(tmp_path, 2, 2, "photo", classes=("phone12",)):
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        with Image.open(path) as image:
            stored, orientation = image.size, image.getexif().get(0x0112)
            seen = ImageOps.exif_transpose(image).size
        assert sorted(stored) == [3024, 4032]
        assert orientation == truth["photo"]["exif_orientation"]
        orientations.add(orientation)
        assert (seen[1] > seen[0]) == truth["photo"]["portrait"]  # as the phone showed it
        # cardscan decodes it the way up it was taken, reduced to its working size
        height, width = load(path).pixels.shape[:2]
        assert (height > width) == truth["photo"]["portrait"] and max(height, width) < 4032
        assert truth["photo"]["background"] in ("white", "light", "hand")
    assert orientations == {1, 6}  # both ways a phone stores a photo


def test_a_hand_holds_the_card_over_its_margin_only() -> None:
    rng = np.random.default_rng(3)
    frame = np.full((3024, 4032, 3), 60, np.uint8)
    card = np.full((gen.CARD_H, gen.CARD_W, 3), 245, np.uint8)
    matrix = gen.place_card(rng, frame, card, (2016, 1512), 1600, 0, shadow=0.0)
    before = frame.copy()
    gen.draw_hand(np.random.default_rng(1), frame, matrix, (gen.CARD_W, gen.CARD_H))
    changed = np.abs(frame.astype(int) - before.astype(int)).max(axis=2) > 30
    assert changed.mean() > 0.02  # a hand, its palm and its arm
    inverse = np.linalg.inv(matrix)
    ys, xs = np.nonzero(changed[::8, ::8])
    points = cv2.perspectiveTransform(np.float64(np.stack([xs * 8, ys * 8], 1)).reshape(-1, 1, 2),
                                      inverse).reshape(-1, 2)
    on_card = points[(points[:, 0] > 0) & (points[:, 0] < gen.CARD_W)
                     & (points[:, 1] > 0) & (points[:, 1] < gen.CARD_H)]
    assert len(on_card)  # the thumb is over the card...
    inside = np.minimum.reduce([on_card[:, 0], gen.CARD_W - on_card[:, 0],
                                on_card[:, 1], gen.CARD_H - on_card[:, 1]])
    assert inside.max() < 50  # ... but only over its margin, where no text is printed
