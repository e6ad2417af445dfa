"""The annotation prompt's logic: follow-up dates, batch flags, the session with scripted input."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardscan import annotate, merge
from cardscan.annotate import (
    batch_annotations,
    classify,
    parse_follow_up,
    pending_contacts,
    run_session,
    split_tags,
)
from cardscan.i18n import MESSAGES, t
from cardscan.models import Annotations, Contact, Email, Name, Phone, PhoneType, Source
from cardscan.store import Book

ROOT = Path(__file__).resolve().parents[1]
WEDNESDAY = date(2026, 3, 11)
BASE = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


# ---------------------------------------------------------------- parse_follow_up


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("2026-12-01", "en", date(2026, 12, 1)),
        ("2026-03-11", "en", WEDNESDAY),  # today is allowed
        ("+3d", "en", date(2026, 3, 14)),
        ("+3", "en", date(2026, 3, 14)),
        ("+2w", "en", date(2026, 3, 25)),
        ("+2s", "es", date(2026, 3, 25)),
        ("+1m", "en", date(2026, 4, 11)),
        ("+1y", "en", date(2027, 3, 11)),
        ("tomorrow", "en", date(2026, 3, 12)),
        ("mañana", "es", date(2026, 3, 12)),
        ("Mañana", "en", date(2026, 3, 12)),
        ("pasado mañana", "es", date(2026, 3, 13)),
        ("next friday", "en", date(2026, 3, 13)),
        ("friday", "en", date(2026, 3, 13)),
        ("el próximo viernes", "es", date(2026, 3, 13)),
        ("El Proximo Viernes", "es", date(2026, 3, 13)),
        ("viernes", "es", date(2026, 3, 13)),
        ("el lunes que viene", "es", date(2026, 3, 16)),
        ("wednesday", "en", date(2026, 3, 18)),  # the coming one, never today
        ("in 2 weeks", "en", date(2026, 3, 25)),
        ("in two weeks", "en", date(2026, 3, 25)),
        ("en 2 semanas", "es", date(2026, 3, 25)),
        ("en dos semanas", "es", date(2026, 3, 25)),
        ("dentro de 3 días", "es", date(2026, 3, 14)),
        ("in 1 month", "en", date(2026, 4, 11)),
        ("la semana que viene", "es", date(2026, 3, 18)),
        ("next month", "en", date(2026, 4, 11)),
        ("1 de diciembre", "es", date(2026, 12, 1)),
        ("December 1", "en", date(2026, 12, 1)),
        ("1/12/2026", "es", date(2026, 12, 1)),  # day first in Spanish
        ("12/1/2026", "en", date(2026, 12, 1)),  # month first in English
        ("march 1", "en", date(2027, 3, 1)),  # a day-month already past this year: next year
    ],
)
def test_parse_follow_up_forms(text: str, lang: str, expected: date) -> None:
    assert parse_follow_up(text, WEDNESDAY, lang) == expected


def test_month_shorthand_clamps_to_month_end() -> None:
    assert parse_follow_up("+1m", date(2026, 1, 31), "en") == date(2026, 2, 28)
    assert parse_follow_up("+1m", date(2028, 1, 31), "en") == date(2028, 2, 29)
    assert parse_follow_up("+13m", date(2026, 12, 15), "en") == date(2028, 1, 15)


@pytest.mark.parametrize("text", ["asdf", "", "   ", "+", "+2q", "soon-ish", "next blursday"])
def test_parse_follow_up_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="as a date"):
        parse_follow_up(text, WEDNESDAY, "en")


@pytest.mark.parametrize("text", ["2020-01-01", "yesterday", "2026-03-10"])
def test_parse_follow_up_never_returns_a_past_date(text: str) -> None:
    with pytest.raises(ValueError, match="in the past"):
        parse_follow_up(text, WEDNESDAY, "en")


def test_parse_follow_up_messages_follow_the_language() -> None:
    with pytest.raises(ValueError, match="No entiendo"):
        parse_follow_up("tralarí", WEDNESDAY, "es")
    with pytest.raises(ValueError, match="ya ha pasado"):
        parse_follow_up("ayer", WEDNESDAY, "es")


@given(days=st.integers(min_value=0, max_value=3000),
       today=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_day_shorthand_is_exact(days: int, today: date) -> None:
    assert parse_follow_up(f"+{days}d", today, "en") == today + timedelta(days=days)


@given(weekday=st.sampled_from(["monday", "martes", "wed", "jueves", "friday", "sábado", "sun"]),
       today=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)))
def test_named_days_fall_within_the_coming_week(weekday: str, today: date) -> None:
    result = parse_follow_up(weekday, today, "es")
    assert today < result <= today + timedelta(days=7)


# ---------------------------------------------------------------- batch flags


def test_batch_annotations_for_scan_flags() -> None:
    notes = batch_annotations(met_at=" EatsAndTwitts Madrid ", needs=None, offer="intros",
                              tags=["evento", "#Madrid, evento", "madrid"], follow_up="+2w",
                              today=WEDNESDAY)
    assert notes.met_at == "EatsAndTwitts Madrid"
    assert notes.needs == ""
    assert notes.offer == "intros"
    assert notes.tags == ["evento", "Madrid"]
    assert notes.follow_up == date(2026, 3, 25)
    assert notes.annotated_at is None  # the cards still come up in `cardscan annotate`


def test_batch_annotations_reads_spanish_dates_and_rejects_garbage() -> None:
    assert batch_annotations(follow_up="el próximo viernes", today=WEDNESDAY).follow_up == date(2026, 3, 13)
    assert batch_annotations(follow_up=None, today=WEDNESDAY).follow_up is None
    assert batch_annotations(follow_up="3/12/2026", today=WEDNESDAY, lang="es").follow_up == date(2026, 12, 3)
    assert batch_annotations(follow_up="3/12/2026", today=WEDNESDAY).follow_up == date(2026, 3, 12)
    # 12 January is past in English, so the Spanish reading (1 December) is the one that fits
    assert batch_annotations(follow_up="1/12/2026", today=WEDNESDAY).follow_up == date(2026, 12, 1)
    with pytest.raises(ValueError):
        batch_annotations(follow_up="whenever", today=WEDNESDAY)


def test_batch_answers_fill_what_is_empty_and_never_replace_an_answer() -> None:
    contact = Contact(annotations=Annotations(needs="a CTO", tags=["ai"]))
    assert merge.apply_batch(contact, batch_annotations(met_at="Web Summit", needs="money",
                                                        tags="evento", today=WEDNESDAY))
    assert contact.annotations.met_at == "Web Summit"
    assert contact.annotations.needs == "a CTO"
    assert contact.annotations.tags == ["ai", "evento"]
    assert not merge.apply_batch(contact, batch_annotations(tags="AI", today=WEDNESDAY))


def test_split_tags() -> None:
    assert split_tags("a, b;c ,, #d") == ["a", "b", "c", "d"]
    assert split_tags(None) == []


# ---------------------------------------------------------------- input protocol


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", ("keep", "")),
        ("   ", ("keep", "")),
        ("-", ("clear", "")),
        ("s", ("command", "s")),
        ("B", ("command", "b")),
        (" q ", ("command", "q")),
        ("?", ("command", "?")),
        ("\\s", ("answer", "s")),
        ("\\-", ("answer", "-")),
        ("so", ("answer", "so")),
        ("x", ("answer", "x")),  # only the documented letters are commands
        ("Madrid", ("answer", "Madrid")),
    ],
)
def test_classify(line: str, expected: tuple[str, str]) -> None:
    assert classify(line) == expected


def test_catalogues_have_the_same_messages_and_placeholders() -> None:
    assert MESSAGES["en"].keys() == MESSAGES["es"].keys()
    for key, english in MESSAGES["en"].items():
        fields = set(re.findall(r"\{(\w+)", english))
        assert fields == set(re.findall(r"\{(\w+)", MESSAGES["es"][key])), key


# ---------------------------------------------------------------- the session (scripted input)


def make_contact(given: str, family: str, minutes: int, **extra: object) -> Contact:
    """A scanned contact; a larger `minutes` means scanned later."""
    slug = given.lower()
    return Contact(
        name=Name(given, family),
        org=str(extra.pop("org", "Acme")),
        phones=[Phone("+34912345678", PhoneType.WORK, confidence=0.9)],
        emails=[Email(f"{slug}@example.com")],
        sources=[Source(f"{slug}.jpg", path=f"/nonexistent/{slug}.jpg",
                        scanned_at=BASE + timedelta(minutes=minutes))],
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def book(tmp_path: Path) -> Book:
    """Three cards: Ana (oldest), Bea, Carla (newest); the prompt walks Carla, Bea, Ana."""
    book = Book(tmp_path / "book")
    book.add(make_contact("Ana", "Alonso", 1))
    book.add(make_contact("Bea", "Bravo", 2, org="Beta SL"))
    book.add(make_contact("Carla", "Castro", 3, org="Gamma", confidence={"org": 0.3}))
    return book


def by_name(book: Book) -> dict[str, Contact]:
    return {c.name.given: c for c in book.contacts()}


class Script:
    """Answers typed one by one; records every prompt shown."""

    def __init__(self, answers: list[str]) -> None:
        self.answers: Iterator[str] = iter(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        try:
            return next(self.answers)
        except StopIteration:
            raise EOFError from None


def run(book: Book, answers: list[str], lang: str = "en", **kwargs: object) -> tuple[Script, str]:
    script = Script(answers)
    out = io.StringIO()
    run_session(book, lang, input=script, output=out, today=WEDNESDAY, **kwargs)  # type: ignore[arg-type]
    return script, out.getvalue()


def test_newest_first_and_previous_answers_as_defaults(book: Book) -> None:
    script, out = run(book, [
        "Web Summit Lisboa", "funding", "intro to Maria", "evento, lisboa", "+2w",  # Carla
        "", "a designer", "", "", "",  # Bea: Enter keeps the place and the tags
    ])
    assert [p for p in script.prompts if p.startswith("Where")] == [
        "Where did we meet? › ", "Where did we meet? [Web Summit Lisboa] › ",
        "Where did we meet? [Web Summit Lisboa] › ",
    ]
    assert out.index("Carla Castro") < out.index("Bea Bravo") < out.index("Ana Alonso")
    saved = by_name(book)
    carla, bea, ana = saved["Carla"], saved["Bea"], saved["Ana"]
    assert (carla.annotations.met_at, carla.annotations.needs, carla.annotations.offer) == (
        "Web Summit Lisboa", "funding", "intro to Maria")
    assert carla.annotations.tags == ["evento", "lisboa"]
    assert carla.annotations.follow_up == date(2026, 3, 25)
    assert carla.annotations.annotated_at is not None
    assert bea.annotations.met_at == "Web Summit Lisboa"
    assert bea.annotations.tags == ["evento", "lisboa"]
    assert bea.annotations.needs == "a designer"
    assert bea.annotations.follow_up is None
    assert bea.annotations.annotated_at is not None
    # input ended at Ana's first question: nothing stored for her, the session quit cleanly
    assert ana.annotations == Annotations()
    assert "⚠" in out.split("Bea Bravo")[0]  # Carla's company was hard to read


def test_each_answer_is_saved_before_the_next_question(book: Book) -> None:
    seen: list[str] = []

    def spy(prompt: str) -> str:
        seen.append(by_name(book)["Carla"].annotations.met_at)
        if len(seen) == 1:
            return "Madrid"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_session(book, "en", input=spy, output=io.StringIO(), today=WEDNESDAY)
    assert seen == ["", "Madrid"]
    assert by_name(book)["Carla"].annotations.met_at == "Madrid"


def test_back_skip_clear_literal_and_quit(book: Book) -> None:
    run(book, [
        "Madrid", "b", "Sevilla", "\\s", "-", "s",  # Carla: back, literal "s", cleared offer, skip
        "b",  # back from Bea's first question to Carla (skipped: restarts at her first question)
        "", "", "", "", "+3d",  # Carla again, all defaults
        "", "q",  # Bea: place kept, then quit
    ])
    saved = by_name(book)
    carla, bea = saved["Carla"], saved["Bea"]
    assert carla.annotations.met_at == "Sevilla"
    assert carla.annotations.needs == "s"
    assert carla.annotations.offer == ""
    assert carla.annotations.follow_up == date(2026, 3, 14)
    assert carla.annotations.annotated_at is not None
    assert not carla.annotations.skipped
    assert bea.annotations.met_at == "Sevilla"
    assert bea.annotations.annotated_at is None
    assert [c.name.given for c in pending_contacts(book)] == ["Bea", "Ana"]


def test_back_from_a_finished_card_returns_to_its_last_question(book: Book) -> None:
    script, _ = run(book, ["X", "", "", "", "", "b", "tomorrow", "", "q"])
    assert script.prompts[5].startswith("Where")
    assert script.prompts[6].startswith("Follow-up")
    assert script.prompts[7].startswith("Where")  # then back to Bea
    assert by_name(book)["Carla"].annotations.follow_up == date(2026, 3, 12)


def test_skipped_cards_stay_out_until_asked(book: Book) -> None:
    run(book, ["s", "s", "s"])
    assert pending_contacts(book) == []
    assert {c.name.given for c in pending_contacts(book, include_skipped=True)} == {"Ana", "Bea", "Carla"}
    _, out = run(book, [])
    assert "Nothing to annotate" in out and "3 skipped" in out
    run(book, ["Vigo", "", "", "", ""], include_skipped=True)
    assert by_name(book)["Carla"].annotations.annotated_at is not None
    assert not by_name(book)["Carla"].annotations.skipped


def test_bad_follow_up_is_asked_again(book: Book) -> None:
    _, out = run(book, ["M", "", "", "", "someday maybe", "2020-01-01", "next friday", "q"])
    assert "Cannot read 'someday maybe' as a date" in out
    assert "2020-01-01 is in the past" in out
    assert "Fri 13 Mar 2026" in out
    assert by_name(book)["Carla"].annotations.follow_up == date(2026, 3, 13)


def test_correcting_fields(book: Book) -> None:
    run(book, [
        "e", "4", "Gamma Labs",  # company
        "5", "+34 600 11 22 33, not a phone", "+34 600 11 22 33, +1 212 555 0100",  # phones
        "6", "carla@@gamma", "carla@gamma.example",  # emails: invalid, then valid
        "7", "gamma.example, linkedin.com/in/carla",  # websites
        "1", "", "Castro Díaz",  # name: given kept, family corrected
        "8", "Calle Mayor 1", "Madrid", "28013", "", "España",  # address
        "",  # leave the menu
        "q",
    ])
    carla = by_name(book)["Carla"]
    assert carla.org == "Gamma Labs"
    assert carla.confidence["org"] == 1.0
    assert "org" not in carla.low_confidence_fields()
    assert [(p.number, p.type) for p in carla.phones] == [
        ("+34600112233", PhoneType.CELL), ("+12125550100", PhoneType.VOICE)]
    assert [e.address for e in carla.emails] == ["carla@gamma.example"]
    assert [(w.url, w.kind) for w in carla.websites] == [
        ("https://gamma.example", "website"), ("https://linkedin.com/in/carla", "linkedin")]
    assert (carla.name.given, carla.name.family) == ("Carla", "Castro Díaz")
    assert (carla.address.street, carla.address.city, carla.address.postal_code) == (
        "Calle Mayor 1", "Madrid", "28013")
    assert carla.address.country == "España"
    assert carla.user_edited == {"org", "phones", "emails", "websites", "name", "address"}


def test_unchanged_field_is_not_marked_edited(book: Book) -> None:
    run(book, ["e", "3", "", "2", "", "", "q"])  # Enter on department and title
    assert by_name(book)["Carla"].user_edited == set()


def test_spanish_session(book: Book) -> None:
    script, out = run(book, ["Feria", "?", "", "", "", "mañana", "q"], lang="es")
    assert script.prompts[0] == "¿Dónde nos conocimos? › "
    assert "¿Qué necesita?" in script.prompts[1]
    assert "Teclas" in out
    assert "Tarjeta 1/3" in out and "revisar" in out
    assert "jue 12 mar 2026" in out
    assert "Guardado. Quedan 2 tarjeta(s)" in out


def test_only_uids_limits_the_session(book: Book) -> None:
    ana = by_name(book)["Ana"]
    run(book, ["Bilbao", "", "", "", ""], only_uids=[ana.uid])
    saved = by_name(book)
    assert saved["Ana"].annotations.annotated_at is not None
    assert saved["Bea"].annotations.met_at == ""


def test_learns_last_place_from_earlier_sessions(book: Book) -> None:
    run(book, ["Madrid Tech", "", "", "ai", "", "q"])
    script, _ = run(book, ["", "", "", "", "", "q"])
    assert script.prompts[0] == "Where did we meet? [Madrid Tech] › "
    assert script.prompts[3] == "Tags (comma-separated) [ai] › "
    assert by_name(book)["Bea"].annotations.met_at == "Madrid Tech"


# ---------------------------------------------------------------- opening the photo


def test_open_photo_without_a_viewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = tmp_path / "card.jpg"
    assert annotate.open_photo(photo, "en") == (False, f"The photo is not there any more: {photo}")
    assert annotate.open_photo(None, "es")[1] == t("es", "no_photo_path")
    photo.write_bytes(b"jpeg")
    if sys.platform in ("win32", "darwin"):
        pytest.skip("the Linux branch is tested here")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    ok, message = annotate.open_photo(photo, "en")
    assert not ok and "no graphical display" in message and str(photo) in message
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    ok, message = annotate.open_photo(photo, "en")
    assert not ok and "xdg-open" in message


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="xdg-open branch")
def test_open_photo_runs_xdg_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "opened.txt"
    fake = tmp_path / "bin" / "xdg-open"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$1" > "{marker}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    photo = tmp_path / "card 1.jpg"
    photo.write_bytes(b"jpeg")
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("DISPLAY", ":0")
    ok, message = annotate.open_photo(photo, "en")
    assert ok and "card 1.jpg" in message
    for _ in range(200):  # the viewer runs in the background
        if marker.is_file() and marker.read_text().strip():
            break
        time.sleep(0.02)
    assert marker.read_text().strip() == str(photo)


# ---------------------------------------------------------------- the command without a terminal


def cli_env() -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["CARDSCAN_CONFIG"] = str(ROOT / "nonexistent-config.toml")
    return env


def test_annotate_does_not_wait_when_stdin_is_not_a_terminal(book: Book) -> None:
    before = {p.name: p.read_bytes() for p in book.path.glob("*.vcf")}
    with open(os.devnull) as devnull:
        done = subprocess.run(
            [sys.executable, "-m", "cardscan", "--book", str(book.path), "--ui-lang", "en", "annotate"],
            stdin=devnull, capture_output=True, text=True, env=cli_env(), timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the message is on stderr: stdout stays clean for scripts
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a terminal" in lines[0] and "3 card(s) waiting" in lines[0]
    assert {p.name: p.read_bytes() for p in book.path.glob("*.vcf")} == before


def test_answers_from_stdin_when_asked(book: Book) -> None:
    answers = "Feria de Sevilla\nsocios\n\nevento\n2099-01-01\ns\n"
    done = subprocess.run(
        [sys.executable, "-m", "cardscan", "--book", str(book.path), "--ui-lang", "es", "annotate",
         "--answers-from-stdin"],
        input=answers, capture_output=True, text=True, env=cli_env(), timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "¿Dónde nos conocimos?" in done.stdout
    saved = by_name(book)
    assert saved["Carla"].annotations.met_at == "Feria de Sevilla"
    assert saved["Carla"].annotations.follow_up == date(2099, 1, 1)
    assert saved["Carla"].annotations.annotated_at is not None
    assert saved["Bea"].annotations.skipped
    assert saved["Ana"].annotations.annotated_at is None  # input ended: saved and quit


# ---------------------------------------------------------------- found by using it


def test_a_scan_merging_into_the_open_card_loses_nothing(book: Book) -> None:
    """Another cardscan adds a phone to the card on screen: the answers keep it."""
    other = Book(book.path)  # a second process's view of the same folder
    answers = iter(["Feria", "socios"])

    def typing(prompt: str) -> str:
        if "need" in prompt:  # while the user thinks, a scan merges a second phone
            carla = other.get("Carla")
            carla.phones.append(Phone("+34699000111", PhoneType.CELL))
            other.save(carla)
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    run_session(book, "en", input=typing, output=io.StringIO(), today=WEDNESDAY)
    carla = by_name(book)["Carla"]
    assert carla.annotations.met_at == "Feria" and carla.annotations.needs == "socios"
    assert "+34699000111" in [p.number for p in carla.phones]


def test_a_correction_is_written_over_the_stored_field_only(book: Book) -> None:
    other = Book(book.path)
    answers = iter(["e", "2", "CTO", "", "q"])
    done: list[bool] = []

    def typing(prompt: str) -> str:
        if "field" in prompt and not done:
            done.append(True)
            carla = other.get("Carla")
            carla.department = "I+D"  # written meanwhile by someone else
            other.save(carla)
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    run_session(book, "en", input=typing, output=io.StringIO(), today=WEDNESDAY)
    carla = by_name(book)["Carla"]
    assert (carla.title, carla.department) == ("CTO", "I+D")
    assert carla.user_edited == {"title"}


def test_phone_corrections_read_numbers_in_the_cards_country(book: Book) -> None:
    carla = book.get("Carla")
    carla.phones = [Phone("+5491149551521", PhoneType.CELL)]  # an Argentine card
    book.save(carla)
    run(book, ["e", "5", "+54 9 11 4955 1521, 11 4333 2222", "", "q"], region="ES")
    assert [p.number for p in by_name(book)["Carla"].phones] == [
        "+5491149551521", "+541143332222"]


def test_card_region_falls_back_to_the_address_then_the_setting() -> None:
    from cardscan.models import Address

    contact = Contact(name=Name("Ana", "Gil"))
    assert annotate.card_region(contact, "ES") == "ES"
    contact.address = Address(city="Lima", country_code="PE")
    assert annotate.card_region(contact, "ES") == "PE"
    contact.phones = [Phone("+525512345678", PhoneType.WORK)]
    assert annotate.card_region(contact, "ES") == "MX"


def test_phone_kinds_speak_the_prompt_language(book: Book) -> None:
    _, spanish = run(book, ["q"], lang="es")
    _, english = run(book, ["q"], lang="en")
    assert "(trabajo)" in spanish and "(work)" not in spanish
    assert "(work)" in english
