"""The network at a glance: contacts per event and company, annotated share, follow-ups."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from cardscan.models import Contact, HistoryKind
from cardscan.network.companies import normalise_company
from cardscan.network.followups import WEEK_DAYS, pending_date
from cardscan.network.text import fold


@dataclass
class Stats:
    total: int = 0
    annotated: int = 0
    per_event: list[tuple[str, int]] = field(default_factory=list)  # most contacts first
    no_event: int = 0
    per_company: list[tuple[str, int]] = field(default_factory=list)
    no_company: int = 0
    followups_overdue: int = 0
    followups_today: int = 0
    followups_week: int = 0  # due in the next seven days, today included (not overdue)
    followups_later: int = 0
    #: per month ("2026-03"), newest first: (month, people helped, people met and not helped)
    per_month: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def annotated_share(self) -> float:
        return self.annotated / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "annotated": self.annotated,
                "annotated_share": round(self.annotated_share, 4),
                "per_event": [{"event": e, "count": n} for e, n in self.per_event], "no_event": self.no_event,
                "per_company": [{"company": c, "count": n} for c, n in self.per_company],
                "no_company": self.no_company,
                "followups": {"overdue": self.followups_overdue, "today": self.followups_today,
                              "week": self.followups_week, "later": self.followups_later},
                "per_month": [{"month": m, "helped": h, "only_collected": c}
                              for m, h, c in self.per_month]}


def _group(values: list[str], key: Callable[[str], str]) -> tuple[list[tuple[str, int]], int]:
    """Count values by a normal form, shown as their most common spelling; and the blanks."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    blank = 0
    for value in values:
        value = " ".join(value.split())
        normal = key(value) if value else ""
        if not normal:
            blank += 1
            continue
        spellings[normal][value] += 1
    groups = [(names.most_common(1)[0][0], sum(names.values())) for names in spellings.values()]
    groups.sort(key=lambda g: (-g[1], fold(g[0])))
    return groups, blank


def _event_key(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").split())


def stats(contacts: Sequence[Contact], today: date) -> Stats:
    """Counts over the book as of `today`."""
    result = Stats(total=len(contacts))
    result.annotated = sum(1 for c in contacts if c.annotations)
    result.per_event, result.no_event = _group([c.annotations.met_at for c in contacts], _event_key)
    result.per_company, result.no_company = _group([c.org for c in contacts], normalise_company)
    result.per_month = per_month(contacts)
    week_end = today + timedelta(days=WEEK_DAYS - 1)
    for contact in contacts:
        due = pending_date(contact)
        if due is None:
            continue
        if due < today:
            result.followups_overdue += 1
        elif due == today:
            result.followups_today += 1
        if today <= due <= week_end:
            result.followups_week += 1
        elif due > week_end:
            result.followups_later += 1
    return result


def per_month(contacts: Sequence[Contact]) -> list[tuple[str, int, int]]:
    """Per month, newest first: how many people you helped (gave something to or introduced)
    that month, and how many you met that month and have not helped since: only collected."""
    from cardscan.network.history import helped, met_on

    helped_in: dict[str, set[str]] = defaultdict(set)
    collected: dict[str, set[str]] = defaultdict(set)
    for contact in contacts:
        for entry in contact.annotations.history:
            if entry.kind in (HistoryKind.GAVE, HistoryKind.INTRODUCED):
                helped_in[f"{entry.day:%Y-%m}"].add(contact.uid)
        met = met_on(contact)
        if met is not None and not helped(contact):
            collected[f"{met:%Y-%m}"].add(contact.uid)
    months = sorted(set(helped_in) | set(collected), reverse=True)
    return [(m, len(helped_in[m]), len(collected[m])) for m in months]
