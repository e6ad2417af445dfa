"""The weekly digest: what to do this week with the network, and what you gave this month.

Four sections, each computed from the book as of one day: follow-ups due within the
week (overdue ones first), introductions worth making (not made yet), people met more
than three months ago and never followed up, and what you gave this month. Printed as
text, written as a self-contained HTML page, or as iCalendar to-dos.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from cardscan.models import Contact, HistoryEntry, HistoryKind
from cardscan.network.followups import WEEK_DAYS, FollowUp, due_followups, pending_date, to_ics
from cardscan.network.history import add_period, given_in, met_on
from cardscan.network.introductions import Introduction, suggest_introductions
from cardscan.network.labels import label

#: Met longer ago than this and never followed up: worth a word again.
RECONNECT_AFTER = "P3M"
INTRODUCTIONS = 5


@dataclass
class Reconnect:
    contact: Contact
    met: date
    since: date  # when they became worth a word again (met + three months)


@dataclass
class Digest:
    today: date
    followups: list[FollowUp] = field(default_factory=list)
    introductions: list[Introduction] = field(default_factory=list)
    reconnect: list[Reconnect] = field(default_factory=list)
    given: list[tuple[Contact, HistoryEntry]] = field(default_factory=list)

    @property
    def week_end(self) -> date:
        return self.today + timedelta(days=WEEK_DAYS - 1)

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "today": self.today.isoformat(), "week_end": self.week_end.isoformat(),
            "followups": [f.to_dict(lang) for f in self.followups],
            "introductions": [i.to_dict(lang) for i in self.introductions],
            "reconnect": [{"uid": r.contact.uid, "name": r.contact.display_name,
                           "met": r.met.isoformat(), "met_at": r.contact.annotations.met_at}
                          for r in self.reconnect],
            "given": [{"uid": c.uid, "name": c.display_name, "date": e.day.isoformat(),
                       "kind": str(e.kind), "text": e.text, "with_name": e.with_name}
                      for c, e in self.given],
        }


def _never_followed_up(contact: Contact) -> bool:
    notes = contact.annotations
    return (pending_date(contact) is None and notes.follow_up_done is None
            and not any(e.kind == HistoryKind.FOLLOWED_UP for e in notes.history))


def digest(contacts: Sequence[Contact], today: date, lang: str = "en",
           introductions: int = INTRODUCTIONS) -> Digest:
    """The digest of the week that starts ``today``."""
    result = Digest(today)
    result.followups = due_followups(contacts, today, "week")
    result.introductions = suggest_introductions(contacts, lang=lang, limit=introductions)
    for contact in contacts:
        met = met_on(contact)
        if met is None or not _never_followed_up(contact):
            continue
        since = add_period(met, RECONNECT_AFTER)
        if since < today:
            result.reconnect.append(Reconnect(contact, met, since))
    result.reconnect.sort(key=lambda r: (r.met, r.contact.display_name.casefold()))
    result.given = given_in(contacts, today.replace(day=1), today)
    return result


# ---------------------------------------------------------------- text


def _given_line(contact: Contact, entry: HistoryEntry, lang: str) -> str:
    if entry.kind == HistoryKind.INTRODUCED:
        what = label(lang, "tl_introduced").format(name=entry.with_name or "?")
        what += f": {entry.text}" if entry.text else ""
    else:
        what = entry.text
    return f"{entry.day.isoformat()}  {contact.display_name}: {what}"


def _reconnect_line(item: Reconnect, lang: str) -> str:
    place = item.contact.annotations.met_at
    met = label(lang, "met_on").format(date=item.met.isoformat())
    return f"{item.contact.display_name}: {met}" + (f" ({place})" if place else "")


def _followup_line(item: FollowUp, lang: str) -> str:
    notes = item.contact.annotations
    extra = f" · {label(lang, 'needs')}: {notes.needs}" if notes.needs else ""
    return f"{item.contact.display_name}: {item.due.isoformat()}, {item.when(lang)}{extra}"


def sections(result: Digest, lang: str) -> list[tuple[str, str, list[str]]]:
    """(id, title, lines) of each section, in order."""
    return [
        ("followups", label(lang, "digest_followups"), [_followup_line(f, lang) for f in result.followups]),
        ("introductions", label(lang, "digest_introductions"), [i.reason for i in result.introductions]),
        ("reconnect", label(lang, "digest_reconnect"), [_reconnect_line(r, lang) for r in result.reconnect]),
        ("given", label(lang, "digest_given"), [_given_line(c, e, lang) for c, e in result.given]),
    ]


def to_text(result: Digest, lang: str) -> str:
    title = label(lang, "digest_title").format(start=result.today.isoformat(),
                                                end=result.week_end.isoformat())
    out = [title, "=" * len(title)]
    for _, heading, lines in sections(result, lang):
        out += ["", f"{heading} ({len(lines)})"]
        out += [f"  • {line}" for line in lines] or [f"  {label(lang, 'digest_nothing')}"]
    return "\n".join(out) + "\n"


def to_html(result: Digest, lang: str) -> str:
    """A self-contained page (no scripts, no external resources); every value escaped."""
    esc = html.escape
    title = label(lang, "digest_title").format(start=result.today.isoformat(),
                                                end=result.week_end.isoformat())
    parts = [f'<!DOCTYPE html>\n<html lang="{esc(lang)}"><head><meta charset="utf-8">',
             f"<title>{esc(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
             "color:#222}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}"
             "li{margin:.3em 0}.empty{color:#888}.count{color:#888;font-weight:normal}</style>",
             f"</head><body><h1>{esc(title)}</h1>"]
    for key, heading, lines in sections(result, lang):
        parts.append(f'<section id="{key}"><h2>{esc(heading)} '
                     f'<span class="count">({len(lines)})</span></h2>')
        if lines:
            parts.append("<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>")
        else:
            parts.append(f'<p class="empty">{esc(label(lang, "digest_nothing"))}</p>')
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def ics(result: Digest, lang: str) -> str:
    """The week's follow-ups and the people worth a word again, as iCalendar to-dos
    (stable UIDs: importing next week's digest updates them instead of duplicating)."""
    items = list(result.followups) + [
        FollowUp(r.contact, r.since, (result.today - r.since).days) for r in result.reconnect]
    return to_ics(items, lang)
