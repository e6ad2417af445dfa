"""Suggested introductions: who in the book can help whom.

For every two contacts A and B at different companies, A's *needs* are compared with
what B brings: the *offer* annotation first, then B's title, tags, department and
company. Both sides are read as networking concepts (``text.analyse``: bilingual
vocabulary, Snowball stems, accents folded) plus the words the vocabulary does not
know. A shared concept scores its specificity in this book (IDF: "investors" that
three people mention is worth more than "clients" that twenty mention) times the
weight of the field it was found in; a shared word outside the vocabulary scores
half that. When each can help the other, the pair is suggested once, ranked higher.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from cardscan.models import Contact
from cardscan.network.companies import same_company
from cardscan.network.labels import label
from cardscan.network.text import (
    QUALIFIER_WEIGHT,
    Analysis,
    Token,
    analyse,
    fold,
    same_word,
    stem_key,
    vocabulary,
)

#: How much a match counts, by the field of B it was found in.
SUPPLY_FIELDS: dict[str, float] = {"offer": 1.0, "title": 0.8, "tags": 0.8, "department": 0.6, "org": 0.6}
#: A shared word outside the vocabulary counts this fraction of a shared concept.
FREE_WORD_FACTOR = 0.5
#: A place named in A's need that is also where B is (or works on) adds this much.
PLACE_BONUS = 0.3
#: The weaker direction of a mutual match adds this fraction of its score.
RETURN_FACTOR = 0.75
_EXCERPT = 60


@dataclass(frozen=True)
class Match:
    """One reason why B can help A."""

    what: str  # concept id, or the word itself for a word outside the vocabulary
    is_concept: bool
    field: str  # the field of B: offer | title | tags | department | org
    text: str  # that field's text (one tag for tags)
    score: float
    head: bool = True  # False when it matched only what the need is for ("for the catalogue")


@dataclass
class Introduction:
    """A suggested introduction; unpacks as ``a, b, score, reason``.

    `needs_met` are the ways B meets A's needs; `in_return` the ways A meets B's.
    """

    a: Contact
    b: Contact
    score: float
    reason: str
    needs_met: list[Match] = field(default_factory=list)
    in_return: list[Match] = field(default_factory=list)

    def __iter__(self) -> Iterator[object]:
        return iter((self.a, self.b, self.score, self.reason))

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        voc = vocabulary()

        def matches(items: list[Match]) -> list[dict[str, object]]:
            return [{"concept": m.what if m.is_concept else None,
                     "label": voc.label(m.what, lang) if m.is_concept else m.what,
                     "field": m.field, "text": m.text, "score": round(m.score, 3)} for m in items]

        return {"a": {"uid": self.a.uid, "name": self.a.display_name, "org": self.a.org},
                "b": {"uid": self.b.uid, "name": self.b.display_name, "org": self.b.org},
                "score": round(self.score, 3), "reason": self.reason,
                "needs_met": matches(self.needs_met), "in_return": matches(self.in_return)}


@dataclass
class _Profile:
    contact: Contact
    needs: Analysis
    supply: list[tuple[str, str, Analysis]]  # (field, text, analysis)
    places: set[str]  # folded place words: address, and places named in the offer


def _supply_texts(contact: Contact) -> list[tuple[str, str]]:
    texts = [("offer", contact.annotations.offer), ("title", contact.title),
             ("department", contact.department), ("org", contact.org)]
    texts += [("tags", tag) for tag in contact.annotations.tags]
    return [(name, text.strip()) for name, text in texts if text and text.strip()]


def _profile(contact: Contact) -> _Profile:
    supply = [(name, text, analyse(text)) for name, text in _supply_texts(contact)]
    address = contact.address
    places = {fold(word) for part in (address.city, address.region, address.country)
              for word in part.split() if len(word) > 2}
    for _, _, analysis in supply:
        places |= {t.word for t in analysis.proper}
    return _Profile(contact, analyse(contact.annotations.needs), supply, places)


def _document_frequencies(profiles: Sequence[_Profile]) -> tuple[dict[str, int], dict[str, int]]:
    concept_df: dict[str, int] = defaultdict(int)
    word_df: dict[str, int] = defaultdict(int)
    for profile in profiles:
        analyses = [profile.needs, *(a for _, _, a in profile.supply)]
        for concept in set().union(*(a.concepts for a in analyses)):
            concept_df[concept] += 1
        for key in {stem_key(t) for a in analyses for t in a.free}:
            word_df[key] += 1
    return concept_df, word_df


def _idf(df: int, total: int) -> float:
    return math.log(1 + total / max(df, 1))


def _free_match(token: Token, analysis: Analysis) -> bool:
    return any(same_word(token, other) for other in analysis.free)


def _needs_met(need: _Profile, helper: _Profile, concept_df: dict[str, int],
               word_df: dict[str, int], total: int) -> list[Match]:
    """The ways `helper` meets `need`'s needs, best first (one match per concept or word)."""
    voc = vocabulary()
    found: list[Match] = []
    for concept in sorted(need.needs.concepts):
        best: Match | None = None
        allowed = voc.supplied_by.get(concept)
        for name, text, analysis in helper.supply:
            if allowed is not None and name not in allowed:
                continue
            offered = analysis.concepts | {n for c in analysis.concepts for n in voc.meets.get(c, ())}
            if concept in offered:
                score = (_idf(concept_df[concept], total) * SUPPLY_FIELDS[name]
                         * need.needs.weights[concept])
                if best is None or score > best.score:
                    best = Match(concept, True, name, text, score, need.needs.weights[concept] == 1.0)
        if best:
            found.append(best)
    for token in need.needs.free:
        best = None
        for name, text, analysis in helper.supply:
            if _free_match(token, analysis):
                score = (FREE_WORD_FACTOR * _idf(word_df[stem_key(token)], total) * SUPPLY_FIELDS[name]
                         * (QUALIFIER_WEIGHT if token.qualifier else 1.0))
                if best is None or score > best.score:
                    best = Match(token.word, False, name, text, score, not token.qualifier)
        if best and all(m.what != best.what for m in found):
            found.append(best)
    found.sort(key=lambda m: -m.score)
    return found


def _score(matches: list[Match], need: _Profile, helper: _Profile) -> float:
    # A word met only in the purpose of a need ("for the product launch" / "Product Manager")
    # is too weak to suggest anything on its own; a concept, even as a purpose, is not.
    if not any(m.is_concept or m.head for m in matches):
        return 0.0
    score = sum(m.score for m in matches)
    shared_places = {t.word for t in need.needs.proper} & helper.places
    return score + PLACE_BONUS * len(shared_places)


def _same_person(a: Contact, b: Contact) -> bool:
    if a.uid == b.uid:
        return True
    emails_a = {e.address.lower() for e in a.emails}
    return bool(emails_a & {e.address.lower() for e in b.emails})


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"


def _what(matches: list[Match], lang: str) -> str:
    voc = vocabulary()
    names = [voc.label(m.what, lang) if m.is_concept else f"“{m.what}”" for m in matches[:3]]
    return ", ".join(names)


def _via(helper: Contact, match: Match, lang: str) -> str:
    return label(lang, f"via_{match.field}").format(text=_excerpt(match.text), name=helper.display_name)


def _reason(a: Contact, b: Contact, ab: list[Match], ba: list[Match], lang: str) -> str:
    text = label(lang, "intro_reason").format(
        a=a.display_name, what=_what(ab, lang), b=b.display_name, via=_via(b, ab[0], lang))
    if ba:
        text += label(lang, "intro_in_return").format(
            a=a.display_name, what=_what(ba, lang), b=b.display_name, via=_via(a, ba[0], lang))
    return text


def suggest_introductions(contacts: Sequence[Contact], for_uid: str | None = None, *,
                          lang: str = "en", limit: int | None = None) -> list[Introduction]:
    """Pairs of contacts who can help each other, best first.

    Nobody is paired with themselves or with someone at their own company, nor with
    someone they were already introduced to (`cardscan introduce A B --done`); each pair
    appears once. With `for_uid`, only pairs that include that contact.
    """
    from cardscan.network.history import introduced_pairs

    done = introduced_pairs(contacts)
    profiles = [_profile(c) for c in contacts]
    concept_df, word_df = _document_frequencies(profiles)
    total = len(profiles)
    directed: dict[tuple[int, int], tuple[float, list[Match]]] = {}
    for i, need in enumerate(profiles):
        if not (need.needs.concepts or need.needs.free):
            continue
        for j, helper in enumerate(profiles):
            if i == j or not helper.supply:
                continue
            if for_uid is not None and for_uid not in (need.contact.uid, helper.contact.uid):
                continue
            matches = _needs_met(need, helper, concept_df, word_df, total)
            score = _score(matches, need, helper)
            if score > 0:
                directed[(i, j)] = (score, matches)

    suggestions: list[Introduction] = []
    seen: set[frozenset[int]] = set()
    for (i, j) in directed:
        pair = frozenset((i, j))
        if pair in seen:
            continue
        seen.add(pair)
        a, b = profiles[i].contact, profiles[j].contact
        if _same_person(a, b) or same_company(a, b) or frozenset((a.uid, b.uid)) in done:
            continue
        forward = directed.get((i, j), (0.0, []))
        backward = directed.get((j, i), (0.0, []))
        if backward[0] > forward[0]:  # A is the one whose need is better met
            a, b, forward, backward = b, a, backward, forward
        score = forward[0] + RETURN_FACTOR * backward[0]
        reason = _reason(a, b, forward[1], backward[1], lang)
        suggestions.append(Introduction(a, b, score, reason, forward[1], backward[1]))
    suggestions.sort(key=lambda s: (-s.score, s.a.display_name.casefold(), s.b.display_name.casefold()))
    return suggestions[:limit] if limit is not None else suggestions
