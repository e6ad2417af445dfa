"""Every "read it again?" decision, with its thresholds: the one file to change for
"read a card again when...".

A card is read once. Then, judged by how confidently its text was read (``ReadQuality``):

1. **Turns and polarity.** A doubtful read (mean confidence below ``DOUBTFUL_READ``) is read
   again turned 180 degrees, with the other polarity, both, then turned 90 and 270 degrees,
   most likely mistakes first, until one reads well; the read with most confident text wins.
   A read nearly fine (``NEARLY_FINE_READ``, most of a card) was the right way up: the half
   turns are skipped. A lone outline that reads next to nothing (``EMPTY_READ_CHARS``, a logo
   panel taken for the card) asks the whole photo first.
   A whole photo (no outline) whose read holds only a few confident words (``THIN_READ_CHARS``:
   a logo on a two-tone card) is tried the same ways while it stays that thin.
   Text turned the wrong way still gives Tesseract output, but as low-confidence fragments:
   upright text scored 0.8-0.95 on the cards measured, the same card turned 0.2-0.5.
   Tesseract turns a page of vertical lines itself (text running down, as on a card turned a
   quarter clockwise, reads as well as upright, in tall word boxes): such a read is kept, and
   the card and its boxes are turned back before its weak lines are read (``across_the_card``).
2. **The other polarity, the right way up.** A card misread at first is also read with the
   other polarity the way up its text was found; the richer read is kept, completed with the
   lines the other read confidently where it found nothing (white text on a coloured band).
3. **The card's own language.** A card whose country writes a language the scan's languages
   lack (Brazil, Germany, France, Italy...) is read again with that language pack
   (``COUNTRY_LANGUAGE``) before its weak lines are, and the new read is kept when it reads
   about as much as well (its weak lines are then read in that language), but for the lines
   the first read read clearly surer in other letters (``LANGUAGE_LINE_MARGIN``). A
   doubtful first read of such a card is read in its language before anything else: read well
   that way, the card was the right way up and no turn or polarity is tried (Portuguese read
   with Spanish models looks like a card upside down).
4. **Weak lines.** A line with a weak word (below ``WEAK_WORD``) is cut out, enlarged and read
   again alone, at most ``MAX_REREAD_LINES`` per card; the new reading is kept when it is more
   confident. Tesseract drops the middle of long words at small sizes, or the end of a long
   word from the line's boxes: the strip runs on along the row while its ink does
   (``LINE_RUN_GAP``). Rows of letters the read has no word on (a line between two pictures
   that the page layout took for part of them, the last lines of a blurred card) are read
   alone too, rows one under the other as one block, at most ``MAX_UNREAD_LINES``, and kept
   when read well (``UNREAD_LINE_CONFIDENCE``, less for an address's or a link's shape).
5. **A second opinion on the outline.** A photo whose only outline reads doubtfully, or holds
   too little text for a card (``THIN_READ_CHARS``), is read again as a whole photo: the outline
   may be a logo panel, a picture or the white part of a card. The whole photo wins when it
   reads clearly more confident text (``SECOND_OPINION_GAIN``), or more ways to reach the
   person (phones, e-mails, websites).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import cv2
import numpy as np

from cardscan.errors import OcrError
from cardscan.models import CardImage, Line, OcrPage, Photo, ReadOptions, ReadQuality, Word
from cardscan.parse.emails_web import holds_address_or_link
from cardscan.parse.lexicon import COUNTRY_LANGUAGE
from cardscan.reading.detect import whole_photo
from cardscan.reading.enhance import card_image, other_polarity, turn_points, turned
from cardscan.reading.ink import uncovered_rows
from cardscan.tesseract import BLOCK_PSM, LINE_PSM, PAGE_PSM, OcrEngine
from cardscan.text import fold

#: Mean confidence per letter or digit below which a read is doubtful: the card may be upside
#: down, sideways, of the other polarity, or the outline may not be the card.
DOUBTFUL_READ = 0.8
#: A read in the card's own language replaces the first when it holds at least this share of
#: its confident text...
LANGUAGE_READ_SHARE = 0.95
#: ... and its mean confidence is at most this much lower.
LANGUAGE_READ_SLACK = 0.03
#: A line of the first read is kept over its twin in the card's own language when it was read
#: this much more confidently, in other letters (accents aside: those the language knows better).
LANGUAGE_LINE_MARGIN = 0.03
#: A read that is not doubtful beats a doubtful one holding up to 1 / this more confident text.
CONFIDENT_READ_SHARE = 0.75
#: A word read with at least this confidence counts as read well.
CONFIDENT_WORD = 0.6
#: A line added from the other polarity's read must be read at least this confidently...
MERGED_LINE_CONFIDENCE = 0.75
#: ... and hold at least this many letters or digits.
MERGED_LINE_CHARS = 3
#: A line with a word read below this confidence is read again on its own, larger...
WEAK_WORD = 0.75
#: ... when that word has at least this many letters or digits (a weak '|' is not worth a call).
WEAK_WORD_CHARS = 3
#: At most this many lines of a card are read again (each costs a small OCR call).
MAX_REREAD_LINES = 3
#: A weak line is enlarged this much before it is read again (at most)...
LINE_SCALE = 1.6
#: ... so that its words stand about this tall (pixels): Tesseract reads nothing in a line of
#: letters enlarged past 150 px (a big name on an upscaled photo), and big lines are shrunk.
LINE_WORD_HEIGHT = 48
#: ... and the new reading replaces it when its mean confidence is this much higher.
LINE_GAIN = 0.03
#: At most this many rows of letters that no word of the page covers are read alone (a line
#: that Tesseract's layout took for part of a picture)...
MAX_UNREAD_LINES = 2
#: ... and a row read so is kept when read at least this confidently...
UNREAD_LINE_CONFIDENCE = 0.8
#: ... or this confidently when it holds an e-mail address or a marked link (a shape a
#: texture does not read as).
UNREAD_CONTACT_CONFIDENCE = 0.65
#: Rows of letters the page left out, one under the other, are read as one block when their
#: letters differ in height by at most this ratio.
BLOCK_LETTER_RATIO = 1.25
#: A weak line's strip runs on along its row until a gap this many letter heights wide.
LINE_RUN_GAP = 1.2
#: The whole photo replaces a doubtful outline's read only with this many times its confident
#: text, read no less confidently than SECOND_OPINION_SLACK below it: the whole photo also reads
#: the table, whose texture yields confident-looking fragments.
SECOND_OPINION_GAIN = 1.2
SECOND_OPINION_SLACK = 0.05
#: An outline whose text reads well but holds fewer letters and digits than this is thin for a
#: business card (a logo box, a QR code's label, a picture's caption): the whole photo is read too.
THIN_READ_CHARS = 40
#: A doubtful read this confident, of at least THIN_READ_CHARS, was of text the right way up.
NEARLY_FINE_READ = 0.65
#: A lone outline whose first read holds fewer confident letters and digits than this read next
#: to nothing: the whole photo is read before the outline is turned or inverted.
EMPTY_READ_CHARS = 6
#: A read whose words (of three letters or more) mostly come in boxes taller than wide was of
#: text running down the image: Tesseract turned the page itself to read it.
SIDEWAYS_WORD_SHARE = 0.7


class ReadOnce:
    """An ``OcrEngine`` that reads the same pixels the same way once: asked again (a doubtful
    card read in its own language, then again once its country is parsed), it gives the first
    page back. Tesseract reads the same image the same way; the call costs a full read."""

    def __init__(self, engine: OcrEngine) -> None:
        self.inner = engine
        self._pages: dict[tuple, OcrPage] = {}

    def read(self, image: np.ndarray, lang: str, *, psm: int = PAGE_PSM, timeout: float = 60,
             source: str = "") -> OcrPage:
        pixels = np.ascontiguousarray(image)
        key = (pixels.shape, lang, psm, hashlib.blake2b(pixels.data, digest_size=16).digest())
        if key not in self._pages:
            self._pages[key] = self.inner.read(image, lang, psm=psm, timeout=timeout,
                                               source=source)
        return self._pages[key]

    def warm_up(self, lang: str) -> None:
        self.inner.warm_up(lang)


def read_quality(page: OcrPage) -> ReadQuality:
    """Letters and digits in confidently read words, and the mean confidence per character."""
    confident, weighted, total = 0, 0.0, 0
    for line in page.lines:
        for word in line.words:
            chars = sum(ch.isalnum() for ch in word.text)
            total += chars
            weighted += word.confidence * chars
            if chars >= 2 and word.confidence >= CONFIDENT_WORD:
                confident += chars
    return ReadQuality(confident, weighted / total if total else 0.0)


def read_photo_cards(photo: Photo, cards: list[CardImage], engine: OcrEngine,
                     options: ReadOptions, on_card: Callable[[], None] | None = None
                     ) -> list[tuple[CardImage, OcrPage]]:
    """Read every card of a photo; a lone doubtful outline gets the whole photo's opinion.

    ``on_card`` is called before each card (a worker's sign of life).
    """
    lone_outline = len(cards) == 1 and cards[0].detected
    whole_cards: list[CardImage] = []

    def whole_card() -> CardImage:  # the whole photo as a card, enhanced once
        if not whole_cards:
            whole_cards.append(card_image(whole_photo(photo), photo.exif_rotation))
        return whole_cards[0]

    if lone_outline:
        if on_card is not None:
            on_card()
        # read_card's own first read (the same call) then comes from ReadOnce's pages
        first = engine.read(cards[0].image, options.lang, psm=PAGE_PSM, timeout=options.timeout,
                            source=cards[0].source.name)
        if read_quality(first).confident_chars < EMPTY_READ_CHARS:
            # next to nothing read inside the outline (a logo panel taken for the card): the
            # whole photo is asked first, and kept without turning the outline when it reads well
            whole_read = read_quality(engine.read(whole_card().image, options.lang, psm=PAGE_PSM,
                                                  timeout=options.timeout, source=whole_card().source.name))
            if whole_read.mean_confidence >= DOUBTFUL_READ and whole_read.confident_chars >= THIN_READ_CHARS:
                return [read_card(whole_card(), engine, options)]
    reads = []
    for card in cards:
        if on_card is not None and not lone_outline:
            on_card()
        reads.append(read_card(card, engine, options))
    if lone_outline:
        single = read_quality(reads[0][1])
        if single.mean_confidence < DOUBTFUL_READ or single.confident_chars < THIN_READ_CHARS:
            whole = read_card(whole_card(), engine, options)
            if (clearly_better(read_quality(whole[1]), single)
                    or reaches_more(whole[1], reads[0][1], options.region)):
                reads = [whole]
    return reads


def reaches_more(candidate: OcrPage, current: OcrPage, region: str) -> bool:
    """Whether a read gives more ways to reach the person (phones, e-mails, websites).

    An outline around the white part of a card misses the coloured band below it, where the
    phone and the e-mail are printed: the whole photo reads them, if less confidently.
    """
    from cardscan.parse import contact_from

    def reach(page: OcrPage) -> int:
        contact = contact_from(page, region)
        return len(contact.phones) + len(contact.emails) + len(contact.websites)

    return reach(candidate) > reach(current)


def clearly_better(candidate: ReadQuality, current: ReadQuality) -> bool:
    """Whether a second opinion's read replaces the current one (see SECOND_OPINION_GAIN)."""
    return (candidate.confident_chars > SECOND_OPINION_GAIN * current.confident_chars
            and candidate.mean_confidence >= current.mean_confidence - SECOND_OPINION_SLACK)


def read_card(card: CardImage, engine: OcrEngine, options: ReadOptions
              ) -> tuple[CardImage, OcrPage]:
    """OCR a card, read again turned or inverted while doubtful, then its weak lines again.

    A well-read card costs one OCR pass, a doubtful one up to six (four turns, two
    polarities) plus the weak lines.
    """
    reads: dict[tuple[int, bool], tuple[CardImage, OcrPage]] = {}

    def read(image: CardImage) -> OcrPage:
        page = engine.read(image.image, options.lang, psm=PAGE_PSM, timeout=options.timeout,
                           source=image.source.name)
        reads[image.rotation, image.inverted] = (image, page)
        return page

    best_card, best_page = card, read(card)
    best = read_quality(best_page)
    first_doubtful = best.mean_confidence < DOUBTFUL_READ
    # a whole photo that gives a few confident words (a logo) may be a card turned or inverted
    thin = not card.detected and best.confident_chars < THIN_READ_CHARS
    if first_doubtful:
        in_language = read_in_card_language(card, best_page, engine, options)
        if in_language.lang and read_quality(in_language).mean_confidence >= DOUBTFUL_READ:
            # read well in the card's own language: the card was the right way up, and neither
            # turns nor the other polarity are tried
            card.notes.append(f"read in {in_language.lang}, the card's own language")
            card, in_language = across_the_card(card, in_language)
            page = read_lines_again(card.image, in_language, engine,
                                     replace(options, lang=in_language.lang))
            return card, replace(page, lang=in_language.lang)
    # a read nearly fine (most of a card read at some confidence) was of text the right way up:
    # text upside down reads as low-confidence fragments (0.2-0.5), so the half turns are skipped
    nearly_fine = best.mean_confidence >= NEARLY_FINE_READ and best.confident_chars >= THIN_READ_CHARS
    others = _alternatives(card, half_turns=not nearly_fine)
    while ((best.mean_confidence < DOUBTFUL_READ or (thin and best.confident_chars < THIN_READ_CHARS))
           and (other := next(others, None)) is not None):
        page = read(other)
        quality = read_quality(page)
        if reads_better(quality, best):
            best_card, best_page, best = other, page, quality
    if first_doubtful or thin:
        # The card was misread at first: once its way up is found, its other polarity is read
        # that way up too (a card that is half a dark panel is easily misjudged), the richer
        # one is kept, and it is completed with what the other read where it found nothing.
        key = (best_card.rotation, not best_card.inverted)
        if key in reads:
            other_card, other_page = reads[key]
        else:
            other_card = other_polarity(best_card)
            other_page = read(other_card)
        if reads_better(read_quality(other_page), best):
            best_card, best_page, other_page = other_card, other_page, best_page
        best_page = merge_pages(best_page, other_page)
    in_language = read_in_card_language(best_card, best_page, engine, options)
    if in_language is not best_page:
        best_card.notes.append(f"read again in {in_language.lang}, the card's own language")
    best_card, in_language = across_the_card(best_card, in_language)
    # weak lines are read once, in the languages the card is read in
    return best_card, read_lines_again(best_card.image, in_language, engine,
                                        replace(options, lang=in_language.lang or options.lang))


def read_in_card_language(card: CardImage, page: OcrPage, engine: OcrEngine,
                          options: ReadOptions) -> OcrPage:
    """A card from a country whose language the scan lacks, read again in that language: the
    new read (its ``lang`` set) when it ``reads_as_well`` as ``page``, else ``page``.

    ``spa+eng`` reads 'São Paulo' as 'Sao Paulo'; Portuguese read with Spanish models is read
    at low confidence ('Assistência', 'Manutenção') and looks like a card turned or inverted.
    """
    from cardscan.parse import contact_from
    from cardscan.reading import installed_languages

    if page.lang:
        return page
    lang = language_for(contact_from(page, options.region).country, options.lang,
                        installed_languages())
    if lang is None:
        return page
    again = engine.read(card.image, lang, psm=PAGE_PSM, timeout=options.timeout,
                        source=card.source.name)
    return replace(surer_lines(again, page), lang=lang) if reads_as_well(again, page) else page


def surer_lines(again: OcrPage, first: OcrPage) -> OcrPage:
    """``again`` with each of its lines replaced by its twin in ``first`` (the same place on the
    same image) where the twin was read more confidently in other letters
    (``LANGUAGE_LINE_MARGIN``): a script name 'José Carlos' that Portuguese models read
    'Soe Carles', on a card whose other lines read better in Portuguese."""
    if (again.width, again.height) != (first.width, first.height):
        return again
    boxes = [_line_box(line) for line in again.lines]
    lines = []
    for line, box in zip(again.lines, boxes, strict=True):
        twins = [other for other in first.lines if _mostly_over(box, _line_box(other))]
        twin = twins[0] if len(twins) == 1 else None
        if twin is not None and sum(_mostly_over(_line_box(twin), b) for b in boxes) == 1 \
                and fold(twin.text) != fold(line.text) \
                and twin.confidence > line.confidence + LANGUAGE_LINE_MARGIN:
            line = twin
        lines.append(line)
    return replace(again, lines=lines)


def _line_box(line: Line) -> tuple[int, int, int, int]:
    if not line.words:
        return 0, 0, 0, 0
    return (line.left, line.top, max(w.left + w.width for w in line.words),
            max(w.top + w.height for w in line.words))


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _mostly_over(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """The two boxes overlap by more than 70% of the smaller one."""
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width > 0 and height > 0 and smaller > 0 and width * height > 0.7 * smaller


def across_the_card(card: CardImage, page: OcrPage) -> tuple[CardImage, OcrPage]:
    """The card and its read with the lines running across: a page Tesseract read sideways
    (``read_sideways``) comes back with the card turned the way Tesseract read it, its word
    boxes with it. Its weak lines are then cut out along the lines, and the name's letter size
    is the height of its letters, not the length of its words.

    (Tesseract often reads a card turned a quarter clockwise more confidently than upright, on
    cards with pictures: the read itself is kept.)
    """
    if not read_sideways(page):
        return card, page
    return turned(card, 270, "Tesseract read its lines that way"), page_turned_back(page)


def read_sideways(page: OcrPage) -> bool:
    """Whether Tesseract read the page's lines running down the image (``SIDEWAYS_WORD_SHARE``).

    Tesseract turns a page of vertical lines by itself, reading them top to bottom: a card
    turned a quarter clockwise reads as well as upright, its words in tall boxes.
    """
    words = [word for line in page.lines for word in line.words
             if sum(ch.isalnum() for ch in word.text) >= 3]
    tall = sum(word.height > word.width for word in words)
    return len(words) >= 3 and tall >= SIDEWAYS_WORD_SHARE * len(words)


def page_turned_back(page: OcrPage) -> OcrPage:
    """A page read sideways, its boxes where they are once the image is turned 270 degrees."""

    def turned_word(word: Word) -> Word:
        corners = np.array([[word.left, word.top],
                            [word.left + word.width - 1, word.top + word.height - 1]])
        (x0, y0), (x1, y1) = turn_points(corners, page.width, page.height, 270)
        return replace(word, left=int(min(x0, x1)), top=int(min(y0, y1)),
                       width=word.height, height=word.width)

    lines = [Line([turned_word(word) for word in line.words]) for line in page.lines]
    return replace(page, lines=lines, width=page.height, height=page.width)


def language_for(country: str, lang: str, installed: Sequence[str]) -> str | None:
    """The languages to read a card again with, when its country writes one ``lang`` lacks.

    ``spa+eng`` reads 'Zürich' as 'Zúrich' and 'São Paulo' as 'Sao Paulo': a card from Brazil
    is read again with ``por+eng``, one from Germany with ``deu+eng``.
    """
    pack = COUNTRY_LANGUAGE.get(country)
    if pack is None or pack in lang.split("+") or pack not in installed:
        return None
    return f"{pack}+eng"


def reads_as_well(in_language: OcrPage, first: OcrPage) -> bool:
    """Whether a read in the card's own language reads about as much as the first, as well
    (``LANGUAGE_READ_SHARE``, ``LANGUAGE_READ_SLACK``)."""
    before, after = read_quality(first), read_quality(in_language)
    return (after.confident_chars >= LANGUAGE_READ_SHARE * before.confident_chars
            and after.mean_confidence >= before.mean_confidence - LANGUAGE_READ_SLACK)


def reads_better(candidate: ReadQuality, best: ReadQuality) -> bool:
    """Whether another reading of the same card (turned, other polarity) is the better one.

    More confident text wins; but a read that is no longer doubtful beats a doubtful one that
    holds a little more (CONFIDENT_READ_SHARE), whose extra "confident" words are fragments.
    """
    if candidate.mean_confidence >= DOUBTFUL_READ > best.mean_confidence:
        return candidate.confident_chars >= CONFIDENT_READ_SHARE * best.confident_chars
    return candidate.confident_chars > best.confident_chars


def _alternatives(card: CardImage, half_turns: bool = True) -> Iterator[CardImage]:
    """The card's other readings, most likely mistakes first (built only when needed)."""
    if half_turns:
        yield turned(card, 180)
    flipped = other_polarity(card)
    yield flipped
    if half_turns:
        yield turned(flipped, 180)
    yield turned(card, 90)
    yield turned(card, 270)


def merge_pages(base: OcrPage, extra: OcrPage) -> OcrPage:
    """``base`` plus the confidently read lines of ``extra`` that ``base`` did not read.

    From images of the same size (the same card enhanced two ways) a line is new when its box
    overlaps no line of ``base``; otherwise (the two images were laid out differently) when
    its text resembles no line of ``base``, and it goes below ``base``'s lines.
    """
    from rapidfuzz import fuzz

    same_frame = (base.width, base.height) == (extra.width, extra.height)

    def new(line: Line) -> bool:
        if same_frame:
            return not any(_overlap(_line_box(line), _line_box(other)) for other in base.lines)
        return all(fuzz.partial_ratio(line.text, other.text) < 70 for other in base.lines)

    added = [line for line in extra.lines
             if line.confidence >= MERGED_LINE_CONFIDENCE
             and sum(ch.isalnum() for ch in line.text) >= MERGED_LINE_CHARS and new(line)]
    if not added:
        return base
    if not same_frame:  # keep the two reading orders apart: the new lines go below
        shift = base.height
        added = [Line([replace(w, top=w.top + shift) for w in line.words]) for line in added]
    lines = sorted([*base.lines, *added], key=lambda line: (line.top, line.left))
    height = base.height if same_frame else base.height + extra.height
    return OcrPage(lines=lines, width=max(base.width, extra.width), height=height,
                   source=base.source)


def weak_lines(page: OcrPage) -> list[int]:
    """Indexes of the lines worth reading again, weakest first, at most MAX_REREAD_LINES."""
    weak = [i for i, line in enumerate(page.lines)
            if any(w.confidence < WEAK_WORD and sum(c.isalnum() for c in w.text) >= WEAK_WORD_CHARS
                   for w in line.words)]
    return sorted(weak, key=lambda i: page.lines[i].confidence)[:MAX_REREAD_LINES]


def read_lines_again(image: np.ndarray, page: OcrPage, engine: OcrEngine,
                     options: ReadOptions) -> OcrPage:
    """The last step of a card's read: its weak lines read again, then the rows it left out."""
    return read_unread_lines(image, reread_weak_lines(image, page, engine, options), engine, options)


def reread_weak_lines(image: np.ndarray, page: OcrPage, engine: OcrEngine,
                      options: ReadOptions) -> OcrPage:
    """Read the weak lines again, alone and enlarged; keep each new reading when more confident.

    Tesseract sometimes drops the middle of a long word at small sizes ('alph i het.fr' for
    'alphonse.martineau@blanchet.fr'); the same line cut out and enlarged reads whole.
    """
    lines = list(page.lines)
    for index in weak_lines(page):
        line = lines[index]
        ink_left, ink_right = ink_run(image, _line_box(line), line.height)
        box = (ink_left, line.top, ink_right, max(w.top + w.height for w in line.words))
        words = _without_new_specks(read_strip(image, box, line.height, engine, options, page.source), line)
        if words and Line(words).confidence > line.confidence + LINE_GAIN:
            lines[index] = Line(words)
    return replace(page, lines=lines)


def read_unread_lines(image: np.ndarray, page: OcrPage, engine: OcrEngine,
                      options: ReadOptions) -> OcrPage:
    """``page`` with the rows of letters it has no word of, read alone (at most
    MAX_UNREAD_LINES rows, or blocks of rows one under the other) and kept when read well
    (UNREAD_LINE_CONFIDENCE).

    Tesseract's page layout can take a line printed between two pictures for part of them and
    leave it out ('2294-9484' between a hi-fi and a television); cut out, it reads at 0.9. On a
    blurred low-resolution card it can leave out the last four lines (e-mail, website and
    address): cut out together, they read as a block in one call.
    """
    sizes = [w.height for line in page.lines for w in line.words
             if w.confidence >= CONFIDENT_WORD and sum(c.isalnum() for c in w.text) >= WEAK_WORD_CHARS]
    if not sizes:
        return page
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    boxes = [(w.left, w.top, w.width, w.height) for line in page.lines for w in line.words]
    added = []
    rows = []
    for left, top, right, bottom, tall in uncovered_rows(gray, boxes, float(np.median(sizes))):
        # a row is found by its letters of full height: a line's tail in small letters and
        # marks ('.com.br') runs on to the right
        rows.append((left, top, ink_run(gray, (left, top, right, bottom), tall)[1], bottom, tall))
    for (left, top, right, bottom, tall), count in blocks_of_rows(rows)[:MAX_UNREAD_LINES]:
        for line in read_region(image, (left, top, right, bottom), round(tall), engine, options,
                                page.source, LINE_PSM if count == 1 else BLOCK_PSM):
            words = [w for w in line.words if any(ch.isalnum() for ch in w.text)]
            if words and _read_well_and_new(Line(words), page):
                added.append(Line(words))
    if not added:
        return page
    return replace(page, lines=sorted([*page.lines, *added], key=lambda line: (line.top, line.left)))


def _read_well_and_new(line: Line, page: OcrPage) -> bool:
    """Whether a line read from a left-out row is kept: read well enough
    (UNREAD_LINE_CONFIDENCE, UNREAD_CONTACT_CONFIDENCE), of a few letters at least, and lying
    over no line the page has (a row cut out beside a line it read)."""
    least = UNREAD_CONTACT_CONFIDENCE if holds_address_or_link(line.text) else UNREAD_LINE_CONFIDENCE
    return (line.confidence >= least and sum(ch.isalnum() for ch in line.text) >= MERGED_LINE_CHARS
            and not any(_overlap(_line_box(line), _line_box(other)) for other in page.lines))


def blocks_of_rows(rows: list[tuple[int, int, int, int, float]]
                   ) -> list[tuple[tuple[int, int, int, int, float], int]]:
    """Rows (left, top, right, bottom, letter height; most letters first) joined into blocks of
    rows one under the other (less than a line apart, side by side in part, their letters of
    about one size: BLOCK_LETTER_RATIO): each block's box, letter height and number of rows,
    in the order of the rows."""
    blocks: list[list[tuple[int, int, int, int, float]]] = []
    for row in sorted(rows, key=lambda r: r[1]):
        last = blocks[-1][-1] if blocks else None
        if last is not None and row[1] - last[3] <= max(row[4], last[4]) \
                and max(row[4], last[4]) <= BLOCK_LETTER_RATIO * min(row[4], last[4]) \
                and row[0] < last[2] and last[0] < row[2]:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    rank = {row: i for i, row in enumerate(rows)}
    blocks.sort(key=lambda block: min(rank[row] for row in block))
    return [((min(r[0] for r in block), block[0][1], max(r[2] for r in block), block[-1][3],
              float(np.median([r[4] for r in block]))), len(block)) for block in blocks]


def read_strip(image: np.ndarray, box: tuple[int, int, int, int], letter: int, engine: OcrEngine,
               options: ReadOptions, source: str) -> list[Word]:
    """The words of one line of ``image`` (box: left, top, right, bottom), cut out with a margin
    and scaled so its letters stand LINE_WORD_HEIGHT tall (at most LINE_SCALE), in the image's
    coordinates; none when the strip is too small or Tesseract fails on it."""
    return [word for line in read_region(image, box, letter, engine, options, source)
            for word in line.words]


def read_region(image: np.ndarray, box: tuple[int, int, int, int], letter: int, engine: OcrEngine,
                options: ReadOptions, source: str, psm: int = LINE_PSM) -> list[Line]:
    """The lines of a part of ``image``, read as ``read_strip`` reads one (in ``psm``)."""
    pad = max(4, letter // 2)
    left, top = max(0, box[0] - pad), max(0, box[1] - pad)
    right, bottom = min(image.shape[1], box[2] + pad), min(image.shape[0], box[3] + pad)
    if right - left < 8 or bottom - top < 8:
        return []
    scale = min(LINE_SCALE, max(0.5, LINE_WORD_HEIGHT / max(1, letter)))
    strip = cv2.resize(image[top:bottom, left:right], None, fx=scale, fy=scale,
                       interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    try:
        again = engine.read(strip, options.lang, psm=psm, timeout=options.timeout, source=source)
    except OcrError:
        return []
    return [Line([Word(w.text, w.confidence, left + round(w.left / scale), top + round(w.top / scale),
                       round(w.width / scale), round(w.height / scale)) for w in found.words])
            for found in again.lines]


def ink_run(image: np.ndarray, box: tuple[int, int, int, int], letter: float) -> tuple[int, int]:
    """How far (x from, x to) the ink of a row (box: left, top, right, bottom) runs on along
    it: to a gap wider than LINE_RUN_GAP letter heights (the space before another column).

    Tesseract sometimes drops the end of a long word from a line's boxes ('facebook.com.br!:'
    for 'facebook.com.br/sonaocasaquemnaoquer'), and a strip cut at the boxes would lose it too.
    """
    first, last = box[0], box[2] - 1
    band = image[box[1]:box[3]]
    if band.ndim == 3:
        band = cv2.cvtColor(band, cv2.COLOR_BGR2GRAY)
    if band.size == 0:
        return first, last + 1
    _, ink = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    inked = np.count_nonzero(ink, axis=0) >= 2
    gap = int(LINE_RUN_GAP * max(1, letter))

    def run_on(x: int, step: int) -> int:
        end, blank = x, 0
        while 0 <= x + step < len(inked):
            x += step
            if inked[x]:
                end, blank = x, 0
            else:
                blank += 1
                if blank > gap:
                    break
        return end

    last = min(last, len(inked) - 1)
    return run_on(first, -1), run_on(last, 1) + 1


def _without_new_specks(words: list[Word], line: Line) -> list[Word]:
    """A line read again without what its margin added: a mark or one or two small letters at
    either end, or a mark between words, that the first read did not have ('a Eletrônica ADACHI
    | Ltda of' for a logo's swooshes)."""
    before = {word.text for word in line.words}

    def speck(word: Word) -> bool:  # a mark, or one or two small letters
        letters = "".join(ch for ch in word.text if ch.isalnum())
        return word.text not in before and (not letters or (len(letters) <= 2 and letters.islower()))

    kept = list(words)
    while kept and speck(kept[0]):
        kept.pop(0)
    while kept and speck(kept[-1]):
        kept.pop()
    return [word for word in kept
            if not (word.text not in before and not any(ch.isalnum() for ch in word.text))]
