"""Who works where: normalised company names and company e-mail domains.

Two contacts at one company are never introduced to each other: they already know
how to reach each other. Companies are compared by name without case, accents,
punctuation or legal form ("Acme, S.L." = "ACME SL"), and by the domain of their
work e-mail or website (free-mail domains such as gmail.com say nothing).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from cardscan.models import Contact
from cardscan.network.text import fold

#: Mailbox providers anyone can sign up to, and ISPs' mail domains: two people
#: with a gmail.com address do not share a company.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.es", "hotmail.co.uk", "hotmail.fr",
    "outlook.com", "outlook.es", "live.com", "live.com.mx", "msn.com", "yahoo.com", "yahoo.es",
    "yahoo.com.mx", "yahoo.co.uk", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "protonmail.com", "proton.me", "pm.me", "gmx.com", "gmx.de", "gmx.es", "gmx.net", "mail.com",
    "zoho.com", "yandex.com", "yandex.ru", "qq.com", "163.com", "126.com", "tutanota.com", "fastmail.com",
    "hey.com", "web.de", "orange.fr", "wanadoo.fr", "free.fr", "libero.it", "terra.com", "terra.es",
    "telefonica.net", "movistar.es", "prodigy.net.mx", "uol.com.br", "bol.com.br", "btinternet.com",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "mail.ru", "rediffmail.com",
})

#: Second-level labels under which companies register (example.com.mx, example.co.uk).
_PUBLIC_SECOND_LEVEL = frozenset({"com", "co", "org", "net", "gob", "gov", "edu", "ac", "ltd", "plc", "nom"})

_FALLBACK_LEGAL_FORMS = ("S.L.", "S.A.", "S.L.U.", "S.A.U.", "S.A. de C.V.", "Inc.", "LLC", "Ltd.", "GmbH")


@cache
def _legal_form_tokens() -> tuple[tuple[str, ...], ...]:
    """Legal forms as folded token sequences, longest first ('s.a. de c.v.' -> ('sa', 'de', 'cv'))."""
    try:
        text = resources.files("cardscan").joinpath("data/legal_forms.txt").read_text(encoding="utf-8")
        forms = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    except (FileNotFoundError, OSError):
        forms = list(_FALLBACK_LEGAL_FORMS)
    sequences = {tuple(_company_words(form)) for form in forms}
    return tuple(sorted((s for s in sequences if s), key=len, reverse=True))


def _company_words(name: str) -> list[str]:
    # Dots inside abbreviations go ("S.L." -> "sl"); "&" and other punctuation split words.
    return re.findall(r"\w+", fold(name).replace(".", ""))


def normalise_company(name: str) -> str:
    """'Fotografía Luz, S.L.' -> 'fotografia luz'; '' for no company."""
    words = _company_words(name)
    changed = True
    while changed and words:
        changed = False
        for form in _legal_form_tokens():
            if len(words) > len(form) and tuple(words[-len(form) :]) == form:
                words = words[: -len(form)]
                changed = True
                break
    return " ".join(words)


def registrable_domain(host: str) -> str:
    """'mail.acme.com.mx' -> 'acme.com.mx'; 'www.acme.es' -> 'acme.es'."""
    labels = [p for p in host.lower().strip(".").split(".") if p]
    if len(labels) <= 2:
        return ".".join(labels)
    keep = 3 if labels[-2] in _PUBLIC_SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def company_domains(contact: Contact) -> set[str]:
    """Domains of the contact's work e-mails and website (free-mail domains left out)."""
    domains: set[str] = set()
    for email in contact.emails:
        _, _, host = email.address.rpartition("@")
        domain = registrable_domain(host)
        if domain and host.lower() not in FREE_MAIL_DOMAINS and domain not in FREE_MAIL_DOMAINS:
            domains.add(domain)
    for site in contact.websites:
        if site.kind not in ("website", ""):
            continue  # a LinkedIn or Instagram URL names the platform, not the employer
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", site.url.lower()).split("/")[0].split(":")[0]
        domain = registrable_domain(host)
        if domain and domain not in FREE_MAIL_DOMAINS:
            domains.add(domain)
    return domains


def same_company(a: Contact, b: Contact) -> bool:
    """True when both contacts work at one company (by name or by company domain)."""
    name_a, name_b = normalise_company(a.org), normalise_company(b.org)
    if name_a and name_a == name_b:
        return True
    return bool(company_domains(a) & company_domains(b))
