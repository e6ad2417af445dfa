"""Which photos a batch reads: discovery in folders, front/back pairs, content hashes."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cardscan.batch.model import Failure, ScanOptions
from cardscan.errors import InputError

#: File name extensions scanned when a folder is given (case-insensitive).
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif",
                              ".gif", ".bmp"})
#: Name endings that mark the back of a card; the front is the same name without it.
BACK_SUFFIXES = ("_back", "-back", " back", "_reverso", "-reverso")
FRONT_SUFFIXES = ("", "_front", "-front", " front", "_anverso", "-anverso")


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """Photos named by the user, folders searched recursively, in a deterministic order.

    Explicitly named files are kept whatever their extension (so bad input gets a
    clear error); in folders only image extensions count, hidden entries are
    skipped and symlinked folders are followed once (loops are cut).
    """
    found: list[Path] = []
    failures: list[Failure] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.absolute()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for path in paths:
        path = Path(path)
        try:
            st = path.stat()
        except OSError as exc:
            failures.append(Failure(path, os_reason(exc, path)))
            continue
        if stat.S_ISDIR(st.st_mode):
            before = len(found)
            _walk(path, add, failures, visited=set())
            if len(found) == before:
                kinds = ", ".join(sorted(e.lstrip(".") for e in IMAGE_EXTENSIONS))
                failures.append(Failure(path, f"no photos in this folder ({kinds})"))
        else:
            add(path)
    return found, failures


def _walk(folder: Path, add: Callable[[Path], None], failures: list[Failure],
          visited: set[tuple[int, int]]) -> None:
    try:
        st = folder.stat()
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:  # a symlink back to a folder already searched
        return
    visited.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        failures.append(Failure(folder, os_reason(exc, folder)))
        return
    for entry in entries:
        if _is_hidden(entry.name):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks; False for a symlink loop
        except OSError:
            is_dir = False
        if is_dir:
            _walk(path, add, failures, visited)
        elif path.suffix.lower() in IMAGE_EXTENSIONS:
            add(path)


def os_reason(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "broken symlink" if path.is_symlink() else "no such file or folder"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return exc.strerror or str(exc)


def pair_backs(photos: list[Path]) -> tuple[list[tuple[Path, ...]], list[Path]]:
    """Group "<name>_back.ext" with "<name>.ext" (or "<name>_front.ext") in the same folder.

    Returns (pairs, singles); a back without a front stays a single photo.
    """
    by_key: dict[tuple[Path, str], Path] = {}
    for photo in photos:
        by_key.setdefault((photo.parent, photo.stem.lower()), photo)
    paired: set[Path] = set()
    pairs: list[tuple[Path, ...]] = []
    for photo in photos:
        stem = photo.stem.lower()
        suffix = next((s for s in BACK_SUFFIXES if stem.endswith(s) and len(stem) > len(s)), None)
        if suffix is None or photo in paired:
            continue
        base = stem[: -len(suffix)]
        front = next((by_key[(photo.parent, base + f)] for f in FRONT_SUFFIXES
                      if (photo.parent, base + f) in by_key), None)
        if front is None or front in paired or front == photo:
            continue
        paired.update((front, photo))
        pairs.append((front, photo))
    return pairs, [p for p in photos if p not in paired]


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a file, read in chunks (cheap on memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def precheck(path: Path) -> str:
    """Hash a photo in the parent; raise InputError for what no worker should see."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(os_reason(exc, path), path) from exc
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file", path)
    if st.st_size == 0:
        raise InputError("empty file (0 bytes)", path)
    try:
        return file_sha256(path)
    except OSError as exc:
        raise InputError(os_reason(exc, path), path) from exc


def plan(paths: Sequence[Path], options: ScanOptions
          ) -> tuple[list[tuple[Path, ...]], list[Failure]]:
    """Discover the photos and group them into tasks (single photos and front/back pairs)."""
    explicit = [(Path(f), Path(b)) for f, b in options.pairs]
    photos, failures = discover(paths)
    in_pairs = {p.absolute() for pair in explicit for p in pair}
    photos = [p for p in photos if p.absolute() not in in_pairs]
    if options.pair_backs:
        pairs, singles = pair_backs(photos)
    else:
        pairs, singles = [], photos
    groups: list[tuple[Path, ...]] = [*explicit, *pairs, *((p,) for p in singles)]
    position = {p.absolute(): i for i, p in enumerate(photos)}
    # Keep discovery order: a pair sits where its front was found.
    groups.sort(key=lambda g: position.get(g[0].absolute(), -1))
    return groups, failures


