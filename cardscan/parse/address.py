"""Postal addresses: find the block of address lines, then split it into street, city, region,
postal code and country. US addresses go through usaddress (a probabilistic tagger trained on
US addresses); other countries use postal-code formats and the region lists in cardscan/data."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry
import usaddress

from cardscan.models import Address
from cardscan.parse.country import AR_CPA, BR_CEP, CA_POSTAL, PT_POSTAL, UK_POSTCODE, US_STATE_ZIP
from cardscan.parse.layout import Segment
from cardscan.parse.lexicon import (
    LETTERS,
    NUMBERED_STREET_TYPES,
    OCR_DIGITS,
    REGISTERED_NUMBER,
    city_spelling,
    country_names,
    firm_words,
    fold,
    not_a_country_here,
    region_spelling,
    regions_of,
    words,
)
from cardscan.parse.names import is_degree, is_honorific, looks_like_name

# (a label is a word of its own: the 'Cap' of 'Cape Town' is no Italian CAP)
_POSTAL_LABEL = (r"(?:C\.?\s?P\.?|CP|CEP|ZIP(?:\s?code)?|Postal\s?code|C[oó]digo\s?postal|PLZ|CAP)"
                 r"(?![^\W\d_])\s*:?\s*")
_POSTAL_BY_COUNTRY: dict[str, re.Pattern[str]] = {
    "GB": UK_POSTCODE,
    "BR": re.compile(r"\b(\d{5}-?\d{3}|\d{2}\.\d{3}-\d{3})\b"),
    "PT": re.compile(r"\b(\d{4}-\d{3})\b"),
    "CA": CA_POSTAL,
    "NL": re.compile(r"\b(\d{4}\s?[A-Z]{2})\b"),
    # CPA 'C1043CJF', its short form 'C1043', or the old four digits (not a house number after N°)
    "AR": re.compile(r"\b([A-HJ-NP-Z]\d{4}(?:[A-Z]{3})?|(?<!N°\s)(?<!Nº\s)\d{4}(?!.*\b[A-HJ-NP-Z]\d{4}))\b"),
    "CL": re.compile(r"\b(\d{7})\b"),
    "CO": re.compile(r"\b(\d{6})\b"),
    "US": re.compile(r"\b(\d{5}(?:-\d{4})?)\b"),
    "AT": re.compile(r"\b(\d{4})\b"),
    "CH": re.compile(r"\b(\d{4})\b"),
    "BE": re.compile(r"\b(\d{4})\b"),
    "IN": re.compile(r"\b(\d{3}\s?\d{3})\b"),  # a PIN is often printed '400 001'
    "SG": re.compile(r"\b(\d{6})\b"),
    "CN": re.compile(r"\b(\d{6})\b"),
    "RU": re.compile(r"\b(\d{6})\b"),
    "JP": re.compile(r"(?:〒\s?)?\b(\d{3}-\d{4})\b"),
    "PL": re.compile(r"\b(\d{2}-\d{3})\b"),
    "SE": re.compile(r"\b(\d{3}\s?\d{2})\b"),
    "CZ": re.compile(r"\b(\d{3}\s?\d{2})\b"),
    "SK": re.compile(r"\b(\d{3}\s?\d{2})\b"),
    "GR": re.compile(r"\b(\d{3}\s?\d{2})\b"),
    "IL": re.compile(r"\b(\d{7})\b"),
    "RO": re.compile(r"\b(\d{6})\b"),
    "NG": re.compile(r"\b(\d{6})\b"),
    "EC": re.compile(r"\b(\d{6})\b"),
    "TW": re.compile(r"\b(\d{3}(?:\d{2,3})?)\b"),
    "IE": re.compile(r"\b((?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4})\b"),  # an Eircode
    **{code: re.compile(r"\b(\d{4})\b") for code in ("AU", "NZ", "ZA", "DK", "NO", "HU", "LU", "PH", "BG",
                                                        "VE", "BD")},
}
#: Countries whose postal codes no phone, house or registration number looks like.
_DISTINCT_POSTAL = frozenset(("IE", "PL", "JP"))
#: Countries whose postal codes are not five digits: five digits there are no postal code.
_NOT_FIVE_DIGITS = frozenset(("AR", "AT", "CH", "BE", "AU", "NZ", "ZA", "DK", "NO", "HU", "LU", "PH", "BG",
                              "CL", "CO", "IN", "SG", "IL"))  # six and seven digits there
_FIVE_DIGITS = re.compile(r"\b(\d{5})\b")
_LABELLED_POSTAL = re.compile(_POSTAL_LABEL + r"([A-Z]?\d[\dA-Z\-. ]{2,8}\d[A-Z]{0,3})\b", re.I)
# A town written before or after a postal code on its line ('478582 Cubará', 'Wien, 1010',
# 'Nariman Point, Mumbai - 400 021', 'Chennai - 600 004.')
_PLACE_BEFORE = r"(?:(?:[" + LETTERS + r" .'-]+,)*[" + LETTERS + r" .'–-]+,?[\s-])?"  # 'Bengaluru – 560038'
_PLACE_AFTER = r"(?:,?\s[" + LETTERS + r" .'-]+(?:\s\d{1,2})?)?\.?"  # 'Genève 3': its post office
_MISREAD_POSTAL = re.compile(
    _POSTAL_LABEL + r"((?=[\dOolI\-. ]*\d[\dOolI\-. ]*\d)[\dOolI][\dOolI\-. ]{2,8}[\dOolI])(?![\w])", re.I
)
_STREET_NUMBER = re.compile(r"\d|\bs/n\b", re.I)
_NEIGHBOURHOOD = re.compile(
    r"^(?:Col\.?|Colonia|Bairro|Barrio|Fracc\.?|Fraccionamiento|Urb\.?|Jd\.?|Jardim)\s", re.I
)
_CHUNK_SPLIT = re.compile(r"\s*(?:,|;|\||–|—|\s-\s|\s-$|^-\s|\s/\s?|(?<=[^\W\d])/(?=[A-Z]{2}\b))\s*")
# A postal code written with its country's letters: 'CH-1201 Genève', 'D-10115 Berlin'.
_COUNTRY_PREFIX = re.compile(r"\b(?:CH|D|A|F|I|B|E|L|NL|FL|P|DK|S|N|H|FI|SK|CZ|PL|HR|SI|RO|BG)-(?=\d{4,5}\b)")
# A post-office box, printed as a street would be: 'P.O. Box 123456', 'BP 1234', 'Postfach 10 20'.
_PO_BOX = re.compile(
    r"^(?:P\.?\s?O\.?\s?Box|PO\s?Box|P\.?O\.?B\.?|Box|B\.?\s?P\.?|Postfach|Apartado|Apdo\.?|Caixa\s+Postal|"
    r"Case\s+postale|Casella\s+postale|Casilla|Postbus|"
    r"C\.?\s?P\.?\s(?=\d+\s+\D))\s*\d[\d ]*(?=$|[,\s])", re.I)
# Kenya's 'P.O. Box 30412-00100 Nairobi': the box, then the postal code of its post office.
_BOX_THEN_POSTAL = re.compile(r"^((?:P\.?\s?O\.?\s?)?Box\s*\d+)\s?-\s?(\d{5})(?=[\s,])", re.I)
_POSTAL_THEN_TOWN = re.compile(r"\d{5}\s+[" + LETTERS + r" .'-]+")
# Japanese addresses: block numbers first ('3-1-1 Kasumigaseki'), a ward ('Chiyoda-ku') that
# belongs with the street, a city ('Matsue-shi') before the prefecture; Korean ones a district
# ('Gangnam-gu', 'Yeoksam-dong') before the city.
_JP_BLOCKS = re.compile(r"^\d{1,4}(?:-\d{1,4}){1,3},?\s+[A-Za-z]")
_WARD = re.compile(r"^(?:\d[\d-]*,?\s+)?[A-Z][a-z]+-(?:ku|cho|machi|gu|dong|eup|myeon|ro|gil|daero)$")
# '〒' read as a T before a Japanese postal code ('T107-0052')
_JP_POSTAL_MARK = re.compile(r"(?<![\w])T\s?(?=\d{3}-\d{4}\b)")
_JP_POSTAL_FIRST = re.compile(r"^(〒\s?\d{3}-\d{4}),?\s+")
_JP_CITY = re.compile(r"^[A-Z][a-z]+-(?:shi|gun)$")
# 'Barcelona: Av. Diagonal 640': the office's name before its address.
_OFFICE_LABEL = re.compile(r"^(?:[A-ZÀ-Ý][\wÀ-ÿ.]*\s?){1,3}:\s+(?=\S)")
_PAREN = re.compile(r"\(([^)]+)\)")
# 'Address:', 'A:', 'Add.:', 'Dirección:', 'Endereço:' before the address itself.
_ADDRESS_LABEL = re.compile(
    r"^(?:A|Ad|Add|Addr|Address|Adresse|Adr|Adres|Direcci[oó]n|Dir|Domicilio|Endere[cç]o|End|Indirizzo|"
    r"Anschrift|Location|Office|Oficina|Sede|Bureau)\.?\s*:\s*", re.I)
#: Bullets and map pins OCR reads as letters at the start of a line ('o', 'e', 'Q', '@', a dot).
_BULLET_LETTERS = frozenset({"o", "e", "Q", "@", "•", "·", "-", "*", "°"})
#: Words that open an address line with a unit, not a street: 'No. 42', 'Level 5', 'Room 1508'.
_UNIT_FIRST = re.compile(
    r"^(?:No|Nr|Level|Lvl|Floor|Fl|Flat|Unit|Room|Rm|Suite|Ste|Office|Plot|Apt|Bldg|Block|Blk|Lot|Piso|"
    r"Sala|Andar|P\.?\s?O\.?|PO|Box|Sector|Mah|Mahallesi)\.?,?$", re.I)
#: Street types of the languages that print the house number after the street's name.
_NAME_THEN_NUMBER = re.compile(
    rf"^(?:{NUMBERED_STREET_TYPES}|C/|Paseo|P[ºo]|Plaza|Pza|Rua|R|Travessa|Tv|Alameda|Al|Estrada|Rodovia|"
    r"Plot|Lote|Via|Viale|V\.le|Corso|C\.so|Piazza|P\.zza|Jir[oó]n|Jr|Camino|Ronda|Carretera|Ctra|Ul|Ulica|Aleja|"
    r"Strada|Calea|Sokak|Sok|Caddesi|Cad|Utca)\.?$", re.I)


@dataclass
class AddressResult:
    address: Address
    segments: list[int]  # indexes of the segments used


def _street_word(token: str) -> bool:
    return fold(token.rstrip(".,:")) in words("street_words.txt") or fold(token) in words("street_words.txt")


def _has_firm_word(tokens: list[str]) -> bool:
    """Words that name what a firm does ('Advisory', 'Services', 'Consulting', 'Group')."""
    return any(fold(t.strip(".,")) in firm_words() for t in tokens)


def _numbered_type(token: str) -> bool:
    """A street type that is also an everyday word ('Cuesta', 'Vale', 'Studio'): needs a number."""
    return fold(token.rstrip(".,:")) in words("street_types.txt")


def _street_suffix(token: str) -> bool:
    """An English street suffix ('Street', 'Lodge', 'Crescent'), closing a street name."""
    return fold(token.rstrip(".,:")) in words("street_suffixes.txt")


# German and Dutch street names end in their type: 'Musterstraße 5', 'Kurt-Johann-Ring 8'.
_COMPOUND_STREET = re.compile(
    r"[\w-](?:stra(?:ß|ss|fb|b)e|str\.|weg|platz|gasse|allee|ring|damm|ufer|chaussee|steig|pfad|markt|graben|"
    r"stieg|promenade|straat|laan|plein|gracht|kade|gatan|gata|gaten|gate|vägen|vej|veien|vegen|vei|gade|"
    r"tie|katu|kuja)(?!\w)", re.I
)
_HOUSE_NUMBER_FIRST = re.compile(r"^(?:\d{1,5}[A-Za-z]?|\d{1,5}[-–]\d{1,5})\s+[" + LETTERS + r"]")


def _is_street(text: str) -> bool:
    tokens = text.split()
    if not tokens:
        return False
    has_number = bool(_STREET_NUMBER.search(text))
    if _street_word(tokens[0]) and len(tokens) > 1:
        if is_honorific(tokens[0]) or len(tokens[0].rstrip(".")) <= 2:
            return has_number  # 'Dr. Ana Gil' is a name, 'Dr. 5' is not a street either
        # 'Torre & Villalba Abogados' is a firm ('Torre' opens streets too): no number, an '&';
        # so is 'Crescent Advisory Services': no number, words of a firm
        return has_number or (len(tokens) >= 3 and "&" not in tokens and not _has_firm_word(tokens[1:]))
    if _numbered_type(tokens[0]) and len(tokens) > 1 and has_number and not is_honorific(tokens[0]):
        return True  # 'Cuesta de Pía Pedraza 1', 'Studio 13U, Harry Light', 'Ladeira Albuquerque, 33'
    # '2 Kingdom Street', '4001 1st Ave NE', '28641 Roberts Lodge Apt. 890'
    if has_number and any(_street_word(t) for t in tokens[1:]):
        return True
    if _HOUSE_NUMBER_FIRST.match(text) and any(_street_suffix(t) for t in tokens[2:] or tokens[1:]):
        return True
    if _JP_BLOCKS.match(text) or _PO_BOX.match(text):
        return True
    return bool(has_number and _COMPOUND_STREET.search(text))


def _repair_postal(text: str) -> str:
    """'CEP OlI37-000' -> 'CEP 01137-000': O, l and I read for digits, only after a postal label;
    'TQ7Y SPP' -> 'TQ7Y 5PP': a UK postcode's second half always starts with a digit."""
    def fix(m: re.Match[str]) -> str:
        return m.group(0)[: m.start(1) - m.start(0)] + m.group(1).translate(OCR_DIGITS)

    def fix_inward(m: re.Match[str]) -> str:
        return f"{m.group(1)} {m.group(2).translate(_LETTER_DIGITS)}{m.group(3)}"

    text = _COUNTRY_PREFIX.sub("", text)
    text = _MISREAD_POSTAL.sub(fix, text)
    text = _CA_MISREAD.sub(lambda m: m.group(1) + " " + m.group(2).replace("O", "0"), text)
    text = _AR_CPA_MISREAD.sub(lambda m: m.group(1) + re.sub(r"[)\]|]", "J", m.group(2)), text)
    text = _AR_CPA_DIGITS.sub(lambda m: m.group(1) + m.group(2).translate(OCR_DIGITS), text)
    text = _UK_MISREAD_OUTWARD.sub(lambda m: m.group(1) + m.group(2).translate(_LETTER_DIGITS), text)
    return _UK_MISREAD_INWARD.sub(fix_inward, text)


# A UK postcode whose inward code starts with a letter OCR confuses with a digit.
_UK_MISREAD_INWARD = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s+([SOIZBlG])([A-Z]{2})\b")
_LETTER_DIGITS = str.maketrans("SOIZBlG", "5012816")
# ... and one whose outward code has a 1 or a 0 read as a letter ('London ECIM 5PS').
_UK_MISREAD_OUTWARD = re.compile(r"\b([A-Z]{1,2})([IlO])(?=[A-Z\d]?\s+\d[A-Z]{2}\b)")
# An Argentine CPA with O, l or I for digits ('C1O43AAZ', 'X5OOO Córdoba').
_AR_CPA_DIGITS = re.compile(r"\b([A-HJ-NP-Z])((?=[\dOlI]{4}(?:[A-Z]{3})?\b)(?=[\dOlI]*\d)[\dOlI]{4})")
# A Canadian postal code with an O read for a zero in its second half ('T2P OH7').
_CA_MISREAD = re.compile(r"\b([A-Z]\d[A-Z])\s?((?=[A-Z\d]*O)[\dO][A-Z][\dO])\b")
# An Argentine CPA with its J read as a bracket ('C1043C)F').
_AR_CPA_MISREAD = re.compile(r"\b([A-HJ-NP-Z]\d{4})((?=[A-Z]*[)\]|][A-Z]*(?:\s|,|$))[A-Z)\]|]{3})")
# A postal code printed after the country's name ('..., Alberta, Canada T2P 0H7').
_POSTAL_AFTER_COUNTRY = re.compile(
    r"(?P<country>[" + LETTERS + r"][" + LETTERS + r" .]+?)\s+(?P<postal>[A-Z0-9][A-Z0-9 \-]{2,8})$")




_CP_LABEL = re.compile(r"C\.?\s?P\b", re.I)


#: A year a business was founded in ('since 1994', 'desde 1987', 'Est. 1897'): no postal code.
_SINCE_YEAR = re.compile(r"\b(?:since|desde|seit|depuis|dal|dès|est\.?|established|founded"
                         r"|fundad[ao]s?(?:\s+en)?|fondée?(?:\s+en)?|gegründet|anno)\s+(?:1[89]|20)\d{2}\b",
                         re.I)


def _without_other_numbers(text: str) -> str:
    """The line without the numbers that look like postal codes but are not: a registration
    ('CRM 123456'), a founding year ('since 1994')."""
    return REGISTERED_NUMBER.sub(" ", _SINCE_YEAR.sub(" ", text))


def _find_postal(text: str, country: str) -> str | None:
    """The postal code printed in a line, in the card country's format first."""
    text = _repair_postal(_without_other_numbers(text))
    # 'P.O. Box 22550, Doha', 'Diplomatic Area, Manama, P.O. Box 20541': a box's number is no
    # postal code ('C.P.' after a comma, or on a card not from Brazil or Portugal, where it is a
    # 'caixa postal', is a postal code's label: 'C.P. 37160 León, Gto.')
    spanish_cp = country not in ("BR", "PT")
    pieces = [piece.strip() for piece in text.split(",")]
    text = ", ".join(piece[box.end():] if (box := _PO_BOX.match(piece))
                     and not ((i or spanish_cp) and _CP_LABEL.match(piece))
                     else piece for i, piece in enumerate(pieces))
    labelled = _LABELLED_POSTAL.search(text)
    if labelled:
        return labelled.group(1).strip()
    order = [country] if country in _POSTAL_BY_COUNTRY else []
    order += ["GB", "BR", "PT", "CA"]
    for code in order:
        m = _POSTAL_BY_COUNTRY[code].search(text)
        if m:
            return m.group(0) if code in ("GB", "CA") else m.group(1)
    if country in _NOT_FIVE_DIGITS:
        return None
    m = _FIVE_DIGITS.search(text)
    return m.group(1) if m else None


def _named_country(text: str) -> tuple[str, str] | None:
    """(printed name, code) when a chunk of the line is a country's name."""
    names = country_names()
    for chunk in _CHUNK_SPLIT.split(text):
        key = fold(chunk.strip(" .()"))
        if key in names and len(chunk.strip()) > 1 and not not_a_country_here(key, names[key]):
            printed = chunk.strip(" ()")  # 'U.A.E.' keeps its last dot, 'Spain.' does not
            return (printed if re.search(r"\w\.\w", printed) else printed.strip(" .")), names[key]
    m = re.search(r"\s([" + LETTERS + r".]+(?:\s[" + LETTERS + r".]+)?)\s*$", text)
    last_chunk = _CHUNK_SPLIT.split(text)[-1].strip(" .")
    if m and re.search(r"\d", text) and not city_spelling(last_chunk):  # not 'Ciudad de México'
        for cand in (m.group(1), m.group(1).split()[-1]):
            key = fold(cand.strip(" ."))
            if key in names and (len(key) > 3 or key in {"usa", "uk"}) \
                    and not not_a_country_here(key, names[key]):
                return cand.strip(" ."), names[key]
    return None


def _is_region(chunk: str, country: str) -> bool:
    key = fold(chunk.strip(" ()")).replace(".", "")
    if not key:
        return False
    if country and key in regions_of(country):
        return True
    # an upper-case state code ('SP', 'WA', 'CA') or a listed region of any country
    return bool(re.fullmatch(r"[A-Z]{2}", chunk.strip())) and any(
        key in regions_of(c) for c in ("US", "BR", "CA", "MX")
    )


def _town_and_region(text: str, country: str) -> tuple[str, str] | None:
    """A listed town followed by its region's name or code ('Bogotá D.C.'): (town, region)."""
    words_ = text.split()
    if len(words_) > 1 and _is_region(words_[-1], country) and city_spelling(" ".join(words_[:-1])):
        return " ".join(words_[:-1]), words_[-1]
    return None


def _town_alone(text: str, country: str) -> bool:
    """A listed town, maybe with its region after it ('Santiago', 'Bogotá D.C.')."""
    text = text.strip(" ,")
    if not text or len(text.split()) > 4:
        return False
    return bool(city_spelling(text) or _town_and_region(text, country))


def line_score(text: str, country: str) -> float:
    """How much a segment looks like part of an address."""
    text = _without_other_numbers(text).strip()
    score = 0.0
    if _is_street(text):
        score += 2
    elif text.split() and _street_word(text.split()[0]) and len(text.split()) > 1 \
            and "&" not in text.split() and not is_honorific(text.split()[0]) \
            and (bool(_STREET_NUMBER.search(text)) or not _has_firm_word(text.split()[1:])) \
            and re.search(r"[^\W\d_]{3}|\d", text.split(maxsplit=1)[1]):
        score += 0.8  # a street type and a name ('Rua Augusta'), no 'R SA' left by a logo
    text = _repair_postal(text)
    if _LABELLED_POSTAL.search(text) or UK_POSTCODE.search(text) or US_STATE_ZIP.search(text) \
            or CA_POSTAL.search(text):
        score += 2
    elif BR_CEP.search(text) or (
        _FIVE_DIGITS.search(text) and re.search(r"[" + LETTERS + r"]{3}", text)
        and not re.search(r"\d{6}", text)
    ):
        score += 1.2
        if score == 1.2 and _listed_town_in(text):
            score += 0.6  # '90449 Nürnberg', 'Südwestpark 37, 90449 Nürnberg': an address alone
    elif re.match(r"^\d{1,5}[A-Za-z]?\s+[" + LETTERS + r"]", text) and len(text.split()) >= 2 \
            and len(re.findall(r"\d+", text)) == 1:
        score += 0.8  # '1400 SW Broadway': a house number first, as in English addresses
    elif score == 0 and _NAMED_STREET_NUMBER.match(text):
        score += 1.0  # 'Reconquista 2682, Piso 15', 'Isidora Goyenechea 88': a street named alone
    elif score == 0 and _town_alone(text, country):
        score += 1.0  # 'Santiago', 'Valparaíso', 'Bogotá D.C.' alone on their line
    if PT_POSTAL.search(text) or AR_CPA.search(text):
        score += 1.2
    elif country in _POSTAL_BY_COUNTRY and score < 1.2 and len(text.split()) <= 6 and re.fullmatch(
            _PLACE_BEFORE + _POSTAL_BY_COUNTRY[country].pattern + _PLACE_AFTER, text):
        score += 1.2  # the card country's postal code beside a town: '478582 Cubará', '1010 Wien'
        if _listed_town_in(text):
            score += 0.6  # a listed town: the line is an address alone ('110 00 Praha')
    elif country in _POSTAL_BY_COUNTRY and score < 1.2 and _street_then_postal(text, country):
        score += 2  # 'Husova 12, 602 00 Brno': a street, then the postal code and its town
    elif country in _DISTINCT_POSTAL and score < 1.2 and len(text.split()) <= 6 \
            and _POSTAL_BY_COUNTRY[country].search(text) and re.search(r"[" + LETTERS + r"]{3}", text):
        score += 1.2  # a postal code no other number looks like: 'Dublin 2, D02 T380'
    if _named_country(text):
        score += 1.5
    if _NEIGHBOURHOOD.match(text):
        score += 1
    chunks = [c for c in _CHUNK_SPLIT.split(text) if c]
    if len(chunks) >= 2 and any(_is_region(c, country) for c in chunks) \
            and not (looks_like_name(text) and any(is_degree(c.strip()) for c in chunks[1:])):
        # ('Anita M. Kowalski, MD, FACC': MD is Maryland, and a degree)
        score += 1.5 if len(chunks) == 2 and not re.search(r"\d", text) else 1
    if text.strip().isupper() is False and len(re.findall(r"[^\W\d_]{2,}", text)) > 9:
        score -= 1  # a sentence, not an address line (dashes and bars between parts are no words)
    return score


def _street_then_postal(text: str, country: str) -> bool:
    """A name and a house number, then after a comma the card country's postal code and a town
    ('Karl Johans gate 22, 0159 Oslo'), the way most of Europe prints an address on one line."""
    head, comma, tail = text.rpartition(",")
    return bool(comma) and bool(re.search(r"[" + LETTERS + r"]{3}.*\d", head)) and len(tail.split()) <= 4 \
        and bool(re.search(r"[" + LETTERS + r"]{2}", tail)) \
        and bool(re.fullmatch(r"\s?" + _POSTAL_BY_COUNTRY[country].pattern + _PLACE_AFTER, tail))


def _listed_town_in(text: str) -> bool:
    """A listed town among the pieces that digits and commas leave of the line."""
    return any(city_spelling(piece) for piece in re.split(r"[\d,]+", text) if piece.strip())


#: A street printed by its name alone: two to four capitalised words, then the house number,
#: maybe a floor or office after a comma ('Reconquista 2682, Piso 15').
_NAMED_STREET_NUMBER = re.compile(
    r"^(?:[A-ZÀ-Ý][a-zà-ÿ]+\s){1,3}[A-ZÀ-Ý][a-zà-ÿ]+\s\d{1,5}[A-Za-z]?"
    r"(?:,\s(?:Piso|Of\.?|Oficina|Depto\.?|Dpto\.?|Local|Andar|Sala)\s?\w{1,4})?$")
# ... and those hyphened to digits ('l-2-3 Umeda', '2-4-l Marunouchi', 'Tokyo lOO-0005'; not 'I-35').
_MISREAD_BESIDE_HYPHEN = re.compile(r"(?<![\w-])(?!I-)[OlI]{1,3}(?=-\d)|(?<=\d-)[OlI]{1,3}(?![\w-])")
_MISREAD_NUMBER = re.compile(r"(?<![\w])(?=[\dOlI]*\d)(?=[\dOlI]{2})[\dOlI]*[OlI][\dOlI]*(?![\w])")


def _repair_numbers(text: str, country: str = "") -> str:
    """OCR's misreadings in an address line: O, l and I beside digits ('Edif. 1O9', 'Of. 8Ol');
    'N* 986' for 'N° 986'; 'Bahnhofstrafe' for 'Bahnhofstraße'; in Colombia '# ' read as '4 '
    ('Cl. 112 4 9-17'); where the ordinal indicator is the norm (Spain, Portugal, Brazil), the
    degree sign for it ('16° andar', '3° B'; Argentine cards print both); a comma after a
    house number read as a semicolon ('Antigo 2806; Sala 6'); '15t Ave' for '1st Ave'."""
    text = _MISREAD_NUMBER.sub(lambda m: m.group(0).translate(OCR_DIGITS), text)
    text = _MISREAD_BESIDE_HYPHEN.sub(lambda m: m.group(0).translate(OCR_DIGITS), text)
    text = _NUMBER_SEMICOLON.sub(",", text)
    text = _NUMERO_STAR.sub("N° ", text)
    text = _STRASSE_MISREAD.sub(lambda m: m[0][0] + "traße", text)
    text = _FIRST_MISREAD.sub(r"\1st", text)
    if country == "CO":
        text = _CO_HASH_MISREAD.sub(r"\1# ", text)
    if country in ("ES", "PT", "BR"):
        text = _DEGREE_ORDINAL.sub("º", text)
    if country == "JP":
        text = _JP_POSTAL_MARK.sub("〒", text)
    return text


_NUMBER_SEMICOLON = re.compile(r"(?<=\d);(?=\s)")
# '4001 15t Ave NE', '21 5t Street': the s of '1st' read as a 5, before a street's type.
_FIRST_MISREAD = re.compile(
    r"\b(\d*1)5t(?=\s+(?:Ave|Avenue|St|Street|Floor|Fl|Rd|Road|Blvd|Place|Pl)\b)", re.I)
_DEGREE_ORDINAL = re.compile(r"(?<=\d)°(?=\s?[" + LETTERS + r"]|\s*$|\s*,)")
_NUMERO_STAR = re.compile(r"\bN\*\s?(?=\d)")
_STRASSE_MISREAD = re.compile(r"(?:(?<=[a-zäöü])s|\bS)tra[fbB]e(?=\s+\d)")  # 'Kärntner StraBe 21
_CO_HASH_MISREAD = re.compile(
    rf"^((?:{NUMBERED_STREET_TYPES})\.?\s\d{{1,3}}[A-Z]?\s)4\s(?=\d{{1,3}}[A-Z]?-\d{{1,3}}\b)", re.I)


def find_address(segments: list[Segment], country: str) -> AddressResult | None:
    """The best block of consecutive address lines and its parts."""
    for seg in segments:
        if seg.rest and not seg.used and line_score(_repair_numbers(seg.rest, country), country) > 0:
            seg.rest = _repair_numbers(seg.rest, country)
    scored = [(i, line_score(s.rest, country)) for i, s in enumerate(segments) if s.rest and not s.used]
    blocks: list[list[tuple[int, float]]] = []
    for i, score in scored:
        if score <= 0:
            continue
        last = blocks[-1][-1][0] if blocks else None
        if last is not None and i - last <= 2 and segments[i].line_index - segments[last].line_index <= 2:
            blocks[-1].append((i, score))
        else:
            blocks.append([(i, score)])
    blocks = [b for b in blocks if sum(s for _, s in b) >= 2 or any(s >= 1.5 for _, s in b)]
    if not blocks:
        return None
    block = max(blocks, key=lambda b: sum(s for _, s in b))
    indexes = _grow_block(segments, [i for i, _ in block], country)
    # pieces printed on the same line as the address ('Cep 01014-000 | Centro | São Paulo | SP'),
    # but not a column printed left of it, across a wide gap, unless it is a street ('Ji-hoon
    # PARK      14F, 521 Teheran-ro'): pieces split at a separator share their group's left edge
    starts = {}
    for i in indexes:
        line = segments[i].line_index
        starts[line] = min(starts.get(line, segments[i].left), segments[i].left)
    indexes = sorted(set(indexes) | {
        i for i, s in enumerate(segments)
        if s.line_index in starts and s.rest and not s.used and not _looks_unrelated(s.rest)
        and (s.left >= starts[s.line_index] or _is_street(s.rest)
             or (_street_words_in(s.rest) and not looks_like_name(s.rest)))
    })
    lines = [_repair_numbers(line, country) for line in _join_by_line([segments[i] for i in indexes])]
    if country == "JP":  # '〒530-0001 1-8-17 Umeda, Kita-ku': the postal code heads the address
        lines = [piece for line in lines for piece in _JP_POSTAL_FIRST.split(line) if piece.strip()]
    address = parse_lines(_accents_from_twins(lines), country)
    if not address:
        return None
    # 'Genève 3': the number of its post office ('Dublin 2' is a district)
    if "IE" not in (address.country_code, country):
        address.city = _POST_OFFICE_NUMBER.sub("", address.city)
    confidence = sum(segments[i].confidence for i in indexes) / len(indexes)
    shape = 0.92 if address.street and (address.postal_code or address.city) else 0.72
    address.confidence = round(confidence * shape, 3)
    return AddressResult(address, indexes)


#: Countries whose addresses name the district (bairro, barrio, distrito) between the street and
#: the town: a district printed before the town goes with the street. (A British locality
#: before the town, 'Paddington, London', is left out, as the cards' owners write it.)
DISTRICT_WITH_STREET = frozenset({"BR", "PT", "AR", "BO", "CL", "CO", "CR", "DO", "EC", "GT", "HN", "MX",
                                  "NI", "PA", "PE", "PY", "SV", "UY", "VE"})


_POST_OFFICE_NUMBER = re.compile(r"(?<=[" + LETTERS + r"])\s\d{1,2}$")
_WORD = re.compile(r"[" + LETTERS + r"]{4,}")


def _accents_from_twins(lines: list[str]) -> list[str]:
    """A word printed twice in an address, once with its accent, has it both times: OCR drops
    an accent far more often than it adds one ('Av. Cangaiba, 2341 - Cangaíba')."""
    accented = {fold(w): w for line in lines for w in _WORD.findall(line) if fold(w) != w.lower()}
    if not accented:
        return lines

    def mend(m: re.Match[str]) -> str:
        word = m.group(0)
        twin = accented.get(fold(word))
        if twin is None or fold(word) != word.lower() or len(twin) != len(word):
            return word
        # the twin's letters in this word's case ('CANGAIBA' -> 'CANGAÍBA')
        return "".join(t.upper() if w.isupper() else t.lower() for w, t in zip(word, twin, strict=True))

    return [_WORD.sub(mend, line) for line in lines]


def _alone_or_aligned(segments: list[Segment], i: int, block: list[int]) -> bool:
    """The segment is the only one on its line, or starts where a block line starts (same column)."""
    seg = segments[i]
    if sum(1 for s in segments if s.line_index == seg.line_index) == 1:
        return True
    return any(abs(seg.left - segments[j].left) <= 2 * max(seg.height, 1.0) for j in block)


def _plain_place(text: str) -> bool:
    """A short line of words only, as a town printed on its own line ('North Amanda', 'Smithville')."""
    from cardscan.parse import company_title as ct

    tokens = text.split()
    return bool(tokens) and len(tokens) <= 4 and not re.search(r"\d|@", text) and \
        all(t[:1].isupper() or fold(t) in {"de", "del", "la", "los", "las", "do", "da", "upon", "on", "le"}
            for t in tokens) and not ct.title_hits(text) and not ct.legal_form(text) \
        and not ct.is_department(text)


#: A unit printed on its own line between the street and the postal line ('#01-1574', Singapore).
_UNIT_ALONE = re.compile(r"^#\d{2}-\d{2,5}[A-Z]?$")


def _grow_block(segments: list[Segment], block: list[int], country: str) -> list[int]:
    """Add the address lines that carry no mark of their own: a town printed between the street and
    the postcode, and a street with only a house number printed right above the postal line."""
    block = sorted(block)
    lines = [segments[i].line_index for i in block]
    for i, seg in enumerate(segments):
        if i in block or seg.used or not seg.rest or not lines[0] < seg.line_index < lines[-1]:
            continue
        if _alone_or_aligned(segments, i, block) and (_plain_place(seg.rest) or _is_street(seg.rest)
                                                      or _UNIT_ALONE.match(seg.rest)):
            block.append(i)
    block.sort()
    first = segments[block[0]]
    # a block opening on its postal line ('4471-909 Maia', which reads like a Japanese block
    # number too) has its street above it
    # ('P.O. Box 58214, Riyadh 11594' is no street either)
    if not _is_street(first.rest) or _PO_BOX.match(first.rest) \
            or (_find_postal(first.rest, country) and not _street_words_in(first.rest)):
        above = [i for i, s in enumerate(segments) if s.line_index == first.line_index - 1 and s.rest
                 and not s.used and i not in block and _alone_or_aligned(segments, i, block)]
        for i in above[-1:]:
            text = segments[i].rest
            # ('Vinohradská 1511/230': a Czech or Slovak house's two numbers)
            numbered = re.search(r"(?<![\w/-])\d{1,5}(?:/\d{1,5})?[A-Za-z]?(?![\w/])|\bs/n\b", text, re.I)
            # 'King Fahd Road, Al Olaya District': streets without house numbers (Gulf, India)
            named = any(_street_word(t) or _street_suffix(t) for t in text.split()[1:])
            if (numbered or named) and re.search(r"[" + LETTERS + r"]{3}", text) and len(text.split()) <= 9 \
                    and not _looks_unrelated(text) and "@" not in text:
                block.insert(0, i)
    last = segments[block[-1]]
    if _is_street(last.rest):
        # a town printed alone below the street, with no postal code ('Casablanca', 'Doha')
        below = [i for i, s in enumerate(segments) if s.line_index == last.line_index + 1 and s.rest
                 and not s.used and i not in block and _alone_or_aligned(segments, i, block)]
        for i in below[:1]:
            if city_spelling(segments[i].rest.strip(" ,.")):
                block.append(i)
    return block


def _street_words_in(text: str) -> bool:
    return any(_street_word(t) or _street_suffix(t) for t in text.split())


def _looks_unrelated(text: str) -> bool:
    """A piece of an address line that is in fact another column (a company, a title)."""
    from cardscan.parse import company_title as ct

    return bool(ct.legal_form(text) or ct.title_hits(text)) and not _is_street(text)


def _join_by_line(segments: list[Segment]) -> list[str]:
    lines: list[str] = []
    last = None
    for seg in segments:
        if last is not None and seg.line_index == last:
            lines[-1] += (" | " if seg.after_bar else ", ") + seg.rest  # as printed
        else:
            lines.append(seg.rest)
        last = seg.line_index
    return lines


def _number_after_name(token: str) -> bool:
    return bool(_NAME_THEN_NUMBER.match(token))


def _without_bullet(line: str) -> str:
    """'o Av. Rio das Pedras' -> 'Av. Rio das Pedras': a bullet or a map pin read as a letter
    before a street or a unit (or the 'e' of a list of shops: 'e Av. Sapopemba'), or a pin read
    as a '9' (see _pin_read_as_nine)."""
    tokens = line.split(maxsplit=2)
    if len(tokens) == 3 and (
            (tokens[0] in _BULLET_LETTERS and (_street_word(tokens[1]) or _UNIT_FIRST.match(tokens[1])))
            or (tokens[0] == "9" and _pin_read_as_nine(tokens[1], tokens[2]))):
        return line.split(maxsplit=1)[1]
    return line


def _pin_read_as_nine(second: str, rest: str) -> bool:
    """Whether a '9' opening an address line is a map pin: a house number follows elsewhere on
    the line, after a street type printed before its number ('9 Av. Presidente Masaryk 340',
    '9 Wilhelminakade 91'), a unit ('9 No. 42, 3rd Floor', '9 Level 5, 21 Queen Street'), or
    the '9' stands before another number ('9 45 El Horreya Road'). '9 Avenue Foch' keeps it."""
    numbered = any(ch.isdigit() for ch in rest)
    if second[:1].isdigit():
        return _street_words_in(rest)
    return numbered and ((_street_word(second) and _number_after_name(second))
                         or bool(_UNIT_FIRST.match(second)) or bool(_COMPOUND_STREET.search(second))
                         or bool(_TYPE_AFTER_NAME.match(rest)))


#: Turkish street types printed after the name, the number after them ('Kızılırmak Mah. 1450. Sok.').
_TYPE_AFTER_NAME = re.compile(r"^(?:Mah|Mahallesi|Cad|Caddesi|Sok|Sokak|Sk|Bulvar[ıi]?|Blv)\.?(?:\s|$)", re.I)


def _without_office_label(line: str) -> str:
    """'Barcelona: Av. Diagonal 640' -> 'Av. Diagonal 640' (not 'Cad. No: 185', a house number);
    'Lojas: o Av. Rio das Pedras, 1553' -> 'Av. Rio das Pedras, 1553'."""
    line = _without_bullet(line)
    labelled = _ADDRESS_LABEL.match(line)
    if labelled and line[labelled.end():].strip():
        return line[labelled.end():]  # 'A: 4th Floor, Cyber Towers', 'Add.: Al Garhoud'
    m = _OFFICE_LABEL.match(line)
    if not m or any(_street_word(t) for t in m.group(0).split()):
        return line
    rest = _without_bullet(line[m.end():])
    return rest if rest.split() and _street_word(rest.split()[0]) else line


def _first_office(lines: list[str], country: str, bulleted: list[bool]) -> list[str]:
    """Several offices on one card: the lines of the first one (a street after a postal code
    starts the next office, and so does a bulleted street after a street: a list of shops,
    '• Av. Sapopemba, 2449' below 'Lojas: • Av. Rio das Pedras, 1553')."""
    seen_postal = seen_street = False
    for i, ln in enumerate(lines):
        street = _is_street(ln) and bool(ln.split()) and _street_word(ln.split()[0])
        if (seen_postal or (seen_street and bulleted[i])) and street:
            return lines[:i]
        seen_street = seen_street or street
        if _find_postal(ln, country) and (not _is_street(ln) or "," in ln):
            seen_postal = True
    return lines


#: The full stop that ends an address after its postal code ('Chennai - 600 004.').
_POSTAL_FULL_STOP = re.compile(r"(?<=\d{3})\.\s*$")


def parse_lines(lines: list[str], country: str) -> Address:
    """Split address lines into parts. `country` is the card's likely country (may be '')."""
    address = Address(printed="\n".join(lines))
    lines = [ln for ln in lines if ln.strip(" ,;-")]
    bulleted = [_without_bullet(ln) != ln for ln in lines]
    lines = [_POSTAL_FULL_STOP.sub("", _without_office_label(ln)).strip(" ,;-") for ln in lines]
    lines = _first_office(lines, country, bulleted)
    kept: list[str] = []
    for ln in lines:
        fixed = _repair_postal(ln)
        after = _POSTAL_AFTER_COUNTRY.search(fixed)
        if after and fold(after.group("country")) in country_names() \
                and _find_postal(after.group("postal"), ""):
            ln = f"{fixed[: after.start()]}{after.group('postal')}, {after.group('country')}"
        named = _named_country(ln)
        if named:
            address.country, address.country_code = named
            ln = re.sub(rf"[\s,\-–]*\(?{re.escape(named[0])}\)?\.?\s*$|^{re.escape(named[0])}[\s,]*", "", ln)
            ln = ln.strip(" ,;-")
        ln = _BOX_THEN_POSTAL.sub(r"\1, \2", ln)
        box = _PO_BOX.match(ln)
        rest = ln[box.end():].strip(" ,;-") if box else ""
        if box and rest and (not re.search(r"\d", rest) or _POSTAL_THEN_TOWN.fullmatch(rest)):
            # 'BP 1234 Douala': the box, then the town; 'BP 4521, Bonanjo, Douala': the quarter
            # between them goes with the box, as printed
            quarter, comma, town = rest.rpartition(",")
            if comma and quarter.strip(" ,") and town.strip():
                kept += [ln[: ln.rfind(",")].strip(" ,"), town.strip()]
            else:
                kept += [box.group(0).strip(), rest]
        elif ln:
            kept.append(ln)
    country = address.country_code or country
    if country == "US" or (not address.country_code and US_STATE_ZIP.search(" ".join(kept))):
        us = _parse_us(kept)
        if us is not None:
            us.printed, us.country, us.country_code = address.printed, address.country, "US"
            return us
    city_index = None
    for street_ok in (False, True):
        for i, ln in enumerate(kept):
            if _find_postal(ln, country) and (street_ok or not _is_street(ln)):
                city_index = i
                break
        if city_index is not None:
            break
    if city_index is None:
        for i, ln in enumerate(kept):
            chunks = [c for c in _CHUNK_SPLIT.split(ln) if c]
            if any(_is_region(c, country) for c in chunks) and not _is_street(ln):
                city_index = i
                break
    street_parts: list[str] = []
    if city_index is None and len(kept) == 1 and _plain_place(kept[0]) \
            and not _street_word(kept[0].split()[0]) and (city_spelling(kept[0]) or address.country_code):
        city_index = 0  # 'Yaoundé, Cameroun': the town alone with its country
    if city_index is None and len(kept) > 1 and not _is_street(kept[-1]) \
            and (len(kept[-1].split()) <= 3 or city_spelling(kept[-1])) and not re.search(r"\d", kept[-1]):
        city_index = len(kept) - 1  # 'Santiago' after the street, the country already cut off
    if city_index is None and kept:
        # 'Calle 93 # 11-27, Bogotá', 'Rua Padre João, 331 - Penha - SP': a known city or a region
        # closing the street line
        kept[-1] = _peel_place(kept[-1], country, address)
    if city_index is None:
        street_parts = kept
    else:
        street_parts = kept[:city_index]
        _parse_city_line(kept[city_index], country, address, street_parts)
        for extra in kept[city_index + 1 :]:
            if _is_street(extra) or _NEIGHBOURHOOD.match(extra):
                street_parts.append(extra)
            elif address.city and not address.region and _is_region(extra, country):
                address.region = extra.strip()  # 'Bengaluru - 560103' over 'Karnataka, India'
            elif not address.city and (split := _street_then_town(extra)):
                # '〒604-0915' over '52 Tokiwagi-cho, Nakagyo-ku, Kyoto'
                street_parts.append(split[0])
                address.city = split[1]
            elif not address.city:
                # 'Ciudad de México, CDMX' below the postal code's line
                chunks = [c for c in _CHUNK_SPLIT.split(extra) if c]
                if len(chunks) == 2 and not address.region and _is_region(chunks[1], country):
                    address.city, address.region = chunks
                else:
                    address.city = extra
    named = _named_country(address.city) if address.city else None
    if named and fold(named[0].strip()) == fold(address.city.strip()) and not address.country \
            and street_parts and not city_spelling(address.city):  # (Singapore, Kuwait: city-states)
        # '..., Shenzhen, Guangdong, China 518101': the name beside the postcode is the country;
        # the town ends the street line, before its region
        address.country, address.city = address.city.strip(), ""
        pieces = [p.strip() for p in street_parts[-1].split(",")]
        if len(pieces) > 1 and address.region and fold(pieces[-1]) == fold(address.region):
            pieces.pop()
        if len(pieces) > 1 and _plain_place(pieces[-1]) and not _is_street(pieces[-1]):
            address.city = pieces.pop()
            street_parts[-1] = ", ".join(pieces)
    if street_parts and (not address.region or not address.city):
        street_parts[-1] = _peel_place(street_parts[-1], country, address)  # '..., 331 - Penha - SP'
    if city_index is not None and not address.city and street_parts:
        head, sep, tail = street_parts[-1].rpartition(",")
        if sep and _is_street(head) and _plain_place(tail.strip()):
            street_parts[-1], address.city = head.strip(), tail.strip()  # '836 Smith Crest, Mariechester'
    if city_index is not None and not address.city and street_parts and _plain_place(street_parts[-1]) \
            and not _is_street(street_parts[-1]) and (len(street_parts) > 1 or city_index > 0):
        address.city = street_parts.pop()  # 'Flat 7, Wendy Stravenue' / 'Smithville' / 'B8 5QS'
    if street_parts:
        head, sep, tail = street_parts[-1].rpartition(", ")
        # '1-2-3 Gakuen-minami, Matsue-shi' over 'Shimane 〒690-0826', 'Camino a San Clemente Km 8,
        # Talca' over 'Región del Maule - Chile': the town ends the street line, the region is below
        town_then_region = address.city and not address.region and _is_region(address.city, country) \
            and not city_spelling(address.city) and _plain_place(tail) and not _is_street(tail) \
            and not _is_region(tail, country) and not _JP_CITY.match(tail)
        if sep and ((_JP_CITY.match(tail) and (not address.city or _is_region(address.city, country)))
                    or town_then_region):
            address.region = address.region or address.city
            address.city, street_parts[-1] = tail, head
    if not address.city:
        _take_listed_town(street_parts, address)
    district, slash, province = address.city.partition("/")
    if country == "TR" and slash and district.strip() and province.strip():
        # '34394 Şişli/İstanbul': the district, then the province, the city people write
        address.city = province.strip()
        street_parts.append(district.strip())
    address.street = _ABBREVIATION_COMMA.sub(r"\1.", ", ".join(p for p in street_parts if p))
    address.city = city_spelling(address.city) or address.city
    if address.region and not re.search(r"[^\x00-\x7f]", address.region):  # accents OCR dropped
        address.region = region_spelling(address.region, country) or address.region
    if not address.country_code and country:
        address.country_code = country
    return address


#: An abbreviation in a street followed by a comma, not its dot: OCR reads a dot before a space
#: as a comma ('Av, Itaquera', 'Depto, 164'); the comma after a whole word separates.
_ABBREVIATION_COMMA = re.compile(
    r"(?<![\w.])(Av|Avd|Avda|Edif|Depto|Dpto|Apto|Apt|Int|Esq|Blvd|Blv|Pje|Pza|Cra|Cll|Nro|Núm|Num|Of)"
    r",(?=\s+\S)", re.I)
_HOUSE_NUMBER = re.compile(r"\d{1,5}[A-Za-z]?")
_TAIL = re.compile(r"^(?P<head>.*?\S)\s*(?:\s[-–]\s|,|\s-|-(?=[A-Z]{2}\s*$))\s*(?P<tail>[^,\-–]+?)\s*$")


def _street_then_town(line: str) -> tuple[str, str] | None:
    """(street, town) of a line that names a street or a ward, then a town after a comma."""
    head, sep, tail = line.rpartition(",")
    head, tail = head.strip(), tail.strip(" .")
    if sep and _plain_place(tail) and not _WARD.match(tail) and (
            _is_street(head) or any(_WARD.match(piece.strip()) for piece in head.split(","))):
        return head, tail
    return None


def _take_listed_town(street_parts: list[str], address: Address) -> None:
    """The last listed town among the street's comma-separated pieces becomes the city, as Gulf
    cards print it between the district and the box ('Diplomatic Area, Manama, P.O. Box 20541')."""
    for k in range(len(street_parts) - 1, -1, -1):
        pieces = [piece.strip() for piece in street_parts[k].split(",")]
        towns = [j for j, piece in enumerate(pieces) if city_spelling(piece)]
        if towns and len(pieces) > 1:
            j = towns[-1]
            address.city = pieces[j]
            street_parts[k] = ", ".join(pieces[:j] + pieces[j + 1:])
            return


def _peel_place(line: str, country: str, address: Address) -> str:
    """Cut a region and a known city off the end of a street line; returns what is left."""
    for _ in range(2):
        m = _TAIL.match(line)
        if not m:
            break
        tail = m.group("tail").strip(" .")
        spelled = city_spelling(tail, misread=True)
        if not address.city and spelled:
            address.city = tail if city_spelling(tail) else spelled  # 'Sio Paulo': one letter misread
        elif not address.region and _is_region(tail, country) and not re.search(r"\d", tail):
            address.region = tail
        else:
            break
        line = m.group("head").strip(" ,;-–")
    return line


def _split_region_code(chunk: str, country: str) -> list[str]:
    """'Sáo Paulo-SP' -> ['Sáo Paulo', 'SP'] when the code after the hyphen is a region's."""
    m = re.fullmatch(r"(.*[^\W\d])\s*-\s*([A-Z]{2})", chunk.strip())
    if m and _is_region(m.group(2), country):
        return [m.group(1), m.group(2)]
    return [chunk]


def _parse_city_line(line: str, country: str, address: Address, street_parts: list[str]) -> None:
    line = _repair_postal(line)
    postal = _find_postal(line, country)
    chunks = [piece for c in _CHUNK_SPLIT.split(line) if c.strip() for piece in _split_region_code(c, country)
              if not re.fullmatch(r"\(.*\)", piece.strip())]  # '(próx. ao Shopping Penha)' is a note
    postal_chunk = None
    remainder = ""
    if postal:
        address.postal_code = postal
        for k, chunk in enumerate(chunks):
            if address.postal_code in chunk:
                postal_chunk = k
                head = chunk[: chunk.find(address.postal_code)]
                remainder = re.sub(_POSTAL_LABEL + r"$", "", head, flags=re.I)
                after = chunk[chunk.find(address.postal_code) + len(address.postal_code) :]
                remainder = (remainder.strip(" -") + " " + after.strip(" -")).strip()
                remainder = re.sub(r"^" + _POSTAL_LABEL, "", remainder, flags=re.I).strip(" -〒")
                break
    # A region in parentheses: '28001 Madrid (Madrid)'.
    paren = _PAREN.search(remainder)
    code = paren.group(1).strip() if paren else ""
    if len(code) == 2 and code[0].isupper() and code[1] == "l":
        code = code[0] + "I"  # '50123 Firenze (Fl)': OCR's l for the I of FI
    if paren and _is_region(code, country):
        address.region = code
        remainder = _PAREN.sub("", remainder).strip()
    before = chunks[:postal_chunk] if postal_chunk is not None else chunks
    after = chunks[postal_chunk + 1 :] if postal_chunk is not None else []
    others: list[str] = []

    def street_like(chunk: str) -> bool:
        numbered = postal_chunk is not None and remainder and re.search(r"\d", chunk)
        first = chunk.split()[0] if chunk.split() else ""
        return bool(_is_street(chunk) or numbered or _NEIGHBOURHOOD.match(chunk) or _WARD.match(chunk)
                    or (len(chunk.split()) > 1 and (_street_word(first) or _numbered_type(first))
                        and not is_honorific(first))
                    # 'Sheikh Zayed Road, Dubai': a street without a number, closed by its type
                    or (len(chunk.split()) > 1 and _street_suffix(chunk.split()[-1])
                        and not city_spelling(chunk)))

    # '302, Shree Tower, Andheri (E), Mumbai - 400069': a flat or house number opening the line
    flags = [street_like(c) or (k == 0 and len(before) > 2 and bool(_HOUSE_NUMBER.fullmatch(c.strip())))
             for k, c in enumerate(before)]
    end = 0
    if any(flags):
        # the street runs up to its last piece ('12, rue David', 'Passarela Oliveira, 867'), kept
        # as printed; what follows it and precedes the postal code is a city or a region
        last = max(k for k, flag in enumerate(flags) if flag)
        for chunk in before[: last + 1]:
            end = line.find(chunk, end) + len(chunk)
        street_parts.append(line[:end].strip(" ,;-–"))
        others = before[last + 1 :]
    else:
        others = list(before)
    if remainder:
        words_left = remainder.split()
        if len(words_left) > 1 and _is_region(words_left[-1], country) and country != "GB" \
                and not city_spelling(remainder):  # 'New Delhi' is a city, not New in Delhi
            address.region = address.region or words_left[-1]
            remainder = " ".join(words_left[:-1])
        if _is_region(remainder, country) and others and not address.region:
            address.region = remainder
            remainder = ""
    region_pos = None
    pool = others + after
    for k in range(len(pool) - 1, -1, -1):  # the last region named: 'São Paulo | SP' -> SP
        if not address.region and _is_region(pool[k], country) and (remainder or k > 0):
            address.region = pool[k].strip()
            region_pos = k
    if remainder:
        address.city = remainder
        words_left = remainder.split()
        # 'Blk 55 Tiong Bahru Road #01-52 Singapore 160055': a street, then the town, no comma
        for n in (3, 2, 1):
            town = " ".join(words_left[-n:]).strip(" ,.-")
            head = " ".join(words_left[:-n]).strip(" ,.-")
            if len(words_left) > n + 1 and city_spelling(town) and re.search(r"\d", head) \
                    and street_like(head):
                street_parts.append(head)
                address.city = town
                break
    else:
        pool = others + after
        candidates = [c for k, c in enumerate(pool) if k != region_pos and not _NEIGHBOURHOOD.match(c)]
        if region_pos is not None and region_pos > 0:
            address.city = pool[region_pos - 1]
        elif others:
            address.city = [c for c in others if c][-1] if candidates else ""
        elif candidates:
            address.city = candidates[0]
    if address.city and address.region and address.city == address.region:
        address.region = ""
    split = None if address.region else _town_and_region(address.city, country)
    if split:
        address.city, address.region = split  # 'Bogotá D.C.'
    between = [c for c in others
               if c and c not in (address.city, address.region) and not _NEIGHBOURHOOD.match(c)]
    town_at = line.find(address.city, end) if address.city else -1
    if any(flags) and between and town_at > end:
        # the pieces between the street and the town ('Shree Tower, Andheri (E)') belong to the
        # street, as printed
        street_parts[-1] = line[:town_at].strip(" ,;-–")
    elif not any(flags) and country in DISTRICT_WITH_STREET and address.city:
        # a district printed before its town ('San Isidro, Lima 15073', 'Itaim Bibi - São Paulo
        # - SP'): where addresses name it, it goes with the street, as printed
        upto = others[: others.index(address.city)] if address.city in others else others if remainder else []
        district = [c.strip() for c in upto if c.strip() and c != address.region and not _named_country(c)
                    and re.search(r"[" + LETTERS + r"]{3}", c)]
        if district:
            street_parts.append(", ".join(district))
    for chunk in after:
        if _NEIGHBOURHOOD.match(chunk) or _is_street(chunk):
            street_parts.append(chunk)  # '1054 Budapest, Szabadság tér 7.': the street after the town


def _parse_us(lines: list[str]) -> Address | None:
    if len(lines) >= 2 and US_STATE_ZIP.search(lines[-1]):
        # street lines as printed; usaddress reads the 'City, ST 12345' line
        last = _parse_us(lines[-1:])
        if last is not None and last.city:
            last.street = ", ".join(lines[:-1])
            return last
    try:
        tagged, _ = usaddress.tag(", ".join(lines))
    except usaddress.RepeatedLabelError:
        return None
    street_keys = [k for k in tagged if k.startswith(("AddressNumber", "StreetName", "Street", "Occupancy",
                                                        "USPSBox", "Building", "Subaddress", "Landmark"))]
    street = " ".join(tagged[k] for k in street_keys).strip(" ,")
    city = tagged.get("PlaceName", "").strip(" ,")
    if not (city or tagged.get("ZipCode")):
        return None
    return Address(street=street, city=city, region=tagged.get("StateName", "").strip(" ,."),
                   postal_code=tagged.get("ZipCode", ""))


def country_display(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)

