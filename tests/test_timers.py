"""The reading path's own timers: what they hold, how they travel, what --profile prints.

Only the shape of the figures is checked, never how long anything took (the speed is
measured by `make bench`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import cv2
import imagegen
from click.testing import CliRunner
from fakes import FakeEngine, read_text_photo, write_photo

from cardscan import batch, reading
from cardscan.batch import ScanOptions, Task, process_task, workers
from cardscan.cli import main
from cardscan.models import ReadOptions
from cardscan.reading.timers import STAGES, add_up, profile_table


def card_photo(tmp_path: Path) -> Path:
    path = tmp_path / "card.png"
    cv2.imwrite(str(path), imagegen.render_card(["Ana Gil", "ana@x.es"]).image)
    return path


def test_read_photo_times_every_stage_and_counts_the_ocr_calls(tmp_path):
    engine = FakeEngine("Ana Gil\nana@x.es")
    [result] = reading.read_photo(card_photo(tmp_path), ReadOptions(), engine=engine)
    timers = result.timers
    assert timers is not None and list(timers) == list(STAGES)
    assert timers["ocr_calls"] == len(engine.calls) >= 1
    assert isinstance(timers["ocr_calls"], int)
    assert all(isinstance(v, float) and v >= 0 for k, v in timers.items() if k != "ocr_calls")


def timed_text_photo(path: Path, options: ReadOptions, on_card=None):
    results = read_text_photo(path, options, on_card)
    for result in results:
        result.timers = {"decode": 0.5, "ocr": 1.0, "ocr_calls": 2, "total": 2.0}
    return results


def test_a_front_and_back_pair_adds_up_both_sides(tmp_path):
    front = write_photo(tmp_path, "front.jpg", "Ana Gil\n")
    back = write_photo(tmp_path, "back.jpg", "ana@x.es\n")
    [merged] = process_task(Task((front, back), ("a", "b")), ScanOptions(),
                            read=timed_text_photo)
    assert merged.timers == {"decode": 1.0, "ocr": 2.0, "ocr_calls": 4, "total": 4.0}


def test_add_up_and_the_profile_table():
    figures = [{"decode": 0.25, "ocr": 1.0, "ocr_calls": 3, "total": 2.0},
               {"decode": 0.75, "ocr": 3.0, "ocr_calls": 1, "total": 2.0}]
    assert add_up(figures) == {"decode": 1.0, "ocr": 4.0, "ocr_calls": 4, "total": 4.0}
    table = profile_table(figures).splitlines()
    assert table[0].startswith("profile: 2 photos")
    rows = {line.split()[0]: line.split()[1:] for line in table[2:]}
    assert rows["decode"] == ["1.00", "0.500", "25%"]
    assert rows["ocr"] == ["4.00", "2.000", "100%"]
    assert rows["total"] == ["4.00", "2.000"]
    assert rows["ocr_calls"] == ["4", "2.00"]
    assert profile_table([]) == "profile: no photo was read in this run"


def test_json_carries_the_timers_and_profile_prints_the_table(tmp_path, monkeypatch):
    real_scan = batch.scan

    def work(task, options, on_card=None):
        return process_task(task, options, on_card, read=timed_text_photo)

    def scan(paths, options, book, **kwargs):
        return real_scan(paths, replace(options, executor="inline"), book, work=work, **kwargs)

    monkeypatch.setattr(batch, "scan", scan)
    monkeypatch.setattr(workers, "check_dependencies", lambda lang: None)
    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "no-config.toml"))
    photos = tmp_path / "photos"
    write_photo(photos, "a.jpg", "Ana Gil\nana@x.es\n")
    write_photo(photos, "b.jpg", "Bo Li\n", "Cy Ng\ncy@z.org\n")
    result = CliRunner().invoke(main, ["scan", str(photos), "--out", str(tmp_path / "book"),
                                       "--json", "--profile", "-q"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3
    assert all(r["timers"]["ocr_calls"] == 2 for r in records)
    # two photos (b.jpg's two cards share its figures): counted once each
    assert "profile: 2 photos read" in result.stderr
    ocr_row = next(line for line in result.stderr.splitlines() if line.startswith("ocr "))
    assert ocr_row.split()[1:3] == ["2.00", "1.000"]
    assert "wall clock:" in result.stderr

    again = CliRunner().invoke(main, ["scan", str(photos), "--out", str(tmp_path / "book"),
                                      "--json", "-q"])
    assert all("timers" not in json.loads(line) for line in again.stdout.splitlines())
