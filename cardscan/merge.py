"""The one way two versions of a contact are combined.

Every place that joins contacts uses these functions and these identity keys:
a scan merged into a duplicate already in the book (`merge`), the two sides of a
card (`merge_sides`), the scan flags given to a whole batch (`apply_batch`), and
the compare-and-set of an edit against what another program wrote meanwhile
(`apply_changes`). Items are the same when their key is: a phone by its digits
(E.164 without the '+'), an e-mail by its case-folded address, a URL without
its scheme, ``www.`` and trailing slash.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from cardscan.models import LOW_CONFIDENCE, Annotations, Contact, HistoryEntry, Source

#: The contact fields a command may change, compared one by one by `apply_changes`.
CONTACT_FIELDS = ("name", "title", "department", "org", "phones", "emails", "websites", "address",
                  "note", "photo_jpeg")
ANNOTATION_FIELDS = ("met_at", "needs", "offer", "tags", "follow_up", "follow_up_done",
                     "annotated_at", "skipped", "every", "history")


def phone_key(number: str) -> str:
    """A phone's identity: its digits (+34 600 11 22 33 and 0034600112233 are not merged:
    only E.164 forms are compared, and the book stores E.164 when it knows the country)."""
    return re.sub(r"\D", "", number)


def email_key(address: str) -> str:
    return address.strip().removeprefix("mailto:").casefold()


def url_key(url: str) -> str:
    key = url.strip().lower().split("://", 1)[-1].removeprefix("www.")
    return key.rstrip("/")


def append_new(items: list[Any], incoming: list[Any], key: Callable[[Any], str]) -> None:
    """Append copies of the incoming items whose key is not among ``items`` yet."""
    have = {key(item) for item in items}
    for item in incoming:
        if key(item) not in have:
            items.append(copy.deepcopy(item))
            have.add(key(item))


def _source_key(source: Source) -> tuple[str, int]:
    return (source.sha256 or source.file, source.card_index)


def merge(old: Contact, new: Contact, *, fill_only: bool = False) -> Contact:
    """``old`` completed with what ``new`` adds; nothing the user typed is overwritten.

    A scan may replace a value an earlier, poorer scan read (low confidence), unless
    ``fill_only``: then ``new`` only fills what ``old`` lacks.
    """
    merged = copy.deepcopy(old)
    edited = old.user_edited
    old_sources = {_source_key(s) for s in old.sources}
    rescan = bool(new.sources) and all(_source_key(s) in old_sources for s in new.sources)

    def better(field: str, old_value: object, new_value: object) -> bool:
        if not new_value or field in edited:
            return False
        if not old_value:
            return True
        return (not fill_only and old.confidence.get(field, 1.0) < LOW_CONFIDENCE
                and new.confidence.get(field, 0.0) > old.confidence.get(field, 1.0))

    for field in ("name", "title", "department", "org", "address"):
        if better(field, getattr(old, field), getattr(new, field)):
            setattr(merged, field, copy.deepcopy(getattr(new, field)))
            if field in new.confidence:
                merged.confidence[field] = new.confidence[field]

    def may_add(field: str) -> bool:
        # adding never overwrites; but a rescan of the same photo must not bring back
        # items the user deleted by hand
        return not (rescan and field in edited)

    if may_add("phones"):
        append_new(merged.phones, new.phones, lambda p: phone_key(p.number))
    if may_add("emails"):
        append_new(merged.emails, new.emails, lambda e: email_key(e.address))
    if may_add("websites"):
        append_new(merged.websites, new.websites, lambda w: url_key(w.url))

    if new.note.strip() and new.note.strip() not in merged.note:
        merged.note = f"{merged.note.rstrip()}\n\n{new.note.strip()}" if merged.note else new.note
    merge_annotations(merged.annotations, new.annotations)
    for source in new.sources:
        if _source_key(source) not in old_sources:
            merged.sources.append(copy.deepcopy(source))
            old_sources.add(_source_key(source))
    merged.user_edited = set(old.user_edited) | set(new.user_edited)
    if merged.photo_jpeg is None and new.photo_jpeg is not None:
        merged.photo_jpeg = new.photo_jpeg
    return merged


def merge_sides(front: Contact, back: Contact) -> Contact:
    """One contact from both sides of a card: the front wins, the back fills the gaps."""
    return merge(front, back, fill_only=True)


def merge_annotations(mine: Annotations, theirs: Annotations) -> bool:
    """Fill ``mine``'s empty answers from ``theirs`` and add their tags; True if it changed.

    An answer already given is never replaced: this is how the scan flags
    (`--met-at`, `--tag`...) reach a card, and how a duplicate's answers are kept.
    """
    before = copy.deepcopy(mine)
    for field in ("met_at", "needs", "offer", "follow_up", "follow_up_done", "annotated_at", "every"):
        if not getattr(mine, field) and getattr(theirs, field):
            setattr(mine, field, getattr(theirs, field))
    mine.history = merge_history(mine.history, theirs.history)
    seen = {tag.casefold() for tag in mine.tags}
    for tag in theirs.tags:
        if tag.casefold() not in seen:
            mine.tags.append(tag)
            seen.add(tag.casefold())
    return mine != before


def merge_history(mine: list[HistoryEntry], theirs: list[HistoryEntry]) -> list[HistoryEntry]:
    """Both histories, each entry once, in date order (a stable sort: same-day entries keep
    the order they were recorded in)."""
    joined = list(mine)
    for entry in theirs:
        if entry not in joined:
            joined.append(copy.deepcopy(entry))
    return sorted(joined, key=lambda e: e.day)


def apply_batch(contact: Contact, batch: Annotations) -> bool:
    """The scan flags given for a whole batch, applied to one contact (see merge_annotations)."""
    return merge_annotations(contact.annotations, batch)


def apply_changes(base: Contact, mine: Contact, stored: Contact) -> list[tuple[str, str]]:
    """Compare-and-set per field: write into ``stored`` what ``mine`` changed since ``base``.

    ``base`` is the contact as this command read it, ``mine`` as the command left it and
    ``stored`` as the book holds it now (re-read under the lock). A field this command did
    not change keeps what ``stored`` has, whoever wrote it. When both changed one field,
    this command's value is written (the user just typed it) and the field is returned
    with the other program's value, for the user to be told; tags are merged instead.
    """
    conflicts: list[tuple[str, str]] = []

    def settle(owner: Any, base_owner: Any, stored_owner: Any, field: str) -> None:
        was, now, theirs = (getattr(o, field) for o in (base_owner, owner, stored_owner))
        if now in (was, theirs):
            return
        if field == "history" and theirs != was:  # entries are only appended: keep both sides
            setattr(stored_owner, field, merge_history(theirs, [e for e in now if e not in was]))
            return
        if field == "tags" and theirs != was:
            added = [t for t in now if t not in was]
            dropped = set(was) - set(now)
            setattr(stored_owner, field, [t for t in theirs if t not in dropped] +
                    [t for t in added if t not in theirs])
            return
        if theirs != was:
            conflicts.append((field, _shown(theirs)))
        setattr(stored_owner, field, copy.deepcopy(now))

    for field in CONTACT_FIELDS:
        settle(mine, base, stored, field)
        if field in mine.confidence and getattr(mine, field) != getattr(base, field):
            stored.confidence[field] = mine.confidence[field]
    for field in ANNOTATION_FIELDS:
        settle(mine.annotations, base.annotations, stored.annotations, field)
    stored.user_edited |= mine.user_edited - base.user_edited
    return conflicts


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
