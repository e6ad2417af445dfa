"""The bench scorer (tools/scoring.py): normalisation, counts, card matching, OCR accuracy."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import scoring

TRUTH = {
    "fn": "Carmen Ruiz de la Fuente", "prefix": "Dra.", "title": "Directora Comercial",
    "department": "", "org": "Peña Asesores S.L.",
    "tels": [{"e164": "+34612345678", "type": "cell", "printed": "612 34 56 78"},
             {"e164": "+34912345678", "type": "work", "printed": "91 234 56 78"}],
    "emails": ["carmen.ruiz@pena.es"], "urls": ["www.pena.es"],
    "adr": {"street": "Calle Mayor 5", "city": "Madrid", "postal": "28013", "region": "",
            "country": "España"},
    "text": "Carmen Ruiz de la Fuente\nDirectora Comercial",
}


def perfect_prediction() -> dict:
    return {
        "fn": "CARMEN RUIZ DE LA FUENTE", "prefix": "Dra", "title": "directora  comercial",
        "org": "PEÑA ASESORES S.L.", "department": "",
        "tels": [{"e164": "+34 912 34 56 78", "type": "WORK"}, {"e164": "+34612345678", "type": "cell"}],
        "emails": ["Carmen.Ruiz@PENA.ES"], "urls": ["https://www.pena.es/"],
        "adr": {"street": "Calle Mayor 5", "city": "MADRID", "postal": "28013", "country": "Spain"},
    }


def test_normalisation_keeps_accents_and_ignores_case_and_spacing() -> None:
    assert scoring.norm_text("  Peña   Núñez ") == scoring.norm_text("PEÑA NÚÑEZ")
    assert scoring.norm_text("Peña") != scoring.norm_text("Pena")
    assert scoring.norm_url("HTTPS://www.Example.com/") == "example.com"
    assert scoring.norm_url("twitter.com/ana") == scoring.norm_url("https://x.com/ana")
    assert scoring.norm_email(" Ana@Example.ES ") == "ana@example.es"
    assert scoring.norm_country("España") == scoring.norm_country("Spain") == "ES"
    assert scoring.norm_country("United Kingdom") == scoring.norm_country("UK") == "GB"


def test_a_perfect_prediction_scores_every_field() -> None:
    counts = scoring.score_card(TRUTH, perfect_prediction())
    assert all(c.fp == 0 and c.fn == 0 for c in counts.values()), counts
    assert counts["tels"].tp == 2
    assert counts["department"].tp == 0  # empty on both sides: nothing to count


def test_wrong_missing_and_extra_values_are_counted() -> None:
    pred = perfect_prediction()
    pred["org"] = "Pena Asesores S.L."  # accent lost: wrong
    pred["tels"] = [{"e164": "+34612345678", "type": "work"}]  # wrong type, one missed
    pred["emails"].append("info@pena.es")  # extra
    pred["adr"]["postal"] = ""  # missed
    pred["department"] = "Ventas"  # invented
    counts = scoring.score_card(TRUTH, pred)
    assert (counts["org"].tp, counts["org"].fp, counts["org"].fn) == (0, 1, 1)
    assert (counts["tels"].tp, counts["tels"].fp, counts["tels"].fn) == (0, 1, 2)
    assert (counts["emails"].tp, counts["emails"].fp) == (1, 1)
    assert counts["adr.postal"].fn == 1
    assert counts["department"].fp == 1
    numbers = scoring.phone_numbers_counts(TRUTH, pred)
    assert (numbers.tp, numbers.fn) == (1, 1)


def test_phone_without_e164_matches_by_printed_digits() -> None:
    truth = {"tels": [{"e164": None, "type": "voice", "printed": "2294-9484"}]}
    hit = scoring.score_card(truth, {"tels": [{"e164": "+551122949484", "type": "cell"}]})
    assert hit["tels"].tp == 1 and hit["tels"].fp == 0
    miss = scoring.score_card(truth, {"tels": [{"e164": "+551122949400", "type": "voice"}]})
    assert miss["tels"].tp == 0 and miss["tels"].fn == 1 and miss["tels"].fp == 1


def test_derived_country_is_not_penalised_but_a_wrong_printed_one_is() -> None:
    truth = {"adr": {"country": ""}}
    assert scoring.score_card(truth, {"adr": {"country": "Spain"}})["adr.country"].fp == 0
    truth = {"adr": {"country": "México"}}
    assert scoring.score_card(truth, {"adr": {"country": "Spain"}})["adr.country"].fn == 1
    assert scoring.score_card(truth, {"adr": {"country": "Mexico"}})["adr.country"].tp == 1


def test_unsure_fields_are_skipped() -> None:
    counts = scoring.score_card({"org": "X", "unsure": ["org"]}, {"org": "Y"})
    assert "org" not in counts


def test_micro_f1_and_perfect_share_over_a_set() -> None:
    good = {"source": "a.jpg", "fields": perfect_prediction(), "ocr_text": TRUTH["text"]}
    bad = {"source": "b.jpg", "fields": {**perfect_prediction(), "fn": "Carmen Ruiz"},
           "ocr_text": "Carmen Ruiz de la Fuente"}
    result = scoring.SetScore()
    result.add_photo(TRUTH, [good])
    result.add_photo(TRUTH, [bad])
    result.add_photo(TRUTH, [])  # the scan failed for this one: everything missed
    summary = result.summary()
    assert summary["cards"] == 3
    assert summary["perfect_cards"] == pytest.approx(1 / 3, abs=1e-3)
    micro = result.micro
    per_card_truth_values = 11  # fn prefix title org 2 tels email url street city postal country
    assert micro.tp + micro.fn == 3 * (per_card_truth_values + 1)
    assert 0 < summary["micro_f1"] < 1
    assert summary["fields"]["fn"]["recall"] == pytest.approx(1 / 3, abs=1e-3)
    assert result.misses["fn wrong"] == 1 and result.misses["fn missed"] == 1
    assert summary["char_accuracy"] < 1


def test_two_cards_in_a_photo_are_paired_by_content_not_order() -> None:
    other = {"fn": "John Smith", "org": "Acme Ltd", "emails": ["john@acme.co.uk"],
             "tels": [], "urls": [], "adr": {}, "text": "John Smith\nAcme Ltd"}
    doc = {"kind": "photo", "cards": 2, "truths": [TRUTH, other]}
    preds = [{"fields": {"fn": "John Smith", "org": "Acme Ltd", "emails": ["john@acme.co.uk"]},
              "ocr_text": "John Smith\nAcme Ltd"},
             {"fields": perfect_prediction(), "ocr_text": TRUTH["text"]}]
    result = scoring.SetScore()
    result.add_photo(doc, preds)
    assert result.cards == 2 and result.perfect == 2 and result.extra_cards == 0
    assert result.char_accuracy == 1.0


def test_an_extra_predicted_card_counts_as_false_positives() -> None:
    result = scoring.SetScore()
    result.add_photo(TRUTH, [{"fields": perfect_prediction()}, {"fields": {"fn": "Ghost"}}])
    assert result.extra_cards == 1
    assert result.fields["fn"].fp == 1


def test_char_accuracy_is_order_tolerant_and_counts_errors() -> None:
    truth = "Ana Ruiz\nDirectora\nana@x.es"
    assert scoring.char_accuracy(truth, "ana@x.es\nAna Ruiz\n\nDirectora") == 1.0
    errors, total = scoring.char_errors(truth, "Ana Ruiz\nDirectora\nanaOx.es")
    assert (errors, total) == (1, len("Ana RuizDirectoraana@x.es"))
    assert scoring.char_accuracy(truth, "") == 0.0
    assert scoring.char_accuracy(truth, truth + "\nnoise line") < 1.0
    # two columns read row by row: the printed lines share OCR lines, nothing is misread
    columns = "Ana Ruiz  ana@x.es\nDirectora"
    assert scoring.char_accuracy(truth, columns) == 1.0
    assert scoring.char_errors(truth, "Ana Ruiz  anaOx.es\nDirectora")[0] == 1


def test_truths_of_unwraps_multi_card_records() -> None:
    assert scoring.truths_of({"fn": "A"}) == [{"fn": "A"}]
    assert [t["fn"] for t in scoring.truths_of({"truths": [{"fn": "A"}, {"fn": "B"}]})] == ["A", "B"]


def test_char_errors_pair_each_printed_line_with_its_own_ocr_line():
    """A short line contained in a longer one must not steal the longer line's match."""
    truth = "ana@ulibarri.com.mx\nulibarri.com.mx"
    ocr = "ana@ulibarn.com.mx\nulibarri.com.mx"
    assert scoring.char_errors(truth, ocr) == (2, 34)  # "ri" read as "n": two edits
