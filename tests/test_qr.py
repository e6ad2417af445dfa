"""QR codes on cards: decoding small generated images, typing payloads, merging with OCR."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import segno

from cardscan.models import Address, Contact, Email, Name, Phone, PhoneType, Website
from cardscan.qr import QrFindings, contact_from_qr, decode_qr, fields_from_qr, merge_qr

VCARD_ACCENTS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jürgen;;Dr.;\r\nFN:Jürgen Müller\r\n"
    "ORG:Bäckerei Müller AG;Vertrieb\r\nTITLE:Geschäftsführer\r\n"
    "TEL;TYPE=CELL:+41 79 123 45 67\r\nTEL;TYPE=WORK,VOICE:+41 44 668 18 00\r\n"
    "EMAIL;TYPE=INTERNET:j.mueller@baeckerei.ch\r\nURL:https://www.baeckerei.ch\r\n"
    "ADR;TYPE=WORK:;;Löwenstrasse 12;Zürich;;8001;Schweiz\r\nEND:VCARD\r\n"
)
MECARD = ("MECARD:N:Conceição,João;ORG:Simões Ltda.;TEL:+5511991761552;TEL:+551131058655;"
          "EMAIL:joao@simoes.com.br;URL:https://simoes.com.br;"
          r"ADR:,,Av. Paulista\, 1578,São Paulo,SP,01310-100,Brasil;;")


def qr_pixels(payload: str, scale: int = 5) -> np.ndarray:
    """A QR code (grey, white margin) as a real QR generator draws it."""
    buffer = io.BytesIO()
    segno.make_qr(payload, encoding="utf-8").save(buffer, kind="png", scale=scale, border=4)
    return cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)


def card_with(*payloads: str, size: tuple[int, int] = (600, 1050)) -> np.ndarray:
    """A light card (BGR) with some printed text and each payload's QR code along its width."""
    card = np.full((*size, 3), (240, 246, 250), np.uint8)
    cv2.putText(card, "Ana Ruiz  +34 612 345 678", (40, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                (30, 30, 30), 2)
    x = size[1] - 40
    for payload in payloads:
        code = qr_pixels(payload)
        h, w = code.shape
        x -= w
        card[size[0] - 40 - h: size[0] - 40, x: x + w] = code[..., None]
        x -= 30
    return card


# ---------------------------------------------------------------- decoding


def test_url_qr_decodes_to_a_website() -> None:
    assert decode_qr(card_with("https://www.novalogistica.es")) == ["https://www.novalogistica.es"]
    item = fields_from_qr("https://www.novalogistica.es")
    assert item.kind == "url"
    assert item.contact.websites == [Website("https://www.novalogistica.es", "website")]


def test_vcard_qr_with_accents_gives_exact_fields() -> None:
    payloads = decode_qr(card_with(VCARD_ACCENTS))
    assert payloads == [VCARD_ACCENTS]
    findings = contact_from_qr(payloads, "CH")
    assert findings.has_card
    contact = findings.contact
    assert (contact.name.given, contact.name.family, contact.name.prefix) == ("Jürgen", "Müller", "Dr.")
    assert (contact.org, contact.department, contact.title) == ("Bäckerei Müller AG", "Vertrieb",
                                                                "Geschäftsführer")
    assert [(p.number, p.type) for p in contact.phones] == [("+41791234567", PhoneType.CELL),
                                                            ("+41446681800", PhoneType.WORK)]
    assert [e.address for e in contact.emails] == ["j.mueller@baeckerei.ch"]
    assert contact.address.street == "Löwenstrasse 12"
    assert (contact.address.city, contact.address.postal_code) == ("Zürich", "8001")


def test_mecard_qr_decodes_and_parses() -> None:
    payloads = decode_qr(card_with(MECARD))
    assert payloads == [MECARD]
    contact = contact_from_qr(payloads).contact
    assert (contact.name.given, contact.name.family) == ("João", "Conceição")
    assert contact.org == "Simões Ltda."
    assert [(p.number, p.type) for p in contact.phones] == [("+5511991761552", PhoneType.CELL),
                                                            ("+551131058655", PhoneType.VOICE)]
    assert contact.address == Address(street="Av. Paulista, 1578", city="São Paulo", region="SP",
                                      postal_code="01310-100", country="Brasil")
    assert contact.websites[0].url == "https://simoes.com.br"


def test_two_qr_codes_on_one_image() -> None:
    payloads = decode_qr(card_with("https://www.linkedin.com/in/ana-ruiz", "https://anaruiz.es"))
    assert sorted(payloads) == ["https://anaruiz.es", "https://www.linkedin.com/in/ana-ruiz"]
    websites = contact_from_qr(payloads).contact.websites
    assert sorted((w.kind, w.url) for w in websites) == [
        ("linkedin", "https://www.linkedin.com/in/ana-ruiz"), ("website", "https://anaruiz.es")]


def test_no_qr_code() -> None:
    assert decode_qr(card_with()) == []
    assert decode_qr(np.zeros((40, 60), np.uint8)) == []


def test_grey_bgra_and_big_photos() -> None:
    card = card_with("https://www.example.com")
    assert decode_qr(cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)) == ["https://www.example.com"]
    assert decode_qr(cv2.cvtColor(card, cv2.COLOR_BGR2BGRA)) == ["https://www.example.com"]
    big = cv2.resize(card, None, fx=3.5, fy=3.5, interpolation=cv2.INTER_NEAREST)  # 3675 wide
    assert decode_qr(big) == ["https://www.example.com"]


def test_small_low_resolution_scan() -> None:
    card = cv2.resize(card_with("https://www.example.com"), (520, 297), interpolation=cv2.INTER_AREA)
    assert decode_qr(card) == ["https://www.example.com"]


# ---------------------------------------------------------------- payloads


def test_vcard_21_lf_with_charset_and_national_number() -> None:
    payload = ("BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8:Peña Núñez;Lucía;;;\n"
               "FN;CHARSET=UTF-8:Lucía Peña Núñez\nTEL;CELL:612 345 678\nTEL;WORK;FAX:+34 912 345 679\n"
               "EMAIL;INTERNET:lucia@pena.es\nURL:linkedin.com/in/lucia-pena\nEND:VCARD\n")
    item = fields_from_qr(payload, "ES")
    assert item.kind == "vcard"
    contact = item.contact
    assert contact.name.plain == "Lucía Peña Núñez"
    assert [(p.number, p.type) for p in contact.phones] == [("+34612345678", PhoneType.CELL),
                                                            ("+34912345679", PhoneType.FAX)]
    assert contact.websites == [Website("https://linkedin.com/in/lucia-pena", "linkedin")]


def test_mecard_without_comma_in_name_and_free_address() -> None:
    contact = fields_from_qr(r"MECARD:N:Ana Ruiz;ADR:Calle Mayor 5\, Madrid;NOTE:x\;y;;").contact
    assert (contact.name.given, contact.name.family) == ("Ana", "Ruiz")
    assert contact.address.street == "Calle Mayor 5, Madrid"


@pytest.mark.parametrize(("payload", "kind"), [
    ("www.example.com/contacto", "url"), ("http://x.com/ana", "url"), ("mailto:ana@x.es", "email"),
    ("tel:+34612345678", "phone"), ("WIFI:S:guest;T:WPA;P:secret;;", "text"),
    ("Hola, gracias por venir", "text"), ("BEGIN:VCARD\nbroken", "text"),
])
def test_payload_kinds(payload: str, kind: str) -> None:
    assert fields_from_qr(payload).kind == kind


def test_social_profile_urls_use_the_parsers_table() -> None:
    assert fields_from_qr("https://x.com/anaruiz").contact.websites[0].kind == "twitter"
    assert fields_from_qr("https://instagram.com/ana").contact.websites[0].kind == "instagram"


# ---------------------------------------------------------------- merging


def ocr_contact() -> Contact:
    return Contact(
        name=Name(given="Jurgen", family="Muller"), title="Geschaftsfuhrer", org="",
        phones=[Phone("+41791234561", PhoneType.CELL), Phone("+41446681800", PhoneType.WORK),
                Phone("+41446681899", PhoneType.FAX)],
        emails=[Email("j.mueIler@baeckerei.ch", 0.5)],
        websites=[Website("https://www.baeckerei.ch", "website"),
                  Website("https://www.linkedin.com/in/jmueler", "linkedin")],
        note="met in Basel", confidence={"name": 0.4},
    )


def test_vcard_fields_win_and_fill_what_ocr_missed() -> None:
    ocr = ocr_contact()
    merged = merge_qr(ocr, contact_from_qr([VCARD_ACCENTS], "CH"))
    assert merged.name.plain == "Jürgen Müller"
    assert merged.title == "Geschäftsführer" and merged.org == "Bäckerei Müller AG"
    assert merged.address.city == "Zürich"
    # the misread cell is replaced by the QR's; OCR's own fax (not in the QR) stays
    assert [p.number for p in merged.phones] == ["+41791234567", "+41446681800", "+41446681899"]
    assert [e.address for e in merged.emails] == ["j.mueller@baeckerei.ch"]
    assert merged.confidence["name"] == 1.0
    assert merged.note == "met in Basel" and merged.uid == ocr.uid
    assert ocr.name.plain == "Jurgen Muller"  # the OCR contact itself is left as it was


def test_voice_qr_phone_keeps_ocr_type() -> None:
    ocr = Contact(phones=[Phone("+34912345678", PhoneType.WORK)])
    qr = Contact(phones=[Phone("+34912345678", PhoneType.VOICE)])
    assert merge_qr(ocr, qr).phones[0].type == PhoneType.WORK


def test_url_qr_is_the_website_or_the_matching_profile() -> None:
    ocr = ocr_contact()
    linkedin = merge_qr(ocr, contact_from_qr(["https://www.linkedin.com/in/jmueller"]))
    assert [(w.kind, w.url) for w in linkedin.websites] == [
        ("linkedin", "https://www.linkedin.com/in/jmueller"), ("website", "https://www.baeckerei.ch")]
    assert linkedin.name == ocr.name and linkedin.phones == ocr.phones  # nothing else changes
    site = merge_qr(Contact(websites=[Website("https://www.baeckere1.ch", "website")]),
                    contact_from_qr(["https://www.baeckerei.ch/"]))
    assert [w.url for w in site.websites] == ["https://www.baeckerei.ch"]
    other = merge_qr(Contact(websites=[Website("https://shop.example.org", "website")]),
                     contact_from_qr(["https://www.baeckerei.ch"]))
    assert len(other.websites) == 2


def test_empty_findings_change_nothing() -> None:
    ocr = ocr_contact()
    merged = merge_qr(ocr, QrFindings([], [], Contact()))
    assert (merged.name, merged.phones, merged.emails, merged.websites) == (
        ocr.name, ocr.phones, ocr.emails, ocr.websites)
