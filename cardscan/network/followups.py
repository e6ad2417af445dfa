"""Follow-ups: who to get back to, and when; exported as iCalendar to-dos.

A follow-up is pending while ``annotations.follow_up`` is set and no follow-up was
recorded on or after it (``follow_up_done`` is empty or earlier). Marking one done
records the date in ``follow_up_done`` and clears ``follow_up``: the to-do is closed,
``follow_up_done`` keeps the date of the last contact, and a new follow-up date set
later (in the prompt) starts a new to-do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from cardscan.errors import BookError
from cardscan.models import Contact, HistoryEntry, HistoryKind, utc_now
from cardscan.network.labels import label

Horizon = Literal["today", "week", "all"]
HORIZONS: tuple[str, ...] = ("today", "week", "all")
#: "week" means the coming seven days, today included.
WEEK_DAYS = 7


@dataclass(frozen=True)
class FollowUp:
    contact: Contact
    due: date
    days_overdue: int  # negative: due in the future

    def when(self, lang: str) -> str:
        if self.days_overdue > 0:
            return label(lang, "overdue").format(days=self.days_overdue)
        if self.days_overdue == 0:
            return label(lang, "due_today")
        return label(lang, "due_in").format(days=-self.days_overdue)

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        notes = self.contact.annotations
        return {"uid": self.contact.uid, "name": self.contact.display_name, "org": self.contact.org,
                "due": self.due.isoformat(), "days_overdue": self.days_overdue, "when": self.when(lang),
                "met_at": notes.met_at, "needs": notes.needs, "offer": notes.offer, "tags": list(notes.tags),
                "emails": [e.address for e in self.contact.emails],
                "phones": [p.number for p in self.contact.phones]}


def pending_date(contact: Contact) -> date | None:
    """The date of the contact's open follow-up, or None."""
    notes = contact.annotations
    if notes.follow_up is None:
        return None
    if notes.follow_up_done is not None and notes.follow_up_done >= notes.follow_up:
        return None
    return notes.follow_up


def due_followups(contacts: Sequence[Contact], today: date, horizon: Horizon = "today") -> list[FollowUp]:
    """Open follow-ups due by the horizon, most overdue first.

    today: due today or overdue; week: due within the next seven days (or overdue);
    all: every open follow-up, future ones included.
    """
    if horizon not in HORIZONS:
        raise ValueError(f"horizon must be one of {', '.join(HORIZONS)}, not {horizon!r}")
    limit = {"today": today, "week": today + timedelta(days=WEEK_DAYS - 1), "all": date.max}[horizon]
    found = []
    for contact in contacts:
        due = pending_date(contact)
        if due is not None and due <= limit:
            found.append(FollowUp(contact, due, (today - due).days))
    found.sort(key=lambda f: (f.due, f.contact.display_name.casefold(), f.contact.uid))
    return found


def mark_done(contact: Contact, when: date) -> tuple[Contact, bool]:
    """A copy of `contact` with its follow-up recorded as done on `when`.

    Returns the copy and whether a follow-up was pending. The open date is cleared, or,
    when the contact has a keep-in-touch period (``annotations.every``), renewed to one
    period after `when`; `follow_up_done` keeps `when` (the last time we followed up) and
    the history gains a "followed up" entry.
    """
    from cardscan.network.history import add_period

    was_pending = pending_date(contact) is not None
    notes = contact.annotations
    renewed = add_period(when, notes.every) if notes.every else None
    entry = HistoryEntry(HistoryKind.FOLLOWED_UP, when)
    history = list(notes.history) + ([entry] if entry not in notes.history else [])
    history.sort(key=lambda e: e.day)
    notes = replace(notes, follow_up=renewed, follow_up_done=when, history=history)
    return replace(contact, annotations=notes, rev=utc_now()), was_pending


def todo_uid(contact: Contact, due: date) -> str:
    """Same contact and date, same UID: re-exporting updates calendars instead of duplicating."""
    return f"cardscan-followup-{contact.uid}-{due:%Y%m%d}@cardscan"


def to_ics(followups: Sequence[FollowUp], lang: str = "en") -> str:
    """An iCalendar (RFC 5545) calendar with one VTODO per follow-up, DUE on its date.

    iCalendar, unlike vCard, is written here: the "only vcard.py imports vobject" rule
    keeps one owner for the contact format; this module owns the calendar export.
    """
    import vobject
    from dateutil import tz

    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//cardscan//follow-ups//EN"
    stamp = utc_now().replace(tzinfo=tz.tzutc())
    for item in followups:
        contact, notes = item.contact, item.contact.annotations
        todo = calendar.add("vtodo")
        todo.add("uid").value = todo_uid(contact, item.due)
        todo.add("dtstamp").value = stamp
        todo.add("due").value = item.due
        todo.add("summary").value = label(lang, "todo_summary").format(name=contact.display_name)
        todo.add("status").value = "NEEDS-ACTION"
        lines = []
        for key, value in (("todo_org", contact.org), ("met_at", notes.met_at), ("needs", notes.needs),
                           ("offer", notes.offer)):
            if value:
                lines.append(f"{label(lang, key)}: {value}")
        lines += [f"{label(lang, 'todo_phone')}: {p.number}" for p in contact.phones]
        lines += [f"{label(lang, 'todo_email')}: {e.address}" for e in contact.emails]
        if lines:
            todo.add("description").value = "\n".join(lines)
        if notes.tags:
            todo.add("categories").value = list(notes.tags)
    return calendar.serialize()


def write_ics(followups: Sequence[FollowUp], path: Path, lang: str = "en") -> Path:
    """Write the follow-ups to `path` as iCalendar (atomically: temp file + rename)."""
    text = to_ics(followups, lang)
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BookError(f"cannot write the calendar: {exc.strerror or exc}", path) from exc
    from cardscan.store import atomic_write  # 0600 like every other file cardscan writes

    atomic_write(path, text.encode("utf-8"))
    return path
