"""Ink, letters and turns: the measurements and rotations every stage makes on a card image."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

#: How far (gray levels) below the Otsu split the card's median must be to call it dark.
DARK_MARGIN = 15


def shrink(image: np.ndarray, long_side: int) -> np.ndarray:
    """A copy at most ``long_side`` pixels on its long side (the image itself when smaller)."""
    scale = long_side / max(image.shape[:2])
    if scale >= 1:
        return image
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def thumbnail(image: np.ndarray, long_side: int) -> np.ndarray:
    """A quick copy at most ``long_side`` pixels on its long side, for measuring tones and
    outlines, never for reading: averaged by whole-pixel blocks, then resized bilinearly
    (area averaging by a fractional factor costs ten times as much)."""
    height, width = image.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return image
    block = int(1 / scale)
    if block >= 2:
        image = cv2.resize(image, (width // block, height // block), interpolation=cv2.INTER_AREA)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)


def whiteness(bgr: np.ndarray) -> np.ndarray:
    """The darkest channel of each pixel: white paper is high, any saturated colour is low."""
    blue, green, red = cv2.split(bgr)
    return cv2.min(cv2.min(blue, green), red)


def gray_level(gray: np.ndarray, share: float = 0.5) -> float:
    """The grey level below which ``share`` of an 8-bit image's pixels lie (0.5: the median),
    from its histogram: sorting the pixels costs ten times more."""
    counts = np.cumsum(cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel())
    return float(np.searchsorted(counts, counts[-1] * share))


def is_dark(gray: np.ndarray) -> bool:
    """True for light text on a dark card: most of the card lies clearly on the dark side
    of the Otsu split (the background is the majority class; text is the minority)."""
    small = thumbnail(gray, 700)
    threshold, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return gray_level(small) < threshold - DARK_MARGIN


def ink_mask(gray: np.ndarray, dark: bool | None = None) -> np.ndarray:
    """Text pixels (255) of a card, whatever its background, by local thresholding.

    ``dark``: whether the card is light-on-dark, when the caller already knows it.
    """
    if is_dark(gray) if dark is None else dark:
        gray = 255 - gray
    block = max(15, (min(gray.shape[:2]) // 20) | 1)
    mask = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 block, 12)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def blobs(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The 8-connected blobs of a mask: (count with the background, label map, stats).

    Grana's block-based labelling gives the same labels as OpenCV's default, in a third of
    the time on a card's ink; 16-bit labels halve it again, and a mask with more blobs than
    they can count (a noisy photo) is labelled again with 32-bit ones.
    """
    try:
        count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
            mask, 8, cv2.CV_16U, cv2.CCL_GRANA)
    except cv2.error:  # over 65535 blobs
        count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
            mask, 8, cv2.CV_32S, cv2.CCL_GRANA)
    return count, labels, stats


def without_blobs(mask: np.ndarray, doomed: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The mask without the blobs ``doomed`` picks from their stats (a boolean per blob row of
    ``blobs``' stats, the background's row ignored)."""
    _, labels, stats = blobs(mask)
    drop = np.asarray(doomed(stats), bool)
    drop[0] = False
    return np.where(drop[labels], 0, mask).astype(np.uint8) if drop.any() else mask


def letter_height(mask: np.ndarray) -> float:
    """Median height of letter-sized ink blobs (0 when there are none)."""
    count, _, stats = blobs(mask)
    if count <= 1:
        return 0.0
    h, w = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    limit = mask.shape[0] * 0.25
    letters = h[(h >= 4) & (h < limit) & (w < h * 3) & (w >= 1)]
    return float(np.median(letters)) if letters.size >= 5 else 0.0


def line_blobs(mask: np.ndarray, height: float) -> list[tuple]:
    """Letters smeared sideways into text-line blobs: (minAreaRect, area) of long ones."""
    reach = max(3, int(height * 1.2))
    smeared = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8))
    smeared = cv2.morphologyEx(smeared, cv2.MORPH_OPEN, np.ones((max(2, int(height * 0.3)), 1),
                                                                np.uint8))
    contours, _ = cv2.findContours(smeared, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    blobs = []
    for contour in contours:
        _, _, w, h = cv2.boundingRect(contour)
        rect = cv2.minAreaRect(contour)
        thickness = min(rect[1])
        # thinner than letters: a printed rule or the card's own edge, not a line of text
        if w >= 3 * max(h, 1) and h <= height * 3 and w >= 2 * height and thickness >= 0.6 * height:
            blobs.append((rect, w * h))
    return blobs


#: A blob up to this many times as wide as tall may be letters run together (a word).
MERGED_LETTERS = 15


def uncovered_rows(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], letter: float,
                   least: int = 4) -> list[tuple[int, int, int, int, float]]:
    """Rows of letter-sized ink that no box (left, top, width, height) covers, most letters
    first: (left, top, right, bottom, letter height) of each.

    ``letter`` is the height of the page's word boxes. A row is ``least`` or more letters in
    blobs 0.45-4 ``letter`` tall (small letters without ascenders stand about half a word box),
    side by side on one baseline with gaps under 1.5 letters, mostly outside the boxes and clear
    of the image's edges (a desk's texture at a photo's border lines up too). On a blurred or
    low-resolution card the letters of a word run together: a blob wider than tall counts a
    letter per height of its width.
    """
    mask = ink_mask(gray, dark=False)
    height, width = mask.shape
    covered = np.zeros_like(mask)
    for left, top, w, h in boxes:
        pad = max(2, h // 4)
        covered[max(0, top - pad):top + h + pad, max(0, left - pad):left + w + pad] = 255
    count, _, stats = blobs(mask)
    if count <= 1 or letter <= 0:
        return []
    x, y, w, h, area = (stats[1:, i].astype(np.int64) for i in range(5))
    free = covered[np.clip(y + h // 2, 0, height - 1), np.clip(x + w // 2, 0, width - 1)] == 0
    letters = np.nonzero(free & (h >= 0.45 * letter) & (h <= 4 * letter) & (w <= MERGED_LETTERS * h)
                         & (w >= 2) & (area >= 0.15 * w * h))[0]
    counted = np.maximum(1, w // np.maximum(1, h))  # letters in a blob
    letters = letters[np.argsort(x[letters])]
    parent = {int(i): int(i) for i in letters}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = [int(i) for i in letters]
    for k, i in enumerate(order):
        for j in order[k + 1:]:
            if x[j] > x[i] + w[i] + 1.5 * max(h[i], h[j]):
                break
            if max(h[i], h[j]) <= 1.5 * min(h[i], h[j]) \
                    and abs(y[i] + h[i] - y[j] - h[j]) <= 0.25 * max(h[i], h[j]):  # one baseline
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in order:
        groups.setdefault(root(i), []).append(i)
    rows = []
    for members in groups.values():
        m = np.array(members)
        left, top = int(x[m].min()), int(y[m].min())
        right, bottom = int((x[m] + w[m]).max()), int((y[m] + h[m]).max())
        tall = float(np.median(h[m]))
        inside = np.count_nonzero(covered[top:bottom, left:right])
        count = int(counted[m].sum())
        if (count >= least and right - left >= 3 * tall and left > 2 and top > 2
                and right < width - 2 and bottom < height - 2
                and inside <= 0.3 * (right - left) * (bottom - top)):
            rows.append((count, (left, top, right, bottom, tall)))
    return [row for _, row in sorted(rows, key=lambda r: -r[0])]


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value below which half of the total weight lies."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def rotate_quarter(image: np.ndarray, degrees_cw: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, codes[degrees_cw]) if degrees_cw % 360 else image


def rotate_small(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by a small angle (degrees, cv2 convention) keeping the size, edges replicated."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


