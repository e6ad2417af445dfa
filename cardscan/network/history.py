"""What was done with each contact: gifts, introductions, follow-ups; keep-in-touch periods.

Pure functions over contacts. Each entry is a `HistoryEntry` in ``annotations.history``
(one ``X-CARDSCAN-HISTORY`` line of the vCard); `timeline` adds what the contact already
records (met at, annotated) so `show` can print one story in date order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta

from cardscan.models import Contact, HistoryEntry, HistoryKind
from cardscan.text import fold

# ---------------------------------------------------------------- keep in touch

_PERIOD = re.compile(r"^P(\d{1,3})([DWMY])$")
_UNITS = {
    "d": "D", "day": "D", "days": "D", "dia": "D", "dias": "D",
    "w": "W", "s": "W", "week": "W", "weeks": "W", "semana": "W", "semanas": "W",
    "m": "M", "month": "M", "months": "M", "mes": "M", "meses": "M",
    "y": "Y", "a": "Y", "year": "Y", "years": "Y", "ano": "Y", "anos": "Y",
}  # fmt: skip
_EVERY_WORDS = ("every", "each", "cada", "todos los", "todas las")
_OFF = {"off", "no", "none", "never", "nunca", "ninguno", "-", ""}


def parse_every(text: str) -> str:
    """'6w', '+6w', '3m', 'every 3 months', 'cada 2 semanas' -> 'P6W' / 'P3M' / 'P2W'.

    'off', 'no', 'nunca', '-' or '' -> '' (no repeat). ValueError for anything else,
    and for a period under one day or over ten years.
    """
    folded = fold(text, squeeze=True)
    if folded in _OFF:
        return ""
    if _PERIOD.match(folded.upper()):
        return folded.upper()
    for word in _EVERY_WORDS:
        folded = folded.removeprefix(word).strip()
    match = re.fullmatch(r"\+?\s*(\d{1,3})?\s*([a-z]+)", folded)
    unit = _UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise ValueError(text)
    amount = int(match.group(1) or 1)
    if amount == 0 or amount * {"D": 1, "W": 7, "M": 30, "Y": 365}[unit] > 3660:
        raise ValueError(text)
    return f"P{amount}{unit}"


def add_period(day: date, period: str) -> date:
    """``day`` plus an ISO period ('P3M' from 31 January is 30 April, clamped to the month)."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError(period)
    amount, unit = int(match.group(1)), match.group(2)
    step = {"D": relativedelta(days=amount), "W": relativedelta(weeks=amount),
            "M": relativedelta(months=amount), "Y": relativedelta(years=amount)}[unit]
    return day + step


def describe_period(period: str, lang: str) -> str:
    """'P3M' -> 'every 3 months' / 'cada 3 meses'."""
    match = _PERIOD.match(period)
    if match is None:
        return period
    amount, unit = int(match.group(1)), match.group(2)
    words = {"en": {"D": ("day", "days"), "W": ("week", "weeks"), "M": ("month", "months"),
                    "Y": ("year", "years")},
             "es": {"D": ("día", "días"), "W": ("semana", "semanas"), "M": ("mes", "meses"),
                    "Y": ("año", "años")}}
    one, many = words.get(lang, words["en"])[unit]
    every = "cada" if lang == "es" else "every"
    return f"{every} {one}" if amount == 1 else f"{every} {amount} {many}"


def set_every(contact: Contact, period: str, today: date) -> None:
    """Keep in touch with ``contact`` every ``period`` ('' stops it). Without an open
    follow-up, the first one is scheduled one period from ``today``."""
    from cardscan.network.followups import pending_date

    contact.annotations.every = period
    if period and pending_date(contact) is None:
        contact.annotations.follow_up = add_period(today, period)


# ---------------------------------------------------------------- entries


def add_entry(contact: Contact, entry: HistoryEntry) -> bool:
    """Append ``entry`` (once: the same entry recorded twice is one); True when added."""
    if entry in contact.annotations.history:
        return False
    contact.annotations.history.append(entry)
    contact.annotations.history.sort(key=lambda e: e.day)
    return True


def gave(contact: Contact, what: str, day: date) -> HistoryEntry:
    """Record that you gave ``contact`` something (a report, advice, a lead) on ``day``."""
    text = " ".join(what.split())
    if not text:
        raise ValueError("say what you gave")
    entry = HistoryEntry(HistoryKind.GAVE, day, text)
    add_entry(contact, entry)
    return entry


def introduced_pairs(contacts: Iterable[Contact]) -> set[frozenset[str]]:
    """The UID pairs already introduced (recorded on either side)."""
    pairs: set[frozenset[str]] = set()
    for contact in contacts:
        for entry in contact.annotations.history:
            if entry.kind == HistoryKind.INTRODUCED and entry.with_uid:
                pairs.add(frozenset((contact.uid, entry.with_uid)))
    return pairs


def record_introduction(a: Contact, b: Contact, why: str, day: date, follow_up: date | None) -> None:
    """Record on both contacts that they were introduced on ``day`` (who, when, why), and
    schedule a follow-up on each to ask how it went (an earlier open one is kept)."""
    introduce_side(a, b, why, day, follow_up)
    introduce_side(b, a, why, day, follow_up)


def introduce_side(contact: Contact, other: Contact, why: str, day: date,
                   follow_up: date | None) -> None:
    """One side of `record_introduction` (the CLI applies it to each contact as re-read
    under the book's lock)."""
    from cardscan.network.followups import pending_date

    add_entry(contact, HistoryEntry(HistoryKind.INTRODUCED, day, why, other.uid, other.display_name))
    if follow_up is not None:
        due = pending_date(contact)
        if due is None or follow_up < due:
            contact.annotations.follow_up = follow_up


def given_in(contacts: Sequence[Contact], first: date, last: date) -> list[tuple[Contact, HistoryEntry]]:
    """Every gift and introduction recorded between ``first`` and ``last`` (inclusive), by date;
    an introduction (recorded on both sides) once."""
    found: list[tuple[Contact, HistoryEntry]] = []
    pairs: set[tuple[frozenset[str], date]] = set()
    for contact in contacts:
        for entry in contact.annotations.history:
            if entry.kind not in (HistoryKind.GAVE, HistoryKind.INTRODUCED) or not first <= entry.day <= last:
                continue
            if entry.kind == HistoryKind.INTRODUCED:
                pair = (frozenset((contact.uid, entry.with_uid)), entry.day)
                if pair in pairs:
                    continue
                pairs.add(pair)
            found.append((contact, entry))
    found.sort(key=lambda pair: (pair[1].day, pair[0].display_name.casefold()))
    return found


def helped(contact: Contact) -> bool:
    """True when you gave this contact something or introduced them to someone."""
    return any(e.kind in (HistoryKind.GAVE, HistoryKind.INTRODUCED) for e in contact.annotations.history)


# ---------------------------------------------------------------- the timeline


def met_on(contact: Contact) -> date | None:
    """When you met: the first scan of their card, else when you annotated it."""
    times = [s.scanned_at for s in contact.sources if s.scanned_at]
    if times:
        return min(_utc(t) for t in times).date()
    notes = contact.annotations
    return _utc(notes.annotated_at).date() if notes.annotated_at else None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    """One line of a contact's timeline."""

    day: date
    kind: str  # met | annotated | followed_up | introduced | gave | follow_up_due
    text: str = ""
    with_uid: str = ""
    with_name: str = ""

    def to_dict(self) -> dict[str, str]:
        record = {"date": self.day.isoformat(), "kind": self.kind, "text": self.text}
        if self.with_uid:
            record |= {"with_uid": self.with_uid, "with_name": self.with_name}
        return record


def timeline(contact: Contact) -> list[Event]:
    """Met, annotated, followed up, introduced, gave: the contact's story in date order
    (an open follow-up comes last, as what is next)."""
    from cardscan.network.followups import pending_date

    notes = contact.annotations
    events: list[Event] = []
    met = met_on(contact)
    if met is not None:
        events.append(Event(met, "met", notes.met_at))
    if notes.annotated_at is not None:
        events.append(Event(_utc(notes.annotated_at).date(), "annotated",
                            "; ".join(x for x in (notes.needs, notes.offer) if x)))
    recorded = {e.day for e in notes.history if e.kind == HistoryKind.FOLLOWED_UP}
    if notes.follow_up_done is not None and notes.follow_up_done not in recorded:
        events.append(Event(notes.follow_up_done, "followed_up"))  # recorded before the history
    for entry in notes.history:
        events.append(Event(entry.day, str(entry.kind), entry.text, entry.with_uid, entry.with_name))
    order = {"met": 0, "annotated": 1}
    events.sort(key=lambda e: (e.day, order.get(e.kind, 2)))
    due = pending_date(contact)
    if due is not None:
        events.append(Event(due, "follow_up_due"))
    return events


def with_names(events: list[Event], contacts: Sequence[Contact]) -> list[Event]:
    """The events with the other contact's current name (the recorded one if they left)."""
    names = {c.uid: c.display_name for c in contacts}
    return [replace(e, with_name=names.get(e.with_uid, e.with_name)) if e.with_uid else e
            for e in events]
