"""Tesseract's TSV output (``image_to_data``) -> rows -> an ``OcrPage`` of lines of words."""

from __future__ import annotations

from typing import Any

from cardscan.models import Line, OcrPage, Word

TSV_INT_FIELDS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
                  "left", "top", "width", "height")
#: Row level of a word in Tesseract's TSV.
WORD_LEVEL = 5


def parse_tsv(tsv: str) -> list[dict[str, Any]]:
    """Rows of Tesseract's TSV output, header optional, as dicts."""
    rows = []
    for raw in tsv.splitlines():
        parts = raw.split("\t")
        if len(parts) < 12 or parts[0] == "level":
            continue
        try:
            row: dict[str, Any] = {k: int(v) for k, v in zip(TSV_INT_FIELDS, parts, strict=False)}
            row["conf"] = float(parts[10])
        except ValueError:
            continue
        row["text"] = "\t".join(parts[11:])
        rows.append(row)
    return rows


def _keep(text: str, conf: float) -> bool:
    """Drop Tesseract's noise: empty words and low-confidence specks with no letter or digit."""
    if not text.strip() or conf < 0:
        return False
    return conf >= 30 or any(ch.isalnum() for ch in text)


def page_from_rows(rows: list[dict[str, Any]], width: int = 0, height: int = 0,
                   source: str = "") -> OcrPage:
    """Group TSV rows into lines of words, in Tesseract's reading order."""
    lines: dict[tuple[int, int, int, int], list[Word]] = {}
    for row in rows:
        if row.get("level") != WORD_LEVEL:
            continue
        text, conf = str(row.get("text", "")).strip(), float(row.get("conf", -1))
        if not _keep(text, conf):
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(
            Word(text=text, confidence=max(0.0, min(1.0, conf / 100)), left=row["left"],
                 top=row["top"], width=row["width"], height=row["height"])
        )
    return OcrPage(lines=[Line(words) for words in lines.values() if words], width=width,
                   height=height, source=source)
