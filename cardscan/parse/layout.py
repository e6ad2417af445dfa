"""Turn OCR lines into segments: pieces of text with their size, position and confidence."""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field

from cardscan.models import Line, OcrPage, Word
from cardscan.parse.lexicon import join_split_words

# Characters that logos and icons turn into (phone/mail glyphs, bullets, frames).
# ('#01-1574' keeps its '#': a unit's number, as Singapore prints it)
_STRAY = re.compile(r"^(?:(?!#\d)[^\w@+(\[{'\"’¿¡])+|[^\w).\]}'\"’/]+$")
# A zero read for an O in a word of letters: '0fficer', 'F0ne:', 'M0b', '0ficina' (not '10am',
# 'web0.com').
_ZERO_FOR_O = re.compile(
    r"(?<![\w@.\-/])(?:([A-Za-z])0(?=[a-z]+[:.,]?(?:\s|$))|0(?=[a-z]{2,}[:.,]?(?:\s|$)))")
# A line that opens on an '&' before a word ('& Marketing' below 'Director of Sales'), which
# ``clean`` trims as it trims icons
_OPENS_ON = re.compile(r"^\s*&\s*[^\W\d_]")
# A bar read for an l inside a word ('Ce|l', 'Mobi|e'): a bar between words stands apart, or
# before a capital ('Tel|Fax').
_BAR_FOR_L = re.compile(r"(?<=[A-Za-z])\|(?=[a-z])|(?<=[a-z])\|(?=[.:])")  # (and 'Ce|.')
# A line that ends on a dash, an '&' or a comma ('Vice President, Strategic Accounts –',
# 'Senior Vice President,')
_RUNS_ON = re.compile(r"\w\s*([-–—&,])\s*$")
# captured: a piece printed after a '|' remembers it
# ('4865 l Buenos Aires': a bar read as a lone l, which no language writes as a word)
_SEPARATORS = re.compile(r"(\s*(?:\||•|·|●|▪|■|◆|♦|¦|\s{3,}|\t)\s*|\s+l\s+)")


@dataclass
class Segment:
    """A piece of one OCR line (lines are split where the words leave a wide gap or at a bullet)."""

    text: str
    line_index: int
    height: float  # letter height in pixels (font size)
    top: int
    left: int
    confidence: float  # mean OCR confidence of its words, 0..1
    used: bool = False  # claimed by an email, phone, url or address
    rest: str = ""  # the text left after contact details were cut out
    tags: set[str] = field(default_factory=set)
    after_bar: bool = False  # printed after a '|' on its line (an address keeps the bar)
    runs_on: str = ""  # the dash, '&' or comma it ends on, trimmed from ``text``: continued below
    opens_on: str = ""  # the '&' it opens on, trimmed from ``text``: it continues the line above

    def __post_init__(self) -> None:
        if not self.rest:
            self.rest = self.text


def clean(text: str) -> str:
    """Trim stray logo characters and normalise spaces."""
    text = text.replace("\u00a0", " ").replace("’", "'").replace("‘", "'")
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = _ZERO_FOR_O.sub(lambda m: m[1] + "o" if m[1] else "O", text)
    # a web address broken at a hyphen keeps it: the next line finishes the host
    wrapped = "-" if re.search(r"(?:https?://|www\.)[\w.\-]*\w-$", text, re.I) else ""
    text = _STRAY.sub("", text).strip() + wrapped
    # a lone quote before a line is a speck of dirt or a logo edge, unless the line is quoted
    if text and text[0] in "'\"" and not text.rstrip(" .").endswith(text[0]):
        text = _STRAY.sub("", text[1:].strip()).strip()
    return text


def _runs_on(piece: str, text: str) -> str:
    end = _RUNS_ON.search(piece)
    return end.group(1) if end and not text.endswith(end.group(1)) else ""


def _split_words(words: list[Word]) -> list[list[Word]]:
    """Split a line's words where the gap is much wider than the letters (two columns run together)."""
    if len(words) < 2:
        return [words]
    heights = sorted(w.height for w in words)
    letter = max(1, heights[len(heights) // 2])
    groups = [[words[0]]]
    for prev, word in itertools.pairwise(words):
        gap = word.left - (prev.left + prev.width)
        if gap > 3.0 * letter:
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups


def segments_from_page(page: OcrPage) -> list[Segment]:
    """Segments in reading order, split at wide gaps and at separators such as `|` or `•`."""
    out: list[Segment] = []
    for index, line in enumerate(page.lines):
        for group in _split_words(line.words):
            sub = Line(group)
            # (a word broken before an 'l' is joined before the 'l' can pass for a bar)
            pieces = _SEPARATORS.split(join_split_words(_BAR_FOR_L.sub("l", sub.text)))
            for separator, piece in zip(["", *pieces[1::2]], pieces[::2], strict=True):
                text = clean(piece)
                if text:
                    out.append(Segment(text, index, float(sub.height), sub.top, sub.left, sub.confidence,
                                       after_bar=separator.strip() in ("|", "l"),
                                       runs_on=_runs_on(piece, text),
                                       opens_on="&" if _OPENS_ON.match(piece) else ""))
    return out


def median_height(segments: list[Segment]) -> float:
    heights = [s.height for s in segments if s.height > 0]
    return statistics.median(heights) if heights else 1.0
