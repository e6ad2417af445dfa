"""Seeded generator of synthetic business cards with ground truth.

Each card is drawn with Pillow (Debian's DejaVu and Liberation fonts) as a FLAT scan
(the card itself, 1050x600 = 3.5x2 in at 300 DPI) and as a PHOTO (the card on a desk
or wood texture in a phone-size frame, with perspective, rotation, uneven light, blur
and JPEG noise; sometimes two cards in one photo). Beside every image goes a JSON file
with the ground truth in the field names of docs/architecture.md.

    python samples/generate.py --count 200 --seed 7 --out bench/cache/set --kind both
    python samples/generate.py --preset samples --out samples/
    python samples/generate.py --count 25 --class qr_vcard --out /tmp/qr   # one real-card class

The real-card classes of issue 13 (`CLASSES`: logo boxes, QR codes with URL and vCard/MeCard
payloads, mid-tone panels with light text, top bands, pictures, low-resolution scans, contacts
from BR, DE, FR, IT, CH, AR, CO, CL in their own formats) are separate sets: the standard sets
draw none of them and stay byte-identical for a seed. Each class card's truth lists them under
"classes", with where each was drawn (box, colours, the QR payload).

The same seed always gives the same bytes (for a given Faker/phonenumbers version).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import phonenumbers
import segno
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from PIL import Image, ImageDraw, ImageFont

CARD_W, CARD_H = 1050, 600  # 3.5 x 2 inches at 300 DPI
PHOTO_LONG, PHOTO_SHORT = 1600, 1200
PHONE_LONG, PHONE_SHORT = 4032, 3024  # the "phone12" class: a 12 MP phone photo
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
    # Only in the "intl" class set (not in COUNTRY_WEIGHTS, so the standard sets are unchanged).
    Country("IT", "it_IT", "en", (".it", ".com"), ("S.r.l.", "S.p.A.", "S.n.c."),
            ("Italia", "Italy"), ("2", "6", "11")),
    Country("CH", "de_CH", "en", (".ch", ".com"), ("AG", "GmbH", "SA", "Sàrl"),
            ("Schweiz", "Switzerland", "Suisse"), ("44", "22", "31", "61")),
    Country("CL", "es_CL", "es", (".cl",), ("SpA", "Ltda.", "S.A."), ("Chile",), ("2",)),
)}
#: Share of cards per country: the bench must be dominated by the users' main markets.
COUNTRY_WEIGHTS = {"ES": 24, "MX": 18, "US": 18, "GB": 16, "AR": 5, "CO": 5, "FR": 5, "DE": 5,
                   "BR": 4}

SECTORS = {
    "es": ["Consultores", "Logística", "Ingeniería", "Soluciones", "Abogados", "Arquitectura",
           "Energía", "Tecnologías", "Construcciones", "Asesores", "Diseño", "Alimentación"],
    "en": ["Consulting", "Logistics", "Engineering", "Solutions", "Partners", "Architects",
           "Energy", "Technologies", "Capital", "Analytics", "Design", "Foods"],
    "pt": ["Consultoria", "Logística", "Engenharia", "Soluções", "Tecnologia", "Alimentos"],
    "de": ["Beratung", "Logistik", "Technik", "Systeme", "Bau", "Energietechnik"],
    "fr": ["Conseil", "Logistique", "Ingénierie", "Solutions", "Énergie", "Technologies"],
    "it": ["Consulenze", "Logistica", "Ingegneria", "Soluzioni", "Tecnologie", "Energia"],
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
    "pt": [("Diretor Comercial", "Diretora Comercial"), ("Gerente de Negócios",) * 2,
           ("Consultor de Marketing", "Consultora de Marketing"),
           ("Engenheiro de Software", "Engenheira de Software"),
           ("Analista Financeiro", "Analista Financeira"), ("Sócio-Diretor", "Sócia-Diretora")],
    "de": [("Geschäftsführer", "Geschäftsführerin"), ("Vertriebsleiter", "Vertriebsleiterin"),
           ("Projektleiter", "Projektleiterin"), ("Verkaufsberater", "Verkaufsberaterin"),
           ("Softwareentwickler", "Softwareentwicklerin"), ("Leiter Einkauf", "Leiterin Einkauf")],
    "fr": [("Directeur Général", "Directrice Générale"), ("Chef de Projet",) * 2,
           ("Responsable Commercial", "Responsable Commerciale"),
           ("Ingénieur Logiciel", "Ingénieure Logiciel"),
           ("Directeur Financier", "Directrice Financière"), ("Chargé d'Affaires", "Chargée d'Affaires")],
    "it": [("Amministratore Delegato",) * 2, ("Direttore Commerciale", "Direttrice Commerciale"),
           ("Responsabile Acquisti",) * 2, ("Ingegnere del Software",) * 2,
           ("Consulente Senior",) * 2, ("Architetto", "Architetta")],
}
DEPARTMENTS = {
    "es": ["Departamento Comercial", "Recursos Humanos", "Departamento de Ventas", "Marketing",
           "Dirección Financiera", "Departamento Técnico", "Compras", "Innovación"],
    "en": ["Sales Department", "Human Resources", "Marketing", "Finance", "Engineering",
           "Procurement", "Customer Success", "Research & Development"],
    "pt": ["Departamento Comercial", "Recursos Humanos", "Marketing", "Diretoria Financeira"],
    "de": ["Vertrieb", "Personalabteilung", "Einkauf", "Marketing", "Kundendienst"],
    "fr": ["Service Commercial", "Ressources Humaines", "Direction Financière", "Marketing"],
    "it": ["Ufficio Commerciale", "Risorse Umane", "Ufficio Acquisti", "Marketing"],
}
PREFIXES = {"es": [("Dr.", "Dra."), ("Ing.", "Ing."), ("Lic.", "Lic."), ("Arq.", "Arq.")],
            "en": [("Dr.", "Dr."), ("Mr.", "Ms.")],
            "pt": [("Dr.", "Dra."), ("Eng.", "Eng.")], "de": [("Dr.", "Dr."), ("Dipl.-Ing.",) * 2],
            "fr": [("Dr.", "Dr."), ("Me", "Me")], "it": [("Dott.", "Dott.ssa"), ("Ing.", "Ing.")]}
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
#: The "intl" class: each country's language and its own phone labels (issue 13).
NATIVE_LANG = {"BR": "pt", "DE": "de", "CH": "de", "FR": "fr", "IT": "it", "AR": "es", "CO": "es",
               "CL": "es"}
_SPANISH_CELL = {"Cel.": "cell", "Celular": "cell", "Móvil": "cell"}
NATIVE_LABELS = {
    "BR": {"cell": {"Cel.": "cell", "Celular": "cell"},
           "work": {"Fone": "voice", "Tel.": "voice", "Telefone": "voice"}, "fax": {"Fax": "fax"}},
    "DE": {"cell": {"Mobil": "cell", "Handy": "cell", "M": "cell"},
           "work": {"Tel.": "voice", "Telefon": "voice", "Fon": "voice", "T": "voice"},
           "fax": {"Fax": "fax", "F": "fax"}},
    "CH": {"cell": {"Natel": "cell", "Mobile": "cell", "Mobil": "cell"},
           "work": {"Tel.": "voice", "Telefon": "voice", "Direkt": "work"}, "fax": {"Fax": "fax"}},
    "FR": {"cell": {"Port.": "cell", "Mobile": "cell", "Portable": "cell"},
           "work": {"Tél.": "voice", "Tél": "voice", "Standard": "work", "Ligne directe": "work"},
           "fax": {"Fax": "fax"}},
    "IT": {"cell": {"Cell.": "cell", "Cellulare": "cell", "Mobile": "cell"},
           "work": {"Tel.": "voice", "Telefono": "voice", "Ufficio": "work"}, "fax": {"Fax": "fax"}},
    "AR": {"cell": _SPANISH_CELL, "work": {"Tel.": "voice", "Teléfono": "voice", "Oficina": "work"},
           "fax": {"Fax": "fax"}},
    "CO": {"cell": _SPANISH_CELL, "work": {"Tel.": "voice", "PBX": "work", "Teléfono": "voice"},
           "fax": {"Fax": "fax"}},
    "CL": {"cell": _SPANISH_CELL, "work": {"Fono": "voice", "Tel.": "voice", "Teléfono": "voice"},
           "fax": {"Fax": "fax"}},
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


def company_name(rng: random.Random, fake: Faker, country: Country, lang: str
                 ) -> tuple[str, str]:
    """(printed company name, domain stem)."""
    style = rng.random()
    if style < 0.4:
        base = fake.last_name()
    elif style < 0.7:
        base = f"{fake.last_name()} {rng.choice(SECTORS[lang])}"
    else:
        base = rng.choice(["Nova", "Alta", "Vértice", "Orbis", "Kappa", "Lumen", "Atlas", "Norte",
                           "Brisa", "Cobalt", "Zenit", "Delta", "Quanta", "Solaria", "Iberia"])
        base = f"{base} {rng.choice(SECTORS[lang])}"
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


#: The "intl" class: streets, (city, postal code or its stem, region) and how each country prints
#: an address. Postal stems: BR "01310" -> "01310-100"; AR "C1425" (sometimes with its 3 letters).
NATIVE_STREETS = {
    "BR": ["Rua Augusta", "Av. Paulista", "Rua da Consolação", "Av. Brigadeiro Faria Lima",
           "Rua Oscar Freire", "Rua Boa Vista"],
    "DE": ["Hauptstraße", "Königsallee", "Maximilianstraße", "Schloßstraße", "Bahnhofstraße",
           "Müllerstraße", "Friedrichstraße", "Georg-Benda-Straße"],
    "CH": ["Bahnhofstrasse", "Löwenstrasse", "Seefeldstrasse", "Rue du Rhône", "Marktgasse",
           "Zürichbergstrasse"],
    "FR": ["rue de Rivoli", "avenue des Champs-Élysées", "boulevard Haussmann",
           "rue du Faubourg Saint-Honoré", "rue de la République", "quai des Célestins"],
    "IT": ["Via Roma", "Corso Buenos Aires", "Via Montenapoleone", "Piazza del Duomo",
           "Via Garibaldi", "Viale Europa"],
    "AR": ["Av. Corrientes", "Av. Santa Fe", "Florida", "Av. del Libertador", "Reconquista",
           "Av. Córdoba"],
    "CO": ["Cra.", "Calle", "Av. Cra.", "Cl."],
    "CL": ["Av. Apoquindo", "Av. Providencia", "Isidora Goyenechea", "Av. Vitacura",
           "Av. Libertador Bernardo O'Higgins"],
}
NATIVE_CITIES = {
    "BR": [("São Paulo", "01310", "SP"), ("Rio de Janeiro", "20040", "RJ"),
           ("Belo Horizonte", "30130", "MG"), ("Curitiba", "80010", "PR"),
           ("Florianópolis", "88010", "SC")],
    "DE": [("München", "80331", ""), ("Köln", "50667", ""), ("Düsseldorf", "40213", ""),
           ("Nürnberg", "90402", ""), ("Berlin", "10117", ""), ("Fürth", "90762", "")],
    "CH": [("Zürich", "8001", ""), ("Genève", "1204", ""), ("Bern", "3011", ""),
           ("Basel", "4051", ""), ("Lausanne", "1003", ""), ("Luzern", "6003", "")],
    "FR": [("Paris", "75008", ""), ("Lyon", "69002", ""), ("Marseille", "13001", ""),
           ("Toulouse", "31000", ""), ("Nantes", "44000", ""), ("Bordeaux", "33000", "")],
    "IT": [("Milano", "20121", "MI"), ("Roma", "00186", "RM"), ("Torino", "10121", "TO"),
           ("Firenze", "50123", "FI"), ("Napoli", "80133", "NA"), ("Bologna", "40121", "BO")],
    "AR": [("CABA", "C1425", ""), ("Buenos Aires", "C1043", ""), ("Córdoba", "X5000", ""),
           ("Rosario", "S2000", ""), ("Mendoza", "M5500", "")],
    "CO": [("Bogotá", "", "D.C."), ("Medellín", "", "Antioquia"), ("Cali", "", "Valle del Cauca"),
           ("Barranquilla", "", "Atlántico")],
    "CL": [("Santiago", "", ""), ("Valparaíso", "", ""), ("Concepción", "", ""),
           ("Viña del Mar", "", "")],
}


def native_address(rng: random.Random, country: Country) -> tuple[dict[str, str], list[str]]:
    """(truth adr, printed lines) in the country's own format: CEP 01014-000, CH-8001 Zürich,
    75008 Paris, 20121 Milano (MI), C1425 CABA, Cra. 7 # 71-21, with its accents."""
    code = country.code
    street_name = rng.choice(NATIVE_STREETS[code])
    city, postal, region = rng.choice(NATIVE_CITIES[code])
    number = rng.randrange(1, 400)
    if code == "BR":
        street = f"{street_name}, {number * 7}" + rng.choice(["", f" - {rng.randrange(2, 20)}º andar",
                                                               f", Sala {rng.randrange(1, 60)}"])
        postal = f"{postal}-{rng.randrange(1000):03d}"
        city_line = rng.choice([f"CEP {postal} - {city} - {region}", f"{city} - {region}, CEP {postal}",
                                f"Cep {postal} | {city} | {region}"])
    elif code in ("DE", "CH"):
        street = f"{street_name} {number}"
        prefix = "CH-" if code == "CH" and rng.random() < 0.6 else ""
        city_line = f"{prefix}{postal} {city}"
    elif code == "FR":
        street = f"{number}{rng.choice(['', ' bis'])}, {street_name}" if rng.random() < 0.3 \
            else f"{number} {street_name}"
        city_line = f"{postal} {city.upper() if rng.random() < 0.3 else city}"
    elif code == "IT":
        street = f"{street_name}, {number}" if rng.random() < 0.6 else f"{street_name} {number}"
        if rng.random() < 0.6:
            city_line = f"{postal} {city} ({region})"
        else:
            city_line, region = f"{postal} {city}", ""
    elif code == "AR":
        street = f"{street_name} {number * 9}" + rng.choice(["", f", Piso {rng.randrange(1, 20)}",
                                                             f" {rng.randrange(1, 12)}° B"])
        if postal.startswith("C") and rng.random() < 0.5:
            postal += "".join(rng.choice("ABCDEFGHJK") for _ in range(3))
        city_line = f"{postal} {city}"
    elif code == "CO":
        street = f"{street_name} {rng.randrange(1, 120)} # {rng.randrange(1, 100)}-{rng.randrange(1, 99)}"
        if rng.random() < 0.4:
            street += f", Of. {rng.randrange(101, 1200)}"
        city_line = f"{city} {region}" if region == "D.C." else f"{city}, {region}"
    else:  # CL
        street = f"{street_name} {number * 11}" + rng.choice(["", f", Of. {rng.randrange(101, 2200)}"])
        city_line = city
    lines = [street, city_line]
    country_name = ""
    if rng.random() < 0.35:
        country_name = rng.choice(country.names)
        lines.append(country_name)
    adr = {"street": street, "city": city, "postal": postal, "region": region,
           "country": country_name}
    return adr, lines


def native_phone_style(rng: random.Random, number: phonenumbers.PhoneNumber, text: str) -> str:
    """Local printing habits the "intl" class adds: '+49 (0)89 ...', '11 3123-4567' in Brazil."""
    region = phonenumbers.region_code_for_number(number)
    cc = f"+{number.country_code} "
    if region in ("DE", "CH", "FR") and text.startswith(cc) and rng.random() < 0.35:
        return text.replace(cc, f"{cc}(0)", 1)
    if region == "BR" and text.startswith("(") and rng.random() < 0.4:
        return text.replace("(", "", 1).replace(")", "", 1)
    return text


@dataclass
class CardSpec:
    """Everything printed on one card, with its ground truth."""

    country: str
    lang: str
    truth: dict[str, Any]
    blocks: dict[str, list[tuple[str, str]]]  # block -> [(style, text)]
    dark: bool
    style: dict[str, Any] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    features: dict[str, Any] = field(default_factory=dict)  # where each class was drawn


def make_card(rng: random.Random, fake: Faker, country: Country,
              force: dict[str, Any]) -> CardSpec:
    """Draw the content of one card (not the pixels).

    ``force["native"]``: the card in the country's own language, labels and address format.
    """
    native = bool(force.get("native"))
    lang = NATIVE_LANG[country.code] if native else country.lang
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
    org, stem = company_name(rng, fake, country, lang)
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
        if native:
            printed = native_phone_style(rng, number, printed)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        if labelled:
            labels = NATIVE_LABELS[country.code] if native else PHONE_LABELS[lang]
            label, ptype = rng.choice(sorted(labels[kind].items()))
            if label_style == "label.:" and label.endswith("."):
                line = f"{label} {printed}"  # "Tel. 912 345 678"
            else:
                sep = ": " if label_style != "label" else " "
                line = f"{label.rstrip('.')}{sep}{printed}"
        else:
            line = printed
            ptype = "fax" if kind == "fax" else "voice"  # the type is what the card prints
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
    make_address = native_address if native else partial(address_for, fake=fake)
    adr, adr_lines = make_address(rng, country=country) if has_address else (
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
    """The card's pixels (RGB, CARD_W x CARD_H) and its printed text in reading order.

    A card with `spec.classes` also gets those classes' drawings (see `CLASSES`); where each
    one went is written into `spec.features` for the truth JSON.
    """
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
    drawn_classes = set(spec.classes) - {"lowres", "intl"}
    if not drawn_classes and rng.random() < 0.4:  # an accent band along one edge
        band = rng.randint(12, 24)
        if rng.random() < 0.5:
            draw.rectangle((0, CARD_H - band, CARD_W, CARD_H), fill=accent)
        else:
            draw.rectangle((0, 0, band, CARD_H), fill=accent)
            text_left = max(text_left, band + margin)

    top_group = (spec.blocks["org"] + spec.blocks["name"]) if not name_big or rng.random() < 0.5 \
        else (spec.blocks["name"] + spec.blocks["org"])
    bottom_group = spec.blocks["contact"] + spec.blocks["address"]
    frame = Frame(text_left, text_right, margin, CARD_H - margin)
    printed_first: list[str] = []
    for name in CLASS_ORDER:
        if name in drawn_classes:
            top_group = CLASS_DRAWERS[name](rng, spec, image, frame, family, accent, top_group,
                                            printed_first)
    text_left, text_right = frame.left, frame.right

    def line_metrics(items: list[tuple[str, str]], scale: float) -> list[tuple[Any, int, int]]:
        out = []
        for style, text in items:
            fnt = font(family, style in ("name", "org"), max(18, int(sizes[style] * scale)))
            left, _top, right, _bottom = draw.textbbox((0, 0), text, font=fnt)
            out.append((fnt, right - left, int(fnt.size * 1.3)))
        return out

    spans = [(frame.top, frame.bottom)] * 2
    if layout == "columns":
        column_gap = 40
        split = text_left + int((text_right - text_left) * rng.uniform(0.42, 0.5))
        groups = [(top_group, text_left, split - column_gap // 2),
                  (bottom_group, split + column_gap // 2, text_right)]
        if frame.panel is None:
            draw.line((split, frame.top, split, frame.bottom), fill=accent, width=3)
        else:  # the second column on a mid-tone panel from the split to the card's edge
            frame.panel = (split - column_gap // 4, 0, CARD_W, CARD_H)
        align_for = ["left", "left"]
        vertical = ["centre", "centre"]
    else:
        groups = [(top_group, text_left, text_right), (bottom_group, text_left, text_right)]
        align = "left" if layout == "logo" else layout
        align_for = [align, align]
        vertical = ["top", "bottom"]
        if frame.panel is not None:  # the contact lines on a panel across the bottom
            panel_top = int(CARD_H * rng.uniform(0.46, 0.54))
            frame.panel = (0, panel_top, CARD_W, CARD_H)
            spans = [(frame.top, panel_top - 20), (panel_top + 24, CARD_H - 24)]
            vertical = ["centre", "centre"]
    shared = layout != "columns" and frame.panel is None  # both groups in one vertical span
    if frame.panel is not None:
        draw.rectangle(frame.panel, fill=frame.panel_colour)
        spec.features["panel_light"] = {"box": list(frame.panel), "colour": list(frame.panel_colour),
                                        "ink": list(frame.panel_ink)}

    if drawn_classes:  # the drawings took room: wrap what cannot fit, as a designer would
        groups = [(wrap_items(items, x1 - x0, partial(line_metrics, scale=0.6)), x0, x1)
                  for items, x0, x1 in groups]
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
    while True:
        heights = [sum(h for _, _, h in line_metrics(items, s)) for (items, _, _), s in
                   zip(groups, scales, strict=True)]
        if shared:
            fits = sum(heights) + 30 <= frame.bottom - frame.top
        else:
            fits = all(h <= y1 - y0 for h, (y0, y1) in zip(heights, spans, strict=True))
        if fits or min(scales) < 0.5:
            break
        scales = [s - 0.04 for s in scales]

    text_parts: list[str] = list(printed_first)
    on_panel = [False, frame.panel is not None]
    for (items, x0, x1), scale, align, where, (y0, y1), panel_ink in zip(
            groups, scales, align_for, vertical, spans, on_panel, strict=True):
        metrics = line_metrics(items, scale)
        total = sum(h for _, _, h in metrics)
        y = {"top": y0, "bottom": y1 - total, "centre": (y0 + y1 - total) // 2}[where]
        for (style, text), (fnt, width, height) in zip(items, metrics, strict=True):
            x = {"left": x0, "centre": (x0 + x1 - width) // 2, "right": x1 - width}[align]
            draw.text((x, y), text, font=fnt, fill=frame.panel_ink if panel_ink else colours[style])
            y += height
            text_parts.append(text)
    return image, "\n".join(text_parts)


# ---------------------------------------------------------------- real-card classes (issue 13)


def wrap_items(items: list[tuple[str, str]], width: int,
               measure: Any) -> list[tuple[str, str]]:
    """Lines too wide for `width` (as `measure` sizes them) broken after their commas."""
    out: list[tuple[str, str]] = []
    for style, text in items:
        pieces = text.split(", ")
        if len(pieces) == 1 or measure([(style, text)])[0][1] <= width:
            out.append((style, text))
            continue
        line = pieces[0]
        for piece in pieces[1:]:
            if measure([(style, f"{line}, {piece}")])[0][1] <= width:
                line = f"{line}, {piece}"
            else:
                out.append((style, line + ","))
                line = piece
        out.append((style, line))
    return out


@dataclass
class Frame:
    """Where the text may go; the classes' drawings take their room out of it."""

    left: int
    right: int
    top: int
    bottom: int
    panel: tuple[int, int, int, int] | None = None  # set by panel_light, placed by the layout
    panel_colour: tuple[int, int, int] = (128, 128, 128)
    panel_ink: tuple[int, int, int] = (255, 255, 255)


MID_TONES = [(128, 128, 132), (112, 116, 122), (146, 146, 140), (70, 110, 160), (160, 92, 60),
             (60, 130, 120), (158, 124, 52), (120, 82, 142), (176, 62, 62), (96, 120, 150)]
LIGHT_INKS = [(255, 255, 255), (246, 246, 240), (236, 242, 248)]
Items = list[tuple[str, str]]


def _fit_font(family: str, text: str, size: int, max_width: int) -> ImageFont.FreeTypeFont:
    """A bold font of `family` no larger than `size` in which `text` fits `max_width`."""
    fnt = font(family, True, size)
    while size > 14 and fnt.getlength(text) > max_width:
        size -= 2
        fnt = font(family, True, size)
    return fnt


def _reserve_side(rng: random.Random, frame: Frame, width: int, height: int, prefer: str = "",
                  bleed: bool = False) -> tuple[int, int, int, int]:
    """A box of width x height at the left or right of the text frame, which gives up its room."""
    side = prefer or rng.choice(["left", "right"])
    top = (CARD_H - height) // 2 if bleed or rng.random() < 0.6 else frame.top
    if bleed:
        top, height = 0, CARD_H
    if side == "left":
        x0 = 0 if bleed else frame.left
        box = (x0, top, x0 + width, top + height)
        frame.left = box[2] + 40
    else:
        x1 = CARD_W if bleed else frame.right
        box = (x1 - width, top, x1, top + height)
        frame.right = box[0] - 40
    return box


def draw_top_band(rng: random.Random, spec: CardSpec, image: Image.Image, frame: Frame, family: str,
                  accent: tuple[int, ...], top_group: Items, printed_first: list[str]) -> Items:
    """A coloured band across the top with the company in white (the org leaves the text block)."""
    draw = ImageDraw.Draw(image)
    height = rng.randint(100, 150)
    colour = rng.choice([*MID_TONES, accent, rng.choice(PALETTE_DARK)])
    draw.rectangle((0, 0, CARD_W, height), fill=colour)
    org = spec.truth["org"]
    fnt = _fit_font(family, org, int(height * 0.5), CARD_W - 2 * frame.left)
    width = int(fnt.getlength(org))
    x = frame.left if rng.random() < 0.6 else (CARD_W - width) // 2
    ascent, descent = fnt.getmetrics()
    draw.text((x, (height - ascent - descent) // 2), org, font=fnt, fill=rng.choice(LIGHT_INKS))
    printed_first.append(org)
    frame.top = height + 30
    spec.features["top_band"] = {"box": [0, 0, CARD_W, height], "colour": list(colour)}
    return [item for item in top_group if item[0] != "org"]


def short_name(rng: random.Random, org: str) -> str:
    """What a logo prints: the company's first word in capitals, or its initials."""
    words = [w for w in re.findall(r"[^\W\d_]+", org) if w[0].isupper()]
    if len(words) >= 2 and rng.random() < 0.35:
        return "".join(w[0] for w in words[:3]).upper()
    return (words[0] if words else org.split()[0]).upper()[:10]


def draw_logo_box(rng: random.Random, spec: CardSpec, image: Image.Image, frame: Frame, family: str,
                  accent: tuple[int, ...], top_group: Items, printed_first: list[str]) -> Items:
    """The logo printed in a filled box with the company's short name (a box or a bleeding strip)."""
    draw = ImageDraw.Draw(image)
    strip = rng.random() < 0.35
    width, height = (rng.randint(280, 360), CARD_H) if strip else (rng.randint(190, 280),
                                                                  rng.randint(130, 200))
    box = _reserve_side(rng, frame, width, height, prefer="left" if strip else "", bleed=strip)
    fill = rng.choice(ACCENTS if spec.dark else [*PALETTE_DARK, *ACCENTS[:3], (0, 0, 0)])
    draw.rectangle(box, fill=fill)
    text = short_name(rng, spec.truth["org"])
    fnt = _fit_font(family, text, 64, int(width * 0.8))
    tw = int(fnt.getlength(text))
    x = (box[0] + box[2] - tw) // 2
    y = box[3] - int((box[3] - box[1]) * 0.3) - fnt.size // 2
    if rng.random() < 0.6:  # a mark above the name
        cx, cy, r = (box[0] + box[2]) // 2, box[1] + int((box[3] - box[1]) * 0.35), min(width, height) // 6
        mark = tuple(min(255, c + 110) for c in accent)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=mark, width=max(4, r // 4))
    draw.text((x, y), text, font=fnt, fill=rng.choice(LIGHT_INKS))
    printed_first.append(text)
    spec.features["logo_box"] = {"box": list(box), "text": text, "strip": strip}
    return top_group


def synthetic_picture(seed: int, width: int, height: int) -> Image.Image:
    """A photo-like picture: a portrait (head, hair, shoulders on a gradient) or a blurry scene."""
    gen = np.random.default_rng(seed)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top, bottom = gen.uniform(40, 230, 3), gen.uniform(20, 200, 3)
    pixels = np.broadcast_to(top * (1 - y) + bottom * y, (height, width, 3)).copy()
    canvas = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    if gen.random() < 0.7:
        cx, head = width / 2 + gen.uniform(-0.08, 0.08) * width, width * gen.uniform(0.2, 0.26)
        skin = tuple(int(c) for c in gen.choice([[224, 182, 150], [198, 140, 100], [140, 96, 66],
                                                 [240, 205, 180]]))
        cloth = tuple(int(c) for c in gen.uniform(20, 180, 3))
        hair = tuple(int(c) for c in gen.choice([[30, 22, 18], [90, 60, 30], [180, 150, 90],
                                                 [60, 60, 60]]))
        cy = height * 0.4
        draw.ellipse((cx - width * 0.48, height * 0.7, cx + width * 0.48, height * 1.25), fill=cloth)
        draw.rectangle((cx - head * 0.35, cy + head * 0.8, cx + head * 0.35, height * 0.78), fill=skin)
        draw.ellipse((cx - head * 1.05, cy - head * 1.35, cx + head * 1.05, cy + head * 0.6), fill=hair)
        draw.ellipse((cx - head * 0.85, cy - head * 1.05, cx + head * 0.85, cy + head * 1.1), fill=skin)
        for side in (-1, 1):
            ex = cx + side * head * 0.35
            draw.ellipse((ex - head * 0.1, cy - head * 0.1, ex + head * 0.1, cy + head * 0.05),
                         fill=(40, 30, 30))
        draw.arc((cx - head * 0.3, cy + head * 0.3, cx + head * 0.3, cy + head * 0.7), 20, 160,
                 fill=(150, 70, 70), width=3)
    else:
        for _ in range(int(gen.integers(6, 14))):
            r = gen.uniform(0.08, 0.3) * width
            bx, by = gen.uniform(0, width), gen.uniform(0, height)
            draw.ellipse((bx - r, by - r, bx + r, by + r),
                         fill=tuple(int(c) for c in gen.uniform(0, 255, 3)))
    arr = cv2.GaussianBlur(np.asarray(canvas).astype(np.float32), (0, 0), 1.6)
    arr += gen.normal(0, 7, arr.shape).astype(np.float32)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def draw_picture(rng: random.Random, spec: CardSpec, image: Image.Image, frame: Frame, family: str,
                 accent: tuple[int, ...], top_group: Items, printed_first: list[str]) -> Items:
    """A portrait or picture beside the text, sometimes bleeding off one edge."""
    bleed = rng.random() < 0.25
    width, height = (rng.randint(300, 380), CARD_H) if bleed else (rng.randint(200, 270),
                                                                  rng.randint(250, 340))
    box = _reserve_side(rng, frame, width, height, bleed=bleed)
    image.paste(synthetic_picture(rng.randrange(2**32), box[2] - box[0], box[3] - box[1]), box[:2])
    spec.features["picture"] = {"box": list(box), "bleed": bleed}
    return top_group


def qr_image(payload: str, module: int, eci: bool) -> Image.Image:
    """The payload as a QR code (never Micro QR), UTF-8, `module` pixels a module, 3-module margin."""
    qr = segno.make_qr(payload, encoding="utf-8", eci=eci, error="m" if len(payload) < 200 else "l")
    modules = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
    pixels = np.pad(255 * (1 - modules), 3, constant_values=255)
    pixels = np.kron(pixels, np.ones((module, module), np.uint8))
    return Image.fromarray(pixels).convert("RGB")


def draw_qr(rng: random.Random, spec: CardSpec, image: Image.Image, frame: Frame, family: str,
            accent: tuple[int, ...], top_group: Items, printed_first: list[str]) -> Items:
    """The card's QR code (payload chosen in `make_card`) at one side, in its white margin."""
    qr = spec.truth["qr"]
    eci = rng.random() < 0.5
    matrix_size = segno.make_qr(qr["payload"], encoding="utf-8", eci=eci,
                                error="m" if len(qr["payload"]) < 200 else "l").symbol_size(border=3)[0]
    module = max(3, rng.randint(190, 290) // matrix_size if qr["kind"] == "url"
                 else rng.randint(240, 330) // matrix_size)
    picture = qr_image(qr["payload"], module, eci)
    side = "right" if rng.random() < 0.7 else "left"
    box = _reserve_side(rng, frame, picture.width, picture.height, prefer=side)
    if rng.random() < 0.4:  # bottom corner instead of centred
        box = (box[0], CARD_H - 30 - picture.height, box[2], CARD_H - 30)
    image.paste(picture, box[:2])
    qr.update(box=[box[0], box[1], box[0] + picture.width, box[1] + picture.height],
              module=module, eci=eci)
    return top_group


def draw_panel(rng: random.Random, spec: CardSpec, image: Image.Image, frame: Frame, family: str,
               accent: tuple[int, ...], top_group: Items, printed_first: list[str]) -> Items:
    """Ask the layout for a mid-tone panel under the contact lines, printed in light ink."""
    frame.panel = (0, 0, 0, 0)  # placed by the layout (bottom band, or the second column)
    frame.panel_colour = rng.choice(MID_TONES)
    frame.panel_ink = rng.choice(LIGHT_INKS)
    return top_group


CLASS_DRAWERS = {"top_band": draw_top_band, "logo_box": draw_logo_box, "picture": draw_picture,
                 "qr_url": draw_qr, "qr_vcard": draw_qr, "panel_light": draw_panel}
CLASS_ORDER = ("top_band", "logo_box", "picture", "qr_url", "qr_vcard", "panel_light")


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
    elif kind == "white":  # a white desk, as white as the card: only its shadow shows it
        base = np.array([238, 240, 241], np.float32) + rng.uniform(-5, 5, 3).astype(np.float32)
        img = base + noise[..., None] * 4
    elif kind == "light":  # white-ish table: the card blends in
        base = np.array([225, 228, 230], np.float32) + rng.uniform(-10, 10, 3).astype(np.float32)
        img = base + noise[..., None] * 6
    else:  # desk: flat colour with a little grain
        base = np.array(rng.uniform(30, 170, 3), np.float32)
        img = base + noise[..., None] * 10
    img = img + rng.normal(0, 4, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def place_card(rng: np.random.Generator, frame: np.ndarray, card: np.ndarray, centre: tuple[float, float],
               card_width: float, angle_deg: float, shadow: float = 0.45) -> np.ndarray:
    """Warp the card into the frame (in place): rotation plus a random perspective, with a shadow
    (as dark as `shadow`, cast as far as on a 1600-px photo); the card-to-frame matrix."""
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
    reach = max(fh, fw) / PHOTO_LONG  # 1 on the standard photos: their bytes do not change
    if shadow and reach > 1:  # a big photo: the shadow is blurred at a quarter size (seconds saved)
        quarter = cv2.resize(mask, (fw // 4, fh // 4), interpolation=cv2.INTER_AREA)
        quarter = cv2.GaussianBlur(np.roll(quarter, (round(3 * reach), round(2.5 * reach)), axis=(0, 1)),
                                   (0, 0), 9 * reach / 4)
        cast = cv2.resize(quarter, (fw, fh), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    elif shadow:
        cast = cv2.GaussianBlur(np.roll(mask, (12, 10), axis=(0, 1)), (0, 0), 9).astype(np.float32)
    if shadow:
        frame[:] = (frame.astype(np.float32) * (1 - shadow * cast[..., None] / 255)).astype(np.uint8)
    soft = cv2.GaussianBlur(mask, (3, 3), 0).astype(np.float32)[..., None] / 255
    frame[:] = (warped * soft + frame * (1 - soft)).astype(np.uint8)
    return matrix


def draw_hand(rng: np.random.Generator, frame: np.ndarray, matrix: np.ndarray, card_size: tuple[int, int]
              ) -> str:
    """A hand holding the card (in place): the thumb over one edge of the card, inside its white
    margin only (the text stays readable, as the truth says), the palm and the arm beyond that
    edge, out of the photo; the edge.

    The card's outline is broken where the thumb crosses it, as on a card held up to the phone.
    """
    w, h = card_size
    edge = str(rng.choice(["bottom", "bottom", "left", "right"]))
    t = rng.uniform(0.3, 0.7)
    # in the card's own pixels, as if its edge were the bottom one: along the edge (u), out (v)
    length = w if edge == "bottom" else h
    thumb = ((t * length, 0.1 * h), (0.075 * w, 0.15 * h))  # reaches 0.05 h into the card
    palm = ((t * length, 0.5 * h), (0.32 * w, 0.34 * h))

    def card_points(points: np.ndarray) -> np.ndarray:  # (u, v) -> the card's (x, y)
        u, v = points[:, 0], points[:, 1]
        if edge == "bottom":
            return np.stack([u, h + v], axis=1)
        return np.stack([-v, u], axis=1) if edge == "left" else np.stack([w + v, u], axis=1)

    def in_photo(points: np.ndarray) -> np.ndarray:
        return cv2.perspectiveTransform(card_points(points).reshape(-1, 1, 2), matrix).reshape(-1, 2)

    reach = max(frame.shape[:2]) / PHOTO_LONG
    small = 4  # the masks are drawn and blurred at a quarter size: a 12 MP blur takes seconds
    fh, fw = frame.shape[:2]
    mask = np.zeros((fh // small + 1, fw // small + 1), np.uint8)
    outline = cv2.ellipse2Poly((0, 0), (1000, 1000), 0, 0, 360, 8).astype(np.float64) / 1000
    for centre, axes in (palm, thumb):
        shape = in_photo(outline * np.array(axes) + np.array(centre)) / small
        cv2.fillPoly(mask, [np.round(shape).astype(np.int32)], 255)
    # the arm: from the palm straight away from the card, out of the photo (drawn in the photo's
    # own pixels: far from the card, its perspective would fold back)
    palm_at, thumb_at = in_photo(np.array([[t * length, 0.5 * h], [t * length, 0.1 * h]])) / small
    away = (palm_at - thumb_at) / max(1e-6, float(np.linalg.norm(palm_at - thumb_at)))
    far = palm_at + away * (fw + fh) / small
    side_a, side_b = in_photo(np.array([[t * length - 0.27 * w, 0.5 * h],
                                        [t * length + 0.27 * w, 0.5 * h]])) / small
    cv2.line(mask, tuple(int(v) for v in np.round(palm_at)), tuple(int(v) for v in np.round(far)),
             255, max(1, round(float(np.linalg.norm(side_a - side_b)))))

    def blurred(sigma: float, shift: tuple[int, int] = (0, 0)) -> np.ndarray:
        soft = cv2.GaussianBlur(np.roll(mask, shift, axis=(0, 1)), (0, 0), max(0.5, sigma / small))
        return cv2.resize(soft, (fw, fh), interpolation=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255

    red = rng.uniform(175, 230)
    green = red * rng.uniform(0.72, 0.82)
    skin = np.array([green * rng.uniform(0.78, 0.9), green, red], np.float32)  # BGR
    hand = skin * (0.7 + 0.3 * blurred(40 * reach)) + rng.normal(0, 3, frame.shape).astype(np.float32)
    cast = blurred(6 * reach, (round(8 * reach / small), round(6 * reach / small)))
    soft = blurred(2 * reach)
    shadowed = frame.astype(np.float32) * (1 - 0.35 * cast)
    frame[:] = np.clip(hand * soft + shadowed * (1 - soft), 0, 255).astype(np.uint8)
    return edge


def photograph(rng: np.random.Generator, cards: list[np.ndarray], force: dict[str, Any]
               ) -> tuple[np.ndarray, dict[str, Any]]:
    """A phone-like photo of one or two cards (BGR) and a description of what was done."""
    portrait = rng.random() < 0.3
    phone = bool(force.get("phone12"))
    long, short = (PHONE_LONG, PHONE_SHORT) if phone else (PHOTO_LONG, PHOTO_SHORT)
    height, width = (long, short) if portrait else (short, long)
    if phone:  # a white card on a white or light desk, or held in a hand before a room
        texture = force.get("background") or str(rng.choice(["white", "light", "light", "hand", "hand"]))
    else:
        texture = force.get("background") or str(rng.choice(["wood", "desk", "fabric", "light", "desk"]))
    frame = background(rng, height, width, "desk" if texture == "hand" else texture)
    if texture == "hand":  # the room behind the hand, far out of focus (blurred at a quarter size)
        room = cv2.GaussianBlur(cv2.resize(frame, (width // 4, height // 4), interpolation=cv2.INTER_AREA),
                                (0, 0), 8)
        frame = cv2.resize(room, (width, height), interpolation=cv2.INTER_LINEAR)
    rotation = force.get("rotation")
    if rotation is None:
        rotation = int(rng.choice([0, 0, 0, 0, 0, 0, 90, 180, 270]))
    notes: dict[str, Any] = {"background": texture, "rotation": rotation, "portrait": portrait}
    if len(cards) == 1:
        fill = float(force.get("fill", rng.uniform(0.3, 0.6) if phone else rng.uniform(0.45, 0.9)))
        # fill: the card's long side as a share of the frame's long side, within the frame.
        along, across = (width, height) if rotation in (0, 180) else (height, width)
        card_width = min(fill * long, 0.92 * along, 0.92 * across * CARD_W / CARD_H)
        skew = float(force.get("skew", rng.uniform(-12, 12)))
        centre = (width / 2 + rng.uniform(-0.05, 0.05) * width,
                  height / 2 + rng.uniform(-0.05, 0.05) * height)
        matrix = place_card(rng, frame, cards[0], centre, card_width, rotation + skew,
                            shadow=0.0 if texture == "hand" else 0.45)
        notes.update(fill=round(card_width / long, 2), skew=round(skew, 1))
        if texture == "hand":
            notes["hand"] = draw_hand(rng, frame, matrix, (cards[0].shape[1], cards[0].shape[0]))
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
    blur = float(force.get("blur", rng.choice([0.8, 1.2, 1.6] if phone else [0, 0, 0.6, 0.9, 1.2])))
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


#: The real-card classes of issue 13, each generated as its own set (`--class NAME`): what is
#: forced on its cards. The standard sets draw none of them, so their bytes do not change.
CLASSES: dict[str, dict[str, Any]] = {
    "logo_box": {"layouts": ("left", "centre", "right")},
    "qr_url": {"layouts": ("left", "centre", "right")},
    "qr_vcard": {"layouts": ("left", "centre", "right")},
    "panel_light": {"dark": False, "layouts": ("left", "centre", "columns")},
    "top_band": {"dark": False, "layouts": ("left", "centre", "right", "columns")},
    "picture": {"layouts": ("left", "centre", "right")},
    "lowres": {},
    "intl": {"native": True, "countries": tuple(NATIVE_LANG), "address": True},
    # last: a class's place in this table seeds its photos, so the others' photos stay the same
    "phone12": {"phone12": True, "dark": False},
}
LOWRES_WIDTHS = (480, 650)  # a low-resolution scan's width in pixels (x-height 6-9 px)


def generate_card(seed: int, index: int, force: dict[str, Any],
                  classes: tuple[str, ...] = ()) -> tuple[CardSpec, Image.Image, str]:
    rng = random.Random(f"{seed}/{index}" if not classes else f"{seed}/{'+'.join(classes)}/{index}")
    force = dict(force)
    for name in classes:
        for key, value in CLASSES[name].items():
            if key not in ("layouts", "countries"):
                force.setdefault(key, value)
        if "countries" in CLASSES[name]:
            force.setdefault("country", rng.choice(CLASSES[name]["countries"]))
    code = force.get("country") or rng.choices(list(COUNTRY_WEIGHTS),
                                               weights=list(COUNTRY_WEIGHTS.values()))[0]
    country = COUNTRIES[code]
    fake = Faker(country.locale)
    fake.seed_instance(rng.randrange(2**32))
    spec = make_card(rng, fake, country, force)
    spec.classes = list(classes)
    layouts = [CLASSES[name]["layouts"] for name in classes if "layouts" in CLASSES[name]]
    if layouts:
        spec.style["layout"] = rng.choice(layouts[0])
    for name in classes:
        if name in ("qr_url", "qr_vcard"):
            spec.truth["qr"] = qr_truth(rng, spec, name)
    image, text = render_card(rng, spec)
    return spec, image, text


def _vcard_escape(text: str, version: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;")
    return text.replace(",", "\\,") if version == "3.0" else text


def _mecard_escape(text: str) -> str:
    return re.sub(r"([\\;:,])", r"\\\1", text)


def _absolute(url: str) -> str:
    return url if re.match(r"https?://", url) else f"https://{url}"


def vcard_payload(truth: dict[str, Any], version: str, eol: str, e164: bool) -> str:
    """The card's truth as a vCard 2.1 or 3.0 (what a card's QR code carries), `eol` line ends."""
    esc = partial(_vcard_escape, version=version)
    v21 = version == "2.1"

    def types(*names: str) -> str:
        return "".join(f";{n}" for n in names) if v21 else f";TYPE={','.join(names)}"

    def prop(name: str, value: str) -> str:  # 2.1 says which charset a non-ASCII value is in
        charset = ";CHARSET=UTF-8" if v21 and not value.isascii() else ""
        head, _, params = name.partition(";")
        return f"{head}{';' + params if params else ''}{charset}:{value}"

    lines = ["BEGIN:VCARD", f"VERSION:{version}",
             prop("N", ";".join(esc(truth[k]) for k in ("family", "given")) + ";;"
                  + ";".join(esc(truth[k]) for k in ("prefix", "suffix"))),
             prop("FN", esc(truth["fn"]))]
    if truth["org"]:
        lines.append(prop("ORG", esc(truth["org"]) + (f";{esc(truth['department'])}"
                                                      if truth["department"] else "")))
    if truth["title"]:
        lines.append(prop("TITLE", esc(truth["title"])))
    kinds = {"cell": ("CELL",), "work": ("WORK", "VOICE"), "voice": ("VOICE",), "fax": ("WORK", "FAX")}
    for tel in truth["tels"]:
        number = tel["e164"] if e164 else phonenumbers.format_number(
            phonenumbers.parse(tel["e164"]), PhoneNumberFormat.INTERNATIONAL)
        lines.append(f"TEL{types(*kinds[tel['type']])}:{number}")
    lines += [f"EMAIL{types('INTERNET', 'WORK')}:{email}" for email in truth["emails"]]
    lines += [f"URL:{_absolute(url)}" for url in truth["urls"]]
    adr = truth["adr"]
    if any(adr.values()):
        parts = [adr[k] for k in ("street", "city", "region", "postal", "country")]
        lines.append(prop(f"ADR{types('WORK')}", ";;" + ";".join(esc(p) for p in parts)))
    lines.append("END:VCARD")
    return eol.join(lines) + eol


def mecard_payload(truth: dict[str, Any]) -> str:
    """The card's truth as a MeCard (N:family,given; no phone types, no title)."""
    fields = [f"N:{_mecard_escape(truth['family'])},{_mecard_escape(truth['given'])}"]
    if truth["org"]:
        fields.append(f"ORG:{_mecard_escape(truth['org'])}")
    fields += [f"TEL:{tel['e164']}" for tel in truth["tels"]]
    fields += [f"EMAIL:{email}" for email in truth["emails"]]
    fields += [f"URL:{_mecard_escape(_absolute(url))}" for url in truth["urls"]]
    adr = truth["adr"]
    if any(adr.values()):
        parts = ["", ""] + [adr[k] for k in ("street", "city", "region", "postal", "country")]
        fields.append("ADR:" + ",".join(_mecard_escape(p) for p in parts))
    return "MECARD:" + ";".join(fields) + ";;"


def qr_truth(rng: random.Random, spec: CardSpec, name: str) -> dict[str, Any]:
    """The QR code a class card carries: its payload and what it is (url | vcard | mecard).

    A URL QR gives the website (printed on the card or not) or a LinkedIn profile (rarely
    printed); either is added to the truth's urls, since the QR is where the contact's URL is.
    """
    truth = spec.truth
    if name == "qr_url":
        domain = truth["emails"][0].split("@", 1)[1]
        if rng.random() < 0.4:
            handle = f"{ascii_slug(truth['given'].split()[0])}-{ascii_slug(truth['family'], '-')}"
            url = f"linkedin.com/in/{handle}"
            payload = f"https://www.{url}" + ("/" if rng.random() < 0.3 else "")
            kind = "linkedin"
        else:
            printed = [u for u in truth["urls"] if "linkedin" not in u]
            url = printed[0] if printed else f"www.{domain}"
            bare = re.sub(r"^https?://", "", url)
            payload = rng.choice([f"https://{bare}", f"https://{bare}/", f"http://{bare}"])
            kind = "website"
        if url not in truth["urls"]:
            truth["urls"].append(url)
        return {"kind": "url", "url_kind": kind, "payload": payload}
    form = rng.choices(["vcard3", "vcard3-lf", "vcard21", "mecard"], weights=[4, 2, 2, 2])[0]
    if form == "mecard":
        return {"kind": "mecard", "payload": mecard_payload(truth)}
    version = "2.1" if form == "vcard21" else "3.0"
    eol = "\n" if form == "vcard3-lf" else "\r\n"
    payload = vcard_payload(truth, version, eol, e164=rng.random() < 0.5)
    return {"kind": "vcard", "version": version, "eol": "LF" if eol == "\n" else "CRLF",
            "payload": payload}


def truth_record(spec: CardSpec, text: str) -> dict[str, Any]:
    record = {**spec.truth, "text": text, "layout": spec.style.get("layout"), "dark": spec.dark}
    if spec.classes:  # only class cards carry these keys: the standard JSON stays as it was
        record.update(classes=spec.classes, **spec.features)
    return record


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def generate(out: Path, count: int, seed: int, kind: str,
             plan: list[dict[str, Any]] | None = None, first: int = 0,
             classes: tuple[str, ...] = ()) -> list[Path]:
    """Write `count` cards (flat and/or photo, each with a truth JSON); return the image paths.

    `first` numbers the cards from there (card `first + i`), so a big set can be made in
    parallel chunks that give the same files as one run. `classes` (names in `CLASSES`) makes
    a class set: every card draws those classes, its files are named after them and its truth
    lists them under "classes".
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    entries = plan if plan is not None else [{} for _ in range(count)]
    subfolders = kind == "both" and plan is None  # flat/ and photo/ side by side
    for index, force in enumerate(entries, start=first):
        spec, image, text = generate_card(seed, index, force, classes)
        country = spec.country.lower()
        want = force.get("kind", kind)
        stem = f"card{index + 1:04d}-{country}" if plan is None else \
            f"{index + 1:02d}-{country}-{want}"
        if classes:
            stem = f"{'+'.join(classes)}-{stem}"
        lowres = random.Random(f"{seed}/{index}/lowres").randint(*LOWRES_WIDTHS) \
            if "lowres" in classes else 0
        if want in ("flat", "both"):
            path = (out / "flat" if subfolders else out) / f"{stem}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            extra: dict[str, Any] = {}
            flat = image
            if lowres:
                flat = image.resize((lowres, round(lowres * CARD_H / CARD_W)), Image.Resampling.BOX)
                extra["lowres"] = {"width": flat.width, "height": flat.height}
            flat.save(path, optimize=True)
            write_json(path.with_suffix(".json"), {**truth_record(spec, text), **extra,
                                                   "kind": "flat", "cards": 1, "file": path.name})
            written.append(path)
        if want in ("photo", "both"):
            photo_rng = np.random.default_rng([seed, index, 1, *(1 + list(CLASSES).index(c)
                                                                  for c in classes)])
            rng = random.Random(f"{seed}/{index}/photo")
            two = force.get("two_cards", rng.random() < 0.06) and not classes
            cards = [cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)]
            truths = [truth_record(spec, text)]
            if two:
                second, second_image, second_text = generate_card(seed, 10**6 + index,
                                                                  {"dark": False})
                cards.append(cv2.cvtColor(np.asarray(second_image), cv2.COLOR_RGB2BGR))
                truths.append(truth_record(second, second_text))
            drawn = {key: value for name in classes for key, value in CLASSES[name].items()
                     if key not in ("layouts", "countries")}
            pixels, notes = photograph(photo_rng, cards, {**drawn, **force})
            if lowres:  # the whole photo shrunk until the card is a low-resolution one
                factor = min(1.0, lowres / (notes["fill"] * PHOTO_LONG))
                pixels = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
                notes["lowres"] = {"card_width": round(notes["fill"] * PHOTO_LONG * factor),
                                   "size": [pixels.shape[1], pixels.shape[0]]}
            path = (out / "photo" if subfolders else out) / f"{stem}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            if "phone12" in classes:  # a phone's JPEG, most often stored on its side (EXIF 6)
                quality = rng.randint(85, 95)
                notes["exif_orientation"] = 6 if rng.random() < 0.6 else 1
                path.write_bytes(phone_jpeg(pixels, quality, notes["exif_orientation"]))
            else:
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


def phone_jpeg(pixels: np.ndarray, quality: int, orientation: int) -> bytes:
    """A photo (BGR, as seen) as a phone writes it: with EXIF orientation 6 the pixels are
    stored turned a quarter counter-clockwise, and a viewer turns them back."""
    if orientation == 6:
        pixels = cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    image = Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=12, help="number of cards (default 12)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--kind", choices=("flat", "photo", "both"), default="both",
                        help="flat scans, phone photos, or both (in flat/ and photo/ subfolders)")
    parser.add_argument("--class", dest="classes", action="append", choices=sorted(CLASSES),
                        help="a real-card class set (issue 13); repeat to combine classes")
    parser.add_argument("--preset", choices=("samples",),
                        help="'samples': the committed set in samples/ (ignores --count/--kind)")
    args = parser.parse_args(argv)
    if args.preset == "samples":
        paths = generate(args.out, len(SAMPLE_PLAN), args.seed, "photo", plan=SAMPLE_PLAN)
    else:
        paths = generate(args.out, args.count, args.seed, args.kind,
                         classes=tuple(args.classes or ()))
    print(f"wrote {len(paths)} images with truth JSON to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
