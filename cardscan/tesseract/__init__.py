"""The Tesseract seam: the only package that runs Tesseract.

probing.py which Tesseract is installed, its languages, install hints, which engine runs
engine.py  the ``OcrEngine`` protocol and ``TesseractEngine``: libtesseract kept loaded in a
           helper process (killed at a deadline), with the ``tesseract`` command as fallback
tsv.py     Tesseract's TSV rows -> ``OcrPage``

The reading path receives an engine and calls ``engine.read(image, lang, psm, timeout,
source)``; tests hand it a fake that implements the same protocol.
"""

from cardscan.tesseract.engine import (
    BLOCK_PSM,
    CHILD_ENV,
    DPI,
    LINE_PSM,
    PAGE_PSM,
    OcrEngine,
    TesseractEngine,
    default_engine,
)
from cardscan.tesseract.probing import (
    ENGINE_ENV,
    ENGINES,
    TesseractInfo,
    check_languages,
    describe_engine,
    engine_name,
    install_hint,
    probe,
    tessdata_dir,
    tesseract_cmd,
)
from cardscan.tesseract.tsv import page_from_rows, parse_tsv

__all__ = [
    "BLOCK_PSM", "CHILD_ENV", "DPI", "ENGINES", "ENGINE_ENV", "LINE_PSM", "PAGE_PSM", "OcrEngine",
    "TesseractEngine", "TesseractInfo", "check_languages", "default_engine", "describe_engine",
    "engine_name", "install_hint", "page_from_rows", "parse_tsv", "probe", "tessdata_dir",
    "tesseract_cmd",
]
