"""vCard writing and reading, checked by an independent validator (the `vcard` package)."""

from __future__ import annotations

import io
import re
import warnings
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from cardscan import errors, vcard
from cardscan.models import (
    Address,
    Annotations,
    Contact,
    Email,
    Name,
    Phone,
    PhoneType,
    Source,
    Website,
)


def full_contact() -> Contact:
    """A contact using every field, with the characters that break naive writers."""
    return Contact(
        name=Name(given="José María", family="Núñez-Ørsted 😀", prefix="Dra.", suffix="PhD",
                  confidence=0.7),
        title='Directora; I+D, "Ops"', department="Ventas", org="Año Nuevo, S.A.",
        phones=[Phone("+34912345678", PhoneType.WORK, confidence=0.5),
                Phone("+34612345678", PhoneType.CELL), Phone("+34912345679", PhoneType.FAX),
                Phone("+525512345678", PhoneType.VOICE)],
        emails=[Email("jose@example.es", 0.8), Email("jm@example.com")],
        websites=[Website("https://www.example.es"),
                  Website("https://www.linkedin.com/in/jose", "linkedin")],
        address=Address(street="Calle Mayor 1, 3º", city="Madrid", region="Madrid",
                        postal_code="28013", country="España", country_code="ES",
                        printed="Calle Mayor 1, 3º\n28013 Madrid", confidence=0.9),
        note="Mi nota; con, comas\ny líneas \\ barra",
        annotations=Annotations(
            met_at="EatsAndTwitts Madrid", needs="financiación\nsegunda línea",
            offer="intro a inversores", tags=["evento", "vip, sí"], follow_up=date(2026, 12, 1),
            follow_up_done=date(2026, 12, 3), annotated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)),
        sources=[Source("card 01;x.jpg", '/tmp/a "q";b,c:d/card.jpg', "ab" * 32,
                        datetime(2025, 1, 1, tzinfo=UTC), 1),
                 Source("second.jpg")],
        confidence={"name": 0.93, "org": 0.8, "title": 0.41},
        user_edited={"title", "name"},
        rev=datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC),
    )


def lower_types(text: str) -> str:
    """TYPE values lower-cased: the validator compares them case-sensitively (RFC says not)."""
    return re.sub(r"(?i)(;TYPE=)([^:;]+)", lambda m: m.group(1) + m.group(2).lower(), text)


def assert_valid(text: str) -> None:
    """Validate every card in ``text`` with the `vcard` package (RFC 2426).

    The validator works on octets (its "non-ASCII" class is 0x80-0xFF), so UTF-8 text is
    handed to it as Latin-1-decoded bytes, exactly as the RFC's grammar sees it.
    """
    from vcard.vcard_validator import VCard

    octets = lower_types(text).encode("utf-8").decode("latin-1")
    cards = re.findall(r"BEGIN:VCARD\r\n.*?END:VCARD\r\n", octets, flags=re.S)
    assert cards, "no vCard in text"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "short folded line": folding at 75 octets is fine
        for card in cards:
            VCard(card)


def test_validator_rejects_broken_cards() -> None:
    """The helper can fail: a card with a bad property name or bare LF is refused."""
    good = vcard.to_vcard(full_contact())
    with pytest.raises(Exception):  # noqa: B017 - the validator's own error classes
        assert_valid(good.replace("TITLE:", "TIT LE:"))
    with pytest.raises(Exception):  # noqa: B017
        assert_valid(good.replace("\r\n", "\n").replace("END:VCARD\n", "END:VCARD\r\n"))


def test_full_contact_is_valid_and_shaped_for_phones() -> None:
    text = vcard.to_vcard(full_contact())
    assert_valid(text)
    assert not text.startswith("\ufeff")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCARD" and "VERSION:3.0" in lines
    for prop in ("FN:", "N:", "UID:", "REV:"):
        assert any(line.startswith(prop) for line in lines), prop
    assert "TEL;TYPE=CELL:+34612345678" in lines
    assert "TEL;TYPE=WORK,VOICE:+34912345678" in lines
    assert "TEL;TYPE=WORK,FAX:+34912345679" in lines
    assert "TEL;TYPE=VOICE:+525512345678" in lines
    assert "EMAIL;TYPE=INTERNET,WORK:jose@example.es" in lines
    assert "ORG:Año Nuevo\\, S.A.;Ventas" in lines
    assert "CATEGORIES:evento,vip\\, sí" in lines
    assert "QUOTED-PRINTABLE" not in text
    assert "X-SOCIALPROFILE;TYPE=LINKEDIN:https://www.linkedin.com/in/jose" in lines
    assert any(line.startswith("ADR;TYPE=WORK:;;Calle Mayor 1\\, 3º;Madrid") for line in lines)
    for prop in ("MET-AT", "NEEDS", "OFFER", "FOLLOW-UP", "SOURCE", "CONFIDENCE", "USER-EDITED"):
        assert f"\r\nX-CARDSCAN-{prop}" in text, prop
    assert "X-CARDSCAN-FOLLOW-UP:2026-12-01" in lines
    for line in lines:  # folded at 75 octets, never inside a character
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")


def test_note_carries_readable_annotations_and_the_users_note() -> None:
    contact = full_contact()
    note = vcard.note_text(contact)
    assert note.startswith("Mi nota; con, comas\ny líneas \\ barra\n\n")
    assert "Met at: EatsAndTwitts Madrid" in note
    assert "Needs: financiación\n  segunda línea" in note
    assert "How I can help: intro a inversores" in note
    assert "Tags: evento, vip, sí" in note
    assert "Follow-up: 2026-12-01 (done 2026-12-03)" in note
    text = vcard.to_vcard(contact)
    unfolded = text.replace("\r\n ", "")
    assert "NOTE:Mi nota\\; con\\, comas\\ny líneas \\\\ barra\\n\\nMet at: " in unfolded


def test_round_trip_keeps_everything() -> None:
    contact = full_contact()
    back = vcard.from_vcard(vcard.to_vcard(contact))
    assert back == contact
    assert back.note == contact.note  # the annotation block is not folded into the note


def test_family_name_printed_first_keeps_its_order() -> None:
    """'TANAKA Hiroshi': N names the parts, FN keeps the printed order, and both read back."""
    contact = Contact(name=Name(given="Hiroshi", family="Tanaka", family_first=True), org="MHI")
    text = vcard.to_vcard(contact)
    assert "FN:Tanaka Hiroshi" in text and "N:Tanaka;Hiroshi;;;" in text
    back = vcard.from_vcard(text)
    assert back.name == contact.name and back.display_name == "Tanaka Hiroshi"
    western = vcard.from_vcard(text.replace("FN:Tanaka Hiroshi", "FN:Hiroshi Tanaka"))
    assert not western.name.family_first and western.display_name == "Hiroshi Tanaka"


def test_phone_drops_x_properties_annotations_survive_in_note() -> None:
    """A phone that keeps only standard properties: NOTE still gives the annotations back."""
    contact = full_contact()
    text = vcard.to_vcard(contact)
    kept = "\r\n".join(
        line for line in text.replace("\r\n ", "").split("\r\n")
        if not line.startswith(("X-", "CATEGORIES"))
    )
    back = vcard.from_vcard(kept)
    assert back.annotations.met_at == "EatsAndTwitts Madrid"
    assert back.annotations.needs == "financiación\nsegunda línea"
    assert back.annotations.offer == "intro a inversores"
    assert back.annotations.follow_up == date(2026, 12, 1)
    assert back.annotations.follow_up_done == date(2026, 12, 3)
    assert back.annotations.tags == ["evento", "vip", "sí"]  # commas are ambiguous in text
    assert back.note == contact.note


def test_minimal_contacts_are_valid() -> None:
    company = Contact(org="Acme", phones=[Phone("+14155550100", PhoneType.WORK)])
    text = vcard.to_vcard(company)
    assert_valid(text)
    assert "FN:Acme" in text and "N:;;;;" in text
    back = vcard.from_vcard(text)
    assert not back.name and back.org == "Acme"
    only_email = Contact(emails=[Email("a@b.co")])
    assert_valid(vcard.to_vcard(only_email))
    assert vcard.from_vcard(vcard.to_vcard(only_email)) == only_email


def test_photo_is_opt_in_and_under_100_kb() -> None:
    image = Image.effect_noise((1600, 1000), 90).convert("RGB")  # noise: compresses badly
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    assert len(buffer.getvalue()) > 200_000
    contact = Contact(name=Name("Ana", "Ruiz"), photo_jpeg=buffer.getvalue())
    assert "PHOTO" not in vcard.to_vcard(contact)
    text = vcard.to_vcard(contact, photo=True)
    photo_line = next(line for line in text.replace("\r\n ", "").split("\r\n")
                      if line.startswith("PHOTO"))
    assert photo_line.startswith("PHOTO;ENCODING=b;TYPE=JPEG:")
    assert len(photo_line) < 100_000
    assert_valid(text)
    back = vcard.from_vcard(text)
    assert back.photo_jpeg is not None
    assert Image.open(io.BytesIO(back.photo_jpeg)).format == "JPEG"


def test_compact_leaves_out_bookkeeping_but_not_the_note() -> None:
    text = vcard.to_vcard(full_contact(), compact=True)
    assert_valid(text)
    assert "X-CARDSCAN" not in text
    assert "Met at: EatsAndTwitts" in text.replace("\r\n ", "")


GOOGLE_EXPORT = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Laura Gómez\r\nN:Gómez;Laura;;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:laura@empresa.mx\r\nTEL;TYPE=CELL:+52 55 1234 5678\r\n"
    "TEL;TYPE=WORK:+52 55 8765 4321\r\n"
    "ADR;TYPE=WORK:;;Av. Reforma 222;Ciudad de México;CDMX;06600;México\r\n"
    "ORG:Empresa SA de CV\r\nTITLE:Gerente\r\nURL:https://empresa.mx\r\n"
    "CATEGORIES:myContacts,Clientes\r\nEND:VCARD\r\n"
)
IOS_EXPORT = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
    "N:Smith;John;;Mr.;\r\nFN:Mr. John Smith\r\nORG:Widgets Ltd;R&D;\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:john@widgets.co.uk\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+44 7700 900123\r\n"
    "TEL;type=WORK;type=FAX:+44 20 7946 0000\r\n"
    "item2.ADR;type=WORK;type=pref:;;1 High St;London;;EC1A 1BB;United Kingdom\r\n"
    "X-SOCIALPROFILE;type=linkedin;x-user=jsmith:http://www.linkedin.com/in/jsmith\r\n"
    "NOTE:Met at the fair\\, booth 3\r\nEND:VCARD\r\n"
)
VCARD4 = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n"
    "FN:Zoë Müller\r\nN:Müller;Zoë;;;\r\nTEL;VALUE=uri;TYPE=\"cell,voice\":tel:+49-30-1234567\r\n"
    "EMAIL;TYPE=work:zoe@example.de\r\nREV:20240102T030405Z\r\nEND:VCARD\r\n"
)


def test_reads_google_export() -> None:
    contact = vcard.from_vcard(GOOGLE_EXPORT)
    assert (contact.name.given, contact.name.family) == ("Laura", "Gómez")
    assert [(p.number, p.type) for p in contact.phones] == [
        ("+525512345678", PhoneType.CELL), ("+525587654321", PhoneType.WORK)]
    assert contact.emails[0].address == "laura@empresa.mx"
    assert contact.address.city == "Ciudad de México" and contact.address.postal_code == "06600"
    assert contact.annotations.tags == ["myContacts", "Clientes"]
    assert contact.uid  # one is made up when the card has none


def test_reads_ios_export() -> None:
    contact = vcard.from_vcard(IOS_EXPORT)
    assert contact.name.prefix == "Mr." and contact.name.family == "Smith"
    assert (contact.org, contact.department) == ("Widgets Ltd", "R&D")
    assert contact.emails[0].address == "john@widgets.co.uk"
    assert [(p.number, p.type) for p in contact.phones] == [
        ("+447700900123", PhoneType.CELL), ("+442079460000", PhoneType.FAX)]
    assert contact.websites[0].kind == "linkedin"
    assert contact.note == "Met at the fair, booth 3"
    assert contact.annotations.met_at == ""  # "Met at the fair" is not our "Met at:" label


def test_reads_vcard4() -> None:
    contact = vcard.from_vcard(VCARD4)
    assert contact.name.given == "Zoë"
    assert contact.phones[0].number == "+49301234567"
    assert contact.phones[0].type == PhoneType.CELL
    assert contact.rev == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_reads_every_card_of_a_combined_file() -> None:
    contacts = vcard.from_vcards(GOOGLE_EXPORT + IOS_EXPORT)
    assert [c.name.family for c in contacts] == ["Gómez", "Smith"]


def test_garbage_raises_vcard_error() -> None:
    with pytest.raises(errors.VCardError):
        vcard.from_vcard("hello world")


text_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(";,\\:\n\"é😀"),
    max_size=40,
).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(given_name=text_values, org=text_values, note=text_values, met=text_values,
       tags=st.lists(text_values.filter(lambda t: t and "," not in t), max_size=3, unique=True))
def test_round_trip_property(given_name: str, org: str, note: str, met: str,
                             tags: list[str]) -> None:
    contact = Contact(name=Name(given=given_name.replace("\n", " "), family="X"),
                      org=org.replace("\n", " "), note=note, emails=[Email("a@b.co")],
                      annotations=Annotations(met_at=met.replace("\n", " "), tags=tags),
                      rev=datetime(2025, 1, 1, tzinfo=UTC))
    text = vcard.to_vcard(contact)
    back = vcard.from_vcard(text)
    assert back.name.given == contact.name.given.strip()
    assert back.org == contact.org.strip()
    assert back.annotations.met_at == contact.annotations.met_at
    assert back.annotations.tags == [t for t in tags if t]
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
