"""The book is shared with other tools (khard, vdirsyncer, phones): cardscan never loses what
they wrote. Each test is a case of issue 15, as a user would meet it."""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_export import _request, radicale  # noqa: F401  (a real CardDAV server)

from cardscan import merge, vcard
from cardscan.cli import main
from cardscan.errors import ExitCode
from cardscan.models import Annotations, Contact, Email, Name, Phone, PhoneType, Source
from cardscan.store import Book

FIXTURES = Path(__file__).parent / "fixtures" / "vcards"
FOREIGN = sorted(p.name for p in FIXTURES.glob("*.vcf"))
VENV_BIN = Path(sys.executable).parent
#: What a command that records annotations may rewrite in a card it did not write.
ANNOTATION_PROPS = ("NOTE", "CATEGORIES", "REV", "X-CARDSCAN-")

ANN = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:f1\r\nFN:Ann Foreign\r\nN:Foreign;Ann;;;\r\n"
       "NICKNAME:Annie\r\nBDAY:1980-05-17\r\nADR;TYPE=WORK:;;1 Main St;Leeds;;LS1;UK\r\n"
       "ADR;TYPE=HOME:;;2 Home Rd;York;;YO1;UK\r\nEMAIL;TYPE=WORK:ann@work.example\r\n"
       "EMAIL;TYPE=HOME:ann@home.example\r\nNOTE:Old friend\r\n"
       "item1.TEL:+44 7700 900123\r\nitem1.X-ABLabel:Assistant\r\nX-ABUID:XYZ\r\n"
       "X-FOO;X-BAR=baz:quux\r\nEND:VCARD\r\n")


def cli(book: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--book", str(book), *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def lines(text: str) -> list[str]:
    """Logical lines (unfolded)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def foreign_lines(text: str, owned: tuple[str, ...]) -> list[str]:
    """The lines of a card that a command owning ``owned`` properties must leave alone."""
    def name(line: str) -> str:
        return line.split(":", 1)[0].split(";", 1)[0].rpartition(".")[2].upper()

    return [x for x in lines(text) if x and not name(x).startswith(owned)]


def write(book: Path, name: str, text: str) -> Path:
    book.mkdir(parents=True, exist_ok=True)
    path = book / name
    path.write_bytes(text.encode("utf-8"))
    return path


# ---------------------------------------------------------------- 1. keep the whole vCard


def test_followups_done_keeps_every_property_of_a_foreign_card(tmp_path: Path) -> None:
    path = write(tmp_path, "f1.vcf", ANN)
    code, out, _ = cli(tmp_path, "followups", "done", "Ann")
    assert code == 0, out
    after = path.read_bytes().decode()
    assert foreign_lines(after, ANNOTATION_PROPS) == foreign_lines(ANN, ANNOTATION_PROPS)
    assert "item1.TEL:+44 7700 900123\r\nitem1.X-ABLabel:Assistant\r\n" in after
    assert "X-CARDSCAN-FOLLOW-UP-DONE:" in after and "PRODID:-//cardscan" not in after


@pytest.mark.parametrize("fixture", FOREIGN)
def test_every_command_changes_only_what_it_owns(tmp_path: Path, fixture: str) -> None:
    original = (FIXTURES / fixture).read_bytes()
    path = tmp_path / fixture
    path.write_bytes(original)
    contact = vcard.read_cards(original.decode())[0].contact
    assert contact is not None
    name = contact.name.given

    for read_only in (("show", name), ("list",), ("search", name), ("list", "--json")):
        code, _, err = cli(tmp_path, *read_only)
        assert code == 0, err
        assert path.read_bytes() == original, read_only
    code, _, err = cli(tmp_path, "export", "--vcf", str(tmp_path / "out" / "all.vcf"),
                       "--csv", "google", str(tmp_path / "out" / "g.csv"))
    assert code == 0, err
    assert path.read_bytes() == original
    exported = (tmp_path / "out" / "all.vcf").read_bytes().decode()
    assert "VERSION:3.0" in exported or "VERSION:2.1" in exported

    code, _, err = cli(tmp_path, "followups", "done", name)
    assert code == 0, err
    after_done = path.read_bytes().decode()
    assert foreign_lines(after_done, ANNOTATION_PROPS) == foreign_lines(original.decode(),
                                                                        ANNOTATION_PROPS)
    assert "X-CARDSCAN-FOLLOW-UP-DONE" in after_done

    answers = "Web Summit\nfunding\nintro to Bea\nvc, lisbon\n\n"
    code, _, err = cli(tmp_path, "annotate", "--answers-from-stdin", input=answers)
    assert code == 0, err
    annotated = path.read_bytes().decode()
    assert foreign_lines(annotated, ANNOTATION_PROPS) == foreign_lines(original.decode(),
                                                                       ANNOTATION_PROPS)
    stored = Book(tmp_path).get(name)
    assert stored.annotations.met_at == "Web Summit" and "lisbon" in stored.annotations.tags
    assert stored.note == contact.note  # the user's own note is still there

    scanned = Contact(name=Name(contact.name.given, contact.name.family), title="Scanned title",
                      emails=[Email(contact.emails[0].address)] if contact.emails else [],
                      phones=[Phone("+34699000111", PhoneType.CELL)],
                      sources=[Source("card.jpg", sha256="s1")])
    result = Book(tmp_path).add(scanned)
    assert result.status == "merged"
    merged = path.read_bytes().decode()
    kept = foreign_lines(annotated, (*ANNOTATION_PROPS, "TITLE"))
    assert [x for x in foreign_lines(merged, (*ANNOTATION_PROPS, "TITLE")) if x in kept] == kept
    assert "+34699000111" in merged
    assert len(Book(tmp_path).contacts()) == 1


def test_a_vcard_4_stays_4_and_keeps_its_own_properties(tmp_path: Path) -> None:
    path = tmp_path / "nc.vcf"
    shutil.copy(FIXTURES / "nextcloud.vcf", path)
    book = Book(tmp_path)
    book.update(book.get("Nora"), lambda c: c.phones.append(Phone("+34600123456")))
    text = path.read_bytes().decode()
    for kept in ("VERSION:4.0", "KIND:individual", "GENDER:F", "LANG:de",
                 "IMPP:xmpp:nora@jabber.example", "PHOTO:data:image/jpeg;base64,/9j/",
                 "TEL;TYPE=cell;VALUE=uri:tel:+43-660-1234567", "X-FOO;X-BAR=baz:quux"):
        assert kept in text
    assert "VERSION:3.0" not in text and "+34600123456" in text


def test_export_turns_a_vcard_4_into_3_for_phones(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "nextcloud.vcf", tmp_path / "nc.vcf")
    code, _, err = cli(tmp_path, "export", "--vcf", str(tmp_path / "all.vcf"), "--photo")
    assert code == 0, err
    text = (tmp_path / "all.vcf").read_bytes().decode()
    assert "VERSION:3.0" in text and "VERSION:4.0" not in text
    assert "TEL;TYPE=cell:+43-660-1234567" in text and "PHOTO;ENCODING=b;TYPE=JPEG:/9j/" in text
    assert "GENDER:F" in text and "X-FOO;X-BAR=baz:quux" in text
    assert (tmp_path / "nc.vcf").read_bytes() == (FIXTURES / "nextcloud.vcf").read_bytes()


def test_removing_a_grouped_phone_removes_its_label_and_nothing_else(tmp_path: Path) -> None:
    path = write(tmp_path, "f1.vcf", ANN)
    book = Book(tmp_path)
    book.update(book.get("Ann"), lambda c: setattr(c, "phones", []))
    text = path.read_bytes().decode()
    assert "item1." not in text and "X-ABUID:XYZ" in text and "NICKNAME:Annie" in text


def test_khard_reads_and_edits_the_card_cardscan_annotated(tmp_path: Path) -> None:
    khard = VENV_BIN / "khard"
    if not khard.exists():
        pytest.skip("khard is not installed")
    book_dir = tmp_path / "book"
    path = write(book_dir, "f1.vcf", ANN)
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[book]]\npath = {book_dir}\n"
                      "[general]\neditor = true\nmerge_editor = true\n", encoding="utf-8")
    env = {**os.environ, "KHARD_CONFIG": str(config)}
    code, _, err = cli(book_dir, "followups", "done", "Ann")
    assert code == 0, err
    shown = subprocess.run([str(khard), "-c", str(config), "show", "--format", "yaml", "Ann"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "Annie" in shown.stdout and "1980-05-17" in shown.stdout
    # khard edits the nickname; cardscan then annotates; both edits stay
    text = path.read_bytes().decode().replace("NICKNAME:Annie", "NICKNAME:Nan")
    path.write_text(text, encoding="utf-8")
    code, _, err = cli(book_dir, "annotate", "--answers-from-stdin", input="Leeds fair\n\n\n\n\n")
    assert code == 0, err
    final = path.read_bytes().decode()
    assert "NICKNAME:Nan" in final and "X-ABUID:XYZ" in final and "Leeds fair" in final
    listed = subprocess.run([str(khard), "-c", str(config), "list", "--parsable"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0 and "Ann Foreign" in listed.stdout


# ---------------------------------------------------------------- 2. several cards in a file

TWO = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Cleo First\r\nN:First;Cleo;;;\r\n"
       "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nUID:c2\r\nFN:Carl Second\r\n"
       "N:Second;Carl;;;\r\nBDAY:1970-01-01\r\nEND:VCARD\r\n")


def test_every_card_of_a_two_card_file_is_read_and_kept(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "both.vcf", TWO)
    with caplog.at_level(logging.WARNING):
        code, out, _ = cli(tmp_path, "show", "Carl")
    assert code == 0 and "Carl Second" in out
    assert caplog.text.count("both.vcf hold several contacts") == 1
    code, _, _ = cli(tmp_path, "followups", "done", "Cleo")
    assert code == 0
    text = path.read_bytes().decode()
    assert "FN:Carl Second\r\nN:Second;Carl;;;\r\nBDAY:1970-01-01\r\n" in text
    assert text.count("BEGIN:VCARD") == 2 and text.index("Cleo") < text.index("Carl")
    book = Book(tmp_path)
    book.update(book.get("Carl"), lambda c: setattr(c, "title", "Boss"))
    assert {c.display_name: c.title for c in Book(tmp_path).contacts()} == {
        "Cleo First": "", "Carl Second": "Boss"}


def test_doctor_fix_splits_a_two_card_file(tmp_path: Path) -> None:
    write(tmp_path, "both.vcf", TWO)
    cli(tmp_path, "doctor")
    assert (tmp_path / "both.vcf").exists()  # only when asked
    _, out, _ = cli(tmp_path, "doctor", "--fix")
    assert "split         both.vcf into c1.vcf, c2.vcf" in out
    assert sorted(p.name for p in tmp_path.glob("*.vcf")) == ["c1.vcf", "c2.vcf"]
    assert "BDAY:1970-01-01" in (tmp_path / "c2.vcf").read_bytes().decode()
    assert len(Book(tmp_path).contacts()) == 2


# ---------------------------------------------------------------- 3. one UID in two files

def card(uid: str, given: str, family: str, extra: str = "") -> str:
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{given} {family}\r\n"
            f"N:{family};{given};;;\r\n{extra}END:VCARD\r\n")


def test_two_files_with_one_uid_are_addressed_by_file(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    dana = write(tmp_path, "dana.vcf", card("same", "Dana", "One", "NICKNAME:D\r\n"))
    dora = write(tmp_path, "dora.vcf", card("same", "Dora", "Two", "NICKNAME:Do\r\n"))
    dana_before = dana.read_bytes()
    with caplog.at_level(logging.WARNING):
        code, out, _ = cli(tmp_path, "followups", "done", "Dora Two")
    assert code == 0 and "Dora Two" in out
    assert caplog.text.count("share the UID same") == 1
    assert dana.read_bytes() == dana_before
    text = dora.read_bytes().decode()
    assert "FN:Dora Two" in text and "NICKNAME:Do" in text and "FOLLOW-UP-DONE" in text


# ---------------------------------------------------------------- 10. one merge

def test_one_merge_for_book_duplicates_sides_and_batches() -> None:
    front = Contact(name=Name("Ana", "Ruiz"), phones=[Phone("+34600111222")],
                    emails=[Email("Ana@Acme.com")], org="Acme")
    back = Contact(name=Name("Other", "Name"), title="CEO", phones=[Phone("+34 600 111 222")],
                   emails=[Email("ana@acme.COM")])
    both = merge.merge_sides(front, back)
    assert both.name.given == "Ana" and both.title == "CEO"
    assert len(both.phones) == 1 and len(both.emails) == 1
    contact = Contact(annotations=Annotations(met_at="typed"))
    assert merge.apply_batch(contact, Annotations(met_at="batch", needs="x", tags=["a"]))
    assert contact.annotations.met_at == "typed" and contact.annotations.needs == "x"
    assert not merge.apply_batch(contact, Annotations(tags=["A"]))
    assert merge.url_key("https://www.Acme.com/") == merge.url_key("http://acme.com")


# ---------------------------------------------------------------- 4. compare-and-set

def test_enter_on_a_stale_default_keeps_what_a_scan_wrote_meanwhile(tmp_path: Path) -> None:
    from cardscan.annotate import run_session

    book = Book(tmp_path)
    book.add(Contact(name=Name("Pia", "Prompt"), emails=[Email("pia@x.example")],
                     sources=[Source("p.jpg", sha256="p1")]))
    other = Book(tmp_path)  # another cardscan: `scan --offer ... --tag ...` on the same card

    def scan_flags(contact: Contact) -> None:
        merge.apply_batch(contact, Annotations(met_at="Summit", offer="an intro", tags=["vip"]))

    def second_annotate(contact: Contact) -> None:
        contact.annotations.needs = "a designer"

    answers = iter(["", "a CTO", "", "", ""])  # Enter on met_at, a typed need, Enter...
    asked: list[str] = []

    def typed(prompt: str) -> str:
        asked.append(prompt)
        if len(asked) == 1:  # while the first question waits with its empty default
            other.update(other.get("Pia"), scan_flags)
        if len(asked) == 2:  # while the user types their answer to the second
            other.update(other.get("Pia"), second_annotate)
        return next(answers)

    out = io.StringIO()
    run_session(book, "en", input=typed, output=out)
    notes = Book(tmp_path).get("Pia").annotations
    assert (notes.met_at, notes.offer, notes.needs) == ("Summit", "an intro", "a CTO")
    assert "vip" in notes.tags and notes.annotated_at is not None
    said = out.getvalue()
    assert said.count("changed needs meanwhile (to: a designer)") == 1


# ---------------------------------------------------------------- 5. file names that are not UTF-8

def test_a_photo_name_that_is_not_utf8_is_stored_and_shown_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.png")  # what os.listdir gives for a Latin-1 name
    book = Book(tmp_path)
    contact = Contact(name=Name("Zoe", "Bytes"), emails=[Email("zoe@x.example")],
                      sources=[Source(name, path=f"/photos/{name}", sha256="z1")])
    book.add(contact)
    book.mark_scanned("z1", name, [contact.uid])
    source = Book(tmp_path).get("Zoe").sources[0]
    assert source.file == "caf\\xe9.png"  # shown escaped
    assert os.fsencode(source.path) == b"/photos/caf\xe9.png"  # the photo can be reopened
    assert Book(tmp_path).has_scanned("z1")
    code, out, _ = cli(tmp_path, "show", "Zoe")
    assert code == 0 and "caf\\xe9.png" in out


@pytest.mark.tesseract
def test_scanning_a_folder_with_a_latin1_file_name(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    sample = Path(__file__).parent.parent / "samples" / "01-es-flat.png"
    (photos / os.fsdecode(b"caf\xe9.png")).write_bytes(sample.read_bytes())
    done = subprocess.run([str(VENV_BIN / "cardscan"), "--book", str(tmp_path / "book"), "scan",
                           str(photos), "-q", "--report", str(tmp_path / "r.html")],
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"caf\\xe9.png" in done.stdout
    assert len(Book(tmp_path / "book").contacts()) == 1


# ---------------------------------------------------------------- 6. CSV formula injection

def test_csv_cells_that_start_like_a_formula_are_neutralised(tmp_path: Path) -> None:
    evil = Contact(name=Name("Eve", "=HYPERLINK(\"http://x\")"), org="@SUM(A1)",
                   title="-2+3", phones=[Phone("+34600111222"), Phone("+34911222333")],
                   annotations=Annotations(tags=["=cmd|' /C calc'!A0"], met_at="\tTab"))
    Book(tmp_path).add(evil)
    for flavor in ("google", "outlook"):
        out = tmp_path / f"{flavor}.csv"
        code, _, err = cli(tmp_path, "export", "--csv", flavor, str(out))
        assert code == 0, err
        cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
                 for c in row]
        assert not [c for c in cells if c[:1] in ("=", "@", "\t", "\r", "-")], flavor
        assert not [c for c in cells if c.startswith("+") and not c[1:2].isdigit()]
        assert "'@SUM(A1)" in cells and "'-2+3" in cells
        assert any(c.startswith("+34600111222") for c in cells)  # phones stay dialable


# ---------------------------------------------------------------- 8. export names what it left out

def test_export_exits_4_and_names_every_file_it_left_out(tmp_path: Path) -> None:
    Book(tmp_path).add(Contact(name=Name("Good", "One"), emails=[Email("g@x.example")]))
    write(tmp_path, "broken.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;\r\nFN\r\nEND:VCARD\r\n")
    (tmp_path / "latin1.vcf").write_bytes(card("l1", "Jos\xe9", "Latin").encode("latin-1"))
    write(tmp_path, "none.vcf", "not a vcard at all\r\n")
    write(tmp_path, "two.vcf", TWO)
    code, _, err = cli(tmp_path, "export", "--vcf", str(tmp_path / "out.vcf"))
    assert code == ExitCode.SOME_FAILED
    for name in ("latin1.vcf", "none.vcf"):
        assert f"left out {name}" in err
    text = (tmp_path / "out.vcf").read_bytes().decode()
    assert "Good One" in text and "Carl Second" in text and "Cleo First" in text


# ---------------------------------------------------------------- 7. huge cards

def test_a_huge_vcard_is_skipped_with_one_line_naming_it(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    Book(tmp_path).add(Contact(name=Name("Small", "One"), emails=[Email("s@x.example")]))
    huge = tmp_path / "huge.vcf"
    with huge.open("w", encoding="utf-8", newline="") as handle:
        handle.write("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:h\r\nFN:Huge Note\r\nNOTE:")
        handle.write("x" * (vcard.MAX_CARD_FILE_BYTES + 10) + "\r\nEND:VCARD\r\n")
    with caplog.at_level(logging.WARNING):
        code, out, _ = cli(tmp_path, "list")
    assert code == 0 and "Small One" in out and "Huge" not in out
    assert [r.getMessage() for r in caplog.records if "huge.vcf" in r.getMessage()] == [
        "cardscan: skipping unreadable contact huge.vcf: 4.0 MB, more than the 4 MB a contact file "
        "may hold: not read"]
    code, _, err = cli(tmp_path, "export", "--vcf", str(tmp_path / "out.vcf"))
    assert code == ExitCode.SOME_FAILED and "left out huge.vcf" in err


# ---------------------------------------------------------------- 9. the smaller ones

def test_escape_sequences_in_a_foreign_org_never_reach_the_terminal(tmp_path: Path) -> None:
    write(tmp_path, "evil.vcf", card("e1", "Evil", "Org", "ORG:Acme\x1b]0;pwned\x07\x1b[31m Red\r\n"))
    for command in (("list",), ("show", "Evil"), ("search", "Acme")):
        code, out, err = cli(tmp_path, *command)
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out and "Acme" in out, command
    assert "\x1b" in (tmp_path / "evil.vcf").read_bytes().decode()  # the file is not ours


def test_tags_lose_escape_bytes_from_the_command_line_as_in_the_prompt() -> None:
    from cardscan.annotate import batch_annotations

    assert batch_annotations(tags=["\x1b[31mred\x1b[0m", "ok\x07"]).tags == ["red", "ok"]


def test_followups_ics_is_private_like_every_other_output(tmp_path: Path) -> None:
    Book(tmp_path).add(Contact(name=Name("Ida", "Ics"), emails=[Email("i@x.example")],
                               annotations=Annotations(follow_up=date(2020, 1, 1))))
    code, _, err = cli(tmp_path, "followups", "--ics", str(tmp_path / "f.ics"))
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "f.ics").stat().st_mode) == 0o600


def test_temp_files_of_a_killed_write_are_ignored_then_removed(tmp_path: Path) -> None:
    Book(tmp_path).add(Contact(name=Name("Tim", "Temp"), emails=[Email("t@x.example")]))
    stale = tmp_path / ".tmp-abc123.part"
    stale.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half")
    assert [c.display_name for c in Book(tmp_path).contacts()] == ["Tim Temp"]
    code, _, _ = cli(tmp_path, "followups", "done", "Tim")
    assert code == 0 and not stale.exists()


# ---------------------------------------------------------------- vdirsyncer <-> Radicale

@pytest.mark.slow
def test_vdirsyncer_round_trip_keeps_foreign_fields(tmp_path: Path, radicale: str) -> None:  # noqa: F811
    vdirsyncer = VENV_BIN / "vdirsyncer"
    if not vdirsyncer.exists():
        pytest.skip("vdirsyncer is not installed")
    status, _, _ = _request(radicale + "f1.vcf", "PUT", ANN.encode(), {"Content-Type": "text/vcard"})
    assert status in (201, 204)
    book_dir = tmp_path / "book"
    book_dir.mkdir()
    config = tmp_path / "vdirsyncer.conf"
    config.write_text(
        f'[general]\nstatus_path = "{tmp_path / "status"}"\n\n'
        '[pair book]\na = "local"\nb = "server"\ncollections = null\n'
        'conflict_resolution = "b wins"\n\n'
        f'[storage local]\ntype = "filesystem"\npath = "{book_dir}"\nfileext = ".vcf"\n\n'
        f'[storage server]\ntype = "carddav"\nurl = "{radicale}"\n'
        'username = "user"\npassword = "pw"\n', encoding="utf-8")

    def run(*args: str) -> None:
        done = subprocess.run([str(vdirsyncer), "-c", str(config), *args], capture_output=True,
                              text=True, timeout=120, input="")
        assert done.returncode == 0, done.stdout + done.stderr

    def sync() -> None:
        run("sync")

    run("discover", "book")
    sync()
    assert len(list(book_dir.glob("*.vcf"))) == 1
    code, _, err = cli(book_dir, "annotate", "--answers-from-stdin",
                       input="Leeds fair\nan accountant\n\nvip\n\n")
    assert code == 0, err
    sync()
    _, body, headers = _request(radicale + "f1.vcf")
    server = body.decode().upper()  # Radicale itself upper-cases names and sorts the lines
    for kept in ("NICKNAME:Annie", "BDAY:1980-05-17", "item1.TEL:+44 7700 900123",
                 "item1.X-ABLabel:Assistant", "X-ABUID:XYZ", "X-FOO;X-BAR=baz:quux",
                 "ADR;TYPE=HOME:;;2 Home Rd;York;;YO1;UK", "EMAIL;TYPE=HOME:ann@home.example"):
        assert kept.upper() in server
    assert "X-CARDSCAN-MET-AT:LEEDS FAIR" in server
    # edited on the server (the phone), synced back, then annotated again: both edits stay
    edited = body.decode().replace("NICKNAME:Annie", "NICKNAME:Nan")
    status, _, _ = _request(radicale + "f1.vcf", "PUT", edited.encode(),
                            {"Content-Type": "text/vcard", "If-Match": headers["ETag"]})
    assert status in (201, 204)
    sync()
    code, _, err = cli(book_dir, "followups", "done", "Ann")
    assert code == 0, err
    sync()
    final = _request(radicale + "f1.vcf")[1].decode()
    assert "NICKNAME:Nan" in final and "X-CARDSCAN-FOLLOW-UP-DONE" in final
    assert "X-ABUID:XYZ" in final and "Leeds fair" in final
