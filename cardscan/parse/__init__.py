"""Turn OCR lines into a typed contact, each field with a confidence.

The order matters: first what has an unmistakable shape (emails, websites, phones), then the
card's country from its own evidence, then the address block, and last the free-text fields
(name, title, department, company) among the lines left, using font size, position, lexicons
and the email/website domains.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from cardscan.models import Contact, Email, Line, Name, OcrPage, Phone, PhoneType, Website, Word
from cardscan.parse import address as address_mod
from cardscan.parse import company_title as ct
from cardscan.parse import emails_web, names, phones
from cardscan.parse.country import evidence
from cardscan.parse.layout import Segment, median_height, segments_from_page
from cardscan.parse.lexicon import FREE_MAIL, LETTERS, fold
from cardscan.text import social_kind

__all__ = ["contact_from", "contact_from_text"]

_INTL = re.compile(r"(?:\+|\b00)\s?[1-9][\d\s().\-–]{6,20}\d")
_FIELD_LABEL = re.compile(
    r"^(?:e-?mail|correo|mail|web(?:site)?|site|p[aá]gina|url|www|internet|"
    r"dir(?:ecci[oó]n)?|address|endere[cç]o|adresse|portfolio)\s*[:.]\s*|"
    r"^(?:e-?mail|correo|web|website|site|portfolio)$",
    re.I,
)
#: A line of one- and two-letter words read below this confidence is OCR debris, never a name.
DEBRIS_CONFIDENCE = 0.35
#: A line read below this confidence is never a name: a script typeface or a drawing read as
#: words ('Ryo Ulncerilimo Geoirtoo', its words read at 0.0-0.3).
NAME_FLOOR_CONFIDENCE = 0.2
#: ... nor a company, without a legal form or the card's domain in it (such reads run 0.2-0.3).
ORG_FLOOR_CONFIDENCE = 0.35
#: A website too broken to read as one ('WWwImicrovidacom bn'): no word starts with 'www'.
_WEBSITE_REMNANT = re.compile(r"^\W*www", re.I)
_ONLY_LABEL = re.compile(r"^[\W_]*(?:" + phones._LABEL_WORD + r")?[\W_]*$", re.I)
_GENERIC_LOCAL = frozenset({
    "info", "contact", "contacto", "contato", "hello", "hola", "ola", "sales", "ventas", "vendas", "admin",
    "office", "oficina", "mail", "email", "team", "support", "soporte", "hr", "rrhh", "jobs", "press",
    "prensa", "marketing", "comercial", "atencion", "reservas", "bookings", "enquiries", "inquiries",
})
_SECOND_LEVEL = frozenset({"com", "org", "net", "co", "gov", "edu", "ac", "gob"})
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
ENGLISH_NAME_ORDER = frozenset({"US", "GB", "CA", "AU", "NZ", "IE", "ZA", "IN", "SG"})


@dataclass
class _Context:
    segments: list[Segment]
    median: float
    region: str
    country: str
    email_locals: list[str]
    domain_cores: list[str]
    domain_labels: list[str]  # the registered names of those domains, as written ('acme-robotics')
    free_locals: list[str]  # local parts of free-mail addresses ('dimariorestaurante' @gmail.com)
    address_head: Segment | None = None  # the first line of the postal address


def page_from_text(text: str) -> OcrPage:
    """A page from plain text where a run of 3+ spaces or a tab is a column gap (as on the card)."""
    lines = []
    for row, raw in enumerate((text or "").splitlines()):
        words, col = [], 0
        for c, column in enumerate(re.split(r"\s{3,}|\t", raw)):
            col = max(col, c * 60)
            for tok in column.split():
                words.append(Word(tok, 1.0, left=col * 10, top=row * 40, width=10 * len(tok), height=20))
                col += len(tok) + 1
        if words:
            lines.append(Line(words))
    return OcrPage(lines=lines, width=1000, height=40 * max(1, len(lines)))


def contact_from_text(text: str, region: str = "ES") -> Contact:
    """Parse plain text (one card, lines as printed)."""
    return contact_from(page_from_text(text), region)


def contact_from(page: OcrPage, region: str = "ES") -> Contact:
    """Parse one OCR page into a Contact. Never raises on odd text."""
    region = (region or "ES").upper()
    segments = segments_from_page(page)
    contact = Contact()
    if not segments:
        return contact
    _take_emails_and_urls(segments, contact)
    hosts = [e.address.split("@", 1)[1] for e in contact.emails]
    hosts += [re.sub(r"^https?://", "", w.url).split("/")[0] for w in contact.websites if w.kind == "website"]
    full_text = "\n".join(s.text for s in segments)
    votes = evidence(full_text, hosts, [m.group(0) for m in _INTL.finditer(full_text)])
    # a number printed in its country's own format ('(11) 98765-4321') is evidence too, weaker
    # than a top-level domain or a country name
    for code in phones.shape_countries(full_text):
        votes[code] += 1.0
    ranked = [code for code, weight in votes.most_common() if weight >= 1]
    hinted = [code for code, weight in votes.most_common() if 0 < weight < 1]
    primary = tuple(dict.fromkeys([*ranked, region]))
    # no list of likely countries beyond the card's own hints: a number that fits none of them
    # is kept as printed and flagged, never placed where its digits happen to be valid
    fallback = tuple(dict.fromkeys([*primary, *hinted]))
    _take_phones(segments, contact, primary, fallback, evidenced=bool(ranked))
    _harmonise_countries(contact)
    country = ranked[0] if ranked else region
    if contact.phones and not ranked:
        country = _region_of(contact.phones[0].number) or region
    found = address_mod.find_address(segments, country)
    if found:
        contact.address = found.address
        contact.address.city = _capital_i(contact.address.city)
        contact.confidence["address"] = found.address.confidence
        for i in found.segments:
            segments[i].used = True
            segments[i].rest = ""
    head = min((segments[i] for i in found.segments), key=lambda seg: seg.line_index) \
        if found else None
    domains = [h for h in hosts if h.split(".")[0] not in FREE_MAIL]
    ctx = _Context(
        segments=segments,
        median=median_height(segments),
        region=region,
        country=contact.address.country_code or country,
        email_locals=[e.address.split("@")[0] for e in contact.emails],
        domain_cores=[_domain_core(h) for h in domains],
        domain_labels=[_domain_label(h) for h in _company_hosts(contact)],
        free_locals=[e.address.split("@")[0] for e in contact.emails
                     if e.address.split("@", 1)[1].split(".")[0] in FREE_MAIL],
        address_head=head,
    )
    _take_people_fields(ctx, contact)
    for email in contact.emails:
        email.address = _lower_l_in_email(email.address, contact.name)
    contact.country = ctx.country if ranked or contact.address.country_code else ""
    if ctx.country in _GERMAN_SPEAKING:
        _mend_words(contact, _umlauts_for_acutes)
    if ctx.country in _GERMAN_SPEAKING | {"CH"}:
        _mend_words(contact, _umlauts_for_ii)
    if ctx.country in _SPANISH_SPEAKING:
        _mend_words(contact, _enye_for_fi)
    return contact


def _drop_leading_speck(text: str) -> str:
    """The line without a short lower-case first word that is no name particle ('all', 'y', 'a'),
    nor a word a line runs on from the one above with ('and Transit Projects', ``_NAME_CONTINUES``)."""
    tokens = text.split()
    if (len(tokens) >= 3 and len(tokens[0]) <= 3 and tokens[0].isalpha() and tokens[0].islower()
            and (fold(tokens[0]) not in names.PARTICLES or tokens[0] in names.SPECK_PARTICLES)
            and tokens[0] not in _NAME_CONTINUES
            and tokens[1][:1].isupper()):
        return " ".join(tokens[1:])
    return text


_GERMAN_SPEAKING = frozenset({"DE", "AT", "LI"})
_ACUTE_TO_UMLAUT = str.maketrans("áóúÁÓÚ", "äöüÄÖÜ")


def _mend_words(contact: Contact, mend: Callable[[str], str]) -> None:
    """Apply ``mend`` to the contact's words: names, title, department, company, street, city."""
    adr = contact.address
    for holder, field in ((contact, "org"), (contact, "title"), (contact, "department"),
                          (contact.name, "given"), (contact.name, "middle"),
                          (contact.name, "family"), (adr, "street"), (adr, "city"), (adr, "region")):
        value = getattr(holder, field)
        if value:
            setattr(holder, field, mend(value))


def _umlauts_for_acutes(text: str) -> str:
    """On a German card, an acute accent is an umlaut Spanish models misread ('Fróhlich',
    'Gústrow'): German prints no á, ó or ú. (Switzerland also prints French and Italian.)"""
    return text.translate(_ACUTE_TO_UMLAUT)


#: 'ü' read as 'ii' between letters ('Ziirich', 'Miiller'); German writes no 'ii'.
_UMLAUT_READ_II = re.compile(r"(?<=[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z])ii(?=[a-z])")
#: 'ñ' read as 'fi' between vowels ('Pefia', 'Montafia', 'ESPAFIA'), on Spanish-speaking cards.
_ENYE_READ_FI = re.compile(r"(?<=[aeiouáéíóú])fi(?=[aeiouáéíóú])|(?<=[AEIOUÁÉÍÓÚ])FI(?=[AEIOUÁÉÍÓÚ])")
#: Words that do write 'fi' between vowels.
_FI_BETWEEN_VOWELS = re.compile(r"sofia|afianz|desafi|porfia|rafia|ofiu", re.I)
_SPANISH_SPEAKING = frozenset({"ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "UY", "PY", "BO", "CR",
                               "PA", "DO", "GT", "HN", "SV", "NI", "CU", "PR"})


def _umlauts_for_ii(text: str) -> str:
    return _UMLAUT_READ_II.sub("ü", text)


def _enye_for_fi(text: str) -> str:
    """'Pefia' -> 'Peña', 'ESPAFIA' -> 'ESPAÑA'; 'Sofia' and words that write 'fi' stay."""

    def mend(m: re.Match[str]) -> str:
        word = m.group(0)
        if _FI_BETWEEN_VOWELS.search(fold(word)) or fold(word) in names.given_names():
            return word
        return _ENYE_READ_FI.sub(lambda f: "Ñ" if f.group(0).isupper() else "ñ", word)

    return re.sub(r"[^\W\d_]+", mend, text)


def _lower_l_in_email(address: str, name: Name) -> str:
    """An upper-case I in an otherwise lower-case address is OCR's reading of l or i.

    Mid-word it is an l ('heiko_riehI@' -> 'riehl'); at the start of a word the card's own
    name decides ('Icorrea@' -> 'lcorrea' for Lucía Correa, 'Ines@' -> 'ines' for Inés).
    """
    local, _, domain = address.partition("@")
    if "I" not in address or any(c.isupper() and c != "I" for c in address):
        return address
    initials = {fold(part)[:1] for part in (name.given, name.middle, name.family) if part}

    def pick(m: re.Match[str]) -> str:
        if m.start() > 0 and local[m.start() - 1].isalpha():
            return "l"
        return "l" if "l" in initials and "i" not in initials else "i"

    return re.sub("I", pick, local) + "@" + domain.replace("I", "l")


def _region_of(e164: str) -> str | None:
    number = phones._parse(e164, None)
    if number is None:
        return None
    code = phonenumbers.region_code_for_number(number)
    return code if code and code != "ZZ" else None


def _company_hosts(contact: Contact) -> list[str]:
    """Hosts that can name the card's company: the emails' (not free mail) and the websites' own
    domains; a site with a path or a subdomain ('cargocollective.com/nog', 'nog.carbonmade.com')
    is a profile on someone else's domain."""
    hosts = [e.address.split("@", 1)[1] for e in contact.emails]
    for site in contact.websites:
        rest = re.sub(r"^https?://", "", site.url)
        host = rest.split("/")[0].removeprefix("www.")
        if site.kind == "website" and "/" not in rest and host.split(".")[0] == _domain_label(host):
            hosts.append(host)
    return [h for h in dict.fromkeys(hosts) if h.split(".")[0] not in FREE_MAIL]


def _domain_label(host: str) -> str:
    """The registered name of a host: 'www.acme-robotics.co.uk' -> 'acme-robotics'."""
    parts = host.lower().removeprefix("www.").split(".")
    if len(parts) > 1:
        parts.pop()  # the top-level domain, even a generic one
    while len(parts) > 1 and (parts[-1] in _SECOND_LEVEL or len(parts[-1]) == 2):
        parts.pop()
    return parts[-1] if parts else ""


def _domain_core(host: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _domain_label(host))


def _org_from_domain(label: str) -> str:
    """'acme-robotics' -> 'Acme Robotics': a company named only by its domain."""
    return " ".join(part.capitalize() for part in re.split(r"[-_]", label) if part)


def _cut(seg: Segment, start: int, end: int) -> None:
    seg.rest = (seg.rest[:start] + " " * (end - start) + seg.rest[end:])


# a host cut after a hyphen or a dot, or 'www.' and one word with no top-level domain yet
_URL_BROKEN_END = re.compile(r"(?:https?://|www\.)[\w.\-/]*[\-.]$|(?:https?://)?www\.[\w\-]+$", re.I)
_URL_CONTINUED = re.compile(r"^[a-z0-9][\w\-]*(?:\.[\w\-]+)*\.[a-z]{2,}(?:/\S*)?(?=\s|$)")


def _join_wrapped_urls(segments: list[Segment]) -> None:
    """A web address that wraps onto the next line ('www.construcciones-' / 'mediterraneas.es'):
    a host never ends in '-' or '.', so the next line's first word finishes it."""
    for seg, nxt in itertools.pairwise(segments):
        if nxt.line_index == seg.line_index + 1 and _URL_BROKEN_END.search(seg.rest):
            m = _URL_CONTINUED.match(nxt.rest)
            if m:
                seg.rest += m.group(0)
                nxt.rest = nxt.rest[m.end():].strip()


def _take_emails_and_urls(segments: list[Segment], contact: Contact) -> None:
    _join_wrapped_urls(segments)
    seen_urls: set[str] = set()
    prelim = set()
    for seg in segments:
        for hit in emails_web.find_urls(re.sub(r"\S*@\S*", " ", seg.text)):
            prelim.add(re.sub(r"^https?://(www\d?\.)?", "", hit.value).split("/")[0])
    known = frozenset(prelim)
    mail_hosts = frozenset(m.group(0).split("@", 1)[1].lower() for seg in segments
                           for m in emails_web.EMAIL_RE.finditer(seg.text))
    word = re.compile(r"(?<![\w.@])[^\W\d_]{2,}(?![\w.@])")
    # the words of the card's other lines: what an address's local part may spell
    words_of = [frozenset(fold(w) for w in word.findall(seg.text)) for seg in segments]
    for index, seg in enumerate(segments):
        card_words = frozenset().union(*(words for i, words in enumerate(words_of) if i != index))
        for m in emails_web.MESSENGER_ID.finditer(seg.rest):
            _cut(seg, m.start(), m.end())
        for found, kind in emails_web.find_handles(seg.rest):
            if found.value.lower() not in seen_urls:
                seen_urls.add(found.value.lower())
                contact.websites.append(Website(found.value, kind, round(seg.confidence * 0.85, 3)))
            _cut(seg, found.start, found.end)
        text = emails_web.normalise_email_text(seg.rest)
        if "@" in text:
            seg.rest = text  # spans below index the repaired text
        address_found = False
        for hit in emails_web.find_emails(seg.rest, known, card_words, mail_hosts):
            address_found = True
            if all(e.address != hit.value for e in contact.emails):
                confidence = seg.confidence * (0.8 if hit.repaired else 0.98)
                contact.emails.append(Email(hit.value, round(confidence, 3)))
            _cut(seg, hit.start, hit.end)
        # the addresses as mended so far vouch for a host too ('nuvernverde' mended by the website)
        mended_hosts = mail_hosts | {e.address.split("@", 1)[1].lower() for e in contact.emails}
        for hit in emails_web.find_urls(seg.rest, mended_hosts):
            if not address_found and emails_web.is_email_line(seg.text) \
                    and not emails_web.is_marked_link(seg.rest[hit.start:hit.end]):
                continue  # 'Email: alph i blanchet.fr': what is left of an address, no website
            host = re.sub(r"^https?://", "", hit.value).split("/")[0]
            if hit.value.lower() not in seen_urls:
                seen_urls.add(hit.value.lower())
                kind = social_kind(host)
                contact.websites.append(Website(hit.value, kind, round(seg.confidence * 0.95, 3)))
            _cut(seg, hit.start, hit.end)
        _take_broken_website(seg, contact, mail_hosts, seen_urls)
        seg.rest = _FIELD_LABEL.sub("", re.sub(r"\s+", " ", seg.rest).strip(" ,;|-–:")).strip(" ,;|-–:")


def _take_broken_website(seg: Segment, contact: Contact, mail_hosts: frozenset[str],
                         seen_urls: set[str]) -> None:
    """A website OCR broke beyond reading ('WWwImicrovidacom bn') that spells the domain of the
    card's e-mail: that domain is the website. Nothing else on a card starts with 'www'."""
    if not _WEBSITE_REMNANT.match(seg.rest):
        return
    letters = re.sub(r"[^a-z0-9]", "", fold(seg.rest))
    for host in sorted(mail_hosts):
        core = _domain_core(host)
        if len(core) < 4 or core in FREE_MAIL or core not in letters:
            continue
        url = f"https://www.{host}"
        if url not in seen_urls and not any(host in w.url.lower() for w in contact.websites):
            seen_urls.add(url)
            contact.websites.append(Website(url, social_kind(host), round(seg.confidence * 0.6, 3)))
        seg.rest = ""
        return


def _take_phones(
    segments: list[Segment], contact: Contact, primary: tuple[str, ...], fallback: tuple[str, ...],
    evidenced: bool,
) -> None:
    hint: PhoneType | None = None
    for seg in segments:
        if seg.used or not re.search(r"\d", seg.rest):
            if _ONLY_LABEL.match(fold(seg.rest)) and seg.rest.strip():
                hint = phones.label_type(seg.rest)
            continue
        hits = phones.find_phones(seg.rest, primary, fallback, hint, evidenced)
        hint = None
        for hit in hits:
            # one number printed twice with two labels ('Ufficio', then 'Fax') is two lines
            if all(p.number != hit.e164 or p.type != hit.type for p in contact.phones):
                contact.phones.append(
                    Phone(hit.e164, hit.type, hit.printed,
                          round(min(1.0, hit.confidence) * seg.confidence, 3))
                )
        if hits:
            for hit in sorted(hits, key=lambda h: -h.start):
                _cut(seg, hit.start, hit.end)
            left = re.sub(r"\s+", " ", seg.rest).strip()
            # drop the labels that went with the numbers
            if _ONLY_LABEL.match(re.sub(phones._LABEL_WORD, " ", left, flags=re.I)):
                left = ""
            seg.rest = left


_LOWER_L_START = re.compile(r"^l(?=[a-zà-ÿ]{2})")
_LOWERCASE_PLACE_WORDS = frozenset({"la", "las", "le", "les", "los", "lo", "l'"})


def _capital_i_in_name(text: str) -> str:
    """'Rajesh Kumar lyer' -> 'Rajesh Kumar Iyer': after a known given name, a word starting 'l'
    then lower case is OCR's reading of a capital I (never a particle)."""
    words = text.split(" ")
    if len(words) < 2 or not names.first_given(text):
        return text
    return " ".join([words[0]] + [w if fold(w) in names.PARTICLES else _LOWER_L_START.sub("I", w)
                                  for w in words[1:]])


def _spelled_as_email(text: str, locals_: list[str]) -> str:
    """A name line with a word misread where the e-mail spells it ('tichard Rose' beside
    richard.rose@): a word not shaped like a name, one letter off a word of the local part,
    takes the e-mail's spelling when another word of the line is spelt there as printed."""
    from rapidfuzz.distance import Levenshtein

    tokens = text.split(" ")
    if not 2 <= len(tokens) <= 4:
        return text
    folded = [fold(token) for token in tokens]
    for local in locals_:
        parts = [p for p in re.split(r"[^a-z]+", fold(local)) if len(p) >= 4]
        if not any(f in parts for f in folded):
            continue
        mended = list(tokens)
        for i, (token, bare) in enumerate(zip(tokens, folded, strict=True)):
            if bare in parts or not token.isalpha() or (token[0].isupper() and token[1:].islower()) \
                    or token.isupper():
                continue
            near = [p for p in parts if p not in folded and len(p) == len(bare)
                    and Levenshtein.distance(p, bare) == 1]
            if len(near) == 1:
                mended[i] = near[0].capitalize()
        if mended != tokens:
            return " ".join(mended)
    return text


def _capital_i(place: str) -> str:
    """A place name starts with a capital: a leading 'l' there is OCR's reading of 'I'
    ('lanfurt' -> 'Ianfurt'), unless it is an article printed in lower case ('la', 'los')."""
    first = place.split(" ", 1)[0].casefold()
    if first in _LOWERCASE_PLACE_WORDS:
        return place
    return _LOWER_L_START.sub("I", place)


def _harmonise_countries(contact: Contact) -> None:
    """Numbers printed without a country code on one card share one country: when they were placed
    in different countries ('Tel: 11 6909-6968' read as Argentine beside the Brazilian mobile
    'Cel: 11 9 7412-1100'), use the country in which all of them are possible and most are valid."""
    national = [p for p in contact.phones if p.printed and not re.match(r"\s*(?:\+|00)", p.printed)
                and not phones.is_local_only(p.number)]
    regions = {_region_of(p.number) for p in national} - {None}
    if len(national) < 2 or len(regions) < 2:
        return
    scores: list[tuple[int, int, str]] = []
    for region in sorted(regions):
        parsed = [phones._parse(p.printed, region) for p in national]
        if any(n is None or not phonenumbers.is_possible_number(n) for n in parsed):
            continue
        valid = sum(phonenumbers.is_valid_number(n) for n in parsed if n is not None)
        # ties go to the country where the numbers labelled mobile are mobiles
        agree = sum(1 for p, n in zip(national, parsed, strict=True)
                    if n is not None and p.type == PhoneType.CELL
                    and phonenumbers.number_type(n) in _MOBILE_TYPES)
        scores.append((valid, agree, region))
    scores.sort(reverse=True)
    if not scores or (len(scores) > 1 and scores[0][:2] == scores[1][:2]):
        return  # no country fits all of them, or two fit equally well
    best_region = scores[0][2]
    for phone in national:
        if _region_of(phone.number) != best_region:
            number = phones._parse(phone.printed, best_region)
            if number is not None:
                phone.number = phones._e164(number)
                phone.confidence = round(phone.confidence * 0.85, 3)


def _email_match(text: str, locals_: list[str]) -> float:
    """1.0 when the line's words spell an email's local part ('ana.ruiz', 'aruiz', 'ana')."""
    words = [w for w in re.findall(r"[a-z]+", fold(text))
             if len(w) >= 2 and w not in names.PARTICLES and not ct.company_word_hits(w)]
    initials = "".join(re.findall(r"(?<![\w.])([a-z])\.", fold(text)))
    if len(words) == 1 and initials and len(words[0]) >= 4:
        # 'R. Venkatesh' as 'venkatesh.r', 'K. V. Subramanian' as 'kv.subramanian'
        spelled = {words[0] + initials, initials + words[0], words[0] + initials[-1], initials[-1] + words[0]}
        squashed_locals = {re.sub(r"[^a-z]", "", fold(local)) for local in locals_}
        return 1.0 if spelled & squashed_locals else 0.0
    if len(words) < 2:
        return 0.0
    best = 0.0
    for local in locals_:
        squashed = re.sub(r"[^a-z]", "", fold(local))
        if not squashed or squashed in _GENERIC_LOCAL:
            continue
        forms = {words[0] + words[-1], words[0][0] + words[-1], words[0] + words[1], words[0][0] + words[1],
                 words[0] + words[-1][0]}
        if squashed in forms or any(f and squashed.startswith(f) for f in forms if len(f) >= 4):
            return 1.0
        hits = sum(1 for w in words if len(w) >= 3 and w in squashed)
        if hits >= 2:
            best = max(best, 1.0)
        elif hits == 1:
            best = max(best, 0.5)
    return best


def _spelled_whole(text: str, locals_: list[str]) -> bool:
    """A free-mail local part that is the whole line run together ('chaveirocentral@gmail.com' for
    'CHAVEIRO CENTRAL'): how shops name their address, so no sign of a person."""
    squashed = ct.squash(text)
    return any(re.sub(r"[^a-z]", "", fold(local)) == squashed for local in locals_)


def _beside_title(seg: Segment, segs: list[Segment]) -> bool:
    """A job title printed on the line right below (or above) the segment: 'PIETRA DA PAZ' over
    'Data Analyst' is a person, unlike a shop's 'ALUGUEL DE VESTIDOS' over 'MADRINHAS E FORMANDAS'."""
    for other in segs:
        if other is seg or abs(other.line_index - seg.line_index) != 1 or ct.legal_form(other.rest):
            continue
        hits = ct.title_hits(other.rest)
        # a shop's capitals ('ASSISTÊNCIA TÉCNICA') can hold a title word: there, ask for two
        if hits >= (2 if names.case_says_nothing(other.rest) else 1):
            return True
    return False


#: 'Gerente: Paulo Reis', 'Contato: Maria Silva': a label, a colon, then the person's name.
_LABELLED_NAME = re.compile(r"^(?P<label>[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+){0,3})\.?\s*:\s*"
                            r"(?P<name>[^\W\d_].*)$")
#: Labels that introduce the person to ask for, not a title.
_CONTACT_LABELS = frozenset({"contato", "contacto", "contact", "attn", "att", "atencion",
                             "ansprechpartner", "referente", "interlocuteur", "falar com",
                             "hablar con", "ask for"})


def _split_name_and_title(segs: list[Segment], email_locals: list[str]) -> list[Segment]:
    """A name and a title printed on one line ('Bernard Desarnauts Founder & CEO', 'Pieter van den
    BERG Sales Director', 'Ana Ruiz, CEO') become two pieces: the words before the first title
    word, when they have a name's shape and hold no title word, and the title from there on."""
    out: list[Segment] = []
    for seg in segs:
        labelled = _LABELLED_NAME.match(seg.rest)
        if labelled and names.looks_like_name(labelled.group("name")):
            label = labelled.group("label")
            if fold(label) in _CONTACT_LABELS or ct.title_hits(label):
                # 'Gerente: Paulo Reis', 'Contato: Maria Silva': the person, after a label
                seg.rest = labelled.group("name")
                out.append(seg)
                if ct.title_hits(label):
                    out.append(dataclasses.replace(seg, rest=label, tags=set(seg.tags)))
                continue
        toks = seg.rest.split()
        split = None
        # the split at a title word itself first ('Laura Gómez Treviño | Directora Comercial'), then
        # before a word qualifying one ('Ana Ruiz | Creative Director')
        tries = [(k, qualified) for qualified in (False, True) for k in range(2, min(len(toks) - 1, 6) + 1)]
        if len(toks) >= 3 and not ct.legal_form(seg.rest):
            for k, qualified in tries:
                # 'Priya Nair, Finance Manager': the comma after the name is neither's
                head, tail = " ".join(toks[:k]).rstrip(","), " ".join(toks[k:])
                # one title word after a name-shaped line may be a family name ('Mary Anne Dean'),
                # unless the email spells the name without it ('k.hoffmann' for 'Katrin Hoffmann')
                if len(toks) - k < 2 and names.looks_like_name(seg.rest) \
                        and _email_match(head, email_locals) < 1.0:
                    continue
                # a title opens with its title word or function ('Founder', 'Sales'), or with one
                # word qualifying the title word after it ('Creative Director')
                opens = ct.title_hits(toks[k]) or ct.function_hits(toks[k]) \
                    or (qualified and k + 1 < len(toks) and ct.title_hits(toks[k + 1]))
                plain_head = not (ct.title_hits(head) or ct.function_hits(head) or ct.company_word_hits(head))
                if opens and ct.title_hits(tail) and names.looks_like_name(head) and plain_head \
                        and len(toks) - k <= 6:
                    split = (head, tail)
                    break
        if split is None:
            out.append(seg)
            continue
        head, tail = split
        seg.rest = head
        title = dataclasses.replace(seg, rest=tail, tags=set(seg.tags))
        out += [seg, title]
    return out


def _without_logo_letter(text: str, domain_cores: list[str]) -> str:
    """The line without a lone letter before it that the card's domain does without: a logo's
    ring read 'O' before 'Brisa Solutions' beside brisa.uk (not the article of 'O Boticário'
    beside oboticario.com.br, which the domain spells)."""
    head, _, rest = text.partition(" ")
    if len(head) == 1 and rest and domain_cores \
            and ct.matches_domain(rest, domain_cores) > ct.matches_domain(text, domain_cores):
        return rest
    return text


def _given_name_above(name: Segment, segs: list[Segment]) -> Segment | None:
    """A listed given name alone on the line right above the name, in letters of the same size
    and case, starting where the name starts or centred over it."""
    for seg in segs:
        if seg.used or seg.line_index != name.line_index - 1 or len(seg.rest.split()) != 1:
            continue
        word = seg.rest.strip()
        same_size = abs(seg.height - name.height) <= 0.2 * max(name.height, 1.0)
        same_case = word.isupper() == name.rest.isupper()
        # (widths from the letters: about 0.6 of the letter height each)
        centre, name_centre = seg.left + 0.3 * seg.height * len(word), \
            name.left + 0.3 * name.height * len(name.rest)
        aligned = abs(seg.left - name.left) <= max(name.height, 1.0) or \
            abs(centre - name_centre) <= 2 * max(name.height, 1.0)
        if fold(word) in names.given_names() and same_size and same_case and aligned:
            return seg
    return None


#: Between a title and its unit on one line: a comma, or a dash or bar between spaces.
_TITLE_UNIT_SEPARATOR = re.compile(r",\s*|\s+[-–—|]\s+")


def _split_title_line(text: str) -> tuple[str, str, str]:
    """(before, separator, after) at a title line's first comma or spaced dash."""
    m = _TITLE_UNIT_SEPARATOR.search(text)
    return (text[:m.start()], m.group(0), text[m.end():]) if m else (text, "", "")


def _heads_address(seg: Segment, ctx: _Context) -> bool:
    """The line right above the postal address, aligned with it (within a letter height)."""
    head = ctx.address_head
    return head is not None and seg.line_index == head.line_index - 1 \
        and abs(seg.left - head.left) <= max(seg.height, head.height, 1.0)


def _repeated_by_another(text: str, seg: Segment, remaining: list[Segment]) -> bool:
    """Whether the line's words are printed again inside another line, or it holds another's."""
    own = ct.tokens(text)
    for other in remaining:
        if other is seg or ct.is_junk(other.rest):
            continue
        theirs = ct.tokens(ct.clean_org(other.rest))
        if len(theirs) <= 6 and (_words_inside(own, theirs) or _words_inside(theirs, own)):
            return True
    return False


def _words_inside(short: list[str], long: list[str]) -> bool:
    return len(long) > len(short) and any(long[i:i + len(short)] == short for i in range(len(long)))


def _whole_company_line(seg: Segment, remaining: list[Segment]) -> Segment:
    """A logo repeats part of the company's name ('MEXICAN GRILL' over 'CHIPOTLE MEXICAN GRILL'):
    the line that prints the whole name is the company."""
    short = ct.tokens(ct.clean_org(seg.rest))
    for other in remaining:
        if other is seg or other.used or ct.is_junk(other.rest):
            continue
        text = ct.clean_org(other.rest)
        if len(text.split()) <= 6 and not re.search(r"\d{3,}", text) \
                and _words_inside(short, ct.tokens(text)):
            return other
    return seg


def _initials(text: str) -> str:
    """The capitals a name's words begin with, its joining words and legal form aside."""
    legal = ct.legal_form(text)
    if legal:
        text = text.replace(legal, " ")
    return "".join(w[0].upper() for w in re.findall(r"[" + LETTERS + r"]{2,}", text)
                   if fold(w) not in _NAME_CONTINUES and fold(w) not in {"the", "at", "law"})


def _spelled_out(org: str, remaining: list[Segment]) -> list[Segment]:
    """The line (or two lines, one below the other) whose words' initials spell ``org``, a logo's
    acronym ('HK&A' for 'Haddad, Karam & Associates', 'SRU' for 'Swan River' / 'University');
    none when ``org`` is no acronym."""
    letters = re.sub(r"[&.\s]", "", org)
    if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()) or " " in org.strip():
        return []

    usable = [s for s in remaining if s.rest and not re.search(r"\d|@", s.rest) and not ct.is_junk(s.rest)]
    for seg in usable:
        spelled = _initials(seg.rest)
        if spelled == letters and len(seg.rest.split()) >= 2:
            return [seg]
        if spelled and letters.startswith(spelled):
            below = [s for s in usable if s.line_index == seg.line_index + 1]
            if len(below) == 1 and spelled + _initials(below[0].rest) == letters:
                return [seg, below[0]]
    return []


def _company_on_two_lines(seg: Segment, remaining: list[Segment], cores: list[str]
                          ) -> tuple[str, Segment] | None:
    """A company name printed over two lines ('Harbourfront' / 'Advisory Pte. Ltd.', 'Brunau' /
    'Buffet eventos'): joined when the two together spell the card's domain better than the line
    alone. Returns the whole name and the other line."""
    text = ct.clean_org(seg.rest)
    alone = ct.matches_domain(text, cores) if cores else 1.0
    if alone >= 1.0:
        return _company_continued(seg, text, remaining)
    for other in remaining:
        if other is seg or other.used or abs(other.line_index - seg.line_index) != 1 \
                or ct.is_junk(other.rest):
            continue
        words_ = ct.clean_org(other.rest).split()
        if other.line_index < seg.line_index:
            tries = [" ".join([*words_[k:], text]) for k in range(len(words_))]
        else:
            tries = [" ".join([text, *words_[:k]]) for k in range(len(words_), 0, -1)]
        if len(words_) > 4 or ct.title_hits(other.rest) or ct.legal_form(other.rest):
            continue
        for joined in tries:
            # 'Thornbury' / 'Capital Partners LLP' for thornburycapital.co.uk: closer to the domain
            together = ct.matches_domain(joined, cores)
            if together >= 1.0 or (together >= 0.85 and together > alone):
                return joined, other
    return _company_continued(seg, text, remaining)


#: Words that open the second line of a company name printed over two ('CLÍNICA SANTA FE' /
#: 'DE LOS ANDES', 'CONSTRUCTORA DEL VALLE' / 'DE MÉXICO, S.A. DE C.V.').
_NAME_CONTINUES = frozenset({"de", "del", "da", "do", "dos", "das", "y", "e", "&", "and", "of", "und", "et"})


#: Words that open the second line of a title ('en Ortodoncia', 'in Economics', 'for EMEA').
_TITLE_CONTINUES = _NAME_CONTINUES | {"en", "in", "for", "para", "per", "di", "des", "du", "der", "für"}
#: Words a title does not end on: its line goes on below ('Founder & Chief').
_TITLE_OPEN_END = frozenset({"chief", "vice", "deputy"})


def _title_continued(seg: Segment, remaining: list[Segment], domain_cores: list[str]
                     ) -> Segment | None:
    """The line right below a title that ends on a joining word or a dash ('Director de
    Exportaciones y', 'Strategic Accounts –'), or that opens on one ('of Sales', 'y Medio
    Ambiente'), alone on its line, in the title's size: the title's second line. Not a line the
    e-mail or website names: that is the company ('Consultor Senior' / 'de Anda', deanda.mx)."""
    last = seg.rest.split()[-1] if seg.rest.split() else ""
    # ('Senior Vice President,' / 'Business Development', 'Founder & Chief' / 'Technology Officer')
    open_end = (seg.runs_on or (last.islower() and fold(last) in _NAME_CONTINUES)
                or fold(last) in _TITLE_OPEN_END)
    for other in remaining:
        words_ = other.rest.split()
        # ('Principal' / 'Structural Engineer': the title's words go on, short, and the line
        # below names no unit or firm)
        title_goes_on = (len(words_) <= 3 and len(seg.rest.split()) <= 3 and ct.title_hits(other.rest)
                         and not ct.is_department(other.rest) and not ct.company_word_hits(other.rest))
        if (other is not seg and not other.used and other.line_index == seg.line_index + 1 and words_
                and (open_end or title_goes_on or other.opens_on or ((words_[0].islower() or words_[0] == "&")
                                                   and fold(words_[0]) in _TITLE_CONTINUES
                                                   # ('y Cloud & AI Department': an icon, a unit)
                                                   and not ct.department_hits(other.rest)))
                and len(words_) <= 5 and not re.search(r"\d|@", other.rest) and not ct.legal_form(other.rest)
                and ct.matches_domain(other.rest, domain_cores) < 0.85
                and abs(other.height - seg.height) <= 0.3 * max(other.height, seg.height, 1)
                and sum(o.line_index == other.line_index and o.rest != "" for o in remaining) == 1):
            return other
    return None


def _company_continued(seg: Segment, text: str, remaining: list[Segment]) -> tuple[str, Segment] | None:
    """A company name over two lines that its words join, whatever the domain says: a line
    opening on 'de' or '&' continues the one above, and a line of company nouns alone ('GRUPO',
    'Studio Legale') heads the one below. Both in the same letters and size."""
    def joins(upper: Segment, lower: Segment) -> bool:
        return (upper.rest.split()[0].isupper() == lower.rest.split()[0].isupper()
                and abs(upper.height - lower.height) <= 0.3 * max(upper.height, lower.height, 1)
                and not re.search(r"\d|@", upper.rest + lower.rest) and not ct.is_junk(upper.rest)
                and not ct.is_junk(lower.rest) and not ct.title_hits(upper.rest + " " + lower.rest))

    def capitals(piece: str) -> bool:
        letters = [ch for ch in piece if ch.isalpha()]
        return len(letters) >= 3 and all(ch.isupper() for ch in letters)

    for other in remaining:
        if other is seg or other.used or not other.rest:
            continue
        words_ = other.rest.split()
        # a wordmark in capitals over two lines, one of them saying what the business is
        # ('CLINICA DENTAL' / 'SONRISA PLENA', 'RIOPLATENSE' / 'SOFTWARE FACTORY')
        # (a name whole with its legal form takes nothing more; what the business is, printed
        # alone below its name, is no part of it: 'DI MARIO' / 'RESTAURANTE')
        wordmark = capitals(other.rest) and capitals(text) and len(words_) <= 3 \
            and ct.company_word_hits(other.rest) >= 1 and not ct.is_department(other.rest) \
            and not ct.legal_form(text) and not set(ct.tokens(other.rest)) <= set(ct.tokens(text))
        # ('MEGHNA' / 'APPARELS SOURCING LTD.': a line in capitals above one closed by a legal form)
        # ('KAM WAH' / 'ROAST MEAT RESTAURANT': the name above the line that says what it is)
        named_above = capitals(other.rest) and capitals(text) and len(words_) <= 3 \
            and (bool(ct.legal_form(text)) or (ct.company_word_hits(text) >= 1
                                               and not ct.company_word_hits(other.rest))) \
            and not ct.legal_form(other.rest) and not ct.is_department(other.rest) \
            and (not names.looks_like_name(other.rest) or not ct.legal_form(text))
        if other.line_index == seg.line_index - 1 and len(words_) <= 4 and joins(other, seg) and (
                fold(text.split()[0]) in _NAME_CONTINUES or ct.only_generic_words(other.rest) or wordmark
                or named_above):
            return f"{ct.clean_org(other.rest)} {text}", other
        # ('AL QUOZ PRECISION' / 'AUTO REPAIR WORKSHOP L.L.C': the legal form closes the whole name)
        named_below = (wordmark and not ct.only_generic_words(other.rest)) or (
            capitals(other.rest) and capitals(text) and bool(ct.legal_form(other.rest)))
        if other.line_index == seg.line_index + 1 and len(words_) <= 4 and joins(seg, other) \
                and (fold(words_[0]) in _NAME_CONTINUES or named_below) and not ct.legal_form(text):
            return f"{text} {ct.clean_org(other.rest)}", other
        # ('GRUPO LOGISTICO TRANSNORTE' / 'S.A. de C.V.': the legal form printed below the name)
        if other.line_index == seg.line_index + 1 and joins(seg, other) and not ct.legal_form(text):
            form = ct.legal_form(f"Acme {other.rest}")
            if form and ct.squash(form) == ct.squash(other.rest):
                return f"{text}, {other.rest.strip(' ,')}", other
    return None


def _take_people_fields(ctx: _Context, contact: Contact) -> None:
    segs = [s for s in ctx.segments if s.rest and not s.used and re.search(r"[" + LETTERS + r"]", s.rest)]
    if not segs:
        return
    segs = _split_name_and_title(segs, ctx.email_locals)
    lines = sorted({s.line_index for s in segs})
    last_line = max(s.line_index for s in ctx.segments) or 1
    lang = "en" if ctx.country in ENGLISH_NAME_ORDER else "es"

    def relative_size(seg: Segment) -> float:
        return max(0.0, min(1.5, seg.height / ctx.median - 1.0)) if ctx.median else 0.0

    # --- name
    best: tuple[float, Segment] | None = None
    for seg in segs:
        text = seg.rest
        mended = _capital_i_in_name(text)
        if mended != text and names.looks_like_name(mended):
            seg.rest = text = mended  # 'Rajesh Kumar lyer': OCR's l for the I of 'Iyer'
        mended = _spelled_as_email(text, ctx.email_locals)
        if mended != text and names.looks_like_name(mended):
            seg.rest = text = mended  # 'tichard Rose' beside richard.rose@: the R misread
        if not names.looks_like_name(text):
            trimmed = _drop_leading_speck(text)
            if trimmed == text or not names.looks_like_name(trimmed):
                continue
            seg.rest = text = trimmed  # 'all Felix Villanueva': OCR read a logo as a short word
        tokens = text.split()
        if seg.confidence < NAME_FLOOR_CONFIDENCE or (
                seg.confidence < DEBRIS_CONFIDENCE and all(len(t.strip(".,")) <= 2 for t in tokens)):
            continue  # 'ro rd' read at 0.2 beside a picture: debris, unlike 'Bo Xu' read at 0.9
        # a shop's free-mail address spells its name run together ('padariabelavista@hotmail.com')
        shop_mail = _spelled_whole(text, ctx.free_locals) and not names.first_given(text)
        email = 0.0 if shop_mail else _email_match(text, ctx.email_locals)
        # a name needs some support: a known given name first, the email's local part, an honorific,
        # a degree, or a job title beside it ('ALUGUEL DE TRAJES', 'Conserto de Portões' have none)
        if not (
            names.first_given(text) or email >= (1.0 if names.case_says_nothing(text) else 0.5)
            or names.is_honorific(tokens[0]) or _beside_title(seg, segs)
            or any(names.is_degree(t) for t in re.split(r"[,\s]+", text)[1:])
        ):
            continue
        score = 1.0 + 1.5 * relative_size(seg)
        score += 0.5 if seg.line_index <= last_line * 0.5 else 0.0
        score += 1.5 * email
        score += 0.8 if fold(tokens[0].strip(".,")) in names.given_names() else 0.0
        if names.is_honorific(tokens[0]):
            score += 1.5
        if any(names.is_degree(t) for t in re.split(r"[,\s]+", text)[1:]):
            score += 1.0
        score -= 2.0 * ct.title_hits(text) + 1.5 * ct.department_hits(text)
        score -= 1.5 if ct.is_department(text) else 0.0
        # ('Thandiwe Mokoena CA(SA)': the SA of a degree is no legal form)
        score -= 2.5 if ct.legal_form(" ".join(t for t in tokens if not names.is_degree(t))) else 0.0
        score -= 1.2 * ct.company_word_hits(text)
        if ct.matches_domain(text, ctx.domain_cores) >= 0.85 and _email_match(text, ctx.email_locals) < 1 \
                and fold(tokens[0]) not in names.given_names():
            score -= 1.5
        if best is None or score > best[0]:
            best = (score, seg)
    name_seg = None
    if best and best[0] >= 1.0:
        name_seg = best[1]
        email_local = ctx.email_locals[0] if ctx.email_locals else ""
        given_above = _given_name_above(name_seg, segs)
        if given_above is not None:  # 'JUAN' over 'IGNACIO RODRIGUEZ': one name on two lines
            name_seg.rest = f"{given_above.rest} {name_seg.rest}"
            given_above.used = True
        contact.name = names.split_name(name_seg.rest, lang, email_local, ctx.country)
        sure = min(1.0, 0.55 + 0.15 * best[0])
        contact.name.confidence = round(name_seg.confidence * sure, 3)
        contact.confidence["name"] = contact.name.confidence
        name_seg.used = True

    # --- title and department
    remaining = [s for s in segs if not s.used]
    title_seg = None
    candidates = [s for s in remaining if ct.title_hits(s.rest) and len(s.rest.split()) <= 7
                  and not ct.legal_form(s.rest)]
    # 'Dirección Técnica' has a title word but names a unit: a title only when nothing else is
    if any(not ct.is_department(s.rest) for s in candidates):
        candidates = [s for s in candidates if not ct.is_department(s.rest)]
    if candidates:
        anchor = name_seg.line_index if name_seg else -1
        # a firm's name with a title word in it ('Estudio Contable Pereyra & Asociados') comes
        # after any line with more title words than company words ('Socio')
        title_seg = min(candidates, key=lambda s: (
            ct.company_word_hits(s.rest) >= max(1, ct.title_hits(s.rest)) + 1,
            abs(s.line_index - anchor) if anchor >= 0 else s.line_index))
        title_text = ct.clean_title(title_seg.rest)
        head, sep, tail = _split_title_line(title_text)
        # 'Gerente de Ventas — División Industrial': a unit named as one after the title
        if sep and ct.department_hits(tail) and not ct.title_hits(tail):
            title_text, contact.department = head.strip(), ct.clean_department(tail)
            contact.confidence["department"] = round(title_seg.confidence * 0.75, 3)
        # a title printed on two lines ('Superintendente de Seguridad', 'y Medio Ambiente')
        whole = title_text == ct.clean_title(title_seg.rest)
        below = _title_continued(title_seg, remaining, ctx.domain_cores) if whole else None
        if below is not None:
            title_text = " ".join(filter(None, (ct.clean_title(title_seg.rest), title_seg.runs_on,
                                                below.opens_on, ct.clean_title(below.rest))))
            title_text = title_text.replace(" , ", ", ")
            below.used = True
        contact.title = title_text
        how = 0.9 if ct.title_hits(title_text) > 1 else 0.8
        contact.confidence["title"] = round(title_seg.confidence * how, 3)
        title_seg.used = True
    remaining = [s for s in remaining if not s.used]
    if not contact.department and (title_seg or name_seg):  # a department goes with a person
        # a line listing what the company does ('web solutions | software development') is a
        # tagline: a department is printed alone, or beside a title
        # ('Tax · Audit · Advisory': three or more pieces on a line list services; a speck beside
        # the unit, an icon read 'y', is no other piece)
        pieces = [o for o in ctx.segments if len(re.sub(r"\W", "", o.rest)) >= 2]
        units = [s for s in remaining if ct.is_department(s.rest)
                 and ct.matches_domain(s.rest, ctx.domain_cores) < 0.85
                 and not any(o is not s and o.line_index == s.line_index
                             and not ct.is_department(o.rest) and not ct.title_hits(o.rest)
                             for o in pieces)
                 and sum(o.line_index == s.line_index for o in pieces) <= 2]
        if units:
            # the department is printed next to the title (or the name): the nearest such line
            anchor = title_seg or name_seg
            seg = min(units, key=lambda s: abs(s.line_index - anchor.line_index) if anchor else s.line_index)
            contact.department = ct.clean_department(seg.rest)
            beside = anchor is not None and abs(seg.line_index - anchor.line_index) <= 1
            sure = 0.8 if ct.department_hits(seg.rest) or beside else 0.65
            contact.confidence["department"] = round(seg.confidence * sure, 3)
            seg.used = True

    # --- company
    remaining = [s for s in remaining if not s.used]
    best_org: tuple[float, float, Segment, bool] | None = None
    # a shop's free-mail address often spells its name ('dimariorestaurante@gmail.com'): weaker
    # evidence than a domain, and none when the address is the person's own
    shop_locals = [re.sub(r"[^a-z]", "", fold(local)) for local in ctx.free_locals
                   if not (name_seg and _email_match(name_seg.rest, [local]) >= 0.5)]
    shop_locals = [local for local in shop_locals if len(local) >= 4 and local not in _GENERIC_LOCAL]
    for seg in remaining:
        seg.rest = _without_logo_letter(seg.rest, ctx.domain_cores)
        if ct.is_junk(seg.rest) or _WEBSITE_REMNANT.match(seg.rest):
            continue
        text = ct.clean_org(seg.rest)
        n_words = len(text.split())
        score, sure = 0.0, 0.5
        legal = ct.legal_form(text)
        if legal:
            score, sure = score + 3.0, 0.95
        domain = ct.matches_domain(text, ctx.domain_cores)
        if domain:
            score += 3.0 * domain
            sure = max(sure, 0.6 + 0.35 * domain)
        shop = ct.matches_domain(text, shop_locals) if not domain else 0.0
        if shop:
            score += 2.0 * shop
            sure = max(sure, 0.5 + 0.3 * shop)
        if not legal and not domain and ct.only_generic_words(text):
            continue  # 'RESTAURANTE' says what the business is, not its name
        if not legal and not domain and seg.confidence < ORG_FLOOR_CONFIDENCE:
            continue  # 'Egeo Ulacodlizo o arto' at 0.2: a script logo read as guesses
        if not legal and not domain and not shop and ctx.domain_labels and ct.only_descriptive_words(text):
            continue  # 'IT Solutions' under a logo: the tagline; the domain names the company
        if ct.company_word_hits(text):
            score += 1.2
            sure = max(sure, 0.75)
        elif ctx.domain_cores and not legal and not domain:
            score -= 0.8  # the card has a company domain, and this line is not its name
        if n_words <= 5 and all(w[:1].isupper() or w[:1].isdigit() or fold(w) in names.PARTICLES or w == "&"
                                for w in text.split()):
            score += 0.5
        if _heads_address(seg, ctx) and not re.search(r"\d", text):
            score += 0.8  # 'CHIPOTLE MEXICAN GRILL' / '2675 El Camino Real': the company heads its address
        if _repeated_by_another(text, seg, remaining):
            score += 0.8  # a logo repeats part of the company's name ('MEXICAN GRILL')
        score += 1.0 * relative_size(seg) / 1.5 + (0.6 if seg.height >= max(s.height for s in segs) else 0.0)
        score += 0.4 if seg.line_index == lines[0] else 0.0
        if n_words > 6:
            score -= 2.0
        if re.search(r"\d{3,}", text):
            score -= 1.0
        if "," in text and not legal and not domain and not shop:
            score -= 1.0  # 'Albañilería, Fontanería y Electricidad': a list of what the shop does
        letters = re.sub(r"[^" + LETTERS + r"]", "", text)
        if len(letters) < 2 or (len(letters) == 2 and not letters.isupper()):
            continue  # 'Ei' left by a logo beside a link ('HP', 'BP' are companies)
        if best_org is None or score > best_org[0]:
            best_org = (score, sure, seg, bool(legal or domain or shop or ct.company_word_hits(text)))
    own_domain = bool(ctx.domain_labels) and len(ctx.domain_cores[0]) >= 3 and not (
        name_seg and _email_match(name_seg.rest, [ctx.domain_labels[0]]) >= 0.5)
    if best_org and not best_org[3] and own_domain:
        best_org = None  # a line with no sign of a company ('Manutenção de Impressoras') loses to the domain
    if best_org and best_org[0] >= 1.0:
        _, sure, seg, _ = best_org
        seg = _whole_company_line(seg, remaining)
        contact.org = ct.clean_org(seg.rest)
        joined = _company_on_two_lines(seg, remaining, ctx.domain_cores)
        if joined:
            contact.org, other = joined
            other.used = True
        head, _, rest = contact.org.partition(" ")
        if rest and (_initials(rest) == re.sub(r"[&.]", "", head)
                     or (len(head) >= 3 and fold(head) in fold(rest).replace(",", " ").split())):
            # 'BGIB' / 'Bahrain Gateway Investment Bank B.S.C.', 'ALTAMAR' / 'Grupo Logístico
            # Altamar, S.A.': a logo read as part of the name it abbreviates or repeats
            contact.org = rest
        spelled = _spelled_out(contact.org, [s for s in remaining if s is not seg and not s.used])
        if spelled:  # 'NDEC' over 'Nile Delta Engineering Consultants': the logo, then the name
            contact.org = ct.clean_org(" ".join(s.rest for s in spelled))
            for other in spelled:
                other.used = True
        contact.confidence["org"] = round(seg.confidence * sure, 3)
        seg.used = True
    elif own_domain:
        # no company line printed: the company's domain names it (a person's own domain does not),
        # or the lines its letters abbreviate ('sru.edu.au' under 'Swan River' / 'University')
        spelled = _spelled_out(ctx.domain_labels[0].upper(), [s for s in remaining if not s.used])
        contact.org = (ct.clean_org(" ".join(s.rest for s in spelled)) if spelled
                       else _org_from_domain(ctx.domain_labels[0]))
        contact.confidence["org"] = 0.6 if spelled else 0.45
        for other in spelled:
            other.used = True

