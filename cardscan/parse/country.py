"""Which country a card comes from, from its own evidence, before any default region."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import phonenumbers

from cardscan.parse.lexicon import (
    FREE_MAIL,
    GENERIC_CCTLDS,
    LETTERS,
    by_country,
    country_name_pattern,
    country_names,
    fold,
    not_a_country_here,
)

UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")
US_STATE_ZIP = re.compile(
    r"\b(A[LKZR]|C[AOT]|DE|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|"
    r"V[TA]|W[AVIY]|DC)\.?,?\s+(\d{5}(?:-\d{4})?)\b"
)
BR_CEP = re.compile(r"\b(?:CEP\s*:?\s*)?(\d{5}-\d{3}|\d{2}\.\d{3}-\d{3})\b", re.I)
PT_POSTAL = re.compile(r"\b(\d{4}-\d{3})\s+[" + LETTERS + r"]")
CA_POSTAL = re.compile(r"\b([A-Z]\d[A-Z])\s?(\d[A-Z]\d)\b")
MX_CUES = re.compile(
    r"\b(?:Col\.|Colonia|Alcald[ií]a|Deleg\.|Delegaci[oó]n|CDMX|C\.?\s?P\.\s?\d{5}.*M[eé]x)", re.I
)
AR_CPA = re.compile(r"\b[A-HJ-NP-Z]\d{4}[A-Z]{3}\b")
# A Brazilian state code closing an address chunk after a dash, a bar or a slash ('Jd. Fernandes -SP',
# 'Sao Paulo | SP', 'Campinas/SP'). Codes that are also US states, Spain, Peru or Mexico's DF are left
# out: 'Boston, MA' or 'Madrid - ES' must not read as Brazil.
BR_STATE = re.compile(
    r"(?:\s[-–|]\s?|\s?[-–|]\s|[" + LETTERS + r".]/|[" + LETTERS + r".]\s?-)\s*"
    r"(AC|AP|AM|BA|CE|GO|MG|PB|PR|PI|RJ|RN|RS|RO|RR|SP|SE)\b[\s.|\-–]*(?=$|\s*[|–\-]|\s+\d)",
    re.M,
)
_LANG_CUES = {
    "BR": re.compile(r"\b(?:Rua|Fone|Fones|Celular|CEP|Ltda|Bairro|Jardim|Telefone|Lojas?|Jd\.|Pça\.?|"
                     r"Travessa)(?!\w)", re.I),
    "FR": re.compile(r"\b(?:Rue|Avenue\s+de|Cedex|T[ée]l[ée]phone|Portable|Bureau|Soci[ée]t[ée])\b"),
    "DE": re.compile(r"(?:stra(?:ß|ss)e\b|\bStr\.|\bGmbH\b|\bTelefon\b|\bMobil\b|\bHandy\b)"),
    "IT": re.compile(r"\b(?:Via|Viale|Piazza|Cellulare|S\.r\.l\.|S\.p\.A\.)\b"),
}

# Colombian street numbering: 'Calle 93 # 11-27', 'Carrera 161M Bis # 4-36', 'Cra. 7 No. 71-21'.
CO_ADDRESS = re.compile(
    r"\b(?:Calle|Cl|Carrera|Cra|Kr|Kra|Avenida|Av|Diagonal|Dg|Transversal|Tv|Tr)\.?\s*\d+\s?[A-Z]?"
    r"(?:\s+(?:Bis|Sur|Este|Norte))*\s*(?:#|No\.?|N[º°o])\s*\d+\s?[A-Z]?\s*-\s*\d+",
    re.I,
)
# Legal forms that belong to few countries: (pattern, {country: weight}). Weights under 1 only
# order the countries tried for a number that the card's stronger evidence cannot place.
_LEGAL_FORM_COUNTRY = (
    (re.compile(r"\bde\s?C\.?\s?V\.?(?!\w)", re.I), {"MX": 1.5}),
    (re.compile(r"\bEIRELI\b", re.I), {"BR": 1.5}),
    (re.compile(r"\bLtda\b\.?", re.I), {"BR": 0.5, "CO": 0.4, "CL": 0.3}),
    (re.compile(r"\bS\.\s?A\.\s?S\.(?!\w)"), {"CO": 0.8}),
    (re.compile(r"\bS\.?\s?L\.?\s?U?\.?$|\bS\.\s?L\.(?!\w)|\bS\.\s?Coop\.", re.M), {"ES": 0.8}),
    (re.compile(r"\bGmbH\b"), {"DE": 0.8, "AT": 0.3, "CH": 0.3}),
    (re.compile(r"\b(?:SARL|S\.A\.R\.L\.|EURL|SASU)(?!\w)"), {"FR": 0.8}),
    (re.compile(r"\bPty\.?\s+Ltd\b", re.I), {"AU": 1.0}),
    (re.compile(r"\b(?:LLC|Inc\.)(?!\w)"), {"US": 0.5}),
    (re.compile(r"\b(?:PLC|Ltd)\b\.?"), {"GB": 0.5}),
)
# ccTLDs mostly used as generic ones but still a hint of their country when nothing else says.
_WEAK_TLD = {"co": "CO"}

# ccTLDs that belong to a different ISO code.
_TLD_COUNTRY = {"uk": "GB"}


@cache
def _city_pattern() -> re.Pattern[str]:
    names = sorted((n for n in by_country("cities.txt") if len(n) > 3), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def tld_country(host: str) -> str | None:
    """'empresa.com.mx' -> 'MX'; None for generic domains (.com, .io, .co used as generic)."""
    tld = host.lower().rsplit(".", 1)[-1]
    if tld in _TLD_COUNTRY:
        return _TLD_COUNTRY[tld]
    if len(tld) == 2 and tld not in GENERIC_CCTLDS:
        return tld.upper()
    if tld == "co" and re.search(r"\.(?:com|net|org|gov|edu)\.co$", host.lower()):
        return "CO"
    return None


def named_countries(text: str) -> list[str]:
    """Countries named as a whole chunk of a line (after a comma, a dash or on their own)."""
    found = []
    names = country_names()
    pattern = country_name_pattern()
    for line in text.splitlines():
        for chunk in re.split(r"\s*[,|•·\-–]\s*|\s{2,}", line):
            key = fold(chunk.strip(" .()"))
            if key in names and not not_a_country_here(key, names[key]):
                found.append(names[key])
        folded = fold(line)
        matches = list(pattern.finditer(folded))
        m = matches[-1] if matches else None
        # a country name closing an address line ("28001 Madrid España")
        if m and m.end() >= len(folded.rstrip(" .")) and re.search(r"\d", folded) \
                and not not_a_country_here(m.group(1), names[m.group(1)]):
            found.append(names[m.group(1)])
    return found


def evidence(text: str, hosts: list[str], intl_numbers: list[str]) -> Counter[str]:
    """Weighted votes for the card's country."""
    votes: Counter[str] = Counter()
    for number in intl_numbers:
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
        except phonenumbers.NumberParseException:
            continue
        if region and region != "ZZ":
            votes[region] += 3
    for host in hosts:
        code = tld_country(host)
        if code:
            # 'yahoo.fr' says less than 'empresa.fr': free mail is used far from its country
            votes[code] += 0.5 if host.lower().split(".")[0] in FREE_MAIL else 3
        elif host.lower().rsplit(".", 1)[-1] in _WEAK_TLD:
            votes[_WEAK_TLD[host.lower().rsplit(".", 1)[-1]]] += 0.5
    if CO_ADDRESS.search(text):
        votes["CO"] += 2
    for pattern, weights in _LEGAL_FORM_COUNTRY:
        if pattern.search(text):
            for code, weight in weights.items():
                votes[code] += weight
    for code in named_countries(text):
        votes[code] += 5
    if UK_POSTCODE.search(text):
        votes["GB"] += 3
    if US_STATE_ZIP.search(text):
        votes["US"] += 3
    if BR_CEP.search(text):
        votes["BR"] += 2
    if BR_STATE.search(text):
        votes["BR"] += 1
    if PT_POSTAL.search(text):
        votes["PT"] += 2
    if CA_POSTAL.search(text) and not UK_POSTCODE.search(text):
        votes["CA"] += 1
    if MX_CUES.search(text):
        votes["MX"] += 2
    if AR_CPA.search(text):
        votes["AR"] += 1
    cities = by_country("cities.txt")
    for name in set(_city_pattern().findall(fold(text))):
        votes[cities[name]] += 1.5
    for code, cue in _LANG_CUES.items():
        if cue.search(text):
            votes[code] += 0.8
    return votes
