"""Stage 1: a photo file -> ``Photo`` (safe decoding, pixel limit, EXIF as a hint, sha256)."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from cardscan.errors import InputError
from cardscan.models import Photo

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
#: JPEGs bigger than WORK_LONG_SIDE are decoded reduced (libjpeg's DCT scaling), keeping at
#: least this long side: a 4032x3024 phone photo decodes at 2016x1512, where a card filling
#: 40% of the frame is still more than 1500 px across (it is warped to 1050 px).
MIN_DECODE_LONG_SIDE = 2000

EXIF_ORIENTATION = 0x0112
EXIF_ROTATION = {3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}
#: The turn (degrees clockwise) from the stored pixels to the photo as seen, for the EXIF
#: orientations without a mirror.
STORED_TURN = {orientation: EXIF_ROTATION.get(orientation, 0) for orientation in (1, 3, 6, 8)}


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
    pixels, exif_rotation, reduced = decode(data, path)
    return Photo(path=path, pixels=pixels, sha256=hashlib.sha256(data).hexdigest(),
                 exif_rotation=exif_rotation, reduced=reduced)


def full_size_region(photo: Photo, box: tuple[int, int, int, int]) -> tuple[np.ndarray, float] | None:
    """The part ``box`` (left, top, right, bottom in ``photo.pixels``) of a photo decoded
    reduced, decoded again from the file at its full size, and how many times bigger it is
    than in ``photo.pixels``; None when the photo was not reduced, or the file changed or no
    longer decodes (the reduced pixels then serve).

    A card that fills a third of a 12 MP photo is 620 px wide at half size, too few for its
    small print; at full size it has 1250.
    """
    if photo.reduced >= 1:
        return None
    try:
        data = photo.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != photo.sha256:
            return None
        with Image.open(io.BytesIO(data)) as image:
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            image.load()
            width, height = image.size  # as stored
            turn = STORED_TURN.get(orientation)
            if turn is None:  # a mirrored orientation: turned whole, as load() did
                image = ImageOps.exif_transpose(image) or image
                width, height, turn = *image.size, 0
            upright_width = height if turn in (90, 270) else width
            factor = upright_width / photo.pixels.shape[1]
            left, top, right, bottom = (round(v * factor) for v in box)
            # the box where it lies in the stored pixels: only that part is copied and turned
            stored = {0: (left, top, right, bottom),
                      180: (width - right, height - bottom, width - left, height - top),
                      90: (top, height - right, bottom, height - left),
                      270: (width - bottom, left, width - top, right)}[turn]
            x0, y0 = max(0, stored[0]), max(0, stored[1])
            x1, y1 = min(width, stored[2]), min(height, stored[3])
            region = image.crop((x0, y0, x1, y1))
            if turn:
                region = region.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                                           270: Image.Transpose.ROTATE_90}[turn])
            region = _to_rgb(region)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError):
        return None
    return np.ascontiguousarray(cv2.cvtColor(np.asarray(region), cv2.COLOR_RGB2BGR)), factor


def decode(data: bytes, path: Path) -> tuple[np.ndarray, int, float]:
    """Bytes -> (BGR pixels turned by the EXIF hint and shrunk to the working size, EXIF turn,
    the pixels' size over the file's)."""
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
            if long_side > WORK_LONG_SIDE and isinstance(image, JpegImagePlugin.JpegImageFile):
                # libjpeg decodes at 1/2, 1/4 or 1/8 size, the smallest that keeps
                # MIN_DECODE_LONG_SIDE: a 12 MP photo in a third of the time and memory
                scale = MIN_DECODE_LONG_SIDE / long_side
                image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
            image.load()
            # draft() skips the EXIF turn: it is applied here, on the reduced pixels (a photo
            # with no turn to make is not copied)
            if orientation not in (None, 1):
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
    reduced = max(pixels.shape[:2]) / max(width, height)
    return np.ascontiguousarray(pixels), EXIF_ROTATION.get(int(orientation), 0), min(1.0, reduced)


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
    return image if image.mode == "RGB" else image.convert("RGB")
