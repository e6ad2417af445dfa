"""Stage 2: a ``Photo`` -> the cards in it (``CardCrop``), each warped flat, in reading order.

Outlines come from edge maps and colour segmentation; a quadrilateral counts only if the
colour steps the same way across each of its sides (a card's edge does; the hull of a text
block or a patch of table texture does not), it sits on a smoother surface than print, and
it holds text. Each card is warped flat at about 300 DPI. With no outline the whole photo is
the card, straightened by the long edges visible in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import cv2
import numpy as np

from cardscan.models import CardCrop, Photo
from cardscan.reading.ink import (
    gray_level,
    ink_mask,
    is_dark,
    letter_height,
    rotate_small,
    shrink,
    thumbnail,
    weighted_median,
    without_blobs,
)
from cardscan.reading.load import full_size_region

#: Card images are rendered at about 300 DPI: 1050 px on the long side of an 85 mm card.
CARD_LONG_SIDE = 1050
#: Long/short side ratios of common card formats (EU 85x55, ID-1, JP 91x55, US 3.5x2).
CARD_ASPECTS = (85 / 55, 85.6 / 53.98, 91 / 55, 3.5 / 2)
#: Detection works on a copy this big on the long side.
DETECT_LONG_SIDE = 900
#: Long/short side ratio an outline may have in the photo: business cards are 1.45-1.85, and
#: a photo at an angle foreshortens one side. A QR code, a square logo box or a portrait is not
#: a card, however clean its edges.
CARD_ASPECT_RANGE = (1.25, 2.4)
#: A card must cover at least this share of the photo to count as an outline.
MIN_CARD_AREA = 0.03
#: The whole photo, when used as the card, is read at most this big on its long side.
WHOLE_PHOTO_LONG_SIDE = 2000


def find_cards(photo: Photo) -> list[CardCrop]:
    """Every card outlined in the photo, warped flat, in reading order; never empty.

    When no outline is found the whole photo is the card (``detected=False``).
    """
    pixels = photo.pixels
    scale = min(1.0, DETECT_LONG_SIDE / max(pixels.shape[:2]))
    small = thumbnail(pixels, DETECT_LONG_SIDE)
    cards: list[CardCrop] = []
    for quad in reading_order(detect_quads(small)):
        crop = warp_sharpest(photo, quad / scale)
        gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        dark = is_dark(gray)
        if not letter_height(ink_mask(gray, dark)):
            continue  # a logo box or a picture, not a card: no text inside
        cards.append(CardCrop(photo.path, crop, len(cards), True, notes=["card outline found"],
                              dark=dark))
    return cards or [whole_photo(photo)]


def with_qr_codes(crop: CardCrop) -> CardCrop:
    """The crop with the QR codes printed on it, found and decoded (a few ms; most have none)."""
    from cardscan.qr import find_qr

    codes = find_qr(crop.pixels)
    if not codes:
        return crop
    return replace(crop, qr_codes=codes,
                   notes=[*crop.notes, f"{len(codes)} QR code{'s' if len(codes) > 1 else ''} read"])


def whole_photo(photo: Photo) -> CardCrop:
    """The whole photo as one card (when no outline is found, or as a second opinion); a big
    phone photo is cut to the part with print on it (``busy_part``), from the file at full size.

    The card still lies at an angle: its visible edges (often two of them, in shadow) give
    the angle when its text lines are drowned by the table's texture.
    """
    pixels = shrink(photo.pixels, WHOLE_PHOTO_LONG_SIDE)
    notes = ["no card outline found: the whole photo is used"]
    # only in a big phone photo (decoded reduced): a scan's bare margins are the card's paper
    box = busy_part(photo.pixels) if photo.reduced < 1 else None
    if box is not None:
        left, top, right, bottom = box
        region = full_size_region(photo, box) \
            if max(right - left, bottom - top) < WHOLE_PHOTO_LONG_SIDE else None
        pixels = shrink(region[0] if region is not None else photo.pixels[top:bottom, left:right],
                        WHOLE_PHOTO_LONG_SIDE)
        notes = ["no card outline found: the whole photo is used, cut to the part with print on it"]
    angle = edge_skew(pixels)
    if angle:
        pixels = rotate_small(pixels, angle)
        notes.append(f"straightened {angle:.1f} degrees by the card's edges")
    return CardCrop(photo.path, np.ascontiguousarray(pixels), 0, detected=False, notes=notes)


#: Edge pixels make up at least this share of the window around a pixel of print (the window
#: is BUSY_WINDOW of the photo's long side, on a DETECT_LONG_SIDE copy).
BUSY_EDGES = 0.04
BUSY_WINDOW = 0.03
#: The busy part is cut out with this share of the photo's long side added on each side...
BUSY_MARGIN = 0.06
#: ... and only when that leaves at most this share of the photo.
BUSY_MOST = 0.6


def busy_part(bgr: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the part of a photo with print, edges or things on it,
    with margins (``BUSY_MARGIN``); None when that is most of the photo.

    A white card on a white desk has no outline to find, but its print, its shadow and the
    hand that holds it stand out of the bare desk around it, which is only slower to read.
    """
    small = shrink(bgr, DETECT_LONG_SIDE)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 30, 90)
    window = max(9, int(BUSY_WINDOW * max(gray.shape)) | 1)
    density = cv2.boxFilter((edges > 0).astype(np.float32), -1, (window, window))
    ys, xs = np.nonzero(density > BUSY_EDGES)
    if not len(xs):
        return None
    factor = bgr.shape[1] / small.shape[1]
    pad = BUSY_MARGIN * max(gray.shape)
    left, top = max(0.0, xs.min() - pad) * factor, max(0.0, ys.min() - pad) * factor
    right = min(float(small.shape[1]), xs.max() + pad) * factor
    bottom = min(float(small.shape[0]), ys.max() + pad) * factor
    if (right - left) * (bottom - top) > BUSY_MOST * bgr.shape[0] * bgr.shape[1]:
        return None
    return int(left), int(top), int(np.ceil(right)), int(np.ceil(bottom))


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Four points -> (top-left, top-right, bottom-right, bottom-left)."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates, starting near left
    start = int(np.argmin(pts.sum(axis=1)))  # top-left has the smallest x + y
    return np.roll(pts, -start, axis=0)


def _quad_from_contour(contour: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """The four-corner polygon of a contour's hull, if it has one.

    A card whose corner runs off the photo has a five-sided hull, one side along the frame
    (six with two corners off): a lost corner is where the two sides beside that one meet.
    """
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.045, 0.06):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return _order_corners(approx)
        if len(approx) < 4:
            break
        if len(approx) in (5, 6) and (
                corners := _corners_past_frame(approx.reshape(-1, 2), shape)) is not None:
            return _order_corners(corners)
    # a clipped corner: the minimum-area rectangle, if the hull fills it
    rect = cv2.minAreaRect(hull)
    box_area = rect[1][0] * rect[1][1]
    if box_area > 0 and cv2.contourArea(hull) / box_area > 0.9:
        return _order_corners(cv2.boxPoints(rect))
    return None


def _rounded_quad(contour: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """The corners of a card with rounded corners: its four straight sides are the hull's
    longest, and they meet where the corners would be (cutting the rounded corners with a
    coarser polygon tilts the sides off the card's edges). None unless the quad the sides make
    differs from the hull by a sliver."""
    hull = cv2.convexHull(contour)
    corners = _longest_sides_met(hull, cv2.arcLength(hull, True))
    if corners is None or abs(cv2.contourArea(hull) / max(1.0, cv2.contourArea(corners)) - 1) >= 0.03:
        return None
    return _order_corners(corners)


#: The four longest sides of a rounded card's hull make at least this share of its outline.
ROUNDED_SIDES_SHARE = 0.75


def _longest_sides_met(hull: np.ndarray, perimeter: float) -> np.ndarray | None:
    """The corners where the hull's four longest sides, in their order round it, meet; None
    unless those sides make most of the outline (a rounded rectangle's do, a blob's do not)."""
    polygon = cv2.approxPolyDP(hull, 0.005 * perimeter, True).reshape(-1, 2).astype(np.float64)
    n = len(polygon)
    if n < 5:
        return None
    lengths = np.hypot(*(np.roll(polygon, -1, axis=0) - polygon).T)
    longest = sorted(int(i) for i in np.argsort(lengths)[-4:])
    if lengths[longest].sum() < ROUNDED_SIDES_SHARE * lengths.sum():
        return None
    corners = []
    for a, b in zip(longest, longest[1:] + longest[:1], strict=True):
        corner = _lines_meet(polygon[a], polygon[(a + 1) % n], polygon[b], polygon[(b + 1) % n])
        if corner is None:
            return None
        corners.append(corner)
    return np.array(corners, dtype=np.float32)


def _lines_meet(a1: np.ndarray, a2: np.ndarray, b1: np.ndarray, b2: np.ndarray) -> np.ndarray | None:
    """Where the line through a1, a2 meets the line through b1, b2 (None if parallel)."""
    da, db = a2 - a1, b2 - b1
    denominator = da[0] * db[1] - da[1] * db[0]
    if abs(denominator) < 1e-9:
        return None
    t = ((b1 - a1)[0] * db[1] - (b1 - a1)[1] * db[0]) / denominator
    return a1 + t * da


def _corners_past_frame(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """A five- or six-sided hull's four card corners, each side along an edge of the photo
    replaced by the corner it cut off (where the sides beside it meet, outside the photo)."""
    h, w = shape[:2]
    pts = points.astype(np.float64)
    n = len(pts)

    def edges_of(point: np.ndarray) -> set[str]:
        x, y = point
        return ({"left"} if x <= 1 else set()) | ({"right"} if x >= w - 2 else set()) \
            | ({"top"} if y <= 1 else set()) | ({"bottom"} if y >= h - 2 else set())

    along = [i for i in range(n) if edges_of(pts[i]) & edges_of(pts[(i + 1) % n])]
    if n - len(along) != 4 or any((i + 1) % n in along for i in along):
        return None
    corners = []
    for i in range(n):
        if (i - 1) % n in along:
            continue  # the far end of a side along the frame
        if i not in along:
            corners.append(pts[i])
            continue
        before, first, second, after = (pts[(i + k) % n] for k in (-1, 0, 1, 2))
        corner = _lines_meet(before, first, second, after)
        if corner is None or np.dot(corner - first, first - before) <= 0:
            return None  # the sides meet inside the photo: no corner was cut off
        corners.append(corner)
    return np.array(corners, dtype=np.float32)


def _plausible(quad: np.ndarray, image_area: float) -> bool:
    """A card-like quadrilateral: big enough, not the whole frame, convex, card-shaped."""
    area = cv2.contourArea(quad)
    if not MIN_CARD_AREA * image_area <= area <= 0.97 * image_area:
        return False
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.int32)):
        return False
    sides = [np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]
    if min(sides) < 20:
        return False
    for i in range(4):  # perspective can bend a corner, not fold it
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
        if abs(cos) > 0.6:  # corner angle outside ~53..127 degrees
            return False
    width = (sides[0] + sides[2]) / 2
    height = (sides[1] + sides[3]) / 2
    aspect = max(width, height) / min(width, height)
    return CARD_ASPECT_RANGE[0] <= aspect <= CARD_ASPECT_RANGE[1]


def _edge_masks(gray: np.ndarray) -> list[np.ndarray]:
    """Edge maps at two sensitivities (the second finds faint outlines)."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    median = gray_level(blurred)
    masks = []
    for low_factor in (0.66, 0.25):
        low = max(5, int(low_factor * median))
        high = max(low * 2, int(min(255, 1.33 * median)) if low_factor > 0.5 else low * 3)
        edges = cv2.Canny(blurred, low, high)
        masks.append(cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2))
    return masks


def _segment_masks(bgr: np.ndarray) -> list[np.ndarray]:
    """Card-vs-table masks: colour distance from the border, and brightness (Otsu)."""
    lab = cv2.cvtColor(cv2.GaussianBlur(bgr, (7, 7), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    band = max(4, int(0.03 * min(h, w)))
    border = np.concatenate([lab[:band].reshape(-1, 3), lab[-band:].reshape(-1, 3),
                             lab[:, :band].reshape(-1, 3), lab[:, -band:].reshape(-1, 3)])
    table = np.median(border, axis=0)
    step = lab - table.astype(np.float32)
    distance = np.sqrt(np.einsum("ijk,ijk->ij", step, step))
    distance = cv2.normalize(distance, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    masks = []
    for source in (distance, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)):
        _, mask = cv2.threshold(source, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        if source is not distance and np.mean(mask[:band]) > 127:
            mask = 255 - mask  # the table is the bright side: the card is the dark one
        kernel = np.ones((9, 9), np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        masks.append(mask)
    return masks


def _ring_edge_density(edges: np.ndarray, quad: np.ndarray,
                       others: Sequence[np.ndarray] = ()) -> tuple[float, float]:
    """Share of edge pixels just outside the quad (leaving out other cards), and inside it."""
    h, w = edges.shape
    inside = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    reach = max(3, int(0.04 * np.sqrt(cv2.contourArea(quad))))
    outer = cv2.dilate(inside, np.ones((reach * 2 + 1, reach * 2 + 1), np.uint8))
    gap = max(5, (2 * reach // 3) | 1)  # the card's own edge, a few pixels off the outline
    ring = cv2.subtract(outer, cv2.dilate(inside, np.ones((gap, gap), np.uint8)))
    for other in others:  # a neighbouring card's print is not the table
        cv2.fillConvexPoly(ring, other.astype(np.int32), 0)
        cv2.polylines(ring, [other.astype(np.int32)], True, 0, thickness=2 * reach + 1)
    core = cv2.erode(inside, np.ones((reach * 2 + 1, reach * 2 + 1), np.uint8))
    ring_share = float(np.count_nonzero(edges[ring > 0])) / max(1, np.count_nonzero(ring))
    core_share = float(np.count_nonzero(edges[core > 0])) / max(1, np.count_nonzero(core))
    return ring_share, core_share


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return inter / union if union > 0 else 0.0


def detect_quads(bgr: np.ndarray) -> list[np.ndarray]:
    """Card outlines in a (small) photo, biggest first, not overlapping each other.

    When none is found, the faint edge map is tried again with its gaps closed (a card's edge
    broken where it meets a table of nearly its colour), for one card-sized outline; then the
    masks again with rounded-corner fits. Those come last because a band printed across a
    card steps like an edge, and a rounded fit can stop the card there.
    """
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    lab = cv2.cvtColor(cv2.GaussianBlur(bgr, (9, 9), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
    edge_masks = _edge_masks(gray)
    masks = edge_masks + _segment_masks(bgr)
    found = _outlines(masks, lab, edges)
    if found:
        return found
    closed = cv2.morphologyEx(edge_masks[1], cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    low, high = CLOSED_OUTLINE_SHARE
    found = [quad for quad in _outlines([closed], lab, edges)
             if low <= cv2.contourArea(quad) / gray.size <= high][:1]
    return found or _outlines(masks, lab, edges, fit=_rounded_quad)


#: An outline found only once the edge map's gaps are closed covers this share of the photo:
#: closing also joins a card's coloured panel, or the texture of a table, into card shapes.
CLOSED_OUTLINE_SHARE = (0.1, 0.85)


def _outlines(masks: list[np.ndarray], lab: np.ndarray, edges: np.ndarray,
              fit: Callable[[np.ndarray, tuple[int, ...]], np.ndarray | None] = _quad_from_contour
              ) -> list[np.ndarray]:
    """The card outlines the masks' contours give, each fitted by ``fit`` (see the module's
    docstring for the checks)."""
    area = float(lab.shape[0] * lab.shape[1])
    candidates: list[np.ndarray] = []
    for mask in masks:
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            if cv2.contourArea(cv2.convexHull(contour)) < MIN_CARD_AREA * area:
                continue
            quad = fit(contour, mask.shape)
            if quad is not None and _plausible(quad, area) \
                    and outline_support(lab, quad) >= MIN_OUTLINE_SUPPORT:
                candidates.append(quad)
    kept = _non_overlapping(candidates)
    return [quad for quad in kept
            if _sits_on_a_surface(edges, quad, [other for other in kept if other is not quad])]


#: Share of an outline's length along which the colour steps the same way across it (see
#: outline_support); a card's edge scores near 1, a text block or a patch of texture far less.
MIN_OUTLINE_SUPPORT = 0.7
#: A side is judged in this many stretches, each with its own direction of colour step.
OUTLINE_STRETCHES = 3
#: Smallest colour step (Lab units, 0..255 scale) across an outline that counts as an edge.
MIN_EDGE_STEP = 5.0


def outline_support(lab: np.ndarray, quad: np.ndarray, samples: int = 24) -> float:
    """How much of a quad's outline is a real edge: the weakest side's share of points where
    the colour just inside differs from just outside, the same way as along the rest of the side.

    A card on a table steps consistently from card to table all along each side (even when
    the contrast is low); the hull of a text block crosses paper between letters, and a
    rectangle found in a textured table steps randomly. Points whose outside sample falls
    off the photo, or close to its border, count as supported (a card cut by the frame).
    """
    h, w = lab.shape[:2]
    center = quad.mean(axis=0)
    sides, frame_sides = [], 0
    along_side = np.linspace(0.08, 0.92, samples)[:, None]
    reach = max(3.0, 0.025 * min(np.ptp(quad[:, 0]), np.ptp(quad[:, 1])))
    margin = int(reach)
    for i in range(4):
        a, b = quad[i].astype(np.float64), quad[(i + 1) % 4].astype(np.float64)
        direction = b - a
        normal = np.array([direction[1], -direction[0]]) / (float(np.hypot(*direction)) or 1.0)
        if np.dot(normal, (a + b) / 2 - center) < 0:
            normal = -normal  # point outwards
        points = a + along_side * direction
        inner = np.rint(points - reach * normal).astype(int)
        outer = np.rint(points + reach * normal).astype(int)
        inside_ok = (inner[:, 0] >= 0) & (inner[:, 0] < w) & (inner[:, 1] >= 0) & (inner[:, 1] < h)
        outside_ok = ((outer[:, 0] >= margin) & (outer[:, 0] < w - margin)
                      & (outer[:, 1] >= margin) & (outer[:, 1] < h - margin))
        off_frame = int(np.count_nonzero(inside_ok & ~outside_ok))  # the card runs off the photo
        used = inside_ok & outside_ok
        if off_frame > samples // 2:
            frame_sides += 1
        if not used.any():
            sides.append(1.0 if off_frame else 0.0)
            continue
        steps = lab[inner[used, 1], inner[used, 0]] - lab[outer[used, 1], outer[used, 0]]
        # the step must keep its direction along each stretch of the side, not along all of
        # it: a card printed in two tones (a dark band, then white paper) steps one way along
        # the band and the other way along the paper
        hits = off_frame
        for stretch in np.array_split(steps, min(OUTLINE_STRETCHES, len(steps))):
            mean = stretch.mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm >= 1e-6:
                hits += int(np.count_nonzero(stretch @ (mean / norm) > MIN_EDGE_STEP))
        sides.append(hits / (int(used.sum()) + off_frame))
    if frame_sides >= 3:
        return 0.0  # the photo's own frame, not a card in it
    return min(sides)


def _sits_on_a_surface(edges: np.ndarray, quad: np.ndarray, others: list[np.ndarray]) -> bool:
    """A card lies on a table, smoother than print: busy surroundings mean a picture on a card.

    Long smooth curves are not print: the outline of the hand that holds the card, or of the
    table's edge, runs along the card without making its surroundings busy.
    """
    ring, core = _ring_edge_density(edges, quad, others)
    if ring > RING_EDGE_LIMIT and ring > 0.5 * core:
        ring, _ = _ring_edge_density(_without_long_curves(edges), quad, others)
    return not (ring > RING_EDGE_LIMIT and ring > 0.5 * core)


#: Edge-pixel share above which the strip around an outline counts as printed matter.
RING_EDGE_LIMIT = 0.05
#: An edge this long a share of the photo's long side, of no more pixels than twice its box's
#: width and height (a curve, not the outlines of letters side by side), is the outline of a
#: thing, not print.
LONG_CURVE_SHARE = 0.1


def _without_long_curves(edges: np.ndarray) -> np.ndarray:
    """The edge map without its long thin curves (``LONG_CURVE_SHARE``)."""
    def curves(stats: np.ndarray) -> np.ndarray:
        width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
        return (np.maximum(width, height) >= LONG_CURVE_SHARE * max(edges.shape)) \
            & (stats[:, cv2.CC_STAT_AREA] <= 2 * (width + height))

    return without_blobs(edges, curves)


def _non_overlapping(quads: list[np.ndarray]) -> list[np.ndarray]:
    """Biggest first; drop quads that overlap or sit inside an already kept one."""
    kept: list[np.ndarray] = []
    for quad in sorted(quads, key=cv2.contourArea, reverse=True):
        inside = False
        for other in kept:
            inter, _ = cv2.intersectConvexConvex(quad, other)
            if inter > 0.3 * cv2.contourArea(quad) or _iou(quad, other) > 0.5:
                inside = True
                break
        if not inside:
            kept.append(quad)
    # a single big card plus small "cards" is usually a card plus a logo box or a corner
    if kept:
        biggest = max(cv2.contourArea(q) for q in kept)
        kept = [q for q in kept if cv2.contourArea(q) >= 0.35 * biggest]
    return kept


def reading_order(quads: list[np.ndarray]) -> list[np.ndarray]:
    """Sort outlines in rows top to bottom, left to right within a row."""
    remaining = sorted(quads, key=lambda q: q[:, 1].mean())
    ordered: list[np.ndarray] = []
    while remaining:
        first = remaining[0]
        top, bottom = first[:, 1].min(), first[:, 1].max()
        row = [q for q in remaining
               if min(bottom, q[:, 1].max()) - max(top, q[:, 1].min())
               > 0.4 * min(bottom - top, np.ptp(q[:, 1]))]
        ordered += sorted(row, key=lambda q: q[:, 0].mean())
        remaining = [q for q in remaining if not any(q is r for r in row)]
    return ordered


def card_size(quad: np.ndarray) -> tuple[int, int]:
    """Output (width, height) of a warped card: its aspect, snapped to a standard format."""
    tl, tr, br, bl = quad
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    aspect = max(width, height) / max(1.0, min(width, height))
    nearest = min(CARD_ASPECTS, key=lambda a: abs(a - aspect))
    if abs(nearest - aspect) / nearest < 0.08:
        aspect = nearest
    long_side, short_side = CARD_LONG_SIDE, round(CARD_LONG_SIDE / aspect)
    return (long_side, short_side) if width >= height else (short_side, long_side)


def warp_sharpest(photo: Photo, quad: np.ndarray) -> np.ndarray:
    """The card at ``quad`` (in ``photo.pixels``) warped flat from the sharpest pixels at hand: a
    card smaller than CARD_LONG_SIDE in a photo decoded reduced is cut again from the file at
    its full size (``load.full_size_region``)."""
    sides = [float(np.linalg.norm(quad[i] - quad[(i + 1) % 4])) for i in range(4)]
    if photo.reduced < 1 and max(sides) < CARD_LONG_SIDE:
        height, width = photo.pixels.shape[:2]
        left, top = np.floor(quad.min(axis=0)).astype(int) - 2
        right, bottom = np.ceil(quad.max(axis=0)).astype(int) + 2
        box = (max(0, int(left)), max(0, int(top)), min(width, int(right)), min(height, int(bottom)))
        region = full_size_region(photo, box)
        if region is not None:
            pixels, factor = region
            return warp(pixels, (quad - np.array(box[:2], np.float64)) * factor)
    return warp(photo.pixels, quad)


def warp(pixels: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct the card at ``quad`` (photo coordinates) to a flat rectangle."""
    width, height = card_size(quad)
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(pixels, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


#: Straight edges at least this share of the photo's short side count for edge_skew.
EDGE_LINE_SHARE = 0.25


def edge_skew(bgr: np.ndarray) -> float:
    """The tilt (degrees, cv2 convention) of the long straight edges in a photo, or 0.

    Edges of a card, of a table or of a sheet are parallel or perpendicular to the text on
    the card, so their angle modulo 90 degrees is the text's tilt.
    """
    small = shrink(bgr, DETECT_LONG_SIDE)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 30, 90)
    lines = cv2.HoughLinesP(edges, 1, np.pi / 360, 80,
                            minLineLength=int(EDGE_LINE_SHARE * min(gray.shape)), maxLineGap=10)
    if lines is None or not len(lines):  # OpenCV 4 gives None, OpenCV 5 an empty array
        return 0.0
    x1, y1, x2, y2 = lines.reshape(-1, 4).T.astype(np.float64)
    angles = (np.degrees(np.arctan2(y2 - y1, x2 - x1)) + 45) % 90 - 45
    median = weighted_median(angles, np.hypot(x2 - x1, y2 - y1))
    # image rows grow downwards: a line rising to the right has a negative angle here,
    # and cv2 turns counter-clockwise for positive angles
    return median if 0.5 <= abs(median) <= 45 else 0.0


