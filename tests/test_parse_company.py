"""Company lines without the specks OCR reads beside them; the company among a card's lines."""

from cardscan.models import Line, OcrPage, Word
from cardscan.parse import company_title as ct
from cardscan.parse import contact_from, contact_from_text
from cardscan.parse.company_title import clean_org


def test_a_speck_read_as_a_letter_or_digit_at_a_company_lines_ends_is_dropped():
    assert clean_org("a Eletrônica ADACHI Ltda. 5") == "Eletrônica ADACHI Ltda."
    assert clean_org("x Acme GmbH") == "Acme GmbH"


def test_real_words_and_numbers_of_a_company_stay():
    assert clean_org("Grupo 5") == "Grupo 5"
    assert clean_org("Hotel 5 Estrellas") == "Hotel 5 Estrellas"
    assert clean_org("Studio No. 5") == "Studio No. 5"
    assert clean_org("Industrias y Cía. S.A.") == "Industrias y Cía. S.A."


def _line_at(text: str, top: int, height: int, left: int) -> Line:
    words, x = [], left
    for token in text.split():
        words.append(Word(token, 0.95, x, top, height * len(token) * 3 // 5, height))
        x += height * (len(token) + 1) * 3 // 5
    return Line(words)


def test_a_company_in_small_print_above_its_address_is_the_company() -> None:
    # the logo repeats part of the name in small print; the whole name heads the address block
    page = OcrPage([
        _line_at("MEXICAN GRILL", 150, 15, 280),
        _line_at("CHRIS SALCEDO", 280, 24, 50),
        _line_at("APPRENTICE", 330, 20, 50),
        _line_at("DIRECT 650.462.9154", 410, 20, 86),
        _line_at("CHIPOTLE MEXICAN GRILL, IP", 1020, 18, 171),
        _line_at("2675 EL CAMINO REAL", 1060, 17, 171),
        _line_at("PALO ALTO, CA 94306", 1100, 18, 172),
    ], width=1050, height=1200)
    contact = contact_from(page, "US")
    assert contact.org == "CHIPOTLE MEXICAN GRILL"
    assert contact.name.family == "Salcedo"


def test_ai_read_as_al_is_mended_in_titles_and_departments_only() -> None:
    assert ct.capital_ai("Cloud & Al Department") == "Cloud & AI Department"
    assert ct.capital_ai("Head of Al Research") == "Head of AI Research"
    assert ct.capital_ai("Atención Al Cliente") == "Atención Al Cliente"
    assert ct.clean_department("Cloud & Al Department q") == "Cloud & AI Department"
    contact = contact_from_text("Chris Smith\nSenior Researcher\nCloud & Al Department\n"
                                "chris.smith@contoso.com", "US")
    assert contact.department == "Cloud & AI Department"
    assert contact_from_text("Al Mansouri Trading LLC\nKhalid Al Mansouri\nSales Manager",
                             "AE").name.family.startswith("Al")


def test_a_line_read_as_guesses_is_no_company() -> None:
    """A script logo Tesseract guesses at ('Egeo Ulacodlizo o arto', words at 0.0-0.5) is no
    company; nor is a two-letter speck left beside a link ('Ei facebook.com.br/...')."""
    guessed = _line_at("Egeo Ulacodlizo o arto", 100, 40, 80)
    for word, confidence in zip(guessed.words, (0.28, 0.06, 0.54, 0.03), strict=True):
        word.confidence = confidence
    page = OcrPage([guessed, _line_at("Ei facebook.com.br/sonaocasaqt", 300, 20, 80),
                    _line_at("E-mail: sonaocasa@bol.com.br", 340, 20, 80)], width=1050, height=600)
    contact = contact_from(page, "BR")
    assert contact.org == ""
    assert [w.url for w in contact.websites] == ["https://facebook.com.br/sonaocasaqt"]
    guessed_well = OcrPage([_line_at("Egeo Consultores", 100, 40, 80)], width=1050, height=600)
    assert contact_from(guessed_well, "BR").org == "Egeo Consultores"


def test_a_logos_ring_read_as_a_letter_before_the_company_is_dropped() -> None:
    card = ("O Brisa Solutions\nAlex Buckley\nBusiness Development Manager\nalex_buckley@brisa.uk\n"
            "www.brisa.uk")
    assert contact_from_text(card, "GB").org == "Brisa Solutions"
    card = "O Boticário\nAna Souza\nGerente de Loja\nana.souza@oboticario.com.br"
    assert contact_from_text(card, "BR").org == "O Boticário"  # the article the domain spells
