"""Person names: honorifics and degrees apart, given/family split, proper case."""

from __future__ import annotations

import re
from functools import cache

from cardscan.models import Name
from cardscan.parse.lexicon import COUNTRY_LANGUAGE, fold, phrases, words

PARTICLES = frozenset({
    "de", "del", "la", "las", "los", "y", "i", "e", "da", "das", "do", "dos", "di", "du", "des", "van",
    "von", "der", "den", "ter", "le", "al", "el", "bin", "ben", "zu", "st.", "san",
})
#: Irish particles, as printed ('Ciarán Ó Briain', 'Áine Ní Bhriain'): folded, 'o' and 'ni' are
#: words that join a phrase.
_IRISH_PARTICLES = frozenset({"Ó", "Ní", "Uí", "Ua", "Nic"})


def is_particle(token: str) -> bool:
    return fold(token) in PARTICLES or token in _IRISH_PARTICLES


# Arabic 'Al' and 'El' keep their capital ('Ahmed Khalifa Al Mansoori', 'Mohamed El Sayed')
_LOWER_PARTICLES = PARTICLES - {"st.", "san", "al", "el"}
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})


@cache
def _affix_pattern(name: str) -> frozenset[str]:
    return frozenset(_affix_key(p) for p in phrases(name))


def _affix_key(phrase: str) -> str:
    return fold(phrase).replace(" ", "").rstrip(".")


def is_honorific(token: str) -> bool:
    return fold(token).replace(" ", "").rstrip(".,") in _affix_pattern("honorifics.txt")


@cache
def _acronym_degrees() -> frozenset[str]:
    """The degrees listed in capitals only ('RIBA', 'MBA', 'MA'): acronyms, never written as
    the surnames they spell ('Ruy Riba', 'Lin Ma')."""
    return frozenset(_affix_key(p) for p in phrases("degrees.txt") if not any(ch.islower() for ch in p))


def is_degree(token: str) -> bool:
    if token.startswith("(") and token.endswith(")"):
        token = token[1:-1]  # 'BSc (Hons)'
    key = fold(token).replace(" ", "").rstrip(".,*")  # 'PREC*': a footnote's star
    degrees = _affix_pattern("degrees.txt")
    if key not in degrees and key.endswith(")") and "(" in key:
        key = key[: key.index("(")]  # 'BE(Hons)': the class glued to its degree
    if key in _acronym_degrees() and any(ch.islower() for ch in token.split("(")[0]):
        return False
    return key in degrees and (token[:1].isupper() or key in {"phd"})


def is_post_nominal(token: str) -> bool:
    """A degree, or a token after the comma that follows a name shaped like a post-nominal
    ('ACII', 'MNSE', 'S.T.', 'M.M.'), never a title or a legal form ('CEO', 'S.A.')."""
    if is_degree(token):
        return True
    key = fold(token).replace(" ", "").rstrip(".,")
    return bool(_POST_NOMINAL.fullmatch(token.rstrip(","))) and key not in words("title_words.txt") \
        and key not in _affix_pattern("legal_forms.txt")


#: Capitals ('MNSE'), abbreviations of one to three letters each with its full stop ('S.T.'), or
#: capitals with small letters between them ('MScPT', 'CEng').
_POST_NOMINAL = re.compile(
    r"[A-Z]{3,6}|(?:[A-Z][a-z]{0,2}\.){1,3}|(?=\w*[a-z])[A-Z][a-z]{0,2}[A-Z][A-Za-z]{0,4}")


_TURKIC = frozenset({"TR", "AZ"})


def _lower(word: str, country: str) -> str:
    """Lower case as the card's language writes it: Turkish capital I is dotless ı, İ is i."""
    if country in _TURKIC:
        word = word.replace("I", "ı").replace("İ", "i")
    return word.lower()


def _case_word(word: str, first: bool, country: str = "") -> str:
    """Proper case for one word typed in all caps or all lower case."""
    low = _lower(word, country)
    if not first and low in _LOWER_PARTICLES:
        return low
    parts = re.split(r"([\-'])", low)
    out = []
    for part in parts:
        if part in ("-", "'"):
            out.append(part)
            continue
        head = part[:1]
        cased = ("İ" if head == "i" and country in _TURKIC else head.upper()) + part[1:]
        if re.match(r"mc[a-z]", part):
            cased = "Mc" + part[2:3].upper() + part[3:]
        out.append(cased)
    text = "".join(out)
    # d'Auria, O'Neill: the letter before the apostrophe stays as the card prints it.
    return text


def _shouted(word: str) -> bool:
    """A word of a name in capitals ('SATO', "O'NEILL"), not an initial ('J.') or a particle."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def proper_case(text: str, country: str = "") -> str:
    """A name as it goes into a phone's contacts: ALL-CAPS (or all lower-case) turned into proper
    case, and so are the family names many cards print in capitals among mixed case ('Yuki SATO',
    "Jennifer O'NEILL" -> 'Yuki Sato', "Jennifer O'Neill"): the capitals are typography, not
    spelling. Mixed-case words ('McAllister', 'DeLuca') are kept as printed."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    words_ = text.split()
    if all(c.isupper() for c in letters) or all(c.islower() for c in letters):
        return " ".join(_case_word(w, i == 0, country) for i, w in enumerate(words_))
    if any(not _shouted(w) and any(c.islower() for c in w) for w in words_):
        return " ".join(_case_word(w, i == 0, country) if _shouted(w)
                        else _SHOUTED_AFTER_MC.sub(lambda m: m[1] + m[2].capitalize(), w)
                        for i, w in enumerate(words_))
    return text


#: 'McALLISTER', 'MacDONALD': a family name in capitals but for its prefix.
_SHOUTED_AFTER_MC = re.compile(r"^(Mc|Mac)([A-Z]{2,}[A-Z'\-]*)$")


def given_names() -> frozenset[str]:
    return words("given_names.txt")


def case_says_nothing(text: str) -> bool:
    """True for a line in all capitals or all lower case: its case cannot show a proper name."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and (all(c.isupper() for c in letters) or all(c.islower() for c in letters))


def first_given(text: str) -> bool:
    """The name's first word (after honorifics) is a listed given name: 'DRA. ANA RUIZ' -> True."""
    tokens = [t for t in text.split() if not is_honorific(t)]
    if not tokens:
        return False
    first = fold(tokens[0].strip(".,"))
    # 'Anna-Lena', 'Jean-Baptiste': a compound given name of listed ones
    return first in given_names() or ("-" in first and first.split("-")[0] in given_names())


def split_name(text: str, lang: str = "es", email_local: str = "", country: str = "") -> Name:
    """Split 'Dra. Carmen Ruiz de la Fuente, PhD' into its parts."""
    text = re.sub(r"\s+", " ", without_nickname(text.replace("’", "'"))).strip(" ,;")
    suffixes: list[str] = []
    head, comma, tail = text.partition(",")
    if comma and all(is_post_nominal(t) for t in re.split(r"[,\s]+", tail.strip()) if t):
        text, suffixes = head.strip(), [t for t in re.split(r"[,\s]+", tail.strip()) if t]
    tokens = text.split()
    prefixes: list[str] = []
    while tokens and is_honorific(tokens[0]) and len(tokens) > 1:
        word = tokens.pop(0)
        prefixes.append(word.capitalize() if word.isupper() and len(word) > 2 else word)
    while len(tokens) > 1 and is_degree(tokens[-1]) and tokens[-1].lower() not in {"sr.", "sr"} | {"ii"}:
        suffixes.insert(0, tokens.pop())
    # 'Hannah Pryce BA ACA CTA': unlisted post-nominals beside a listed one, after a name
    # printed in small letters (in 'Ana GARCIA LOPEZ MBA' the capitals are the family name)
    run = 0
    while run < len(tokens) - 2 and is_post_nominal(tokens[-1 - run]):
        run += 1
    if run and any(is_degree(t) for t in [*tokens[-run:], *suffixes]) \
            and not any(t.isupper() for t in tokens[:-run]):
        suffixes[:0] = tokens[-run:]
        del tokens[-run:]
    # 'BSc (Hons)': a degree's class stays with it
    for k in range(len(suffixes) - 1, 0, -1):
        if suffixes[k].startswith("("):
            suffixes[k - 1 : k + 1] = [f"{suffixes[k - 1]} {suffixes[k]}"]
    while len(tokens) > 1 and tokens[-1].lower() in {"jr.", "jr", "ii", "iii", "iv", "sr."}:
        suffixes.insert(0, tokens.pop())
    family_first = _family_in_capitals_first(tokens)
    tokens = proper_case(" ".join(tokens), country).split()
    name = Name(prefix=" ".join(prefixes), suffix=", ".join(suffixes))
    if not tokens:
        return name
    if family_first or (country in FAMILY_FIRST_COUNTRIES and _listed_family_first(tokens)) \
            or (country == "HU" and _given_name_last(tokens)):
        name.family, name.given, name.family_first = tokens[0], " ".join(tokens[1:]), True
        return name
    if len(tokens) == 1:
        name.given = tokens[0]
        return name
    given = [tokens[0]]
    rest = tokens[1:]
    # Compound given names ('José Luis', 'María José', 'Ana Paula'), never taking the last word.
    known = given_names()
    local_words = {fold(w) for w in re.split(r"[._\-]", email_local) if w}
    while len(rest) > 1 and fold(rest[0]) in known and not is_particle(rest[0]):
        # the email says 'jose.garcia' -> 'Luis' in 'José Luis García' stays given; when the email
        # names the second word as the family name, stop.
        if local_words and fold(rest[0]) in local_words and fold(given[0]) in local_words and len(rest) <= 2:
            break
        if lang == "en" and len(rest) == 1:
            break
        given.append(rest.pop(0))
    # 'Martín Ezequiel Pereyra' of 'mpereyra@': the address names the last word, so that is the
    # (first) family name and the word before it a second given name; Portuguese names put
    # the family name people go by last, so there the address says nothing of the word before
    folded_local = fold(email_local)
    if len(rest) == 2 and country not in PORTUGUESE_NAMES \
            and re.fullmatch(r"[^\W\d_]{3,}(?:-[^\W\d_]+)?", rest[0]) and len(rest[1]) >= 3 \
            and fold(rest[1]) in folded_local \
            and fold(rest[0]) not in folded_local and not is_particle(rest[0]):
        given.append(rest.pop(0))
    name.given = " ".join(given)
    if lang == "en" and len(rest) > 1 and not any(is_particle(t) for t in rest):
        name.middle = " ".join(rest[:-1])
        name.family = rest[-1]
    else:
        name.family = " ".join(rest)
    return name


#: Countries of Portuguese names, whose last family name is the one people go by.
PORTUGUESE_NAMES = frozenset(code for code, pack in COUNTRY_LANGUAGE.items() if pack == "por")
#: Countries whose cards print the family name first ('Tan Wei Ming', 'Kim Min-jun').
FAMILY_FIRST_COUNTRIES = frozenset({"CN", "TW", "HK", "MO", "SG", "MY", "KR", "VN"})


def _listed_family_first(tokens: list[str]) -> bool:
    """A listed family name first and none last ('Nguyen Van Minh', not 'Wei Ming Tan')."""
    listed = words("family_names_first.txt")
    return len(tokens) >= 2 and fold(tokens[0]) in listed and fold(tokens[-1]) not in listed


def _given_name_last(tokens: list[str]) -> bool:
    """'Kovács Péter': Hungarian names put the given name last."""
    known = given_names()
    return len(tokens) == 2 and fold(tokens[1]) in known and fold(tokens[0]) not in known


def _family_in_capitals_first(tokens: list[str]) -> bool:
    """'TANAKA Hiroshi', 'DUPONT Jean-Marc': the family name in capitals before the given name, as
    Japanese and French cards print it (the capitals mark the family name)."""
    return len(tokens) == 2 and len(tokens[0].rstrip(".")) >= 2 and tokens[0].isupper() and all(
        t[:1].isupper() and not t.isupper() for t in tokens[1:])


# Prepositions, articles and conjunctions that join the words of a phrase ('Aluguel de Vestidos Para
# Noivas', 'Tudo é possível', 'Parts for Cars') but never the parts of a person's name.
NOT_IN_NAMES = frozenset({
    "para", "por", "pelo", "pela", "com", "em", "sem", "no", "na", "nos", "nas", "ao", "aos", "a", "o",
    "os", "as", "um", "uma", "que", "en", "con", "sin", "sobre", "hasta", "desde", "un", "una", "lo",
    "the", "of", "and", "for", "with", "at", "in", "on", "to", "by", "from", "our", "your", "we", "is",
    "et", "pour", "avec", "sur", "dans", "au", "aux", "les", "une", "und", "mit", "fur", "im",
    "am", "zum", "zur", "per", "nel", "nella", "sul", "alla", "il",
})


#: Particles that never open a name line in lower case (Arabic names write 'Al', 'al-'): read
#: there, they are a logo read as a word ('al Benjamin Aguayo').
SPECK_PARTICLES = frozenset({"al", "el"})


#: A nickname in quotes inside a name: 'Margaret "Peggy" Hillman', 'Dale “Dusty” Kravitz Jr.'
_NICKNAME = re.compile(r"\s[\"“”„«][^\"“”„»\d]{1,20}[\"“”»](?=\s)")


def without_nickname(text: str) -> str:
    return _NICKNAME.sub("", text)


def looks_like_name(text: str) -> bool:
    """Shape of a person's name: 2-4 words of letters, capitalised (or all caps), particles allowed;
    no digits, no words that only join a phrase, nothing after a comma but degrees ('Ana Ruiz, PhD')."""
    if re.search(r"\d", text):
        return False
    text = without_nickname(text)
    clean = text
    if "," in text:
        clean, _, tail = text.partition(",")
        extras = [t for t in re.split(r"[,\s]+", tail) if t]
        if not extras or not all(is_post_nominal(t) or fold(t).rstrip(".") in _GENERATIONS for t in extras):
            return False  # 'Aparelho de Som CD, DVD, ...', 'Rua Murutinga do Sul, 132'
    tokens = [t for t in clean.split() if not is_honorific(t) and not is_degree(t)]
    if not 2 <= len(tokens) <= 6:
        return False
    if any(fold(t) in NOT_IN_NAMES and t not in _IRISH_PARTICLES for t in tokens):
        return False
    if tokens[0] in SPECK_PARTICLES and not clean.islower():
        return False  # 'al Benjamin Aguayo': a logo read as a word
    if fold(tokens[0].rstrip(".,:")) in words("street_words.txt"):
        return False  # 'Rua Boa Vista', 'Calle Mayor'
    # 'Ben Carey', 'Al Pacino': a particle that is also a given name opens a name as a name
    core = [t for k, t in enumerate(tokens)
            if not is_particle(t) or (k == 0 and fold(t) in given_names())]
    if len(core) < 2 or len(core) > 4:
        return False
    for t in core:
        if not re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'\-.]*", t):
            return False
        if not (t[0].isupper() or t.isupper()) and not clean.islower():
            return False
        if len(t.rstrip(".")) == 1 and t is core[0] and not _initials_first(core):
            return False
    return True


def _initials_first(core: list[str]) -> bool:
    """'S. Ramakrishnan', 'K. V. Subramanian': capital initials with their dots before a family
    name, as South Indian names are printed (a lone letter without a dot is a speck or a bullet)."""
    initials = [t for t in core if re.fullmatch(r"[A-Z]\.", t)]
    return bool(initials) and core[: len(initials)] == initials and len(core) > len(initials) \
        and all(len(t) >= 3 for t in core[len(initials):])
