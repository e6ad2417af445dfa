"""Printing the network commands' results for people (Rich) and programs (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cardscan.contact_json import contact_json
from cardscan.models import Contact
from cardscan.network.followups import FollowUp, pending_date
from cardscan.network.history import describe_period, timeline, with_names
from cardscan.network.introductions import Introduction
from cardscan.network.labels import label
from cardscan.network.search import SearchHit
from cardscan.network.stats import Stats
from cardscan.vcard import printable


def console() -> Console:
    # Wide enough that one suggestion stays on one line when the output is piped.
    return Console(highlight=False, soft_wrap=True)


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def followups(items: Sequence[FollowUp], lang: str) -> None:
    out = console()
    if not items:
        out.print(label(lang, "no_followups"))
        return
    for item in items:
        contact, notes = item.contact, item.contact.annotations
        style = "bold red" if item.days_overdue > 0 else "bold"
        who = Text(contact.display_name, style="bold")
        if contact.org and contact.org != contact.display_name:
            who.append(f" ({contact.org})")
        who.append("  ")
        who.append(f"{item.due.isoformat()}, {item.when(lang)}", style=style)
        out.print(who)
        for key, value in (("met_at", notes.met_at), ("needs", notes.needs), ("offer", notes.offer)):
            if value:
                out.print(f"    {label(lang, key)}: {value}")


def introductions(items: Sequence[Introduction], lang: str) -> None:
    out = console()
    if not items:
        out.print(label(lang, "no_introductions"))
        return
    for item in items:
        out.print(Text(f"{item.score:5.2f}  ", style="dim") + Text(item.reason))


def search_hits(hits: Sequence[SearchHit], text: str, lang: str) -> None:
    out = console()
    if not hits:
        out.print(label(lang, "no_results").format(text=text))
        return
    table = Table(box=None, pad_edge=False)
    for key in ("name", "org", "title", "met_at", "matched"):
        table.add_column(label(lang, key))
    table.add_column("UID", style="dim")
    for hit in hits:
        c = hit.contact
        table.add_row(c.display_name, c.org, c.title, c.annotations.met_at,
                      ", ".join(label(lang, f) if f in _FIELD_LABELS else f for f in hit.fields),
                      c.uid[:8])
    out.print(table)


_FIELD_LABELS = {"name", "org", "title", "department", "emails", "phones", "websites", "address", "note",
                 "met_at", "needs", "offer", "tags", "follow_up", "sources"}


def followup_status(contact: Contact, today: date, lang: str) -> str:
    notes = contact.annotations
    due = pending_date(contact)
    if due is not None:
        return label(lang, "follow_up_pending").format(
            date=due.isoformat(), when=FollowUp(contact, due, (today - due).days).when(lang))
    if notes.follow_up_done:
        return label(lang, "follow_up_done_on").format(date=notes.follow_up_done.isoformat())
    return label(lang, "follow_up_none")


def contact_to_dict(contact: Contact, today: date,
                    everyone: Sequence[Contact] = ()) -> dict[str, object]:
    """The contact's JSON (``contact_json``) with where its follow-up stands today and
    its timeline (met, annotated, followed up, introduced, gave)."""
    record = contact_json(contact)
    due = pending_date(contact)
    record["annotations"] |= {"follow_up_pending": due is not None,
                              "days_overdue": (today - due).days if due else None,
                              "timeline": [e.to_dict() for e in with_names(timeline(contact), everyone)]}
    return record


def timeline_lines(contact: Contact, lang: str, everyone: Sequence[Contact] = ()) -> list[str]:
    """The contact's timeline, one line per event: '2026-03-02  gave: the market report'."""
    lines = []
    for event in with_names(timeline(contact), everyone):
        if event.kind == "met":
            what = label(lang, "tl_met").format(at=f" ({event.text})" if event.text else "")
        elif event.kind == "introduced":
            what = label(lang, "tl_introduced").format(name=event.with_name or "?")
            what += f": {event.text}" if event.text else ""
        else:
            what = label(lang, f"tl_{event.kind}")
            what += f": {event.text}" if event.text else ""
        lines.append(f"{event.day.isoformat()}  {what}")
    return lines


def show(contact: Contact, today: date, lang: str, everyone: Sequence[Contact] = ()) -> None:
    out = console()
    notes = contact.annotations
    a = contact.address
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()

    def row(key: str, value: str) -> None:
        if value:
            table.add_row(label(lang, key), value)

    row("name", contact.name.full or contact.display_name)
    row("title", contact.title)
    row("department", contact.department)
    row("org", contact.org)
    row("phones", "\n".join(f"{p.number} ({p.type})" for p in contact.phones))
    row("emails", "\n".join(e.address for e in contact.emails))
    row("websites", "\n".join(w.url if w.kind == "website" else f"{w.url} ({w.kind})"
                              for w in contact.websites))
    street_city = ", ".join(p for p in (a.street, " ".join(x for x in (a.postal_code, a.city) if x),
                                        a.region, a.country) if p)
    row("address", street_city)
    row("note", contact.note)
    row("met_at", notes.met_at)
    row("needs", notes.needs)
    row("offer", notes.offer)
    row("tags", ", ".join(notes.tags))
    table.add_row(label(lang, "follow_up"), followup_status(contact, today, lang))
    if notes.every:
        row("keep_in_touch", describe_period(notes.every, lang))
    if notes.follow_up_done and pending_date(contact) is not None:
        row("follow_up_done", notes.follow_up_done.isoformat())
    row("annotated_at", notes.annotated_at.isoformat(sep=" ") if notes.annotated_at else "")
    row("history", "\n".join(timeline_lines(contact, lang, everyone)))
    row("sources", "\n".join(
        f"{s.file}" + (f" #{s.card_index + 1}" if s.card_index else "")
        + (f"  {s.scanned_at.isoformat(sep=' ')}" if s.scanned_at else "")
        + (f"  {printable(s.path)}" if s.path else "")
        for s in contact.sources))
    row("user_edited", ", ".join(sorted(contact.user_edited)))
    row("uid", contact.uid)
    row("rev", contact.rev.isoformat(sep=" ") if contact.rev else "")
    out.print(Text(contact.display_name, style="bold underline"))
    out.print(table)


def stats(result: Stats, lang: str, top: int = 10) -> None:
    out = console()
    out.print(f"{label(lang, 'contacts')}: {result.total}")
    out.print(f"{label(lang, 'annotated')}: {result.annotated} ({result.annotated_share:.0%})")
    for key, groups, blank, blank_key in (("per_event", result.per_event, result.no_event, "no_event"),
                                          ("per_company", result.per_company, result.no_company,
                                           "no_company")):
        table = Table(title=label(lang, key), title_justify="left", box=None, show_header=False)
        table.add_column()
        table.add_column(justify="right")
        for name, count in groups[:top]:
            table.add_row(name, str(count))
        if len(groups) > top:
            table.add_row("…", str(sum(n for _, n in groups[top:])))
        if blank:
            table.add_row(label(lang, blank_key), str(blank))
        out.print(table)
    if result.per_month:
        table = Table(title=label(lang, "per_month"), title_justify="left", box=None, show_header=False)
        for justify in ("left", "right", "right"):
            table.add_column(justify=justify)  # type: ignore[arg-type]
        for month, helped, collected in result.per_month[:12]:
            table.add_row(month, f"{helped} {label(lang, 'helped')}",
                          f"{collected} {label(lang, 'only_collected')}")
        out.print(table)
    for key, value in (("followups_overdue", result.followups_overdue),
                       ("followups_today", result.followups_today),
                       ("followups_week", result.followups_week),
                       ("followups_later", result.followups_later)):
        out.print(f"{label(lang, key)}: {value}")
