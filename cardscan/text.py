"""Text rules shared across cardscan: one accent/case fold, one table of social hosts."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str, *, squeeze: bool = False, keep: str | None = None) -> str:
    """Lower case without accents, for comparisons ('Álvarez' -> 'alvarez', 'Diseño' -> 'diseno').

    ``squeeze`` collapses runs of white space to one space and trims the ends. ``keep`` (a set of
    characters, e.g. '@.+') turns every run of characters that are neither word characters nor
    listed into one space, and squeezes: 'Ana  Ruiz-Gil' -> 'ana ruiz gil'."""
    if text.isascii():
        plain = text.lower()  # the same as below, without a pass over each character
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    if keep is not None:
        plain = re.sub(rf"[^\w{re.escape(keep)}]+", " ", plain)
        squeeze = True
    return " ".join(plain.split()) if squeeze else plain


#: Social profile kinds by host; a subdomain ('es.linkedin.com') or a country copy
#: ('facebook.com.br') counts as the same site.
SOCIAL_HOSTS: dict[str, str] = {
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "github.com": "github",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "tiktok.com": "tiktok",
    "xing.com": "xing",
}


def social_kind(host: str) -> str:
    """'linkedin' for 'www.linkedin.com', 'facebook' for 'fb.com', else 'website'."""
    host = host.lower().strip(".").removeprefix("www.").removeprefix("m.")
    for domain, kind in SOCIAL_HOSTS.items():
        if host == domain or host.endswith("." + domain) or host.startswith(domain + "."):
            return kind
    return "website"
