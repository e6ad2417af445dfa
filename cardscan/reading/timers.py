"""The reading path's own stopwatch: seconds per stage of one photo, and the OCR calls.

``read_photo`` times each stage it runs (decode, detect, orient, enhance, the strategy's own
image work, OCR, parse) and hands the figures on in ``CardResult.timers``; ``scan --json``
prints them and ``scan --profile`` sums them over the batch. Measuring only: nothing here
changes what is read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cardscan.models import OcrPage
from cardscan.tesseract import PAGE_PSM, OcrEngine

if TYPE_CHECKING:
    import numpy as np

#: The stages in the order a photo travels (``ocr_calls`` is a count, every other one seconds).
STAGES = ("decode", "detect", "orient", "enhance", "strategy", "ocr", "ocr_calls", "parse",
          "total")


class Timers:
    """Seconds per stage for one photo (``stage`` adds up when a stage runs more than once)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.ocr_calls = 0
        self._started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def engine(self, engine: OcrEngine) -> OcrEngine:
        """``engine`` with every read counted and timed here."""
        return TimedEngine(engine, self)

    def as_dict(self) -> dict[str, float]:
        """The figures as ``scan --json`` prints them (seconds rounded to the millisecond)."""
        figures = dict(self.seconds)
        figures["ocr_calls"] = self.ocr_calls
        figures["total"] = time.perf_counter() - self._started
        return {name: (round(figures[name], 4) if name != "ocr_calls" else int(figures[name]))
                for name in STAGES if name in figures}


class TimedEngine:
    """An ``OcrEngine`` that counts and times the reads of the engine it wraps."""

    def __init__(self, engine: OcrEngine, timers: Timers) -> None:
        self.inner = engine
        self.timers = timers

    def read(self, image: np.ndarray, lang: str, *, psm: int = PAGE_PSM, timeout: float = 60,
             source: str = "") -> OcrPage:
        self.timers.ocr_calls += 1
        with self.timers.stage("ocr"):
            return self.inner.read(image, lang, psm=psm, timeout=timeout, source=source)

    def warm_up(self, lang: str) -> None:
        self.inner.warm_up(lang)


def add_up(timers: list[Mapping[str, float]]) -> dict[str, float]:
    """Several photos' figures summed (a card's front and back)."""
    total: dict[str, float] = {}
    for figures in timers:
        for name, value in figures.items():
            total[name] = total.get(name, 0) + value
    return {name: (round(value, 4) if isinstance(value, float) else value)
            for name, value in total.items()}


def profile_table(photo_timers: list[Mapping[str, float]]) -> str:
    """The ``scan --profile`` summary: per stage, seconds in all, a photo, and share of the time."""
    photos = len(photo_timers)
    if not photos:
        return "profile: no photo was read in this run"
    total = add_up(photo_timers)
    names = [n for n in STAGES if n in total] + sorted(set(total) - set(STAGES))
    whole = float(total.get("total", 0.0)) or 1.0
    lines = [f"profile: {photos} photo{'s' if photos != 1 else ''} read (seconds in the workers)",
             f"{'stage':<10}{'total s':>9}{'per photo':>11}{'share':>7}"]
    for name in names:
        value = total[name]
        if name == "ocr_calls":
            lines.append(f"{'ocr_calls':<10}{value:>9.0f}{value / photos:>11.2f}{'':>7}")
            continue
        share = "" if name == "total" else f"{100 * value / whole:>6.0f}%"
        lines.append(f"{name:<10}{value:>9.2f}{value / photos:>11.3f}{share:>7}")
    return "\n".join(lines)
