"""Every kind of bad input gets one clear line naming the file, and the batch goes on."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cardscan import batch
from cardscan.batch import ScanOptions, discovery
from cardscan.cli import main
from cardscan.errors import ExitCode
from cardscan.store import Book

ROOT = Path(__file__).resolve().parents[1]


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height but holds almost no data (nothing is allocated)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _jpeg_bytes() -> bytes:
    import cv2

    image = np.full((300, 500, 3), 235, np.uint8)
    cv2.putText(image, "Ana Gil", (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 3)
    return cv2.imencode(".jpg", image)[1].tobytes()


@pytest.fixture
def bad_folder(tmp_path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "truncated.jpg").write_bytes(_jpeg_bytes()[:400])
    (folder / "notes.jpg").write_text("this is a text file, not a photo\n")
    (folder / "huge.png").write_bytes(_png_header(20000, 20000))
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    (folder / "dangling.jpg").symlink_to(folder / "nowhere.jpg")
    os.mkfifo(folder / "pipe.jpg")  # reading it would block forever
    pdf = tmp_path / "brochure.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    return folder


EXPECTED = {
    "empty.jpg": r"empty",
    "truncated.jpg": r"truncated|corrupt|not an image",
    "notes.jpg": r"not an image",
    "huge.png": r"20000x20000|limit|too large",
    "loop.jpg": r"symlink loop",
    "dangling.jpg": r"broken symlink",
    "pipe.jpg": r"not a regular file",
    "brochure.pdf": r"PDF",
}


def test_each_bad_input_gets_one_clear_line(bad_folder, tmp_path):
    """Real loading in real worker processes; none of these reaches Tesseract."""
    book = Book(tmp_path / "book")
    summary = batch.scan([bad_folder, tmp_path / "brochure.pdf"], ScanOptions(jobs=2), book,
                            check_dependencies=False)
    reasons = {f.path.name: f.reason for f in summary.failures}
    assert set(reasons) == set(EXPECTED)
    for name, pattern in EXPECTED.items():
        assert re.search(pattern, reasons[name], re.IGNORECASE), (name, reasons[name])
        assert "\n" not in reasons[name] and "Traceback" not in reasons[name]
    assert summary.cards == [] and summary.exit_code == ExitCode.ALL_FAILED
    assert book.contacts() == []


@pytest.mark.tesseract
def test_bad_input_beside_good_cards_exits_some_failed(bad_folder, tmp_path, monkeypatch):
    from imagegen import render_card, save

    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "none.toml"))
    save(bad_folder / "good.png", render_card(
        ["Ana Gil Moreno", "Gerente", "Moreno y Gil S.L.", "Tel. +34 91 555 0101",
         "ana.gil@morenogil.es"]).image)
    save(bad_folder / "blank.png", np.full((700, 1000, 3), 255, np.uint8))
    result = CliRunner().invoke(main, ["--book", str(tmp_path / "book"), "scan", str(bad_folder),
                                       str(tmp_path / "brochure.pdf"), "--jobs", "2"])
    assert result.exit_code == ExitCode.SOME_FAILED, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("cardscan: 1 ")]
    named = {line.split(":")[1].strip() for line in lines if line.startswith("cardscan: ")}
    assert named >= set(EXPECTED) | {"blank.png"}
    assert "cardscan: blank.png: no text found" in lines
    assert "ana.gil@morenogil.es" in result.stdout
    assert len(Book(tmp_path / "book").contacts()) == 1


def test_unreadable_file(tmp_path):
    """chmod 000 does not stop root, so as root the scan runs as the user nobody."""
    as_root = os.geteuid() == 0
    if as_root and not hasattr(os, "setuid"):
        pytest.skip("cannot drop privileges here")
    base = Path(tempfile.mkdtemp(prefix="cardscan-unreadable-"))
    try:
        base.chmod(0o777)
        locked = base / "locked.jpg"
        locked.write_bytes(_jpeg_bytes())
        locked.chmod(0o000)
        book = base / "book"
        env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=str(base),
                   CARDSCAN_CONFIG=str(base / "none.toml"))
        preexec = None
        if as_root:
            def preexec() -> None:
                os.setgid(65534)
                os.setuid(65534)
        try:
            done = subprocess.run([sys.executable, "-m", "cardscan", "--book", str(book), "scan",
                                   str(locked), "-q"], cwd=base, env=env, capture_output=True,
                                  text=True, timeout=120, preexec_fn=preexec)
        except PermissionError:
            pytest.skip("running as root and the user nobody cannot execute this Python "
                        f"({sys.executable}); see test_unreadable_file_message")
        if "Permission denied" in done.stderr and "locked.jpg" not in done.stderr:
            pytest.skip(f"the user nobody cannot run this Python: {done.stderr[-200:]}")
        assert done.returncode == ExitCode.ALL_FAILED, done.stderr
        assert "cardscan: locked.jpg: permission denied" in done.stderr.splitlines()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_unreadable_file_message(tmp_path, monkeypatch):
    """The message for a file the user may not read (simulated: root reads everything)."""
    import errno

    photo = tmp_path / "locked.jpg"
    photo.write_bytes(b"\xff\xd8 not really")

    def denied(path, chunk=0):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(discovery, "file_sha256", denied)
    summary = batch.scan([photo], ScanOptions(executor="inline"), Book(tmp_path / "book"),
                            check_dependencies=False)
    assert [f.line() for f in summary.failures] == ["locked.jpg: permission denied"]
