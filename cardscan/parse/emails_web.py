"""Emails, websites and social handles, with OCR repairs kept only when the result validates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from cardscan.parse.lexicon import FREE_MAIL, tlds
from cardscan.text import social_kind

_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*"
_DOMAIN = r"[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)+"
EMAIL_RE = re.compile(rf"(?<![\w.@]){_LOCAL}@{_DOMAIN}")
# '@' read as '(at)', '[at]', ' at ' (only between word characters with a domain after it).
_AT_WORD = re.compile(r"\s*[\(\[\{]\s*at\s*[\)\]\}]\s*|\s+at\s+(?=[\w\-]+\.[a-z]{2,})", re.I)
_AT_AS_A = re.compile(r"(?<=[\w.\-])\s?\(a\)\s?(?=[\w\-]+\.[A-Za-z]{2,})")
_DOT_WORD = re.compile(r"\s*[\(\[\{]\s*dot\s*[\)\]\}]\s*", re.I)
_AT_GLYPH = re.compile(r"[©®@]|\(a\)|\(@\)")
# '@' read as '(' plus the round part ('(O', '(0', '(Q', '(D'), or as '(' alone.
_PAREN_AT = (re.compile(r"(?<=[\w.\-])\([OQ0D](?=[\w\-]+\.[A-Za-z]{2,})"),
             re.compile(r"(?<=[\w.\-])\((?=[\w\-]+\.[A-Za-z]{2,})"))
_FREE_MAIL_HOSTS = "|".join(sorted(FREE_MAIL, key=len, reverse=True))
_FREE_MAIL_TLD = r"\.(?:com|net|es|mx|br|co|ar|fr|de|it|uk)(?:\.[a-z]{2})?"
_JUNK_BEFORE_FREE_MAIL = re.compile(
    rf"(?<![\w.])(?!(?:e-?mail|mail|correo)\b)(?P<local>[A-Za-z0-9][\w.\-]*?[A-Za-z0-9])"
    rf"(?:[^\w\s.\-]\w??| )"
    rf"(?P<host>(?:{_FREE_MAIL_HOSTS}){_FREE_MAIL_TLD})\b",
    re.I,
)
#: Free-mail hosts no other name ends with: an '@' read as a letter right before one is safe to
#: put back ('ricknog39dgmail.com'); 'mail.com' or 'web.de' end too many ordinary domains.
_DISTINCT_FREE_MAIL = ("gmail", "googlemail", "hotmail", "outlook", "yahoo", "icloud",
                       "protonmail", "yandex")
_AT_LETTER_BEFORE_FREE_MAIL = re.compile(
    rf"(?<![\w.])(?!www\.)(?P<local>[A-Za-z0-9][\w.\-]*?[A-Za-z0-9])[dQq]"
    rf"(?P<host>(?:{'|'.join(_DISTINCT_FREE_MAIL)}){_FREE_MAIL_TLD})\b",
    re.I,
)
# A space OCR inserts after a dot inside the local part: 'felix. villanueva@x.mx' (not after a
# label such as 'Email.').
_SPACE_IN_LOCAL = re.compile(
    r"(?<![\w.])(?!(?:e-?mail|mail|correo)\.)([a-z0-9_\-]{2,})\.\s+(?=[a-z0-9_.\-]+@)")
# Spaces OCR inserts around '@' and the dots of a domain.
_SPACE_AT = re.compile(r"(?<=[\w.\-])\s*@\s*(?=[\w\-])")
_SPACE_DOT = re.compile(r"(@[\w\-]+(?:\.[\w\-]+)*)(?:\s+\.\s*|\.\s+)([A-Za-z]{2,})")
# 'nusrat@karnaphuli lines.com': a space inside the domain's name, before any dot (kept only
# when the joined domain ends in a known TLD).
_SPACE_IN_DOMAIN = re.compile(r"@([\w\-]+)\s(?!www\.)([\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,})(?![\w@])")
# (after a space too when the host has no dot yet: 'frauke@zenit, de'; not 'ana@acme.es, de 9 a 14h')
_COMMA_IN_DOMAIN = re.compile(
    r"(@[\w\-]+(?:\.[\w\-]+)*),([a-z]{2,3}(?:\.[a-z]{2})?)\b|(@[\w\-]+),\s([a-z]{2,3})\b")
_EMAIL_LABEL = re.compile(r"^(?:e-?mail|correo(?:\s+electr[oó]nico)?|mail|email)\s*[:.]?\s*", re.I)

_URL_RE = re.compile(  # underscores OCR glued before 'www.', or starting a word, are a rule's or
    # an edge's noise, no part of it ('__linkedin.com/in/frauke-seidel')
    r"(?:(?<![\w@.\-])|(?<=_)(?=www\d?\.)|(?<=__)|(?<=\s_)|(?<=^_))((?:https?://)?(?:www\d?\.)?[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)+"
    r"(?:/[^\s,;)]*)?)",
    re.I,
)
_HANDLE_LABEL = re.compile(
    r"\b(linkedin|linked\s?in|twitter|x|instagram|insta|ig|facebook|fb|github|gh|tiktok|youtube|yt)(?:\s*:\s*|\s+)"
    r"(in/[A-Za-z0-9_\-]{2,60}|@?[A-Za-z0-9_][A-Za-z0-9_.\-]{1,40})(?![\w@/])",
    re.I,
)
# 'www. acme. com': the spaces OCR put after the dots of a website (the 'www.' vouches for it);
# 'www.serendib hotels.com': a space inside its name, where no host has ended yet;
# 'www.hpo.com. tw': a space before its last label.
_SPACED_WWW = (
    re.compile(r"(?<![\w@.\-])(www\.\s(?:[A-Za-z0-9\-]+\.\s?)+[A-Za-z]{2,})(?![\w.])", re.I),
    re.compile(r"(?<![\w@.\-])(www\.[A-Za-z0-9\-]+\s(?!www\.)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
               r"(?![\w.@])", re.I),
    re.compile(r"(?<![\w@.\-])(www\.(?:[A-Za-z0-9\-]+\.)+\s[A-Za-z]{2,3})(?![\w.@])", re.I),
)
# 'in/ana-ruiz' beside LinkedIn's logo, with no label.
# (a handle of five characters or more, or with a digit or a hyphen: 'in/out' is no profile)
# ('in /ana-ruiz': the logo read 'in', then a space)
_BARE_LINKEDIN = re.compile(
    r"(?<![\w/.@])in\s?/((?=[A-Za-z0-9_]*[\d\-])[A-Za-z0-9_\-]{3,60}|[A-Za-z0-9_]{5,60})(?![\w/])")
# '@padaria.bomdia' alone on its line, maybe behind its icon read as a letter: a shop's Instagram
# (the network cards print a bare handle for; a dot is no Twitter handle). A domain is no handle.
# Facebook's 'f' or LinkedIn's 'in' before it names its network.
_BARE_HANDLE = re.compile(r"^(?:(\S{1,2})\s+)?@([A-Za-z0-9_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_])\s*$")
_ICON_KIND = {"f": "facebook", "fb": "facebook", "in": "linkedin", "X": "twitter", "𝕏": "twitter"}
# '@bouchondesquais Instagram': the handle, then its network's name.
_HANDLE_THEN_LABEL = re.compile(
    r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.]{1,40}?)\.?\s+(instagram|insta|twitter|facebook|github|tiktok|youtube)\b",
    re.I)
_HANDLE_BASE = {
    "linkedin": "https://www.linkedin.com/in/",
    "twitter": "https://x.com/",
    "instagram": "https://www.instagram.com/",
    "facebook": "https://www.facebook.com/",
    "github": "https://github.com/",
    "tiktok": "https://www.tiktok.com/@",
    "youtube": "https://www.youtube.com/@",
}
_HANDLE_KIND = {
    "linkedin": "linkedin", "linked in": "linkedin", "linkedln": "linkedin", "twitter": "twitter",
    "x": "twitter", "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "facebook": "facebook", "fb": "facebook", "github": "github", "gh": "github",
    "tiktok": "tiktok", "youtube": "youtube", "yt": "youtube",
}
#: A messenger's ID ('Skype: ana.ruiz', 'Telegram: @ana', 'WeChat ID: anaruiz'): no field of a
#: contact, no company or name either.
MESSENGER_ID = re.compile(
    r"\b(?:skype|telegram|wechat|weixin|threads|snapchat|line\s+id)\s*(?:id)?\s*:?\s*"
    r"@?[A-Za-z_][A-Za-z0-9_.\-]{1,40}", re.I)
_FILE_EXT = frozenset({"jpg", "png", "pdf", "doc", "docx", "gif", "txt"})


@lru_cache(maxsize=4096)
def valid_email(candidate: str) -> str | None:
    """The normalised address when it validates (syntax and a known TLD), else None."""
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    tld = result.domain.rsplit(".", 1)[-1].lower()
    if tld not in tlds():
        return None
    return f"{result.local_part}@{result.domain.lower()}"


def _domain_ok(host: str) -> bool:
    parts = host.lower().split(".")
    return len(parts) >= 2 and parts[-1] in tlds() and all(parts) and parts[-1] not in _FILE_EXT


def _repair_tld(domain: str) -> str:
    """Digits in a top-level domain are OCR errors: c0m -> com, 1o -> io."""
    head, _, tld = domain.rpartition(".")
    fixed = tld.replace("0", "o").replace("1", "l")
    return f"{head}.{fixed}" if head else domain


@dataclass
class Found:
    value: str
    start: int
    end: int
    repaired: bool = False


def normalise_email_text(text: str) -> str:
    """Undo spellings and spacing that hide an address: '(at)', ' @ ', '. com', 'ana. gil@'."""
    text = _AT_WORD.sub("@", text)
    text = _SPACE_IN_LOCAL.sub(r"\1.", text)
    text = _DOT_WORD.sub(".", text)
    text = re.sub(r"[©®]", "@", text)
    text = _AT_AS_A.sub("@", text)  # 'mtrevino(a)acerosdelnorte.mx'
    text = _SPACE_AT.sub("@", text)
    text = re.sub(r"(?<=\w)@@(?=\w)", "@", text)  # 'ana@@empresa.es'
    labelled = _EMAIL_LABEL.match(text)
    if labelled:  # 'Email: mercedes, pacheco@nortedise.mx': after the label, a comma is the dot
        text = text[: labelled.end()] + re.sub(r"^([A-Za-z0-9_\-]+),\s?(?=[\w.\-]+@)", r"\1.",
                                                text[labelled.end():])
    # 'amy,jimenez@rich.com': a comma glued inside a lower-case local part is its dot
    text = re.sub(r"(?<![\w.,@])([a-z0-9_\-]+),(?=[a-z0-9_.\-]+@)", r"\1.", text)
    text = _COMMA_IN_DOMAIN.sub(lambda m: f"{m[1] or m[3]}.{m[2] or m[4]}", text)  # 'info@acme,es'
    for _ in range(3):
        if "@" not in text:
            break
        fixed = _SPACE_DOT.sub(r"\1.\2", text)
        if fixed == text:
            break
        text = fixed
    return text


def find_emails(text: str, known_domains: frozenset[str] = frozenset(),
                card_words: frozenset[str] = frozenset(),
                mail_hosts: frozenset[str] = frozenset()) -> list[Found]:
    """Emails in one segment of text. Repairs are kept only when the repaired address validates.

    ``known_domains`` are hosts printed elsewhere on the card, ``card_words`` the card's other
    words (folded): a guessed '@' must land on one of those domains or spell the card's name.
    ``mail_hosts`` are the domains of the card's e-mail addresses: one printed alone is the
    website, no address with a lost '@'."""
    out: list[Found] = []
    fixed = _spaces_in_known_address(normalise_email_text(_at_before_known_domain(text, known_domains)),
                                     known_domains)
    fixed = _SPACE_IN_DOMAIN.sub(lambda m: f"@{m[1]}{m[2]}" if _domain_ok(m[1] + m[2]) else m[0], fixed)
    repaired_any = fixed != text
    for m in EMAIL_RE.finditer(fixed):
        raw = m.group(0).rstrip(".-")
        local, _, domain = raw.partition("@")
        email = valid_email(raw)
        repaired = repaired_any
        if email is None:
            email = valid_email(f"{local}@{_repair_tld(domain)}")
            repaired = True
        if email is None:
            continue
        email = _match_known_domain(email, known_domains)
        start = m.start()
        joined = _local_part_split(fixed[: m.start()], email, card_words)
        if joined:
            email, start, repaired = joined[0], joined[1], True
        out.append(Found(email, start, m.end(), repaired))
    if out or "@" in fixed:
        return out
    # '@' read as junk in front of a free-mail host: 'ricknog39(4gmail.com', or lost to a
    # space: 'dimariorestaurante gmail.com'. The host is unmistakable, so the junk (which holds
    # at least one character no address has) or the space is the '@'; so is a 'd' or 'Q' glued
    # to a host no other name ends with ('ricknog39dgmail.com').
    for pattern in (_JUNK_BEFORE_FREE_MAIL, _AT_LETTER_BEFORE_FREE_MAIL):
        for m in pattern.finditer(fixed):
            email = valid_email(f"{m.group('local')}@{m.group('host')}")
            if email:
                out.append(Found(email, m.start(), m.end(), True))
        if out:
            return out
    # '@' read as a bracket and a round letter: 'rita.serna(Osegura.es'. The bracket never
    # belongs to an address, so replacing it (with or without the letter) is safe to try.
    for glyph in _PAREN_AT:
        match = glyph.search(fixed)
        if match is None:
            continue
        candidate = fixed[: match.start()] + "@" + fixed[match.end():]
        shift = match.end() - match.start() - 1
        found = [Found(f.value, f.start, f.end + shift if f.start <= match.start() else f.end, True)
                 for f in find_emails(candidate, known_domains, card_words, mail_hosts)]
        if found:
            return found
    # '@' read as a letter: 'ana.ruizOempresa.es'. Try each O/Q/0/a/G... position, keep one that
    # validates and ideally lands on a domain printed elsewhere on the card.
    for m in re.finditer(rf"(?<![\w.]){_LOCAL}\.[A-Za-z]{{2,}}(?![\w])", fixed):
        token = m.group(0)
        if token.lower() in mail_hosts or fixed.startswith("/", m.end()) \
                or token.lower().startswith("www."):  # a website, whatever its name
            # 'herreraener.cl' under 'monica@herreraener.cl': the website, printed bare;
            # 'card.talentbridge.com.au/hannah': a link, its path after it
            continue
        # a bare domain alone on its line is the website ('rojasarquitectos.cl' is no
        # 'rojas@rquitectos.cl') unless the guessed '@' lands on a domain the card prints
        alone = fixed.strip(" |«»·") == token and _BARE_DOMAIN.fullmatch(token) is not None
        best = _guess_at(token, known_domains, card_words, alone)
        if best:
            start = m.start()
            # 'ana ruizGempresa.es': a space OCR read for the local part's dot
            before = re.search(r"(?<![\w.])([a-z]{2,})\s$", fixed[: m.start()])
            if before and before.group(1) in card_words and _name_score(best.split("@")[0], card_words):
                best, start = f"{before.group(1)}.{best}", before.start(1)
            out.append(Found(best, start, m.end(), True))
    return out


# the end of a lower-case piece before an address, a space between: 'tomas escobar@x.com'
_PIECE_BEFORE = re.compile(r"(?<![\w.@])([a-z0-9][a-z0-9._\-]*?)([._]?)\s$")  # (a dash may be prose)
_LABEL_WORDS = frozenset({"email", "e-mail", "mail", "correo", "web", "info", "contact", "e"})


def _local_part_split(before: str, email: str, card_words: frozenset[str]) -> tuple[str, int] | None:
    """The address with the piece of its local part OCR split off before it, and where it
    starts: 'abigail_ montes@x.mx' (the piece ends in a separator), 'tomas escobar@x.com' or
    'jasm ine.harvey@x.com' (joined, with a dot or not, the local part spells more of the
    card's name than without it)."""
    piece = _PIECE_BEFORE.search(before)
    if piece is None or piece.group(1) in _LABEL_WORDS:
        return None
    local, _, domain = email.partition("@")
    if piece.group(2):  # 'abigail_ montes': the separator is printed
        candidates = [piece.group(1) + piece.group(2) + local]
    else:
        best = _name_score(local, card_words)
        candidates = [c for c in (piece.group(1) + local, f"{piece.group(1)}.{local}")
                      if _name_score(c, card_words) > best]
        candidates.sort(key=lambda c: _name_score(c, card_words), reverse=True)
    for candidate in candidates:
        joined = valid_email(f"{candidate}@{domain}")
        if joined:
            return joined, piece.start()
    return None


_SPACED_ADDRESS = re.compile(r"(?<![\w.])([a-z0-9_.\-]+(?: [a-z0-9_.\-]+)?)@([\w\-]+(?:[ .][\w\-]+){1,4})")


def _spaces_in_known_address(text: str, known_domains: frozenset[str]) -> str:
    """'mberthe lot@lapo rte.fr' beside 'www.laporte.fr': spaces OCR put inside an address whose
    domain, without them, is the one the card prints."""
    if not known_domains or "@" not in text:
        return text
    for m in _SPACED_ADDRESS.finditer(text):
        domain = m.group(2).replace(" ", "")
        if " " in m.group(2) and domain.lower() in known_domains:
            return text[: m.start()] + m.group(1).replace(" ", "") + "@" + domain + text[m.end():]
    return text


def _at_before_known_domain(text: str, known_domains: frozenset[str]) -> str:
    """'christopher. kelly Qduke.com' beside 'www.duke.com': an '@' read as a space and a round
    letter, right before a domain the card prints (a space alone is no '@': 'Visit duke.com', but
    for one right after an e-mail label)."""
    if not known_domains or "@" in text:
        return text
    hosts = "|".join(re.escape(d) for d in sorted(known_domains, key=len, reverse=True))
    labelled = _EMAIL_LABEL.match(text)
    if labelled:  # 'Email: daniel giron.com' beside 'www.giron.com'
        head, tail = text[: labelled.end()], text[labelled.end():]
        text = head + re.sub(rf"^({_LOCAL})\s(?=(?:{hosts})\b)", r"\1@", tail, flags=re.I)
    # ('lparedes G textilesmisti.pe': a G standing alone between spaces)
    text = re.sub(rf"(?<=[A-Za-z0-9_\-])(?:\s+[QO0q]\s?|\s+G\s+)(?=(?:{hosts})\b)", "@", text, flags=re.I)
    # 'bthompsonO butlerlogi.uk': the round letter first, then the space
    return re.sub(rf"(?<=[a-z0-9_\-])[QO0]\s(?=(?:{hosts})\b)", "@", text, flags=re.I)


#: A domain as printed for a website: a name and its top-level domain, or a second-level one
#: ('deltaabog.com.co', 'mercadolivre.com.br', 'lapointe.co.uk').
_BARE_DOMAIN = re.compile(
    r"[A-Za-z0-9\-]+(?:\.(?:com|net|org|gov|edu|co|ac|or|ne|go|gob|nom))?\.[A-Za-z]{2,}", re.I)
#: Letters OCR reads for '@' (the round part kept, the tail lost or misread).
_AT_MISREADS = "OQ0DaGeq"


def _name_score(local: str, card_words: frozenset[str]) -> int:
    """Letters of the local part that spell words printed on the card ('luis.perea' beside
    'Luis Perea Sánchez'), 0 when a piece of 2+ letters is not among them or under 4 letters do."""
    pieces = [p for p in re.split(r"[._\-]", local.lower()) if len(p) >= 2]
    if not pieces or any(p not in card_words for p in pieces):
        return 0
    letters = sum(len(p) for p in pieces)
    return letters if letters >= 4 else 0


def _guess_at(token: str, known_domains: frozenset[str], card_words: frozenset[str],
              known_only: bool = False) -> str | None:
    candidates = []
    for i, ch in enumerate(token):
        if ch in _AT_MISREADS and 0 < i < len(token) - 4:
            email = valid_email(token[:i] + "@" + token[i + 1 :])
            if email:
                local, domain = email.split("@", 1)
                candidates.append((domain in known_domains, _name_score(local, card_words), ch == "O", -i,
                                   email))
    if not candidates:
        return None
    candidates.sort(reverse=True)
    in_known, named, is_o, _, email = candidates[0]
    # Without a domain or a name seen on the card, only an upper-case O inside lower-case text is
    # convincing.
    if in_known or (not known_only and (named or (is_o and token.replace("O", "").islower()))):
        return email
    return None


#: What OCR reads for a character of a host name ('l' as '1', 'I', 'i' or '|'; 'o' as '0').
_HOST_MISREADS = {"l": "1Ii|", "o": "0"}


#: Two letters OCR reads as one: (printed, read).
_PAIR_MISREADS = (("ri", "n"), ("rn", "m"), ("cl", "d"), ("li", "h"), ("vv", "w"), ("ni", "m"), ("in", "m"))


def _positions(text: str, part: str) -> list[int]:
    return [at for at in range(len(text)) if text.startswith(part, at)]


def known_host(host: str, known: Iterable[str], one_as_two: bool = False) -> str:
    """``host``, or the host the card prints elsewhere that it is a misreading of:
    'robiedo.com' beside 'caridad@robledo.com' is 'robledo.com' (never the other way round)."""
    if host in known:
        return host
    for other in sorted(known):
        if len(other) == len(host) and all(h == o or h in _HOST_MISREADS.get(o, "")
                                           for h, o in zip(host, other, strict=True)):
            return other
        # two letters read as one ('ulibarn.com.mx' for 'ulibarri.com.mx', 'mdez' for 'rndez')
        if len(other) > len(host) and any(
                other[:at] + misread + other[at + len(pair):] == host
                for pair, misread in _PAIR_MISREADS for at in _positions(other, pair)):
            return other
        # one letter read as two ('nuvernverde.com.br' beside 'www.nuvemverde.com.br'): for an
        # e-mail's domain beside the website, printed bigger (a website is not mended this way:
        # 'ulibarri.com.mx' stays, beside an address misread 'ulibarn.com.mx')
        if one_as_two and _one_read_as_two(other, host):
            return other
        # the tail of the '@' read as a letter before the domain ('evelyn@drodrigues.com.br'
        # beside 'www.rodrigues.com.br')
        if one_as_two and host[1:] == other and host[0] in _AT_TAILS:
            return other
    return host


#: Letters OCR reads for the tail of an '@', glued to the domain after it.
_AT_TAILS = "dqa"


def _one_read_as_two(printed: str, read: str) -> bool:
    """Whether ``read`` is ``printed`` with one letter read as two ('rn' for 'm')."""
    return len(printed) < len(read) and any(
        printed[:at] + pair + printed[at + len(single):] == read
        for pair, single in _PAIR_MISREADS for at in _positions(printed, single))


def _match_known_domain(email: str, known: frozenset[str]) -> str:
    """Repair l/1, O/0 and letters read as others in an email's domain when the card prints the
    right domain elsewhere, or it is a well-known free-mail host."""
    local, _, domain = email.partition("@")
    return f"{local}@{_free_mail_host(domain) or known_host(domain, known, one_as_two=True)}"


def _free_mail_host(domain: str) -> str | None:
    """The well-known free-mail host a domain is a misreading of ('hotrnail.com', 'gmai1.com')."""
    rest = domain.partition(".")[2]
    for name in _DISTINCT_FREE_MAIL:
        host = f"{name}.{rest}"
        if known_host(domain, [host], one_as_two=True) == host:
            return host
    return None


def absolute_url(raw: str) -> str:
    raw = raw.rstrip(".,;:")
    if not re.match(r"https?://", raw, re.I):
        raw = "https://" + raw
    scheme, _, rest = raw.partition("://")
    host, slash, path = rest.partition("/")
    url = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    return url.rstrip("/") if not path else url


# 'https:/Awww.' or 'http:|/www.': the two slashes after the scheme, misread.
_MISREAD_SLASHES = re.compile(r"(?i)(https?:)[/\\|lIA1]{2}(?=www\.)")


def is_email_line(text: str) -> bool:
    """Whether the line opens with an e-mail label ('Email:', 'E-mail', 'Correo electrónico')."""
    return _EMAIL_LABEL.match(text.strip()) is not None


_MARKED_LINK = re.compile(r"(?i)(?:https?://|(?<![\w.])www\d?\.)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def is_marked_link(text: str) -> bool:
    """Whether ``text`` holds a link marked as one (http, www), not a bare host."""
    return _MARKED_LINK.search(text) is not None


def holds_address_or_link(text: str) -> bool:
    """Whether ``text`` holds an e-mail address or a marked link: shapes that texture or a
    picture's edges never read as."""
    return EMAIL_RE.search(text) is not None or is_marked_link(text)


def find_urls(text: str, mail_hosts: frozenset[str] = frozenset()) -> list[Found]:
    """Websites (with or without scheme or www) and profile links in a segment; ``mail_hosts``
    (the card's email domains) vouch for a bare host printed in mixed case ('InvestAlberta.ca')."""
    out: list[Found] = []
    text = _MISREAD_SLASHES.sub(r"\1//", text)  # same length: spans stay valid
    text = _WWW_SPACE.sub("www.", text)
    spaced = [m for pattern in _SPACED_WWW for m in pattern.finditer(text)
              if _domain_ok(re.sub(r"\s", "", m.group(1)))]
    for m in _URL_RE.finditer(text):
        if any(w.start() <= m.start(1) < w.end() for w in spaced):
            continue
        raw = _www_misread(m.group(1).rstrip(".,;:"))
        # 'https:/www.x.com': a slash lost, the scheme left before the host
        lost = _SCHEME_LEFT.search(text, 0, m.start(1)) if raw.lower().startswith("www") else None
        start = lost.start() if lost else m.start(1)
        host = re.sub(r"^https?://", "", raw, flags=re.I).split("/", 1)[0]
        bare = host.lower().removeprefix("www.")
        if bare.startswith("www") and bare[3:] in mail_hosts:  # 'wwwenriquezases.mx': a dot lost
            raw = "www." + raw[raw.lower().index(bare) + 3:]
            bare = bare[3:]
            host = "www." + bare
        if mail_hosts and bare not in mail_hosts:
            right = known_host(bare, mail_hosts)
            if right != bare:  # the website, misread, of the card's e-mail domain
                at = raw.lower().index(bare)
                raw = raw[:at] + right + raw[at + len(bare):]
                host = host[: len(host) - len(bare)] + right
        host = _repair_tld(host) if host.rsplit(".", 1)[-1].isdigit() is False else host
        if not _domain_ok(host):
            continue
        has_marker = raw.lower().startswith(("http", "www")) or "/" in raw
        labels = host.split(".")
        # 'S.A.' or 'Av.Paulista' are not websites: a bare host needs letters in each label and a
        # name part of 2+ characters; a lone single-letter label is an abbreviation.
        if not has_marker and (any(len(p) < 2 for p in labels[:-1]) or (not labels[0].isalpha()
                               and not any(c.isalpha() for c in labels[0]))):
            continue
        if not has_marker and any(c.isupper() for c in host[1:]) and not host.isupper() \
                and host.lower() not in mail_hosts:
            continue
        end = m.start(1) + len(m.group(1).rstrip(".,;:"))
        handle = _HANDLE_AFTER_SPACE.match(text, end) if raw.endswith("/") else None
        if handle and social_kind(host) != "website":  # 'linkedin.com/in/ danielagarzat'
            raw, end = raw + handle.group(1), handle.end()
        out.append(Found(absolute_url(raw), start, end))
    for m in spaced:
        out.append(Found(absolute_url(re.sub(r"\s", "", m.group(1))), m.start(), m.end(), repaired=True))
    return out


_SCHEME_LEFT = re.compile(r"(?i)https?:/?$")
# a profile link's handle after a space: 'linkedin.com/in/ danielagarzat'
_HANDLE_AFTER_SPACE = re.compile(r"\s([A-Za-z0-9_][A-Za-z0-9_.\-]{1,60})(?![\w@/])")
# 'www loscastanos.cl': the dot after www read as a space
_WWW_SPACE = re.compile(r"(?i)(?<![\w.@])www (?=[a-z0-9\-]+\.[a-z]{2,})")


# 'wuw.', 'avww.', 'vww.' before a host: OCR's reading of 'www.' (two or more w/v among w, v, u, a)
_WWW_MISREAD = re.compile(r"^((?:https?://)?)(?!www\.)(?=(?:[^.]*[wv]){2})[wvua]{2,4}\.(?=[a-z0-9\-]+\.[a-z]{2,})",
                          re.I)


def _www_misread(raw: str) -> str:
    return _WWW_MISREAD.sub(r"\1www.", raw)


def _handle_shaped(handle: str) -> bool:
    """Five characters or more, capitals only where words start ('EspacoVillimpenta'): no
    '@ylJl' that OCR made of Arabic script."""
    return len(handle) >= 5 and not re.search(r"[a-z][A-Z](?![a-z]{2})", handle)


def find_handles(text: str) -> list[tuple[Found, str]]:
    """Labelled social handles ('LinkedIn: in/ana-ruiz', 'IG @ana', '@ana Instagram') as (url, kind)."""
    out = []
    for m in _HANDLE_LABEL.finditer(text):
        label = re.sub(r"\s+", " ", m.group(1).lower())
        kind = _HANDLE_KIND.get(label, "linkedin" if label.startswith("linked") else "")
        handle = m.group(2)
        if not kind or (not handle.startswith("@") and _domain_ok(handle.strip("."))):
            continue  # 'Facebook facebook.com/x' or 'github.com/x' are links, read as URLs
        if kind == "twitter" and label == "x" and not handle.startswith("@"):
            continue
        name = handle.lstrip("@").removeprefix("in/").strip(".-")
        if len(name) < 2:
            continue
        out.append((Found(_HANDLE_BASE[kind] + name, m.start(), m.end()), kind))
    for m in _HANDLE_THEN_LABEL.finditer(text):
        if not any(found.start <= m.start() < found.end for found, _ in out):
            kind = _HANDLE_KIND[m.group(2).lower()]
            out.append((Found(_HANDLE_BASE[kind] + m.group(1), m.start(), m.end()), kind))
    for m in _BARE_LINKEDIN.finditer(text):
        if not any(found.start <= m.start() < found.end for found, _ in out):
            url = _HANDLE_BASE["linkedin"] + m.group(1).strip(".-")
            out.append((Found(url, m.start(), m.end()), "linkedin"))
    bare = _BARE_HANDLE.match(text) if not out else None
    if bare and _handle_shaped(bare.group(2)) \
            and not (_domain_ok(bare.group(2)) and len(bare.group(2).rsplit(".", 1)[-1]) <= 3):
        kind = _ICON_KIND.get(bare.group(1) or "", "instagram")
        out.append((Found(_HANDLE_BASE[kind] + bare.group(2), bare.start(2) - 1, bare.end()), kind))
    return out
