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
