"""The reading path: each stage on small images, the strategy through a fake engine, and
end-to-end reads with real Tesseract (marked tesseract)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cv2
import imagegen
import numpy as np
import pytest
from fakes import FakeEngine
from rapidfuzz.distance import Levenshtein

from cardscan import reading
from cardscan.errors import NoCardError
from cardscan.models import CardImage, Line, OcrPage, Photo, ReadOptions, Word
from cardscan.reading import detect, enhance, ink, orient, strategy
from cardscan.tesseract import BLOCK_PSM, ENGINE_ENV, LINE_PSM, PAGE_PSM, default_engine
from cardscan.tesseract.probing import child_env

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract not installed")


def accuracy(got: str, truth: str) -> float:
    def norm(text: str) -> str:
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    got, truth = norm(got), norm(truth)
    return max(0.0, 1 - Levenshtein.distance(got, truth) / max(1, len(truth)))


def card_photo(tmp_path: Path, name: str = "card.png") -> Path:
    """A flat scan of a real (generated) card, for reads through a fake engine."""
    path = tmp_path / name
    cv2.imwrite(str(path), imagegen.render_card(["Ana Gil", "ana@x.es"]).image)
    return path


# ------------------------------------------------------------------ read_photo


def test_read_photo_returns_each_card_with_its_source(tmp_path):
    photo = card_photo(tmp_path, "one.png")
    engine = FakeEngine("Ana Gil\nana@x.es")
    [result] = reading.read_photo(photo, ReadOptions(keep_crops=True), engine=engine)
    assert result.contact.name.given == "Ana"
    assert result.source.file == "one.png" and result.source.path == str(photo.absolute())
    assert result.source.sha256 and result.source.card_index == 0
    assert result.contact.sources == [result.source]
    assert result.crop_jpeg and result.crop_jpeg[:2] == b"\xff\xd8"
    assert result.contact.photo_jpeg is None  # only with --photo
    assert "ana@x.es" in result.ocr_text
    assert engine.calls[0][1] == PAGE_PSM


def test_photo_option_keeps_the_crop_as_the_contact_photo(tmp_path):
    engine = FakeEngine("Ana Gil\nana@x.es")
    [result] = reading.read_photo(card_photo(tmp_path), ReadOptions(photo=True), engine=engine)
    assert result.contact.photo_jpeg[:2] == b"\xff\xd8"
    assert result.crop_jpeg is None


def test_the_same_pixels_are_read_once_in_each_language():
    engine = FakeEngine("Ana Gil")
    once = strategy.ReadOnce(engine)
    card = np.full((60, 200), 255, np.uint8)
    first = once.read(card, "spa+eng")
    assert once.read(card.copy(), "spa+eng") is first  # the same pixels: no second call
    once.read(card, "por+eng")
    once.read(card, "spa+eng", psm=7)
    card[10:20, 10:50] = 0
    once.read(card, "spa+eng")
    assert len(engine.calls) == 4


def test_photo_without_text_is_a_failure(tmp_path):
    with pytest.raises(NoCardError, match="no text found"):
        reading.read_photo(card_photo(tmp_path), ReadOptions(), engine=FakeEngine(""))


def test_crop_is_downscaled():
    jpeg = reading.encode_crop(np.full((2000, 3000, 3), 128, np.uint8))
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert max(image.shape[:2]) == reading.CROP_MAX_SIDE


# ------------------------------------------------------------------ strategy


def test_read_card_keeps_the_orientation_whose_text_reads_best():
    """A card the orient stage left upside down is turned when the text reads better so."""
    image = np.zeros((4, 6), np.uint8)
    image[0, 0] = 255  # marks the top-left corner, to tell the turns apart
    card = CardImage(Path("upside.jpg"), image, np.zeros((4, 6, 3), np.uint8))

    def read(image: np.ndarray, psm: int) -> OcrPage:
        upright = image[-1, -1] == 255  # the mark went to the bottom-right: turned 180
        word = Word("Ana", 0.95 if upright else 0.3, 0, 0, 10, 10)
        return OcrPage([Line([word])] * (3 if upright else 1))

    engine = FakeEngine(read)
    best, page = strategy.read_card(card, engine, ReadOptions())
    assert best.rotation == 180 and page.lines[0].words[0].confidence == 0.95
    # a good read stops the search for the way up; that way up is read with the other
    # polarity too, since the first read was doubtful
    assert len(engine.calls) == 3
    assert any("read better" in note for note in best.notes)


def test_a_well_read_card_is_read_once():
    card = CardImage(Path("fine.jpg"), np.zeros((4, 6), np.uint8), np.zeros((4, 6, 3), np.uint8))
    engine = FakeEngine(lambda image, psm: OcrPage([Line([Word("Ana", 0.9, 0, 0, 10, 10)])]))
    best, _ = strategy.read_card(card, engine, ReadOptions())
    assert best is card and len(engine.calls) == 1


def test_a_card_tesseract_read_sideways_comes_back_with_its_lines_across():
    """Tesseract turns a page of vertical lines by itself: its words come in tall boxes. The
    card is turned the way it was read, the boxes with it, and weak lines are cut along them."""
    image = np.zeros((60, 40), np.uint8)  # 40 wide, 60 tall: the lines run down it
    card = CardImage(Path("side.jpg"), image, np.zeros((60, 40, 3), np.uint8))
    # three words down the right-hand side, top to bottom, as on a card turned clockwise
    sideways = OcrPage([Line([Word("Ana", 0.95, 30, 0, 8, 18), Word("Gil", 0.95, 30, 20, 8, 18),
                              Word("Sanz", 0.7, 30, 40, 8, 20)])], width=40, height=60)
    strips = []

    def read(image: np.ndarray, psm: int) -> OcrPage:
        if psm == LINE_PSM:
            strips.append(image.shape)
            return OcrPage([])
        return sideways

    best, page = strategy.read_card(card, FakeEngine(read), ReadOptions())
    assert strategy.read_sideways(sideways) and not strategy.read_sideways(page)
    assert best.image.shape == (40, 60) and best.rotation == 270
    assert [(w.left, w.top, w.width, w.height) for w in page.lines[0].words] == [
        (0, 2, 18, 8), (20, 2, 18, 8), (40, 2, 20, 8)]
    assert (page.width, page.height) == (60, 40)
    assert strips and all(w > h for h, w in strips)  # the weak line cut along its length


def test_a_poorly_read_outline_gets_the_whole_photo_as_a_second_opinion(tmp_path):
    """An outline around a logo panel reads little; the whole photo reads the card."""
    photo = Photo(tmp_path / "panel.jpg", np.full((300, 480, 3), 255, np.uint8), "0" * 64)
    panel = CardImage(photo.path, np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.uint8))

    def read(image: np.ndarray, psm: int) -> OcrPage:
        if image.shape[0] > 100:  # the whole photo
            return OcrPage.from_text("Renan Beato\nrbeato@alerta.com.br")
        return OcrPage([Line([Word("alerta", 0.4, 0, 0, 60, 20)])])

    [(card, page)] = strategy.read_photo_cards(photo, [panel], FakeEngine(read), ReadOptions())
    assert "rbeato@alerta.com.br" in page.text
    assert not card.detected


def test_an_outline_that_reads_nothing_asks_the_whole_photo_before_turning(tmp_path):
    """A dark logo panel outlined on a white card reads next to nothing: the whole photo, read
    well, is kept without the outline's turns and polarities (six reads of the panel)."""
    photo = Photo(tmp_path / "panel.jpg", np.full((300, 480, 3), 255, np.uint8), "0" * 64)
    panel = CardImage(photo.path, np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.uint8))
    panel_reads = []

    def read(image: np.ndarray, psm: int) -> OcrPage:
        if image.shape[0] > 100:
            return OcrPage.from_text("Renan Beato\nGerente de Negócios\nrbeato@alertasecurity.com.br\n"
                                     "Rua Boa Vista, 254 - São Paulo")
        panel_reads.append(image.shape)
        return OcrPage([Line([Word("ae", 0.4, 0, 0, 60, 20)])])

    [(card, page)] = strategy.read_photo_cards(photo, [panel], FakeEngine(read), ReadOptions())
    assert "rbeato@alertasecurity.com.br" in page.text and not card.detected
    assert len(panel_reads) == 1


def test_a_nearly_fine_read_is_not_tried_upside_down():
    """Read at 0.7 (most of a card, a few words doubtful), the text was the right way up: upside
    down it would read as fragments. The other polarity and the quarter turns are still tried."""
    image = np.tile(np.arange(120, dtype=np.uint8), (60, 1))  # a left-to-right ramp: turns differ
    card = CardImage(Path("fine.jpg"), image, np.zeros((60, 120, 3), np.uint8))
    text = OcrPage([Line([Word(w, 0.7, 10 * i, 10 * row, 9, 8) for i, w in enumerate(line.split())])
                    for row, line in enumerate(["Marina Duarte Gerente Comercial",
                                                "marina.duarte@empresa.com.br", "Rua Augusta 1500"])])
    seen = []

    def read(image: np.ndarray, psm: int) -> OcrPage:
        if psm != LINE_PSM:
            seen.append(image.copy())
        return text

    strategy.read_card(card, FakeEngine(read), ReadOptions())
    upside_down = np.rot90(image, 2)
    assert len(seen) > 1  # doubtful: other readings were tried
    assert not any(s.shape == image.shape and np.array_equal(s, upside_down) for s in seen)


def test_clearly_better_needs_more_text_read_no_less_confidently():
    from cardscan.models import ReadQuality

    assert strategy.clearly_better(ReadQuality(130, 0.8), ReadQuality(100, 0.82))
    assert not strategy.clearly_better(ReadQuality(110, 0.9), ReadQuality(100, 0.8))
    assert not strategy.clearly_better(ReadQuality(200, 0.7), ReadQuality(100, 0.8))


def prepared(pixels: np.ndarray, name: str = "photo.jpg") -> list[CardImage]:
    """The cards of a photo as the reading path hands them to OCR."""
    photo = Photo(path=Path(name), pixels=pixels, sha256="")
    return [enhance.prepare(orient.upright(crop)) for crop in detect.find_cards(photo)]


def scan(pixels: np.ndarray, name: str = "photo.jpg") -> list[tuple[CardImage, str]]:
    """Each card of a photo read once by real Tesseract."""
    ocr = default_engine()
    return [(card, ocr.read(card.image, "spa+eng", source=name).text)
            for card in prepared(pixels, name)]




@pytest.mark.tesseract
@needs_tesseract
@pytest.mark.parametrize("engine", ["tesserocr", "pytesseract"])
def test_phone_photo_reads_close_to_the_truth(engine: str, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.setenv(ENGINE_ENV, engine)
    pixels, card = imagegen.single_card_photo(0, angle=9, tilt=0.1)
    [(found, text)] = scan(pixels)
    assert found.detected
    assert accuracy(text, card.text) > 0.95
    page = default_engine().read(found.image, "spa+eng")
    tallest = max(page.lines, key=lambda line: line.height)
    assert "Carmen" in tallest.text  # the name is printed biggest


@pytest.mark.tesseract
@needs_tesseract
def test_dark_card() -> None:
    pixels, card = imagegen.single_card_photo(1, dark=True, angle=-6, seed=1)
    [(found, text)] = scan(pixels)
    assert found.inverted
    assert accuracy(text, card.text) > 0.95


@pytest.mark.tesseract
@needs_tesseract
def test_card_upside_down() -> None:
    pixels, card = imagegen.single_card_photo(2, upside_down=True, angle=-7, seed=2)
    [(found, text)] = scan(pixels)
    assert found.rotation == 180
    assert accuracy(text, card.text) > 0.95


@pytest.mark.tesseract
@needs_tesseract
def test_two_cards_in_one_photo() -> None:
    pixels, cards = imagegen.two_card_photo()
    results = scan(pixels)
    assert len(results) == 2
    for (_, text), card in zip(results, cards, strict=True):
        assert accuracy(text, card.text) > 0.95


@pytest.mark.tesseract
@needs_tesseract
def test_cardscan_beats_plain_tesseract_on_a_photo(tmp_path: Path) -> None:
    """The reason the reading path exists: whole-photo OCR loses a tilted card's text."""
    pixels, card = imagegen.single_card_photo(3, angle=-15, tilt=0.15, seed=5, long_side=700)
    path = imagegen.save(tmp_path / "photo.jpg", pixels)
    plain = subprocess.run(["tesseract", str(path), "-", "-l", "spa+eng"], capture_output=True,
                           text=True, env=child_env(), timeout=120).stdout
    [(_, text)] = scan(pixels)
    assert accuracy(text, card.text) > accuracy(plain, card.text) + 0.1


def _line(text: str, top: int, confidence: float = 0.9, left: int = 10) -> Line:
    words, x = [], left
    for token in text.split():
        words.append(Word(token, confidence, x, top, 12 * len(token), 20))
        x += 12 * len(token) + 10
    return Line(words)


def test_merge_pages_adds_what_the_other_polarity_read_elsewhere() -> None:
    """A white-on-colour band read only in the inverted image completes the normal read."""
    base = OcrPage([_line("RESTAURANTE", 100), _line("Segunda a Sábado", 140)], 600, 900)
    inverted = OcrPage([_line("RESTAURANTE", 100, 0.5),           # same place: already read
                        _line("Av. Cangaíba, 2341", 700),         # the band: new
                        _line("(11) 2642-5294", 740),
                        _line("x~ ;", 800),                       # noise: too little text
                        _line("blurry guess", 840, 0.4)], 600, 900)  # not confident enough
    merged = strategy.merge_pages(base, inverted)
    assert [line.text for line in merged.lines] == [
        "RESTAURANTE", "Segunda a Sábado", "Av. Cangaíba, 2341", "(11) 2642-5294"]


def test_merge_pages_across_different_layouts_compares_text_and_appends_below() -> None:
    base = OcrPage([_line("Ana Gil", 50), _line("ana@gil.es", 90)], 600, 400)
    other = OcrPage([_line("ana@gil.es", 10), _line("Tel 612 345 678", 30)], 400, 600)
    merged = strategy.merge_pages(base, other)
    assert [line.text for line in merged.lines] == ["Ana Gil", "ana@gil.es", "Tel 612 345 678"]
    assert merged.lines[-1].top >= base.height


def test_weak_lines_are_read_again_alone_and_kept_when_more_confident() -> None:
    image = np.full((200, 600), 255, np.uint8)
    page = OcrPage([_line("Ana Gil", 20), _line("Email: alph i het.fr", 80, 0.6)], 600, 200)
    page.lines[1].words[0].confidence = 0.93
    engine = FakeEngine(lambda strip, psm: OcrPage([Line([
        Word("Email:", 0.95, 10, 8, 180, 30),
        Word("alphonse.martineau@blanchet.fr", 0.95, 210, 8, 180, 30)])]))
    again = strategy.reread_weak_lines(image, page, engine, ReadOptions())
    assert [psm for _, psm in engine.calls] == [LINE_PSM]  # only the weak line
    assert again.lines[0] is page.lines[0]
    assert again.lines[1].text == "Email: alphonse.martineau@blanchet.fr"
    assert 60 <= again.lines[1].top <= 90  # back in the card's coordinates


def test_a_weak_line_read_again_leaves_the_specks_of_its_margin() -> None:
    """The margin around a line brings a logo's swooshes, read as small letters and bars."""
    image = np.full((200, 600), 255, np.uint8)
    page = OcrPage([_line("Eletronica ADACHI Ltda. 12", 20, 0.4)], 600, 200)
    engine = FakeEngine(lambda strip, psm: OcrPage([Line([
        Word(text, 0.9, 10 + 60 * i, 8, 50, 30)
        for i, text in enumerate(["a", "Eletrônica", "ADACHI", "|", "Ltda", "12", "of"])])]))
    again = strategy.reread_weak_lines(image, page, engine, ReadOptions())
    assert again.lines[0].text == "Eletrônica ADACHI Ltda 12"


def test_a_weak_line_is_read_again_at_a_size_tesseract_reads() -> None:
    """Small print is enlarged; big letters (a name on an upscaled photo) are not blown up past
    what Tesseract reads, but brought down to it."""
    image = np.full((600, 1200), 255, np.uint8)
    small = Line([Word("alph", 0.5, 10, 20, 80, 20), Word("het.fr", 0.5, 100, 20, 90, 20)])
    big = Line([Word("Eletronica", 0.5, 10, 200, 800, 100)])
    sizes = []

    def read(strip: np.ndarray, psm: int) -> OcrPage:
        sizes.append(strip.shape[0])
        return OcrPage([])

    strategy.reread_weak_lines(image, OcrPage([small, big], 1200, 600), FakeEngine(read),
                               ReadOptions())
    assert sizes[0] > 20 * strategy.LINE_SCALE * 0.9  # the small line, enlarged
    assert sizes[1] < 200  # the big one (100 px letters, 200 px with its margin) made smaller


def test_a_weak_line_is_read_again_as_far_as_its_ink_runs_on_its_row() -> None:
    """Tesseract can drop the end of a long word from a line's boxes ('facebook.com.br!:' for
    'facebook.com.br/sonaocasaquemnaoquer'): the strip goes on while the ink does, and stops
    at the wide gap before another column."""
    image = np.full((200, 1000), 255, np.uint8)
    for x in range(50, 520, 16):  # letters 12 px wide, 4 px apart, 20 px tall
        image[60:80, x:x + 12] = 0
    image[60:80, 700:900] = 0  # another column, far to the right
    line = Line([Word("facebook.com.br!:", 0.5, 50, 60, 200, 20)])
    widths = []

    def read(strip: np.ndarray, psm: int) -> OcrPage:
        widths.append(strip.shape[1])
        return OcrPage([])

    strategy.reread_weak_lines(image, OcrPage([line], 1000, 200), FakeEngine(read), ReadOptions())
    scale = min(strategy.LINE_SCALE, strategy.LINE_WORD_HEIGHT / 20)
    assert 470 * scale <= widths[0] <= 560 * scale  # to the last letter (x 514), not the column


def _between_pictures() -> tuple[np.ndarray, OcrPage]:
    """A card whose page read has its top line, not the phone printed between two pictures."""
    image = np.full((400, 900), 255, np.uint8)
    cv2.putText(image, "Eletronica Adachi", (40, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    image[150:330, 30:230] = 40  # a hi-fi
    image[150:330, 680:870] = 60  # a television
    cv2.putText(image, "2294-9484", (300, 250), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    words = [Word("Eletronica", 0.95, 40, 32, 230, 30), Word("Adachi", 0.95, 285, 32, 130, 30)]
    page = OcrPage([Line(words)], 900, 400)
    return image, page


def test_a_row_of_letters_the_page_read_left_out_is_read_alone() -> None:
    image, page = _between_pictures()
    strips = []

    def read(strip: np.ndarray, psm: int) -> OcrPage:
        strips.append(strip)
        return OcrPage([Line([Word("2294-9484", 0.92, 20, 10, 200, 40)])])

    again = strategy.read_lines_again(image, page, FakeEngine(read), ReadOptions())
    assert len(strips) == 1  # the phone only: the read line and the pictures are no rows of letters
    assert [line.text for line in again.lines] == ["Eletronica Adachi", "2294-9484"]
    assert 200 <= again.lines[1].top <= 250  # in the card's coordinates


def test_a_row_read_alone_without_confidence_is_left_out() -> None:
    image, page = _between_pictures()
    engine = FakeEngine(lambda strip, psm: OcrPage([Line([Word("ZZ4-94", 0.4, 20, 10, 200, 40)])]))
    assert strategy.read_lines_again(image, page, engine, ReadOptions()).text == "Eletronica Adachi"


def test_a_row_read_alone_as_an_address_or_a_link_needs_less_confidence() -> None:
    """'jperry@french.uk' read alone at 0.74: an e-mail's shape is no texture's."""
    image, page = _between_pictures()
    for text, kept in (("jperry@french.uk", True), ("www.french.uk", True), ("Jperry french", False)):
        engine = FakeEngine(lambda strip, psm, text=text: OcrPage([Line([Word(text, 0.74, 20, 10, 200,
                                                                                 40)])]))
        again = strategy.read_lines_again(image, page, engine, ReadOptions())
        assert (text in again.text) is kept, text


def test_a_row_of_small_letters_without_capitals_is_found() -> None:
    """Letters without ascenders stand about half as tall as the words' boxes the page read:
    a left-out line in small print ('ocean avenue on sea') is still a row of letters."""
    image = np.full((300, 900), 255, np.uint8)
    cv2.putText(image, "ocean avenue on sea", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    letters = [h for *_, h in ink.blobs(ink.ink_mask(image, dark=False))[2][1:, :4]]
    assert max(letters) <= 16  # x-height letters only
    assert len(ink.uncovered_rows(image, [], 28.0)) == 1  # page words 28 px tall


def test_rows_of_ink_at_the_image_edge_are_no_text() -> None:
    """A desk's texture lines up at a whole photo's border; a card's text stands clear of it."""
    image = np.full((300, 600), 255, np.uint8)
    for x in range(20, 500, 30):
        image[0:25, x:x + 18] = 0  # blobs cut by the top edge
    assert ink.uncovered_rows(image, [], 20.0) == []
    image[100:125] = image[0:25]  # the same blobs clear of the edge are a row
    assert len(ink.uncovered_rows(image, [], 20.0)) == 1


def test_a_confident_but_thin_outline_gets_the_whole_photo_too(tmp_path):
    """A logo box reads its short name well; a card holds more than that."""
    photo = Photo(tmp_path / "logo.png", np.full((300, 480, 3), 255, np.uint8), "0" * 64)
    logo = CardImage(photo.path, np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.uint8))

    def read(image: np.ndarray, psm: int) -> OcrPage:
        if image.shape[0] > 100:  # the whole photo
            return OcrPage.from_text("Eduarda Câmara\nPeixoto Capital Ltda.\neduarda@peixoto.com.br")
        return OcrPage([Line([Word("PEIXOTO", 0.96, 0, 0, 60, 20)])])

    [(card, page)] = strategy.read_photo_cards(photo, [logo], FakeEngine(read), ReadOptions())
    assert "eduarda@peixoto.com.br" in page.text and not card.detected


# ------------------------------------------------------------------ QR codes


def test_a_vcard_qr_gives_its_fields_exactly_and_is_kept_out_of_the_ocr(tmp_path):
    from test_qr import card_with

    vcard = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Núñez;Ana;;;\r\nFN:Ana Núñez\r\n"
             "ORG:Acme Ibérica SL\r\nEMAIL:ana.nunez@acme.es\r\nTEL;TYPE=CELL:+34612345678\r\n"
             "END:VCARD\r\n")
    path = tmp_path / "qr.png"
    cv2.imwrite(str(path), card_with(vcard))
    images = []

    def read(image: np.ndarray, psm: int) -> OcrPage:
        images.append(image)
        return OcrPage.from_text("Ana Nuñez\nana.nunez@acrne.es")  # OCR's misreadings

    [result] = reading.read_photo(path, ReadOptions(), engine=FakeEngine(read))
    contact = result.contact
    assert contact.name.plain == "Ana Núñez" and contact.org == "Acme Ibérica SL"
    assert [e.address for e in contact.emails] == ["ana.nunez@acme.es"]
    assert [p.number for p in contact.phones] == ["+34612345678"]
    assert any("QR code" in note for note in result.notes)
    # the code was painted out of what Tesseract was shown: no dark modules at its corner
    first = images[0]
    assert np.mean(first[-first.shape[0] // 5:, -first.shape[1] // 5:]) > 200


def test_a_square_outline_is_no_card() -> None:
    """A QR code's white square on a dark card has clean edges, but it is not the card."""
    from test_qr import qr_pixels

    photo = np.full((900, 1400, 3), 40, np.uint8)
    code = cv2.resize(qr_pixels("https://www.acme.es"), (420, 420), interpolation=cv2.INTER_NEAREST)
    photo[240:660, 490:910] = code[..., None]
    [crop] = detect.find_cards(Photo(Path("square.png"), photo, ""))
    assert not crop.detected


# ------------------------------------------------------------------ language packs


def test_a_card_is_read_again_in_its_countrys_language_when_the_scan_lacks_it():
    assert strategy.language_for("BR", "spa+eng", ["eng", "spa", "por"]) == "por+eng"
    assert strategy.language_for("CH", "spa+eng", ["eng", "spa", "deu"]) == "deu+eng"
    assert strategy.language_for("ES", "spa+eng", ["eng", "spa", "por"]) is None  # spa read it
    assert strategy.language_for("BR", "por+eng", ["eng", "por"]) is None  # already in it
    assert strategy.language_for("BR", "spa+eng", ["eng", "spa"]) is None  # pack not installed


def test_the_read_in_the_cards_language_is_kept_when_it_reads_as_well(monkeypatch):
    monkeypatch.setattr(reading, "installed_languages", lambda: ["eng", "spa", "por"])
    card = CardImage(Path("sp.jpg"), np.full((200, 600), 255, np.uint8),
                     np.zeros((200, 600, 3), np.uint8))

    def page(text: str, confidence: float) -> OcrPage:
        return OcrPage([Line([Word(w, confidence, 10 + 90 * i, 10 + 40 * row, 80, 20)
                              for i, w in enumerate(line.split())])
                        for row, line in enumerate(text.splitlines())], width=600, height=200)

    first = page("Sao Paulo - SP\nRua Augusta 1200\nFone +55 11 2294-9484", 0.9)
    again = page("São Paulo - SP\nRua Augusta 1200\nFone +55 11 2294-9484", 0.91)
    langs: list[str] = []

    class ByLanguage(FakeEngine):
        def read(self, image, lang, *, psm=PAGE_PSM, timeout=60, source=""):
            langs.append(lang)
            return first if lang == "spa+eng" else again

    read_card, read = strategy.read_card(card, ByLanguage(""), ReadOptions(lang="spa+eng"))
    assert read.text.startswith("São Paulo") and read.lang == "por+eng"
    assert langs == ["spa+eng", "por+eng"]  # no weak line, so no line read in either
    assert "read again in por+eng, the card's own language" in read_card.notes
    garbled = page("S", 0.3)
    assert strategy.read_in_card_language(card, first, FakeEngine(lambda i, p: garbled),
                                          ReadOptions()) is first


def test_a_line_read_surer_at_first_stays_when_the_card_is_read_in_its_language():
    """'José Carlos' in a script typeface, read 'Soe Carles' by Portuguese models: that line keeps
    the first read; a line that differs only by its accents takes the card language's."""
    def line(text: str, confidence: float, row: int) -> Line:
        return Line([Word(w, confidence, 10 + 90 * i, 10 + 40 * row, 80, 20)
                     for i, w in enumerate(text.split())])

    first = OcrPage([line("José Carlos", 0.54, 0), line("Sao Paulo", 0.95, 1), line("Rua Boa", 0.9, 2)],
                    width=600, height=200)
    again = OcrPage([line("Soe Carles", 0.49, 0), line("São Paulo", 0.90, 1), line("Rua Bca", 0.88, 2)],
                    width=600, height=200)
    kept = strategy.surer_lines(again, first)
    assert [ln.text for ln in kept.lines] == ["José Carlos", "São Paulo", "Rua Bca"]  # 0.02 is no margin
    moved = OcrPage(first.lines, width=640, height=200)  # another image: nothing to pair
    assert strategy.surer_lines(again, moved) is again


def test_a_doubtful_card_read_well_in_its_own_language_is_not_turned(monkeypatch):
    monkeypatch.setattr(reading, "installed_languages", lambda: ["eng", "spa", "por"])
    card = CardImage(Path("br.jpg"), np.full((300, 600), 255, np.uint8),
                     np.zeros((300, 600, 3), np.uint8))
    printed = ["Assistência Técnica Eletrônica", "Fone +55 11 2294-9484", "contato@adachi.com.br"]
    langs: list[str] = []

    class ByLanguage(FakeEngine):
        def read(self, image, lang, *, psm=PAGE_PSM, timeout=60, source=""):
            langs.append(lang)
            confidence = 0.93 if lang.startswith("por") else 0.62  # Portuguese read with spa
            return OcrPage([Line([Word(w, confidence, 10 + 80 * i, 10 + 40 * row, 70, 20)
                                  for i, w in enumerate(text.split())])
                            for row, text in enumerate(printed)], width=600, height=300)

    engine = ByLanguage("")
    read_card, page = strategy.read_card(card, engine, ReadOptions(lang="spa+eng"))
    assert langs == ["spa+eng", "por+eng"]  # no turn, no other polarity
    assert page.lang == "por+eng" and read_card.rotation == 0
    assert "read in por+eng, the card's own language" in read_card.notes

    langs.clear()
    printed[1] = "Tel +34 912 345 678"  # a Spanish card: spa was the right language
    strategy.read_card(card, engine, ReadOptions(lang="spa+eng"))
    assert "por+eng" not in langs and len(langs) > 2  # doubtful: turned and inverted instead


def test_a_whole_photo_that_reads_only_a_logo_is_tried_turned_and_inverted():
    crop = np.full((300, 500, 3), 200, np.uint8)
    card = CardImage(Path("two-tone.jpg"), np.full((300, 500), 255, np.uint8), crop,
                     detected=False)

    def page(*lines: str) -> OcrPage:
        return OcrPage([Line([Word(w, 0.95, 10 + 90 * i, 10 + 40 * row, 80, 20)
                              for i, w in enumerate(text.split())])
                        for row, text in enumerate(lines)], width=500, height=300)

    answers = iter([page("MITCHELL"), page("|||"),  # as found, then turned 180 degrees
                    page("Kimberly Kennedy", "Chief Financial Officer", "Mitchell Corp.",
                         "kimberly.kennedy@mitchell.com", "(206) 390-1004")])
    engine = FakeEngine(lambda image, psm: next(answers, page("x")))
    _, read = strategy.read_card(card, engine, ReadOptions())
    assert "kimberly.kennedy@mitchell.com" in read.text


def test_lines_the_page_left_out_in_letters_run_together_are_read_as_one_block() -> None:
    """A blurred low-resolution card: Tesseract's page read left out the last three lines,
    whose letters run together into word-long blobs; they are cut out together, read once as
    a block of lines, and each line read well is added in the card's coordinates."""
    image = np.full((400, 900), 255, np.uint8)
    cv2.putText(image, "Clarice Rodrigues", (40, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    for top in (200, 240, 280):  # three lines of four words, each a blob 22 px tall
        for left in (40, 170, 260, 400):
            image[top:top + 22, left:left + 110] = 0
    page = OcrPage([Line([Word("Clarice", 0.95, 40, 32, 150, 30),
                          Word("Rodrigues", 0.95, 200, 32, 200, 30)])], 900, 400)
    calls = []

    def read(strip: np.ndarray, psm: int) -> OcrPage:
        calls.append(psm)
        scale = strip.shape[0] / 140  # the block with its margins, about 140 px tall here
        return OcrPage([Line([Word(text, 0.93, 10, round((14 + 40 * i) * scale), 300, 30)])
                        for i, text in enumerate(["crodrigues@altacons.com.br", "www.altacons.com.br",
                                                  "75176-390 Nogueira"])])

    again = strategy.read_unread_lines(image, page, FakeEngine(read), ReadOptions())
    assert calls == [BLOCK_PSM]
    assert [line.text for line in again.lines] == ["Clarice Rodrigues", "crodrigues@altacons.com.br",
                                                   "www.altacons.com.br", "75176-390 Nogueira"]
    assert 180 <= again.lines[1].top < again.lines[2].top < again.lines[3].top <= 320


def test_rows_of_other_letter_sizes_or_apart_are_separate_blocks() -> None:
    rows = [(40, 200, 500, 222, 22.0), (40, 240, 480, 262, 22.0), (40, 270, 900, 400, 90.0),
            (40, 600, 400, 622, 22.0)]
    blocks = strategy.blocks_of_rows(rows)
    assert blocks == [((40, 200, 500, 262, 22.0), 2), ((40, 270, 900, 400, 90.0), 1),
                      ((40, 600, 400, 622, 22.0), 1)]


def test_a_row_read_again_over_a_line_the_page_has_is_not_added_twice() -> None:
    """The page read the phone's first digits only: the row is read again, but a line lying
    over one the page has is not added beside it."""
    image, page = _between_pictures()
    page.lines.append(Line([Word("2294", 0.9, 300, 224, 50, 26)]))

    def read(strip: np.ndarray, psm: int) -> OcrPage:
        return OcrPage([Line([Word("2294-9484", 0.92, 8, 8, 230, 26)])])

    again = strategy.read_unread_lines(image, page, FakeEngine(read), ReadOptions())
    assert [line.text for line in again.lines] == ["Eletronica Adachi", "2294"]
