"""Job titles, departments and company names, from lexicons of words (not of whole titles)."""

from __future__ import annotations

import re
from functools import cache

from cardscan.parse.lexicon import fold, phrases, words

_TOKEN = re.compile(r"[\wÀ-ÿ&+/.\-']+")


def tokens(text: str) -> list[str]:
    return [fold(t).strip(".,:;()") for t in _TOKEN.findall(text)]


_TITLE_SUFFIX = re.compile(r"(?:ologist|ologo|ologa|ologue|ologe|iatra|iatrist)$")


def title_hits(text: str) -> int:
    vocab = words("title_words.txt")
    return sum(1 for t in tokens(text)
               if t in vocab or t.rstrip(".") in vocab or t.split("/")[0] in vocab or _TITLE_SUFFIX.search(t))


def department_hits(text: str) -> int:
    vocab = words("department_words.txt")
    return sum(1 for t in tokens(text) if t in vocab)


def company_word_hits(text: str) -> int:
    vocab = words("company_words.txt")
    return sum(1 for t in tokens(text) if t in vocab)


@cache
def _legal_pattern() -> re.Pattern[str]:
    forms = sorted(set(phrases("legal_forms.txt")), key=len, reverse=True)
    alternatives = []
    for form in forms:
        # dots and spaces optional: 'S.A. de C.V.' matches 'SA de CV', 'S. A. de C. V.'
        parts = [re.escape(ch) if ch not in ". " else r"[.\s]?\s*" for ch in form.rstrip(".")]
        alternatives.append("".join(parts) + r"\.?")
    return re.compile(r"(?<![\w])(?:,\s*)?(" + "|".join(alternatives) + r")(?![\w])", re.I)


# Legal forms that are also everyday words or initials: must be printed in capitals after a name.
_AMBIGUOUS_FORMS = frozenset({"me", "as", "ab", "ag", "se", "co", "sa", "sc", "ac", "oy", "nv", "bv", "kg",
                              "ug", "epp", "spa", "sas", "cb", "sci", "snc"})


def legal_form(text: str) -> str | None:
    """The legal form printed in a line ('S.L.', 'GmbH', 'S.A. de C.V.'), or None."""
    for m in _legal_pattern().finditer(text):
        form = m.group(1)
        key = fold(form).replace(".", "").replace(" ", "")
        before = text[: m.start()].strip(" ,")
        if not before or not re.search(r"[A-Za-zÀ-ÿ0-9]", before):
            continue
        if key in _AMBIGUOUS_FORMS and not (form.replace(".", "").replace(" ", "").isupper() or "." in form
                                            or form in phrases("legal_forms.txt")):
            continue
        if key in {"co"} and "&" not in before[-3:] and "." not in form:
            continue
        return form
    return None


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def matches_domain(text: str, domain_cores: list[str]) -> float:
    """How well a line matches a company domain ('Contoso Ltd' ~ contoso.com): 0..1."""
    squashed = squash(re.sub(_legal_pattern(), "", text))
    if len(squashed) < 3:
        return 0.0
    best = 0.0
    for core in domain_cores:
        if len(core) < 3:
            continue
        if squashed == core:
            return 1.0
        if core.startswith(squashed) or squashed.startswith(core):
            best = max(best, 0.85 if min(len(core), len(squashed)) >= 4 else 0.5)
        elif core in squashed or (len(squashed) >= 5 and squashed in core):
            best = max(best, 0.7)
        else:
            initials = "".join(w[0] for w in fold(text).split() if w[:1].isalpha())
            if len(initials) >= 2 and initials == core:
                best = max(best, 0.7)
    return best
