"""Acting on the network (issue 16), as a user meets it: introductions sent as .eml drafts,
a record of what you gave, your own card as a QR code, the weekly digest, keep in touch."""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import vobject
from click.testing import CliRunner

from cardscan import vcard
from cardscan.cli import main
from cardscan.merge import apply_changes, merge
from cardscan.models import (
    Annotations,
    Contact,
    Email,
    HistoryEntry,
    HistoryKind,
    Name,
    Source,
)
from cardscan.network import digest as weekly
from cardscan.network import drafts, history, suggest_introductions
from cardscan.network.followups import mark_done
from cardscan.network.stats import per_month
from cardscan.store import Book

TODAY = date.today()
VENV_BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def person(uid: str, given: str, family: str, *, org: str = "", title: str = "", mail: str = "",
           needs: str = "", offer: str = "", met_at: str = "", scanned: date | None = None) -> Contact:
    when = datetime.combine(scanned or TODAY, datetime.min.time(), UTC)
    return Contact(name=Name(given, family), org=org, title=title,
                   emails=[Email(mail)] if mail else [],
                   annotations=Annotations(met_at=met_at, needs=needs, offer=offer),
                   sources=[Source(f"{uid}.jpg", scanned_at=when)], uid=uid)


@pytest.fixture()
def book_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "no-config.toml"))
    for var in ("CARDSCAN_BOOK", "CARDSCAN_UI_LANG", "CARDSCAN_REGION", "CARDSCAN_LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "book"
    book = Book(folder)
    for contact in (
        person("lucia", "Lucía", "Fernández", org="Verdia Tech S.L.", title="CEO", mail="lucia@verdia.es",
               needs="inversores para su ronda semilla", met_at="South Summit Madrid"),
        person("mark", "Mark", "Thompson", org="Northgate Ventures", title="Partner",
               mail="mark@northgate.vc", offer="seed funding and investor introductions",
               met_at="Web Summit Lisbon"),
        person("pedro", "Pedro", "Gómez", org="Muebles Gómez", mail="pedro@mueblesgomez.es",
               needs="fotógrafo para el catálogo", met_at="Feria del Mueble",
               scanned=TODAY - timedelta(days=120)),
        person("anna", "Anna", "Schmidt", title="Photographer", mail="anna.photo@gmail.com",
               offer="fotografía de producto", met_at="Web Summit Lisbon"),
    ):
        book.save(contact)
    return folder


def run(book_dir: Path, *args: str, lang: str = "en", input: str | None = None):
    result = CliRunner().invoke(main, ["--book", str(book_dir), "--ui-lang", lang, *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# ---------------------------------------------------------------- 1. introductions


@pytest.mark.parametrize("lang", ["en", "es"])
def test_introduce_draft_writes_three_emails_a_mail_client_reads(book_dir: Path, tmp_path: Path,
                                                                 lang: str) -> None:
    out = tmp_path / "drafts"
    result = run(book_dir, "introduce", "Lucía", "Mark", "--draft", "--out", str(out), lang=lang)
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.eml"))
    assert [f.name for f in files] == [
        "intro-lucia-fernandez-mark-thompson-1-ask-lucia-fernandez.eml",
        "intro-lucia-fernandez-mark-thompson-2-ask-mark-thompson.eml",
        "intro-lucia-fernandez-mark-thompson-3-joint.eml"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    ask_a, ask_b, joint = (email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files)
    assert ask_a["To"].addresses[0].addr_spec == "lucia@verdia.es"
    assert ask_a["To"].addresses[0].display_name == "Lucía Fernández"
    assert ask_b["To"].addresses[0].addr_spec == "mark@northgate.vc"
    assert {a.addr_spec for a in joint["To"].addresses} == {"lucia@verdia.es", "mark@northgate.vc"}
    assert all(m["X-Unsent"] == "1" and m["Date"] and m["Subject"] for m in (ask_a, ask_b, joint))
    body_a = ask_a.get_content()
    # from the annotations: what A needs, where each was met, how B can help
    assert "inversores para su ronda semilla" in body_a and "South Summit Madrid" in body_a
    assert "Web Summit Lisbon" in body_a and "seed funding and investor introductions" in body_a
    assert "inversores para su ronda semilla" in ask_b.get_content()
    assert "Lucía" in joint.get_content() and "Mark" in joint.get_content()
    if lang == "es":
        assert ask_a["Subject"] == "¿Te presento a Mark Thompson?"
        assert body_a.startswith("Hola, Lucía:") and "¿Quieres que os presente?" in body_a
    else:
        assert ask_a["Subject"] == "Would you like an introduction to Mark Thompson?"
        assert body_a.startswith("Hi Lucía,") and "Would you like me to introduce you?" in body_a
    assert ".." not in joint.get_content()  # "Verdia Tech S.L." ends a sentence with one stop
    # the same messages printed, with a mailto: link that carries them
    links = re.findall(r"^mailto: (mailto:\S+)$", result.stdout, re.M)
    assert len(links) == 3
    parts = urlsplit(links[2])
    assert unquote(parts.path) == "lucia@verdia.es,mark@northgate.vc"
    query = parse_qs(parts.query)
    assert query["subject"] == [joint["Subject"]]
    assert query["body"][0].replace("\r\n", "\n") == joint.get_content().replace("\r\n", "\n")


def test_introduce_done_records_both_schedules_a_follow_up_and_stops_suggesting(book_dir: Path) -> None:
    before = run(book_dir, "introduce", "--json")
    assert any({s["a"]["uid"], s["b"]["uid"]} == {"lucia", "mark"} for s in
               json.loads(before.output))
    result = run(book_dir, "introduce", "Lucía", "Mark", "--done")
    assert result.exit_code == 0, result.output
    book = Book(book_dir)
    lucia, mark = book.get("lucia"), book.get("mark")
    for one, other in ((lucia, "mark"), (mark, "lucia")):
        [entry] = one.annotations.history
        assert entry.kind == HistoryKind.INTRODUCED and entry.day == TODAY and entry.with_uid == other
        assert "seed funding" in entry.text  # why
        assert one.annotations.follow_up == TODAY + timedelta(weeks=2)
    assert mark.annotations.history[0].with_name == "Lucía Fernández"
    after = json.loads(run(book_dir, "introduce", "--json").output)
    assert all({s["a"]["uid"], s["b"]["uid"]} != {"lucia", "mark"} for s in after)
    shown = run(book_dir, "show", "Mark").output
    assert f"{TODAY.isoformat()}  introduced to Lucía Fernández" in shown
    custom = run(book_dir, "introduce", "Pedro", "Anna", "--done", "--follow-up", "+3d", "--why", "photos")
    assert custom.exit_code == 0, custom.output
    assert Book(book_dir).get("anna").annotations.follow_up == TODAY + timedelta(days=3)
    assert Book(book_dir).get("anna").annotations.history[0].text == "photos"


def test_introduce_needs_two_different_known_contacts(book_dir: Path) -> None:
    assert run(book_dir, "introduce", "Lucía", "--draft").exit_code == 2
    assert run(book_dir, "introduce", "Lucía", "Lucía", "--draft").exit_code == 2
    assert run(book_dir, "introduce", "Lucía", "Nobody", "--done").exit_code == 7
    assert Book(book_dir).get("lucia").annotations.history == []


def test_suggestions_leave_out_pairs_introduced_on_either_side() -> None:
    lucia = person("lucia", "Lucía", "F", needs="investors for the seed round", org="Verdia")
    mark = person("mark", "Mark", "T", offer="seed funding and investors", org="Northgate")
    assert suggest_introductions([lucia, mark])
    history.introduce_side(mark, lucia, "seed", TODAY, None)  # recorded on Mark's card only
    assert suggest_introductions([lucia, mark]) == []


# ---------------------------------------------------------------- 2. what I gave


def test_gave_appends_dated_entries_shown_as_a_timeline(book_dir: Path) -> None:
    assert run(book_dir, "gave", "Pedro", "sent the market report").exit_code == 0
    earlier = TODAY - timedelta(days=10)
    typed = run(book_dir, "gave", "Pedro", "an intro to a printer", "--date", earlier.isoformat())
    assert typed.exit_code == 0
    assert run(book_dir, "gave", "Nobody", "x").exit_code == 7
    pedro = Book(book_dir).get("pedro")
    assert [(e.kind, e.day, e.text) for e in pedro.annotations.history] == [
        (HistoryKind.GAVE, earlier, "an intro to a printer"),
        (HistoryKind.GAVE, TODAY, "sent the market report")]
    shown = run(book_dir, "show", "Pedro").output
    met = (TODAY - timedelta(days=120)).isoformat()
    assert shown.index(f"{met}  met (Feria del Mueble)") \
        < shown.index(f"{earlier.isoformat()}  gave: an intro") \
        < shown.index(f"{TODAY.isoformat()}  gave: sent the market report")
    timeline = json.loads(run(book_dir, "show", "Pedro", "--json").output)
    assert [e["kind"] for e in timeline["annotations"]["timeline"]] == ["met", "gave", "gave"]
    shown_es = run(book_dir, "show", "Pedro", lang="es").output
    assert "le di: sent the market report" in shown_es


def test_stats_per_month_helped_and_only_collected(book_dir: Path) -> None:
    run(book_dir, "gave", "Pedro", "the report")
    run(book_dir, "introduce", "Lucía", "Mark", "--done")
    data = json.loads(run(book_dir, "stats", "--json").output)
    month = f"{TODAY:%Y-%m}"
    rows = {r["month"]: r for r in data["per_month"]}
    assert rows[month]["helped"] == 3  # Pedro, Lucía, Mark
    assert rows[month]["only_collected"] == 1  # Anna, met this month, not helped
    assert "only collected" in run(book_dir, "stats").output


def test_per_month_counts_people_not_entries() -> None:
    ana = person("ana", "Ana", "A", scanned=date(2026, 1, 10))
    for day in (date(2026, 2, 1), date(2026, 2, 2)):
        history.gave(ana, "advice", day)
    bea = person("bea", "Bea", "B", scanned=date(2026, 1, 11))
    assert per_month([ana, bea]) == [("2026-02", 1, 0), ("2026-01", 0, 1)]


# ---------------------------------------------------------------- keep in touch


@pytest.mark.parametrize(("text", "period"), [
    ("6w", "P6W"), ("+6w", "P6W"), ("3m", "P3M"), ("every 3 months", "P3M"), ("cada 2 semanas", "P2W"),
    ("1y", "P1Y"), ("P10D", "P10D"), ("off", ""), ("nunca", "")])
def test_parse_every(text: str, period: str) -> None:
    assert history.parse_every(text) == period


@pytest.mark.parametrize("text", ["soon", "0w", "99y", "every"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        history.parse_every(text)


def test_keep_in_touch_renews_the_follow_up_when_one_is_done(book_dir: Path) -> None:
    result = run(book_dir, "followups", "every", "Anna", "3m")
    assert result.exit_code == 0, result.output
    anna = Book(book_dir).get("anna")
    assert anna.annotations.every == "P3M"
    assert anna.annotations.follow_up == history.add_period(TODAY, "P3M")
    done = run(book_dir, "followups", "done", "Anna", "--date", "2026-01-31", "--json")
    record = json.loads(done.output)
    assert record["next_follow_up"] == "2026-04-30" and record["every"] == "P3M"
    anna = Book(book_dir).get("anna")
    assert anna.annotations.follow_up_done == date(2026, 1, 31)
    assert anna.annotations.history[-1] == HistoryEntry(HistoryKind.FOLLOWED_UP, date(2026, 1, 31))
    assert run(book_dir, "followups", "done", "Pedro", "--every", "6w").exit_code == 0
    assert Book(book_dir).get("pedro").annotations.follow_up == TODAY + timedelta(weeks=6)
    assert run(book_dir, "followups", "every", "Anna", "off").exit_code == 0
    assert Book(book_dir).get("anna").annotations.every == ""
    assert run(book_dir, "followups", "every", "Anna", "whenever").exit_code == 2
    plain, _ = mark_done(person("x", "X", "Y"), TODAY)
    assert plain.annotations.follow_up is None  # without a period nothing is renewed


# ---------------------------------------------------------------- 3. your own card


def test_me_set_in_spanish_then_qr_png_and_vcf(book_dir: Path, tmp_path: Path) -> None:
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    assert run(book_dir, "me").exit_code == 7  # none yet: says how to make one
    typed = "Ana\nRuiz\nConsultora\nRuiz Consulting\nno es un teléfono\n+34 600 123 456\n" \
            "ana@ruiz.example\nruiz.example\ninformes de mercado y contactos en retail\n"
    result = run(book_dir, "me", "--set", lang="es", input=typed)
    assert result.exit_code == 0, result.output
    assert "¿Qué ofreces a la gente que conoces?" in result.output
    assert "No es un número de teléfono" in result.output  # asked again
    me = Book(book_dir).me()
    assert me is not None and me.is_me and me.name.full == "Ana Ruiz"
    assert [p.number for p in me.phones] == ["+34600123456"]
    assert me.annotations.offer == "informes de mercado y contactos en retail"
    # left out of the network
    assert "Ana Ruiz" not in run(book_dir, "list").output
    assert all(c.uid != me.uid for c in Book(book_dir).contacts())
    assert run(book_dir, "show", "Ana Ruiz").exit_code == 7
    png, vcf = tmp_path / "me.png", tmp_path / "me.vcf"
    assert run(book_dir, "me", "--png", str(png), "--vcf", str(vcf)).exit_code == 0
    assert stat.S_IMODE(png.stat().st_mode) == 0o600 and stat.S_IMODE(vcf.stat().st_mode) == 0o600
    decoded = pyzbar.decode(Image.open(png))[0].data.decode("utf-8")
    assert decoded == vcf.read_bytes().decode("utf-8")
    card = vcard.from_vcard(decoded)
    assert card.name.full == "Ana Ruiz" and card.emails[0].address == "ana@ruiz.example"
    assert "X-CARDSCAN" not in decoded  # the card to hand out carries no bookkeeping
    assert "informes de mercado" in card.note or "informes de mercado" in card.annotations.offer
    terminal = run(book_dir, "me").output
    assert "█" in terminal and "informes de mercado" in terminal
    # Enter keeps every field; --offer changes only what you offer
    assert run(book_dir, "me", "--set", input="\n" * 8).exit_code == 0
    assert run(book_dir, "me", "--offer", "mentoring").exit_code == 0
    again = Book(book_dir).me()
    assert again is not None and again.uid == me.uid and again.annotations.offer == "mentoring"
    assert [p.number for p in again.phones] == ["+34600123456"]


def test_me_from_a_vcf(book_dir: Path, tmp_path: Path) -> None:
    mine = tmp_path / "my.vcf"
    mine.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Stone\r\nN:Stone;Bob;;;\r\n"
                    "EMAIL:bob@stone.example\r\nTITLE:Architect\r\nEND:VCARD\r\n", encoding="utf-8")
    result = run(book_dir, "me", "--from", str(mine), "--offer", "office design", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["is_me"] and data["fn"] == "Bob Stone" and data["annotations"]["offer"] == "office design"
    assert len(list(book_dir.glob("*.vcf"))) == 5


# ---------------------------------------------------------------- 4. the digest


def _digest_book(book_dir: Path) -> None:
    run(book_dir, "gave", "Anna", "two leads for product shoots")
    run(book_dir, "followups", "every", "Mark", "+1d")  # due tomorrow: this week


def test_digest_text_sections(book_dir: Path) -> None:
    _digest_book(book_dir)
    out = run(book_dir, "digest").output
    follow, intros, reconnect, given = (out.index(h) for h in (
        "Follow-ups due this week (1)", "Introductions worth making", "Met more than three months ago",
        "What you gave this month (1)"))
    assert follow < intros < reconnect < given
    assert "Mark Thompson" in out[follow:intros]
    assert "Lucía Fernández needs" in out[intros:reconnect]
    assert "Pedro Gómez" in out[reconnect:given]  # met 120 days ago, never followed up
    assert "two leads for product shoots" in out[given:]
    es = run(book_dir, "digest", lang="es").output
    assert "Lo que has dado este mes (1)" in es


def test_digest_ics_reads_back_with_vobject(book_dir: Path, tmp_path: Path) -> None:
    _digest_book(book_dir)
    target = tmp_path / "out" / "week.ics"
    assert run(book_dir, "digest", "--ics", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    calendar = vobject.readOne(target.read_text(encoding="utf-8"))
    todos = {str(t.summary.value): t for t in calendar.vtodo_list}
    assert set(todos) == {"Follow up with Mark Thompson", "Follow up with Pedro Gómez"}
    assert todos["Follow up with Mark Thompson"].due.value == TODAY + timedelta(days=1)
    first = {str(t.uid.value) for t in calendar.vtodo_list}
    run(book_dir, "digest", "--ics", str(target))
    again = vobject.readOne(target.read_text(encoding="utf-8"))
    assert {str(t.uid.value) for t in again.vtodo_list} == first  # re-import updates


def test_digest_html_escapes_everything() -> None:
    evil = person("evil", "<script>alert(1)</script>", "X", scanned=TODAY)
    history.gave(evil, "<b>bold</b> & more", TODAY)
    page = weekly.to_html(weekly.digest([evil], TODAY), "en")
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;bold" in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)")
def test_digest_html_in_headless_chromium(book_dir: Path, tmp_path: Path) -> None:
    _digest_book(book_dir)
    page = tmp_path / "digest.html"
    assert run(book_dir, "digest", "--html", str(page)).exit_code == 0
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert "<body" in dom, done.stderr[-500:]
    sections = re.findall(r'<section id="(\w+)">', dom)
    assert sections == ["followups", "introductions", "reconnect", "given"]
    given = re.search(r'<section id="given">(.*?)</section>', dom, re.S)
    assert given and "two leads for product shoots" in given.group(1)
    follow = re.search(r'<section id="followups">(.*?)</section>', dom, re.S)
    assert follow and "Mark Thompson" in follow.group(1)


# ---------------------------------------------------------------- storage shared with other tools


def _rich_contact() -> Contact:
    contact = person("rich", "Ana", "Ruíz", mail="ana@example.com")
    contact.annotations.every = "P6W"
    contact.annotations.history = [
        HistoryEntry(HistoryKind.GAVE, date(2026, 3, 1), "informe; con comas, y: dos puntos"),
        HistoryEntry(HistoryKind.INTRODUCED, date(2026, 3, 2), "seed", "mark", "Mark Thompsön, Jr."),
        HistoryEntry(HistoryKind.FOLLOWED_UP, date(2026, 3, 3))]
    return contact


def test_history_round_trips_through_the_vcard_and_is_edited_line_by_line() -> None:
    contact = _rich_contact()
    text = vcard.to_vcard(contact)
    back = vcard.from_vcard(text)
    assert back.annotations == contact.annotations
    # one more entry adds one line and leaves the others byte for byte
    later = vcard.from_vcard(text)
    history.gave(later, "a lead", date(2026, 3, 9))
    updated = vcard.update_card(text, back, later)
    old_lines = [x for x in text.split("\r\n") if not x.startswith("REV:")]
    new_lines = [x for x in updated.split("\r\n") if not x.startswith("REV:")]
    assert [x for x in new_lines if x not in old_lines] == [
        "X-CARDSCAN-HISTORY;X-DATE=2026-03-09;X-KIND=GAVE:a lead"]
    assert all(x in new_lines for x in old_lines)


def test_concurrent_entries_are_both_kept() -> None:
    base = _rich_contact()
    mine, stored = vcard.from_vcard(vcard.to_vcard(base)), vcard.from_vcard(vcard.to_vcard(base))
    history.gave(mine, "mine", date(2026, 3, 10))
    history.gave(stored, "theirs", date(2026, 3, 10))
    assert apply_changes(base, mine, stored) == []
    assert [e.text for e in stored.annotations.history][-2:] == ["theirs", "mine"]
    scanned = merge(stored, person("rich", "Ana", "Ruíz"))  # a scan merged in keeps them
    assert scanned.annotations.history == stored.annotations.history


def test_khard_copies_every_new_property_untouched(tmp_path: Path) -> None:
    khard = VENV_BIN / "khard"
    if not khard.exists():
        pytest.skip("khard is not installed")
    book, other = Book(tmp_path / "book"), tmp_path / "other"
    other.mkdir()
    contact = _rich_contact()
    book.save(contact)
    me = person("me", "Zoe", "Self", mail="zoe@self.example", offer="mentoring")
    me.is_me = True
    book.save(me)
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[book]]\npath = {book.path}\n[[other]]\npath = {other}\n"
                      "[general]\neditor = true\nmerge_editor = true\n", encoding="utf-8")
    env = {**os.environ, "KHARD_CONFIG": str(config)}
    for name in ("Ana", "Zoe"):  # khard reads each card and writes it again through vobject
        copied = subprocess.run([str(khard), "-c", str(config), "copy", "-a", "book", "-A", "other", name],
                                capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
        assert copied.returncode == 0, copied.stderr
    cards = [vcard.read_cards(p.read_text(encoding="utf-8"))[0].contact for p in sorted(other.glob("*.vcf"))]
    by_name = {c.name.given: c for c in cards if c is not None}
    assert by_name["Ana"].annotations.history == contact.annotations.history
    assert by_name["Ana"].annotations.every == "P6W"
    assert by_name["Zoe"].is_me and by_name["Zoe"].annotations.offer == "mentoring"
    listed = subprocess.run([str(khard), "-c", str(config), "list", "--parsable"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0 and "Ana Ruíz" in listed.stdout


def test_recording_on_a_foreign_card_touches_only_cardscan_lines(tmp_path: Path) -> None:
    foreign = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:f1\r\nFN:Ann Foreign\r\nN:Foreign;Ann;;;\r\n"
               "NICKNAME:Annie\r\nEMAIL:ann@work.example\r\nitem1.TEL:+44 7700 900123\r\n"
               "item1.X-ABLabel:Assistant\r\nX-FOO;X-BAR=baz:quux\r\nKIND:individual\r\nEND:VCARD\r\n")
    path = tmp_path / "book" / "f1.vcf"
    path.parent.mkdir()
    path.write_bytes(foreign.encode())
    for args in (("gave", "Ann", "a book"), ("followups", "every", "Ann", "6w"),
                 ("introduce", "Ann", "Bob", "--done")):
        if args[0] == "introduce":
            Book(tmp_path / "book").save(person("bob", "Bob", "B", mail="bob@b.example"))
        result = CliRunner().invoke(main, ["--book", str(tmp_path / "book"), *args])
        assert result.exit_code == 0, result.output
    after = path.read_bytes().decode("utf-8")
    kept = [x for x in foreign.split("\r\n") if x]
    assert all(x in after.split("\r\n") for x in kept)  # every foreign line, VERSION:4.0 included
    added = [x for x in after.split("\r\n") if x and x not in kept]
    assert all(x.split(":")[0].split(";")[0] in {"NOTE", "REV"} or x.startswith((" ", "X-CARDSCAN-"))
               for x in added), added


# ---------------------------------------------------------------- pure drafting


def test_draft_without_annotations_or_emails_still_reads() -> None:
    a, b = person("a", "Ana", "A"), person("b", "Bea", "B")
    made = drafts.draft(a, b, "en")
    assert [m.kind for m in made.messages] == ["ask_a", "ask_b", "joint"]
    assert drafts.missing_emails(made) == [a, b]
    assert made.messages[0].mailto().startswith("mailto:?subject=")
    parsed = email.message_from_bytes(made.messages[2].eml(), policy=policy.default)
    assert parsed["To"] == "" or parsed["To"] is None
    assert "Ana" in parsed.get_content() and "needs" not in made.why
