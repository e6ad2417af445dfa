"""Contact <-> vCard text. The only module that imports vobject.

What we write is meant to import everywhere (iOS, Android, Google, Outlook, CardDAV
servers): vCard 3.0, UTF-8 without BOM, CRLF, lines folded at 75 octets without
splitting a character, upper-case TYPE values. Everything cardscan knows that has no
standard property goes into ``X-CARDSCAN-*`` properties, and the annotations are also
written as readable text at the end of NOTE, for phones that drop X- properties.

Reading accepts what other tools write (khard, Google, iOS, Nextcloud; 3.0 or 4.0).

Cards other tools wrote are never regenerated: `update_card` edits the card's own
text line by line (vobject serialises 3.0 only, and would drop or reorder what
cardscan does not model). It works out which properties cardscan's view of the
contact changed, by comparing what `to_vcard` makes of the contact before and
after the change, and replaces only those lines; every other line (NICKNAME,
BDAY, a second ADR, ``item1.`` groups, X- properties, a 4.0 card's KIND or
PHOTO:data:) stays byte for byte, VERSION included. `export_card` converts a
4.0 card to 3.0 for phones; the book keeps what it was given.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import unquote, urlsplit

import vobject
from vobject.base import ParseError, VObjectError

from cardscan.errors import VCardError
from cardscan.merge import email_key, phone_key, url_key
from cardscan.models import (
    Address,
    Annotations,
    Contact,
    Email,
    HistoryEntry,
    HistoryKind,
    Name,
    Phone,
    PhoneType,
    Source,
    Website,
)
from cardscan.text import social_kind

#: The PHOTO property (base64 included) is kept under this many bytes.
MAX_PHOTO_BYTES = 100_000
PRODID = "-//cardscan//cardscan//EN"
#: A contact file larger than this is not read (a 30 MB NOTE took 15 s and 4.6 GB).
MAX_CARD_FILE_BYTES = 4 * 1024 * 1024

_TEL_TYPES: dict[PhoneType, list[str]] = {
    PhoneType.CELL: ["CELL"],
    PhoneType.WORK: ["WORK", "VOICE"],
    PhoneType.FAX: ["WORK", "FAX"],
    PhoneType.VOICE: ["VOICE"],
}

# Labels of the readable annotation block at the end of NOTE. The same (English) labels
# are written whatever the prompt's language, so reading them back never depends on the
# locale; the Spanish forms are also recognised, for notes edited by hand.
_NOTE_LABELS: dict[str, tuple[str, ...]] = {
    "met_at": ("Met at", "Nos conocimos en", "Conocido en"),
    "needs": ("Needs", "Necesita"),
    "offer": ("How I can help", "Cómo puedo ayudar", "Puedo ayudar"),
    "tags": ("Tags", "Etiquetas"),
    "follow_up": ("Follow-up", "Seguimiento"),
}
_CONTINUATION = "  "  # indent of the 2nd+ lines of a multi-line answer in NOTE



# ---------------------------------------------------------------- writing


def to_vcard(contact: Contact, *, photo: bool = False, compact: bool = False) -> str:
    """The contact as one vCard 3.0 (CRLF line ends, folded, UTF-8 safe).

    ``photo`` adds the card crop as PHOTO (kept under 100 KB). ``compact`` leaves out
    the X-CARDSCAN-* bookkeeping (for QR codes and importers that only want the
    person); the annotations stay readable in NOTE.
    """
    card = vobject.vCard()
    card.add("prodid").value = PRODID
    card.add("uid").value = contact.uid
    card.add("fn").value = contact.display_name
    name = contact.name
    card.add("n").value = vobject.vcard.Name(
        family=name.family, given=name.given, additional=name.middle,
        prefix=name.prefix, suffix=name.suffix,
    )
    if not contact.name and contact.org:
        card.add("x-abshowas").value = "COMPANY"  # Apple shows the company, not "No name"
    if contact.org or contact.department:
        card.add("org").value = [contact.org] + ([contact.department] if contact.department else [])
    if contact.title:
        card.add("title").value = contact.title
    for phone in contact.phones:
        tel = card.add("tel")
        tel.value = phone.number
        tel.type_paramlist = list(_TEL_TYPES.get(PhoneType(phone.type), ["VOICE"]))
    for email in contact.emails:
        prop = card.add("email")
        prop.value = email.address
        prop.type_paramlist = ["INTERNET", "WORK"]
    for site in contact.websites:
        card.add("url").value = site.url
        if site.kind and site.kind != "website":
            social = card.add("x-socialprofile")
            social.value = site.url
            social.type_paramlist = [site.kind.upper()]
    _add_address(card, contact.address, compact=compact)
    note = note_text(contact)
    if note:
        card.add("note").value = note
    if contact.annotations.tags:
        card.add("categories").value = list(contact.annotations.tags)
    card.add("rev").value = _format_datetime(contact.rev)
    if not compact:
        _add_annotations(card, contact.annotations)
        _add_bookkeeping(card, contact)
    if photo and contact.photo_jpeg:
        jpeg = shrink_jpeg(contact.photo_jpeg)
        prop = card.add("photo")
        prop.value = jpeg  # vobject base64-encodes bytes when ENCODING=b
        prop.encoding_param = "b"
        prop.type_param = "JPEG"
    # vobject skips folding for lines under 75 *characters*, even when they are longer
    # than 75 octets: serialise unfolded and fold here, by octets.
    text = card.serialize(lineLength=1 << 30)
    return "".join(fold_line(line) + "\r\n" for line in text.split("\r\n") if line)


def fold_line(line: str, limit: int = 75) -> str:
    """Fold one content line at ``limit`` octets (UTF-8), never inside a character."""
    if len(line.encode("utf-8")) <= limit:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [" "], 1  # a continuation line starts with one space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n".join(pieces)


def _add_address(card: vobject.base.Component, address: Address, *, compact: bool) -> None:
    if not address:
        return
    adr = card.add("adr")
    adr.value = vobject.vcard.Address(
        street=address.street, city=address.city, region=address.region,
        code=address.postal_code, country=address.country,
    )
    adr.type_paramlist = ["WORK"]
    if address.printed:
        label = card.add("label")
        label.value = address.printed
        label.type_paramlist = ["WORK"]
    if address.country_code and not compact:
        card.add("x-cardscan-country-code").value = address.country_code


def _add_annotations(card: vobject.base.Component, notes: Annotations) -> None:
    simple = {
        "x-cardscan-met-at": notes.met_at,
        "x-cardscan-needs": notes.needs,
        "x-cardscan-offer": notes.offer,
        "x-cardscan-follow-up": notes.follow_up.isoformat() if notes.follow_up else "",
        "x-cardscan-follow-up-done": notes.follow_up_done.isoformat() if notes.follow_up_done else "",
        "x-cardscan-annotated-at": _format_datetime(notes.annotated_at) if notes.annotated_at else "",
        "x-cardscan-skipped": "TRUE" if notes.skipped else "",
        "x-cardscan-keep-in-touch": notes.every,
    }
    for prop, value in simple.items():
        if value:
            card.add(prop).value = value
    for entry in notes.history:
        line = card.add("x-cardscan-history")
        line.value = entry.text
        line.params["X-KIND"] = [str(entry.kind).upper().replace("_", "-")]
        line.params["X-DATE"] = [entry.day.isoformat()]
        if entry.with_uid:
            line.params["X-WITH"] = [_quote_param(entry.with_uid)]
        if entry.with_name:
            line.params["X-WITH-NAME"] = [_quote_param(entry.with_name)]


def _add_bookkeeping(card: vobject.base.Component, contact: Contact) -> None:
    for source in contact.sources:
        prop = card.add("x-cardscan-source")
        prop.value = printable(source.file)
        if source.path:
            prop.params["X-PATH"] = [_quote_param(source.path)]
        if source.sha256:
            prop.params["X-SHA256"] = [source.sha256]
        if source.scanned_at:
            prop.params["X-SCANNED"] = [_format_datetime(source.scanned_at, basic=True)]
        if source.card_index:
            prop.params["X-CARD"] = [str(source.card_index)]
    confidence = _format_confidence(contact)
    if confidence:
        card.add("x-cardscan-confidence").value = confidence
    if contact.user_edited:
        card.add("x-cardscan-user-edited").value = " ".join(sorted(contact.user_edited))
    if contact.is_me:
        card.add("x-cardscan-me").value = "TRUE"


def note_text(contact: Contact) -> str:
    """NOTE as written: the user's own note, then the annotations as readable lines."""
    block = annotation_lines(contact.annotations)
    parts = [contact.note.strip("\n")] if contact.note.strip() else []
    if block:
        parts.append("\n".join(block))
    return "\n\n".join(parts)


def annotation_lines(notes: Annotations) -> list[str]:
    """The annotations as 'Label: value' lines (multi-line values indented)."""
    lines: list[str] = []

    def add(key: str, value: str) -> None:
        if value.strip():
            first, *rest = value.strip().splitlines()
            lines.append(f"{_NOTE_LABELS[key][0]}: {first}")
            lines.extend(_CONTINUATION + more for more in rest)

    add("met_at", notes.met_at)
    add("needs", notes.needs)
    add("offer", notes.offer)
    add("tags", ", ".join(notes.tags))
    if notes.follow_up:
        done = f" (done {notes.follow_up_done.isoformat()})" if notes.follow_up_done else ""
        add("follow_up", notes.follow_up.isoformat() + done)
    return lines


def _format_confidence(contact: Contact) -> str:
    """Per-field confidence, compact: 'name=0.93 org=0.8 tel1=0.45 email1=0.9'."""
    items: list[tuple[str, float]] = [
        (k, v) for k, v in contact.confidence.items() if re.fullmatch(r"[\w.:-]+", k)
    ]
    if contact.name.confidence != 1.0:
        items.append(("n", contact.name.confidence))
    if contact.address.confidence != 1.0:
        items.append(("adr", contact.address.confidence))
    for prefix, values in (
        ("tel", contact.phones), ("email", contact.emails), ("url", contact.websites)
    ):
        items += [
            (f"{prefix}{i}", v.confidence) for i, v in enumerate(values, 1) if v.confidence != 1.0
        ]
    return " ".join(f"{k}={round(v, 4):g}" for k, v in items)


def _format_datetime(value: datetime, *, basic: bool = False) -> str:
    """ISO 8601 in UTC ('Z') when the time is aware; ``basic`` leaves out '-' and ':'."""
    pattern = "%Y%m%dT%H%M%S" if basic else "%Y-%m-%dT%H:%M:%S"
    if value.tzinfo is not None:
        return value.astimezone(UTC).strftime(pattern) + "Z"
    return value.strftime(pattern)


def _quote_param(text: str) -> str:
    """Text safe as a bare parameter value: %-encode what naive parsers split on."""
    def quoted(ch: str) -> str:
        if 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte of a file name that is not UTF-8
            return f"%{ord(ch) - 0xDC00:02X}"
        return f"%{ord(ch):02X}" if ch in '%";:,' or ord(ch) < 32 or ord(ch) == 127 else ch

    return "".join(map(quoted, text))


def printable(text: str) -> str:
    """A file name the OS gave as bytes that are not UTF-8, shown escaped: 'caf\\xe9.png'."""
    return os.fsencode(text).decode("utf-8", "backslashreplace") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def shrink_jpeg(jpeg: bytes, limit: int = MAX_PHOTO_BYTES) -> bytes:
    """The JPEG re-encoded smaller until its base64 form fits in ``limit`` bytes."""
    raw_limit = limit * 3 // 4 - 64
    if len(jpeg) <= raw_limit:
        return jpeg
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(jpeg))
        image.load()
    except OSError as exc:
        raise VCardError(f"the card photo is not a readable JPEG: {exc}") from exc
    image = image.convert("RGB")
    quality = 85
    while True:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
        data = buffer.getvalue()
        if len(data) <= raw_limit:
            return data
        if quality > 50:
            quality -= 15
        else:
            width, height = image.size
            if width < 32 or height < 32:
                return data
            image = image.resize((max(1, int(width * 0.75)), max(1, int(height * 0.75))))


# ---------------------------------------------------------------- reading


def from_vcard(text: str) -> Contact:
    """The first vCard in ``text`` as a Contact. Raises VCardError if there is none."""
    contacts = from_vcards(text, limit=1)
    if not contacts:
        raise VCardError("no vCard found")
    return contacts[0]


def from_vcards(text: str, limit: int | None = None) -> list[Contact]:
    """Every vCard in ``text`` (a combined .vcf file), in order."""
    text = text.lstrip("\ufeff")
    contacts: list[Contact] = []
    try:
        for component in vobject.readComponents(text, ignoreUnreadable=True):
            if component.name.upper() != "VCARD":
                continue
            contacts.append(_contact_from_component(component))
            if limit is not None and len(contacts) >= limit:
                break
    except (ParseError, VObjectError, ValueError, TypeError, binascii.Error) as exc:
        raise VCardError(f"cannot read vCard: {exc}") from exc
    return contacts


def _lines(card: vobject.base.Component, name: str) -> list[vobject.base.ContentLine]:
    return list(card.contents.get(name.lower(), []))


def _text(card: vobject.base.Component, name: str) -> str:
    lines = _lines(card, name)
    if not lines:
        return ""
    value = lines[0].value
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return str(value).strip() if value is not None else ""


def _types(line: vobject.base.ContentLine) -> set[str]:
    """TYPE values in upper case, from TYPE=a,b, TYPE=a;TYPE=b and 2.1-style bare params."""
    types: set[str] = set()
    for key, values in line.params.items():
        if key.upper() == "TYPE":
            for value in values:
                types.update(part.strip().upper() for part in str(value).split(","))
        elif not values:
            types.add(key.upper())
    singleton = getattr(line, "singletonparams", [])
    types.update(str(p).upper() for p in singleton)
    return types


def _contact_from_component(card: vobject.base.Component) -> Contact:
    contact = Contact()
    uid = _text(card, "uid")
    if uid:
        contact.uid = uid
    rev = _parse_datetime(_text(card, "rev"))
    if rev:
        contact.rev = rev
    _read_name(card, contact)
    _read_org(card, contact)
    contact.title = _text(card, "title")
    _read_phones(card, contact)
    for line in _lines(card, "email"):
        address = str(line.value or "").strip()
        if address.lower().startswith("mailto:"):
            address = address[7:]
        if address and all(e.address.lower() != address.lower() for e in contact.emails):
            contact.emails.append(Email(address))
    _read_websites(card, contact)
    _read_address(card, contact)
    _read_note_and_annotations(card, contact)
    _read_bookkeeping(card, contact)
    _read_photo(card, contact)
    _clean_contact(contact)
    return contact


_TERMINAL_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Text without terminal escape sequences and control characters (newline and tab stay).

    Applied to everything read from a vCard and to typed tags: an ORG another tool wrote
    with ESC sequences must not recolour or retitle the user's terminal in list or show.
    """
    if text.isprintable():
        return text
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", text))


def _clean_contact(contact: Contact) -> None:
    def clean_fields(item: object) -> None:
        for key, value in vars(item).items():
            if isinstance(value, str):
                setattr(item, key, clean_text(value))

    for item in (contact, contact.name, contact.address, contact.annotations,
                 *contact.phones, *contact.emails, *contact.websites):
        clean_fields(item)
    contact.annotations.tags = [clean_text(tag) for tag in contact.annotations.tags]
    for entry in contact.annotations.history:
        entry.text, entry.with_name = clean_text(entry.text), clean_text(entry.with_name)


def _read_name(card: vobject.base.Component, contact: Contact) -> None:
    fn = _text(card, "fn")
    n_lines = _lines(card, "n")
    value = n_lines[0].value if n_lines else None
    if isinstance(value, vobject.vcard.Name):
        def join(part: object) -> str:
            return " ".join(part) if isinstance(part, list) else str(part or "")

        contact.name = Name(
            given=join(value.given).strip(), family=join(value.family).strip(),
            middle=join(value.additional).strip(), prefix=join(value.prefix).strip(),
            suffix=join(value.suffix).strip(),
        )
    elif isinstance(value, str) and value.strip(";"):
        parts = (value.split(";") + [""] * 5)[:5]
        contact.name = Name(family=parts[0], given=parts[1], middle=parts[2],
                            prefix=parts[3], suffix=parts[4])
    name = contact.name
    if name.given and name.family and f"{name.family} {name.given}" in fn \
            and f"{name.given} {name.family}" not in fn:
        name.family_first = True  # FN 'Tanaka Hiroshi' over N 'Tanaka;Hiroshi'
    show_as_company = _text(card, "x-abshowas").upper() == "COMPANY"
    org_lines = _lines(card, "org")
    org_value = org_lines[0].value if org_lines else ""
    org = org_value[0] if isinstance(org_value, list) and org_value else str(org_value or "")
    looks_like_person = not re.search(r"[@\d]", fn) and fn != org.strip()
    if not n_lines and fn and not show_as_company and looks_like_person:
        given, _, family = fn.partition(" ")
        contact.name = Name(given=given, family=family.strip())


def _read_org(card: vobject.base.Component, contact: Contact) -> None:
    lines = _lines(card, "org")
    if not lines:
        return
    value = lines[0].value
    parts = [str(p).strip() for p in value] if isinstance(value, list) else str(value).split(";")
    parts = [p.strip() for p in parts]
    contact.org = parts[0] if parts else ""
    contact.department = ", ".join(p for p in parts[1:] if p)


def _read_phones(card: vobject.base.Component, contact: Contact) -> None:
    for line in _lines(card, "tel"):
        raw = str(line.value or "").strip()
        if raw.lower().startswith("tel:"):
            raw = raw[4:]
        if not raw:
            continue
        number = _normalise_number(raw)
        if any(p.number == number for p in contact.phones):
            continue
        types = _types(line)
        if "FAX" in types:
            kind = PhoneType.FAX
        elif types & {"CELL", "MOBILE", "IPHONE"}:
            kind = PhoneType.CELL
        elif "WORK" in types:
            kind = PhoneType.WORK
        else:
            kind = PhoneType.VOICE
        printed = "" if number == raw else raw
        contact.phones.append(Phone(number, kind, printed=printed))


def _normalise_number(raw: str) -> str:
    """E.164 when the number carries its country code; otherwise as written."""
    import phonenumbers

    cleaned = raw.split(";")[0].strip()
    if cleaned.startswith(("+", "00")):
        try:
            parsed = phonenumbers.parse("+" + cleaned[2:] if cleaned.startswith("00") else cleaned)
        except phonenumbers.NumberParseException:
            return cleaned
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return cleaned


def _social_kind(url: str) -> str:
    return social_kind(urlsplit(url if "//" in url else "//" + url).hostname or "")


def _read_websites(card: vobject.base.Component, contact: Contact) -> None:
    social: dict[str, str] = {}
    for line in _lines(card, "x-socialprofile"):
        url = str(line.value or "").strip()
        kinds = [t.lower() for t in _types(line) if t not in {"PREF"}]
        if url:
            social[url] = kinds[0] if kinds else _social_kind(url)
    seen: set[str] = set()
    for line in _lines(card, "url"):
        url = str(line.value or "").strip()
        if url and url not in seen:
            seen.add(url)
            contact.websites.append(Website(url, social.get(url) or _social_kind(url)))
    for url, kind in social.items():  # profiles written without a matching URL (iOS)
        if url not in seen and url.startswith(("http://", "https://")):
            seen.add(url)
            contact.websites.append(Website(url, kind))


def _read_address(card: vobject.base.Component, contact: Contact) -> None:
    lines = _lines(card, "adr")
    if not lines:
        return
    line = next((x for x in lines if "WORK" in _types(x)), lines[0])
    value = line.value
    if not isinstance(value, vobject.vcard.Address):
        return

    def join(part: object) -> str:
        return "\n".join(part) if isinstance(part, list) else str(part or "")

    street = "\n".join(p for p in (join(value.box), join(value.extended), join(value.street)) if p)
    contact.address = Address(
        street=street.strip(), city=join(value.city).strip(), region=join(value.region).strip(),
        postal_code=join(value.code).strip(), country=join(value.country).strip(),
    )
    labels = _lines(card, "label")
    if labels:
        label = next((x for x in labels if "WORK" in _types(x)), labels[0])
        contact.address.printed = str(label.value or "")
    contact.address.country_code = _text(card, "x-cardscan-country-code").upper()


def _read_note_and_annotations(card: vobject.base.Component, contact: Contact) -> None:
    note = _text_raw(card, "note")
    user_note, from_note = split_note(note)
    contact.note = user_note
    notes = Annotations()
    notes.met_at = _text_raw(card, "x-cardscan-met-at") or from_note.get("met_at", "")
    notes.needs = _text_raw(card, "x-cardscan-needs") or from_note.get("needs", "")
    notes.offer = _text_raw(card, "x-cardscan-offer") or from_note.get("offer", "")
    categories: list[str] = []
    for line in _lines(card, "categories"):
        values = line.value if isinstance(line.value, list) else str(line.value).split(",")
        categories += [str(v).strip() for v in values if str(v).strip()]
    if not categories and from_note.get("tags"):
        categories = [t.strip() for t in from_note["tags"].split(",") if t.strip()]
    notes.tags = list(dict.fromkeys(categories))
    follow = _text(card, "x-cardscan-follow-up")
    done = _text(card, "x-cardscan-follow-up-done")
    if not follow and from_note.get("follow_up"):
        match = re.match(r"(\d{4}-\d{2}-\d{2})(?:\s*\((?:done|hecho)\s+(\d{4}-\d{2}-\d{2})\))?",
                         from_note["follow_up"])
        if match:
            follow, done = match.group(1), done or (match.group(2) or "")
    notes.follow_up = _parse_date(follow)
    notes.follow_up_done = _parse_date(done)
    notes.annotated_at = _parse_datetime(_text(card, "x-cardscan-annotated-at"))
    notes.skipped = _text(card, "x-cardscan-skipped").upper() in {"TRUE", "YES", "1"}
    notes.every = _text(card, "x-cardscan-keep-in-touch").upper()
    notes.history = _read_history(card)
    contact.annotations = notes


def _read_history(card: vobject.base.Component) -> list[HistoryEntry]:
    """The X-CARDSCAN-HISTORY lines, oldest first; a line that cannot be read is left out
    of the contact (and stays in the file: only changed entries are ever rewritten)."""
    entries: list[HistoryEntry] = []
    kinds = {str(k).upper().replace("_", "-"): k for k in HistoryKind}
    for line in _lines(card, "x-cardscan-history"):
        params = {k.upper(): [str(v) for v in values] for k, values in line.params.items()}

        def param(key: str, params: dict[str, list[str]] = params) -> str:
            values = params.get(key) or [""]
            return unquote(values[0], errors="surrogateescape")

        kind = kinds.get(param("X-KIND").upper())
        day = _parse_date(param("X-DATE"))
        if kind is None or day is None:
            continue
        entries.append(HistoryEntry(kind, day, str(line.value or "").strip(),
                                    param("X-WITH"), param("X-WITH-NAME")))
    return sorted(entries, key=lambda e: e.day)


def _text_raw(card: vobject.base.Component, name: str) -> str:
    """A text property's value without stripping inner newlines."""
    lines = _lines(card, name)
    if not lines:
        return ""
    value = lines[0].value
    return str(value).strip("\r\n ") if value is not None else ""


def split_note(note: str) -> tuple[str, dict[str, str]]:
    """Split NOTE into (the user's own text, the annotation block's values by field)."""
    lines = note.replace("\r\n", "\n").split("\n")
    values: dict[str, str] = {}
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and (_label_of(lines[start - 1]) or lines[start - 1].startswith(_CONTINUATION)):
        start -= 1
    # the block must start with a label line and be the whole note or follow a blank line
    while start < end and not _label_of(lines[start]):
        start += 1
    if start == end or (start > 0 and lines[start - 1].strip()):
        return note.strip("\n"), {}
    key = ""
    for line in lines[start:end]:
        found = _label_of(line)
        if found:
            key, value = found
            values[key] = value
        elif key:
            values[key] += "\n" + line[len(_CONTINUATION):]
    return "\n".join(lines[:start]).strip("\n"), values


def _label_of(line: str) -> tuple[str, str] | None:
    for key, labels in _NOTE_LABELS.items():
        for label in labels:
            if line.lower().startswith(label.lower() + ":"):
                return key, line[len(label) + 1:].strip()
    return None


def _read_bookkeeping(card: vobject.base.Component, contact: Contact) -> None:
    for line in _lines(card, "x-cardscan-source"):
        params = {k.upper(): v for k, v in line.params.items()}

        def param(key: str, params: dict[str, list[str]] = params) -> str:
            values = params.get(key) or [""]
            return str(values[0])

        index = param("X-CARD")
        contact.sources.append(Source(
            file=str(line.value or ""), path=unquote(param("X-PATH"), errors="surrogateescape"),
            sha256=param("X-SHA256"),
            scanned_at=_parse_datetime(param("X-SCANNED")),
            card_index=int(index) if index.isdigit() else 0,
        ))
    confidence = _text(card, "x-cardscan-confidence")
    lists = {"tel": contact.phones, "email": contact.emails, "url": contact.websites}
    for item in confidence.split():
        key, _, raw = item.partition("=")
        try:
            value = float(raw)
        except ValueError:
            continue
        match = re.fullmatch(r"(tel|email|url)(\d+)", key)
        if match:
            items = lists[match.group(1)]
            position = int(match.group(2)) - 1
            if 0 <= position < len(items):
                items[position].confidence = value
        elif key == "n":
            contact.name.confidence = value
        elif key == "adr":
            contact.address.confidence = value
        else:
            contact.confidence[key] = value
    edited = _text(card, "x-cardscan-user-edited")
    contact.user_edited = {e for e in re.split(r"[\s,]+", edited) if e}
    contact.is_me = _text(card, "x-cardscan-me").upper() in {"TRUE", "YES", "1"}


def _read_photo(card: vobject.base.Component, contact: Contact) -> None:
    lines = _lines(card, "photo")
    if not lines:
        return
    value = lines[0].value
    if isinstance(value, bytes):
        contact.photo_jpeg = value or None
    elif isinstance(value, str) and value.startswith("data:") and ";base64," in value:
        try:
            contact.photo_jpeg = base64.b64decode(value.split(",", 1)[1])
        except binascii.Error:
            contact.photo_jpeg = None


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text[:10] if "-" in text else text[:8], fmt).date()
        except ValueError:
            continue
    return None


def _parse_datetime(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    candidate = text.replace("Z", "+00:00")
    if re.fullmatch(r"\d{8}T\d{6}(\+00:00)?", candidate):
        candidate = (f"{candidate[:4]}-{candidate[4:6]}-{candidate[6:8]}T"
                     f"{candidate[9:11]}:{candidate[11:13]}:{candidate[13:]}")
    elif re.fullmatch(r"\d{8}", candidate):
        candidate = f"{candidate[:4]}-{candidate[4:6]}-{candidate[6:8]}"
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def join_vcards(cards: Iterable[str]) -> str:
    """Several vCards as one combined file's text."""
    return "".join(card if card.endswith("\r\n") else card + "\r\n" for card in cards)


# ---------------------------------------------------------------- cards in the book


@dataclass
class CardRead:
    """One card of a file: its exact text, the contact read from it or why it could not be."""

    text: str
    contact: Contact | None
    error: str = ""
    has_uid: bool = True


_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_cards(text: str) -> list[str]:
    """The text of every BEGIN:VCARD..END:VCARD of a file, exactly as written (nested AGENT
    cards stay inside theirs). What is outside the cards is not kept by `join_cards`."""
    cards: list[str] = []
    depth, start, offset = 0, 0, 0
    for match in _PHYSICAL_LINE.finditer(text):
        line = match.group().rstrip("\r\n").strip().upper()
        if line == "BEGIN:VCARD":
            if depth == 0:
                start = offset
            depth += 1
        elif line == "END:VCARD" and depth:
            depth -= 1
            if depth == 0:
                cards.append(text[start:match.end()])
        offset = match.end()
    return cards


def read_cards(text: str) -> list[CardRead]:
    """Every card of a .vcf file's text, each read on its own (a broken one spoils no other)."""
    results: list[CardRead] = []
    for card_text in split_cards(text.lstrip("\ufeff")):
        try:
            component = vobject.readOne(card_text, ignoreUnreadable=True)
            results.append(CardRead(card_text, _contact_from_component(component),
                                    has_uid="uid" in component.contents))
        except (ParseError, VObjectError, ValueError, TypeError, binascii.Error) as exc:
            results.append(CardRead(card_text, None, f"cannot read vCard: {exc}"))
    return results


@dataclass
class _ContentLine:
    raw: str  # as in the file: folded, with its line ends
    name: str  # property name, upper case, without the group
    group: str  # "ITEM1" for item1.TEL, upper case
    head: str  # name and parameters, unfolded
    value: str  # unfolded, still escaped

    @classmethod
    def parse(cls, raw: str) -> _ContentLine:
        logical = re.sub(r"(?:\r\n|\r|\n)[ \t]", "", raw).rstrip("\r\n")
        quoted, split = False, len(logical)
        for i, ch in enumerate(logical):
            if ch == '"':
                quoted = not quoted
            elif ch == ":" and not quoted:
                split = i
                break
        head, value = logical[:split], logical[split + 1:]
        name = re.split(r"[;]", head, maxsplit=1)[0]
        group, _, name = name.rpartition(".")
        return cls(raw, name.strip().upper(), group.strip().upper(), head, value)


def _content_lines(card_text: str) -> list[_ContentLine]:
    """The card's logical lines, each with its folded continuation lines."""
    chunks: list[str] = []
    for match in _PHYSICAL_LINE.finditer(card_text):
        physical = match.group()
        if chunks and physical[:1] in (" ", "\t"):
            chunks[-1] += physical
        else:
            chunks.append(physical)
    return [_ContentLine.parse(chunk) for chunk in chunks if chunk.strip()]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _without_scheme(value: str, scheme: str) -> str:
    return value[len(scheme):] if value.lower().startswith(scheme) else value


#: Properties that hold one item per line, and how two lines are known to be one item:
#: these are edited item by item, keeping the lines (and their groups) of unchanged items.
_ITEM_KEYS: dict[str, Callable[[_ContentLine], str]] = {
    "TEL": lambda line: phone_key(_without_scheme(_unescape(line.value), "tel:")),
    "EMAIL": lambda line: email_key(_unescape(line.value)),
    "URL": lambda line: url_key(_unescape(line.value)),
    "X-SOCIALPROFILE": lambda line: url_key(_unescape(line.value)),
    "X-CARDSCAN-SOURCE": lambda line: line.head.upper() + ":" + line.value,
    # one line per entry: recording a gift or an introduction inserts one line, and the
    # entries already there (and their order) stay byte for byte
    "X-CARDSCAN-HISTORY": lambda line: line.head.upper() + ":" + line.value,
}
#: Properties cardscan reads from every line (all are replaced together).
_READ_FROM_ALL = {"CATEGORIES"}
#: Properties cardscan reads from the WORK line when there are several.
_READ_FROM_WORK = {"ADR", "LABEL"}


def _card_lines(contact: Contact) -> list[_ContentLine]:
    """The lines `to_vcard` writes for the contact (the properties cardscan owns)."""
    return _content_lines(to_vcard(contact, photo=contact.photo_jpeg is not None))


def _version(lines: list[_ContentLine]) -> str:
    return next((line.value.strip() for line in lines if line.name == "VERSION"), "3.0")


def update_card(original: str, before: Contact, after: Contact) -> str:
    """``original`` (a card's text) with what changed from ``before`` to ``after``.

    ``before`` is the contact as read from ``original``. Only properties whose lines
    `to_vcard` writes differently for the two are touched; lists (TEL, EMAIL, URL) item
    by item, so a grouped ``item1.TEL`` with its ``item1.X-ABLabel`` survives a new
    phone. Line ends, folding and VERSION of the original are kept.
    """
    lines = _content_lines(original)
    version = _version(lines)
    newline = re.search(r"\r\n|\n|\r", original)
    eol = newline.group() if newline else "\r\n"

    def grouped(items: list[_ContentLine]) -> dict[str, list[_ContentLine]]:
        found: dict[str, list[_ContentLine]] = {}
        for line in items:
            found.setdefault(line.name, []).append(line)
        return found

    old, new = grouped(_card_lines(before)), grouped(_card_lines(after))
    changed = [name for name in dict.fromkeys([*old, *new])
               if [(x.head, x.value) for x in old.get(name, [])]
               != [(x.head, x.value) for x in new.get(name, [])]]
    if changed and "REV" not in changed:
        changed.append("REV")  # a changed card says when it changed
    for name in changed:
        was, now = old.get(name, []), new.get(name, [])
        written = [_for_version(x, version, eol) for x in now]
        lines = _replace_property(lines, name, was, [x for x in written if x is not None])
    return "".join(line.raw for line in lines)


def _replace_property(lines: list[_ContentLine], name: str, was: list[_ContentLine],
                      now: list[_ContentLine]) -> list[_ContentLine]:
    """``lines`` with property ``name`` changed from the lines ``was`` to ``now``."""
    key = _ITEM_KEYS.get(name)
    if key is not None:
        gone = {key(x) for x in was} - {key(x) for x in now}
        dropped_groups = {x.group for x in lines if x.name == name and x.group and key(x) in gone}
        kept = [x for x in lines if not (x.name == name and key(x) in gone)
                and not (x.group and x.group in dropped_groups)]
        have = {key(x) for x in kept if x.name == name}
        return _insert(kept, name, [x for x in now if key(x) not in have])
    positions = [i for i, x in enumerate(lines) if x.name == name]
    if not positions:
        return _insert(lines, name, now)
    if name in _READ_FROM_ALL:
        rest = set(positions[1:])
        lines = [x for i, x in enumerate(lines) if i not in rest]
        target = positions[0]
    elif name in _READ_FROM_WORK:
        target = next((i for i in positions if "WORK" in lines[i].head.upper()), positions[0])
    else:
        target = positions[0]
    return lines[:target] + now + lines[target + 1:]


def _insert(lines: list[_ContentLine], name: str, new: list[_ContentLine]) -> list[_ContentLine]:
    """``new`` after the last ``name`` line, else before the card's END."""
    if not new:
        return lines
    at = max((i + 1 for i, x in enumerate(lines) if x.name == name), default=None)
    if at is None:
        ends = [i for i, x in enumerate(lines) if x.name == "END"]
        at = ends[-1] if ends else len(lines)
    return lines[:at] + new + lines[at:]


def _for_version(line: _ContentLine, version: str, eol: str) -> _ContentLine | None:
    """A line `to_vcard` wrote (3.0), as the card's version and line ends want it."""
    head, value = line.head, line.value
    if version.startswith("4"):
        if line.name == "LABEL":
            return None  # 4.0 has no LABEL property (ADR;LABEL= instead): ADR is enough
        if line.name == "PHOTO" and "ENCODING=B" in head.upper():
            head, value = "PHOTO", "data:image/jpeg;base64," + value
    text = fold_line(f"{head}:{value}").replace("\r\n", eol) + eol
    return _ContentLine.parse(text)


def export_card(contact: Contact, *, photo: bool = False) -> str:
    """The contact as vCard 3.0 for phones and importers, keeping what other tools wrote.

    A card from the book is its own text (converted from 4.0 when needed; PHOTO only
    with ``photo``); a contact never stored is written by `to_vcard`.
    """
    if not contact.vcard_text:
        return to_vcard(contact, photo=photo)
    out: list[str] = []
    four = _version(_content_lines(contact.vcard_text)).startswith("4")
    for line in _content_lines(contact.vcard_text):
        head, value = line.head, line.value
        if line.name == "PHOTO" and not photo:
            continue
        if four:
            head, value = _to_version_3(line)
        out.append(fold_line(f"{head}:{value}") + "\r\n")
    return "".join(out)


def _to_version_3(line: _ContentLine) -> tuple[str, str]:
    """A vCard 4.0 line as 3.0 writes it (VERSION, data: photos, tel:/mailto: URIs)."""
    head, value = line.head, line.value
    if line.name == "VERSION":
        return head, "3.0"
    params = re.sub(r";VALUE=URI", "", head, flags=re.IGNORECASE)
    if line.name == "PHOTO" and value.lower().startswith("data:") and ";base64," in value:
        kind = value[5:].split(";", 1)[0].split("/")[-1].upper() or "JPEG"
        return f"{params};ENCODING=b;TYPE={kind}", value.split(",", 1)[1]
    if line.name == "TEL":
        return params, _without_scheme(value, "tel:")
    if line.name == "EMAIL":
        return params, _without_scheme(value, "mailto:")
    return head, value


def join_cards(cards: Iterable[str]) -> str:
    """A .vcf file's text from its cards' texts."""
    return "".join(cards)
