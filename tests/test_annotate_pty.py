"""The real `cardscan annotate` in a pseudo-terminal: typing, defaults, corrections, b/s/q, Ctrl-C."""

from __future__ import annotations

import io
import os
import signal
import stat
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from cardscan.models import Contact, Email, Name, Phone, PhoneType, Source
from cardscan.store import Book

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("cardscan")
BASE = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
PEOPLE = [("Ana", "Alonso"), ("Bruno", "Blanco"), ("Carmen", "Castillo"), ("Diego", "Díaz")]


@pytest.fixture
def book(tmp_path: Path) -> Book:
    """Four scanned cards; Diego is the newest, so the prompt walks Diego, Carmen, Bruno, Ana."""
    book = Book(tmp_path / "book")
    for minutes, (given, family) in enumerate(PEOPLE):
        slug = given.lower()
        photo = tmp_path / f"{slug}.jpg"
        photo.write_bytes(b"\xff\xd8 not really a jpeg")
        book.add(Contact(
            name=Name(given, family),
            org=f"{family} SL",
            phones=[Phone(f"+3491234567{minutes}", PhoneType.WORK)],
            emails=[Email(f"{slug}@exarnple.com", confidence=0.3)],  # misread: "rn" for "m"
            sources=[Source(photo.name, path=str(photo), scanned_at=BASE + timedelta(minutes=minutes))],
        ))
    return book


def people(book: Book) -> dict[str, Contact]:
    return {c.name.given: c for c in book.contacts()}


def _as_at_a_terminal() -> None:
    """In the child: Ctrl-C interrupts, as in a terminal, even when the suite itself runs in the
    background of a shell (which starts it with SIGINT ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(book: Book, lang: str, *args: str, colour: bool = False,
          env: dict[str, str] | None = None, command_words: tuple[str, ...] = ("annotate",),
          rows: int = 40) -> pexpect.spawn:
    """cardscan COMMAND_WORDS ARGS in a pseudo-terminal of ROWS x 120, on ``book``."""
    command = str(SCRIPT) if SCRIPT.exists() else sys.executable
    prefix = [] if SCRIPT.exists() else ["-m", "cardscan"]
    environment = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", INPUTRC="/dev/null",
                       TERM="xterm-256color" if colour else "dumb",
                       CARDSCAN_CONFIG=str(ROOT / "nonexistent-config.toml"))
    environment.pop("NO_COLOR", None)
    if not colour:
        environment["NO_COLOR"] = "1"
    # the source tree first, whatever state the editable install is in
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    environment.update(env or {})
    child = pexpect.spawn(command, [*prefix, "--book", str(book.path), "--ui-lang", lang, *command_words,
                                    *args],
                          env=environment, encoding="utf-8", timeout=30, dimensions=(rows, 120),
                          preexec_fn=_as_at_a_terminal)
    child.logfile_read = io.StringIO()  # the whole screen, for failure messages and checks
    return child


def screen(child: pexpect.spawn) -> str:
    return child.logfile_read.getvalue()


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus


def test_english_session_with_defaults_back_correction_skip_and_quit(book: Book) -> None:
    child = spawn(book, "en")
    child.expect_exact("Card 1/4 · Diego Díaz")
    child.expect_exact("photo: diego.jpg")
    child.expect_exact("Where did we meet? › ")
    child.sendline("EatsAndTwitts Madrid")
    child.expect_exact("What do they need? › ")
    child.sendline("seed round")
    child.expect_exact("How can I help? › ")
    child.sendline("b")  # back: the saved answer is now the default
    child.expect_exact("What do they need? [seed round] › ")
    child.sendline("")
    child.expect_exact("How can I help? › ")
    child.sendline("intro to Lucía")
    child.expect_exact("Tags (comma-separated) › ")
    child.sendline("evento, madrid")
    child.expect_exact("Follow-up date")
    child.sendline("2099-05-04")
    child.expect_exact("Saved.")

    child.expect_exact("Card 2/4 · Carmen Castillo")
    child.expect_exact("⚠ check")  # the misread e-mail is flagged
    child.expect_exact("Where did we meet? [EatsAndTwitts Madrid] › ")
    child.sendline("e")
    child.expect_exact("Correct which field?")
    child.sendline("6")
    child.expect_exact("carmen@exarnple.com")  # prefilled for editing
    child.send("\x15carmen@example.com\r")  # Ctrl-U clears the line, then the right address
    child.expect_exact("Saved: Emails.")
    child.expect_exact("Correct which field?")
    child.sendline("")
    child.expect_exact("Where did we meet? [EatsAndTwitts Madrid] › ")
    child.sendline("")  # one Enter per card of the same event
    child.expect_exact("What do they need? › ")
    child.sendline("a backend developer")
    child.expect_exact("How can I help? › ")
    child.sendline("")
    child.expect_exact("Tags (comma-separated) [evento, madrid] › ")
    child.sendline("")
    child.expect_exact("Follow-up date")
    child.sendline("")
    child.expect_exact("Saved.")

    child.expect_exact("Card 3/4 · Bruno Blanco")
    child.expect_exact("Where did we meet?")
    child.sendline("s")
    child.expect_exact("Skipped")
    child.expect_exact("Card 4/4 · Ana Alonso")
    child.expect_exact("Where did we meet?")
    child.sendline("q")
    child.expect_exact("1 card(s) left")
    assert finish(child) == 0, screen(child)

    saved = people(book)
    diego, carmen, bruno, ana = (saved[n] for n in ("Diego", "Carmen", "Bruno", "Ana"))
    assert diego.annotations.met_at == "EatsAndTwitts Madrid"
    assert (diego.annotations.needs, diego.annotations.offer) == ("seed round", "intro to Lucía")
    assert diego.annotations.tags == ["evento", "madrid"]
    assert diego.annotations.follow_up == date(2099, 5, 4)
    assert diego.annotations.annotated_at is not None
    assert carmen.annotations.met_at == "EatsAndTwitts Madrid"
    assert carmen.annotations.needs == "a backend developer"
    assert carmen.annotations.tags == ["evento", "madrid"]
    assert carmen.annotations.annotated_at is not None
    assert [e.address for e in carmen.emails] == ["carmen@example.com"]
    assert "emails" in carmen.user_edited
    assert carmen.low_confidence_fields() == []
    assert bruno.annotations.skipped and bruno.annotations.annotated_at is None
    assert ana.annotations.annotated_at is None and not ana.annotations.skipped
    assert "\x1b[1;33m" not in screen(child)  # NO_COLOR: no highlight colour


def test_ctrl_c_half_way_keeps_answers_and_the_next_run_resumes(book: Book) -> None:
    child = spawn(book, "en")
    child.expect_exact("Where did we meet? › ")
    child.sendline("Web Summit")
    for _ in range(4):  # Enter on the rest of Diego's questions
        child.expect_exact(" › ")
        child.sendline("")
    child.expect_exact("Card 2/4 · Carmen Castillo")
    child.expect_exact("Where did we meet? [Web Summit] › ")
    child.sendline("Web Summit, stand B12")
    child.expect_exact("What do they need? › ")
    child.sendline("distributors in Mexico")
    child.expect_exact("How can I help? › ")
    child.send("half an answ")  # typed but not entered
    # wait for the echo: readline is then idle, waiting for the next key, as with a person
    child.expect_exact("half an answ")
    child.sendintr()
    assert finish(child) == 130, screen(child)
    assert "everything answered so far is saved" in screen(child)

    saved = people(book)
    assert saved["Diego"].annotations.annotated_at is not None
    carmen = saved["Carmen"].annotations
    assert (carmen.met_at, carmen.needs, carmen.offer) == (
        "Web Summit, stand B12", "distributors in Mexico", "")
    assert carmen.annotated_at is None

    child = spawn(book, "en")
    child.expect_exact("3 card(s) to annotate")
    child.expect_exact("Card 1/3 · Carmen Castillo")  # resumes at the unfinished card
    child.expect_exact("Where did we meet? [Web Summit, stand B12] › ")
    child.sendline("")
    child.expect_exact("What do they need? [distributors in Mexico] › ")
    child.sendline("")
    child.expect_exact("How can I help? › ")
    child.sendline("intro to a logistics partner")
    child.expect_exact("Tags")
    child.sendline("")
    child.expect_exact("Follow-up")
    child.sendline("")
    child.expect_exact("Card 2/3 · Bruno Blanco")
    child.expect_exact("Where did we meet? [Web Summit, stand B12] › ")
    child.sendline("q")
    assert finish(child) == 0, screen(child)
    carmen = people(book)["Carmen"].annotations
    assert carmen.offer == "intro to a logistics partner"
    assert carmen.annotated_at is not None


def test_spanish_session_help_and_relative_date(book: Book) -> None:
    before = date.today()
    child = spawn(book, "es")
    child.expect_exact("4 tarjeta(s) por anotar")
    child.expect_exact("Tarjeta 1/4 · Diego Díaz")
    child.expect_exact("revisar")
    child.expect_exact("¿Dónde nos conocimos? › ")
    child.sendline("?")
    child.expect_exact("Teclas")
    child.expect_exact("¿Dónde nos conocimos? › ")
    child.sendline("Congreso de Cardiología")
    child.expect_exact("¿Qué necesita? › ")
    child.sendline("\\s")  # a literal "s", not "skip"
    child.expect_exact("¿Cómo puedo ayudar? › ")
    child.sendline("")
    child.expect_exact("Etiquetas")
    child.sendline("salud")
    child.expect_exact("Fecha de seguimiento")
    child.sendline("cuando sea")
    child.expect_exact("No entiendo 'cuando sea' como fecha")
    child.expect_exact("Fecha de seguimiento")
    child.sendline("mañana")
    child.expect_exact("Guardado")
    child.expect_exact("Tarjeta 2/4")
    child.expect_exact("¿Dónde nos conocimos? [Congreso de Cardiología] › ")
    child.sendline("b")  # from the first question back to the previous card's last one
    child.expect_exact("Tarjeta 1/4 · Diego Díaz")
    child.expect_exact("Fecha de seguimiento")
    child.sendline("q")
    child.expect_exact("Quedan 3 tarjeta(s)")
    assert finish(child) == 0, screen(child)
    diego = people(book)["Diego"].annotations
    assert diego.met_at == "Congreso de Cardiología"
    assert diego.needs == "s"
    assert diego.tags == ["salud"]
    assert diego.follow_up in {before + timedelta(days=1), date.today() + timedelta(days=1)}


def test_o_opens_the_photo_and_colours_mark_doubtful_fields(book: Book, tmp_path: Path) -> None:
    marker = tmp_path / "viewer.txt"
    viewer = tmp_path / "bin" / "xdg-open"
    viewer.parent.mkdir()
    viewer.write_text(f'#!/bin/sh\necho "$1" > "{marker}"\n')
    viewer.chmod(viewer.stat().st_mode | stat.S_IXUSR)
    path = f"{viewer.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    child = spawn(book, "en", colour=True, env={"PATH": path, "DISPLAY": ":99"})
    child.expect("Where did we meet")
    child.sendline("o")
    child.expect_exact("Opening diego.jpg")
    child.expect("Where did we meet")
    child.sendline("q")
    assert finish(child) == 0, screen(child)
    assert "\x1b[1;33m" in screen(child)  # the doubtful e-mail in bold yellow
    for _ in range(250):  # the viewer was started in the background
        if marker.is_file() and marker.read_text().strip():
            break
        time.sleep(0.02)
    assert marker.read_text().strip() == str(tmp_path / "diego.jpg")


def test_g_records_a_gift_and_every_keeps_in_touch(book: Book) -> None:
    child = spawn(book, "en")
    child.expect_exact("Card 1/4 · Diego Díaz")
    child.expect_exact("Where did we meet? › ")
    child.sendline("g")
    child.expect_exact("What did you give them?")
    child.sendline("sent the market report")
    child.expect_exact("Recorded: sent the market report")
    child.expect_exact("Where did we meet? › ")  # the same question again
    child.sendline("Web Summit")
    for _ in range(3):
        child.expect_exact(" › ")
        child.sendline("")
    child.expect_exact("every 3m keeps in touch")
    child.sendline("every 3m")
    child.expect_exact("keep in touch every 3 months")
    child.expect_exact("Saved.")
    child.expect_exact("Card 2/4")
    child.expect_exact("Where did we meet?")
    child.sendline("q")
    assert finish(child) == 0, screen(child)
    diego = people(book)["Diego"].annotations
    assert [(e.kind, e.day, e.text) for e in diego.history] == [
        ("gave", date.today(), "sent the market report")]
    assert diego.every == "P3M" and diego.follow_up is not None
    assert diego.follow_up > date.today() + timedelta(days=80)


def test_me_set_in_spanish_in_a_terminal(book: Book, tmp_path: Path) -> None:
    child = spawn(book, "es", command_words=("me", "--set"), rows=60)
    for question, answer in (("Nombre(s) de pila", "Zoe"), ("Apellido(s)", "Sánchez"),
                             ("Cargo", "Consultora"), ("Empresa", "Zeta"), ("Teléfonos", "+34 600 111 222"),
                             ("Correos", "zoe@@zeta"), ("No es una dirección de correo", None),
                             ("Correos", "zoe@zeta.example"), ("Web", ""),
                             ("¿Qué ofreces a la gente que conoces?", "mentoría")):
        child.expect_exact(question)
        if answer is not None:
            child.sendline(answer)
    child.expect_exact("Tu tarjeta está guardada (Zoe Sánchez)")
    child.expect_exact("█")  # the QR code drawn in the terminal
    assert finish(child) == 0, screen(child)
    me = book.me()
    assert me is not None and me.emails[0].address == "zoe@zeta.example"
    assert me.annotations.offer == "mentoría" and me.is_me
