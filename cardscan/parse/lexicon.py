"""Word lists from cardscan/data/, loaded once and cached."""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache
from importlib import resources

import pycountry

from cardscan.text import fold

#: Digits as OCR misreads them: O/o for 0, l/I for 1.
#: The language pack of a card's country, where it writes one the default languages (spa+eng)
#: lack: the packs tools/ensure-deps.sh installs, read again with by reading/strategy.py.
#: Switzerland is read in German, its most printed language.
COUNTRY_LANGUAGE = {
    "BR": "por", "PT": "por", "AO": "por", "MZ": "por",
    "DE": "deu", "AT": "deu", "CH": "deu", "LI": "deu",
    "FR": "fra", "BE": "fra", "LU": "fra", "MC": "fra", "MA": "fra", "TN": "fra", "DZ": "fra",
    "SN": "fra", "CI": "fra", "CM": "fra",
    "IT": "ita", "SM": "ita",
}
#: The letters of the Latin alphabets cards print (Latin-1 and Latin Extended-A: Czech, Polish,
#: Turkish, Hungarian; Romanian ș and ț), the body of a regex character class.
LETTERS = "A-Za-zÀ-ÿĀ-žȘ-ț"
OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def deaccent(text: str) -> str:
    """Accents removed one character for one character (positions stay valid): 'Móvil' -> 'Movil'."""
    return "".join(unicodedata.normalize("NFKD", c)[0] if ord(c) > 127 else c for c in text)


def _lines(name: str) -> list[str]:
    text = resources.files("cardscan.data").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@cache
def words(name: str) -> frozenset[str]:
    """A one-word-per-line (or space separated) list, folded."""
    return frozenset(fold(w) for ln in _lines(name) for w in ln.split())


@cache
def phrases(name: str) -> tuple[str, ...]:
    """A one-phrase-per-line list, as written."""
    return tuple(_lines(name))


@cache
def by_country(name: str) -> dict[str, str]:
    """'CC<TAB>a,b,c' files -> {folded name: CC} (first country listed wins)."""
    table: dict[str, str] = {}
    for ln in _lines(name):
        code, _, names = ln.partition("\t")
        for item in names.split(","):
            if item.strip():
                table.setdefault(fold(item.strip()), code.strip())
    return table


@cache
def regions_of(country: str) -> frozenset[str]:
    """Folded region names and codes of one country."""
    return frozenset(key.replace(".", "") for key in _region_spellings(country))


#: Labels of registration, tax and licence numbers ('CRO-SP 98765', 'CIF B12345678', 'OAB/SP
#: 123456'): a regex alternation; the number after one is neither a phone nor a postal code.
REGISTRATION_LABELS = (
    r"CIF|NIF|NIE|RFC|CUIT|CUIL|RUT|RUC|NIT|CNPJ|CPF|VAT|TVA|IVA|P\.?\s?IVA|USt[\w-]*|UID|Reg|"
    r"Registro|Registered|Company|Crea|CRM|CRC|CRO|CRP|CRN|CRF|COREN|CRMV|CAU|OAB|RQE|CREF|CRESS|Matr[ií]cula|"
    r"SIRET|SIREN|ABN|ACN|EIN|Licen[cs]e|Lic|C[eé]dula|Inscr\w*")
#: A registration number with its label ('CRO-SP 98765', 'OAB/SP 123.456', 'CRC RS-072451/O-3'):
#: no postal code, no part of a title.
REGISTERED_NUMBER = re.compile(
    rf"\b(?:{REGISTRATION_LABELS})\b[\s.:#º°/-]*(?:[A-Z]{{2}}\b[\s.:#º°/-]*)?\d[\dA-Z.\-/]*", re.I)


#: Street types abbreviated before a street's number in Colombia and Latin America ('Cl. 112',
#: 'Cra. 7', 'Av. 9'): a regex alternation, for the phone finder and the address repairs.
NUMBERED_STREET_TYPES = "Cl|Cll|Calle|Cra|Kr|Carrera|Av|Avda|Avenida|Ak|Ac|Tv|Transversal|Dg|Diagonal"


_LANGS = ("es", "pt", "fr", "de", "it", "ca")


@cache
def country_names() -> dict[str, str]:
    """Folded country names in English and the card languages -> ISO alpha-2 code."""
    table: dict[str, str] = {}
    translations = []
    for lang in _LANGS:
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")}
        for tr in translations:
            names.add(tr.gettext(country.name))
        for name in names:
            if name and len(name) > 3:
                table.setdefault(fold(name), country.alpha_2)
    # Everyday names that ISO spells differently.
    extra = {
        "usa": "US", "u.s.a.": "US", "united states": "US", "estados unidos": "US", "eeuu": "US",
        "ee.uu.": "US", "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
        "great britain": "GB", "reino unido": "GB", "inglaterra": "GB", "mexico": "MX", "méxico": "MX",
        "brasil": "BR", "españa": "ES", "deutschland": "DE", "alemania": "DE", "holland": "NL",
        "the netherlands": "NL", "perú": "PE", "russia": "RU", "south korea": "KR", "corea del sur": "KR",
        "venezuela": "VE", "bolivia": "BO", "vietnam": "VN", "taiwan": "TW", "iran": "IR",
        "uae": "AE", "u.a.e.": "AE", "u.a.e": "AE", "u.s.a": "US", "u.k": "GB",
        "emirates": "AE", "ksa": "SA", "cameroun": "CM", "turkiye": "TR",
        "türkiye": "TR", "nederland": "NL", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
        "maroc": "MA", "al maghrib": "MA", "korea": "KR", "republic of korea": "KR", "p.r. china": "CN",
        "pr china": "CN", "p. r. china": "CN", "sverige": "SE", "norge": "NO", "danmark": "DK",
        "suomi": "FI", "polska": "PL", "österreich": "AT", "magyarország": "HU", "česko": "CZ",
        "česká republika": "CZ",
    }
    for name, code in extra.items():
        table[fold(name)] = code
    return table


@cache
def _city_spellings() -> dict[str, str]:
    table: dict[str, str] = {}
    for ln in _lines("cities.txt"):
        for item in ln.partition("\t")[2].split(","):
            if item.strip():
                table.setdefault(fold(item.strip()), item.strip())
    return table


@cache
def _region_spellings(country: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for ln in _lines("regions.txt"):
        code, _, names = ln.partition("\t")
        if code.strip() == country:
            for item in names.split(","):
                if item.strip():
                    table.setdefault(fold(item.strip()), item.strip())
    return table


def region_spelling(name: str, country: str) -> str | None:
    """A listed region of ``country`` as the lexicon spells it ('Yucatan' -> 'Yucatán'), or None."""
    return _region_spellings(country).get(fold(name.strip(" .")))


def city_spelling(name: str, misread: bool = False) -> str | None:
    """A listed city as the lexicon spells it ('Sao Paulo', 'SÁO PAULO' -> 'São Paulo'), or None.

    With ``misread``, a long name that differs from a listed one by one letter read wrong ('Sio
    Paulo') also counts: same length, same first letter, one substitution."""
    key = fold(name.strip(" ."))
    found = _city_spellings().get(key)
    if found or not misread or len(key) < 8:
        return found
    for listed, spelling in _city_spellings().items():
        if len(listed) == len(key) and listed[0] == key[0] \
                and sum(a != b for a, b in zip(listed, key, strict=True)) == 1:
            return spelling
    return None


@cache
def _places_by_country() -> dict[str, frozenset[str]]:
    """Folded region and city names (from regions.txt and cities.txt) -> the countries they are in."""
    table: dict[str, set[str]] = {}
    for name in ("regions.txt", "cities.txt"):
        for ln in _lines(name):
            code, _, names = ln.partition("\t")
            for item in names.split(","):
                if len(item.strip()) > 3:
                    table.setdefault(fold(item.strip()), set()).add(code.strip())
    return {k: frozenset(v) for k, v in table.items()}


def not_a_country_here(name: str, code: str) -> bool:
    """True when a country name is, on a card, more likely a place or a street word: 'Granada'
    (Grenada in Spanish, a Spanish city), 'Georgia' (a US state), 'Island' (Iceland in German)."""
    key = fold(name.strip(" .()"))
    places = _places_by_country().get(key)
    if places and code not in places:
        return True
    return key in _plain_street_words()


@cache
def _plain_street_words() -> frozenset[str]:
    """Street types and suffixes written without accents: 'Cañada' folds to 'canada' but is no
    spelling of Canada."""
    files = ("street_suffixes.txt", "street_types.txt")
    raw = [w for name in files for ln in _lines(name) for w in ln.split()]
    return frozenset(w.casefold() for w in raw if fold(w) == w.casefold())


@cache
def country_name_pattern() -> re.Pattern[str]:
    """One regex matching any folded country name as whole words."""
    names = sorted(country_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


@cache
def tlds() -> frozenset[str]:
    codes = {c.alpha_2.lower() for c in pycountry.countries} | {"uk", "eu"}
    return frozenset(codes | words("tlds.txt"))


#: ccTLDs used as generic ones: no evidence of a country.
GENERIC_CCTLDS = frozenset({"io", "ai", "co", "tv", "me", "fm", "ly", "to", "cc", "ws", "eu", "app", "la"})

FREE_MAIL = frozenset({
    "gmail", "googlemail", "hotmail", "outlook", "live", "msn", "yahoo", "ymail", "icloud", "me", "mac",
    "aol", "protonmail", "proton", "gmx", "web", "mail", "zoho", "yandex", "terra", "uol", "bol", "ig",
    "r7", "prodigy", "telefonica", "movistar", "orange", "free", "laposte", "libero", "tiscali",
    "btinternet", "sky", "comcast", "verizon", "att", "qq", "163", "fastmail", "tutanota", "wanadoo",
})


_WORD_PAIR = re.compile(r"(?<![\w@./-])([^\W\d_]{2,})\s([^\W\d_A-Z][^\W\d_]*)(?![\w@./-])")


def join_split_words(text: str) -> str:
    """Words OCR broke with a space ('Chief Financia l Officer', 'Soluciones Inmobi liarias',
    'Principal Consu ltant'), joined where the whole is a title, company, department or function
    word and neither piece is one (the second piece opens in a small letter)."""
    if " " not in text:
        return text
    vocabulary = _split_word_vocabulary()

    def join(m: re.Match[str]) -> str:
        whole = fold(m.group(1) + m.group(2))
        if whole in vocabulary and fold(m.group(1)) not in vocabulary and fold(m.group(2)) not in vocabulary:
            return m.group(1) + m.group(2)
        return m.group(0)

    return _WORD_PAIR.sub(join, text)


@cache
def firm_words() -> frozenset[str]:
    """Words that name what a firm is or does ('Group', 'Solutions', 'Advisory', 'Marketing')."""
    return words("company_words.txt") | words("function_words.txt")


@cache
def _split_word_vocabulary() -> frozenset[str]:
    return firm_words() | words("title_words.txt") | words("department_words.txt")
