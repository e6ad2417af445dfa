"""The HTML review page, checked as headless Chromium renders it."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from cardscan.batch import CardOutcome, Failure
from cardscan.models import Contact, Email, Name, Phone, PhoneType, Source
from cardscan.reading import encode_crop
from cardscan.report import render, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _outcomes() -> tuple[list[CardOutcome], list[Failure]]:
    crop = np.full((300, 520, 3), 240, np.uint8)
    crop[100:140, 40:400] = 30
    ana = Contact(name=Name("Ana", "Gil", confidence=0.95), org="Acme <SL> & Co",
                  phones=[Phone("+34612345678", PhoneType.CELL, confidence=0.9)],
                  emails=[Email("ana@acme.es", confidence=0.3)], confidence={"org": 0.9})
    evil = Contact(name=Name("<script>alert(1)</script>", "X"), emails=[Email("x@y.com")])
    cards = [
        CardOutcome("added", ana, Source("ana.jpg"), ana.uid, crop_jpeg=encode_crop(crop),
                    ocr_text="Ana Gil\nana@acme.es"),
        CardOutcome("merged", evil, Source("evil.jpg", card_index=1), evil.uid, crop_jpeg=None),
    ]
    failures = [Failure(Path("/p/bad <1>.jpg"), "not an image & not a PDF")]
    return cards, failures


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts_outside_head = 0
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        self.in_body = self.in_body or tag == "body"
        if tag == "script" and self.in_body:
            self.scripts_outside_head += 1


def test_render_escapes_everything_and_embeds_images():
    cards, failures = _outcomes()
    page = render(cards, failures)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Acme &lt;SL&gt; &amp; Co" in page
    assert 'src="data:image/jpeg;base64,' in page
    assert "http://" not in page and "https://" not in page  # self-contained
    parser = _Text()
    parser.feed(page)
    assert parser.scripts_outside_head == 0


def test_write_report_is_atomic_and_replaces(tmp_path):
    cards, failures = _outcomes()
    target = tmp_path / "out" / "review.html"
    write_report(cards, failures, target)
    write_report(cards[:1], [], target)
    assert "evil.jpg" not in target.read_text()
    assert [p.name for p in target.parent.iterdir()] == ["review.html"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)")
def test_chromium_shows_crops_fields_highlights_merges_and_failures(tmp_path):
    cards, failures = _outcomes()
    page = write_report(cards, failures, tmp_path / "review.html")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert "<body" in dom, done.stderr[-500:]
    # the crop decoded as an image in the browser
    assert re.search(r'<img[^>]*class="crop"[^>]*data-decoded="yes"', dom) or \
        re.search(r'<img[^>]*data-decoded="yes"[^>]*class="crop"', dom), dom[:2000]
    # fields beside it; the low-confidence email highlighted, the confident phone not
    assert re.search(r'<tr class="low" data-field="email"[^>]*>.*?ana@acme\.es', dom)
    assert re.search(r'<tr data-field="tel"[^>]*><th>Phone \(cell\)</th><td>\+34612345678', dom)
    assert "Acme &lt;SL&gt; &amp; Co" in dom
    # escaped text stays text: no injected element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    # merges and failures listed
    merges = re.search(r'<ul id="merges">(.*?)</ul>', dom, re.S)
    assert merges and "evil.jpg" in merges.group(1)
    fails = re.search(r'<ul id="failures">(.*?)</ul>', dom, re.S)
    assert fails and "bad &lt;1&gt;.jpg" in fails.group(1)
    assert "not an image &amp; not a PDF" in fails.group(1)
    assert "1 added" in dom and "1 merged" in dom and "1 failed" in dom
