"""The reading stages one by one: load, detect, orient, enhance (no Tesseract)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import imagegen
import numpy as np
import pytest

from cardscan.errors import InputError
from cardscan.models import CardCrop, Photo
from cardscan.reading import detect, enhance, ink, load, orient


def photo_of(pixels: np.ndarray, name: str = "photo.jpg") -> Photo:
    return Photo(path=Path(name), pixels=pixels, sha256="0" * 64)


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with one tiny (wrong) data chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


# ------------------------------------------------------------------ loading


def test_load_reads_a_jpeg_and_hashes_it(tmp_path: Path) -> None:
    path = imagegen.save(tmp_path / "card.jpg", imagegen.render_card(["Ana Gómez"]).image)
    photo = load.load(path)
    assert photo.pixels.shape == (600, 1050, 3)
    assert len(photo.sha256) == 64
    assert photo.exif_rotation == 0


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"hello, this is not a picture\n", "not an image"),
    (b"%PDF-1.7\n1 0 obj\n", "PDF"),
])
def test_load_refuses_unusable_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load.load(path)
    message = str(info.value)
    assert message.startswith("bad.jpg: ") and reason in message
    assert "\n" not in message


def test_load_refuses_a_truncated_jpeg(tmp_path: Path) -> None:
    ok, data = cv2.imencode(".jpg", imagegen.render_card(["Ana"]).image)
    assert ok
    path = tmp_path / "cut.jpg"
    path.write_bytes(data.tobytes()[: len(data) // 3])
    with pytest.raises(InputError, match="truncated or corrupt"):
        load.load(path)


def test_load_refuses_an_oversized_image_without_decoding_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(png_header(20000, 20000))  # 400 MP claimed, a few bytes on disk
    with pytest.raises(InputError, match=r"(20000x20000|400 MP).*over the 60 MP limit"):
        load.load(path)


def test_load_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load.load(tmp_path / "nowhere.jpg")


def test_exif_rotation_is_applied_and_recorded(tmp_path: Path) -> None:
    from PIL import Image

    card = imagegen.render_card(["Ana Gómez", "Directora"]).image
    image = Image.fromarray(cv2.cvtColor(card, cv2.COLOR_BGR2RGB))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = tmp_path / "exif.jpg"
    image.save(path, exif=exif.tobytes())
    photo = load.load(path)
    assert photo.exif_rotation == 90
    assert photo.pixels.shape[:2] == (1050, 600)  # turned by the hint


def test_huge_but_allowed_photos_are_shrunk_to_the_working_size(tmp_path: Path) -> None:
    big = cv2.resize(imagegen.render_card(["Ana"]).image, (4000, 2300))
    photo = load.load(imagegen.save(tmp_path / "big.png", big))
    assert max(photo.pixels.shape[:2]) == load.WORK_LONG_SIDE


def test_a_12_megapixel_jpeg_is_decoded_at_half_size(tmp_path: Path) -> None:
    big = cv2.resize(imagegen.render_card(["Ana"]).image, (4032, 3024))
    photo = load.load(imagegen.save(tmp_path / "big.jpg", big))
    assert photo.pixels.shape == (1512, 2016, 3)  # libjpeg's 1/2 scale, no resize after it
    assert load.MIN_DECODE_LONG_SIDE <= 2016 <= load.WORK_LONG_SIDE


def test_a_reduced_decode_still_turns_by_the_exif_hint(tmp_path: Path) -> None:
    from PIL import Image

    card = cv2.resize(imagegen.render_card(["Ana Gómez", "Directora"]).image, (4032, 2304))
    card[:200, :200] = (0, 0, 255)  # a red corner, top left before the turn
    image = Image.fromarray(cv2.cvtColor(card, cv2.COLOR_BGR2RGB))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = tmp_path / "exif-big.jpg"
    image.save(path, exif=exif.tobytes(), quality=90)
    photo = load.load(path)
    assert photo.exif_rotation == 90
    assert photo.pixels.shape == (2016, 1152, 3)  # half size, turned
    blue, green, red = photo.pixels[20, -20].astype(int)  # turned clockwise: now top right
    assert red > 200 and green < 60 and blue < 60


def test_a_small_card_in_a_12_megapixel_photo_is_cut_again_at_full_size(tmp_path: Path) -> None:
    from dataclasses import replace

    card = imagegen.render_card(["Ana Gómez", "Directora", "ana@gomez.es"], width=2100, height=1200)
    quad = imagegen.card_quad((2016, 1512), 1500, 1050 / 600, 6)  # 750 px across at half size
    pixels = imagegen.phone_photo([card.image], [quad], size=(4032, 3024), blur=0, jpeg_quality=95)
    photo = load.load(imagegen.save(tmp_path / "phone.jpg", pixels))
    assert photo.reduced == 0.5

    def sharpness(found: Photo) -> float:
        [crop] = detect.find_cards(found)
        assert crop.detected
        return float(cv2.Laplacian(cv2.cvtColor(crop.pixels, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())

    # the same outline warped from the half-size pixels is blurrier: its print was averaged away
    assert sharpness(photo) > 1.5 * sharpness(replace(photo, reduced=1.0))


@pytest.mark.parametrize("orientation", [1, 3, 6, 8, 2])
def test_a_part_cut_again_at_full_size_is_that_part_of_the_photo_as_seen(tmp_path: Path,
                                                                        orientation: int) -> None:
    from PIL import Image, ImageOps

    rng = np.random.default_rng(orientation)
    stored = cv2.GaussianBlur((rng.random((2000, 2800, 3)) * 255).astype(np.uint8), (0, 0), 2)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    Image.fromarray(stored).save(path, quality=95, exif=exif.tobytes())
    photo = load.load(path)
    assert photo.reduced < 1  # decoded at the working size
    region, factor = load.full_size_region(photo, (100, 200, 700, 650))
    with Image.open(path) as image:
        seen = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))[..., ::-1]
    left, top, right, bottom = (round(v * factor) for v in (100, 200, 700, 650))
    assert np.array_equal(region, seen[top:bottom, left:right])


def test_a_changed_file_is_not_cut_again(tmp_path: Path) -> None:
    path = imagegen.save(tmp_path / "phone.jpg", cv2.resize(imagegen.render_card(["Ana"]).image,
                                                            (4032, 3024)))
    photo = load.load(path)
    assert load.full_size_region(photo, (0, 0, 100, 100)) is not None
    path.write_bytes(path.read_bytes() + b"\0")
    assert load.full_size_region(photo, (0, 0, 100, 100)) is None


# ------------------------------------------------------------------ detection


def test_a_card_held_in_a_hand_is_still_outlined() -> None:
    from test_samples import load_generator

    gen = load_generator()  # samples/generate.py draws the hand as the phone12 class does
    card = imagegen.render_card(imagegen.CARD_TEXTS[1]).image
    frame = cv2.GaussianBlur(imagegen.table(1600, 1200, tone=(120, 60, 110)), (0, 0), 8)
    rng = np.random.default_rng(0)
    matrix = gen.place_card(rng, frame, card, (900, 600), 500, 12, shadow=0.0)
    for seed in (2, 4, 9):  # held by its right, left and bottom edges
        held = frame.copy()
        gen.draw_hand(np.random.default_rng(seed), held, matrix, (card.shape[1], card.shape[0]))
        [crop] = detect.find_cards(photo_of(held))
        assert crop.detected, seed  # the hand's outline runs beside the card, but is no print
        assert 1.45 < crop.pixels.shape[1] / crop.pixels.shape[0] < 1.9


def test_a_tilted_card_in_perspective_is_found_and_rectified() -> None:
    pixels, _ = imagegen.single_card_photo(0, angle=12, tilt=0.1)
    cards = detect.find_cards(photo_of(pixels))
    assert len(cards) == 1
    card = cards[0]
    assert card.detected
    height, width = card.pixels.shape[:2]
    assert width == detect.CARD_LONG_SIDE
    assert 1.45 < width / height < 1.85
    # the table is gone: the rectified card is paper-bright almost everywhere
    assert np.median(cv2.cvtColor(card.pixels, cv2.COLOR_BGR2GRAY)) > 150


@pytest.mark.parametrize(("center", "angle", "lost"), [((1000, 620), -14, 1), ((910, 610), 22, 2)])
def test_a_card_whose_corners_run_off_the_photo_is_found_with_them(
        center: tuple[int, int], angle: float, lost: int) -> None:
    card = imagegen.render_card(imagegen.CARD_TEXTS[0])
    true_quad = imagegen.card_quad(center, 1250 if lost == 1 else 1320, 1050 / 600, angle, 0.05)
    off = (true_quad[:, 0] > 1600) | (true_quad[:, 1] > 1200)
    assert np.count_nonzero(off) == lost
    pixels = imagegen.phone_photo([card.image], [true_quad])
    cards = detect.find_cards(photo_of(pixels))
    assert len(cards) == 1 and cards[0].detected
    quads = detect.detect_quads(detect.thumbnail(pixels, detect.DETECT_LONG_SIDE))
    for corner in true_quad[off] * detect.DETECT_LONG_SIDE / 1600:  # restored outside the frame
        assert np.min(np.linalg.norm(quads[0] - corner, axis=1)) < 15


def test_a_dark_card_with_rounded_corners_is_found_to_its_corners() -> None:
    card = imagegen.render_card(imagegen.CARD_TEXTS[1], dark=True).image
    height, width = card.shape[:2]
    radius = 110
    paper = np.zeros((height, width), np.uint8)
    cv2.rectangle(paper, (radius, 0), (width - radius, height), 255, -1)
    cv2.rectangle(paper, (0, radius), (width, height - radius), 255, -1)
    for x in (radius, width - radius):
        for y in (radius, height - radius):
            cv2.circle(paper, (x, y), radius, 255, -1)
    card[paper == 0] = (200, 205, 210)  # the light table shows through the rounded corners
    true_quad = imagegen.card_quad((800, 600), 1150, width / height, 4, 0.04)
    pixels = imagegen.phone_photo([card], [true_quad], tone=(200, 205, 210), shadow=0.1)
    quads = detect.detect_quads(detect.thumbnail(pixels, detect.DETECT_LONG_SIDE))
    assert len(quads) == 1
    scale = detect.DETECT_LONG_SIDE / 1600
    assert np.abs(quads[0] - true_quad * scale).max() < 12


def test_two_cards_come_back_separately_in_reading_order() -> None:
    pixels, _ = imagegen.two_card_photo()
    cards = detect.find_cards(photo_of(pixels))
    assert [c.index for c in cards] == [0, 1]
    assert all(c.detected for c in cards)
    # the left card (Daniel Hughes) has 7 lines, the right one (Lucía) 6: compare ink rows
    rows = [ink.letter_height(ink.ink_mask(cv2.cvtColor(c.pixels, cv2.COLOR_BGR2GRAY)))
            for c in cards]
    assert all(r > 0 for r in rows)


def test_without_an_outline_the_whole_photo_is_used_and_said() -> None:
    card = imagegen.render_card(imagegen.CARD_TEXTS[1]).image
    pixels = cv2.copyMakeBorder(card, 0, 0, 0, 0, cv2.BORDER_CONSTANT)  # edge to edge
    cards = detect.find_cards(photo_of(pixels))
    assert len(cards) == 1
    assert not cards[0].detected
    assert any("whole photo" in note for note in cards[0].notes)


def test_a_white_card_on_a_white_desk_is_read_without_the_bare_desk() -> None:
    from dataclasses import replace

    rng = np.random.default_rng(0)
    desk = np.clip(238 + rng.normal(0, 2, (1200, 1600, 3)), 0, 255).astype(np.uint8)
    card = imagegen.render_card(imagegen.CARD_TEXTS[1]).image
    quad = imagegen.card_quad((700, 650), 560, 1050 / 600, 0)
    imagegen.place(desk, card, quad)  # as white as the desk: no edge to outline it by
    photo = replace(photo_of(desk), reduced=0.5)  # a phone's 12 MP photo, decoded at half size
    [crop] = detect.find_cards(photo)
    assert not crop.detected and "print on it" in crop.notes[0]
    height, width = crop.pixels.shape[:2]
    assert width * height < 0.6 * 1600 * 1200  # the bare desk is left out...
    ink = np.count_nonzero(cv2.cvtColor(desk, cv2.COLOR_BGR2GRAY) < 128)
    kept = np.count_nonzero(cv2.cvtColor(crop.pixels, cv2.COLOR_BGR2GRAY) < 128)
    assert kept >= 0.98 * ink  # ... and all of the print is kept


def test_a_flat_scan_with_a_text_block_and_a_logo_box_is_used_whole() -> None:
    """Neither the hull of a text block nor a solid logo square is a card outline."""
    card = imagegen.render_card(imagegen.CARD_TEXTS[0]).image.copy()
    cv2.rectangle(card, (820, 60), (980, 220), (40, 90, 200), thickness=-1)  # a logo box
    cards = detect.find_cards(photo_of(card))
    assert len(cards) == 1 and not cards[0].detected
    assert cards[0].pixels.shape[:2] == card.shape[:2]


def test_outline_support_tells_a_card_edge_from_a_text_block() -> None:
    pixels, _ = imagegen.single_card_photo(0, angle=5, tilt=0.05)
    lab = cv2.cvtColor(cv2.GaussianBlur(pixels, (9, 9), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    quads = detect.detect_quads(pixels)
    assert len(quads) == 1
    assert detect.outline_support(lab, quads[0]) >= detect.MIN_OUTLINE_SUPPORT
    flat = imagegen.render_card(imagegen.CARD_TEXTS[0]).image
    mask = ink.ink_mask(cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY))
    x, y, w, h = cv2.boundingRect(cv2.findNonZero(mask))
    text_block = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
    flat_lab = cv2.cvtColor(cv2.GaussianBlur(flat, (9, 9), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    assert detect.outline_support(flat_lab, text_block) < detect.MIN_OUTLINE_SUPPORT


def test_reading_order_is_rows_then_columns() -> None:
    def box(x: float, y: float) -> np.ndarray:
        return np.float32([[x, y], [x + 100, y], [x + 100, y + 60], [x, y + 60]])
    quads = [box(300, 10), box(10, 200), box(10, 15), box(300, 205)]
    ordered = detect.reading_order(quads)
    assert [(int(q[0, 0]), int(q[0, 1])) for q in ordered] == [(10, 15), (300, 10), (10, 200),
                                                              (300, 205)]


# ------------------------------------------------------------------ orientation


def test_a_sideways_card_with_a_shadow_inside_its_outline_is_seen_sideways() -> None:
    """The ink of a generated 12 MP photo's card, outlined with its shadow: a band along two
    edges and a printed rule across it, which once outweighed its small vertical lines."""
    mask = cv2.imread(str(Path(__file__).parent / "fixtures" / "sideways-card-in-shadow-ink.png"),
                      cv2.IMREAD_GRAYSCALE)
    assert orient.is_sideways(mask)
    assert not orient.is_sideways(np.ascontiguousarray(mask.T))  # turned, it reads across


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_orientation_without_tesseract(turn: int) -> None:
    card = imagegen.render_card(imagegen.CARD_TEXTS[0]).image
    turned = ink.rotate_quarter(card, (360 - turn) % 360)  # the photo shows it turned
    oriented = orient.upright(CardCrop(Path("turned.jpg"), turned))
    assert oriented.rotation == turn
    upright = oriented.pixels
    assert upright.shape == card.shape
    diff = np.mean(np.abs(upright.astype(int) - card.astype(int)))
    assert diff < 8


@pytest.mark.parametrize(("score", "turned"), [(-0.05, False), (0.05, False), (-0.3, True)])
def test_a_card_is_turned_by_its_ascenders_only_when_they_clearly_say_so(
        monkeypatch: pytest.MonkeyPatch, score: float, turned: bool) -> None:
    """A score near zero (a real card of capitals over a rule scored -0.05) is a coin toss:
    the card is left as it is, and the reading strategy tries it turned if it reads badly."""
    card = imagegen.render_card(imagegen.CARD_TEXTS[0]).image
    monkeypatch.setattr(orient, "upside_down_score", lambda mask: score)
    assert orient.upright(CardCrop(Path("card.jpg"), card)).rotation == (180 if turned else 0)


def test_small_skew_is_measured_and_corrected() -> None:
    card = imagegen.render_card(imagegen.CARD_TEXTS[3]).image
    tilted = ink.rotate_small(card, -4)
    mask = ink.ink_mask(cv2.cvtColor(tilted, cv2.COLOR_BGR2GRAY))
    assert orient.skew_angle(mask) == pytest.approx(4, abs=0.8)
    flat = ink.ink_mask(cv2.cvtColor(card, cv2.COLOR_BGR2GRAY))
    assert orient.skew_angle(flat) == 0.0


# ------------------------------------------------------------------ enhancement


def test_dark_cards_are_inverted_light_ones_are_not() -> None:
    dark = imagegen.render_card(imagegen.CARD_TEXTS[1], dark=True).image
    light = imagegen.render_card(imagegen.CARD_TEXTS[1]).image
    image, notes = enhance.enhance(dark)
    assert any("inverted" in n for n in notes)
    assert np.median(image) > 150  # Tesseract gets dark text on light paper
    image, notes = enhance.enhance(light)
    assert not any("inverted" in n for n in notes)


def test_a_dark_card_is_measured_once_and_stays_dark_through_the_stages() -> None:
    pixels, _ = imagegen.single_card_photo(1, dark=True)
    [crop] = detect.find_cards(photo_of(pixels))
    assert crop.dark is True
    upright = orient.upright(crop)
    assert upright.dark is True
    card = enhance.prepare(upright)
    assert card.inverted and np.median(card.image) > 150


def test_the_quick_measures_agree_with_the_exact_ones() -> None:
    rng = np.random.default_rng(3)
    gray = cv2.GaussianBlur(rng.integers(0, 256, (300, 500), dtype=np.uint8), (0, 0), 3)
    for share in (0.05, 0.5, 0.95):
        assert abs(ink.gray_level(gray, share) - np.percentile(gray, 100 * share)) <= 1
    bgr = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    assert np.array_equal(ink.whiteness(bgr), bgr.min(axis=2))
    mask = ink.ink_mask(cv2.cvtColor(imagegen.render_card(imagegen.CARD_TEXTS[0]).image,
                                     cv2.COLOR_BGR2GRAY))
    count, _, stats = ink.blobs(mask)
    exact = cv2.connectedComponentsWithStats(mask, connectivity=8)
    assert count == exact[0] > 20 and np.array_equal(stats, exact[2])
    speckled = np.zeros((600, 600), np.uint8)
    speckled[::2, ::2] = 255  # 90,000 blobs: more than 16-bit labels can count
    count, labels, stats = ink.blobs(speckled)
    assert count == 90_001 and labels.max() == 90_000 and len(stats) == count
    for shape, long_side in (((1200, 1600), 900), ((3024, 4032), 900), ((500, 300), 700)):
        image = cv2.resize(gray, shape[::-1])
        small, exact_small = ink.thumbnail(image, long_side), ink.shrink(image, long_side)
        assert small.shape == exact_small.shape
        assert abs(float(small.mean()) - float(exact_small.mean())) < 1


def test_small_text_is_upscaled_and_shadows_flattened() -> None:
    card = imagegen.render_card(imagegen.CARD_TEXTS[0]).image
    small = cv2.resize(card, None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA)
    ramp = np.linspace(1.0, 0.45, small.shape[1], dtype=np.float32)[None, :, None]
    shadowed = (small * ramp).astype(np.uint8)
    image, notes = enhance.enhance(shadowed, outlined=False)
    assert any("upscaled" in n for n in notes)
    assert any("illumination" in n for n in notes)
    assert image.shape[1] > shadowed.shape[1]
    # after correction the paper is about as bright on the shadowed side as on the lit one
    left, right = np.median(image[:, : image.shape[1] // 8]), np.median(image[:, -image.shape[1] // 8:])
    assert abs(float(left) - float(right)) < 25


def test_other_polarity_enhances_the_card_the_other_way_round() -> None:
    """Mid-tone cards can fool the dark-card check; the strategy asks for the other polarity."""
    crop = imagegen.render_card(imagegen.CARD_TEXTS[0]).image
    card = enhance.prepare(CardCrop(Path("orange.jpg"), crop))
    assert not card.inverted
    flipped = enhance.other_polarity(card)
    assert flipped.inverted and "inverted light-on-dark card" in flipped.notes
    back = enhance.other_polarity(flipped)
    assert not back.inverted and not any(n.startswith("inverted") for n in back.notes)
    assert np.array_equal(back.image, card.image)


def test_a_vertical_rule_is_removed_and_the_columns_stacked() -> None:
    """Two columns beside a rule read as one line each side merged; stacked, they read apart."""
    left = imagegen.render_card(["Ana Gil", "Directora", "Lumen S.L."], width=500).image
    right = imagegen.render_card(["M 612 345 678", "ana@lumen.es"], width=500, seed=3).image
    card = np.hstack([left, np.full((600, 50, 3), 250, np.uint8), right])
    cv2.line(card, (525, 60), (525, 540), (40, 40, 40), 3)
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    letter = ink.letter_height(ink.ink_mask(gray))
    cleaned, rules, separators = enhance.remove_rules(gray, letter)
    assert rules == 1 and len(separators) == 1 and abs(separators[0] - 525) <= 2
    assert cleaned[300, 520:531].min() > 200  # the rule is gone, the text is not
    assert np.count_nonzero(cleaned < 100) > 0.8 * np.count_nonzero(gray[:, :500] < 100)
    stacked, columns = enhance.stack_columns(cleaned, letter, separators)
    assert columns == 2
    assert stacked.shape[0] == 2 * gray.shape[0] and stacked.shape[1] < gray.shape[1]


def test_a_single_column_card_is_not_cut() -> None:
    gray = cv2.cvtColor(imagegen.render_card(imagegen.CARD_TEXTS[0]).image, cv2.COLOR_BGR2GRAY)
    letter = ink.letter_height(ink.ink_mask(gray))
    assert enhance.stack_columns(gray, letter)[1] == 1
    assert enhance.remove_rules(gray, letter)[1] == 0


@pytest.mark.parametrize("angle", [-9.0, 6.0])
def test_edge_skew_reads_the_tilt_of_a_card_from_its_edges(angle: float) -> None:
    pixels, _ = imagegen.single_card_photo(0, angle=angle, tilt=0.0)
    measured = detect.edge_skew(pixels)
    straightened = detect.edge_skew(ink.rotate_small(pixels, measured))
    assert 3 < abs(measured) < 12
    assert abs(straightened) < 1.5  # turning by the answer leaves the edges square


def test_word_gaps_of_a_long_line_are_no_column_gap() -> None:
    """Where a single big line runs past the small ones, its word gaps must not cut it."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1050, 600), 248)
    draw = ImageDraw.Draw(image)
    draw.text((60, 240), "Zaragoza S. de R.L. de C.V.", font=imagegen.font("LiberationSans-Bold.ttf", 30),
              fill=150)
    for row, text in enumerate(["Mayte Laboy Centeno", "Responsable de Compras", "Compras"]):
        draw.text((60, 290 + 24 * row), text, font=imagegen.font("LiberationSans-Regular.ttf", 18),
                  fill=40)
    gray = np.asarray(image).copy()
    letter = ink.letter_height(ink.ink_mask(gray))
    assert enhance.stack_columns(gray, letter)[1] == 1


def _panel_card(panel: int, ink: int) -> np.ndarray:
    """A white card with dark text above a panel of tone ``panel`` holding text of tone ``ink``."""
    card = np.full((600, 1000, 3), 250, np.uint8)
    cv2.putText(card, "Ana Gil Ruiz", (60, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (20, 20, 20), 3)
    card[330:560] = panel
    for row, text in enumerate(["Tel 612 345 678", "ana@gil.es"]):
        cv2.putText(card, text, (60, 410 + 90 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (ink,) * 3, 3)
    return card


def test_light_text_on_a_mid_tone_panel_becomes_dark_text_on_white() -> None:
    """Polarity per region: the panel is turned, the rest of the card is left as it was."""
    gray = cv2.cvtColor(_panel_card(panel=120, ink=245), cv2.COLOR_BGR2GRAY)
    turned, panels = enhance.invert_light_text_panels(gray)
    assert panels == 1
    inside = turned[340:550, 40:960]
    assert np.median(inside) > 200  # the panel's background is now paper-white
    assert np.count_nonzero(inside < 80) > 0.02 * inside.size  # and its letters dark
    assert np.array_equal(turned[:300], gray[:300])  # the name above is untouched


def test_dark_text_on_a_light_grey_box_is_left_alone() -> None:
    gray = cv2.cvtColor(_panel_card(panel=170, ink=20), cv2.COLOR_BGR2GRAY)
    assert enhance.invert_light_text_panels(gray)[1] == 0
