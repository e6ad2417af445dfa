"""The committed samples and their ground truth are consistent; the generator is deterministic."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic"}
SCALARS = ("fn", "prefix", "title", "department", "org", "text", "country", "lang")
ADR_KEYS = {"street", "city", "postal", "region", "country"}


def sample_images() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def load_generator() -> ModuleType:
    """samples/generate.py as a module (it is a script, not part of the package)."""
    name = "cardscan_samples_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SAMPLES / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def check_card_truth(card: dict, where: str) -> None:
    for key in SCALARS:
        assert isinstance(card.get(key), str), f"{where}: {key} must be a string"
    assert card["fn"] and card["text"], f"{where}: a card has a name and printed text"
    assert card["lang"] in ("es", "en"), where
    assert set(card["adr"]) == ADR_KEYS, f"{where}: adr keys"
    assert card["tels"] or card["emails"], f"{where}: a card has a phone or an email"
    text = card["text"]
    for tel in card["tels"]:
        assert tel["type"] in ("cell", "work", "fax", "voice"), where
        number = phonenumbers.parse(tel["e164"])
        assert phonenumbers.is_valid_number(number), f"{where}: {tel['e164']} is not valid"
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == \
            tel["e164"], f"{where}: {tel['e164']} is not E.164"
        assert tel["printed"] in text, f"{where}: printed phone {tel['printed']!r} not in text"
    for email in card["emails"]:
        assert email in text and email == email.lower() and "@" in email, where
    for url in card["urls"]:
        assert url in text, f"{where}: url {url!r} not printed"
    for line_value in (card["org"], card["title"], card["department"]):
        assert line_value in text, f"{where}: {line_value!r} not printed"
    assert card["fn"].casefold() in text.casefold(), f"{where}: name not printed"
    for key in ("street", "city", "postal"):
        assert card["adr"][key] in text, f"{where}: adr.{key} not printed"


def test_samples_cover_what_the_issue_asks_for() -> None:
    images = sample_images()
    assert 10 <= len(images) <= 16
    docs = [json.loads(p.with_suffix(".json").read_text(encoding="utf-8")) for p in images]
    kinds = {d["kind"] for d in docs}
    assert kinds == {"flat", "photo"}
    photos = [d for d in docs if d["kind"] == "photo"]
    assert any(d["photo"]["rotation"] in (90, 180, 270) for d in photos)
    assert any(d["photo"].get("blur") for d in photos)
    assert any(d["photo"].get("uneven_light") for d in photos)
    assert any(abs(d["photo"].get("skew", 0)) >= 5 for d in photos)
    assert any(d["cards"] == 2 for d in photos)
    cards = [c for d in docs for c in (d.get("truths") or [d])]
    assert any(c["dark"] for c in cards)
    assert {"es", "en"} <= {c["lang"] for c in cards}
    assert {"ES", "MX", "US", "GB"} <= {c["country"] for c in cards}
    printed = [t["printed"] for c in cards for t in c["tels"]]
    assert any(p.startswith("+") for p in printed) and any(not p.startswith("+") for p in printed)


@pytest.mark.parametrize("image", sample_images(), ids=lambda p: p.name)
def test_every_sample_has_a_consistent_truth(image: Path) -> None:
    truth_path = image.with_suffix(".json")
    assert truth_path.is_file(), f"{image.name} has no ground truth"
    assert image.stat().st_size < 400_000, f"{image.name} is too big to commit"
    doc = json.loads(truth_path.read_text(encoding="utf-8"))
    assert doc["kind"] in ("flat", "photo")
    assert doc["file"] == image.name
    with Image.open(image) as img:
        img.verify()
    cards = doc.get("truths") or [doc]
    assert doc["cards"] == len(cards)
    for i, card in enumerate(cards):
        check_card_truth(card, f"{image.name}[{i}]")


def test_every_truth_file_has_an_image() -> None:
    for truth in SAMPLES.glob("*.json"):
        assert any(truth.with_suffix(s).is_file() for s in IMAGE_SUFFIXES), truth.name


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    generate = load_generator()
    first = generate.generate(tmp_path / "a", 2, 11, "both")
    generate.generate(tmp_path / "b", 2, 11, "both")
    assert len(first) == 4  # 2 flat + 2 photo
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert a == b and len(a) == 8
    generate.generate(tmp_path / "c", 2, 12, "both")
    assert digest(tmp_path / "c") != a, "another seed must give other cards"
    for image in first:
        doc = json.loads(image.with_suffix(".json").read_text(encoding="utf-8"))
        for i, card in enumerate(doc.get("truths") or [doc]):
            check_card_truth(card, f"{image.name}[{i}]")


def test_generated_phones_are_valid_for_their_country() -> None:
    generate = load_generator()
    import random

    rng = random.Random(3)
    for code, country in generate.COUNTRIES.items():
        for kind in ("cell", "work", "fax"):
            number = generate.make_phone(rng, country, kind)
            assert phonenumbers.is_valid_number(number)
            assert phonenumbers.region_code_for_number(number) == code
