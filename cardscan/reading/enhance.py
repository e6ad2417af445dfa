"""Stage 4: an upright ``CardCrop`` -> the ``CardImage`` handed to Tesseract.

Everything is chosen by measuring the card: polarity (light text on a dark card is
inverted), paper whitened by dividing out the illumination, a tone curve that darkens
mid-tone ink, printed rules painted out, side-by-side columns stacked, small letters
upscaled to the size Tesseract reads best.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace

import cv2
import numpy as np

from cardscan.models import CardCrop, CardImage, QrCode
from cardscan.reading.ink import (
    blobs,
    gray_level,
    ink_mask,
    is_dark,
    letter_height,
    rotate_quarter,
    thumbnail,
    whiteness,
)
from cardscan.reading.timers import Timers

#: Letter heights (px) Tesseract reads best; smaller text is upscaled.
MIN_TEXT_HEIGHT = 13
TARGET_TEXT_HEIGHT = 18
#: Share of the short side blanked along a detected card's edge before OCR.
EDGE_BLANK = 0.02
#: Upscaling stops here: OCR time grows with the pixel count.
MAX_UPSCALE = 2.0
MAX_OCR_PIXELS = 2_500_000
#: Notes that describe one enhancement, replaced when the card is enhanced again.
_ENHANCE_NOTES = ("inverted", "illumination", "upscaled", "removed")


def card_image(crop: CardCrop, exif_rotation: int = 0, timers: Timers | None = None
               ) -> CardImage:
    """A detected crop the way OCR gets it: upright, its QR codes read, enhanced (each stage
    timed in ``timers`` when given)."""
    from cardscan.reading.detect import with_qr_codes
    from cardscan.reading.orient import upright

    with timers.stage("orient") if timers else nullcontext():
        crop = upright(crop, exif_rotation)
    with timers.stage("enhance") if timers else nullcontext():
        return prepare(with_qr_codes(crop))


def prepare(crop: CardCrop, invert: bool | None = None) -> CardImage:
    """The card enhanced for OCR; ``invert`` forces the polarity (None: measure it).

    QR codes are painted out first: their modules break the lines beside them and pass for
    text; what they say is read from the code itself.
    """
    pixels = mask_qr_codes(crop.pixels, crop.qr_codes)
    if invert is not None:
        inverted = invert
    elif crop.dark is not None and not crop.qr_codes:  # a painted-out code can change it
        inverted = crop.dark
    else:
        inverted = is_dark(cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY))
    image, notes = enhance(pixels, outlined=crop.detected, invert=inverted)
    return CardImage(source=crop.source, image=image, crop=crop.pixels, index=crop.index,
                     detected=crop.detected, rotation=crop.rotation, inverted=inverted,
                     notes=[*crop.notes, *notes], qr_codes=list(crop.qr_codes))


def mask_qr_codes(pixels: np.ndarray, codes: Sequence[QrCode]) -> np.ndarray:
    """A copy with each QR code (and its quiet zone) painted the colour of the paper around it."""
    if not codes:
        return pixels
    out = pixels.copy()
    for code in codes:
        center = code.corners.mean(axis=0)
        quiet = center + (code.corners - center) * QR_MASK_GROWTH  # the white margin around it
        polygon = np.rint(quiet).astype(np.int32)
        x, y, w, h = cv2.boundingRect(polygon)
        ring = out[max(0, y - 4):y + h + 4, max(0, x - 4):x + w + 4].reshape(-1, out.shape[-1])
        paper = np.percentile(ring, 90, axis=0) if ring.size else 255
        cv2.fillConvexPoly(out, polygon, tuple(int(v) for v in np.atleast_1d(paper)))
    return out


#: A QR code is masked this much larger than its finder corners (its quiet zone).
QR_MASK_GROWTH = 1.25


def other_polarity(card: CardImage) -> CardImage:
    """The card enhanced as if its text were the other way round (light on dark or dark on light).

    Mid-tone cards (orange, grey, a photo behind the text) can fool :func:`is_dark`.
    """
    pixels = mask_qr_codes(card.crop, card.qr_codes)
    image, notes = enhance(pixels, outlined=card.detected, invert=not card.inverted)
    kept = [n for n in card.notes if not n.startswith(_ENHANCE_NOTES) and "text columns" not in n]
    return replace(card, image=image, inverted=not card.inverted,
                   notes=[*kept, *notes, "polarity chosen by the text"])


def turned(card: CardImage, degrees_cw: int, why: str = "the text read better that way"
           ) -> CardImage:
    """The same card turned by a quarter-turn multiple (a second opinion on its orientation)."""
    note = f"turned {degrees_cw} degrees more: {why}"
    height, width = card.crop.shape[:2]
    codes = [replace(code, corners=turn_points(code.corners, width, height, degrees_cw))
             for code in card.qr_codes]
    return replace(card, image=rotate_quarter(card.image, degrees_cw),
                   crop=rotate_quarter(card.crop, degrees_cw), qr_codes=codes,
                   rotation=(card.rotation + degrees_cw) % 360, notes=[*card.notes, note])


def turn_points(points: np.ndarray, width: int, height: int, degrees_cw: int) -> np.ndarray:
    """Points of a width x height image, where they land when it is turned by quarter turns."""
    x, y = points[:, 0], points[:, 1]
    turns = {0: (x, y), 90: (height - 1 - y, x), 180: (width - 1 - x, height - 1 - y),
             270: (y, width - 1 - x)}
    new_x, new_y = turns[degrees_cw % 360]
    return np.stack([new_x, new_y], axis=1).astype(np.float32)


INK_GAMMA = 1.5
_INK_GAMMA = (255 * (np.arange(256) / 255.0) ** INK_GAMMA).astype(np.uint8)


def enhance(crop: np.ndarray, outlined: bool = True, invert: bool | None = None
            ) -> tuple[np.ndarray, list[str]]:
    """The gray image handed to Tesseract, and what was done to it (chosen by measuring).

    ``outlined``: the crop is a detected card, whose outermost edge may hold a sliver of
    table; it is blanked so Tesseract does not read the card's edge as ``|`` or ``I``.
    """
    notes: list[str] = []
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    inverted = is_dark(gray) if invert is None else invert
    if inverted:
        gray = 255 - gray
        notes.append("inverted light-on-dark card")
    gray, panels = invert_light_text_panels(gray)
    if not panels and not inverted and crop.ndim == 3:
        # whiteness (the darkest channel) tells beige letters from the orange band they sit
        # on, which grey levels cannot when the two are about as bright
        gray, panels = invert_light_text_panels(gray, whiteness(crop), max_area=BAND_MAX_AREA)
    if panels:
        notes.append(f"inverted {panels} panel{'s' if panels > 1 else ''} of light text")
    if outlined:
        edge = max(2, int(EDGE_BLANK * min(gray.shape[:2])))
        paper = int(gray_level(gray))
        gray = gray.copy()
        gray[:edge], gray[-edge:], gray[:, :edge], gray[:, -edge:] = paper, paper, paper, paper
    # illumination: divide by the background (text removed by a closing), so the paper is
    # white everywhere; the tone curve below relies on it (it would darken grey paper)
    small = thumbnail(gray, 400)
    kernel = max(9, (min(small.shape) // 12) | 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((kernel, kernel), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), kernel / 2)
    low, high = np.percentile(background, [5, 95])
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]),
                            interpolation=cv2.INTER_LINEAR)
    gray = cv2.divide(gray, np.maximum(background, 1), scale=255)
    if high - low > 25 or high < 200:
        notes.append(f"illumination corrected (background {low:.0f}..{high:.0f})")
    # Darken mid-tones (light grey or coloured text) while the paper stays white.
    gray = cv2.LUT(gray, _INK_GAMMA)
    height = letter_height(ink_mask(gray, dark=False))  # the ink is dark by now
    # small letters are enlarged first: rules and column gaps are told from strokes and word
    # spaces by their size, which a few pixels cannot show
    if height and height < MIN_TEXT_HEIGHT:
        pixel_room = np.sqrt(MAX_OCR_PIXELS / (gray.shape[0] * gray.shape[1]))
        factor = min(MAX_UPSCALE, TARGET_TEXT_HEIGHT / height, pixel_room)
    else:
        factor = 1.0
    if factor > 1.05:
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        notes.append(f"upscaled x{factor:.1f} (letters {height:.0f} px)")
        height *= factor
    gray, removed, separators = remove_rules(gray, height)
    if removed:
        notes.append(f"removed {removed} printed rule{'s' if removed > 1 else ''}")
    gray, columns = stack_columns(gray, height, separators)
    if columns > 1:
        notes.append(f"{columns} text columns stacked one under the other")
    return gray, notes


def invert_light_text_panels(gray: np.ndarray, tone: np.ndarray | None = None,
                             max_area: float = 1.0) -> tuple[np.ndarray, int]:
    """Turn the panels and bands printed darker than the paper that carry light text into
    dark text on white, each by its own tones.

    Polarity is decided per region, not per card: the company in white on a coloured band,
    contact lines in white on a grey panel, a URL in a black pill. A panel is a region whose
    local background (a median over about a twelfth of the card) is PANEL_CONTRAST darker
    than the paper; its text is light when clearly more of its pixels stand out brighter than
    that background than darker. ``tone`` is the image panels are judged and mapped on (the
    grey levels by default); a panel covers at most ``max_area`` of the card. Returns the image
    and how many panels were turned.
    """
    tone = gray if tone is None else tone
    small = thumbnail(tone, PANEL_LONG_SIDE)
    window = max(15, (min(small.shape) // 12) | 1)
    background = cv2.medianBlur(small, window)
    paper = gray_level(background, 0.95)
    darker = (background < paper - PANEL_CONTRAST).astype(np.uint8)
    # big light letters can outweigh the panel under the median: close those holes
    darker = cv2.morphologyEx(darker, cv2.MORPH_CLOSE, np.ones((2 * window, 2 * window), np.uint8))
    darker = cv2.morphologyEx(darker, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(darker, connectivity=4)
    difference = small.astype(np.int16) - background.astype(np.int16)
    full_labels = None
    local: np.ndarray | None = None
    smooth: np.ndarray | None = None
    out = gray
    turned = 0
    for label in range(1, count):
        area = stats[label, cv2.CC_STAT_AREA]
        if not PANEL_MIN_AREA * small.size <= area <= max_area * small.size:
            continue
        region = labels == label
        brighter = difference[region] > PANEL_INK_STEP
        darker_ink = int(np.count_nonzero(difference[region] < -PANEL_INK_STEP))
        light_ink = int(np.count_nonzero(brighter))
        if light_ink < PANEL_MIN_INK * area or light_ink <= PANEL_LIGHT_RATIO * darker_ink:
            continue
        if full_labels is None:
            full_labels = cv2.resize(labels.astype(np.int32), (gray.shape[1], gray.shape[0]),
                                     interpolation=cv2.INTER_NEAREST)
            out = gray.copy()
        mask = full_labels == label
        # map the panel's own background (under the light letters: an opening removes them)
        # to white and its light ink to black
        ink = float(np.median(small[region][brighter]))
        if local is None:
            local = _panel_background(small, window, gray.shape)
        if smooth is None:  # a panel's print is often a halftone: its dots are not ink
            smooth = cv2.GaussianBlur(tone, (0, 0), PANEL_SMOOTHING)
        values = smooth[mask].astype(np.float32)
        # the panel's own background levels: a neighbouring band bleeds into the estimate
        low, high = np.percentile(background[region], [2, 98])
        span = np.maximum(ink - np.clip(local[mask], low, high), PANEL_INK_STEP)
        # steep around the midpoint: the panel's print texture goes white, not grey speckle
        position = (ink - values) / span  # 0 at the ink, 1 at the background
        out[mask] = np.clip((position - 0.5) * PANEL_STEEPNESS * 255 + 128, 0, 255
                            ).astype(np.uint8)
        turned += 1
    return out, turned


def _panel_background(small: np.ndarray, window: int, shape: tuple[int, ...]) -> np.ndarray:
    """The background under light text, at full size (float32)."""
    opened = cv2.morphologyEx(small, cv2.MORPH_OPEN, np.ones((window // 2 | 1,) * 2, np.uint8))
    opened = cv2.GaussianBlur(opened, (0, 0), window / 8)
    return cv2.resize(opened, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR).astype(np.float32)


#: Panels are looked for on a copy this big on the long side.
PANEL_LONG_SIDE = 800
#: How much darker (gray levels) than the paper a panel's background is.
PANEL_CONTRAST = 45
#: A panel covers at least this share of the card.
PANEL_MIN_AREA = 0.01
#: A band found by its colour (not its grey level) covers at most this share of the card: a
#: whole coloured card with dark print is no band.
BAND_MAX_AREA = 0.5
#: A pixel this much brighter (or darker) than its background is ink.
PANEL_INK_STEP = 35
#: A panel of light text has at least this share of light ink pixels...
PANEL_MIN_INK = 0.01
#: ... and this many times more light ink than dark ink.
PANEL_LIGHT_RATIO = 2.0
#: Blur (sigma, px) of a panel before its tones are mapped.
PANEL_SMOOTHING = 1.5
#: Contrast gain of a turned panel around the midpoint between its background and its ink.
PANEL_STEEPNESS = 2.5


def remove_rules(gray: np.ndarray, letter: float) -> tuple[np.ndarray, int, list[int]]:
    """Paint out long printed rules (dark on light): the image, how many, and where the
    vertical ones stood (x), which separate columns of text.

    A vertical rule between two columns makes Tesseract read both columns as one line with
    a ``|`` in the middle; a horizontal one under a name is read as a row of dashes. A rule
    is a straight run of ink much longer than any letter stroke.
    """
    if not letter:
        return gray, 0, []
    h, w = gray.shape[:2]
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                max(15, (min(h, w) // 20) | 1), 15)
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                np.ones((max(int(RULE_LETTERS * letter), h // 5), 1), np.uint8))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                  np.ones((1, max(int(RULE_LETTERS * letter), w // 6)), np.uint8))
    reach = max(3, int(letter))
    rules = np.zeros_like(ink)
    columns: list[int] = []
    count = 0
    for found, is_vertical in ((vertical, True), (horizontal, False)):
        labels, label_map, stats = blobs(found)
        for label in range(1, labels):
            x, y, width, height, _ = stats[label]
            # a rule stands clear of text on both sides; a straight run inside a line of
            # text (serifs along a baseline) has letters right beside it
            if is_vertical:
                sides = (ink[y:y + height, max(0, x - reach):x],
                         ink[y:y + height, x + width:x + width + reach])
            else:
                sides = (ink[max(0, y - reach):y, x:x + width],
                         ink[y + height:y + height + reach, x:x + width])
            if any(side.size and np.count_nonzero(side) > RULE_SIDE_INK * side.size
                   for side in sides):
                continue
            rules[label_map == label] = 255
            count += 1
            if is_vertical:
                columns.append(int(x + width / 2))
    if not count:
        return gray, 0, []
    rules = cv2.dilate(rules, np.ones((5, 5), np.uint8))
    # the paper around each rule: the lightest value nearby (a max filter), which the thin
    # rule itself cannot supply
    paper = cv2.dilate(gray, np.ones((15, 15), np.uint8))
    cleaned = gray.copy()
    cleaned[rules > 0] = paper[rules > 0]
    return cleaned, count, columns


def stack_columns(gray: np.ndarray, letter: float, separators: Sequence[int] = ()
                  ) -> tuple[np.ndarray, int]:
    """Put side-by-side text columns one under the other, returning the image and the count.

    Tesseract reads two columns whose lines sit at the same height as one line ("Ana Gil
    Tel 612..."), which mixes the name with a phone label. A column gap is a vertical band
    with no ink at all across the whole card, at least COLUMN_GAP_LETTERS letters wide (any
    width where a printed rule stood: ``separators``), with text on both sides; no printed
    line crosses it, so cutting there never splits a line.
    """
    if not letter:
        return gray, 1
    h, w = gray.shape[:2]
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                max(15, (min(h, w) // 20) | 1), 15)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    margin = int(0.03 * min(h, w))  # the card's edge is not text
    ink[:margin], ink[-margin:], ink[:, :margin], ink[:, -margin:] = 0, 0, 0, 0
    ink[np.count_nonzero(ink, axis=1) > 0.5 * w] = 0  # rows of a band or a rule's remnant
    columns = (np.count_nonzero(ink, axis=0) > 2).astype(np.uint8)[None, :]
    # a sliver of ink narrower than a quarter letter is a rule's remnant or a speck, not text
    sliver = np.ones((1, max(3, int(letter / 4))), np.uint8)
    columns = cv2.morphologyEx(columns, cv2.MORPH_OPEN, sliver)[0] > 0
    filled = np.flatnonzero(columns)
    if filled.size == 0:
        return gray, 1
    gap = int(COLUMN_GAP_LETTERS * letter)
    cuts, run_start = [], None
    for x in range(filled[0], filled[-1] + 1):
        if not columns[x] and run_start is None:
            run_start = x
        elif columns[x] and run_start is not None:
            if x - run_start >= gap or any(run_start <= s < x for s in separators):
                cuts.append((run_start, x))
            run_start = None
    if not cuts:
        return gray, 1
    edges = [0] + [(a + b) // 2 for a, b in cuts] + [w]
    pieces = [gray[:, left:right] for left, right in itertools.pairwise(edges)]
    # keep only pieces with a fair share of the ink: a stray speck is not a column
    total = float(np.count_nonzero(ink)) or 1.0
    shares = [np.count_nonzero(ink[:, left:right]) / total
              for left, right in itertools.pairwise(edges)]
    if sum(share >= 0.05 for share in shares) < 2:
        return gray, 1
    width = max(piece.shape[1] for piece in pieces)
    paper = int(np.percentile(gray, 75))
    stacked = [cv2.copyMakeBorder(piece, 0, 0, 0, width - piece.shape[1], cv2.BORDER_CONSTANT,
                                  value=paper) for piece in pieces]
    return np.vstack(stacked), len(pieces)


#: A vertical band without ink this many letter heights wide separates two text columns.
COLUMN_GAP_LETTERS = 2.5
#: Most ink (share) a rule may have beside it, within a letter height on either side.
RULE_SIDE_INK = 0.12
#: A straight run of ink at least this many letter heights long is a rule, not a stroke.
RULE_LETTERS = 6
