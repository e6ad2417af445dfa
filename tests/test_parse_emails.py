"""E-mails OCR broke, repaired only where the repair is unmistakable."""

from cardscan.parse import contact_from_text


def emails(text: str) -> list[str]:
    return [e.address for e in contact_from_text(text, "BR").emails]


def test_an_at_lost_to_a_space_before_a_free_mail_host_is_put_back():
    assert emails("Di Mario Restaurante\ndimariorestaurante gmail.com") == [
        "dimariorestaurante@gmail.com"]
    assert emails("Otica da Jo\ne-mail: oticadajo2014 hotmail.com") == ["oticadajo2014@hotmail.com"]


def test_a_label_before_a_free_mail_host_is_no_address():
    assert emails("Ana Gil\nEmail gmail.com") == []


def test_an_at_read_as_a_letter_before_a_distinct_free_mail_host_is_put_back():
    assert emails("Ricardo Nogueira\nricknog39dgmail.com") == ["ricknog39@gmail.com"]
    assert emails("Ana Gil\nana.gilQhotmail.com.br") == ["ana.gil@hotmail.com.br"]
    # a website that merely ends like a free-mail host is no address
    assert emails("Ana Gil\nwww.redmail.com") == []
    assert emails("Ana Gil\nwww.agmail.com") == []


def test_a_website_broken_beyond_reading_is_the_domain_of_the_cards_email():
    card = "Altair Miranda\nWWwImicrovidacom bn\nmicrovida@microvida.com.br"
    assert [w.url for w in contact_from_text(card, "BR").websites] == [
        "https://www.microvida.com.br"]
    # a broken line that spells no domain of the card stays no website
    card = "Altair Miranda\nWWwIlojasmonaco bn\nmicrovida@microvida.com.br"
    assert contact_from_text(card, "BR").websites == []


def test_an_at_read_as_a_space_and_a_round_letter_before_the_cards_domain_is_put_back():
    card = "Christopher Kelly\nchristopher. kelly Qduke.com\nwww.duke.com"
    assert emails(card) == ["christopher.kelly@duke.com"]
    # a word before a domain the card prints, with no letter for the '@', is no address
    assert emails("Christopher Kelly\nVisit duke.com\nwww.duke.com") == []


def test_a_website_misread_beside_its_email_domain_takes_that_domain():
    card = "Ana Gil\nana@robledo.com\nhttps:/www.robiedo.com"
    assert [w.url for w in contact_from_text(card, "ES").websites] == ["https://www.robledo.com"]
    # another company's website stays as printed
    card = "Ana Gil\nana@robledo.com\nwww.partner-hotel.com"
    assert [w.url for w in contact_from_text(card, "ES").websites] == ["https://www.partner-hotel.com"]


def test_a_comma_or_a_doubled_at_in_an_address_is_mended():
    assert emails("Ana Gil\nE-mail: info@acme,es") == ["info@acme.es"]
    assert emails("Di Mario\ndimariorestaurante@gmail,com") == ["dimariorestaurante@gmail.com"]
    assert emails("Ana Gil\nana.gil@@empresa.com.br") == ["ana.gil@empresa.com.br"]
    assert emails("Ana Gil\nRua Augusta, 1200, com vista") == []  # a comma in a sentence stays
    assert emails("Mercedes Pacheco\nEmail: mercedes, pacheco@nortedise.mx") == [
        "mercedes.pacheco@nortedise.mx"]
    assert emails("Ana Gil\nAtención al cliente, info@acme.com") == ["info@acme.com"]  # no label


def test_a_website_with_spaces_after_its_dots_and_a_bare_linkedin_handle():
    card = contact_from_text("Ana Gil\nwww. acme-2. com.mx\nin/ana-gil", "MX")
    assert sorted(w.url for w in card.websites) == ["https://www.acme-2.com.mx",
                                                     "https://www.linkedin.com/in/ana-gil"]
    assert [w.url for w in contact_from_text("Ana Gil\nvamos in/out", "MX").websites] == []


def test_after_an_email_label_a_space_before_the_cards_domain_is_the_at():
    card = contact_from_text("Daniel Carro\nGirón S.L.U.\nEmail: daniel giron.com\nwww.giron.com", "ES")
    assert [e.address for e in card.emails] == ["daniel@giron.com"]
    assert [w.url for w in card.websites] == ["https://www.giron.com"]
    assert emails("Visit duke.com\nwww.duke.com") == []  # no label: a space is no '@'


def test_a_comma_and_a_space_for_the_dot_before_a_top_level_domain():
    assert emails("Frauke Seidel\nfrauke.seidel@zenit, de\nzenit.de") == ["frauke.seidel@zenit.de"]
    assert emails("Ana Gil\nana@acme.com.br, de 9 a 14h") == ["ana@acme.com.br"]


def test_two_letters_read_as_one_in_a_domain_the_card_prints_elsewhere():
    card = contact_from_text("Úrsula Bonilla\nUlibarri S.A. de C.V.\nubonilla@ulibarn.com.mx\n"
                             "ulibarri.com.mx", "MX")
    assert [e.address for e in card.emails] == ["ubonilla@ulibarri.com.mx"]
    other = contact_from_text("Ana Gil\nana@acme.com\nwww.other.com", "MX")
    assert [e.address for e in other.emails] == ["ana@acme.com"]  # another domain stays


def test_spaces_inside_an_address_whose_domain_the_card_prints_are_closed():
    card = contact_from_text("Marine Berthelot\nmberthe lot@ lapo rte.fr\nwww.laporte.fr", "FR")
    assert [e.address for e in card.emails] == ["mberthelot@laporte.fr"]
    other = contact_from_text("Ana Gil\nventas ana@acme.es info\nwww.acme.es", "ES")
    assert [e.address for e in other.emails] == ["ana@acme.es"]


def test_an_at_read_as_a_round_letter_then_a_space_before_the_cards_domain():
    card = contact_from_text("Beverley Thompson\nbthompsonO butlerlogi.uk\nwww.butlerlogi.uk", "GB")
    assert [e.address for e in card.emails] == ["bthompson@butlerlogi.uk"]
    assert emails("Pedro Soto\nEscríbenos O duke.com\nwww.duke.com") == []  # a word, then 'O'


def test_an_at_written_or_read_as_a_bracketed_a_or_a_lone_g_is_put_back():
    assert emails("Mariana Treviño\nmtrevino(a)acerosdelnorte.mx\nwww.acerosdelnorte.mx") == [
        "mtrevino@acerosdelnorte.mx"]
    assert emails("Lucía Paredes\nlparedes G textilesmisti.pe\nwww.textilesmisti.pe") == [
        "lparedes@textilesmisti.pe"]


def test_a_bare_domain_alone_on_its_line_is_the_website_not_an_address_with_a_lost_at():
    card = "Valentina Rojas\nRojas Arquitectos\nvalentina.rojas@hotmail.com\nrojasarquitectos.cl"
    assert emails(card) == ["valentina.rojas@hotmail.com"]
    assert [w.url for w in contact_from_text(card, "CL").websites] == ["https://rojasarquitectos.cl"]


def test_a_bare_domain_under_a_second_level_suffix_is_the_website_too():
    """'deltaabog.com.co' is no 'delta@bog.com.co', though 'Delta' is the company's name: before
    or after the address on the card, and whether that address's '@' was read or mended."""
    for card in ("Delta Abogados Ltda.\nMilena Cortés\nEmail: milena deltaabog.com.co\ndeltaabog.com.co",
                 "Delta Abogados Ltda.\nMilena Cortés\ndeltaabog.com.co\nmilena@deltaabog.com.co"):
        assert emails(card) == ["milena@deltaabog.com.co"]
        assert [w.url for w in contact_from_text(card, "CO").websites] == ["https://deltaabog.com.co"]


def test_underscores_a_rule_left_before_a_link_are_no_part_of_it():
    urls = [w.url for w in contact_from_text("Frauke Seidel\nzenit.de\n__linkedin.com/in/frauke-seidel",
                                             "DE").websites]
    assert urls == ["https://zenit.de", "https://linkedin.com/in/frauke-seidel"]
    assert [w.url for w in contact_from_text("Ana Gil\n_ www.gil.es", "ES").websites] == ["https://www.gil.es"]
    assert contact_from_text("Ana Gil\nana_gil.design", "ES").websites == []  # a handle, no link


def test_a_local_part_ocr_split_or_misread_is_joined_again():
    assert emails("Amy Jimenez\namy,jimenez@rich.com") == ["amy.jimenez@rich.com"]
    assert emails("Tomás Escobar\ntomas escobar @melendezener.com") == ["tomas.escobar@melendezener.com"]
    assert emails("Jasmine Harvey\nEmail: jasm ine.harvey@aguilar.com") == ["jasmine.harvey@aguilar.com"]
    assert emails("Abigail Montes\nEmail: abigail_ montes@serna.com.mx") == ["abigail_montes@serna.com.mx"]
    # a piece that spells nothing of the name, or a label, stays out
    assert emails("Ana Gil\nescribe a gil@acme.es") == ["gil@acme.es"]
    assert emails("Ana Gil\nemail gil@acme.es") == ["gil@acme.es"]
    assert emails("Ana Gil\nmail ana@acme.es") == ["ana@acme.es"]


def test_the_tail_of_an_at_read_as_a_letter_before_the_cards_domain_is_dropped():
    assert emails("Evelyn Fernandes\nevelyn.fernandes@drodrigues.com.br\nwww.rodrigues.com.br") == [
        "evelyn.fernandes@rodrigues.com.br"]
    assert emails("Evelyn Fernandes\nevelyn.fernandes(Drodrigues.com.br\nrodrigues.com.br") == [
        "evelyn.fernandes@rodrigues.com.br"]  # the '@' as a bracket and a D
    # a domain that only starts like the website's stays as printed
    assert emails("Ana Gil\nana@dgil.es\nwww.gil.com") == ["ana@dgil.es"]


def test_a_website_whose_dot_after_www_was_lost_is_the_cards_domain():
    def urls(text: str) -> list[str]:
        return [w.url for w in contact_from_text(text, "MX").websites]

    assert urls("Karla de la Garza\nkarla.de@enriquezases.mx\nwwwenriquezases.mx") == [
        "https://www.enriquezases.mx"]
    assert urls("Ana Gil\nana@wwf.org\nwwwf.org") == ["https://wwwf.org"]  # no 'www' lost there


def test_what_is_left_of_an_address_after_its_label_is_no_website():
    card = contact_from_text("Alphonse Martineau\nBlanchet SAS\nEmail: alph i blanchet.fr\nwww.blanchet.fr",
                             "FR")
    assert [w.url for w in card.websites] == ["https://www.blanchet.fr"]
    # beside an address read whole, the line's bare website stays
    card = contact_from_text("Ana Gil\nEmail: ana@gil.es  Web: gil.es", "ES")
    assert [w.url for w in card.websites] == ["https://gil.es"]


def test_a_free_mail_host_with_letters_read_as_others_is_mended():
    assert emails("Valentina Rojas\nvalentina.rojas@hotrnail.com") == ["valentina.rojas@hotmail.com"]
    assert emails("Ana Gil\nana.gil@gmai1.com") == ["ana.gil@gmail.com"]


def test_a_profile_beside_its_logo_or_before_its_networks_name_is_found():
    def profiles(text: str) -> list[str]:
        return [w.url for w in contact_from_text(text, "ES").websites if w.kind != "website"]

    assert profiles("Laura Méndez\nin /laura-mendez") == ["https://www.linkedin.com/in/laura-mendez"]
    assert profiles("Le Bouchon des Quais\n@bouchondesquais Instagram") == [
        "https://www.instagram.com/bouchondesquais"]
    assert profiles("Sofía Paz\n@sofiapaz.ux  Instagram") == ["https://www.instagram.com/sofiapaz.ux"]
    assert profiles("Ana Ruiz\nin /out") == []  # a short word after 'in' is no profile


def test_an_underscore_glued_before_www_is_no_part_of_the_website():
    card = "Daniel Carlos\ndaniel.silva@beltis.com.br\n_www.beltis.com.br"
    contact = contact_from_text(card, "BR")
    assert [w.url for w in contact.websites] == ["https://www.beltis.com.br"]
    assert contact.org == "Beltis"


def test_a_space_inside_a_domain_name_is_closed_where_no_host_has_ended():
    card = ("Nusrat Jahan\nKarnaphuli Shipping Lines\nnusrat.jahan@karnaphuli lines.com\n"
            "www.karnaphuli lines.com")
    contact = contact_from_text(card, "BD")
    assert [e.address for e in contact.emails] == ["nusrat.jahan@karnaphulilines.com"]
    assert [w.url for w in contact.websites] == ["https://www.karnaphulilines.com"]
    assert [w.url for w in contact_from_text("Howard Lin\nwww.hpo.com. tw", "TW").websites] == [
        "https://www.hpo.com.tw"]
    # a complete host followed by a word is left alone
    assert [w.url for w in contact_from_text("Ana Gil\nwww.acme.com Madrid", "ES").websites] == [
        "https://www.acme.com"]


def test_a_website_never_becomes_an_address_with_a_lost_at():
    card = "Tomas Dvorak\ndvorak@vltava tech.cz\nwww.vltavatech.cz"
    contact = contact_from_text(card, "CZ")
    assert [e.address for e in contact.emails] == ["dvorak@vltavatech.cz"]
    assert [w.url for w in contact.websites] == ["https://www.vltavatech.cz"]


def test_a_profile_handle_after_a_space_belongs_to_its_link():
    card = "Daniela Garza\nlinkedin.com/in/ danielagarzat"
    assert [w.url for w in contact_from_text(card, "MX").websites] == [
        "https://linkedin.com/in/danielagarzat"]
