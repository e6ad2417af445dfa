"""Batch orchestration with the stage functions replaced by small fakes (no Tesseract).

A fake "photo" is a text file: cards separated by a line "----", each card a name line
and an email line. The worker-pool tests run real worker processes with work functions
defined here.
"""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

import cardscan
from cardscan import pipeline
from cardscan.errors import ExitCode, InputError, NoCardError
from cardscan.models import CardImage, Contact, Email, Line, Name, OcrPage, Photo, Source, Word
from cardscan.pipeline import CardResult, ScanOptions, Task
from cardscan.store import Book


def _fake_load(path: Path) -> Photo:
    raw = Path(path).read_bytes()
    if raw.startswith(b"BAD"):
        raise InputError("not an image", path)
    return Photo(Path(path), np.frombuffer(raw, np.uint8).copy(), pipeline.file_sha256(path))


def _fake_find_cards(photo: Photo, use_osd: bool = True) -> list[CardImage]:
    text = photo.pixels.tobytes().decode()
    crop = np.full((30, 50, 3), 200, np.uint8)
    cards = []
    for index, chunk in enumerate(text.split("----\n")):
        card = CardImage(photo.path, np.zeros((2, 2), np.uint8), crop, index=index)
        card.notes.append(chunk)  # the fake OCR reads the text from here
        cards.append(card)
    return cards


def _fake_read(card: CardImage, lang: str = "spa+eng", timeout: float = 60) -> OcrPage:
    return OcrPage.from_text(card.notes.pop(), source=card.source.name)


def _fake_contact_from(page: OcrPage, region: str = "ES") -> Contact:
    contact = Contact()
    for line in page.lines:
        text = line.text
        if "@" in text:
            contact.emails.append(Email(text, confidence=0.4 if "low" in text else 0.95))
        elif text.startswith("ORG "):
            contact.org = text[4:]
        else:
            given, _, family = text.partition(" ")
            contact.name = Name(given, family, confidence=0.9)
    return contact


@pytest.fixture
def fakes(monkeypatch):
    """Replace imaging, ocr and parse by the fakes above (for the in-process executor)."""
    for name, funcs in {
        "imaging": {"load": _fake_load, "find_cards": _fake_find_cards,
                    "is_inverted": lambda card: False},
        "ocr": {"read": _fake_read, "read_quality": lambda page: (100, 1.0), "probe": lambda: None,
                "reread_weak_lines": lambda image, page, lang, timeout=60: page,
                "check_languages": lambda lang: None},
        "parse": {"contact_from": _fake_contact_from},
    }.items():
        module = types.ModuleType(f"cardscan.{name}")
        module.__dict__.update(funcs)
        monkeypatch.setitem(sys.modules, f"cardscan.{name}", module)
        monkeypatch.setattr(cardscan, name, module, raising=False)


def write_photo(folder: Path, name: str, *cards: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("----\n".join(cards))
    return path


def inline(**kwargs) -> ScanOptions:
    return ScanOptions(executor="inline", **kwargs)


# ------------------------------------------------------------------ discovery


def test_discovery_is_recursive_sorted_and_skips_hidden_and_non_images(tmp_path):
    for name in ("b.JPG", "a.png", "sub/c.webp", "sub/deeper/d.HEIC", ".hidden.jpg",
                 ".cache/e.jpg", "notes.txt", "scan.tiff"):
        write_photo(tmp_path, name, "x")
    found, failures = pipeline.discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.png", "b.JPG", "scan.tiff", "sub/c.webp", "sub/deeper/d.HEIC"]
    assert failures == []


def test_explicit_files_are_kept_whatever_their_extension(tmp_path):
    pdf = write_photo(tmp_path, "brochure.pdf", "x")
    found, _ = pipeline.discover([pdf, pdf])
    assert found == [pdf]


def test_symlink_loops_are_reported_or_cut(tmp_path):
    (tmp_path / "loop.jpg").symlink_to(tmp_path / "loop.jpg")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)  # a folder loop
    write_photo(tmp_path, "sub/card.jpg", "x")
    found, failures = pipeline.discover([tmp_path])
    assert [p.name for p in found] == ["loop.jpg", "card.jpg"]
    with pytest.raises(InputError, match="symlink loop"):
        pipeline._precheck(found[0])
    _, failures = pipeline.discover([tmp_path / "missing.jpg"])
    assert [f.reason for f in failures] == ["no such file or folder"]


def test_back_sides_pair_with_their_fronts(tmp_path):
    names = ["ana.jpg", "ana_back.jpg", "bo_front.png", "bo-back.jpg", "solo_back.jpg", "zed.jpg"]
    photos = [write_photo(tmp_path, n, "x") for n in names]
    pairs, singles = pipeline.pair_backs(photos)
    assert [(f.name, b.name) for f, b in pairs] == [("ana.jpg", "ana_back.jpg"),
                                                    ("bo_front.png", "bo-back.jpg")]
    assert [p.name for p in singles] == ["solo_back.jpg", "zed.jpg"]


# ------------------------------------------------------------------ process_photo


def test_process_photo_returns_one_result_per_card_with_source(tmp_path, fakes):
    photo = write_photo(tmp_path, "two.jpg", "Ana Gil\nana@x.es\n", "Bo Li\nbo@y.com\n")
    results = pipeline.process_photo(photo, ScanOptions(keep_crops=True))
    assert [r.contact.name.given for r in results] == ["Ana", "Bo"]
    assert [r.source.card_index for r in results] == [0, 1]
    first = results[0]
    assert first.source.file == "two.jpg" and first.source.path == str(photo.absolute())
    assert first.source.sha256 == pipeline.file_sha256(photo)
    assert first.contact.sources == [first.source]
    assert first.crop_jpeg and first.crop_jpeg[:2] == b"\xff\xd8"
    assert first.contact.photo_jpeg is None  # only with --photo
    assert "ana@x.es" in first.ocr_text


def test_photo_option_keeps_the_crop_as_the_contact_photo(tmp_path, fakes):
    photo = write_photo(tmp_path, "one.jpg", "Ana Gil\n")
    [result] = pipeline.process_photo(photo, ScanOptions(photo=True))
    assert result.contact.photo_jpeg[:2] == b"\xff\xd8"
    assert result.crop_jpeg is None


def test_photo_without_text_is_a_failure(tmp_path, fakes):
    photo = write_photo(tmp_path, "blank.jpg", "\n")
    with pytest.raises(NoCardError, match="no text found"):
        pipeline.process_photo(photo, ScanOptions())


def test_crop_is_downscaled():
    import cv2

    jpeg = pipeline.encode_crop(np.full((2000, 3000, 3), 128, np.uint8))
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert max(image.shape[:2]) == pipeline.CROP_MAX_SIDE


def test_front_and_back_merge_into_one_contact(tmp_path, fakes):
    front = write_photo(tmp_path, "f.jpg", "Ana Gil\nana@x.es\n")
    back = write_photo(tmp_path, "f_back.jpg", "ORG Acme SL\nana@x.es\nventas@acme.es\n")
    task = Task((front, back), ("a", "b"))
    [result] = pipeline.process_task(task, ScanOptions())
    contact = result.contact
    assert contact.name.full == "Ana Gil" and contact.org == "Acme SL"
    assert [e.address for e in contact.emails] == ["ana@x.es", "ventas@acme.es"]
    assert [s.file for s in contact.sources] == ["f.jpg", "f_back.jpg"]


# ------------------------------------------------------------------ scan (in process)


def test_scan_writes_every_card_and_remembers_photos(tmp_path, fakes):
    photos = tmp_path / "photos"
    write_photo(photos, "a.jpg", "Ana Gil\nana@x.es\n")
    write_photo(photos, "b.jpg", "Bo Li\nbo@y.com\n", "Cy Ng\ncy@z.org\n")
    book = Book(tmp_path / "book")
    summary = pipeline.scan([photos], inline(), book)
    assert [(c.status, c.source.file) for c in summary.cards] == [
        ("added", "a.jpg"), ("added", "b.jpg"), ("added", "b.jpg")]
    assert summary.exit_code == ExitCode.OK
    assert len(book.contacts()) == 3
    assert all(c.vcf and c.vcf.is_file() for c in summary.cards)

    again = pipeline.scan([photos], inline(), book)
    assert [c.status for c in again.cards] == ["skipped"] * 3
    assert {c.uid for c in again.cards} == {c.uid for c in summary.cards}
    assert again.exit_code == ExitCode.OK

    forced = pipeline.scan([photos], inline(rescan=True), book)
    assert [c.status for c in forced.cards] == ["unchanged"] * 3
    assert len(book.contacts()) == 3


def test_failures_do_not_stop_the_batch_and_set_the_exit_status(tmp_path, fakes):
    write_photo(tmp_path, "good.jpg", "Ana Gil\n")
    (tmp_path / "bad.jpg").write_text("BAD")
    (tmp_path / "empty.jpg").write_bytes(b"")
    book = Book(tmp_path / "book")
    summary = pipeline.scan([tmp_path], inline(), book)
    assert [c.source.file for c in summary.cards] == ["good.jpg"]
    assert [f.line() for f in summary.failures] == ["bad.jpg: not an image",
                                                     "empty.jpg: empty file (0 bytes)"]
    assert summary.exit_code == ExitCode.SOME_FAILED
    only_bad = pipeline.scan([tmp_path / "bad.jpg"], inline(), book)
    assert only_bad.exit_code == ExitCode.ALL_FAILED
    assert not book.has_scanned(pipeline.file_sha256(tmp_path / "bad.jpg"))


def test_same_photo_twice_in_a_batch_is_read_once(tmp_path, fakes):
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    write_photo(tmp_path, "copy.jpg", "Ana Gil\n")
    summary = pipeline.scan([tmp_path], inline(), Book(tmp_path / "book"))
    assert [c.status for c in summary.cards] == ["added", "skipped"]


def test_batch_annotations_go_to_every_card(tmp_path, fakes):
    from cardscan.models import Annotations

    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    write_photo(tmp_path, "b.jpg", "Bo Li\n")
    book = Book(tmp_path / "book")
    options = inline(annotations=Annotations(met_at="MWC Barcelona", tags=["mwc"]))
    pipeline.scan([tmp_path], options, book)
    assert {(c.annotations.met_at, tuple(c.annotations.tags)) for c in book.contacts()} == {
        ("MWC Barcelona", ("mwc",))}


def test_dependency_check_comes_before_any_work(tmp_path, fakes, monkeypatch):
    from cardscan.errors import MissingDependencyError

    def missing(lang):
        raise MissingDependencyError("language 'xyz' is not installed")

    monkeypatch.setattr(sys.modules["cardscan.ocr"], "check_languages", missing)
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    book = Book(tmp_path / "book")
    with pytest.raises(MissingDependencyError):
        pipeline.scan([tmp_path], inline(lang="xyz"), book)
    assert book.contacts() == []


def test_explicit_pair_option(tmp_path, fakes):
    front = write_photo(tmp_path, "front.jpg", "Ana Gil\n")
    back = write_photo(tmp_path, "reverse.jpg", "ORG Acme SL\n")
    summary = pipeline.scan([], inline(pairs=[(front, back)]), Book(tmp_path / "book"))
    [card] = summary.cards
    assert card.contact.org == "Acme SL" and card.contact.name.given == "Ana"
    assert summary.photos == 2


def test_json_object_follows_the_documented_schema(tmp_path, fakes):
    write_photo(tmp_path, "a.jpg", "Ana Gil\nana.low@x.es\n")
    summary = pipeline.scan([tmp_path], inline(), Book(tmp_path / "book"))
    record = pipeline.outcome_json(summary.cards[0])
    assert set(record) == {"source", "path", "card_index", "status", "error", "uid", "vcf",
                           "fields", "confidence", "ocr_text"}
    assert record["fields"]["fn"] == "Ana Gil" and record["fields"]["emails"] == ["ana.low@x.es"]
    assert set(record["fields"]["adr"]) == {"street", "city", "region", "postal", "country"}
    assert record["confidence"]["emails"] == [0.4]
    assert record["ocr_text"] == "Ana Gil\nana.low@x.es"


# ------------------------------------------------------------------ the worker pool


def _work_by_name(task: Task, options: ScanOptions, on_card=None) -> list[CardResult]:
    """A worker's work for the pool tests: behaviour chosen by the photo's name."""
    name = task.path.name
    if on_card:
        on_card()
    if name.startswith("crash"):
        os._exit(7)
    if name.startswith("hang"):
        time.sleep(600)
    if name.startswith("fail"):
        raise NoCardError("no text found", task.path)
    contact = Contact(name=Name(name.split(".")[0], "Pid"), note=str(os.getpid()))
    contact.note += f" OMP={os.environ.get('OMP_THREAD_LIMIT')}"
    return [CardResult(contact, Source(name))]


def test_pool_survives_crashes_and_kills_hung_workers(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    names = ["a.jpg", "crash.jpg", "b.jpg", "hang.jpg", "c.jpg", "fail.jpg", "d.jpg"]
    tasks = [Task((tmp_path / n,), (n,), i) for i, n in enumerate(names)]
    options = ScanOptions(timeout=1, grace=0.5, lang="eng")
    results = {t.path.name: (kind, payload)
               for t, kind, payload in pipeline.LocalPool(2, options, _work_by_name).run(tasks)}
    assert set(results) == set(names)
    assert results["crash.jpg"] == ("error", "worker crashed (exit status 7)")
    assert results["hang.jpg"][0] == "error" and "timed out" in results["hang.jpg"][1]
    assert results["fail.jpg"] == ("error", "no text found")
    notes = [results[n][1][0].contact.note for n in ("a.jpg", "b.jpg", "c.jpg", "d.jpg")]
    assert all(note.endswith("OMP=1") for note in notes)  # set in the worker's environment
    assert "OMP_THREAD_LIMIT" not in os.environ  # ... and not in the parent's
    pids = {note.split()[0] for note in notes}
    assert str(os.getpid()) not in pids


def test_pool_reuses_workers_across_cards(tmp_path):
    tasks = [Task((tmp_path / f"p{i}.jpg",), (str(i),), i) for i in range(8)]
    results = list(pipeline.LocalPool(2, ScanOptions(lang="eng"), _work_by_name).run(tasks))
    pids = {payload[0].contact.note.split()[0] for _, _, payload in results}
    assert len(results) == 8 and len(pids) <= 2


def test_local_executor_scan_with_custom_work(tmp_path):
    for name in ("a.jpg", "crash.jpg", "b.jpg"):
        write_photo(tmp_path, name, name)
    book = Book(tmp_path / "book")
    summary = pipeline.scan([tmp_path], ScanOptions(jobs=2, lang="eng"), book,
                            work=_work_by_name, check_dependencies=False)
    assert [c.source.file for c in summary.cards] == ["a.jpg", "b.jpg"]
    assert [f.line() for f in summary.failures] == ["crash.jpg: worker crashed (exit status 7)"]
    assert summary.exit_code == ExitCode.SOME_FAILED


def test_read_upright_keeps_the_orientation_whose_text_reads_best(monkeypatch):
    """A card the imaging stage left upside down is turned when the text reads better so."""
    from cardscan import ocr

    image = np.zeros((4, 6), np.uint8)
    image[0, 0] = 255  # marks the top-left corner, to tell the turns apart
    card = CardImage(Path("upside.jpg"), image, np.zeros((4, 6, 3), np.uint8))
    reads = []

    def fake_read(card: CardImage, lang: str = "spa+eng", timeout: float = 60) -> OcrPage:
        upright = card.image[-1, -1] == 255  # the mark went to the bottom-right: turned 180
        reads.append(card.rotation)
        word = Word("Ana", 0.95 if upright else 0.3, 0, 0, 10, 10)
        return OcrPage([Line([word])] * (3 if upright else 1))

    monkeypatch.setattr(ocr, "read", fake_read)
    best, page = pipeline.read_upright(card, pipeline.ScanOptions())
    assert best.rotation == 180 and page.lines[0].words[0].confidence == 0.95
    assert reads == [0, 180]  # a good read stops the search
    assert any("read better" in note for note in best.notes)


def test_read_upright_reads_a_well_read_card_once(monkeypatch):
    from cardscan import ocr

    card = CardImage(Path("fine.jpg"), np.zeros((4, 6), np.uint8), np.zeros((4, 6, 3), np.uint8))
    calls = []
    monkeypatch.setattr(ocr, "read", lambda c, *a, **k: calls.append(c) or OcrPage(
        [Line([Word("Ana", 0.9, 0, 0, 10, 10)])]))
    best, _ = pipeline.read_upright(card, pipeline.ScanOptions())
    assert best is card and len(calls) == 1


def test_a_poorly_read_outline_gets_the_whole_photo_as_a_second_opinion(tmp_path, monkeypatch):
    """An outline around a logo panel reads little; the whole photo reads the card."""
    from cardscan import imaging, ocr

    photo_path = tmp_path / "panel.jpg"
    photo_path.write_bytes(b"not decoded here")
    photo = Photo(photo_path, np.zeros((8, 8, 3), np.uint8), "0" * 64)
    panel = CardImage(photo_path, np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.uint8))
    whole = CardImage(photo_path, np.ones((4, 4), np.uint8), np.zeros((4, 4, 3), np.uint8),
                      detected=False)

    def fake_read(card: CardImage, lang: str = "spa+eng", timeout: float = 60) -> OcrPage:
        if card.image[0, 0] == 1:  # the whole photo
            return OcrPage.from_text("Renan Beato\nrbeato@alerta.com.br")
        return OcrPage([Line([Word("alerta", 0.4, 0, 0, 60, 20)])])

    monkeypatch.setattr(imaging, "load", lambda path: photo)
    monkeypatch.setattr(imaging, "find_cards", lambda p, use_osd=True: [panel])
    monkeypatch.setattr(imaging, "whole_photo", lambda p, use_osd=True: whole)
    monkeypatch.setattr(imaging, "turned", lambda card, degrees: card)
    monkeypatch.setattr(imaging, "other_polarity", lambda card: card)
    monkeypatch.setattr(ocr, "read", fake_read)
    [result] = pipeline.process_photo(photo_path, ScanOptions())
    assert [e.address for e in result.contact.emails] == ["rbeato@alerta.com.br"]
    assert not result.detected
