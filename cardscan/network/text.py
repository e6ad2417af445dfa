"""Text analysis shared by the network features: folding, stemming, concepts.

Words are compared through accent folding plus Snowball stems (Spanish and English:
a note in this book may be written in either, often both), and mapped to the
bilingual vocabulary of networking concepts in ``cardscan/data/networking_vocabulary.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import snowballstemmer

from cardscan.text import fold

_WORD = re.compile(r"[^\W_]+(?:[-&'][^\W_]+)*")
#: A stem may differ from another by one trailing letter and still be the same word:
#: Snowball keeps the i of "fotografia" typed without its accent ("fotografi") but
#: strips "fotografía" to "fotograf".
_MIN_TOLERANT_STEM = 5
#: How much a concept named only as the purpose of a need counts ("for the catalogue").
QUALIFIER_WEIGHT = 0.5


@cache
def _stemmers() -> tuple[snowballstemmer.stemmer, snowballstemmer.stemmer]:
    return snowballstemmer.stemmer("spanish"), snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Token:
    """One word: folded form, Spanish and English stems, where it stood in the text."""

    word: str  # folded
    es: frozenset[str]  # Spanish stems of the word as typed and accent-folded
    en: frozenset[str]
    proper: bool = False  # capitalised in mid-sentence: a place or a name, not a topic
    qualifier: bool = False  # after "para", "for", "como"...: what the need is for, not the need


@lru_cache(maxsize=65536)
def make_token(raw: str, proper: bool = False, qualifier: bool = False) -> Token:
    es_stemmer, en_stemmer = _stemmers()
    lower = raw.casefold()
    folded = fold(raw)
    # Snowball's Spanish rules know accented suffixes (-ía, -ción), so stem the word as typed
    # as well as folded, then fold the stems: both spellings meet on the same stem.
    es = frozenset({fold(es_stemmer.stemWord(lower)), es_stemmer.stemWord(folded)})
    en = frozenset({en_stemmer.stemWord(folded)})
    return Token(folded, es, en, proper, qualifier)


def _stems_meet(left: frozenset[str], right: frozenset[str]) -> bool:
    if left & right:
        return True
    for a in left:
        for b in right:
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            if len(short) >= _MIN_TOLERANT_STEM and len(long_) == len(short) + 1 and long_.startswith(short):
                return True
    return False


def same_word(a: Token, b: Token) -> bool:
    """True when two tokens are forms of one word (in Spanish or in English)."""
    return a.word == b.word or _stems_meet(a.es, b.es) or _stems_meet(a.en, b.en)


@dataclass(frozen=True)
class Vocabulary:
    """The networking concepts, compiled for matching."""

    labels: dict[str, dict[str, str]]  # concept -> {"es": ..., "en": ...}
    #: (concept, term tokens, exact) sorted longest term first
    terms: tuple[tuple[str, tuple[Token, ...], bool], ...]
    meets: dict[str, tuple[str, ...]]  # supply concept -> need concepts it also satisfies
    supplied_by: dict[str, frozenset[str]]  # concept -> the only fields that may offer it (if limited)
    stopwords: frozenset[str]  # folded function words, dropped everywhere
    generic: frozenset[str]  # folded filler words, never a match on their own

    def label(self, concept: str, lang: str) -> str:
        names = self.labels.get(concept, {})
        return names.get(lang) or names.get("en") or concept.replace("_", " ")


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with cardscan (parsed once)."""
    raw = tomllib.loads(
        resources.files("cardscan").joinpath("data/networking_vocabulary.toml").read_text(encoding="utf-8")
    )
    stop = raw.get("stopwords", {})
    stopwords = frozenset(fold(w) for lang in ("es", "en") for w in stop.get(lang, []))
    generic = frozenset(fold(w) for w in stop.get("generic", []))
    labels: dict[str, dict[str, str]] = {}
    terms: list[tuple[str, tuple[Token, ...], bool]] = []
    meets: dict[str, tuple[str, ...]] = {}
    supplied_by: dict[str, frozenset[str]] = {}
    for concept, spec in raw.get("concepts", {}).items():
        labels[concept] = dict(spec.get("label", {}))
        meets[concept] = tuple(spec.get("meets", ()))
        if "supplied_by" in spec:
            supplied_by[concept] = frozenset(spec["supplied_by"])
        for term in [*spec.get("es", []), *spec.get("en", [])]:
            exact = term.startswith("=")
            words = [m.group() for m in _WORD.finditer(term.lstrip("="))]
            tokens = tuple(make_token(w) for w in words if fold(w) not in stopwords)
            if tokens:
                terms.append((concept, tokens, exact))
    terms.sort(key=lambda t: -len(t[1]))
    return Vocabulary(labels, tuple(terms), meets, supplied_by, stopwords, generic)


#: Words after which a need names its purpose, not the need itself, until the next
#: punctuation: "diseño para su nueva app" needs design (for an app), not software.
QUALIFIER_MARKERS = frozenset({"para", "por", "como", "en", "de", "del", "con", "for", "as", "in", "of",
                               "with", "into", "on", "at"})


def tokenize(text: str) -> list[Token]:
    """Content words of `text`, function words removed, proper nouns and qualifiers flagged."""
    voc = vocabulary()
    tokens: list[Token] = []
    qualifier = False
    end = 0
    for match in _WORD.finditer(text):
        raw = match.group()
        between = text[end : match.start()]
        end = match.end()
        before = text[: match.start()].rstrip()
        sentence_start = not before or before[-1] in ".;:!?¡¿\n(\"«“,/"
        if any(ch in between for ch in ".,;:!?\n()"):
            qualifier = False
        folded = fold(raw)
        if folded in QUALIFIER_MARKERS:
            qualifier = True
        if folded in voc.stopwords:
            continue
        proper = raw[:1].isupper() and not raw.isupper() and not sentence_start
        tokens.append(make_token(raw, proper, qualifier))
    return tokens


@dataclass(frozen=True)
class Analysis:
    """What a piece of text talks about."""

    concepts: frozenset[str]
    #: concept -> 1.0 when named as the need itself, QUALIFIER_WEIGHT when only as its purpose
    weights: dict[str, float]
    #: content words outside the vocabulary (no filler, no proper nouns)
    free: tuple[Token, ...]
    #: capitalised words in mid-sentence (places, brands): context, not topics
    proper: tuple[Token, ...]


def _term_at(tokens: list[Token], start: int, term: tuple[Token, ...], exact: bool) -> bool:
    if start + len(term) > len(tokens):
        return False
    for offset, want in enumerate(term):
        got = tokens[start + offset]
        if not (got.word == want.word if exact else same_word(got, want)):
            return False
    return True


@lru_cache(maxsize=16384)
def analyse(text: str) -> Analysis:
    """Concepts named in `text` (longest terms first), and the words left over."""
    tokens = tokenize(text)
    voc = vocabulary()
    used = [False] * len(tokens)
    weights: dict[str, float] = {}
    for concept, term, exact in voc.terms:
        for start in range(len(tokens) - len(term) + 1):
            if any(used[start : start + len(term)]):
                continue
            if _term_at(tokens, start, term, exact):
                weight = QUALIFIER_WEIGHT if tokens[start].qualifier else 1.0
                weights[concept] = max(weight, weights.get(concept, 0.0))
                for i in range(start, start + len(term)):
                    used[i] = True
    free: list[Token] = []
    proper: list[Token] = []
    for token, taken in zip(tokens, used, strict=True):
        if taken or token.word in voc.generic or len(token.word) < 3 or token.word.isdigit():
            continue
        (proper if token.proper else free).append(token)
    return Analysis(frozenset(weights), weights, tuple(free), tuple(proper))


def stem_key(token: Token) -> str:
    """One stable key per word for counting document frequencies."""
    return min(token.es, key=len)
