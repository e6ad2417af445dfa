"""Seeded generator of synthetic business cards with ground truth.

Each card is drawn with Pillow (Debian's DejaVu and Liberation fonts) as a FLAT scan
(the card itself, 1050x600 = 3.5x2 in at 300 DPI) and as a PHOTO (the card on a desk
or wood texture in a phone-size frame, with perspective, rotation, uneven light, blur
and JPEG noise; sometimes two cards in one photo). Beside every image goes a JSON file
with the ground truth in the field names of docs/architecture.md.

    python samples/generate.py --count 200 --seed 7 --out bench/cache/set --kind both
    python samples/generate.py --preset samples --out samples/

The same seed always gives the same bytes (for a given Faker/phonenumbers version).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from PIL import Image, ImageDraw, ImageFont

CARD_W, CARD_H = 1050, 600  # 3.5 x 2 inches at 300 DPI
PHOTO_LONG, PHOTO_SHORT = 1600, 1200
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
FONT_FAMILIES = {  # regular, bold
    "dejavu-sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "dejavu-serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "dejavu-condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "liberation-sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "liberation-serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "liberation-narrow": ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
}


# ---------------------------------------------------------------- countries


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    lang: str  # language of titles and labels on the card: es | en
    tlds: tuple[str, ...]
    legal_forms: tuple[str, ...]
    names: tuple[str, ...]  # how the country is printed on a card
    fixed_prefixes: tuple[str, ...]  # leading national digits of typical landlines
    double_surname: bool = False


COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country("ES", "es_ES", "es", (".es", ".com"), ("S.L.", "S.A.", "S.L.U.", "S.Coop."),
            ("España", "Spain"), ("91", "93", "95", "96", "94"), double_surname=True),
    Country("MX", "es_MX", "es", (".com.mx", ".mx"), ("S.A. de C.V.", "S. de R.L. de C.V.", "S.C."),
            ("México", "Mexico"), ("55", "33", "81"), double_surname=True),
    Country("US", "en_US", "en", (".com",), ("Inc.", "LLC", "Corp.", "LLP"),
            ("USA", "United States"), ()),
    Country("GB", "en_GB", "en", (".co.uk", ".uk"), ("Ltd", "PLC", "LLP", "Limited"),
            ("United Kingdom", "UK"), ("20", "121", "161", "131", "113")),
    Country("AR", "es_AR", "es", (".com.ar",), ("S.A.", "S.R.L.", "S.A.S."),
            ("Argentina",), ("11",), double_surname=False),
    Country("CO", "es_CO", "es", (".com.co", ".co"), ("S.A.S.", "Ltda.", "S.A."),
            ("Colombia",), ("601", "604"), double_surname=True),
    Country("FR", "fr_FR", "en", (".fr",), ("SAS", "SARL", "SA"),
            ("France",), ("1", "4", "5")),
    Country("DE", "de_DE", "en", (".de",), ("GmbH", "AG", "KG"),
            ("Germany", "Deutschland"), ("30", "89", "40", "69")),
    Country("BR", "pt_BR", "en", (".com.br",), ("Ltda.", "S.A.", "EIRELI"),
            ("Brasil", "Brazil"), ("11", "21")),
)}
#: Share of cards per country: the bench must be dominated by the users' main markets.
COUNTRY_WEIGHTS = {"ES": 24, "MX": 18, "US": 18, "GB": 16, "AR": 5, "CO": 5, "FR": 5, "DE": 5,
                   "BR": 4}

SECTORS = {
    "es": ["Consultores", "Logística", "Ingeniería", "Soluciones", "Abogados", "Arquitectura",
           "Energía", "Tecnologías", "Construcciones", "Asesores", "Diseño", "Alimentación"],
    "en": ["Consulting", "Logistics", "Engineering", "Solutions", "Partners", "Architects",
           "Energy", "Technologies", "Capital", "Analytics", "Design", "Foods"],
}
TITLES = {  # (masculine, feminine) in Spanish; one form in English
    "es": [("Director General", "Directora General"), ("Director Comercial", "Directora Comercial"),
           ("Jefe de Proyecto", "Jefa de Proyecto"), ("Ingeniero de Software", "Ingeniera de Software"),
           ("Gerente de Ventas", "Gerente de Ventas"), ("Consultor Senior", "Consultora Senior"),
           ("Responsable de Compras", "Responsable de Compras"), ("Abogado Asociado", "Abogada Asociada"),
           ("Arquitecto", "Arquitecta"), ("Director Financiero", "Directora Financiera"),
           ("Socio Fundador", "Socia Fundadora"), ("Analista de Datos", "Analista de Datos"),
           ("Coordinador de Marketing", "Coordinadora de Marketing")],
    "en": [("Chief Executive Officer",) * 2, ("Sales Director",) * 2, ("Project Manager",) * 2,
           ("Senior Software Engineer",) * 2, ("Account Manager",) * 2, ("Managing Partner",) * 2,
           ("Head of Procurement",) * 2, ("Marketing Coordinator",) * 2, ("Data Analyst",) * 2,
           ("Chief Financial Officer",) * 2, ("Business Development Manager",) * 2,
           ("Senior Consultant",) * 2, ("Operations Director",) * 2],
}
DEPARTMENTS = {
    "es": ["Departamento Comercial", "Recursos Humanos", "Departamento de Ventas", "Marketing",
           "Dirección Financiera", "Departamento Técnico", "Compras", "Innovación"],
    "en": ["Sales Department", "Human Resources", "Marketing", "Finance", "Engineering",
           "Procurement", "Customer Success", "Research & Development"],
}
PREFIXES = {"es": [("Dr.", "Dra."), ("Ing.", "Ing."), ("Lic.", "Lic."), ("Arq.", "Arq.")],
            "en": [("Dr.", "Dr."), ("Mr.", "Ms.")]}
DEGREES = ["PhD", "MBA", "MSc"]
#: label -> vCard type, per kind of line. A bare "Tel." says only "telephone" (voice), like the
#: real-card truth; "Office"/"Direct" say it is a work line.
PHONE_LABELS = {
    "es": {"cell": {"Móvil": "cell", "M.": "cell", "Cel.": "cell", "Móv.": "cell"},
           "work": {"Tel.": "voice", "T.": "voice", "Tlf.": "voice", "Teléfono": "voice",
                    "Oficina": "work", "Directo": "work"},
           "fax": {"Fax": "fax", "F.": "fax"}},
    "en": {"cell": {"Mobile": "cell", "Mob.": "cell", "M": "cell", "Cell": "cell"},
           "work": {"Tel": "voice", "T": "voice", "Phone": "voice", "Office": "work",
                    "Direct": "work", "Work": "work"},
           "fax": {"Fax": "fax", "F": "fax"}},
}

PALETTE_LIGHT = [(255, 255, 255), (250, 248, 240), (244, 244, 238), (255, 253, 246), (238, 242, 246)]
PALETTE_DARK = [(25, 35, 60), (30, 30, 32), (12, 12, 14), (40, 20, 45), (16, 60, 52)]
ACCENTS = [(200, 40, 40), (20, 90, 170), (0, 130, 110), (230, 120, 0), (120, 40, 140),
           (160, 130, 40), (10, 110, 200)]


# ---------------------------------------------------------------- card content


def ascii_slug(text: str, sep: str = "") -> str:
    """Lower-case ASCII letters and digits only ('Peña Núñez' -> 'penanunez')."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", sep, plain).strip(sep)


def make_phone(rng: random.Random, country: Country, kind: str) -> phonenumbers.PhoneNumber:
    """A VALID number of the country, mobile for 'cell', a landline otherwise."""
    wanted = PhoneNumberType.MOBILE if kind == "cell" else PhoneNumberType.FIXED_LINE
    accepted = {wanted, PhoneNumberType.FIXED_LINE_OR_MOBILE}
    example = phonenumbers.example_number_for_type(country.code, wanted)
    national = str(example.national_number)
    for attempt in range(200):
        if kind != "cell" and country.fixed_prefixes and attempt < 100:
            head = rng.choice(country.fixed_prefixes)
        else:
            head = national[: 1 + (attempt % 3 == 0)]
            if country.code == "US":  # keep a real-looking area code, avoid 555
                head = rng.choice(["212", "415", "312", "617", "206", "305", "512", "303"])
        tail = "".join(str(rng.randrange(10)) for _ in range(len(national) - len(head)))
        if country.code == "US":
            tail = str(rng.randrange(2, 10)) + tail[1:]
        candidate = phonenumbers.parse(f"+{example.country_code}{head}{tail}")
        if (phonenumbers.is_valid_number(candidate)
                and phonenumbers.number_type(candidate) in accepted):
            return candidate
    return example


def print_phone(rng: random.Random, number: phonenumbers.PhoneNumber, international: bool) -> str:
    """The number as a card would print it: national or international, sometimes with dots."""
    fmt = PhoneNumberFormat.INTERNATIONAL if international else PhoneNumberFormat.NATIONAL
    text = phonenumbers.format_number(number, fmt)
    region = phonenumbers.region_code_for_number(number)
    if rng.random() < 0.2 and region in ("ES", "FR", "MX", "DE"):
        text = text.replace(" ", ".") if not international else text.replace(" ", ".").replace(
            f"+{number.country_code}.", f"+{number.country_code} ")
    if international and region == "GB" and rng.random() < 0.3:
        text = text.replace("+44 ", "+44 (0) ")
    return text


def person_name(rng: random.Random, fake: Faker, country: Country, female: bool) -> tuple[str, str]:
    """(given, family): Spanish-speaking countries often get two surnames."""
    given = fake.first_name_female() if female else fake.first_name_male()
    family = fake.last_name()
    if country.double_surname and rng.random() < 0.75:
        second = fake.last_name()
        if second != family:
            family = f"{family} {second}"
        if rng.random() < 0.1:
            family = f"{family.split()[0]} de la {rng.choice(['Fuente', 'Torre', 'Vega', 'Peña'])}"
    return given, family


def company_name(rng: random.Random, fake: Faker, country: Country) -> tuple[str, str]:
    """(printed company name, domain stem)."""
    style = rng.random()
    if style < 0.4:
        base = fake.last_name()
    elif style < 0.7:
        base = f"{fake.last_name()} {rng.choice(SECTORS[country.lang])}"
    else:
        base = rng.choice(["Nova", "Alta", "Vértice", "Orbis", "Kappa", "Lumen", "Atlas", "Norte",
                           "Brisa", "Cobalt", "Zenit", "Delta", "Quanta", "Solaria", "Iberia"])
        base = f"{base} {rng.choice(SECTORS[country.lang])}"
    org = f"{base} {rng.choice(country.legal_forms)}" if rng.random() < 0.8 else base
    words = base.split()
    stem = ascii_slug(words[0]) + (ascii_slug(words[1])[:4] if len(words) > 1 and rng.random() < 0.5
                                   else "")
    return org, stem


def address_for(rng: random.Random, fake: Faker, country: Country) -> tuple[dict[str, str], list[str]]:
    """(truth adr, printed lines) in the country's usual layout."""
    street = re.sub(r"\s+", " ", fake.street_address().replace("\n", ", ")).strip()
    city = fake.city()
    postal, region = fake.postcode(), ""
    code = country.code
    if code == "AR":
        postal = f"C{rng.randrange(1000, 1500)}{''.join(rng.choice('ABCDEFGHJK') for _ in range(3))}"
    elif code == "BR":
        postal = f"{rng.randrange(1000, 99999):05d}-{rng.randrange(1000):03d}"
    elif code == "MX":
        postal = f"{rng.randrange(1000, 99999):05d}"
    elif code == "CO":
        postal = f"{rng.randrange(10, 99)}{rng.randrange(10000):04d}"
    if code in ("US",):
        region = fake.state_abbr(include_territories=False)
        lines = [street, f"{city}, {region} {postal}"]
    elif code == "MX":
        region = fake.state()
        lines = [street, f"{postal} {city}, {region}"]
    elif code == "BR":
        region = rng.choice(["SP", "RJ", "MG", "PR"])
        lines = [street, f"{postal} {city} - {region}"]
    elif code == "GB":
        lines = [street, city, postal]
    else:
        lines = [street, f"{postal} {city}"]
    country_name = ""
    if rng.random() < 0.35:
        country_name = rng.choice(country.names)
        lines.append(country_name)
    if rng.random() < 0.3 and code not in ("GB",):  # many cards print the address on one line
        lines = [", ".join(lines)]
    adr = {"street": street, "city": city, "postal": postal, "region": region,
           "country": country_name}
    return adr, lines


@dataclass
class CardSpec:
    """Everything printed on one card, with its ground truth."""

    country: str
    lang: str
    truth: dict[str, Any]
    blocks: dict[str, list[tuple[str, str]]]  # block -> [(style, text)]
    dark: bool
    style: dict[str, Any] = field(default_factory=dict)


def make_card(rng: random.Random, fake: Faker, country: Country,
              force: dict[str, Any]) -> CardSpec:
    """Draw the content of one card (not the pixels)."""
    lang = country.lang
    female = rng.random() < 0.5
    given, family = person_name(rng, fake, country, female)
    prefix = suffix = ""
    if rng.random() < 0.15:
        prefix = rng.choice(PREFIXES[lang])[female]
    elif rng.random() < 0.08:
        suffix = rng.choice(DEGREES)
    fn = f"{given} {family}"
    printed_name = (f"{prefix} {fn}" if prefix else fn) + (f", {suffix}" if suffix else "")
    if rng.random() < 0.15:
        printed_name = printed_name.upper()
    title = rng.choice(TITLES[lang])[female]
    department = rng.choice(DEPARTMENTS[lang]) if rng.random() < 0.3 else ""
    org, stem = company_name(rng, fake, country)
    tld = rng.choice(country.tlds)
    domain = f"{stem}{tld}"

    international = force.get("international", rng.random() < 0.45)
    kinds = ["cell"] if rng.random() < 0.85 else []
    if rng.random() < 0.7:
        kinds.append("work")
    if rng.random() < 0.2:
        kinds.append("fax")
    if not kinds:
        kinds = ["work"]
    labelled = rng.random() < 0.85
    label_style = rng.choice(["label:", "label", "label.:"])
    tels, phone_lines = [], []
    for kind in kinds:
        number = make_phone(rng, country, kind)
        printed = print_phone(rng, number, international)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        if labelled:
            label, ptype = rng.choice(sorted(PHONE_LABELS[lang][kind].items()))
            if label_style == "label.:" and label.endswith("."):
                line = f"{label} {printed}"  # "Tel. 912 345 678"
            else:
                sep = ": " if label_style != "label" else " "
                line = f"{label.rstrip('.')}{sep}{printed}"
        else:
            line = printed
            mobile = phonenumbers.number_type(number) == PhoneNumberType.MOBILE
            ptype = "fax" if kind == "fax" else ("cell" if mobile else "voice")
            if kind == "fax":
                line = f"Fax {printed}"
        tels.append({"e164": e164, "type": ptype, "printed": printed})
        phone_lines.append(line)

    local_style = rng.random()
    g, f_ = ascii_slug(given.split()[0]), ascii_slug(family.split()[0])
    local = (f"{g}.{f_}" if local_style < 0.45 else f"{g[0]}{f_}" if local_style < 0.7
             else g if local_style < 0.85 else f"{g}_{f_}")
    emails = [f"{local}@{domain}"]
    if rng.random() < 0.1:
        emails.append(f"{rng.choice(['info', 'contacto' if lang == 'es' else 'hello'])}@{domain}")
    url_style = rng.random()
    urls: list[str] = []
    url_lines: list[str] = []
    if url_style < 0.8:
        printed_url = (f"www.{domain}" if url_style < 0.55 else domain if url_style < 0.7
                       else f"https://www.{domain}")
        urls.append(printed_url)
        url_lines.append(printed_url)
    if rng.random() < 0.15:
        handle = f"{g}-{ascii_slug(family, '-')}"
        urls.append(f"linkedin.com/in/{handle}")
        url_lines.append(f"linkedin.com/in/{handle}")
    email_lines = [("Email: " if rng.random() < 0.2 else "") + e for e in emails]

    has_address = force.get("address", rng.random() < 0.7)
    adr, adr_lines = address_for(rng, fake, country) if has_address else (
        {k: "" for k in ("street", "city", "postal", "region", "country")}, [])

    blocks: dict[str, list[tuple[str, str]]] = {
        "name": [("name", printed_name), ("title", title)]
        + ([("title", department)] if department else []),
        "org": [("org", org)],
        "contact": [("body", line) for line in phone_lines + email_lines + url_lines],
        "address": [("small", line) for line in adr_lines],
    }
    truth = {
        "fn": fn, "given": given, "family": family, "prefix": prefix, "suffix": suffix,
        "title": title, "department": department, "org": org, "tels": tels, "emails": emails,
        "urls": urls, "adr": adr, "country": country.code, "lang": lang,
    }
    dark = force.get("dark", rng.random() < 0.15)
    return CardSpec(country.code, lang, truth, blocks, dark)


# ---------------------------------------------------------------- rendering


def font(family: str, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = FONT_FAMILIES[family][1 if bold else 0]
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    raise FileNotFoundError(f"font {name} not found: install fonts-dejavu-core fonts-liberation")


def render_card(rng: random.Random, spec: CardSpec) -> tuple[Image.Image, str]:
    """The card's pixels (RGB, CARD_W x CARD_H) and its printed text in reading order."""
    bg = rng.choice(PALETTE_DARK if spec.dark else PALETTE_LIGHT)
    ink = (245, 245, 240) if spec.dark else rng.choice([(20, 20, 20), (45, 45, 55), (30, 40, 60)])
    accent = rng.choice(ACCENTS)
    if spec.dark:
        accent = tuple(min(255, c + 90) for c in accent)
    family = rng.choice(list(FONT_FAMILIES))
    name_big = rng.random() < 0.65
    sizes = {"name": rng.randint(50, 62) if name_big else rng.randint(40, 46),
             "org": rng.randint(36, 42) if name_big else rng.randint(52, 64),
             "title": rng.randint(28, 33), "body": rng.randint(27, 31), "small": rng.randint(25, 28)}
    colours = {"name": ink, "org": accent, "title": accent if rng.random() < 0.4 else ink,
               "body": ink, "small": ink}
    layout = spec.style.get("layout") or rng.choice(["left", "centre", "right", "columns", "logo"])
    spec.style.update(layout=layout, family=family, name_big=name_big)
    image = Image.new("RGB", (CARD_W, CARD_H), bg)
    draw = ImageDraw.Draw(image)
    margin = 60
    text_left, text_right = margin, CARD_W - margin
    if layout == "logo":
        size = rng.randint(110, 150)
        shape = rng.choice(["circle", "square", "bars"])
        x0, y0 = margin, margin
        if shape == "circle":
            draw.ellipse((x0, y0, x0 + size, y0 + size), fill=accent)
            draw.ellipse((x0 + size // 4, y0 + size // 4, x0 + 3 * size // 4, y0 + 3 * size // 4),
                         fill=bg)
        elif shape == "square":
            draw.rectangle((x0, y0, x0 + size, y0 + size), fill=accent)
            draw.polygon([(x0, y0 + size), (x0 + size, y0), (x0 + size, y0 + size)], fill=ink)
        else:
            for i in range(4):
                draw.rectangle((x0 + i * size // 4, y0 + size - (i + 1) * size // 4,
                                x0 + i * size // 4 + size // 6, y0 + size), fill=accent)
        text_left = margin + size + 40
    if rng.random() < 0.4:  # an accent band along one edge
        band = rng.randint(12, 24)
        if rng.random() < 0.5:
            draw.rectangle((0, CARD_H - band, CARD_W, CARD_H), fill=accent)
        else:
            draw.rectangle((0, 0, band, CARD_H), fill=accent)
            text_left = max(text_left, band + margin)

    top_group = (spec.blocks["org"] + spec.blocks["name"]) if not name_big or rng.random() < 0.5 \
        else (spec.blocks["name"] + spec.blocks["org"])
    bottom_group = spec.blocks["contact"] + spec.blocks["address"]

    def line_metrics(items: list[tuple[str, str]], scale: float) -> list[tuple[Any, int, int]]:
        out = []
        for style, text in items:
            fnt = font(family, style in ("name", "org"), max(18, int(sizes[style] * scale)))
            left, _top, right, _bottom = draw.textbbox((0, 0), text, font=fnt)
            out.append((fnt, right - left, int(fnt.size * 1.3)))
        return out

    if layout == "columns":
        column_gap = 40
        split = text_left + int((text_right - text_left) * rng.uniform(0.42, 0.5))
        groups = [(top_group, text_left, split - column_gap // 2),
                  (bottom_group, split + column_gap // 2, text_right)]
        draw.line((split, margin, split, CARD_H - margin), fill=accent, width=3)
        align_for = ["left", "left"]
        vertical = ["centre", "centre"]
    else:
        groups = [(top_group, text_left, text_right), (bottom_group, text_left, text_right)]
        align = "left" if layout == "logo" else layout
        align_for = [align, align]
        vertical = ["top", "bottom"]

    # Scale each group down until it fits its box (width) and together they fit the height.
    scales = []
    for items, x0, x1 in groups:
        scale = 1.0
        while scale > 0.5:
            metrics = line_metrics(items, scale)
            if max((w for _, w, _ in metrics), default=0) <= x1 - x0:
                break
            scale -= 0.04
        scales.append(scale)
    avail = CARD_H - 2 * margin
    while True:
        heights = [sum(h for _, _, h in line_metrics(items, s)) for (items, _, _), s in
                   zip(groups, scales, strict=True)]
        needed = max(heights) if layout == "columns" else sum(heights) + 30
        if needed <= avail or min(scales) < 0.5:
            break
        scales = [s - 0.04 for s in scales]

    text_parts: list[str] = []
    for (items, x0, x1), scale, align, where in zip(groups, scales, align_for, vertical,
                                                     strict=True):
        metrics = line_metrics(items, scale)
        total = sum(h for _, _, h in metrics)
        y = {"top": margin, "bottom": CARD_H - margin - total,
             "centre": (CARD_H - total) // 2}[where]
        for (style, text), (fnt, width, height) in zip(items, metrics, strict=True):
            x = {"left": x0, "centre": (x0 + x1 - width) // 2, "right": x1 - width}[align]
            draw.text((x, y), text, font=fnt, fill=colours[style])
            y += height
            text_parts.append(text)
    return image, "\n".join(text_parts)


# ---------------------------------------------------------------- photos


def background(rng: np.random.Generator, height: int, width: int, kind: str) -> np.ndarray:
    """A textured surface (BGR uint8): wood, desk, fabric or a light table."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = cv2.resize(rng.normal(0, 1, (height // 16 + 1, width // 16 + 1)).astype(np.float32),
                       (width, height), interpolation=cv2.INTER_CUBIC)
    if kind == "wood":
        base = np.array(rng.choice([[40, 80, 130], [30, 60, 100], [60, 110, 160]]), np.float32)
        angle = rng.uniform(0, math.pi)
        u = x * math.cos(angle) + y * math.sin(angle)
        grain = np.sin(u / rng.uniform(6, 14) + noise * 3.0) * 0.5 + 0.5
        tone = 0.75 + 0.35 * grain[..., None]
        img = base * tone
    elif kind == "fabric":
        base = np.array(rng.uniform(40, 200, 3), np.float32)
        weave = (np.sin(x / 2.0) * np.sin(y / 2.0)) * 10
        img = base + weave[..., None] + noise[..., None] * 12
    elif kind == "light":  # white-ish table: the card blends in
        base = np.array([225, 228, 230], np.float32) + rng.uniform(-10, 10, 3).astype(np.float32)
        img = base + noise[..., None] * 6
    else:  # desk: flat colour with a little grain
        base = np.array(rng.uniform(30, 170, 3), np.float32)
        img = base + noise[..., None] * 10
    img = img + rng.normal(0, 4, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def place_card(rng: np.random.Generator, frame: np.ndarray, card: np.ndarray, centre: tuple[float, float],
               card_width: float, angle_deg: float) -> None:
    """Warp the card into the frame (in place): rotation plus a random perspective, with a shadow."""
    h, w = card.shape[:2]
    scale = card_width / w
    half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]]) * scale
    jitter = rng.uniform(-0.07, 0.07, (4, 2)) * np.array([card_width, card_width * h / w])
    theta = math.radians(angle_deg)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    dst = (half + jitter) @ rot.T + np.array(centre)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    fh, fw = frame.shape[:2]
    warped = cv2.warpPerspective(card, matrix, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (fw, fh))
    shadow = cv2.GaussianBlur(np.roll(mask, (12, 10), axis=(0, 1)), (0, 0), 9).astype(np.float32)
    frame[:] = (frame.astype(np.float32) * (1 - 0.45 * shadow[..., None] / 255)).astype(np.uint8)
    soft = cv2.GaussianBlur(mask, (3, 3), 0).astype(np.float32)[..., None] / 255
    frame[:] = (warped * soft + frame * (1 - soft)).astype(np.uint8)


def photograph(rng: np.random.Generator, cards: list[np.ndarray], force: dict[str, Any]
               ) -> tuple[np.ndarray, dict[str, Any]]:
    """A phone-like photo of one or two cards (BGR) and a description of what was done."""
    portrait = rng.random() < 0.3
    height, width = (PHOTO_LONG, PHOTO_SHORT) if portrait else (PHOTO_SHORT, PHOTO_LONG)
    texture = force.get("background") or str(rng.choice(["wood", "desk", "fabric", "light", "desk"]))
    frame = background(rng, height, width, texture)
    rotation = force.get("rotation")
    if rotation is None:
        rotation = int(rng.choice([0, 0, 0, 0, 0, 0, 90, 180, 270]))
    notes: dict[str, Any] = {"background": texture, "rotation": rotation, "portrait": portrait}
    if len(cards) == 1:
        fill = float(force.get("fill", rng.uniform(0.45, 0.9)))
        # fill: the card's long side as a share of the frame's long side, within the frame.
        along, across = (width, height) if rotation in (0, 180) else (height, width)
        card_width = min(fill * PHOTO_LONG, 0.92 * along, 0.92 * across * CARD_W / CARD_H)
        skew = float(force.get("skew", rng.uniform(-12, 12)))
        centre = (width / 2 + rng.uniform(-0.05, 0.05) * width,
                  height / 2 + rng.uniform(-0.05, 0.05) * height)
        place_card(rng, frame, cards[0], centre, card_width, rotation + skew)
        notes.update(fill=round(card_width / PHOTO_LONG, 2), skew=round(skew, 1))
    else:
        along_long = not portrait
        for i, card in enumerate(cards):
            if along_long:  # side by side would be too small: stack them
                centre = (width / 2 + rng.uniform(-30, 30), height * (0.27 + 0.46 * i))
                card_width = min(width * 0.62, height * 0.42 * CARD_W / CARD_H)
            else:
                centre = (width / 2 + rng.uniform(-30, 30), height * (0.27 + 0.46 * i))
                card_width = width * 0.85
            place_card(rng, frame, card, centre, card_width, rotation + rng.uniform(-6, 6))
        notes["cards"] = len(cards)

    img = frame.astype(np.float32)
    if force.get("uneven_light", rng.random() < 0.6):  # a light gradient and a soft shadow
        y, x = np.mgrid[0:height, 0:width].astype(np.float32)
        angle = rng.uniform(0, 2 * math.pi)
        grad = (x * math.cos(angle) + y * math.sin(angle)) / max(width, height)
        light = 1.0 - rng.uniform(0.15, 0.4) * (grad - grad.min()) / (np.ptp(grad) + 1e-6)
        if rng.random() < 0.5:
            cx, cy = rng.uniform(0, width), rng.uniform(0, height)
            radius = rng.uniform(0.2, 0.5) * max(width, height)
            dist = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
            light *= 1.0 - 0.3 * np.clip(1 - dist / radius, 0, 1)
        img *= light[..., None]
        notes["uneven_light"] = True
    blur = float(force.get("blur", rng.choice([0, 0, 0.6, 0.9, 1.2])))
    if blur:
        img = cv2.GaussianBlur(img, (0, 0), blur)
        notes["blur"] = blur
    img += rng.normal(0, rng.uniform(2, 5), img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8), notes


# ---------------------------------------------------------------- orchestration

SAMPLE_PLAN: list[dict[str, Any]] = [  # the committed set: one feature each, see samples/README.md
    {"country": "ES", "kind": "flat", "international": False},
    {"country": "US", "kind": "flat", "international": False},
    {"country": "MX", "kind": "flat", "international": True, "dark": True},
    {"country": "ES", "kind": "photo", "international": False, "rotation": 0, "skew": 8,
     "fill": 0.7, "background": "wood"},
    {"country": "GB", "kind": "photo", "international": False, "rotation": 0, "skew": -10,
     "uneven_light": True, "background": "desk"},
    {"country": "MX", "kind": "photo", "international": False, "rotation": 180, "skew": 3},
    {"country": "US", "kind": "photo", "international": False, "rotation": 90, "skew": -4},
    {"country": "ES", "kind": "photo", "international": True, "blur": 1.2, "fill": 0.55},
    {"country": "CO", "kind": "photo", "international": False, "dark": True, "rotation": 0,
     "background": "fabric"},
    {"country": "GB", "kind": "photo", "international": True, "fill": 0.45, "background": "light"},
    {"country": "AR", "kind": "photo", "international": True, "two_cards": True, "rotation": 0},
    {"country": "DE", "kind": "photo", "international": True, "rotation": 270, "skew": 6},
]


def generate_card(seed: int, index: int, force: dict[str, Any]) -> tuple[CardSpec, Image.Image, str]:
    rng = random.Random(f"{seed}/{index}")
    code = force.get("country") or rng.choices(list(COUNTRY_WEIGHTS),
                                               weights=list(COUNTRY_WEIGHTS.values()))[0]
    country = COUNTRIES[code]
    fake = Faker(country.locale)
    fake.seed_instance(rng.randrange(2**32))
    spec = make_card(rng, fake, country, force)
    image, text = render_card(rng, spec)
    return spec, image, text


def truth_record(spec: CardSpec, text: str) -> dict[str, Any]:
    return {**spec.truth, "text": text, "layout": spec.style.get("layout"),
            "dark": spec.dark}


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def generate(out: Path, count: int, seed: int, kind: str,
             plan: list[dict[str, Any]] | None = None, first: int = 0) -> list[Path]:
    """Write `count` cards (flat and/or photo, each with a truth JSON); return the image paths.

    `first` numbers the cards from there (card `first + i`), so a big set can be made in
    parallel chunks that give the same files as one run.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    entries = plan if plan is not None else [{} for _ in range(count)]
    subfolders = kind == "both" and plan is None  # flat/ and photo/ side by side
    for index, force in enumerate(entries, start=first):
        spec, image, text = generate_card(seed, index, force)
        country = spec.country.lower()
        want = force.get("kind", kind)
        stem = f"card{index + 1:04d}-{country}" if plan is None else \
            f"{index + 1:02d}-{country}-{want}"
        if want in ("flat", "both"):
            path = (out / "flat" if subfolders else out) / f"{stem}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path, optimize=True)
            write_json(path.with_suffix(".json"),
                       {**truth_record(spec, text), "kind": "flat", "cards": 1, "file": path.name})
            written.append(path)
        if want in ("photo", "both"):
            photo_rng = np.random.default_rng([seed, index, 1])
            rng = random.Random(f"{seed}/{index}/photo")
            two = force.get("two_cards", rng.random() < 0.06)
            cards = [cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)]
            truths = [truth_record(spec, text)]
            if two:
                second, second_image, second_text = generate_card(seed, 10**6 + index,
                                                                  {"dark": False})
                cards.append(cv2.cvtColor(np.asarray(second_image), cv2.COLOR_RGB2BGR))
                truths.append(truth_record(second, second_text))
            pixels, notes = photograph(photo_rng, cards, force)
            path = (out / "photo" if subfolders else out) / f"{stem}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            quality = int(force.get("quality", rng.randint(72, 90)))
            ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise RuntimeError(f"could not encode {path}")
            path.write_bytes(data.tobytes())
            record: dict[str, Any] = {"kind": "photo", "cards": len(truths), "file": path.name,
                                      "photo": {**notes, "jpeg_quality": quality}}
            if len(truths) == 1:
                record = {**truths[0], **record}
            else:
                record.update(truths=truths, country=truths[0]["country"], lang=truths[0]["lang"])
            write_json(path.with_suffix(".json"), record)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=12, help="number of cards (default 12)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--kind", choices=("flat", "photo", "both"), default="both",
                        help="flat scans, phone photos, or both (in flat/ and photo/ subfolders)")
    parser.add_argument("--preset", choices=("samples",),
                        help="'samples': the committed set in samples/ (ignores --count/--kind)")
    args = parser.parse_args(argv)
    if args.preset == "samples":
        paths = generate(args.out, len(SAMPLE_PLAN), args.seed, "photo", plan=SAMPLE_PLAN)
    else:
        paths = generate(args.out, args.count, args.seed, args.kind)
    print(f"wrote {len(paths)} images with truth JSON to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
