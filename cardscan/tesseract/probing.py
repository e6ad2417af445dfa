"""Which Tesseract is installed, with which languages, and which engine runs it."""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cardscan.errors import MissingDependencyError

#: Environment variable choosing the engine: ``tesserocr`` (default when it imports) or
#: ``pytesseract`` (the ``tesseract`` command, one process per call).
ENGINE_ENV = "CARDSCAN_OCR_ENGINE"
ENGINES = ("tesserocr", "pytesseract")
#: Tesseract's OpenMP threads fight each other in parallel workers (2.5x slower here): set
#: in the environment of every Tesseract child, never in the parent's.
CHILD_ENV = {"OMP_THREAD_LIMIT": "1"}

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


def child_env() -> dict[str, str]:
    """The environment of a Tesseract child process."""
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
def tesserocr_importable() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def probe() -> TesseractInfo:
    """Tesseract's version and installed languages, probed once per process."""
    cmd = tesseract_cmd()
    if cmd:
        try:
            env = child_env()
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
    if tesserocr_importable():
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


def engine_name() -> str:
    """The engine in force: CARDSCAN_OCR_ENGINE, else tesserocr when it imports."""
    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted and wanted not in ENGINES:
        raise MissingDependencyError(
            f"{ENGINE_ENV}={wanted!r} is not an OCR engine; use one of {', '.join(ENGINES)}"
        )
    if wanted == "pytesseract":
        return "pytesseract"
    if tesserocr_importable() and tessdata_dir():
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
