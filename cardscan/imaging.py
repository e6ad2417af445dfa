"""From a photo file to upright, rectified, enhanced card images ready for OCR.

load(path)        safe decoding (pixel limit, truncated/non-image/PDF refused), EXIF as a hint
find_cards(photo) card outlines (edges, then colour segmentation), perspective warp at about
                  300 DPI, orientation (text-line axis, then Tesseract OSD or an ascender check
                  for upside-down), small deskew, and per-card enhancement chosen by measuring
                  the card (shadow, dark background, letter height).

Every function here is a pure, module-level function of its inputs, so the pipeline can
run them in worker processes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cardscan.errors import InputError
from cardscan.models import CardImage, Photo

try:  # HEIC/HEIF photos from phones, when pillow-heif is installed
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - optional
    pillow_heif = None

#: Largest image cardscan decodes: 60 megapixels (a 48 MP phone photo fits; a
#: decompression bomb or a 20000x20000 scan does not). Checked from the header,
#: before any pixel is decoded.
MAX_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own bomb check refuses beyond 2x this
#: Largest file read at all (a 60 MP JPEG is well under this).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Photos are decoded at most this big on the long side: enough for a card that
#: fills 40% of the frame to keep about 300 DPI.
WORK_LONG_SIDE = 2600
#: Card images are rendered at about 300 DPI: 1050 px on the long side of an 85 mm card.
CARD_LONG_SIDE = 1050
#: Long/short side ratios of common card formats (EU 85x55, ID-1, JP 91x55, US 3.5x2).
CARD_ASPECTS = (85 / 55, 85.6 / 53.98, 91 / 55, 3.5 / 2)
#: Detection works on a copy this big on the long side.
DETECT_LONG_SIDE = 900
#: A card must cover at least this share of the photo to count as an outline.
MIN_CARD_AREA = 0.03
#: Letter heights (px) Tesseract reads best; smaller text is upscaled.
MIN_TEXT_HEIGHT = 13
TARGET_TEXT_HEIGHT = 18
#: Share of the short side blanked along a detected card's edge before OCR.
EDGE_BLANK = 0.02
#: Upscaling stops here: OCR time grows with the pixel count.
MAX_UPSCALE = 2.0
MAX_OCR_PIXELS = 2_500_000
#: Largest text-line tilt (degrees) corrected by the deskew (a photo shot at an angle with
#: no card outline found can tilt the text well beyond what a flatbed scan does).
MAX_SKEW = 20.0
#: Ascender/descender asymmetry beyond which the upside-down check needs no OSD.
CLEAR_ASCENDER_SCORE = 0.3

EXIF_ORIENTATION = 0x0112
EXIF_ROTATION = {3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}


# ------------------------------------------------------------------ loading


def load(path: Path) -> Photo:
    """Decode a photo safely; raise InputError (naming the file) for anything unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError("not a regular file", path)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path) from exc
    if size == 0:
        raise InputError("empty file (0 bytes)", path)
    if size > MAX_FILE_BYTES:
        raise InputError(f"file is {size / 2**20:.0f} MB, over the "
                         f"{MAX_FILE_BYTES / 2**20:.0f} MB limit", path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path) from exc
    if data.startswith(b"%PDF"):
        raise InputError("is a PDF, not an image (export the card as JPEG or PNG)", path)
    pixels, exif_rotation = decode(data, path)
    return Photo(path=path, pixels=pixels, sha256=hashlib.sha256(data).hexdigest(),
                 exif_rotation=exif_rotation)


def decode(data: bytes, path: Path) -> tuple[np.ndarray, int]:
    """Bytes -> (BGR pixels turned by the EXIF hint and shrunk to the working size, EXIF turn)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InputError(f"image is {width}x{height} ({width * height / 1e6:.0f} MP), "
                                 f"over the {MAX_PIXELS / 1e6:.0f} MP limit", path)
            if width < 16 or height < 16:
                raise InputError(f"image is only {width}x{height} pixels", path)
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            long_side = max(width, height)
            if long_side > WORK_LONG_SIDE and image.format == "JPEG":
                scale = WORK_LONG_SIDE / long_side  # let libjpeg decode at a reduced size
                image.draft("RGB", (int(width * scale), int(height * scale)))
            image.load()
            image = ImageOps.exif_transpose(image) or image
            rgb = _to_rgb(image)
    except InputError:
        raise
    except UnidentifiedImageError as exc:
        raise InputError("not an image cardscan can read", path) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f" ({int(found.group(1)) / 1e6:.0f} MP)" if found else ""
        raise InputError(f"image is too large{size}, over the {MAX_PIXELS / 1e6:.0f} MP limit",
                         path) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        raise InputError(f"truncated or corrupt image ({exc})", path) from exc
    except MemoryError as exc:
        raise InputError("image too large to decode", path) from exc
    pixels = cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)
    long_side = max(pixels.shape[:2])
    if long_side > WORK_LONG_SIDE:
        scale = WORK_LONG_SIDE / long_side
        pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(pixels), EXIF_ROTATION.get(int(orientation), 0)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode -> 8-bit RGB; transparency is laid on white (cards are printed on paper)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, image).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = array.max() or 1.0
        return Image.fromarray((array * (255.0 / peak)).astype(np.uint8)).convert("RGB")
    if image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        array = (array - array.min()) / (np.ptp(array) or 1.0) * 255
        return Image.fromarray(array.astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


# ------------------------------------------------------------------ detection


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Four points -> (top-left, top-right, bottom-right, bottom-left)."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates, starting near left
    start = int(np.argmin(pts.sum(axis=1)))  # top-left has the smallest x + y
    return np.roll(pts, -start, axis=0)


def _quad_from_contour(contour: np.ndarray) -> np.ndarray | None:
    """The four-corner polygon of a contour's hull, if it has one."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.045, 0.06):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return _order_corners(approx)
        if len(approx) < 4:
            break
    # rounded corners or a clipped corner: the minimum-area rectangle, if the hull fills it
    rect = cv2.minAreaRect(hull)
    box_area = rect[1][0] * rect[1][1]
    if box_area > 0 and cv2.contourArea(hull) / box_area > 0.9:
        return _order_corners(cv2.boxPoints(rect))
    return None


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
    return 1.0 <= aspect <= 2.4


def _edge_masks(gray: np.ndarray) -> list[np.ndarray]:
    """Edge maps at two sensitivities (the second finds faint outlines)."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    median = float(np.median(blurred))
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
    distance = np.linalg.norm(lab - table, axis=2)
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
    """Card outlines in a (small) photo, biggest first, not overlapping each other."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    area = float(gray.shape[0] * gray.shape[1])
    candidates: list[np.ndarray] = []
    for mask in _edge_masks(gray) + _segment_masks(bgr):
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            if cv2.contourArea(cv2.convexHull(contour)) < MIN_CARD_AREA * area:
                continue
            quad = _quad_from_contour(contour)
            if quad is not None and _plausible(quad, area):
                candidates.append(quad)
    lab = cv2.cvtColor(cv2.GaussianBlur(bgr, (9, 9), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    kept = _non_overlapping([q for q in candidates if outline_support(lab, q) >= MIN_OUTLINE_SUPPORT])
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
    return [quad for quad in kept
            if _sits_on_a_surface(edges, quad, [other for other in kept if other is not quad])]


#: Share of an outline's length along which the colour steps the same way across it (see
#: outline_support); a card's edge scores near 1, a text block or a patch of texture far less.
MIN_OUTLINE_SUPPORT = 0.7
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
        mean = steps.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        if norm < 1e-6:
            sides.append(0.0)
            continue
        hits = int(np.count_nonzero(steps @ (mean / norm) > MIN_EDGE_STEP)) + off_frame
        sides.append(hits / (int(used.sum()) + off_frame))
    if frame_sides >= 3:
        return 0.0  # the photo's own frame, not a card in it
    return min(sides)


def _sits_on_a_surface(edges: np.ndarray, quad: np.ndarray, others: list[np.ndarray]) -> bool:
    """A card lies on a table, smoother than print: busy surroundings mean a picture on a card."""
    ring, core = _ring_edge_density(edges, quad, others)
    return not (ring > RING_EDGE_LIMIT and ring > 0.5 * core)


#: Edge-pixel share above which the strip around an outline counts as printed matter.
RING_EDGE_LIMIT = 0.05


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


def warp(pixels: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct the card at ``quad`` (photo coordinates) to a flat rectangle."""
    width, height = card_size(quad)
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(pixels, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


# ------------------------------------------------------------------ text geometry


def is_dark(gray: np.ndarray) -> bool:
    """True for light text on a dark card: most of the card lies clearly on the dark side
    of the Otsu split (the background is the majority class; text is the minority)."""
    small = _shrink(gray, 700)
    threshold, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(np.median(small)) < threshold - DARK_MARGIN


#: How far (gray levels) below the Otsu split the card's median must be to call it dark.
DARK_MARGIN = 15


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


def letter_height(mask: np.ndarray) -> float:
    """Median height of letter-sized ink blobs (0 when there are none)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return 0.0
    h, w = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    limit = mask.shape[0] * 0.25
    letters = h[(h >= 4) & (h < limit) & (w < h * 3) & (w >= 1)]
    return float(np.median(letters)) if letters.size >= 5 else 0.0


def _line_blobs(mask: np.ndarray, height: float) -> list[tuple]:
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


def text_axis_score(mask: np.ndarray) -> float:
    """How much of the ink forms horizontal text lines (share of ink in long thin blobs)."""
    height = letter_height(mask)
    if not height:
        return 0.0
    ink = float(np.count_nonzero(mask)) or 1.0
    return sum(area for _, area in _line_blobs(mask, height)) / ink


def is_sideways(mask: np.ndarray) -> bool:
    """True when text lines run vertically (the card needs a 90-degree turn)."""
    small = _shrink(mask, 700)
    return text_axis_score(small.T.copy()) > 1.3 * text_axis_score(small) + 0.05


def skew_angle(mask: np.ndarray) -> float:
    """Small rotation (degrees, counter-clockwise positive for cv2) of the text lines."""
    small = _shrink(mask, 900)
    height = letter_height(small)
    if not height:
        return 0.0
    angles, weights = [], []
    for (_, (w, h), angle), area in _line_blobs(small, height):
        if w < h:
            angle -= 90
        angle = (angle + 45) % 90 - 45
        angles.append(angle)
        weights.append(area)
    if len(angles) < 2:
        return 0.0
    median = weighted_median(np.asarray(angles), np.asarray(weights))
    return median if 0.3 <= abs(median) <= MAX_SKEW else 0.0


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value below which half of the total weight lies."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def upside_down_score(mask: np.ndarray) -> float:
    """Ascender/descender asymmetry of the text lines: > 0 upright, < 0 upside down.

    Latin text has more ink above the x-height band (capitals, b d f h k l t) than below the
    baseline (g j p q y); turned 180 degrees, the excess moves below.
    """
    small = _shrink(mask, 1100)
    height = letter_height(small)
    if not height:
        return 0.0
    score = 0.0
    for (center, (w, h), _angle), _ in _line_blobs(small, height):
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


def _shrink(image: np.ndarray, long_side: int) -> np.ndarray:
    scale = long_side / max(image.shape[:2])
    if scale >= 1:
        return image
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def rotate_quarter(image: np.ndarray, degrees_cw: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, codes[degrees_cw]) if degrees_cw % 360 else image


def rotate_small(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by a small angle (degrees, cv2 convention) keeping the size, edges replicated."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


@dataclass
class Orientation:
    rotation: int  # quarter turn clockwise applied
    skew: float  # small angle applied (cv2 convention)
    method: str  # how the upside-down question was settled


def orient(crop: np.ndarray, use_osd: bool = True) -> tuple[np.ndarray, Orientation]:
    """Turn a card upright: text-line axis, then 0/180 by Tesseract OSD or the ascender check."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    dark = is_dark(gray)  # turning the card does not change it
    rotation = 90 if is_sideways(ink_mask(gray, dark)) else 0
    crop = rotate_quarter(crop, rotation)
    gray = rotate_quarter(gray, rotation)
    angle = skew_angle(ink_mask(gray, dark))
    if angle:
        crop, gray = rotate_small(crop, angle), rotate_small(gray, angle)
    score = upside_down_score(ink_mask(gray, dark))
    flip, method = score < 0, "ascenders"
    if use_osd and abs(score) < CLEAR_ASCENDER_SCORE:  # unsure: ask Tesseract (about 0.2 s)
        flip_osd = _osd_flip(gray)
        if flip_osd is not None:
            flip, method = flip_osd, "osd"
    if flip:
        crop = rotate_quarter(crop, 180)
        rotation = (rotation + 180) % 360
    return crop, Orientation(rotation=rotation, skew=angle, method=method)


def _osd_flip(gray: np.ndarray) -> bool | None:
    """Tesseract OSD's answer to "is it upside down?", or None when it is unsure or missing."""
    from cardscan import ocr
    from cardscan.errors import MissingDependencyError

    try:
        rotate, confidence = ocr.detect_orientation(_shrink(gray, CARD_LONG_SIDE))
    except MissingDependencyError:
        return None
    if confidence < 1.0 or rotate in (90, 270):
        return None  # the line axis is already settled by the cheaper check
    return rotate == 180


# ------------------------------------------------------------------ enhancement


#: Tone curve applied before OCR: paper (255) stays, mid-grey text (170) becomes 139.
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
    if is_dark(gray) if invert is None else invert:
        gray = 255 - gray
        notes.append("inverted light-on-dark card")
    if outlined:
        edge = max(2, int(EDGE_BLANK * min(gray.shape[:2])))
        paper = int(np.median(gray))
        gray = gray.copy()
        gray[:edge], gray[-edge:], gray[:, :edge], gray[:, -edge:] = paper, paper, paper, paper
    # illumination: divide by the background (text removed by a closing), so the paper is
    # white everywhere; the tone curve below relies on it (it would darken grey paper)
    small = _shrink(gray, 400)
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
    gray, removed, separators = remove_rules(gray, height)
    if removed:
        notes.append(f"removed {removed} printed rule{'s' if removed > 1 else ''}")
    gray, columns = stack_columns(gray, height, separators)
    if columns > 1:
        notes.append(f"{columns} text columns stacked one under the other")
    if height and height < MIN_TEXT_HEIGHT:
        pixel_room = np.sqrt(MAX_OCR_PIXELS / (gray.shape[0] * gray.shape[1]))
        factor = min(MAX_UPSCALE, TARGET_TEXT_HEIGHT / height, pixel_room)
    else:
        factor = 1.0
    if factor > 1.05:
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        notes.append(f"upscaled x{factor:.1f} (letters {height:.0f} px)")
    return gray, notes


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
        labels, label_map, stats, _ = cv2.connectedComponentsWithStats(found)
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


# ------------------------------------------------------------------ cards


def find_cards(photo: Photo, use_osd: bool = True) -> list[CardImage]:
    """Every card in the photo, rectified, upright and enhanced, in reading order.

    Never empty: when no outline is found the whole photo is used (``detected=False``).
    ``use_osd=False`` skips Tesseract's orientation detection (ascender check only).
    """
    pixels = photo.pixels
    scale = DETECT_LONG_SIDE / max(pixels.shape[:2])
    small = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1 else pixels
    scale = min(scale, 1.0)
    quads = reading_order(detect_quads(small))
    cards = []
    for quad in quads:
        crop = warp(pixels, quad / scale)
        if not letter_height(ink_mask(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY))):
            continue  # a logo box or a picture, not a card: no text inside
        cards.append(_finish(photo, crop, len(cards), True, ["card outline found"], use_osd))
    return cards or [whole_photo(photo, use_osd)]


def whole_photo(photo: Photo, use_osd: bool = True) -> CardImage:
    """The whole photo as one card (when no outline is found, or as a second opinion).

    The card still lies at an angle: its visible edges (often two of them, in shadow) give
    the angle when its text lines are drowned by the table's texture.
    """
    pixels = _shrink(photo.pixels, 2000)
    notes = ["no card outline found: the whole photo is used"]
    angle = edge_skew(pixels)
    if angle:
        pixels = rotate_small(pixels, angle)
        notes.append(f"straightened {angle:.1f} degrees by the card's edges")
    return _finish(photo, pixels, 0, False, notes, use_osd)


#: Straight edges at least this share of the photo's short side count for edge_skew.
EDGE_LINE_SHARE = 0.25


def edge_skew(bgr: np.ndarray) -> float:
    """The tilt (degrees, cv2 convention) of the long straight edges in a photo, or 0.

    Edges of a card, of a table or of a sheet are parallel or perpendicular to the text on
    the card, so their angle modulo 90 degrees is the text's tilt.
    """
    small = _shrink(bgr, DETECT_LONG_SIDE)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 30, 90)
    lines = cv2.HoughLinesP(edges, 1, np.pi / 360, 80,
                            minLineLength=int(EDGE_LINE_SHARE * min(gray.shape)), maxLineGap=10)
    if lines is None:
        return 0.0
    x1, y1, x2, y2 = lines.reshape(-1, 4).T.astype(np.float64)
    angles = (np.degrees(np.arctan2(y2 - y1, x2 - x1)) + 45) % 90 - 45
    median = weighted_median(angles, np.hypot(x2 - x1, y2 - y1))
    # image rows grow downwards: a line rising to the right has a negative angle here,
    # and cv2 turns counter-clockwise for positive angles
    return median if 0.5 <= abs(median) <= 45 else 0.0


def is_inverted(card: CardImage) -> bool:
    """True when the card's OCR image was inverted (read as light text on a dark card)."""
    return any(note.startswith("inverted") for note in card.notes)


def other_polarity(card: CardImage) -> CardImage:
    """The card enhanced as if its text were the other way round (light on dark or dark on light).

    Mid-tone cards (orange, grey, a photo behind the text) can fool :func:`is_dark`.
    """
    image, notes = enhance(card.crop, outlined=card.detected, invert=not is_inverted(card))
    kept = [n for n in card.notes if not n.startswith(("inverted", "illumination", "upscaled"))]
    return replace(card, image=image, notes=[*kept, *notes, "polarity chosen by the text"])


def turned(card: CardImage, degrees_cw: int) -> CardImage:
    """The same card turned by a quarter-turn multiple (a second opinion on its orientation)."""
    note = f"turned {degrees_cw} degrees more: the text read better that way"
    return replace(card, image=rotate_quarter(card.image, degrees_cw),
                   crop=rotate_quarter(card.crop, degrees_cw),
                   rotation=(card.rotation + degrees_cw) % 360, notes=[*card.notes, note])


def _finish(photo: Photo, crop: np.ndarray, index: int, detected: bool, notes: list[str],
            use_osd: bool) -> CardImage:
    crop, orientation = orient(crop, use_osd)
    if orientation.rotation:
        notes.append(f"turned {orientation.rotation} degrees ({orientation.method})")
    if orientation.skew:
        notes.append(f"deskewed {orientation.skew:.1f} degrees")
    if photo.exif_rotation and orientation.rotation:
        notes.append(f"EXIF asked for {photo.exif_rotation} degrees; the text disagreed")
    image, enhance_notes = enhance(crop, outlined=detected)
    return CardImage(source=photo.path, image=image, crop=crop, index=index, detected=detected,
                     rotation=orientation.rotation, notes=notes + enhance_notes)
