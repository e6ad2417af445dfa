"""Phone numbers: find, type from their label, resolve the country, normalise to E.164."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType, ValidationResult

from cardscan.models import PhoneType
from cardscan.parse.lexicon import NUMBERED_STREET_TYPES, OCR_DIGITS, REGISTRATION_LABELS, deaccent, fold

# Digits as OCR may print them: O/o for 0 and l/I for 1 are repaired only in labelled numbers
# (an O before a space is the 'O' of O: / M: / F:, and '(O)' after a number its label, not a 0;
# an l after a space is a bar between two numbers).
CANDIDATE = re.compile(
    r"(?<![\w@/#º°ª])((?:\+|00)\s?)?(\(?\s?(?:\d|[Oo](?=[\dOolI]))[\dOolI\s().\-–]{5,34}(?:\d|(?<!\s)[OolI])(?<!\([OolI]))(?![\w@º°ª])"
)
_LABELS: dict[str, PhoneType] = {}
for _words, _type in (
    ("m mob mobile movil m6vil mov cel cell celular cellular cellphone cellulare portable port handy "
     "mobil tm whatsapp wa wsp viber gsm telemovel telm tlm tlmv movel natel handphone hp cellulaire kom cep "
     "ell ll c", PhoneType.CELL),  # 'll:': a 'Cell:' a light panel's edge cut; 'C:' of O: / C: / F:
    ("office off oficina of ofic ofi direct directo direkt durchwahl dir d work w trabajo o bureau buro "
     "ufficio escritorio switchboard centralita main ext conmutador zentrale pbx toll tollfree free "
     "freephone", PhoneType.WORK),
    ("fax f telefax fx téléc telec télécopieur telecopieur faks", PhoneType.FAX),
    ("tel t phone ph p telefono tlf tlfn tfno tfn tf fone fones telefone telephone tels telf call "
     "tlf. telfs home casa telefon telp tlp h", PhoneType.VOICE),
):
    for _w in _words.split():
        _LABELS[_w] = _type
#: Labels that do not say fixed or mobile: 'H' is 'handphone' in Singapore and Malaysia, 'home'
#: elsewhere. The number's own range decides.
_EITHER_LINE = frozenset({"h"})
_LABEL_WORD = r"(?:" + "|".join(sorted((re.escape(w) for w in _LABELS), key=len, reverse=True)) + r")"
# The label(s) just before a number: 'Tel.:', 'Tel/Fax', 'Tel. móvil', 'M', '(O)', 'M,'.
LABEL_BEFORE = re.compile(
    rf"(?:^|[^\w])((?:{_LABEL_WORD}\.?\s*(?:[/&+-]|y|e|and)?\s*){{1,3}})[\s:;.,\-=>)(]*$", re.I
)
# A label after a number ('555 1234 (O)'), unless a number follows it: that one is its own.
LABEL_AFTER = re.compile(rf"^\s*[(\[]?\s*({_LABEL_WORD})\.?\s*[)\]]?(?![\w])(?!\s*[:.]?\s*[+(]?\d)", re.I)
_ICON_LETTER = re.compile(rf"^\W*[a-z]\s+(?={_LABEL_WORD}\b)(?=[a-z]{{2}})")
_HAND_PHONE = re.compile(r"\bh\s?/\s?p\b")  # 'H/P:', a handphone (Malaysia, Singapore)
# A label's l read as a capital I after small letters: 'CeI.', 'CeII:', 'MobiIe', 'TeI'.
_CAPITAL_I_IN_LABEL = re.compile(r"(?<=[a-z])I+(?=[a-z\s.:;/]|$)")
# A label's l read as a one: 'Te1.', 'Ce11:', 'Mobi1e', 'Ce1ular'.
_ONES_IN_LABEL = re.compile(
    r"(?<![\w])(?=[A-Za-z1]*[A-Za-z][A-Za-z1]*1|1[A-Za-z])[A-Za-z1]{2,10}(?=[\s.:;/]|$)")
# Not phones: registration and tax numbers, postal codes, dates, years, amounts.
_REGISTRATION = re.compile(
    rf"(?:\b(?:{REGISTRATION_LABELS}|No|N[º°o]|n[úu]m|CP|C\.P|CEP|ZIP|Postal|Apdo|Apartado|PO\s?Box|Box|"
    r"Suite|Ste|Unit|Apt|Flat|Level|Lvl|Bldg|Blk|Sala|Piso|Km|ISBN|IBAN|SWIFT|Cuenta|Account|Acct|Ref|Pedido|Order)\b"
    r"[\s.:#º°\-]*)$",
    re.I,
)
_DATE = re.compile(
    r"^\d{1,2}\s?[./\-]\s?\d{1,2}\s?[./\-]\s?(?:\d{4}|\d{2})$|^\d{4}[./\-]\d{1,2}[./\-]\d{1,2}$"
)
_YEARS = re.compile(r"^(?:19|20)\d\d\s?[-–/]\s?(?:19|20)\d\d$")
_POSTAL = re.compile(r"^\d{5}-\d{3}$|^\d{2}\.\d{3}-\d{3}$|^\d{4}-\d{3}$|^\d{5}-\d{4}$")
_AMOUNT = re.compile(r"^\d{1,3}(?:[.,]\d{3}){2,}$")

@dataclass
class PhoneHit:
    e164: str
    type: PhoneType
    printed: str
    confidence: float
    start: int
    end: int
    national_digits: str  # national significant number, to let a later number borrow its area code


def label_type(text: str) -> PhoneType | None:
    """The type named by a label such as 'Tel.', 'Móvil', 'Tel/Fax', 'M', 'Direct'.

    A letter before a label word is an icon read as a letter ('O Tél.', 'O Mobile'), no label."""
    folded = _HAND_PHONE.sub("hp", _ICON_LETTER.sub("", fold(text)))
    found = [_LABELS[w] for w in re.findall(r"[a-z]+", folded) if w in _LABELS]
    if not found:
        return None
    if PhoneType.CELL in found:
        return PhoneType.CELL
    if PhoneType.FAX in found:
        return PhoneType.VOICE if len(set(found)) > 1 else PhoneType.FAX
    if PhoneType.WORK in found:
        return PhoneType.WORK
    return PhoneType.VOICE


@lru_cache(maxsize=4096)
def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def type_from_number(number: phonenumbers.PhoneNumber) -> PhoneType:
    """CELL for a mobile range, WORK for a fixed line, else VOICE (phonenumbers' metadata)."""
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return PhoneType.CELL
    if kind == PhoneNumberType.FIXED_LINE:
        return PhoneType.WORK
    return PhoneType.VOICE


def _looks_formatted(printed: str) -> bool:
    """Grouped like a phone ('91 234 56 78', '(555) 123-4567') rather than a bare digit run."""
    return bool(re.search(r"\d[\s.\-–)]+\d", printed))


def _not_a_phone(printed: str, before: str, region: str = "") -> bool:
    compact = printed.strip()
    postal = _POSTAL.match(compact)
    if postal and region == "BR" and _BR_LOCAL_MOBILE.match(compact):
        postal = None  # '97038-8110' on a Brazilian card is a mobile without its area code, no ZIP+4
    registration = _REGISTRATION.search(before[-24:])
    if registration and _CEP_LABEL.search(registration.group(0)) and sum(c.isdigit() for c in compact) >= 10:
        registration = None  # 'Cep: 0 532 111 22 33': a Turkish mobile ('cep telefonu'), no postal code
    return bool(
        _DATE.match(compact) or _YEARS.match(compact) or postal or _AMOUNT.match(compact)
        or registration or _STREET_TYPE_BEFORE.search(before[-12:])
    )


_CEP_LABEL = re.compile(r"^\W*cep\b", re.I)


# 'Cl. 112 4 9-17' ('#' read as '4'), 'Av. 9 951': digits right after a street type are the address
_STREET_TYPE_BEFORE = re.compile(rf"(?:^|\s)(?:{NUMBERED_STREET_TYPES})\.?\s*$", re.I)


_BR_LOCAL_MOBILE = re.compile(r"^9\d{4}-\d{4}$")
# 'Telefon 0711/123456-0', 'Handy 0171/1234567': an area code with its trunk 0, then a slash, as
# German, Austrian and older Italian cards print it (a slash between two whole numbers stays).
_AREA_CODE_SLASH = re.compile(r"(?<![\d/\-.])0\d{1,4}\s?/(?=\s?\d{3,}(?![\d\s]*/))")


def resolve(
    printed: str,
    intl: bool,
    regions: tuple[str, ...],
    labelled: bool,
    previous: PhoneHit | None,
    primary_count: int = 0,
    evidenced: bool = True,
) -> tuple[phonenumbers.PhoneNumber, float] | None:
    """Parse one printed number: the number and how sure we are, or None.

    ``evidenced`` says the first region comes from the card's own evidence, not only the default."""
    digits = re.sub(r"\D", "", printed)
    if not 6 <= len(digits) <= 15:
        return None
    if intl:
        number = _parse("+" + digits.removeprefix("00") if printed.startswith("00") else "+" + digits, None)
        number = _parse("+" + printed.lstrip("+").removeprefix("00"), None) or number
        if number is None:
            return None
        if phonenumbers.is_valid_number(number):
            return number, 0.97
        if number.country_code == 52 and str(number.national_number).startswith("1"):
            # Mexico's old mobile prefix '+52 1 55 ...' is no longer dialled
            legacy = _parse("+52" + str(number.national_number)[1:], None)
            if legacy is not None and phonenumbers.is_valid_number(legacy):
                return legacy, 0.95
        if phonenumbers.is_possible_number(number):
            return number, 0.8
        return None
    primary = regions[:primary_count] if primary_count else regions
    for rank, region in enumerate(primary):
        if rank == 1 and not _complete_shape(printed) and _local_in(printed, regions[0]):
            break  # '98123-4567' on a Brazilian card: a local number there, not a Spanish one
        number = _parse(printed, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return number, 0.95 if rank == 0 else 0.85
        # printed with its country code but no '+': '55 11 3105-8655', '34 912 345 678'
        code = phonenumbers.country_code_for_region(region)
        if code and digits.startswith(str(code)) and len(digits) > 9:
            number = _parse("+" + digits, None)
            if number is not None and phonenumbers.is_valid_number(number):
                return number, 0.9
    if (previous is not None and len(digits) < len(previous.national_digits)
            and previous.e164.startswith("+")):
        # '11 2082-2399 / 2646-6123': the second number shares the first one's area code.
        head = previous.national_digits[: len(previous.national_digits) - len(digits)]
        number = _parse("+" + previous.e164[1:].removesuffix(previous.national_digits) + head + digits, None)
        if number is not None and phonenumbers.is_valid_number(number):
            return number, 0.75
    home = _parse(printed, regions[0]) if regions and (labelled or _looks_formatted(printed)) else None
    if home is not None and len(digits) < _shortest_national(regions[0]) and (
        phonenumbers.is_possible_number_with_reason(home)
        in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY)
    ):
        # printed without its area code ('2294-9484' on a São Paulo card): keep it as printed
        # rather than guess an area code, or a country where those digits happen to be valid
        return home, LOCAL_ONLY
    if (labelled or _AREA_IN_BRACKETS.match(printed)) and regions and evidenced:
        # printed on the card with a label (or an area code in brackets), in the country the card
        # shows: trust a number of the right length even when the range is unassigned (demo
        # cards, new or retired ranges)
        number = _parse(printed, regions[0])
        if number is not None and phonenumbers.is_possible_number(number) and len(digits) >= 8:
            return number, 0.6
    for region in regions[len(primary):]:
        if region in TRUNK_PRINTED and not digits.startswith("0"):
            continue  # '2966-2550' is no German number: Germans print their area code with its 0
        number = _parse(printed, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return number, 0.6
    if labelled and regions and 7 <= len(digits) < _shortest_national(regions[0]) \
            and _looks_formatted(printed) and home is not None:
        # 'Tel/Fax: 3123-0800' that no country the card hints at can complete: a local number,
        # kept as printed (flagged) rather than placed in a country where the digits happen to fit
        return home, LOCAL_ONLY
    if labelled and regions and _looks_formatted(printed) and 8 <= len(digits) <= 13:
        # a labelled national number that no country of the card's evidence (nor the default
        # region) can hold: kept as printed and flagged, never moved to a country it may not be in
        number = _parse(printed, regions[0]) or _parse("+" + digits, None)
        if number is not None:
            return number, LOCAL_ONLY
    return None


#: Countries whose national numbers are always printed with their trunk prefix '0' ('030 1234567',
#: '01 23 45 67 89', '020 7946 0000'): digits without it are no national number of theirs.
TRUNK_PRINTED = frozenset({"GB", "FR", "DE", "AT", "CH", "NL", "BE", "IE", "AU", "NZ", "PE", "SE", "NO",
                           "FI", "TR", "ZA", "IL", "JP", "KR", "CN", "EG", "UA"})
_AREA_IN_BRACKETS = re.compile(r"^\(\d{2,3}\)\s?\d")


def _complete_shape(printed: str) -> bool:
    """Printed with a trunk 0 or in brackets: a complete national number, never a local one."""
    return printed.lstrip().startswith(("0", "("))


def _local_in(printed: str, region: str) -> bool:
    """The digits are too few for a complete number of ``region`` but possible there as a local one."""
    digits = re.sub(r"\D", "", printed)
    if len(digits) >= _shortest_national(region) or not _looks_formatted(printed):
        return False
    number = _parse(printed, region)
    return number is not None and phonenumbers.is_possible_number_with_reason(number) in (
        ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY)


#: Confidence of a number printed without its area code (below LOW_CONFIDENCE: flagged).
#: No other resolution gives this exact value, so it also marks the number as local.
LOCAL_ONLY = 0.55


@lru_cache(maxsize=256)
def _shortest_national(region: str) -> int:
    """Fewest national digits of a complete fixed or mobile number of ``region`` (99 if unknown)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return 99
    lengths = [n for desc in (metadata.fixed_line, metadata.mobile) if desc is not None
               for n in desc.possible_length if n > 0]
    return min(lengths, default=99)


def is_local_only(hit_e164: str) -> bool:
    """True for a number kept as printed because its area code is missing (no leading '+')."""
    return not hit_e164.startswith("+")


def find_phones(
    text: str,
    regions: tuple[str, ...],
    fallback: tuple[str, ...] = (),
    label_hint: PhoneType | None = None,
    evidenced: bool = True,
) -> list[PhoneHit]:
    """Every phone number in one segment of text, in order.

    `regions` come from the card's evidence then the default region; `fallback` (more countries)
    is tried only for numbers that are labelled or grouped like a phone."""
    text = _AREA_CODE_SLASH.sub(lambda m: m.group(0).replace("/", " "), text)  # offsets kept
    hits: list[PhoneHit] = []
    last_end = 0
    previous: PhoneHit | None = None
    for m in CANDIDATE.finditer(text):
        plus, body = m.group(1) or "", m.group(2)
        printed = re.sub(r"\s{2,}", " ", (plus + body).strip(" -–./"))
        if printed.count("(") != printed.count(")"):
            printed = printed.strip("() ")
        before = _ONES_IN_LABEL.sub(_label_with_ells, deaccent(text[last_end : m.start()]))
        before = _CAPITAL_I_IN_LABEL.sub(lambda i: "l" * len(i.group(0)), before)  # 'CeI.', 'CeII:'
        label_match = LABEL_BEFORE.search(before)
        label = label_type(label_match.group(1)) if label_match else None
        after_match = LABEL_AFTER.match(deaccent(text[m.end() :]))
        if label is None and after_match:
            label = label_type(after_match.group(1))
        either = bool(label_match and fold(label_match.group(1)).strip(" .:") in _EITHER_LINE)
        if label is None and previous is None and label_hint is not None:
            label = label_hint
        if label is None and previous is not None and not before.strip(" /,;-–|"):
            label = previous.type if previous.type != PhoneType.CELL else None
        if _not_a_phone(printed, text[: m.start()], regions[0] if regions else ""):
            continue
        if any(c in printed for c in "OolI"):
            if label is None and not (plus or _one_misread_digit(printed)):
                continue
            printed = printed.translate(OCR_DIGITS)
        # '3583 1142-3': the second of two numbers that differ in their last digit (where the
        # whole is no number; '030 12345-0' is one, a switchboard's)
        shorthand = _SHORTHAND_HYPHEN.search(printed)
        if shorthand and not _valid_somewhere(printed, regions):
            printed, ending = printed[: shorthand.start()], shorthand.group(1)
        else:
            ending = ""
        n_digits = sum(c.isdigit() for c in printed)
        if label is None and not plus and n_digits < 7:
            continue  # an unlabelled short run of digits is a street number, a code, a price
        grouped = label is not None or (_looks_formatted(printed) and n_digits >= 8)
        tried = fallback if fallback and grouped else regions
        pieces = [(piece, resolve(piece, bool(plus) or piece.startswith("+"), tried,
                                  label is not None, previous, len(regions), evidenced))
                  for piece in _split_run_together(printed, plus, regions)]
        icon = _ICON_DIGIT.match(printed)
        guessed = False
        if icon and not plus and all(resolved is None for _, resolved in pieces):
            # '8 99679-9468': the phone icon before it read as a digit
            piece = printed[icon.end():]
            pieces = [(piece, resolve(piece, False, tried, label is not None, previous,
                                      len(regions), evidenced))]
            # or a number of another country ('2 22 12 30 00', Cameroon): with no evidence of the
            # card's country, the guess is kept as printed, flagged
            guessed = not evidenced
        for piece, resolved in pieces:
            if resolved is None:
                continue
            number, confidence = resolved
            if guessed:
                confidence = LOCAL_ONLY
            local = confidence == LOCAL_ONLY
            kind = label or type_from_number(number)
            if either and type_from_number(number) == PhoneType.CELL:
                kind = PhoneType.CELL
            if label is None:
                confidence -= 0.1
                # the type is what the card prints: an unlabelled number is simply a phone, even
                # in a mobile range (numbers move between networks; few countries' ranges tell)
                kind = PhoneType.VOICE
            nsn = phonenumbers.national_significant_number(number)
            start = last_end + label_match.start(1) if label_match else m.start()
            e164 = _e164(number)
            if local:  # no area code, so no E.164: the digits as printed
                e164 = re.sub(r"\D", "", piece)
            hit = PhoneHit(e164, kind, piece, round(confidence, 3), start, m.end(), nsn)
            if all(h.e164 != hit.e164 for h in hits):
                hits.append(hit)
            previous = hit
            slash = _SHORTHAND_SLASH.match(text, m.end())
            shared_end = "" if local else ending or (slash.group(1) if slash else "")
            for other in _numbers_ending(number, shared_end):  # no E.164 for a number kept as printed
                sibling = PhoneHit(_e164(other), kind, piece, hit.confidence, start, m.end(),
                                   phonenumbers.national_significant_number(other))
                if all(h.e164 != sibling.e164 for h in hits):
                    hits.append(sibling)
        # a label printed after this number is its own, not the next one's ('... 1234 (O)  +91 98200 ... (M)')
        last_end = m.end() + (after_match.end() if after_match and not label_match else 0)
    return hits


#: Two numbers printed as one with the other's last digits: '2283 4571 / 72', '3583 1142-3'.
_SHORTHAND_SLASH = re.compile(r"\s*/\s*(\d{1,3})(?![\d\-.]|\s*\(?\d)")
_SHORTHAND_HYPHEN = re.compile(r"(?<=\d{3})-(\d)$")


def _numbers_ending(number: phonenumbers.PhoneNumber, ending: str) -> list[phonenumbers.PhoneNumber]:
    """The number with its last digits replaced by ``ending``, if that is a valid number too."""
    if not ending:
        return []
    national = phonenumbers.national_significant_number(number)
    other = phonenumbers.PhoneNumber()
    other.merge_from(number)  # keeps Italy's leading zero
    other.national_number = int(national[: -len(ending)] + ending)
    return [other] if other != number and phonenumbers.is_valid_number(other) else []


def _label_with_ells(m: re.Match[str]) -> str:
    spelled = m.group(0).replace("1", "l")
    return spelled if fold(spelled) in _LABELS else m.group(0)


#: A lone digit and a space before a number: a phone icon read as a digit ('8 99679-9468').
_ICON_DIGIT = re.compile(r"^\d\s+(?=\(?\d)")


def _one_misread_digit(printed: str) -> bool:
    """'(3O3) 766-2126', '07438 3l9763': one O, l or I between digits in a long phone-shaped run
    (a repair made without a label only where no word can be meant)."""
    misread = re.findall(r"[OolI]", printed)
    return len(misread) == 1 and bool(re.search(r"\d[OolI]\d", printed)) \
        and sum(c.isdigit() for c in printed) >= 8


def _split_run_together(printed: str, plus: str, regions: tuple[str, ...]) -> list[str]:
    """Two numbers read as one ('91 123 45 67 91 123 45 68'): split where both halves are valid."""
    digits = re.sub(r"\D", "", printed)
    if len(digits) <= 15 and _valid_somewhere(printed, regions):
        return [printed]
    spaces = [i for i, c in enumerate(printed) if c in " /"]
    for i in spaces:
        left, right = printed[:i].strip(" -"), printed[i + 1 :].strip(" -")
        if len(re.sub(r"\D", "", left)) >= 6 and _valid_somewhere(left, regions) and _valid_somewhere(
            right, regions
        ):
            return [left, right]
    # '(602) 668 1520 - 668 1521': the second number without the area code the two share
    for m in re.finditer(r"\s[-–/]\s", printed):
        left, right = printed[: m.start()], printed[m.end():]
        left_digits, right_digits = re.sub(r"\D", "", left), re.sub(r"\D", "", right)
        shared = len(left_digits) - len(right_digits)
        if 1 <= shared <= 5 and len(right_digits) >= 6 and _valid_somewhere(left, regions):
            completed = ("+" if left.lstrip().startswith("+") else "") + left_digits[:shared] + right_digits
            if _valid_somewhere(completed, regions):
                return [left, completed]
    return [printed]


def _valid_somewhere(printed: str, regions: tuple[str, ...]) -> bool:
    for region in regions[:3] or ("ZZ",):
        number = _parse(printed, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return True
    return False


# National formats that name their country: '(646) 867-5309', '(11) 98765-4321', '03-3581-4111',
# '98220 45671' (an Indian mobile), '(011) 15 6789-0123' (an Argentine mobile).
_NATIONAL_SHAPES = (
    ("US", re.compile(r"(?<![\d+])(?:\(\d{3}\)\s?\d{3}[-.\s]\d{4}|\d{3}[-.]\d{3}[-.]\d{4})(?!\d)")),
    ("BR", re.compile(r"(?<![\d+])\(?\d{2}\)?\s?(?:9\s?\d{4}|[2-5]\d{3})-\d{4}(?!\d)")),
    ("JP", re.compile(r"(?<![\d+-])0\d{1,4}-\d{1,4}-\d{4}(?![\d-])")),
    ("IN", re.compile(r"(?<![\d+])[6-9]\d{4}\s\d{5}(?!\d)")),
    ("AR", re.compile(r"(?<![\d+])\(?0\d{2,4}\)?\s?15\s?\d{3,4}-\d{4}(?!\d)")),
)


def shape_countries(text: str) -> list[str]:
    """Countries whose own national format prints a number of the text, and where it is valid
    (the United States' shape also names Canada and the rest of North America)."""
    found = []
    for code, shape in _NATIONAL_SHAPES:
        for m in shape.finditer(text):
            number = _parse(m.group(0), code)
            if number is not None and phonenumbers.is_valid_number(number):
                found.append(phonenumbers.region_code_for_number(number) or code)
    return found
