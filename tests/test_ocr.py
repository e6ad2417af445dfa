"""ocr: the Tesseract seam (fakes, no Tesseract) and end-to-end reads (marked tesseract)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imagegen
import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from cardscan import imaging, ocr
from cardscan.errors import MissingDependencyError, OcrError
from cardscan.models import CardImage, Line, OcrPage, Word

TSV = """level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1050\t600\t-1\t
5\t1\t1\t1\t1\t1\t70\t60\t200\t50\t96.5\tCarmen
5\t1\t1\t1\t1\t2\t280\t60\t150\t50\t95.0\tRuiz
5\t1\t1\t1\t2\t1\t70\t130\t300\t30\t88.0\tDirectora
5\t1\t2\t1\t1\t1\t70\t400\t10\t10\t12.0\t~
5\t1\t2\t1\t1\t2\t90\t400\t250\t28\t91.0\tcarmen@example.es
"""


def accuracy(got: str, truth: str) -> float:
    def norm(text: str) -> str:
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    got, truth = norm(got), norm(truth)
    return max(0.0, 1 - Levenshtein.distance(got, truth) / max(1, len(truth)))


def card_of(pixels: np.ndarray, name: str = "card.jpg") -> CardImage:
    return CardImage(source=Path(name), image=pixels, crop=pixels)


def test_tsv_rows_become_lines_of_words_and_noise_is_dropped() -> None:
    page = ocr.page_from_rows(ocr.parse_tsv(TSV), 1050, 600, "card.jpg")
    assert [line.text for line in page.lines] == ["Carmen Ruiz", "Directora", "carmen@example.es"]
    first = page.lines[0]
    assert first.height == 50 and first.left == 70
    assert first.words[0].confidence == pytest.approx(0.965)


def test_read_goes_through_the_patchable_run_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake(image, lang, config, timeout, source):  # type: ignore[no-untyped-def]
        calls.append((image.shape, lang, config, timeout, source))
        return ocr.parse_tsv(TSV)

    monkeypatch.setattr(ocr, "run_tesseract", fake)
    page = ocr.read(card_of(np.zeros((600, 1050), np.uint8)), lang="eng", timeout=5)
    assert calls == [((600, 1050), "eng", ocr.READ_CONFIG, 5, "card.jpg")]
    assert page.text.splitlines()[0] == "Carmen Ruiz"
    assert (page.width, page.height, page.source) == (1050, 600, "card.jpg")


def test_osd_report_is_parsed() -> None:
    report = ("Page number: 0\nOrientation in degrees: 180\nRotate: 180\n"
              "Orientation confidence: 7.88\nScript: Latin\nScript confidence: 2.1\n")
    assert ocr.parse_osd(report) == {"rotate": 180, "orient_conf": 7.88, "script": "Latin",
                                     "script_conf": 2.1}


def test_missing_languages_are_named_with_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "probe", lambda: ocr.TesseractInfo("5.3.0", ["eng", "osd"]))
    ocr.check_languages("eng")
    with pytest.raises(MissingDependencyError, match=r"missing: spa; install") as info:
        ocr.check_languages("spa+eng")
    assert "\n" not in str(info.value)


def test_missing_tesseract_is_a_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_cmd", lambda: None)
    monkeypatch.setattr(ocr, "_tesserocr_importable", lambda: False)
    ocr.probe.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="install"):
            ocr.probe()
    finally:
        ocr.probe.cache_clear()


def test_engine_choice_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ocr.ENGINE_ENV, "pytesseract")
    assert ocr.engine_name() == "pytesseract"
    assert "pytesseract" in ocr.describe_engine()
    monkeypatch.setenv(ocr.ENGINE_ENV, "abbyy")
    with pytest.raises(MissingDependencyError, match="not an OCR engine"):
        ocr.engine_name()


def test_command_engine_passes_omp_limit_and_kills_on_timeout(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A fake tesseract that records its environment, then hangs."""
    fake = tmp_path / "tesseract"
    record = tmp_path / "env.txt"
    fake.write_text(f"#!/bin/sh\necho \"$OMP_THREAD_LIMIT\" > {record}\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(ocr, "tesseract_cmd", lambda: str(fake))
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    with pytest.raises(OcrError, match=r"^photo\.jpg: tesseract timed out after 1 s"):
        ocr._run_cli(np.zeros((50, 50), np.uint8), "eng", ocr.READ_CONFIG, 1, "photo.jpg")
    assert record.read_text().strip() == "1"


# ------------------------------------------------------------------ with Tesseract

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract not installed")


def scan(pixels: np.ndarray, name: str = "photo.jpg") -> list[tuple[CardImage, str]]:
    photo = imaging.Photo(path=Path(name), pixels=pixels, sha256="")
    return [(card, ocr.read(card, "spa+eng").text) for card in imaging.find_cards(photo)]


@pytest.mark.tesseract
@needs_tesseract
def test_probe_reports_version_and_languages() -> None:
    info = ocr.probe()
    assert info.version[0].isdigit()
    assert "eng" in info.languages


@pytest.mark.tesseract
@needs_tesseract
@pytest.mark.parametrize("engine", ["tesserocr", "pytesseract"])
def test_phone_photo_reads_close_to_the_truth(engine: str, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.setenv(ocr.ENGINE_ENV, engine)
    pixels, card = imagegen.single_card_photo(0, angle=9, tilt=0.1)
    [(found, text)] = scan(pixels)
    assert found.detected
    assert accuracy(text, card.text) > 0.95
    page = ocr.read(found)
    tallest = max(page.lines, key=lambda line: line.height)
    assert "Carmen" in tallest.text  # the name is printed biggest


@pytest.mark.tesseract
@needs_tesseract
def test_dark_card() -> None:
    pixels, card = imagegen.single_card_photo(1, dark=True, angle=-6, seed=1)
    [(found, text)] = scan(pixels)
    assert any("inverted" in note for note in found.notes)
    assert accuracy(text, card.text) > 0.95


@pytest.mark.tesseract
@needs_tesseract
def test_card_upside_down() -> None:
    pixels, card = imagegen.single_card_photo(2, upside_down=True, angle=-7, seed=2)
    [(found, text)] = scan(pixels)
    assert found.rotation == 180
    assert accuracy(text, card.text) > 0.95


@pytest.mark.tesseract
@needs_tesseract
def test_two_cards_in_one_photo() -> None:
    pixels, cards = imagegen.two_card_photo()
    results = scan(pixels)
    assert len(results) == 2
    for (_, text), card in zip(results, cards, strict=True):
        assert accuracy(text, card.text) > 0.95


@pytest.mark.tesseract
@needs_tesseract
def test_helper_timeout_kills_and_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ocr.ENGINE_ENV, "tesserocr")
    big = np.full((3000, 3000), 255, np.uint8)
    big[::7, :] = 0  # a page of fake lines keeps Tesseract busy for well over 1 ms
    with pytest.raises(OcrError, match="timed out"):
        ocr.run_tesseract(big, "eng", ocr.READ_CONFIG, timeout=0.001, source="slow.jpg")
    card = imagegen.render_card(["Peter Wallace"]).image
    rows = ocr.run_tesseract(card, "eng", ocr.READ_CONFIG, timeout=60, source="ok.jpg")
    assert "Wallace" in ocr.page_from_rows(rows).text


@pytest.mark.tesseract
@needs_tesseract
def test_cardscan_beats_plain_tesseract_on_a_photo(tmp_path: Path) -> None:
    """The reason the imaging stage exists: whole-photo OCR loses a tilted card's text."""
    pixels, card = imagegen.single_card_photo(3, angle=-15, tilt=0.15, seed=5, long_side=700)
    path = imagegen.save(tmp_path / "photo.jpg", pixels)
    plain = subprocess.run(["tesseract", str(path), "-", "-l", "spa+eng"], capture_output=True,
                           text=True, env={**ocr._child_env()}, timeout=120).stdout
    [(_, text)] = scan(pixels)
    assert accuracy(text, card.text) > accuracy(plain, card.text) + 0.1


def _line(text: str, top: int, confidence: float = 0.9, left: int = 10) -> Line:
    words, x = [], left
    for token in text.split():
        words.append(Word(token, confidence, x, top, 12 * len(token), 20))
        x += 12 * len(token) + 10
    return Line(words)


def test_merge_pages_adds_what_the_other_polarity_read_elsewhere() -> None:
    """A white-on-colour band read only in the inverted image completes the normal read."""
    base = OcrPage([_line("RESTAURANTE", 100), _line("Segunda a Sábado", 140)], 600, 900)
    inverted = OcrPage([_line("RESTAURANTE", 100, 0.5),           # same place: already read
                        _line("Av. Cangaíba, 2341", 700),         # the band: new
                        _line("(11) 2642-5294", 740),
                        _line("x~ ;", 800),                       # noise: too little text
                        _line("blurry guess", 840, 0.4)], 600, 900)  # not confident enough
    merged = ocr.merge_pages(base, inverted)
    assert [line.text for line in merged.lines] == [
        "RESTAURANTE", "Segunda a Sábado", "Av. Cangaíba, 2341", "(11) 2642-5294"]


def test_merge_pages_across_different_layouts_compares_text_and_appends_below() -> None:
    base = OcrPage([_line("Ana Gil", 50), _line("ana@gil.es", 90)], 600, 400)
    other = OcrPage([_line("ana@gil.es", 10), _line("Tel 612 345 678", 30)], 400, 600)
    merged = ocr.merge_pages(base, other)
    assert [line.text for line in merged.lines] == ["Ana Gil", "ana@gil.es", "Tel 612 345 678"]
    assert merged.lines[-1].top >= base.height


def test_weak_lines_are_read_again_alone_and_kept_when_more_confident(monkeypatch) -> None:
    image = np.full((200, 600), 255, np.uint8)
    page = OcrPage([_line("Ana Gil", 20), _line("Email: alph i het.fr", 80, 0.6)], 600, 200)
    page.lines[1].words[0].confidence = 0.93
    calls = []

    def fake_run(strip, lang, config, timeout=60, source=""):
        calls.append((strip.shape, config))
        return [{"level": 5, "page_num": 1, "block_num": 1, "par_num": 1, "line_num": 1,
                 "word_num": i + 1, "left": 10 + 200 * i, "top": 8, "width": 180, "height": 30,
                 "conf": 95.0, "text": text}
                for i, text in enumerate(["Email:", "alphonse.martineau@blanchet.fr"])]

    monkeypatch.setattr(ocr, "run_tesseract", fake_run)
    again = ocr.reread_weak_lines(image, page, "spa+eng")
    assert len(calls) == 1 and calls[0][1] == ocr.LINE_CONFIG  # only the weak line
    assert again.lines[0] is page.lines[0]
    assert again.lines[1].text == "Email: alphonse.martineau@blanchet.fr"
    assert 60 <= again.lines[1].top <= 90  # back in the card's coordinates
