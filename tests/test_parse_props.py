"""Property and layout tests for the parser."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardscan.models import LOW_CONFIDENCE, Line, OcrPage, PhoneType, Word
from cardscan.parse import contact_from, contact_from_text, phones

# Digits as OCR may print them in a labelled number (O for 0, l/I for 1): the only repairs allowed.
from cardscan.parse.lexicon import OCR_DIGITS as _OCR_DIGITS
from cardscan.parse.names import proper_case, split_name

card_like = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.from_regex(r"(Tel|M|Fax|Móvil|T)[.:]? ?\+?[0-9 ()\-.]{6,18}", fullmatch=True),
        st.from_regex(r"[a-z]{1,8}[@O ][a-z]{2,8}\. ?(com|es|mx|co\.uk)", fullmatch=True),
        st.from_regex(r"[0-9]{5} [A-Z][a-z]{3,9}", fullmatch=True),
        st.sampled_from(["Calle Mayor 5", "CIF B12345678", "12/03/2024", "11:30", "C.P. 06600", "SW1A 1AA"]),
    ),
    max_size=12,
).map("\n".join)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(card_like, st.sampled_from(["ES", "MX", "US", "GB", "BR", "ZZ", "", "xx"]))
def test_never_raises_and_never_invents_a_phone(text: str, region: str) -> None:
    contact = contact_from_text(text, region)
    digits_in_text = re.sub(r"\D", "", text.translate(_OCR_DIGITS))
    for phone in contact.phones:
        if phones.is_local_only(phone.number):  # printed without its area code: kept as printed
            assert phone.number == re.sub(r"\D", "", phone.printed.translate(_OCR_DIGITS))
            assert phone.confidence < LOW_CONFIDENCE
            continue
        assert phone.number.startswith("+")
        squeezed = " ".join(text.translate(_OCR_DIGITS).split())
        assert phone.printed.translate(_OCR_DIGITS) in squeezed
        # the national number's digits all come from the text, in order (an area code may be
        # shared with the number printed before it)
        national = phonenumbers.national_significant_number(phonenumbers.parse(phone.number))
        assert _is_subsequence(national, digits_in_text)
    for field, value in contact.confidence.items():
        assert 0.0 <= value <= 1.0, field


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_unicode_never_raises(text: str) -> None:
    contact_from_text(text)


def _word(text: str, left: int, top: int, height: int, conf: float = 0.95) -> Word:
    return Word(text, conf, left=left, top=top, width=height * len(text) // 2, height=height)


def _line(text: str, top: int, height: int, conf: float = 0.95, left: int = 40) -> Line:
    words, x = [], left
    for tok in text.split():
        words.append(_word(tok, x, top, height, conf))
        x += height * len(tok) // 2 + height // 2
    return Line(words)


def test_font_size_picks_the_name_over_a_name_shaped_line() -> None:
    page = OcrPage(
        lines=[
            _line("Marcos Vidal", 20, 18),  # a small name-shaped line (a referral, a slogan)
            _line("Elena Prieto Sanz", 80, 44),  # printed large: the card holder
            _line("Directora de Ventas", 140, 20),
            _line("Tel. 91 123 45 67", 200, 18),
        ],
        width=1000,
        height=400,
    )
    contact = contact_from(page, "ES")
    assert contact.name.full == "Elena Prieto Sanz"
    assert contact.title == "Directora de Ventas"


def test_short_words_read_at_low_confidence_are_debris_not_a_name() -> None:
    def page(name: str, confidence: float) -> OcrPage:
        return OcrPage(lines=[_line("Eletrônica Adachi Ltda.", 20, 40), _line(name, 80, 36, confidence),
                              _line("Assistência Técnica especializada", 140, 20),
                              _line("Tel. (11) 2294-9484", 200, 18),
                              _line("bo.xu@adachi.com.br", 240, 18)], width=1000, height=400)

    assert not contact_from(page("ro rd", 0.2), "BR").name
    assert contact_from(page("Bo Xu", 0.9), "BR").name.full == "Bo Xu"


def test_two_columns_split_by_the_gap_between_words() -> None:
    left = _line("Raúl Vidal", 20, 30)
    right = _line("raul@vidal.es", 20, 20, left=700)
    lines = [Line(left.words + right.words), _line("Arquitecto", 70, 20)]
    page = OcrPage(lines=lines, width=1000, height=200)
    contact = contact_from(page, "ES")
    assert contact.name.full == "Raúl Vidal"
    assert [e.address for e in contact.emails] == ["raul@vidal.es"]


def test_low_ocr_confidence_lowers_field_confidence_and_is_flagged() -> None:
    page = OcrPage(
        lines=[_line("Elena Prieto Sanz", 20, 40, conf=0.4), _line("Móvil 612 345 678", 80, 20, conf=0.5)],
        width=1000,
        height=200,
    )
    contact = contact_from(page, "ES")
    assert contact.name.full == "Elena Prieto Sanz"
    assert contact.confidence["name"] < 0.6
    assert "name" in contact.low_confidence_fields()
    assert contact.phones[0].type == PhoneType.CELL
    assert contact.phones[0].confidence < 0.6


def test_region_default_used_only_without_evidence() -> None:
    assert contact_from_text("Tel. 612 345 678", "ES").phones[0].number == "+34612345678"
    assert contact_from_text("Tel. 55 1234 5678", "MX").phones[0].number == "+525512345678"
    uk = contact_from_text("t: 020 7946 0958\nana@firm.co.uk", "ES")
    assert uk.phones[0].number == "+442079460958"


def test_proper_case_keeps_particles_and_prefixes() -> None:
    assert proper_case("MARÍA DE LA O'NEILL MCDONALD") == "María de la O'Neill McDonald"
    assert proper_case("McDonald") == "McDonald"
    name = split_name("Ing. Juan Carlos Pérez de la Cruz, MBA", "es")
    parts = (name.prefix, name.given, name.family, name.suffix)
    assert parts == ("Ing.", "Juan Carlos", "Pérez de la Cruz", "MBA")


def test_no_phone_from_dates_postcodes_or_registrations() -> None:
    text = "CIF B-12345678\n12/03/2024\nCEP 01014-000\nRFC GAFM800101ABC\nZIP 98052-1234\n1998-2024"
    assert contact_from_text(text, "ES").phones == []


def test_email_repair_only_when_it_validates() -> None:
    assert [e.address for e in contact_from_text("ana.ruizOempresa.es").emails] == ["ana.ruiz@empresa.es"]
    assert contact_from_text("BOOKS AND MORE.COM").emails == []


@given(st.sampled_from(["Tel. {}", "Tel/Fax: {}", "Fone {}", "{}"]),
       st.integers(2000, 5999), st.integers(0, 9999))
@settings(max_examples=60, deadline=None)
def test_a_number_without_its_0_lands_in_no_trunk_prefix_country(label: str, head: int, tail: int) -> None:
    """'2966-2550' is no German, French or British number: those print their area code with a 0."""
    for phone in contact_from_text(label.format(f"{head}-{tail:04d}")).phones:
        assert not phone.number.startswith(("+49", "+33", "+44", "+51"))


def test_evidenced_country_wins_over_the_default_for_a_local_number() -> None:
    text = "Loja Central\nRua das Flores, 80 - Centro - PR\nWhatsApp 98123-4567"
    numbers = [p.number for p in contact_from_text(text, "ES").phones]
    assert numbers == ["981234567"]


def test_no_name_from_service_lines_or_an_address() -> None:
    for line in ("ALUGUEL DE TRAJES PARA NOIVOS", "Conserto de Portões Automáticos",
                 "Rua Murutinga do Sul, 132 - Tatuapé", "Peças, Acessórios e Serviços",
                 "optica da esquina"):
        assert contact_from_text(f"{line}\nTel. 91 234 56 78").name.plain == "", line


def test_a_name_in_capitals_needs_support() -> None:
    assert contact_from_text("MARCOS ANTUNES\nTel. 91 234 56 78").name.plain == "Marcos Antunes"
    assert contact_from_text("PIETRA DA PAZ\nData Analyst").name.plain == "Pietra da Paz"
    assert contact_from_text("TORRES GEMELAS\nTel. 91 234 56 78").name.plain == ""


# Countries of the international corpus whose numbers phonenumbers can give examples of.
_COUNTRIES = ("IN", "BR", "JP", "US", "GB", "CH", "TR", "ES", "DE", "AE", "NL", "SA", "MA", "SG", "CM", "FR",
              "IT", "AR", "CO", "CL", "MX", "PK")
_KINDS = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_COUNTRIES), st.sampled_from(_COUNTRIES), st.sampled_from(_KINDS),
       st.sampled_from(["Tel: ", "M: ", "Mobile ", "Tel. ", "", "Phone "]),
       st.sampled_from(["", "Ana Ruiz\nConsultora\n", "Kenji Ito\nEngineer\n"]))
def test_never_places_a_number_in_a_country_without_evidence(
    home: str, region: str, kind: phonenumbers.PhoneNumberType, label: str, head: str
) -> None:
    """A national number with nothing else on the card that names a country is placed in the
    default region (when valid there), in the country its own printed format names, or kept
    as printed: never in a third country where its digits happen to fit."""
    example = phonenumbers.example_number_for_type(home, kind)
    if example is None:
        return
    printed = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    text = f"{head}{label}{printed}\n"
    allowed = {region, *phones.shape_countries(text)}
    for phone in contact_from_text(text, region).phones:
        if phones.is_local_only(phone.number):
            assert phone.confidence < LOW_CONFIDENCE
            continue
        number = phonenumbers.parse(phone.number)
        assert phonenumbers.region_code_for_number(number) in allowed or any(
            phonenumbers.is_valid_number_for_region(number, code) for code in allowed), (text, phone)


_TLD = {"IN": "co.in", "BR": "com.br", "JP": "co.jp", "GB": "co.uk", "CH": "ch", "TR": "com.tr",
        "ES": "es", "DE": "de", "AE": "ae", "NL": "nl", "SA": "com.sa", "MA": "ma", "SG": "com.sg",
        "CM": "cm", "FR": "fr", "IT": "it",
        "AR": "com.ar", "CO": "com.co", "CL": "cl", "MX": "com.mx", "PK": "com.pk"}
_COUNTRY_NAME = {"IN": "India", "BR": "Brasil", "JP": "Japan", "US": "USA", "GB": "United Kingdom",
                 "CH": "Switzerland", "TR": "Türkiye", "ES": "España", "DE": "Germany", "AE": "UAE",
                 "NL": "The Netherlands", "SA": "Saudi Arabia", "MA": "Maroc", "SG": "Singapore",
                 "CM": "Cameroun", "FR": "France", "IT": "Italia", "AR": "Argentina", "CO": "Colombia",
                 "CL": "Chile", "MX": "México", "PK": "Pakistan"}


def _national(home: str, kind: phonenumbers.PhoneNumberType, tail: int) -> str | None:
    """A valid national number of ``home`` (its example with other last digits), as printed there."""
    example = phonenumbers.example_number_for_type(home, kind)
    if example is None:
        return None
    digits_ = str(example.national_number)
    number = phonenumbers.parse("+" + str(example.country_code) + digits_[:-3] + f"{tail:03d}")
    if not phonenumbers.is_valid_number_for_region(number, home):
        number = example
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_COUNTRIES), st.sampled_from(_COUNTRIES), st.sampled_from(_KINDS),
       st.sampled_from(["tld", "country", "both"]), st.sampled_from(["Tel: ", "Mob: ", "", "T "]),
       st.integers(0, 999))
def test_a_national_number_valid_in_the_evidenced_country_is_never_forced_into_region(
    home: str, region: str, kind: phonenumbers.PhoneNumberType, how: str, label: str, tail: int
) -> None:
    """The card names its country (a ccTLD, the country printed, or both): a national number valid
    there lands there, whatever --region says (Cameroon never as +52, Singapore never as +1, India
    never as +1/+31/+49, Morocco or Pakistan never as +33, the Netherlands never as +43)."""
    printed = _national(home, kind, tail)
    if printed is None or home == "US":
        return
    lines = ["Ana Ruiz", "Consultant", f"{label}{printed}"]
    if how in ("tld", "both"):
        lines.append(f"ana.ruiz@acme.{_TLD[home]}")
    if how in ("country", "both"):
        lines.append(_COUNTRY_NAME[home])
    text = "\n".join(lines) + "\n"
    phones_ = contact_from_text(text, region).phones
    assert phones_, text
    for phone in phones_:
        assert phone.number.startswith("+"), (text, phone)
        number = phonenumbers.parse(phone.number)
        assert phonenumbers.is_valid_number_for_region(number, home), (text, phone)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_COUNTRIES), st.sampled_from(_COUNTRIES), st.sampled_from(_KINDS),
       st.sampled_from(["Tel: ", "M: ", "", "Phone "]), st.integers(0, 999))
def test_no_evidence_and_invalid_in_region_keeps_the_number_as_printed_and_flags_it(
    home: str, region: str, kind: phonenumbers.PhoneNumberType, label: str, tail: int
) -> None:
    """Nothing on the card names a country and the national number is not valid in --region: kept
    as printed (no country code) with a low confidence, unless its own printed format names its
    country ('(11) 9xxxx-xxxx', '03-xxxx-xxxx')."""
    printed = _national(home, kind, tail)
    if printed is None:
        return
    as_region = phones._parse(printed, region)
    if as_region is not None and phonenumbers.is_valid_number(as_region):
        return
    text = f"Ana Ruiz\nConsultant\n{label}{printed}\n"
    shaped = set(phones.shape_countries(text))
    for phone in contact_from_text(text, region).phones:
        if phone.number.startswith("+"):
            number = phonenumbers.parse(phone.number)
            assert shaped and any(phonenumbers.is_valid_number_for_region(number, c) for c in shaped), \
                (text, phone)
        else:
            assert phone.confidence < LOW_CONFIDENCE, (text, phone)


def test_a_line_read_at_almost_no_confidence_is_no_name() -> None:
    """A script typeface read as words ('Ryo Ulncerilimo Geoirtoo' at 0.0-0.3) is no name."""
    page = OcrPage([Line([_word("Ryo", 40, 10, 40, 0.26), _word("Ulncerilimo", 120, 10, 40, 0.0),
                          _word("Geoirtoo", 400, 10, 40, 0.0)]),
                    _line("ALUGUEL DE VESTIDOS PARA NOIVAS", 80, 20),
                    _line("E-mail: sonaocasa@bol.com.br", 120, 20)])
    assert not contact_from(page, "BR").name.plain


@pytest.mark.parametrize(("label", "kind"), [
    ("Te1.", PhoneType.VOICE), ("Ce11.", PhoneType.CELL), ("Mobi1", PhoneType.CELL),  # an l read as a one
    ("O Mobile", PhoneType.CELL), ("O Tél.", PhoneType.VOICE),  # an icon read as a letter, no 'Office'
    ("H/P:", PhoneType.CELL), ("Telm.", PhoneType.CELL), ("O:", PhoneType.WORK),
])
def test_labels_as_ocr_reads_them(label: str, kind: PhoneType) -> None:
    contact = contact_from_text(f"{label} +34 612 345 678", "ES")
    assert [p.type for p in contact.phones] == [kind]


def test_a_label_after_a_number_that_another_number_follows_is_that_ones() -> None:
    contact = contact_from_text("Te1: 03-5421-7730 Fax: 03-5421-7731", "JP")
    assert [(p.number, p.type) for p in contact.phones] == [
        ("+81354217730", PhoneType.VOICE), ("+81354217731", PhoneType.FAX)]


def test_a_bar_read_as_l_between_two_numbers_ends_the_first() -> None:
    contact = contact_from_text("Tel. +351 223 391 450 l Fax +351 223 391 459", "PT")
    assert [p.number for p in contact.phones] == ["+351223391450", "+351223391459"]


def test_a_map_pin_read_as_9_before_a_street_whose_number_follows_its_name() -> None:
    text = "9 Av. Presidente Masaryk 340, Piso 6\n11560 Ciudad de México"
    street = contact_from_text(text, "MX").address.street
    assert street == "Av. Presidente Masaryk 340, Piso 6"
    # a house number first, as English and French print it, stays
    assert contact_from_text("9 Avenue Foch\n75116 Paris", "FR").address.street == "9 Avenue Foch"
    for text, region, street in (
            ("9 No. 42, 3rd Floor, Brigade Road,\nBengaluru - 560025, Karnataka", "IN",
             "No. 42, 3rd Floor, Brigade Road"),
            ("9 Wilhelminakade 91, 3072 AP Rotterdam", "NL", "Wilhelminakade 91"),
            ("9 ul. Floriańska 15, 31-019 Kraków", "PL", "ul. Floriańska 15"),
            ("9 45 El Horreya Road\nAlexandria 21519", "EG", "45 El Horreya Road"),
            ("Q Room 1508, Tower B, Wangjing SOHO\nBeijing 100102", "CN",
             "Room 1508, Tower B, Wangjing SOHO")):
        assert contact_from_text(text, region).address.street == street


def test_a_title_over_two_lines() -> None:
    for text, title in (
        ("Juan Pablo Restrepo\nDirector de Exportaciones y\nDesarrollo de Nuevos Mercados",
         "Director de Exportaciones y Desarrollo de Nuevos Mercados"),
        ("Sterling Hunt\nVice President, Strategic Accounts –\nNorth America & LATAM",
         "Vice President, Strategic Accounts – North America & LATAM"),
        ("Luis Quispe\nSuperintendente de Seguridad\ny Medio Ambiente",
         "Superintendente de Seguridad y Medio Ambiente"),
        ("Rocío Montes\nOdontóloga especialista\nen Ortodoncia", "Odontóloga especialista en Ortodoncia"),
        ("Lachlan Fitzgerald\nSenior Vice President,\nBusiness Development",
         "Senior Vice President, Business Development"),
        ("Niamh Gallagher\nFounder & Chief\nTechnology Officer", "Founder & Chief Technology Officer"),
        ("Kevin O'Donnell\nPrincipal\nStructural Engineer", "Principal Structural Engineer"),
        ("Hany Aziz\nDirector of Sales\n& Marketing", "Director of Sales & Marketing"),
    ):
        assert contact_from_text(text + "\nlquispe@andina.pe", "PE").title == title
    # a line below that does not continue the title is no part of it
    text = "Ana Ruiz\nDirectora Comercial\nDerecho Mercantil"
    assert contact_from_text(text, "ES").title == "Directora Comercial"


def test_a_nickname_in_quotes_and_a_degree_class_leave_the_name_readable() -> None:
    name = contact_from_text('Maria "Mari" Delgado\nBroker\nmari@delgado.com', "US").name
    assert (name.given, name.family) == ("Maria", "Delgado")
    name = contact_from_text("Tom O'Neill BSc (Hons) MRICS\nSenior Surveyor\ntom@oneill.co.uk", "GB").name
    assert (name.given, name.family, name.suffix) == ("Tom", "O'Neill", "BSc (Hons), MRICS")


def test_a_surname_spelt_like_a_degree_in_capitals_is_a_surname() -> None:
    """'RIBA' after a name is the architects' institute; 'Riba' is a Catalan surname."""
    name = contact_from_text("Brisa Asesores S.A.\nRuy Riba\nSocio Fundador\nruy_riba@brisaases.es",
                             "ES").name
    assert (name.given, name.family) == ("Ruy", "Riba")
    name = contact_from_text("Lin Ma\nProduct Manager\nlin.ma@jadetech.cn", "CN").name
    assert name.family in ("Ma", "Lin")  # a family name, either way round, not a degree
    name = contact_from_text("Ana Gil, RIBA\nArchitect\nana@gil.co.uk", "GB").name
    assert (name.given, name.family, name.suffix) == ("Ana", "Gil", "RIBA")


def test_tiktok_and_youtube_handles_and_messenger_ids() -> None:
    contact = contact_from_text("Bean & Gully Coffee\nIG @beanandgully   TikTok @beanandgully\n"
                                "Telegram: @bean_gully\nliam@beanandgully.com.au", "AU")
    assert [w.url for w in contact.websites] == ["https://www.instagram.com/beanandgully",
                                                 "https://www.tiktok.com/@beanandgully"]
    assert contact.org == "Bean & Gully Coffee"  # no '@bean_gully' from the messenger's line


def test_a_link_with_a_path_is_no_address_with_a_lost_at() -> None:
    contact = contact_from_text("Hannah Nguyen\nScan for my digital card\ncard.talentbridge.com.au/hannah\n"
                                "hannah.nguyen@talentbridge.com.au", "AU")
    assert [e.address for e in contact.emails] == ["hannah.nguyen@talentbridge.com.au"]
    assert "https://card.talentbridge.com.au/hannah" in [w.url for w in contact.websites]


def test_english_addresses_with_a_unit_a_cape_and_a_name_with_an_md() -> None:
    contact = contact_from_text("Liam O'Connell, MScPT, FCAMPT\nRegistered Physiotherapist\n"
                                "Unit 104 – 1788 West Broadway\nVancouver, BC V6J 1Y1\nT 604-736-8821",
                                "CA")
    assert (contact.name.given, contact.name.family) == ("Liam", "O'Connell")
    assert [p.number for p in contact.phones] == ["+16047368821"]  # no phone from 'Unit 104 – 1788'
    assert contact.address.street == "Unit 104 – 1788 West Broadway"
    assert contact_from_text("PO Box 8812\nCape Town 8000\nSouth Africa", "ZA").address.city == "Cape Town"
    contact = contact_from_text("Anita M. Kowalski, MD, FACC\nDirector\n2200 Lakeside Avenue, 4th Floor\n"
                                "Cleveland, OH 44114", "US")  # MD: a degree here, not Maryland
    assert contact.name.family == "Kowalski"
    assert contact.address.street == "2200 Lakeside Avenue, 4th Floor"


def test_a_singapore_unit_on_its_own_line() -> None:
    contact = contact_from_text("Nanyang Learning Hub\nBlk 456 Ang Mo Kio Ave 10\n#01-1574\nSingapore 560456",
                                "SG")
    assert contact.address.street == "Blk 456 Ang Mo Kio Ave 10, #01-1574"
    assert contact.address.postal_code == "560456"


def test_a_name_then_a_title_splits_at_the_title_word_not_before_the_last_family_name() -> None:
    contact = contact_from_text("Laura Gómez Treviño Directora Comercial\nlaura@acme.mx", "MX")
    assert (contact.name.family, contact.title) == ("Gómez Treviño", "Directora Comercial")
    assert contact_from_text("Ana Ruiz Creative Director\nana@acme.es", "ES").title == "Creative Director"


@pytest.mark.parametrize("label", ["Mobi1e:", "Ce1ular:", "Ce1l:"])
def test_a_one_for_an_l_inside_a_label(label: str) -> None:
    assert [p.type for p in contact_from_text(f"{label} +56 9 7654 3210", "CL").phones] == [PhoneType.CELL]


def test_a_town_after_the_street_over_a_region_line() -> None:
    address = contact_from_text("Camino a San Clemente Km 8, Talca\nRegión del Maule - Chile", "CL").address
    assert (address.street, address.city, address.region) == ("Camino a San Clemente Km 8", "Talca",
                                                              "Región del Maule")
    address = contact_from_text("Blvd. Adolfo López Mateos 2315 Ote.\nC.P. 37160 Leon, Gto.", "MX").address
    assert (address.postal_code, address.city, address.region) == ("37160", "León", "Gto.")


def test_a_line_that_runs_on_keeps_its_joining_word() -> None:
    """'and Transit Projects' is no logo's speck and a name: the title's second line."""
    text = "DANIEL KIM, P.Eng.\nDirector, Infrastructure\nand Transit Projects\nNORTHLAKE"
    contact = contact_from_text(text, "CA")
    assert contact.title == "Director, Infrastructure and Transit Projects"


def test_a_country_beside_the_postcode_is_no_town() -> None:
    text = "Zhang Li\nAdd: 5F, Building B, Huaxin Industrial Park, Shenzhen, Guangdong, China 518101"
    address = contact_from_text(text, "CN").address
    assert (address.street, address.city, address.region, address.country) == (
        "5F, Building B, Huaxin Industrial Park", "Shenzhen", "Guangdong", "China")
    assert contact_from_text("1 Raffles Place, #20-01\nSingapore 048616", "SG").address.city == "Singapore"


def test_a_zero_read_for_an_o_in_a_word_of_letters_is_the_letter() -> None:
    contact = contact_from_text("Chukwuemeka Okafor\nChief Operating 0fficer\nZenrise Energy Ltd\n"
                                "0ficina: (81) 8345 6700\nM6vil: 81 1234 5678", "MX")
    assert contact.title == "Chief Operating Officer"
    assert [(p.number, p.type.value) for p in contact.phones] == [
        ("+528183456700", "work"), ("+528112345678", "cell")]
    # digits in numbers, hosts and addresses stay
    assert contact_from_text("Ana Gil\nweb0.com\nana@web0.com", "ES").emails[0].address == "ana@web0.com"


def test_a_european_address_on_one_line_street_then_postal_code_and_town() -> None:
    for text, region, parts in (
            ("Petra Nováková\nHusova 12, 602 00 Brno\nnovakova@moravastavby.cz", "CZ",
             ("Husova 12", "602 00", "Brno")),
            ("Ingrid Ødegaard\nKarl Johans gate 22, 0159 Oslo\ningrid@fjordradgivning.no", "NO",
             ("Karl Johans gate 22", "0159", "Oslo")),
            ("Søren Thøgersen\n© Åboulevarden 23, 8000 Aarhus C\nst@jyskemballage.dk", "DK",
             ("Åboulevarden 23", "8000", "Aarhus C")),
            ("Katharina Hofbauer\n© Kärntner StraBe 21-23, A-1010 Wien\nk.hofbauer@hofbauer-immo.at", "AT",
             ("Kärntner Straße 21-23", "1010", "Wien"))):
        address = contact_from_text(text, region).address
        assert (address.street, address.postal_code, address.city) == parts


def test_a_japanese_postal_mark_read_as_t_and_a_korean_district_before_its_city() -> None:
    address = contact_from_text("YAMAMOTO Keiko\nT530-0001 1-8-17 Umeda, Kita-ku, Osaka\n"
                                "yamamoto@kansai-md.co.jp", "JP").address
    assert (address.street, address.postal_code, address.city) == (
        "1-8-17 Umeda, Kita-ku", "530-0001", "Osaka")
    address = contact_from_text("Kim Min-jun\n12F, 152 Teheran-ro, Gangnam-gu, Seoul 06236, Korea\n"
                                "mj.kim@hanbit.co.kr", "KR").address
    assert (address.street, address.city) == ("12F, 152 Teheran-ro, Gangnam-gu", "Seoul")


def test_post_nominals_printed_without_commas_and_irish_particles() -> None:
    def name(text: str, region: str) -> tuple[str, str, str]:
        parsed = contact_from_text(text, region).name
        return parsed.given, parsed.family, parsed.suffix

    assert name("Hannah Pryce BA ACA CTA\nPartner\nhannah.pryce@whitcombefrye.co.uk", "GB") == (
        "Hannah", "Pryce", "BA, ACA, CTA")
    assert name("Hamish Duncan BE(Hons) CPEng CMEngNZ\nPrincipal Engineer\nhamish@salps.co.nz", "NZ") == (
        "Hamish", "Duncan", "BE(Hons), CPEng, CMEngNZ")
    assert name("Thandiwe Mokoena CA(SA)\nDirector: Audit & Assurance\nthandiwe@mokoenakhumalo.co.za",
                "ZA") == ("Thandiwe", "Mokoena", "CA(SA)")
    assert name("Ciarán Ó Briain ACA AITI\nDirector, Corporate Finance\nciaran.obriain@fwa.ie", "IE") == (
        "Ciarán", "Ó Briain", "ACA, AITI")
    # capitals that are a family name stay in the name
    assert name("Ana GARCIA LOPEZ MBA\nDirectora Comercial\nana@acme.es", "ES")[2] == "MBA"


def test_faculties_schools_and_practice_groups_are_departments() -> None:
    for text, department in (
            ("Dra. Silvina Ferreyra\nProfesora Titular\nFacultad de Ciencias Económicas\n"
             "Universidad Nacional del Litoral\nsferreyra@unl.edu.ar", "Facultad de Ciencias Económicas"),
            ("Prof. Rebecca Hall\nProfessor of Economic Geology\nSchool of Earth and Planetary Sciences\n"
             "Swan River University\nr.hall@sru.edu.au", "School of Earth and Planetary Sciences"),
            ("Sarah-Jane Whitworth\nAssociate Solicitor\nFamily Law\nHartley Moss LLP\nsj@hartleymoss.co.uk",
             "Family Law")):
        assert contact_from_text(text, "AR").department == department
    # a line of services is a tagline, no department
    card = "Grace Price\nChartered Accountant\nHarcourt Lane Partners\nTax · Audit · Advisory\ngp@hl.co.uk"
    assert contact_from_text(card, "GB").department == ""


def test_a_second_number_that_shares_the_area_code_and_misread_labels() -> None:
    contact = contact_from_text("Hernán Caicedo\nTel. (602) 668 1520 - 668 1521\nFax (602) 668 1530\n"
                                "hcaicedo@caicedo.com.co", "CO")
    assert [(p.number, p.type.value) for p in contact.phones] == [
        ("+576026681520", "voice"), ("+576026681521", "voice"), ("+576026681530", "fax")]
    contact = contact_from_text("Pieter van der Merwe\nTel +27 21 809 1100     Ce|l 083 612 3344\n"
                                "Lachlan Hart\nM0b 0423 987 654", "ZA")
    assert [p.type.value for p in contact.phones] == ["voice", "cell", "cell"]


def test_nigerian_kenyan_and_hungarian_postal_codes() -> None:
    for text, region, parts in (
            ("Chukwuemeka Okafor\nPlot 1412 Adeola Odeku Street, Victoria Island\nLagos 101241, Nigeria",
             "NG", ("Plot 1412 Adeola Odeku Street, Victoria Island", "101241", "Lagos", "")),
            ("Aisha Bello\nNo. 24 Aminu Kano Crescent, Wuse II\nAbuja, FCT 904101", "NG",
             ("No. 24 Aminu Kano Crescent, Wuse II", "904101", "Abuja", "FCT")),
            ("Wanjiru Kamau\nP.O. Box 14520-00800, Nairobi, Kenya", "KE",
             ("P.O. Box 14520", "00800", "Nairobi", "")),
            ("Nagy Katalin\nH-1062 Budapest, Andrássy út 66.", "HU",
             ("Andrássy út 66.", "1062", "Budapest", ""))):
        address = contact_from_text(text, region).address
        assert (address.street, address.postal_code, address.city, address.region) == parts


def test_an_icon_read_as_y_before_a_department_is_no_part_of_the_title() -> None:
    contact = contact_from_text("CONTOSO\nChris Smith\nSenior Researcher\ny Cloud & AI Department\n"
                                "A chris.smith@contoso.com", "US")
    assert (contact.title, contact.department) == ("Senior Researcher", "Cloud & AI Department")
    # the icon read apart from the unit, across a gap
    contact = contact_from_text("CONTOSO\nChris Smith\nSenior Researcher\ny     Cloud & AI Department\n"
                                "A chris.smith@contoso.com", "US")
    assert contact.department == "Cloud & AI Department"


def test_council_registrations_bare_handles_and_a_capital_i_in_a_label() -> None:
    contact = contact_from_text("Luciana Mattos\nAdvogada - OAB/RJ 148.392\nTel.: (21) 2533-6170      "
                                "CeI.: (21) 99184-2276\n@ @mattos.advocacia\nluciana@mattos.adv.br", "BR")
    assert contact.title == "Advogada"
    assert [p.type.value for p in contact.phones] == ["voice", "cell"]
    assert [w.url for w in contact.websites] == ["https://www.instagram.com/mattos.advocacia"]
    contact = contact_from_text("Dr. Paulo Lima\nCardiologista\nCRM-SP 142857 | RQE 61234\n"
                                "Av. Orosimbo Maia, 2600 - 3º andar - Cambui\nCampinas - SP   CEP 13024-045",
                                "BR")
    assert (contact.title, contact.address.postal_code, contact.address.city) == (
        "Cardiologista", "13024-045", "Campinas")
    # the Facebook icon read as an 'f' names the network; an address behind an icon is no handle
    contact = contact_from_text("José Carlos\nf @EspacoVillimpenta\n@ ana@buffet.com.br", "BR")
    assert [w.url for w in contact.websites] == ["https://www.facebook.com/EspacoVillimpenta"]
    assert [e.address for e in contact.emails] == ["ana@buffet.com.br"]


def test_turkish_district_and_province_and_a_pin_before_a_box_or_a_neighbourhood() -> None:
    address = contact_from_text("Mehmet Öztürk\n9 Kizilirmak Mah. 1450. Sok. No:5/12\n06510 Cankaya/Ankara",
                                "TR").address
    assert (address.street, address.postal_code, address.city) == (
        "Kizilirmak Mah. 1450. Sok. No:5/12, Cankaya", "06510", "Ankara")
    address = contact_from_text("Mohammed Al Mansoori\n9 P.O. Box 41827, Deira, Dubai, U.A.E.", "AE").address
    assert (address.street, address.city) == ("P.O. Box 41827, Deira", "Dubai")


def test_a_word_broken_by_a_space_is_joined_where_the_whole_is_a_known_word() -> None:
    contact = contact_from_text("Ankit Mehra\nChief Financia l Officer\nTrivedi Logistics Solu tions\n"
                                "ankit@trivedi.in", "IN")
    assert (contact.title, contact.org) == ("Chief Financial Officer", "Trivedi Logistics Solutions")
    # words that are words apart stay apart, and so do names
    name = contact_from_text("Ana de la Cruz\nSales and marketing\nana@cruz.es", "ES").name
    assert name.family == "de la Cruz"


def test_a_logos_acronym_gives_way_to_the_name_it_abbreviates() -> None:
    for text, region, org in (
            ("HK&A\nHaddad, Karam & Associates\nGeorges Karam\nPartner\ngkaram@hkalaw.com.lb", "LB",
             "Haddad, Karam & Associates"),
            ("BGIB\nBahrain Gateway Investment Bank B.S.C. (c)\nHussain Al Aradi\nVice President\n"
             "hussain@bgib.com.bh", "BH", "Bahrain Gateway Investment Bank B.S.C. (c)"),
            ("Swan River\nUniversity\nProf. Rebecca Hall\nProfessor of Geology\nr.hall@sru.edu.au", "AU",
             "Swan River University"),
            ("GRUPO LOGISTICO\nALTAMAR\nGrupo Logístico Altamar, S.A. de C.V.\nLic. Fernando Ibarra\n"
             "Gerente de Cuentas Clave\nfibarra@altamar.com.mx", "MX",
             "Grupo Logístico Altamar, S.A. de C.V."),
            # a domain spelled by some of the name's words; Arabic read as letters is no firm
            ("Al Reem Specialty Hospital\nddl ais sl! ciate\nDr. Fatima Al Zaabi\nConsultant\n"
             "fatima@alreemhospital.ae", "AE", "Al Reem Specialty Hospital"),
            ("Ayesha Malik\nCrescent Advisory Services\nChief Executive Officer\n45-B, Gulberg III, Lahore\n"
             "ayesha@crescentadvisory.pk", "PK", "Crescent Advisory Services")):
        assert contact_from_text(text, region).org == org


def test_irish_counties_and_latin_american_states_are_regions() -> None:
    for text, region, parts in (
            ("Siobhán Murphy\nUnit 7, Innishmore Business Park\nBallincollig, Co. Cork\nP31 XK20", "IE",
             ("Ballincollig", "Co. Cork")),
            ("Hugo Ayala\nAv. San Blas km 2, Galería Central, Local 45\nCiudad del Este, Alto Paraná", "PY",
             ("Ciudad del Este", "Alto Paraná"))):
        address = contact_from_text(text, region).address
        assert (address.city, address.region) == parts


def test_labels_misread_with_a_bar_or_followed_by_a_comma() -> None:
    contact = contact_from_text("Ana Ruiz\n& Of. (81) 8384 2290\n& Ce|. 81 1780 3356\nM, 81 1234 5678", "MX")
    assert [p.type.value for p in contact.phones] == ["work", "cell", "cell"]


def test_chained_academic_prefixes_before_a_name() -> None:
    for text, region, parts in (
            ("Prof. Doutor João Miguel Tavares Pinto\nProfessor Associado\njmpinto@ciencias.ulisboa.pt", "PT",
             ("Prof. Doutor", "João Miguel", "Tavares Pinto")),
            ("Univ.-Doz. Dr. med. Elisabeth Strasser\nFachärztin für Dermatologie\n"
             "ordination@hautarzt-strasser.at", "AT", ("Univ.-Doz. Dr. med.", "Elisabeth", "Strasser"))):
        name = contact_from_text(text, region).name
        assert (name.prefix, name.given, name.family) == parts


def test_a_company_the_domain_names_below_a_title_does_not_continue_it() -> None:
    contact = contact_from_text("Martín Corrales Lozada\nConsultor Senior\nde Anda\nMóv. 224 640 4329\n"
                                "mcorrales@deanda.mx", "MX")
    assert (contact.title, contact.org) == ("Consultor Senior", "de Anda")
    contact = contact_from_text("Lucía Prieto\nDirectora de Proyectos\nde Infraestructura\n"
                                "lprieto@ferrovial.es", "ES")
    assert contact.title == "Directora de Proyectos de Infraestructura"


def test_a_name_word_misread_is_spelt_as_the_email_spells_it() -> None:
    contact = contact_from_text("Morales LLP\ntichard Rose\nAccount Manager\nMob: (212) 475-1143\n"
                                "richard.rose@morales.com", "US")
    assert (contact.name.given, contact.name.family) == ("Richard", "Rose")
    # a word shaped like a name is kept as printed, whatever the e-mail says
    contact = contact_from_text("Dana Ross\nAccount Manager\ndana.rose@morales.com", "US")
    assert (contact.name.given, contact.name.family) == ("Dana", "Ross")


def test_a_column_left_of_the_address_on_its_line_is_not_the_street() -> None:
    contact = contact_from_text(
        "Hanbit Mobility Co., Ltd.\nJi-hoon PARK                         14F, 521 Teheran-ro, Gangnam-gu,\n"
        "Senior Manager                       Seoul 06164, Korea\nE. jihoon.park@hanbitmobility.com", "KR")
    assert contact.name.full == "Ji-hoon Park"
    assert contact.address.street == "14F, 521 Teheran-ro, Gangnam-gu"


def test_a_wordmark_in_capitals_over_two_lines_is_one_company() -> None:
    for text, region, org in (
            ("CLINICA DENTAL\nSONRISA PLENA\nDra. Mariana Cervantes Ochoa\nconsultorio@sonrisaplena.com.mx",
             "MX", "CLINICA DENTAL SONRISA PLENA"),
            ("RIOPLATENSE\nSOFTWARE FACTORY\nLucía Fernández Pereira\nProject Manager\n"
             "lfernandez@rioplatense.uy", "UY", "RIOPLATENSE SOFTWARE FACTORY"),
            ("GRUPO LOGISTICO TRANSNORTE\nS.A. de C.V.\nIng. Roberto Alcántara Ibarra\n"
             "Gerente de Operaciones\nralcantara@transnorte.mx", "MX",
             "GRUPO LOGISTICO TRANSNORTE, S.A. de C.V."),
            # what the business is, printed alone below its name, is no part of the name
            ("DI MARIO\nRESTAURANTE\nAv. Cangaíba, 2341\ndimariorestaurante@gmail.com", "BR", "DI MARIO")):
        assert contact_from_text(text, region).org == org


def test_a_district_before_its_town_goes_with_the_street_where_addresses_name_it() -> None:
    for text, region, street in (
            ("Av. Víctor Andrés Belaúnde 147, Of. 601\nSan Isidro, Lima 15073 - Perú", "PE",
             "Av. Víctor Andrés Belaúnde 147, Of. 601, San Isidro"),
            ("Av. Brigadeiro Faria Lima, 3477 - 12º andar\nItaim Bibi - São Paulo - SP - CEP 04538-133", "BR",
             "Av. Brigadeiro Faria Lima, 3477 - 12º andar, Itaim Bibi"),
            ("2 Kingdom Street\nPaddington, London, W2 6BD", "GB", "2 Kingdom Street")):
        assert contact_from_text(text, region).address.street == street


def test_towns_after_a_street_on_one_line_and_a_founding_year() -> None:
    address = contact_from_text("Blk 55 Tiong Bahru Road #01-52 Singapore 160055\nTel: 6271 3380",
                                "SG").address
    assert (address.street, address.city, address.postal_code) == (
        "Blk 55 Tiong Bahru Road #01-52", "Singapore", "160055")
    address = contact_from_text("Sayaka FUJIMURA\nOwner\nT604-0915 52 Tokiwagi-cho, Nakagyo-ku, Kyoto\n"
                                "© 075-211-3490", "JP").address
    assert (address.street, address.city, address.postal_code) == (
        "52 Tokiwagi-cho, Nakagyo-ku", "Kyoto", "604-0915")
    # 'since 1994' is a year, not a New Zealand postcode
    address = contact_from_text("Caring for pets & farm animals since 1994\nHamish McKenzie\nVeterinarian\n"
                                "123 Victoria Street, Hamilton 3204\nPh 07 839 2210", "NZ").address
    assert (address.street, address.city, address.postal_code) == ("123 Victoria Street", "Hamilton", "3204")


def test_a_wordmark_over_a_line_closed_by_a_legal_form_is_one_company() -> None:
    for text, region, org in (
            ("MEGHNA\nAPPARELS SOURCING LTD.\nMd. Rafiqul Islam\nSenior Merchandiser\n"
             "rafiq@meghnasourcing.com", "BD", "MEGHNA APPARELS SOURCING LTD."),
            ("AL QUOZ PRECISION\nAUTO REPAIR WORKSHOP L.L.C\nRAJESH PILLAI\nWorkshop Manager\n"
             "service@alquozprecision.com", "AE", "AL QUOZ PRECISION AUTO REPAIR WORKSHOP L.L.C")):
        assert contact_from_text(text, region).org == org


def test_business_units_beside_a_title_are_departments() -> None:
    for unit in ("Private Wealth Management", "Procurement & Contracts", "People & Culture",
                 "Cloud & Infrastructure", "Quality & Regulatory Affairs"):
        contact = contact_from_text(f"Ana Ruiz\nSenior Manager\n{unit}\nAcme Holdings Ltd.\nana@acme.com",
                                    "GB")
        assert (contact.title, contact.department) == ("Senior Manager", unit)


def test_a_name_in_capitals_above_the_line_that_says_what_the_business_is() -> None:
    contact = contact_from_text("KAM WAH\nROAST MEAT RESTAURANT\nChan Tai Man\nManager\n"
                                "Shop 3, G/F, 128 Shanghai Street\nTel: 2388 1234", "HK")
    assert contact.org == "KAM WAH ROAST MEAT RESTAURANT"


def test_a_street_abbreviations_dot_read_as_a_comma_is_a_dot_again() -> None:
    street = contact_from_text("Ana Gil\nDirectora\nDiagonal Camacho 820 Edif. 105, Depto, 164\n"
                               "06700 Ciudad de México", "MX").address.street
    assert street == "Diagonal Camacho 820 Edif. 105, Depto. 164"
    assert contact_from_text("Ana Gil\nAv, Itaquera, 3006\n08215-000 São Paulo - SP",
                             "BR").address.street == "Av. Itaquera, 3006"
    # after a whole word the comma separates
    assert contact_from_text("Ana Gil\nRua Boa Vista, 254\n01014-000 São Paulo - SP",
                             "BR").address.street == "Rua Boa Vista, 254"
