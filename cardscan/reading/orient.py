"""Stage 3: a card crop -> the same crop upright, decided by the geometry of its text.

Text lines give the axis (a sideways card needs a quarter turn) and a small skew; the
ascender/descender asymmetry of Latin text tells upright from upside down. These checks are
cheap and can be fooled by pictures and logos: the reading strategy has the last word, by
reading the card turned when its text reads poorly (``reading/strategy.py``). The EXIF tag is
only a hint: the pixels come turned by it, and the text confirms or overrules it.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from cardscan.models import CardCrop
from cardscan.reading.ink import (
    ink_mask,
    is_dark,
    letter_height,
    line_blobs,
    rotate_quarter,
    rotate_small,
    shrink,
    weighted_median,
    without_blobs,
)

#: Largest text-line tilt (degrees) corrected by the deskew (a photo shot at an angle with
#: no card outline found can tilt the text well beyond what a flatbed scan does).
MAX_SKEW = 20.0
#: The ascender check turns a card only when its score is at least this far below zero: a score
#: near zero is a coin toss (capitals, a rule under a line, a logo), and a card left upside down
#: reads doubtfully, so the reading strategy tries it turned first. Measured on the real and
#: generated cards: the wrong half turns scored -0.05 and -0.04, the right ones -0.2 and below.
UPSIDE_DOWN_MARGIN = 0.1


def upright(crop: CardCrop, exif_rotation: int = 0) -> CardCrop:
    """Turn a card upright: text-line axis, small deskew, then 0/180 by the ascender check."""
    pixels = crop.pixels
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    dark = is_dark(gray) if crop.dark is None else crop.dark  # turning does not change it
    mask = ink_mask(gray, dark)
    rotation = 90 if is_sideways(mask) else 0
    if rotation:
        pixels, gray = rotate_quarter(pixels, rotation), rotate_quarter(gray, rotation)
        mask = ink_mask(gray, dark)
    angle = skew_angle(mask)
    if angle:
        pixels, gray = rotate_small(pixels, angle), rotate_small(gray, angle)
        mask = ink_mask(gray, dark)
    if upside_down_score(mask) < -UPSIDE_DOWN_MARGIN:
        pixels = rotate_quarter(pixels, 180)
        rotation = (rotation + 180) % 360
    notes = list(crop.notes)
    if rotation:
        notes.append(f"turned {rotation} degrees (ascenders)")
    if angle:
        notes.append(f"deskewed {angle:.1f} degrees")
    if exif_rotation and rotation:
        notes.append(f"EXIF asked for {exif_rotation} degrees; the text disagreed")
    return replace(crop, pixels=pixels, rotation=(crop.rotation + rotation) % 360, notes=notes,
                   dark=dark)


def text_axis_score(mask: np.ndarray) -> float:
    """How much of the ink forms horizontal text lines (share of ink in long thin blobs)."""
    height = letter_height(mask)
    if not height:
        return 0.0
    ink = float(np.count_nonzero(mask)) or 1.0
    return sum(area for _, area in line_blobs(mask, height)) / ink


def is_sideways(mask: np.ndarray) -> bool:
    """True when text lines run vertically (the card needs a 90-degree turn).

    Ink that spans a quarter of the card or more is no text line, either way up: a printed rule,
    the dark band of a shadow or of the table left inside the outline along an edge.
    """
    small = without_long_ink(shrink(mask, 700))
    return text_axis_score(small.T.copy()) > 1.3 * text_axis_score(small) + 0.05


def without_long_ink(mask: np.ndarray, share: float = 0.25) -> np.ndarray:
    """The mask without its blobs as wide or as tall as ``share`` of it."""
    height, width = mask.shape
    return without_blobs(mask, lambda stats: (stats[:, cv2.CC_STAT_WIDTH] >= share * width)
                         | (stats[:, cv2.CC_STAT_HEIGHT] >= share * height))


def skew_angle(mask: np.ndarray) -> float:
    """Small rotation (degrees, counter-clockwise positive for cv2) of the text lines."""
    small = shrink(mask, 900)
    height = letter_height(small)
    if not height:
        return 0.0
    angles, weights = [], []
    for (_, (w, h), angle), area in line_blobs(small, height):
        if w < h:
            angle -= 90
        angle = (angle + 45) % 90 - 45
        angles.append(angle)
        weights.append(area)
    if len(angles) < 2:
        return 0.0
    median = weighted_median(np.asarray(angles), np.asarray(weights))
    return median if 0.3 <= abs(median) <= MAX_SKEW else 0.0


def upside_down_score(mask: np.ndarray) -> float:
    """Ascender/descender asymmetry of the text lines: > 0 upright, < 0 upside down.

    Latin text has more ink above the x-height band (capitals, b d f h k l t) than below the
    baseline (g j p q y); turned 180 degrees, the excess moves below.
    """
    small = shrink(mask, 1100)
    height = letter_height(small)
    if not height:
        return 0.0
    score = 0.0
    for (center, (w, h), _angle), _ in line_blobs(small, height):
        if w < h:
            w, h = h, w
        x, y = int(center[0] - w / 2), int(center[1] - h / 2)
        band = small[max(0, y):y + int(h) + 1, max(0, x):x + int(w) + 1]
        if band.shape[0] < 6:
            continue
        rows = band.sum(axis=1).astype(np.float64)
        if rows.sum() == 0:
            continue
        core = rows >= 0.5 * rows.max()
        idx = np.flatnonzero(core)
        top, bottom = idx[0], idx[-1]
        above, below = rows[:top].sum(), rows[bottom + 1:].sum()
        score += (above - below) / rows.sum()
    return score


