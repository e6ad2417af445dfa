"""Search over every field and annotation, accent- and case-insensitive, ranked.

Every word of the query must be found somewhere in the contact. A word counts more
as a whole word than as a prefix or a word form (Snowball stem: "fotógrafos" finds
"fotografía"), and a near miss (a typo, an OCR slip) counts least. Each hit is
weighted by the field: a name beats a note. Digits in the query also match phone
numbers whatever their spacing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from cardscan.models import Contact
from cardscan.network.text import fold, make_token, same_word

FIELD_WEIGHTS: dict[str, float] = {
    "name": 3.0, "org": 2.5, "emails": 2.0, "phones": 2.0, "tags": 2.0, "title": 2.0, "met_at": 1.8,
    "needs": 1.5, "offer": 1.5, "department": 1.5, "websites": 1.2, "address": 1.0, "note": 1.0,
    "follow_up": 0.8, "sources": 0.5,
}
_KIND_WEIGHTS = {"word": 1.0, "prefix": 0.8, "stem": 0.7, "inside": 0.5, "fuzzy": 0.4}
_FUZZY_MIN_LEN = 4
_FUZZY_SCORE = 85
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    contact: Contact
    score: float
    fields: list[str]  # fields where the query was found, best first

    def to_dict(self) -> dict[str, object]:
        return {"uid": self.contact.uid, "name": self.contact.display_name, "org": self.contact.org,
                "title": self.contact.title, "score": round(self.score, 3), "fields": self.fields,
                "met_at": self.contact.annotations.met_at}


def field_texts(contact: Contact) -> dict[str, str]:
    """Every searchable field of a contact as text."""
    notes = contact.annotations
    address = contact.address
    follow = [d.isoformat() for d in (notes.follow_up, notes.follow_up_done) if d]
    return {
        "name": " ".join(p for p in (contact.name.full, contact.name.given, contact.name.family) if p),
        "org": contact.org, "title": contact.title, "department": contact.department,
        "emails": " ".join(e.address for e in contact.emails),
        "phones": " ".join(f"{p.number} {p.printed}" for p in contact.phones),
        "websites": " ".join(w.url for w in contact.websites),
        "address": " ".join(p for p in (address.street, address.city, address.region, address.postal_code,
                                        address.country, address.country_code, address.printed) if p),
        "note": contact.note, "met_at": notes.met_at, "needs": notes.needs, "offer": notes.offer,
        "tags": " ".join(notes.tags), "follow_up": " ".join(follow),
        "sources": " ".join(s.file for s in contact.sources),
    }


def _word_score(query_word: str, words: list[str], folded_text: str) -> float:
    """How well one folded query word matches a field (0 when it does not)."""
    if not folded_text:
        return 0.0
    if query_word in words:
        return _KIND_WEIGHTS["word"]
    if any(w.startswith(query_word) for w in words):
        return _KIND_WEIGHTS["prefix"]
    query_token = make_token(query_word)
    if any(same_word(query_token, make_token(w)) for w in words if len(w) > 2):
        return _KIND_WEIGHTS["stem"]
    if len(query_word) >= 3 and query_word in folded_text:
        return _KIND_WEIGHTS["inside"]  # inside an e-mail address, a URL, a compound word
    if len(query_word) >= _FUZZY_MIN_LEN and any(
        fuzz.ratio(query_word, w) >= _FUZZY_SCORE for w in words if abs(len(w) - len(query_word)) <= 2
    ):
        return _KIND_WEIGHTS["fuzzy"]
    return 0.0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def search(contacts: Sequence[Contact], text: str) -> list[SearchHit]:
    """Contacts matching every word of `text`, best first."""
    query = fold(text).strip()
    query_words = _WORD.findall(query)
    if not query_words:
        return []
    query_digits = _digits(text)
    phone_query = len(query_digits) >= 3 and len(query_digits) >= len(re.sub(r"[\s+().-]", "", text)) - 1
    hits: list[SearchHit] = []
    for contact in contacts:
        texts = {name: fold(value) for name, value in field_texts(contact).items()}
        words = {name: _WORD.findall(value) for name, value in texts.items()}
        total = 0.0
        field_scores: dict[str, float] = {}
        if phone_query and query_digits in _digits(texts["phones"]):
            field_scores["phones"] = total = FIELD_WEIGHTS["phones"] * 2
        else:
            for word in query_words:
                best, best_field = 0.0, ""
                for name, folded in texts.items():
                    score = _word_score(word, words[name], folded) * FIELD_WEIGHTS[name]
                    if score > best:
                        best, best_field = score, name
                if best == 0.0:
                    total = 0.0
                    break
                total += best
                field_scores[best_field] = field_scores.get(best_field, 0.0) + best
            if total and len(query_words) > 1:
                for name, folded in texts.items():  # the words together, in order: a phrase
                    if query in folded:
                        total += FIELD_WEIGHTS[name]
                        field_scores[name] = field_scores.get(name, 0.0) + FIELD_WEIGHTS[name]
                        break
        if total > 0:
            ranked = sorted(field_scores, key=lambda n: -field_scores[n])
            hits.append(SearchHit(contact, total, ranked))
    hits.sort(key=lambda h: (-h.score, h.contact.display_name.casefold()))
    return hits
