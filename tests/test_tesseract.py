"""The Tesseract seam: TSV, probe, engine choice, the command and the helper process."""

from __future__ import annotations

import shutil
from pathlib import Path

import imagegen
import numpy as np
import pytest

from cardscan import tesseract
from cardscan.errors import MissingDependencyError, OcrError
from cardscan.tesseract import engine, probing

TSV = """level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1050\t600\t-1\t
5\t1\t1\t1\t1\t1\t70\t60\t200\t50\t96.5\tCarmen
5\t1\t1\t1\t1\t2\t280\t60\t150\t50\t95.0\tRuiz
5\t1\t1\t1\t2\t1\t70\t130\t300\t30\t88.0\tDirectora
5\t1\t2\t1\t1\t1\t70\t400\t10\t10\t12.0\t~
5\t1\t2\t1\t1\t2\t90\t400\t250\t28\t91.0\tcarmen@example.es
"""


def test_tsv_rows_become_lines_of_words_and_noise_is_dropped() -> None:
    page = tesseract.page_from_rows(tesseract.parse_tsv(TSV), 1050, 600, "card.jpg")
    assert [line.text for line in page.lines] == ["Carmen Ruiz", "Directora", "carmen@example.es"]
    first = page.lines[0]
    assert first.height == 50 and first.left == 70
    assert first.words[0].confidence == pytest.approx(0.965)


def test_the_engine_turns_tsv_rows_into_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def rows(image, lang, psm, timeout, source):  # type: ignore[no-untyped-def]
        calls.append((image.shape, lang, psm, timeout, source))
        return tesseract.parse_tsv(TSV)

    monkeypatch.setenv(tesseract.ENGINE_ENV, "pytesseract")
    monkeypatch.setattr(engine, "run_command", rows)
    page = tesseract.TesseractEngine().read(np.zeros((600, 1050), np.uint8), "eng", timeout=5,
                                            source="card.jpg")
    assert calls == [((600, 1050), "eng", tesseract.PAGE_PSM, 5, "card.jpg")]
    assert page.text.splitlines()[0] == "Carmen Ruiz"
    assert (page.width, page.height, page.source) == (1050, 600, "card.jpg")


def test_missing_languages_are_named_with_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probing, "probe", lambda: probing.TesseractInfo("5.3.0", ["eng", "osd"]))
    probing.check_languages("eng")
    with pytest.raises(MissingDependencyError, match=r"missing: spa; install") as info:
        probing.check_languages("spa+eng")
    assert "\n" not in str(info.value)


def test_missing_tesseract_is_a_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probing, "tesseract_cmd", lambda: None)
    monkeypatch.setattr(probing, "tesserocr_importable", lambda: False)
    probing.probe.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="install"):
            probing.probe()
    finally:
        probing.probe.cache_clear()


def test_engine_choice_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tesseract.ENGINE_ENV, "pytesseract")
    assert tesseract.engine_name() == "pytesseract"
    assert "pytesseract" in tesseract.describe_engine()
    monkeypatch.setenv(tesseract.ENGINE_ENV, "abbyy")
    with pytest.raises(MissingDependencyError, match="not an OCR engine"):
        tesseract.engine_name()


def test_command_engine_passes_omp_limit_and_kills_on_timeout(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A fake tesseract that records its environment, then hangs."""
    fake = tmp_path / "tesseract"
    record = tmp_path / "env.txt"
    fake.write_text(f"#!/bin/sh\necho \"$OMP_THREAD_LIMIT\" > {record}\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(engine, "tesseract_cmd", lambda: str(fake))
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    with pytest.raises(OcrError, match=r"^photo\.jpg: tesseract timed out after 1 s"):
        engine.run_command(np.zeros((50, 50), np.uint8), "eng", tesseract.PAGE_PSM, 1, "photo.jpg")
    assert record.read_text().strip() == "1"


# ------------------------------------------------------------------ with Tesseract

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract not installed")


@pytest.mark.tesseract
@needs_tesseract
def test_probe_reports_version_and_languages() -> None:
    info = tesseract.probe()
    assert info.version[0].isdigit()
    assert "eng" in info.languages


@pytest.mark.tesseract
@needs_tesseract
def test_helper_timeout_kills_and_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tesseract.ENGINE_ENV, "tesserocr")
    big = np.full((3000, 3000), 255, np.uint8)
    big[::7, :] = 0  # a page of fake lines keeps Tesseract busy for well over 1 ms
    ocr = tesseract.TesseractEngine()
    try:
        with pytest.raises(OcrError, match="timed out"):
            ocr.read(big, "eng", timeout=0.001, source="slow.jpg")
        card = imagegen.render_card(["Peter Wallace"]).image
        assert "Wallace" in ocr.read(card, "eng", timeout=60, source="ok.jpg").text
    finally:
        ocr.stop()
