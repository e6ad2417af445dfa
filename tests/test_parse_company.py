"""Company lines without the specks OCR reads beside them."""

from cardscan.parse.company_title import clean_org


def test_a_speck_read_as_a_letter_or_digit_at_a_company_lines_ends_is_dropped():
    assert clean_org("a Eletrônica ADACHI Ltda. 5") == "Eletrônica ADACHI Ltda."
    assert clean_org("x Acme GmbH") == "Acme GmbH"


def test_real_words_and_numbers_of_a_company_stay():
    assert clean_org("Grupo 5") == "Grupo 5"
    assert clean_org("Hotel 5 Estrellas") == "Hotel 5 Estrellas"
    assert clean_org("Studio No. 5") == "Studio No. 5"
    assert clean_org("Industrias y Cía. S.A.") == "Industrias y Cía. S.A."
