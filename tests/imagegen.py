"""Small synthetic card photos for the reading tests (seeded, no files needed).

`render_card` draws a flat card with PIL text; `phone_photo` lays one or more cards on
a table the way a phone sees them: perspective, rotation, a shadow, blur, noise, JPEG.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "DejaVuSerif.ttf",
         "LiberationSerif-Regular.ttf")
BOLD_FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")

CARD_TEXTS = (
    ["Carmen Ruiz Fuentes", "Directora de Operaciones", "Logística Iberia S.L.",
     "Tel. +34 912 345 678", "Móvil 612 345 678", "carmen.ruiz@logiberia.es",
     "Calle de Alcalá 123, 28009 Madrid"],
    ["Daniel Hughes", "Senior Software Engineer", "Northwind Analytics Ltd",
     "Phone +44 20 7946 0958", "daniel.hughes@northwind.co.uk", "www.northwind.co.uk",
     "12 Market Street, Leeds LS1 6DT"],
    ["Lucía Fernández", "Abogada", "Bufete Fernández y Asociados",
     "+52 55 1234 5678", "lucia@fernandezabogados.mx", "Av. Reforma 250, CDMX"],
    ["Peter Wallace", "Head of Sales", "Bluewater Systems Inc.",
     "Office (415) 555-0134", "Mobile (415) 555-0199", "peter@bluewater.io",
     "500 Howard St, San Francisco CA 94105"],
)


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    for folder in FONT_DIRS:
        path = folder / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


@dataclass
class Card:
    image: np.ndarray  # BGR
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render_card(lines: list[str], *, width: int = 1050, height: int = 600, dark: bool = False,
                seed: int = 0) -> Card:
    """A flat card at about 300 DPI: first line big and bold, the rest smaller."""
    rng = random.Random(seed)
    background = (30, 40, 60) if dark else (250, 248, 242)
    ink = (245, 245, 240) if dark else (25, 25, 30)
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    x, y = int(width * 0.07), int(height * 0.1)
    body = font(rng.choice(FONTS), int(height * 0.052))
    for i, text in enumerate(lines):
        face = font(rng.choice(BOLD_FONTS), int(height * 0.085)) if i == 0 else body
        draw.text((x, y), text, font=face, fill=ink)
        y += int(face.size * 1.45) + (int(height * 0.04) if i == 2 else 0)
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    return Card(image=bgr, lines=list(lines))


def table(width: int, height: int, seed: int = 0, tone: tuple[int, int, int] = (70, 95, 125)
          ) -> np.ndarray:
    """A wood-like table top (BGR)."""
    rng = np.random.default_rng(seed)
    grain = np.sin(np.linspace(0, 40, height))[:, None] * 12 + rng.normal(0, 8, (height, 1))
    base = np.array(tone, np.float32)[None, None, :] + grain[:, :, None]
    base = base + rng.normal(0, 4, (height, width, 1))
    return np.clip(base, 0, 255).astype(np.uint8)


def place(photo: np.ndarray, card: np.ndarray, quad: np.ndarray) -> None:
    """Warp ``card`` onto ``photo`` at the corners ``quad`` (tl, tr, br, bl), in place."""
    h, w = card.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    matrix = cv2.getPerspectiveTransform(src, np.float32(quad))
    size = (photo.shape[1], photo.shape[0])
    warped = cv2.warpPerspective(card, matrix, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size)
    photo[mask > 127] = warped[mask > 127]


def card_quad(center: tuple[float, float], long_side: float, aspect: float, angle_deg: float,
              tilt: float = 0.0) -> np.ndarray:
    """Corners of a card rotated by ``angle_deg``; ``tilt`` narrows the far (top) edge."""
    half_w, half_h = long_side / 2, long_side / aspect / 2
    top = half_w * (1 - tilt)
    corners = np.float32([[-top, -half_h], [top, -half_h], [half_w, half_h], [-half_w, half_h]])
    theta = np.deg2rad(angle_deg)
    rot = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return corners @ rot.T + np.float32(center)


def phone_photo(cards: list[np.ndarray], quads: list[np.ndarray], *, size: tuple[int, int] = (
        1600, 1200), shadow: float = 0.35, blur: float = 1.0, noise: float = 4.0,
        jpeg_quality: int = 85, seed: int = 0, tone: tuple[int, int, int] = (70, 95, 125)
        ) -> np.ndarray:
    """A photo (BGR) of ``cards`` on a table at ``quads``, shadowed, blurred, noisy, JPEG'd."""
    width, height = size
    photo = table(width, height, seed, tone)
    for card, quad in zip(cards, quads, strict=True):
        place(photo, card, quad)
    if shadow:
        ramp = np.linspace(1.0, 1.0 - shadow, width, dtype=np.float32)[None, :]
        ramp = ramp * np.linspace(1.0 - shadow / 3, 1.0, height, dtype=np.float32)[:, None]
        photo = np.clip(photo.astype(np.float32) * ramp[:, :, None], 0, 255).astype(np.uint8)
    if blur:
        photo = cv2.GaussianBlur(photo, (0, 0), blur)
    if noise:
        rng = np.random.default_rng(seed + 1)
        photo = np.clip(photo + rng.normal(0, noise, photo.shape), 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def single_card_photo(text_index: int = 0, *, angle: float = 8.0, tilt: float = 0.08,
                      dark: bool = False, upside_down: bool = False, long_side: float = 1000,
                      size: tuple[int, int] = (1600, 1200), seed: int = 0) -> tuple[np.ndarray, Card]:
    """One card filling most of a phone photo; returns (photo, card with its truth text)."""
    card = render_card(CARD_TEXTS[text_index % len(CARD_TEXTS)], dark=dark, seed=seed)
    pixels = cv2.rotate(card.image, cv2.ROTATE_180) if upside_down else card.image
    quad = card_quad((size[0] / 2, size[1] / 2), long_side, 1050 / 600, angle, tilt)
    return phone_photo([pixels], [quad], size=size, seed=seed), card


def two_card_photo(seed: int = 0) -> tuple[np.ndarray, list[Card]]:
    """Two cards side by side, the left one first in reading order."""
    cards = [render_card(CARD_TEXTS[1], seed=seed), render_card(CARD_TEXTS[2], seed=seed + 1)]
    quads = [card_quad((560, 700), 900, 1.75, -4, 0.05), card_quad((1560, 720), 900, 1.75, 5, 0.05)]
    photo = phone_photo([c.image for c in cards], quads, size=(2100, 1400), seed=seed)
    return photo, cards


def save(path: Path, image: np.ndarray) -> Path:
    cv2.imwrite(str(path), image)
    return path
