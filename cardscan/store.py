"""The contact book: a vdir (one ``<UID>.vcf`` per contact), as khard and vdirsyncer use.

Writes are atomic (temp file in the same folder, fsync, rename), files are 0600 and the
folder 0700. Every write takes an exclusive lock (``<book>/.cardscan/lock``) and re-reads
the book inside it, so two cardscan processes adding cards at once lose nothing.
cardscan's own state (lock, scan log, CardDAV ETags) lives in ``<book>/.cardscan/``,
a hidden folder other vdir tools ignore.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz

from cardscan import vcard
from cardscan.errors import BookError, NotFoundError
from cardscan.models import LOW_CONFIDENCE, Contact, Source, utc_now
from cardscan.text import fold

log = logging.getLogger(__name__)

STATE_DIR = ".cardscan"
SCAN_LOG = "scanned.jsonl"
NAME_SIMILARITY = 90  # rapidfuzz token_sort_ratio for "a very similar name"
ORG_SIMILARITY = 85
DIFFERENT_PEOPLE = 60  # below this, a shared phone/email is a switchboard, not a duplicate
_SAFE_UID = re.compile(r"^[A-Za-z0-9@._+-]{1,200}$")


class AmbiguousContactError(NotFoundError):
    """A name or prefix that matches more than one contact."""


@dataclass
class AddResult:
    status: Literal["added", "merged", "unchanged"]
    contact: Contact
    path: Path
    merged_with: str | None = None  # UID of the contact merged into


@dataclass
class _Cached:
    stamp: tuple[int, int]  # (mtime_ns, size)
    contact: Contact


class Book:
    """A vdir contact book."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._cache: dict[Path, _Cached] = {}
        self._paths: dict[str, Path] = {}  # UID -> file it was read from
        self._scan_cache: tuple[tuple[int, int], dict[str, list[str]]] | None = None

    # ------------------------------------------------------------ paths and locking

    @property
    def state_dir(self) -> Path:
        return self.path / STATE_DIR

    def _ensure_dirs(self) -> None:
        try:
            for folder in (self.path, self.state_dir):
                if not folder.is_dir():
                    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                    os.chmod(folder, 0o700)
        except OSError as exc:
            raise BookError(f"cannot create the contact book: {exc}", self.path) from exc

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock on the book, across processes (blocks until free)."""
        self._ensure_dirs()
        lock_path = self.state_dir / "lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def path_for(self, uid: str) -> Path:
        """The file a contact is stored in (the existing one if the card came from elsewhere)."""
        known = self._paths.get(uid)
        if known is not None:
            return known
        stem = uid if _SAFE_UID.match(uid) else hashlib.sha1(uid.encode()).hexdigest()
        return self.path / f"{stem}.vcf"

    # ------------------------------------------------------------ reading

    def contacts(self) -> list[Contact]:
        """Every readable contact (unreadable files are skipped with a warning)."""
        # copies, so callers may edit them freely; pickle copies ~2.5x faster than deepcopy
        return pickle.loads(pickle.dumps(self._load(), protocol=pickle.HIGHEST_PROTOCOL))

    def _load(self) -> list[Contact]:
        if not self.path.is_dir():
            return []
        seen: set[Path] = set()
        result: list[Contact] = []
        for file in sorted(self.path.glob("*.vcf")):
            seen.add(file)
            try:
                stat = file.stat()
            except OSError:
                continue  # deleted meanwhile
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._cache.get(file)
            if cached is None or cached.stamp != stamp:
                try:
                    contact = vcard.from_vcard(file.read_text(encoding="utf-8-sig"))
                except (OSError, UnicodeDecodeError, vcard.VCardError) as exc:
                    log.warning("skipping unreadable contact file %s: %s", file.name, exc)
                    self._cache.pop(file, None)
                    continue
                cached = _Cached(stamp, contact)
                self._cache[file] = cached
            self._paths[cached.contact.uid] = file
            result.append(cached.contact)
        for gone in set(self._cache) - seen:
            uid = self._cache.pop(gone).contact.uid
            if self._paths.get(uid) == gone:
                del self._paths[uid]
        return result

    def get_uid(self, uid: str) -> Contact:
        """The contact with this exact UID (a copy); cheap when the book was read before.

        Unlike :meth:`get`, it does not re-read the whole folder when the contact's own file
        is known and unchanged: resuming a batch of n photos stays O(n), not O(n^2).
        """
        file = self._paths.get(uid)
        cached = self._cache.get(file) if file is not None else None
        if cached is not None:
            try:
                stat = file.stat()  # type: ignore[union-attr]
            except OSError:
                stat = None
            if stat is not None and cached.stamp == (stat.st_mtime_ns, stat.st_size):
                return pickle.loads(pickle.dumps(cached.contact, protocol=pickle.HIGHEST_PROTOCOL))
        return self.get(uid)

    def get(self, key: str) -> Contact:
        """A contact by UID, UID prefix, email, or (part of) its name; unique match only."""
        key = key.strip()
        contacts = self._load()
        if not key:
            raise NotFoundError("no contact named")
        tests = [
            lambda c: c.uid == key,
            lambda c: len(key) >= 4 and c.uid.startswith(key),
            lambda c: any(e.address.lower() == key.lower() for e in c.emails),
            lambda c: fold(c.display_name, keep="@.+") == fold(key, keep="@.+"),
            lambda c: fold(key, keep="@.+") in _search_text(c),
        ]
        for test in tests:
            found = [c for c in contacts if test(c)]
            if len(found) == 1:
                return copy.deepcopy(found[0])
            if len(found) > 1:
                names = ", ".join(f"{c.display_name} ({c.uid[:8]})" for c in found[:5])
                raise AmbiguousContactError(f"{key!r} matches {len(found)} contacts: {names}")
        raise NotFoundError(f"no contact matches {key!r} in {self.path}")

    # ------------------------------------------------------------ writing

    def save(self, contact: Contact) -> Path:
        """Write one contact atomically (replacing its file if it exists)."""
        with self.lock():
            self._load()
            return self._write(contact)

    def _write(self, contact: Contact) -> Path:
        self._ensure_dirs()
        target = self.path_for(contact.uid)
        text = vcard.to_vcard(contact, photo=contact.photo_jpeg is not None)
        atomic_write(target, text.encode("utf-8"))
        self._paths[contact.uid] = target
        self._cache.pop(target, None)
        return target

    def update(self, uid: str, change: Callable[[Contact], None]) -> Contact:
        """Re-read one contact inside the lock, apply ``change`` to it and write it back.

        What another process wrote to the contact meanwhile (a scan merging a new phone,
        `followups done`) is kept: only what ``change`` touches is replaced. Returns the
        contact as written. NotFoundError when it is no longer in the book.
        """
        with self.lock():
            current = next((c for c in self._load() if c.uid == uid), None)
            if current is None:
                raise NotFoundError(f"contact {uid} is no longer in {self.path}")
            fresh = copy.deepcopy(current)
            change(fresh)
            fresh.rev = utc_now()
            self._write(fresh)
            return copy.deepcopy(fresh)

    def delete(self, uid: str) -> None:
        with self.lock():
            self._load()
            target = self._paths.get(uid)
            if target is None:
                raise NotFoundError(f"no contact with UID {uid}")
            try:
                target.unlink()
            except OSError as exc:
                raise BookError(f"cannot delete {target.name}: {exc}", self.path) from exc
            _fsync_dir(self.path)
            self._cache.pop(target, None)
            self._paths.pop(uid, None)

    def add(self, contact: Contact) -> AddResult:
        """Add a scanned contact, merging it into an existing duplicate if there is one."""
        with self.lock():
            existing = self._load()
            match = find_duplicate(contact, existing)
            if match is None:
                path = self._write(contact)
                return AddResult("added", copy.deepcopy(contact), path)
            merged = merge(match, contact)
            path = self.path_for(match.uid)
            if _same(merged, match):
                return AddResult("unchanged", copy.deepcopy(match), path, match.uid)
            merged.rev = utc_now()
            path = self._write(merged)
            return AddResult("merged", merged, path, match.uid)

    # ------------------------------------------------------------ resume support

    @property
    def scan_log(self) -> Path:
        return self.state_dir / SCAN_LOG

    def _scans(self) -> dict[str, list[str]]:
        try:
            stat = self.scan_log.stat()
        except OSError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._scan_cache and self._scan_cache[0] == stamp:
            return self._scan_cache[1]
        scans: dict[str, list[str]] = {}
        with open(self.scan_log, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                    scans[str(entry["sha256"])] = [str(u) for u in entry.get("uids", [])]
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line from a crash
        self._scan_cache = (stamp, scans)
        return scans

    def has_scanned(self, sha256: str) -> bool:
        return sha256 in self._scans()

    def uids_for_scan(self, sha256: str) -> list[str]:
        return list(self._scans().get(sha256, []))

    def mark_scanned(self, sha256: str, source: str, uids: list[str]) -> None:
        """Record that a photo was scanned (append-only JSONL, fsynced)."""
        entry = {"sha256": sha256, "source": source, "uids": list(uids),
                 "at": utc_now().isoformat()}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.lock():
            fd = os.open(self.scan_log, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = "\n" + line  # close a line torn by a crash
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)


# ---------------------------------------------------------------- helpers


def _append_new(items: list[Any], incoming: list[Any], key: Callable[[Any], str]) -> None:
    """Append copies of the incoming items whose key is not among ``items`` yet."""
    have = {key(item) for item in items}
    for item in incoming:
        if key(item) not in have:
            items.append(copy.deepcopy(item))
            have.add(key(item))


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, mode 0600 (temp file + fsync + rename)."""
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BookError(f"cannot write {target}: {reason}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise BookError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _search_text(contact: Contact) -> str:
    parts = [contact.display_name, contact.org, *(e.address for e in contact.emails)]
    return fold(" ".join(parts), keep="@.+")


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def _person(contact: Contact) -> str:
    name = contact.name
    return fold(" ".join(p for p in (name.given, name.middle, name.family) if p), keep="@.+")


def name_similarity(a: Contact, b: Contact) -> float:
    """0..100, order-insensitive, accent- and case-insensitive; 0 if either has no name."""
    left, right = _person(a), _person(b)
    if not left or not right:
        return 0.0
    return float(fuzz.token_sort_ratio(left, right))


def find_duplicate(new: Contact, contacts: list[Contact]) -> Contact | None:
    """The existing contact ``new`` duplicates, if any (best match first)."""
    best: tuple[float, Contact] | None = None
    emails = {e.address.casefold() for e in new.emails}
    phones = {_digits(p.number) for p in new.phones if len(_digits(p.number)) >= 6}
    for old in contacts:
        if old.uid == new.uid:
            return old
        similarity = name_similarity(new, old)
        both_named = bool(_person(new) and _person(old))
        shared = bool(emails & {e.address.casefold() for e in old.emails}) or bool(
            phones & {_digits(p.number) for p in old.phones}
        )
        score = 0.0
        if shared and not (both_named and similarity < DIFFERENT_PEOPLE):
            score = 100 + similarity
        elif (
            similarity >= NAME_SIMILARITY and new.org and old.org
            and fuzz.token_sort_ratio(fold(new.org, keep="@.+"),
                                      fold(old.org, keep="@.+")) >= ORG_SIMILARITY
        ):
            score = similarity
        if score and (best is None or score > best[0]):
            best = (score, old)
    return best[1] if best else None


def _same(a: Contact, b: Contact) -> bool:
    return replace(a, rev=b.rev) == b


def _source_key(source: Source) -> tuple[str, int]:
    return (source.sha256 or source.file, source.card_index)


def merge(old: Contact, new: Contact) -> Contact:
    """``old`` completed with what ``new`` adds; nothing the user typed is overwritten."""
    merged = copy.deepcopy(old)
    edited = old.user_edited
    old_sources = {_source_key(s) for s in old.sources}
    rescan = bool(new.sources) and all(_source_key(s) in old_sources for s in new.sources)

    def better(field: str, old_value: object, new_value: object) -> bool:
        if not new_value or field in edited:
            return False
        if not old_value:
            return True
        # a scan may replace what an earlier, poorer scan read, never what the user typed
        return (old.confidence.get(field, 1.0) < LOW_CONFIDENCE
                and new.confidence.get(field, 0.0) > old.confidence.get(field, 1.0))

    if better("name", old.name, new.name):
        merged.name = copy.deepcopy(new.name)
        _take_confidence(merged, new, "name")
    for field in ("title", "department", "org"):
        if better(field, getattr(old, field), getattr(new, field)):
            setattr(merged, field, getattr(new, field))
            _take_confidence(merged, new, field)
    if better("address", old.address, new.address):
        merged.address = copy.deepcopy(new.address)
        _take_confidence(merged, new, "address")

    def may_add(field: str) -> bool:
        # adding never overwrites; but a rescan of the same photo must not bring back
        # items the user deleted by hand
        return not (rescan and field in edited)

    if may_add("phones"):
        _append_new(merged.phones, new.phones, lambda p: _digits(p.number))
    if may_add("emails"):
        _append_new(merged.emails, new.emails, lambda e: e.address.casefold())
    if may_add("websites"):
        _append_new(merged.websites, new.websites, lambda w: _url_key(w.url))

    if new.note.strip() and new.note.strip() not in merged.note:
        merged.note = f"{merged.note.rstrip()}\n\n{new.note.strip()}" if merged.note else new.note
    _merge_annotations(merged, new)
    for source in new.sources:
        if _source_key(source) not in old_sources:
            merged.sources.append(copy.deepcopy(source))
            old_sources.add(_source_key(source))
    merged.user_edited = set(old.user_edited) | set(new.user_edited)
    if merged.photo_jpeg is None and new.photo_jpeg is not None:
        merged.photo_jpeg = new.photo_jpeg
    return merged


def _take_confidence(merged: Contact, new: Contact, field: str) -> None:
    if field in new.confidence:
        merged.confidence[field] = new.confidence[field]


def _merge_annotations(merged: Contact, new: Contact) -> None:
    mine, theirs = merged.annotations, new.annotations
    for field in ("met_at", "needs", "offer"):
        if not getattr(mine, field) and getattr(theirs, field):
            setattr(mine, field, getattr(theirs, field))
    for field in ("follow_up", "follow_up_done", "annotated_at"):
        if getattr(mine, field) is None and getattr(theirs, field) is not None:
            setattr(mine, field, getattr(theirs, field))
    mine.tags = list(dict.fromkeys([*mine.tags, *theirs.tags]))


def _url_key(url: str) -> str:
    key = url.lower().split("://", 1)[-1].removeprefix("www.")
    return key.rstrip("/")

