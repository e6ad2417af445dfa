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
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz

from cardscan import vcard
from cardscan.errors import AmbiguousContactError, BookError, NotFoundError
from cardscan.merge import email_key, merge, phone_key
from cardscan.models import Contact, ScanStatus, utc_now
from cardscan.text import fold

log = logging.getLogger(__name__)

STATE_DIR = ".cardscan"
SCAN_LOG = "scanned.jsonl"
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"  # atomic_write's temp files
NAME_SIMILARITY = 90  # rapidfuzz token_sort_ratio for "a very similar name"
ORG_SIMILARITY = 85
DIFFERENT_PEOPLE = 60  # below this, a shared phone/email is a switchboard, not a duplicate
_SAFE_UID = re.compile(r"^[A-Za-z0-9@._+-]{1,200}$")




@dataclass
class AddResult:
    status: ScanStatus  # added | merged | unchanged
    contact: Contact
    path: Path
    merged_with: str | None = None  # UID of the contact merged into


@dataclass
class _Cached:
    stamp: tuple[int, int]  # (mtime_ns, size)
    contacts: list[Contact]  # every readable card of the file, in order
    problems: list[str]  # what could not be read, for the user


class Book:
    """A vdir contact book.

    A contact is addressed by the file (and the card within the file) it was read from,
    never by its UID alone: two files may carry one UID (copies another tool made) and
    one file several cards. Both are read, named in one warning, and written back without
    touching the other cards; `split_files` gives every card its own file.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._cache: dict[Path, _Cached] = {}
        self._kept_cache_read = False  # the parse cache of an earlier run was looked for
        self._cache_changed = False  # files were parsed (or went) since it was kept
        self._paths: dict[str, Path] = {}  # UID -> file it was read from (the first one)
        self._scan_cache: tuple[tuple[int, int], dict[str, list[str]]] | None = None
        self._warned: set[str] = set()
        #: files (display names) left out of the last read, with the reason
        self.problems: dict[str, str] = {}

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
        """Exclusive lock on the book, across processes (blocks until free).

        Every cardscan write into the book happens under this lock, so a temp file
        found while holding it was left by a writer that died (SIGKILL): removed.
        """
        self._ensure_dirs()
        lock_path = self.state_dir / "lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            for stale in self.path.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
                with contextlib.suppress(OSError):
                    stale.unlink()
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def path_for(self, uid: str) -> Path:
        """The file a contact is stored in (the existing one if the card came from elsewhere)."""
        known = self._paths.get(uid)
        if known is not None:
            return known
        return self.path / f"{_stem(uid)}.vcf"

    def _new_path(self, uid: str) -> Path:
        """A file for a new contact that takes no other contact's file."""
        target = self.path / f"{_stem(uid)}.vcf"
        if not target.exists():
            return target
        for n in range(1, 10_000):
            candidate = self.path / f"{_stem(uid)}-{n}.vcf"
            if not candidate.exists():
                return candidate
        raise BookError(f"no free file name for {uid}", self.path)

    # ------------------------------------------------------------ reading

    def contacts(self) -> list[Contact]:
        """Every readable contact (unreadable files are skipped with a warning), except the
        user's own card (`me`): nobody is introduced to, followed up with or listed as themselves."""
        # copies, so callers may edit them freely; pickle copies ~2.5x faster than deepcopy
        return _copy([c for c in self._load() if not c.is_me])

    def me(self) -> Contact | None:
        """The user's own card (``X-CARDSCAN-ME:TRUE``; the first one when several are marked)."""
        found = [c for c in self._load() if c.is_me]
        return _copy(found)[0] if found else None

    def _read_file(self, file: Path, stamp: tuple[int, int]) -> _Cached:
        shown = vcard.printable(file.name)
        if stamp[1] > vcard.MAX_CARD_FILE_BYTES:
            limit = vcard.MAX_CARD_FILE_BYTES // (1024 * 1024)
            return _Cached(stamp, [], [f"{shown}: {stamp[1] / 1048576:.1f} MB, more than the "
                                       f"{limit} MB a contact file may hold: not read"])
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            return _Cached(stamp, [], [f"{shown}: cannot read it: {exc}"])
        cards = vcard.read_cards(text)
        if not cards:
            return _Cached(stamp, [], [f"{shown}: no vCard found"])
        contacts: list[Contact] = []
        problems: list[str] = []
        for index, card in enumerate(cards):
            ref = file.name if index == 0 else f"{file.name}#{index}"
            if card.contact is None:
                where = f" (card {index + 1} of {len(cards)})" if len(cards) > 1 else ""
                problems.append(f"{shown}{where}: {card.error}")
                continue
            contact = card.contact
            if not card.has_uid:  # the same UID on every read, so the contact can be found again
                contact.uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.path}/{ref}"))
            contact.vcard_text, contact.book_ref = card.text, ref
            contacts.append(contact)
        return _Cached(stamp, contacts, problems)

    def _load(self) -> list[Contact]:
        if not self.path.is_dir():
            return []
        if not self._kept_cache_read:
            self._kept_cache_read = True
            self._cache = _read_parse_cache(self.path) or self._cache
        seen: set[Path] = set()
        parsed = 0
        result: list[Contact] = []
        self.problems = {}
        self._paths = {}
        files_by_uid: dict[str, list[str]] = {}
        several: list[str] = []
        for file in sorted(self.path.glob("*.vcf")):
            seen.add(file)
            try:
                stat = file.stat()
            except OSError:
                continue  # deleted meanwhile
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._cache.get(file)
            if cached is None or cached.stamp != stamp:
                cached = self._read_file(file, stamp)
                self._cache[file] = cached
                self._cache_changed = True
                parsed += 1
                for problem in cached.problems:
                    log.warning("cardscan: skipping unreadable contact %s", problem)
            for problem in cached.problems:
                self.problems[problem.split(":", 1)[0]] = problem
            if len(cached.contacts) > 1:
                several.append(vcard.printable(file.name))
            for contact in cached.contacts:
                self._paths.setdefault(contact.uid, file)
                files_by_uid.setdefault(contact.uid, []).append(vcard.printable(contact.book_ref))
                result.append(contact)
        for gone in set(self._cache) - seen:
            del self._cache[gone]
            self._cache_changed = True
        if parsed >= PARSE_CACHE_MIN_FILES:
            self._keep_parse_cache()
        if several:
            self._warn_once(f"cardscan: {', '.join(several)} hold several contacts each: all are "
                            "read and kept; `cardscan doctor --fix` gives each its own file")
        shared = [f"{' and '.join(files)} share the UID {uid}"
                  for uid, files in files_by_uid.items() if len(files) > 1]
        if shared:
            self._warn_once(f"cardscan: {'; '.join(shared)}: each is kept and written on its own")
        return result

    def keep_parse_cache(self) -> None:
        """Keep the contacts read from the book for the next run (see ``parse_cache_path``):
        a resumed batch, a `list` or a `search` then parses only the files changed since."""
        self._load()
        self._keep_parse_cache()

    def _keep_parse_cache(self) -> None:
        if not self._cache_changed:
            return
        target = parse_cache_path(self.path)
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            data = pickle.dumps({"version": (PARSE_CACHE_VERSION, _models_shape()),
                                 "book": str(self.path.resolve()),
                                 "files": {file.name: cached for file, cached in self._cache.items()}},
                                protocol=pickle.HIGHEST_PROTOCOL)
            atomic_write(target, data)
            self._cache_changed = False
        except (OSError, pickle.PicklingError) as exc:  # a cache: the book works without it
            log.debug("cardscan: parse cache not kept: %s", exc)

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            log.warning("%s", message)

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
                found = [c for c in cached.contacts if c.uid == uid]
                if found:
                    return _copy(found)[0]
        return self.get(uid)

    def get(self, key: str) -> Contact:
        """A contact by UID, UID prefix, email, or (part of) its name; unique match only."""
        key = key.strip()
        contacts = [c for c in self._load() if not c.is_me]
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
                return _copy(found)[0]
            if len(found) > 1:
                names = ", ".join(f"{c.display_name} ({vcard.printable(c.book_ref) or c.uid[:8]})"
                                  for c in found[:5])
                raise AmbiguousContactError(f"{key!r} matches {len(found)} contacts: {names}")
        raise NotFoundError(f"no contact matches {key!r} in {self.path}")

    def _find(self, contacts: list[Contact], key: Contact | str) -> Contact | None:
        """The stored contact ``key`` names: by the file it came from, else by UID."""
        if isinstance(key, Contact) and key.book_ref:
            return next((c for c in contacts if c.book_ref == key.book_ref), None)
        uid = key.uid if isinstance(key, Contact) else key
        return next((c for c in contacts if c.uid == uid), None)

    # ------------------------------------------------------------ writing

    def save(self, contact: Contact) -> Path:
        """Write one contact atomically: into the card it was read from, else a new file."""
        with self.lock():
            return self._write(contact, self._find(self._load(), contact))

    def _write(self, contact: Contact, before: Contact | None = None) -> Path:
        """Write ``contact``; ``before`` is the card as the book holds it now (under the lock).

        A card already in the book is edited in place (see `vcard.update_card`): only
        the properties that changed from ``before`` are rewritten, and the file's other
        cards are kept as they are.
        """
        self._ensure_dirs()
        if before is None or not before.book_ref:
            target = self._new_path(contact.uid)
            text = vcard.to_vcard(contact, photo=contact.photo_jpeg is not None)
            atomic_write(target, text.encode("utf-8"))
            contact.vcard_text, contact.book_ref = text, target.name
        else:
            file_name, _, index = before.book_ref.partition("#")
            target = self.path / file_name
            try:
                cards = vcard.split_cards(target.read_bytes().decode("utf-8-sig"))
            except (OSError, UnicodeDecodeError) as exc:
                raise BookError(f"cannot read {vcard.printable(file_name)} again: {exc}",
                                self.path) from exc
            position = int(index or 0)
            if position >= len(cards) or cards[position] != before.vcard_text:
                raise BookError(f"{vcard.printable(before.book_ref)} changed while it was "
                                "being written: try again", self.path)
            cards[position] = vcard.update_card(before.vcard_text, before, contact)
            atomic_write(target, vcard.join_cards(cards).encode("utf-8"))
            contact.vcard_text, contact.book_ref = cards[position], before.book_ref
        self._paths.setdefault(contact.uid, target)
        self._cache.pop(target, None)
        return target

    def update(self, key: Contact | str, change: Callable[[Contact], None]) -> Contact:
        """Re-read one contact inside the lock, apply ``change`` to it and write it back.

        ``key`` is a contact as read from the book (found again by its file) or a UID.
        What another process wrote to the contact meanwhile (a scan merging a new phone,
        `followups done`) is kept: only what ``change`` touches is replaced. Returns the
        contact as written. NotFoundError when it is no longer in the book.
        """
        with self.lock():
            current = self._find(self._load(), key)
            if current is None:
                name = key.book_ref or key.uid if isinstance(key, Contact) else key
                raise NotFoundError(f"contact {vcard.printable(name)} is no longer in {self.path}")
            fresh = copy.deepcopy(current)
            change(fresh)
            if _same(fresh, current):
                return fresh
            fresh.rev = utc_now()
            self._write(fresh, current)
            return copy.deepcopy(fresh)

    def file_of(self, contact: Contact) -> Path:
        """The file that holds a contact: its own (a foreign or several-card file is not
        named by UID), else where a new one would be written."""
        name = contact.book_ref.partition("#")[0]
        return self.path / (name or f"{_stem(contact.uid)}.vcf")

    def delete(self, uid: str) -> None:
        with self.lock():
            current = self._find(self._load(), uid)
            if current is None:
                raise NotFoundError(f"no contact with UID {uid}")
            file_name, _, index = current.book_ref.partition("#")
            target = self.path / file_name
            try:
                cards = vcard.split_cards(target.read_bytes().decode("utf-8-sig"))
                if len(cards) > 1:  # the file's other contacts stay
                    del cards[int(index or 0)]
                    atomic_write(target, vcard.join_cards(cards).encode("utf-8"))
                else:
                    target.unlink()
            except (OSError, UnicodeDecodeError) as exc:
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
                return AddResult(ScanStatus.ADDED, copy.deepcopy(contact), path)
            merged = merge(match, contact)
            path = self.file_of(match)
            if _same(merged, match):
                return AddResult(ScanStatus.UNCHANGED, copy.deepcopy(match), path, match.uid)
            merged.rev = utc_now()
            path = self._write(merged, match)
            return AddResult(ScanStatus.MERGED, merged, path, match.uid)

    def split_files(self) -> list[tuple[str, list[str]]]:
        """Give every card of a several-card file its own file (`doctor --fix`).

        Returns (file, new files) per file split. The new files are written before the
        old one is removed: a crash between leaves a copy, never a loss.
        """
        done: list[tuple[str, list[str]]] = []
        with self.lock():
            self._load()
            for file, cached in sorted(self._cache.items()):
                if len(cached.contacts) < 2 or cached.problems:
                    continue  # a file with an unreadable card is left for the user to look at
                written: list[str] = []
                for contact in cached.contacts:
                    target = self._new_path(contact.uid)
                    atomic_write(target, contact.vcard_text.encode("utf-8"))
                    written.append(target.name)
                file.unlink()
                _fsync_dir(self.path)
                done.append((vcard.printable(file.name), written))
            self._cache.clear()
            self._load()
        return done

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
        entry = {"sha256": sha256, "source": vcard.printable(source), "uids": list(uids),
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


#: Bump when what the parse cache holds changes meaning (its shape is checked by itself:
#: ``_models_shape``).
PARSE_CACHE_VERSION = 1
#: A read of the book that parsed this many files keeps them for the next run by itself.
PARSE_CACHE_MIN_FILES = 20


def parse_cache_path(book: Path) -> Path:
    """Where the contacts parsed from a book are kept between runs: the user's own cache
    directory (never the book, which other tools share and sync), one file per book."""
    import platformdirs

    from cardscan.config import APP

    key = hashlib.sha256(str(Path(book).expanduser().resolve()).encode("utf-8")).hexdigest()[:32]
    return Path(platformdirs.user_cache_dir(APP)) / "books" / f"{key}.pickle"


def _models_shape() -> str:
    """The fields of every dataclass a cached contact is made of: a cache written by a
    cardscan whose contacts had other fields is not read."""
    import dataclasses as dc
    import inspect

    from cardscan import models

    shape = sorted((name, tuple(f.name for f in dc.fields(cls)))
                   for name, cls in inspect.getmembers(models, inspect.isclass)
                   if dc.is_dataclass(cls))
    shape.append(("_Cached", tuple(f.name for f in dc.fields(_Cached))))
    return hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()[:16]


def _read_parse_cache(book: Path) -> dict[Path, _Cached]:
    """The parse cache of an earlier run (empty when there is none or it cannot be read).
    Each entry is used only while its file's mtime and size are the ones it was read at."""
    try:
        # the user's own cache directory, never the shared book: safe to unpickle
        data = pickle.loads(parse_cache_path(book).read_bytes())
        if data.get("version") != (PARSE_CACHE_VERSION, _models_shape()) \
                or data.get("book") != str(book.resolve()):
            return {}
        return {book / name: cached for name, cached in data["files"].items()
                if isinstance(cached, _Cached)}
    except Exception:  # missing, truncated, from another version: the book is parsed again
        return {}


def _stem(uid: str) -> str:
    return uid if _SAFE_UID.match(uid) else hashlib.sha1(uid.encode()).hexdigest()


def _copy(contacts: list[Contact]) -> list[Contact]:
    return pickle.loads(pickle.dumps(contacts, protocol=pickle.HIGHEST_PROTOCOL))


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, mode 0600 (temp file + fsync + rename)."""
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
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
    emails = {email_key(e.address) for e in new.emails}
    phones = {phone_key(p.number) for p in new.phones if len(phone_key(p.number)) >= 6}
    for old in contacts:
        if old.uid == new.uid:
            return old
        similarity = name_similarity(new, old)
        both_named = bool(_person(new) and _person(old))
        shared = bool(emails & {email_key(e.address) for e in old.emails}) or bool(
            phones & {phone_key(p.number) for p in old.phones}
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

