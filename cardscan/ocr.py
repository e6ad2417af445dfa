"""The Tesseract seam: the only module that runs Tesseract.

Two engines, chosen by ``CARDSCAN_OCR_ENGINE`` (default ``tesserocr`` when it imports):

``tesserocr``
    libtesseract (bundled in the tesserocr wheel) kept loaded in a small helper
    process, one per cardscan process, with one ``PyTessBaseAPI`` per language
    set. Loading ``spa+eng`` costs about as much as recognising a card, so
    keeping it loaded roughly halves the OCR time per card. The engine runs in a
    child process rather than in-process because a C library call cannot be
    interrupted: the parent waits with a deadline and kills the child when
    Tesseract hangs, then starts a fresh one on the next call. The child is
    started with ``OMP_THREAD_LIMIT=1`` in its own environment, before
    libtesseract loads.
``pytesseract``
    the ``tesseract`` command (``pytesseract.pytesseract.tesseract_cmd``), one
    subprocess per call, killed at the timeout. It is called directly rather
    than through ``pytesseract.image_to_data`` because pytesseract hands the
    parent's ``os.environ`` to the child, and ``OMP_THREAD_LIMIT=1`` must be set
    in the child's environment only.

When tesserocr is missing or its helper fails, calls fall back to the
``tesseract`` command. Every call goes through :func:`run_tesseract`, which
tests patch.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import pickle
import platform
import re
import selectors
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from cardscan.errors import MissingDependencyError, OcrError
from cardscan.models import CardImage, Line, OcrPage, Word

ENGINE_ENV = "CARDSCAN_OCR_ENGINE"
ENGINES = ("tesserocr", "pytesseract")
#: Tesseract's OpenMP threads fight each other in parallel workers (2.5x slower here).
CHILD_ENV = {"OMP_THREAD_LIMIT": "1"}
DPI = 300  # imaging renders cards at about 300 DPI
#: Page segmentation used for cards: automatic layout (cards mix blocks and columns).
READ_CONFIG = "--psm 3"
OSD_CONFIG = "--psm 0"

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/usr/local/share/tesseract-ocr/tessdata",
)


@dataclass
class TesseractInfo:
    version: str
    languages: list[str]


# ------------------------------------------------------------------ probing


def install_hint(langs: list[str] | None = None) -> str:
    """A one-line install instruction for this platform."""
    langs = langs or ["eng", "spa", "osd"]
    system = platform.system()
    if system == "Darwin":
        return "install it with: brew install tesseract tesseract-lang"
    if system == "Windows":
        return ("install it with: winget install UB-Mannheim.TesseractOCR "
                "(tick the Spanish language data)")
    if shutil.which("apt-get"):
        pkgs = " ".join(["tesseract-ocr"] + [f"tesseract-ocr-{lang}" for lang in langs])
        return f"install it with: sudo apt-get install {pkgs}"
    if shutil.which("dnf"):
        pkgs = " ".join(["tesseract"] + [f"tesseract-langpack-{lang}" for lang in langs
                                         if lang not in ("eng", "osd")])
        return f"install it with: sudo dnf install {pkgs}"
    if shutil.which("pacman"):
        pkgs = " ".join(["tesseract"] + [f"tesseract-data-{lang}" for lang in langs])
        return f"install it with: sudo pacman -S {pkgs}"
    return "install Tesseract 4 or 5 and its eng, spa and osd language data"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(CHILD_ENV)
    return env


def tesseract_cmd() -> str | None:
    """Path of the tesseract binary (honours pytesseract's tesseract_cmd), or None."""
    try:
        import pytesseract

        configured = pytesseract.pytesseract.tesseract_cmd
    except ImportError:
        configured = "tesseract"
    return shutil.which(configured) or (configured if Path(configured).is_file() else None)


def tessdata_dir() -> str | None:
    """The tessdata folder tesserocr should read (TESSDATA_PREFIX first)."""
    env = os.environ.get("TESSDATA_PREFIX")
    candidates = ([env, str(Path(env) / "tessdata")] if env else []) + list(TESSDATA_DIRS)
    for candidate in candidates:
        if candidate and any(Path(candidate).glob("*.traineddata")):
            return candidate
    return None


@functools.cache
def probe() -> TesseractInfo:
    """Tesseract's version and installed languages, probed once per process."""
    cmd = tesseract_cmd()
    if cmd:
        try:
            env = _child_env()
            version_out = subprocess.run([cmd, "--version"], capture_output=True, text=True,
                                         timeout=30, env=env)
            langs_out = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True,
                                       timeout=30, env=env)
        except (OSError, subprocess.SubprocessError) as exc:
            raise MissingDependencyError(f"tesseract cannot run ({exc}); {install_hint()}") from exc
        text = version_out.stdout + version_out.stderr
        match = re.search(r"tesseract\s+v?(\d+\.\d+[\w.\-]*)", text)
        version = match.group(1) if match else text.strip().splitlines()[0] if text else "?"
        languages = sorted(
            line.strip() for line in langs_out.stdout.splitlines()[1:] if line.strip()
        )
        return TesseractInfo(version=version, languages=languages)
    if _tesserocr_importable():
        import tesserocr

        path = tessdata_dir()
        languages = sorted(tesserocr.get_languages(path)[1]) if path else []
        if languages:
            return TesseractInfo(version=f"{tesserocr.tesseract_version().split()[1]} "
                                 "(libtesseract via tesserocr)", languages=languages)
    raise MissingDependencyError(f"tesseract is not installed; {install_hint()}")


def check_languages(lang: str) -> None:
    """Raise MissingDependencyError naming each language in ``lang`` that is not installed."""
    installed = set(probe().languages)
    missing = [code for code in lang.split("+") if code and code not in installed]
    if missing:
        raise MissingDependencyError(
            f"Tesseract language data missing: {', '.join(missing)}; {install_hint(missing)}"
        )


@functools.cache
def _tesserocr_importable() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


def engine_name() -> str:
    """The engine in force: CARDSCAN_OCR_ENGINE, else tesserocr when it imports."""
    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted and wanted not in ENGINES:
        raise MissingDependencyError(
            f"{ENGINE_ENV}={wanted!r} is not an OCR engine; use one of {', '.join(ENGINES)}"
        )
    if wanted == "pytesseract":
        return "pytesseract"
    if _tesserocr_importable() and tessdata_dir():
        return "tesserocr"
    return "pytesseract"


def describe_engine() -> str:
    """One line for `cardscan doctor`: which engine runs OCR and how."""
    name = engine_name()
    if name == "tesserocr":
        import tesserocr

        lib = tesserocr.tesseract_version().split()[1]
        return (f"tesserocr (libtesseract {lib}, kept loaded in a helper process, "
                f"tessdata {tessdata_dir()}); fallback: tesseract command")
    return f"pytesseract (tesseract command {tesseract_cmd() or 'not found'}, one process per card)"


# ------------------------------------------------------------------ TSV


TSV_INT_FIELDS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
                  "left", "top", "width", "height")


def parse_tsv(tsv: str) -> list[dict]:
    """Rows of Tesseract's TSV output (image_to_data), header optional, as dicts."""
    rows = []
    for raw in tsv.splitlines():
        parts = raw.split("\t")
        if len(parts) < 12 or parts[0] == "level":
            continue
        try:
            row: dict[str, Any] = {k: int(v) for k, v in zip(TSV_INT_FIELDS, parts, strict=False)}
            row["conf"] = float(parts[10])
        except ValueError:
            continue
        row["text"] = "\t".join(parts[11:])
        rows.append(row)
    return rows


def parse_osd(text: str) -> dict:
    """Tesseract's --psm 0 report as a dict (rotate, orient_conf, script, script_conf)."""
    out: dict[str, Any] = {}
    for key, name, kind in (("Rotate", "rotate", int),
                            ("Orientation confidence", "orient_conf", float),
                            ("Script", "script", str),
                            ("Script confidence", "script_conf", float)):
        match = re.search(rf"^{key}:\s*(\S+)", text, re.MULTILINE)
        if match:
            with contextlib.suppress(ValueError):
                out[name] = kind(match.group(1))
    return out


# ------------------------------------------------------------------ engines


def _run_cli(image: np.ndarray, lang: str, config: str, timeout: float, source: str) -> list[dict]:
    import cv2

    cmd = tesseract_cmd()
    if not cmd:
        raise MissingDependencyError(f"tesseract is not installed; {install_hint()}")
    osd = "--psm 0" in config
    with tempfile.TemporaryDirectory(prefix="cardscan-ocr-") as tmp:
        image_path = Path(tmp) / "card.png"
        cv2.imwrite(str(image_path), image)
        args = [cmd, str(image_path), "stdout", "-l", lang, "--dpi", str(DPI), *config.split()]
        if not osd:
            args.append("tsv")
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, env=_child_env())
        except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child
            raise OcrError(f"tesseract timed out after {timeout:g} s", source) from exc
        except OSError as exc:
            raise MissingDependencyError(f"tesseract cannot run ({exc}); {install_hint()}") from exc
    stdout = done.stdout.decode("utf-8", "replace")
    if osd:
        result = parse_osd(stdout + done.stderr.decode("utf-8", "replace"))
        return [result] if "rotate" in result else []
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"tesseract failed: {err[-1] if err else done.returncode}", source)
    return parse_tsv(stdout)


class _EngineServer:
    """A child process holding tesserocr engines; killed and restarted on a timeout."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.owner_pid = 0
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        env = _child_env()
        env["CARDSCAN_TESSDATA"] = tessdata_dir() or ""
        package_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cardscan.ocr import _serve; _serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        self.proc, self.owner_pid = proc, os.getpid()
        return proc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and self.owner_pid == os.getpid():
            proc.kill()
            proc.wait()

    def call(self, request: tuple, timeout: float, source: str) -> Any:
        with self.lock:
            if self.proc is None or self.owner_pid != os.getpid() or self.proc.poll() is not None:
                # a forked worker must not share its parent's helper
                self.proc = None
                self._start()
            proc = self.proc
            assert proc is not None and proc.stdin is not None and proc.stdout is not None
            payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                proc.stdin.write(struct.pack("<Q", len(payload)) + payload)
                proc.stdin.flush()
                header = _read_exact(proc.stdout, 8, time.monotonic() + timeout)
                size = struct.unpack("<Q", header)[0]
                body = _read_exact(proc.stdout, size, time.monotonic() + timeout)
            except TimeoutError as exc:
                self.stop()
                raise OcrError(f"tesseract timed out after {timeout:g} s", source) from exc
            except (OSError, EOFError) as exc:
                self.stop()
                raise _EngineBroken(str(exc)) from exc
        ok, value = pickle.loads(body)
        if not ok:
            raise OcrError(f"tesseract failed: {value}", source)
        return value


class _EngineBroken(Exception):
    """The tesserocr helper died or could not start: use the tesseract command instead."""


def _read_exact(stream: Any, size: int, deadline: float) -> bytes:
    chunks, remaining = [], size
    fd = stream.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError("OCR helper exited")
            chunks.append(chunk)
            remaining -= len(chunk)
    return b"".join(chunks)


_SERVER = _EngineServer()
atexit.register(_SERVER.stop)


def _serve() -> None:
    """The helper's loop: read (kind, lang, config, image) requests, answer (ok, value)."""
    import tesserocr

    path = os.environ.get("CARDSCAN_TESSDATA") or None
    apis: dict[tuple[str, int], tesserocr.PyTessBaseAPI] = {}
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return  # the parent went away
        request = pickle.loads(stdin.read(struct.unpack("<Q", header)[0]))
        try:
            value: Any = _serve_one(tesserocr, apis, path, *request)
            reply = (True, value)
        except Exception as exc:  # reported to the parent as an OcrError
            reply = (False, f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(struct.pack("<Q", len(data)) + data)
        stdout.flush()


def _serve_one(tesserocr: Any, apis: dict, path: str | None, lang: str, config: str,
               image: np.ndarray) -> list[dict]:
    match = re.search(r"--psm\s+(\d+)", config)
    psm = int(match.group(1)) if match else 3
    key = (lang, psm)
    if key not in apis:
        kwargs = {"path": path} if path else {}
        apis[key] = tesserocr.PyTessBaseAPI(lang=lang, psm=psm, **kwargs)
    api = apis[key]
    image = np.ascontiguousarray(image)
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels == 3:
        image = np.ascontiguousarray(image[:, :, ::-1])  # BGR -> RGB
    api.SetImageBytes(image.tobytes(), image.shape[1], image.shape[0], channels,
                      image.shape[1] * channels)
    api.SetSourceResolution(DPI)
    if psm == 0:
        osd = api.DetectOrientationScript()
        if not osd:
            return []
        return [{"rotate": (360 - int(osd["orient_deg"])) % 360,
                 "orient_conf": float(osd["orient_conf"]),
                 "script": osd.get("script_name", ""),
                 "script_conf": float(osd.get("script_conf", 0.0))}]
    api.Recognize()
    return parse_tsv(api.GetTSVText(0))


def run_tesseract(image: np.ndarray, lang: str, config: str = READ_CONFIG, timeout: float = 60,
                  source: str = "") -> list[dict]:
    """Run Tesseract once on ``image`` (gray or BGR uint8); every OCR call goes through here.

    Returns image_to_data rows (level, page/block/par/line/word numbers, box, conf, text),
    or for ``--psm 0`` (orientation detection) one dict with ``rotate`` (degrees clockwise
    that make the text upright) and ``orient_conf``; an empty list when OSD finds no text.
    Raises OcrError naming ``source`` on failure or timeout.
    """
    if engine_name() == "tesserocr":
        try:
            return _SERVER.call((lang, config, image), timeout, source)
        except _EngineBroken:
            pass  # fall back to the tesseract command below
    return _run_cli(image, lang, config, timeout, source)


# ------------------------------------------------------------------ reading


def _keep(text: str, conf: float) -> bool:
    """Drop Tesseract's noise: empty words and low-confidence specks with no letter or digit."""
    if not text.strip() or conf < 0:
        return False
    return conf >= 30 or any(ch.isalnum() for ch in text)


def page_from_rows(rows: list[dict], width: int = 0, height: int = 0, source: str = "") -> OcrPage:
    """Group image_to_data rows into lines of words, in Tesseract's reading order."""
    lines: dict[tuple[int, int, int, int], list[Word]] = {}
    for row in rows:
        if row.get("level") != 5:
            continue
        text, conf = str(row.get("text", "")).strip(), float(row.get("conf", -1))
        if not _keep(text, conf):
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(
            Word(text=text, confidence=max(0.0, min(1.0, conf / 100)), left=row["left"],
                 top=row["top"], width=row["width"], height=row["height"])
        )
    return OcrPage(lines=[Line(words) for words in lines.values() if words], width=width,
                   height=height, source=source)


def detect_orientation(image: np.ndarray, timeout: float = 30, source: str = "") -> tuple[int, float]:
    """Tesseract OSD: (degrees clockwise that make the text upright, confidence); (0, 0) if unsure."""
    try:
        rows = run_tesseract(image, "osd", OSD_CONFIG, timeout, source)
    except OcrError:
        return 0, 0.0
    if not rows:
        return 0, 0.0
    return int(rows[0].get("rotate", 0)) % 360, float(rows[0].get("orient_conf", 0.0))


#: A word read with at least this confidence counts as read well.
CONFIDENT_WORD = 0.6


def read_quality(page: OcrPage) -> tuple[int, float]:
    """(letters and digits in confidently read words, mean confidence per letter or digit).

    Text turned the wrong way still gives Tesseract output, but as low-confidence
    fragments: on the cards measured, upright text scored 0.8-0.95 and the same card
    turned 180 degrees 0.2-0.5.
    """
    confident, weighted, total = 0, 0.0, 0
    for line in page.lines:
        for word in line.words:
            chars = sum(ch.isalnum() for ch in word.text)
            total += chars
            weighted += word.confidence * chars
            if chars >= 2 and word.confidence >= CONFIDENT_WORD:
                confident += chars
    return confident, (weighted / total if total else 0.0)


#: A line added from a second read must be read at least this confidently.
MERGED_LINE_CONFIDENCE = 0.75


def merge_pages(base: OcrPage, extra: OcrPage) -> OcrPage:
    """``base`` plus the confidently read lines of ``extra`` that ``base`` did not read.

    From images of the same size (the same card enhanced two ways) a line is new when its box
    overlaps no line of ``base``; otherwise (the two images were laid out differently) when
    its text resembles no line of ``base``, and it goes below ``base``'s lines.
    """
    from rapidfuzz import fuzz

    same_frame = (base.width, base.height) == (extra.width, extra.height)

    def box(line: Line) -> tuple[int, int, int, int]:
        right = max(w.left + w.width for w in line.words)
        bottom = max(w.top + w.height for w in line.words)
        return line.left, line.top, right, bottom

    def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    def new(line: Line) -> bool:
        if same_frame:
            return not any(overlaps(box(line), box(other)) for other in base.lines)
        return all(fuzz.partial_ratio(line.text, other.text) < 70 for other in base.lines)

    added = [line for line in extra.lines
             if line.confidence >= MERGED_LINE_CONFIDENCE
             and sum(ch.isalnum() for ch in line.text) >= 3 and new(line)]
    if not added:
        return base
    if not same_frame:  # keep the two reading orders apart: the new lines go below
        shift = base.height
        added = [Line([replace(w, top=w.top + shift) for w in line.words]) for line in added]
    lines = sorted([*base.lines, *added], key=lambda line: (line.top, line.left))
    height = base.height if same_frame else base.height + extra.height
    return OcrPage(lines=lines, width=max(base.width, extra.width), height=height,
                   source=base.source)


#: A line with a word read below this confidence is read again on its own, larger.
WEAK_WORD = 0.75
#: At most this many lines of a card are read again (each costs a small OCR call).
MAX_REREAD_LINES = 3
LINE_CONFIG = "--psm 7"  # one line of text


def reread_weak_lines(image: np.ndarray, page: OcrPage, lang: str, timeout: float = 60
                      ) -> OcrPage:
    """Read again, alone and enlarged, the lines where a word came out weak.

    Tesseract sometimes drops the middle of a long word at small sizes ('alph i het.fr' for
    'alphonse.martineau@blanchet.fr'); the same line cut out and enlarged reads whole. The
    new reading replaces the line only when it is more confident.
    """
    # a weak speck ('|', 'ail' read from a logo) is not worth a call: a weak word is
    weak = [i for i, line in enumerate(page.lines)
            if any(w.confidence < WEAK_WORD and sum(c.isalnum() for c in w.text) >= 3
                   for w in line.words)]
    if not weak:
        return page
    import cv2

    lines = list(page.lines)
    for index in sorted(weak, key=lambda i: page.lines[i].confidence)[:MAX_REREAD_LINES]:
        line = lines[index]
        pad = max(4, line.height // 2)
        left, top = max(0, line.left - pad), max(0, line.top - pad)
        right = min(image.shape[1], max(w.left + w.width for w in line.words) + pad)
        bottom = min(image.shape[0], max(w.top + w.height for w in line.words) + pad)
        if right - left < 8 or bottom - top < 8:
            continue
        scale = 1.6
        strip = cv2.resize(image[top:bottom, left:right], None, fx=scale, fy=scale,
                           interpolation=cv2.INTER_CUBIC)
        try:
            rows = run_tesseract(strip, lang, LINE_CONFIG, timeout, page.source)
        except OcrError:
            continue
        again = page_from_rows(rows)
        words = [Word(w.text, w.confidence, left + round(w.left / scale), top + round(w.top / scale),
                      round(w.width / scale), round(w.height / scale))
                 for found in again.lines for w in found.words]
        if words and Line(words).confidence > line.confidence + 0.03:
            lines[index] = Line(words)
    return replace(page, lines=lines)


def read(card: CardImage, lang: str = "spa+eng", timeout: float = 60) -> OcrPage:
    """OCR one card: lines of words with boxes, heights and confidences."""
    source = card.source.name if card.source else ""
    image = card.image
    rows = run_tesseract(image, lang, READ_CONFIG, timeout, source)
    return page_from_rows(rows, width=image.shape[1], height=image.shape[0], source=source)
