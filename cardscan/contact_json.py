"""A contact as JSON: the one shape used by `scan --json`, `show`, `list` and `export`.

``fn`` is the name alone; an honorific or degree printed with it is in ``prefix``/``suffix``
(the vCard's FN shows them together). ``display_name`` is what lists call the contact: the
full name, else the company, else an e-mail or phone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cardscan.models import Contact
from cardscan.vcard import printable


def contact_json(contact: Contact) -> dict[str, Any]:
    """Every field of a contact, its annotations and where it came from (the photo by size)."""
    name, address, notes = contact.name, contact.address, contact.annotations
    return {
        "uid": contact.uid,
        "fn": name.plain, "display_name": contact.display_name,
        "given": name.given, "middle": name.middle, "family": name.family,
        "prefix": name.prefix, "suffix": name.suffix,
        "title": contact.title, "department": contact.department, "org": contact.org,
        "tels": [{"e164": p.number, "type": str(p.type), "printed": p.printed}
                 for p in contact.phones],
        "emails": [e.address for e in contact.emails],
        "urls": [w.url for w in contact.websites],
        "url_kinds": [w.kind for w in contact.websites],  # website, linkedin, ... (as urls)
        "adr": {"street": address.street, "city": address.city, "region": address.region,
                "postal": address.postal_code, "country": address.country,
                "country_code": address.country_code},
        "note": contact.note,
        "annotations": {
            "met_at": notes.met_at, "needs": notes.needs, "offer": notes.offer,
            "tags": list(notes.tags), "follow_up": _iso(notes.follow_up),
            "follow_up_done": _iso(notes.follow_up_done),
            "annotated_at": _iso(notes.annotated_at), "skipped": notes.skipped,
            "every": notes.every or None,  # keep in touch: an ISO 8601 period (P6W, P3M)
            "history": [{"kind": str(e.kind), "date": e.day.isoformat(), "text": e.text,
                         "with_uid": e.with_uid or None, "with_name": e.with_name or None}
                        for e in notes.history],
        },
        "sources": [{"file": s.file, "path": printable(s.path), "sha256": s.sha256,
                     "card_index": s.card_index, "scanned_at": _iso(s.scanned_at)}
                    for s in contact.sources],
        "user_edited": sorted(contact.user_edited),
        "photo_bytes": len(contact.photo_jpeg) if contact.photo_jpeg else 0,
        "rev": _iso(contact.rev),
        "is_me": contact.is_me,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def confidence_json(contact: Contact) -> dict[str, Any]:
    """How sure the parser was of each field (0..1), lists in the order of the fields."""
    confidence: dict[str, Any] = dict(contact.confidence)
    if contact.name and "name" not in confidence:
        confidence["name"] = contact.name.confidence
    confidence["tels"] = [p.confidence for p in contact.phones]
    confidence["emails"] = [e.confidence for e in contact.emails]
    confidence["urls"] = [w.confidence for w in contact.websites]
    return confidence
