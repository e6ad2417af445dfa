"""Running Tesseract: the ``OcrEngine`` protocol and the real engine behind it.

``TesseractEngine`` picks its backend by ``CARDSCAN_OCR_ENGINE`` (default ``tesserocr`` when
it imports):

``tesserocr``
    libtesseract (bundled in the tesserocr wheel) kept loaded in a small helper process, one
    per cardscan process, with one ``PyTessBaseAPI`` per language set (the page mode is set
    on each call). Loading
    ``spa+eng`` costs about as much as recognising a card, so keeping it loaded roughly halves
    the OCR time per card. It runs in a child process because a C library call cannot be
    interrupted: the parent waits with a deadline and kills the child when Tesseract hangs,
    then starts a fresh one on the next call. The child gets ``OMP_THREAD_LIMIT=1`` in its own
    environment, before libtesseract loads.
``pytesseract``
    the ``tesseract`` command (``pytesseract.pytesseract.tesseract_cmd``), one subprocess per
    call, killed at the timeout. It is called directly rather than through
    ``pytesseract.image_to_data`` because pytesseract hands the parent's ``os.environ`` to the
    child, and ``OMP_THREAD_LIMIT=1`` must be set in the child's environment only.

When tesserocr is missing or its helper fails, calls fall back to the ``tesseract`` command.
"""

from __future__ import annotations

import atexit
import os
import pickle
import selectors
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cardscan.errors import MissingDependencyError, OcrError
from cardscan.models import OcrPage
from cardscan.tesseract.probing import (
    CHILD_ENV,
    child_env,
    engine_name,
    install_hint,
    tessdata_dir,
    tesseract_cmd,
)
from cardscan.tesseract.tsv import page_from_rows, parse_tsv

if TYPE_CHECKING:  # numpy loads in the processes that read photos, not in every command
    import numpy as np

__all__ = ["BLOCK_PSM", "CHILD_ENV", "DPI", "LINE_PSM", "PAGE_PSM", "OcrEngine", "TesseractEngine",
           "default_engine"]

#: The reading path renders cards at about 300 DPI.
DPI = 300
#: Page segmentation for a whole card: automatic layout (cards mix blocks and columns).
PAGE_PSM = 3
#: Page segmentation for one line of text cut out of a card.
LINE_PSM = 7
#: Page segmentation for a block of lines cut out of a card (rows the page read left out).
BLOCK_PSM = 6


class OcrEngine(Protocol):
    """What the reading path needs from an OCR engine; tests implement it with fakes."""

    def read(self, image: np.ndarray, lang: str, *, psm: int = PAGE_PSM, timeout: float = 60,
             source: str = "") -> OcrPage:
        """Recognise ``image`` (gray or BGR uint8); raise OcrError naming ``source``."""
        ...

    def warm_up(self, lang: str) -> None:
        """Load what the first ``read`` would load (called once per worker)."""
        ...


class TesseractEngine:
    """The real engine: the loaded helper process, else the ``tesseract`` command."""

    def __init__(self) -> None:
        self._server = _HelperProcess()
        atexit.register(self._server.stop)

    def read(self, image: np.ndarray, lang: str, *, psm: int = PAGE_PSM, timeout: float = 60,
             source: str = "") -> OcrPage:
        rows = self.rows(image, lang, psm=psm, timeout=timeout, source=source)
        return page_from_rows(rows, width=image.shape[1], height=image.shape[0], source=source)

    def rows(self, image: np.ndarray, lang: str, *, psm: int = PAGE_PSM, timeout: float = 60,
             source: str = "") -> list[dict[str, Any]]:
        """Tesseract's TSV rows for ``image``: the one function that runs Tesseract."""
        if engine_name() == "tesserocr":
            try:
                return self._server.call((lang, psm, image), timeout, source)
            except _HelperBroken:
                pass  # fall back to the tesseract command below
        return run_command(image, lang, psm, timeout, source)

    def warm_up(self, lang: str) -> None:
        """A tiny blank page loads the language models into this process's helper."""
        import numpy as np

        try:
            self.rows(np.full((48, 48), 255, np.uint8), lang, timeout=60)
        except Exception:  # warming is an optimisation; the real call reports any error
            return

    def stop(self) -> None:
        self._server.stop()


_DEFAULT: TesseractEngine | None = None


def default_engine() -> TesseractEngine:
    """This process's engine (created on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = TesseractEngine()
    return _DEFAULT


# ------------------------------------------------------------------ the command


def run_command(image: np.ndarray, lang: str, psm: int, timeout: float,
                source: str) -> list[dict[str, Any]]:
    """One ``tesseract IMAGE stdout tsv`` process, killed at ``timeout``."""
    import cv2

    cmd = tesseract_cmd()
    if not cmd:
        raise MissingDependencyError(f"tesseract is not installed; {install_hint()}")
    with tempfile.TemporaryDirectory(prefix="cardscan-ocr-") as tmp:
        image_path = Path(tmp) / "card.png"
        cv2.imwrite(str(image_path), image)
        args = [cmd, str(image_path), "stdout", "-l", lang, "--dpi", str(DPI),
                "--psm", str(psm), "tsv"]
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, env=child_env())
        except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child
            raise OcrError(f"tesseract timed out after {timeout:g} s", source) from exc
        except OSError as exc:
            raise MissingDependencyError(f"tesseract cannot run ({exc}); {install_hint()}") from exc
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"tesseract failed: {err[-1] if err else done.returncode}", source)
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


# ------------------------------------------------------------------ the helper process


class _HelperBroken(Exception):
    """The tesserocr helper died or could not start: use the tesseract command instead."""


class _HelperProcess:
    """A child process holding tesserocr engines; killed and restarted on a timeout."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.owner_pid = 0
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        env = child_env()
        env["CARDSCAN_TESSDATA"] = tessdata_dir() or ""
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cardscan.tesseract.engine import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        self.proc, self.owner_pid = proc, os.getpid()
        return proc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and self.owner_pid == os.getpid():
            proc.kill()
            proc.wait()

    def call(self, request: tuple[str, int, np.ndarray], timeout: float, source: str) -> Any:
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
                raise _HelperBroken(str(exc)) from exc
        ok, value = pickle.loads(body)
        if not ok:
            raise OcrError(f"tesseract failed: {value}", source)
        return value


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


def serve() -> None:
    """The helper's loop: read (lang, psm, image) requests, answer (ok, rows or error)."""
    import tesserocr

    path = os.environ.get("CARDSCAN_TESSDATA") or None
    # one engine per language set, its page mode set on each call: a card's weak lines
    # (LINE_PSM) reuse the models the page read loaded (0.2 s and 20 MB less per worker)
    apis: dict[str, Any] = {}
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return  # the parent went away
        lang, psm, image = pickle.loads(stdin.read(struct.unpack("<Q", header)[0]))
        try:
            if lang not in apis:
                apis[lang] = tesserocr.PyTessBaseAPI(lang=lang, psm=psm,
                                                     **({"path": path} if path else {}))
            api = apis[lang]
            api.SetPageSegMode(psm)
            reply: tuple[bool, Any] = (True, _recognise(api, image))
        except Exception as exc:  # reported to the parent as an OcrError
            reply = (False, f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(struct.pack("<Q", len(data)) + data)
        stdout.flush()


def _recognise(api: Any, image: np.ndarray) -> list[dict[str, Any]]:
    import numpy as np

    image = np.ascontiguousarray(image)
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels == 3:
        image = np.ascontiguousarray(image[:, :, ::-1])  # BGR -> RGB
    api.SetImageBytes(image.tobytes(), image.shape[1], image.shape[0], channels,
                      image.shape[1] * channels)
    api.SetSourceResolution(DPI)
    api.Recognize()
    return parse_tsv(api.GetTSVText(0))
