"""QR codes printed on a card: decode them, type their payload, merge it with what OCR read.

About one real card in ten carries a QR code: a vCard or MeCard (the whole contact, exact) or
a URL (a website, a LinkedIn profile). The reading path calls, on the photo or the card crop:

    payloads = decode_qr(pixels)                  # [] on most cards, in a few ms
    if payloads:
        findings = contact_from_qr(payloads, region)
        contact = merge_qr(ocr_contact, findings.contact)

`decode_qr` uses zxing-cpp (see README, "Dependencies and why each is there", for the
measurement against OpenCV's detector and zbar). Nothing here touches the disk.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import phonenumbers
import zxingcpp
from rapidfuzz import fuzz

from cardscan.merge import append_new, email_key, phone_key, url_key
from cardscan.models import Address, Contact, Email, Name, Phone, PhoneType, QrCode, Website
from cardscan.parse.emails_web import absolute_url
from cardscan.text import social_kind
from cardscan.vcard import VCardError, from_vcard

#: decode_qr works on a grey copy whose long side is at most this (a 12 MP photo: half size).
WORKING_LONG_SIDE = 2048
#: ... and tries the full resolution when that found nothing and the photo is at most this big.
FULL_RESOLUTION_MAX_PIXELS = 6_000_000
#: Images whose long side is below this are also tried enlarged twice (low-resolution scans).
SMALL_LONG_SIDE = 1000
ENLARGE = 2  # how much an image or a code's region is enlarged for a second try
#: Two values this similar (rapidfuzz ratio, 0-100) are one value misread by OCR.
NEAR_RATIO = 85


# ---------------------------------------------------------------- decoding


def _grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(image, code)


def _corners(position: zxingcpp.Position) -> np.ndarray:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return np.array([[p.x, p.y] for p in points], np.float32)


def _read(grey: np.ndarray) -> list[QrCode]:
    """The codes zxing-cpp decodes on `grey`; a code it finds but cannot decode (modules of two
    pixels, blurred) is read again from its own region enlarged twice."""
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True)
    codes = [QrCode(b.text, _corners(b.position)) for b in found if b.valid and b.text]
    for barcode in found:
        if barcode.valid:
            continue
        corners = _corners(barcode.position)
        box = _region(grey, corners)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        enlarged = cv2.resize(grey[y0:y1, x0:x1], None, fx=ENLARGE, fy=ENLARGE,
                              interpolation=cv2.INTER_CUBIC)
        again = zxingcpp.read_barcodes(enlarged, formats=zxingcpp.BarcodeFormat.QRCode)
        codes += [QrCode(b.text, _corners(b.position) / ENLARGE + (x0, y0))
                  for b in again if b.valid and b.text]
    return codes


def _region(grey: np.ndarray, corners: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box around a detected code, with a quarter of its size as margin."""
    xs, ys = corners[:, 0], corners[:, 1]
    margin = int(max(np.ptp(xs), np.ptp(ys))) // 4 + 8
    x0, y0 = max(0, int(xs.min()) - margin), max(0, int(ys.min()) - margin)
    x1, y1 = min(grey.shape[1], int(xs.max()) + margin), min(grey.shape[0], int(ys.max()) + margin)
    return (x0, y0, x1, y1) if x1 - x0 > 16 and y1 - y0 > 16 else None


def decode_qr(image: np.ndarray) -> list[str]:
    """The payload of every QR code on a BGR, BGRA or grey image, no repeats."""
    return list(dict.fromkeys(code.payload for code in find_qr(image)))


def find_qr(image: np.ndarray) -> list[QrCode]:
    """Every QR code on a BGR, BGRA or grey image: its payload and corners (image pixels).

    Fast first: a grey copy at most WORKING_LONG_SIDE long; the full resolution only when that
    found nothing and the image has at most FULL_RESOLUTION_MAX_PIXELS; a small image (a
    low-resolution scan) is tried enlarged as well, and so is a code found but not decoded.
    """
    grey = _grey(image)
    height, width = grey.shape[:2]
    long_side = max(height, width)
    attempts: list[float] = []  # the scales tried, in order
    if long_side > WORKING_LONG_SIDE:
        attempts.append(WORKING_LONG_SIDE / long_side)
        if height * width <= FULL_RESOLUTION_MAX_PIXELS:
            attempts.append(1.0)
    else:
        attempts.append(1.0)
        if long_side < SMALL_LONG_SIDE:
            attempts.append(float(ENLARGE))
    for scale in attempts:
        scaled = grey if scale == 1.0 else cv2.resize(
            grey, None, fx=scale, fy=scale,
            interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        codes = _read(np.ascontiguousarray(scaled))
        if codes:
            unique = {code.payload: code for code in codes}
            return [QrCode(c.payload, c.corners / scale) for c in unique.values()]
    return []


# ---------------------------------------------------------------- payloads


@dataclass
class QrPayload:
    """One decoded QR code, typed: vcard | mecard | url | email | phone | text."""

    kind: str
    payload: str
    contact: Contact = field(default_factory=Contact)  # its fields (empty for kind "text")


@dataclass
class QrFindings:
    """Every QR code of one card, and the contact they give together."""

    payloads: list[str]
    items: list[QrPayload]
    contact: Contact  # the first vCard/MeCard's fields plus every URL code's website

    @property
    def has_card(self) -> bool:
        """True when a vCard or MeCard was among the codes (the whole contact, exact)."""
        return any(item.kind in ("vcard", "mecard") for item in self.items)


def _e164(raw: str, region: str) -> str:
    """E.164 when the number parses (with `region` for a national number), else as written."""
    cleaned = raw.strip().removeprefix("tel:").strip()
    try:
        number = phonenumbers.parse(cleaned, region.upper() or None)
    except phonenumbers.NumberParseException:
        return cleaned
    if not phonenumbers.is_possible_number(number):
        return cleaned
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _website(url: str) -> Website:
    """An absolute URL, classified by the parser's own table of social hosts."""
    absolute = absolute_url(url.strip())
    host = re.sub(r"^https?://", "", absolute).split("/", 1)[0]
    return Website(absolute, social_kind(host))


def _from_vcard(payload: str, region: str) -> Contact:
    contact = from_vcard(payload)
    for phone in contact.phones:
        if not phone.number.startswith("+"):
            phone.printed = phone.printed or phone.number
            phone.number = _e164(phone.number, region)
    contact.websites = [_website(w.url) for w in contact.websites]
    return contact


def _split(text: str, sep: str) -> list[str]:
    """`text` split at each `sep` not escaped by a backslash (MeCard escaping)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def parse_mecard(payload: str, region: str = "") -> Contact:
    """A MeCard (`MECARD:N:Family,Given;TEL:...;EMAIL:...;URL:...;ADR:...;;`) as a Contact.

    MeCard gives phones no type: a number phonenumbers knows as mobile is a cell, others voice.
    ADR in DoCoMo's seven comma-separated parts fills the address fields; otherwise it is the
    street line as written.
    """
    contact = Contact()
    body = payload.strip()[len("MECARD:"):]
    for item in _split(body, ";"):
        key, _, raw = item.partition(":")
        key = key.strip().upper()
        value = _unescape(raw)
        if not value:
            continue
        if key == "N":
            parts = [_unescape(p) for p in _split(raw, ",")]
            if len(parts) >= 2:
                contact.name = Name(given=parts[1], family=parts[0])
            else:
                given, _, family = value.rpartition(" ")
                contact.name = Name(given=given, family=family) if given else Name(given=value)
        elif key == "TEL":
            number = _e164(value, region)
            kind = PhoneType.VOICE
            try:
                if phonenumbers.number_type(phonenumbers.parse(number)) == \
                        phonenumbers.PhoneNumberType.MOBILE:
                    kind = PhoneType.CELL
            except phonenumbers.NumberParseException:
                pass
            if all(p.number != number for p in contact.phones):
                contact.phones.append(Phone(number, kind, printed=value))
        elif key == "EMAIL":
            contact.emails.append(Email(value))
        elif key == "URL":
            contact.websites.append(_website(value))
        elif key == "ORG":
            contact.org = value
        elif key == "TITLE":
            contact.title = value
        elif key == "ADR":
            parts = [_unescape(p) for p in _split(raw, ",")]
            if len(parts) == 7:
                street = ", ".join(p for p in parts[:3] if p)
                contact.address = Address(street=street, city=parts[3], region=parts[4],
                                          postal_code=parts[5], country=parts[6])
            else:
                contact.address = Address(street=value, printed=value)
    return contact


_URL = re.compile(r"^(?:https?://|www\.)\S+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$", re.I)


def fields_from_qr(payload: str, region: str = "") -> QrPayload:
    """One QR payload typed and parsed: a vCard (2.1/3.0, CRLF or LF), a MeCard, a URL (website
    or social profile), mailto:/tel:, or plain text (no fields). `region` types national numbers.
    """
    text = payload.strip().lstrip("\ufeff")
    upper = text[:16].upper()
    if upper.startswith("BEGIN:VCARD"):
        try:
            return QrPayload("vcard", payload, _from_vcard(text, region))
        except VCardError:
            return QrPayload("text", payload)
    if upper.startswith("MECARD:"):
        return QrPayload("mecard", payload, parse_mecard(text, region))
    if upper.startswith("URLTO:"):  # DoCoMo bookmark
        text = text[6:].strip()
    if upper.startswith("MAILTO:"):
        address = text[7:].split("?", 1)[0].strip()
        return QrPayload("email", payload, Contact(emails=[Email(address)]))
    if upper.startswith("TEL:"):
        return QrPayload("phone", payload, Contact(phones=[Phone(_e164(text, region),
                                                                 printed=text[4:].strip())]))
    if _URL.match(text):
        return QrPayload("url", payload, Contact(websites=[_website(text)]))
    return QrPayload("text", payload)


def contact_from_qr(payloads: Sequence[str], region: str = "") -> QrFindings:
    """Every payload of one card typed; their contact: the first vCard/MeCard, plus the websites,
    emails and phones of the other codes."""
    items = [fields_from_qr(p, region) for p in payloads]
    cards = [item.contact for item in items if item.kind in ("vcard", "mecard")]
    contact = copy.deepcopy(cards[0]) if cards else Contact()
    for item in items:
        if item.kind in ("vcard", "mecard") and item.contact is cards[0]:
            continue
        append_new(contact.websites, item.contact.websites, lambda w: url_key(w.url))
        append_new(contact.emails, item.contact.emails, lambda e: email_key(e.address))
        append_new(contact.phones, item.contact.phones, lambda p: phone_key(p.number))
    return QrFindings(list(payloads), items, contact)


# ---------------------------------------------------------------- merging with OCR


def _near(a: str, b: str) -> bool:
    """The same value, or one an OCR misreading of the other."""
    a, b = a.casefold(), b.casefold()
    return a == b or fuzz.ratio(a, b) >= NEAR_RATIO


def merge_qr(ocr: Contact, qr: Contact | QrFindings) -> Contact:
    """The OCR contact completed and corrected by its card's QR codes (a new Contact).

    A QR value wins over OCR for the same field and fills what OCR missed: name, title,
    department, company and address when the QR has them; a QR phone, email or website
    replaces the OCR one it is a misreading of (same or near value), and OCR's own extra
    values stay. A phone keeps OCR's type when the QR only says "voice". A QR website
    classified as a social profile replaces OCR's profile of that network.
    """
    source = qr.contact if isinstance(qr, QrFindings) else qr
    merged = copy.deepcopy(ocr)
    confidence = dict(merged.confidence)
    if source.name:
        merged.name = copy.deepcopy(source.name)
        confidence["name"] = 1.0
    for name in ("title", "department", "org"):
        value = getattr(source, name)
        if value:
            setattr(merged, name, value)
            confidence[name] = 1.0
    if source.address:
        merged.address = copy.deepcopy(source.address)
        confidence["address"] = 1.0
    merged.confidence = confidence

    phones = [copy.deepcopy(p) for p in source.phones]
    for phone in phones:
        same = next((p for p in ocr.phones if p.number == phone.number), None)
        if same is not None and phone.type == PhoneType.VOICE:
            phone.type = same.type
        phone.confidence = 1.0
    merged.phones = phones + [p for p in ocr.phones
                              if not any(_near(p.number, q.number) for q in phones)]

    emails = [Email(e.address, 1.0) for e in source.emails]
    merged.emails = emails + [e for e in ocr.emails
                              if not any(_near(e.address, q.address) for q in emails)]

    sites = [Website(w.url, w.kind, 1.0) for w in source.websites]

    def replaced(website: Website) -> bool:
        for ours in sites:
            if ours.kind != website.kind:
                continue
            if ours.kind != "website" or _near(url_key(ours.url), url_key(website.url)):
                return True
        return False

    merged.websites = sites + [w for w in ocr.websites if not replaced(w)]
    return merged
