"""Batch scanning: discovery, the scan loop, resume and the worker pool, without Tesseract.

The photos are text files read by ``fakes.text_work`` (see tests/fakes.py); the worker-pool
tests run real worker processes with work functions defined here.
"""

from __future__ import annotations

import os
import time

import pytest
from fakes import text_work, write_photo

from cardscan import batch
from cardscan.batch import ScanOptions, Task, workers
from cardscan.batch.discovery import precheck
from cardscan.errors import ExitCode, InputError, NoCardError
from cardscan.models import CardResult, Contact, Name, Source
from cardscan.store import Book


@pytest.fixture(autouse=True)
def no_tesseract_check(monkeypatch):
    """The text "photos" need no Tesseract: its check passes."""
    monkeypatch.setattr(workers, "check_dependencies", lambda lang: None)


def scan(paths, options, book, **kwargs):
    return batch.scan(paths, options, book, **({"work": text_work} | kwargs))


def inline(**kwargs) -> ScanOptions:
    return ScanOptions(executor="inline", **kwargs)


# ------------------------------------------------------------------ discovery


def test_discovery_is_recursive_sorted_and_skips_hidden_and_non_images(tmp_path):
    for name in ("b.JPG", "a.png", "sub/c.webp", "sub/deeper/d.HEIC", ".hidden.jpg",
                 ".cache/e.jpg", "notes.txt", "scan.tiff"):
        write_photo(tmp_path, name, "x")
    found, failures = batch.discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.png", "b.JPG", "scan.tiff", "sub/c.webp", "sub/deeper/d.HEIC"]
    assert failures == []


def test_explicit_files_are_kept_whatever_their_extension(tmp_path):
    pdf = write_photo(tmp_path, "brochure.pdf", "x")
    found, _ = batch.discover([pdf, pdf])
    assert found == [pdf]


def test_symlink_loops_are_reported_or_cut(tmp_path):
    (tmp_path / "loop.jpg").symlink_to(tmp_path / "loop.jpg")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)  # a folder loop
    write_photo(tmp_path, "sub/card.jpg", "x")
    found, failures = batch.discover([tmp_path])
    assert [p.name for p in found] == ["loop.jpg", "card.jpg"]
    with pytest.raises(InputError, match="symlink loop"):
        precheck(found[0])
    _, failures = batch.discover([tmp_path / "missing.jpg"])
    assert [f.reason for f in failures] == ["no such file or folder"]


def test_back_sides_pair_with_their_fronts(tmp_path):
    names = ["ana.jpg", "ana_back.jpg", "bo_front.png", "bo-back.jpg", "solo_back.jpg", "zed.jpg"]
    photos = [write_photo(tmp_path, n, "x") for n in names]
    pairs, singles = batch.pair_backs(photos)
    assert [(f.name, b.name) for f, b in pairs] == [("ana.jpg", "ana_back.jpg"),
                                                    ("bo_front.png", "bo-back.jpg")]
    assert [p.name for p in singles] == ["solo_back.jpg", "zed.jpg"]


# ------------------------------------------------------------------ front and back


def test_front_and_back_merge_into_one_contact(tmp_path):
    front = write_photo(tmp_path, "f.jpg", "Ana Gil\nana@x.es\n")
    back = write_photo(tmp_path, "f_back.jpg", "ORG Acme SL\nana@x.es\nventas@acme.es\n")
    task = Task((front, back), ("a", "b"))
    [result] = text_work(task, ScanOptions())
    contact = result.contact
    assert contact.name.full == "Ana Gil" and contact.org == "Acme SL"
    assert [e.address for e in contact.emails] == ["ana@x.es", "ventas@acme.es"]
    assert [s.file for s in contact.sources] == ["f.jpg", "f_back.jpg"]


# ------------------------------------------------------------------ scan (in process)


def test_scan_writes_every_card_and_remembers_photos(tmp_path):
    photos = tmp_path / "photos"
    write_photo(photos, "a.jpg", "Ana Gil\nana@x.es\n")
    write_photo(photos, "b.jpg", "Bo Li\nbo@y.com\n", "Cy Ng\ncy@z.org\n")
    book = Book(tmp_path / "book")
    summary = scan([photos], inline(), book)
    assert [(c.status, c.source.file) for c in summary.cards] == [
        ("added", "a.jpg"), ("added", "b.jpg"), ("added", "b.jpg")]
    assert summary.exit_code == ExitCode.OK
    assert len(book.contacts()) == 3
    assert all(c.vcf and c.vcf.is_file() for c in summary.cards)

    again = scan([photos], inline(), book)
    assert [c.status for c in again.cards] == ["skipped"] * 3
    assert {c.uid for c in again.cards} == {c.uid for c in summary.cards}
    assert again.exit_code == ExitCode.OK

    forced = scan([photos], inline(rescan=True), book)
    assert [c.status for c in forced.cards] == ["unchanged"] * 3
    assert len(book.contacts()) == 3


def test_failures_do_not_stop_the_batch_and_set_the_exit_status(tmp_path):
    write_photo(tmp_path, "good.jpg", "Ana Gil\n")
    (tmp_path / "bad.jpg").write_text("BAD")
    (tmp_path / "empty.jpg").write_bytes(b"")
    book = Book(tmp_path / "book")
    summary = scan([tmp_path], inline(), book)
    assert [c.source.file for c in summary.cards] == ["good.jpg"]
    assert [f.line() for f in summary.failures] == ["bad.jpg: not an image",
                                                     "empty.jpg: empty file (0 bytes)"]
    assert summary.exit_code == ExitCode.SOME_FAILED
    only_bad = scan([tmp_path / "bad.jpg"], inline(), book)
    assert only_bad.exit_code == ExitCode.ALL_FAILED
    assert not book.has_scanned(batch.file_sha256(tmp_path / "bad.jpg"))


def test_same_photo_twice_in_a_batch_is_read_once(tmp_path):
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    write_photo(tmp_path, "copy.jpg", "Ana Gil\n")
    summary = scan([tmp_path], inline(), Book(tmp_path / "book"))
    assert [c.status for c in summary.cards] == ["added", "skipped"]


def test_batch_annotations_go_to_every_card(tmp_path):
    from cardscan.models import Annotations

    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    write_photo(tmp_path, "b.jpg", "Bo Li\n")
    book = Book(tmp_path / "book")
    options = inline(annotations=Annotations(met_at="MWC Barcelona", tags=["mwc"]))
    scan([tmp_path], options, book)
    assert {(c.annotations.met_at, tuple(c.annotations.tags)) for c in book.contacts()} == {
        ("MWC Barcelona", ("mwc",))}


def test_dependency_check_comes_before_any_work(tmp_path, monkeypatch):
    from cardscan.errors import MissingDependencyError

    def missing(lang):
        raise MissingDependencyError("language 'xyz' is not installed")

    monkeypatch.setattr(workers, "check_dependencies", missing)
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    book = Book(tmp_path / "book")
    with pytest.raises(MissingDependencyError):
        scan([tmp_path], inline(lang="xyz"), book)
    assert book.contacts() == []


def test_explicit_pair_option(tmp_path):
    front = write_photo(tmp_path, "front.jpg", "Ana Gil\n")
    back = write_photo(tmp_path, "reverse.jpg", "ORG Acme SL\n")
    summary = scan([], inline(pairs=[(front, back)]), Book(tmp_path / "book"))
    [card] = summary.cards
    assert card.contact.org == "Acme SL" and card.contact.name.given == "Ana"
    assert summary.photos == 2


def test_json_object_follows_the_documented_schema(tmp_path):
    write_photo(tmp_path, "a.jpg", "Ana Gil\nana.low@x.es\n")
    summary = scan([tmp_path], inline(), Book(tmp_path / "book"))
    record = batch.outcome_json(summary.cards[0])
    assert set(record) == {"source", "path", "card_index", "status", "error", "uid", "vcf",
                           "fields", "confidence", "ocr_text"}
    assert record["fields"]["fn"] == "Ana Gil" and record["fields"]["emails"] == ["ana.low@x.es"]
    assert set(record["fields"]["adr"]) == {"street", "city", "region", "postal", "country",
                                            "country_code"}
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
               for t, kind, payload in workers.LocalPool(2, options, _work_by_name).run(tasks)}
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
    results = list(workers.LocalPool(2, ScanOptions(lang="eng"), _work_by_name).run(tasks))
    pids = {payload[0].contact.note.split()[0] for _, _, payload in results}
    assert len(results) == 8 and len(pids) <= 2


def test_local_executor_scan_with_custom_work(tmp_path):
    for name in ("a.jpg", "crash.jpg", "b.jpg"):
        write_photo(tmp_path, name, name)
    book = Book(tmp_path / "book")
    summary = scan([tmp_path], ScanOptions(jobs=2, lang="eng"), book,
                            work=_work_by_name, check_dependencies=False)
    assert [c.source.file for c in summary.cards] == ["a.jpg", "b.jpg"]
    assert [f.line() for f in summary.failures] == ["crash.jpg: worker crashed (exit status 7)"]
    assert summary.exit_code == ExitCode.SOME_FAILED


def test_an_empty_folder_is_named_as_a_failure(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no photos here")
    summary = scan([empty], inline(), Book(tmp_path / "book"))
    assert [f.line() for f in summary.failures] == [
        "empty: no photos in this folder (bmp, gif, heic, heif, jpeg, jpg, png, tif, tiff, webp)"]
    assert summary.exit_code == ExitCode.ALL_FAILED


def test_gifs_are_photos_in_folders_as_when_named(tmp_path):
    write_photo(tmp_path, "card.gif", "Ana Gil\nana@x.es\n")
    found, _ = batch.discover([tmp_path])
    assert [p.name for p in found] == ["card.gif"]


def test_the_progress_display_stops_however_the_scan_ends(tmp_path):
    """Ctrl-C mid-batch: the bar is closed before the interrupt message is printed."""
    calls = []

    class Recorder:
        def start(self, total): calls.append("start")
        def advance(self): calls.append("advance")
        def failed(self, failure): calls.append("failed")
        def stop(self): calls.append("stop")

    def interrupted(task, options, on_card=None):
        raise KeyboardInterrupt

    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    with pytest.raises(KeyboardInterrupt):
        batch.scan([tmp_path], inline(), Book(tmp_path / "book"), progress=Recorder(),
                   work=interrupted)
    assert calls == ["start", "stop"]
