"""The vdir contact book: atomic writes, locking, merging duplicates, and khard reading it."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cardscan import store, vcard
from cardscan.errors import AmbiguousContactError, BookError, NotFoundError
from cardscan.models import Annotations, Contact, Email, Name, Phone, PhoneType, Source, Website
from cardscan.store import Book

VENV_BIN = Path(sys.executable).parent


def person(given: str, family: str, org: str = "Acme", *, email: str = "", phone: str = "",
           source: str = "card.jpg", sha: str = "") -> Contact:
    contact = Contact(name=Name(given, family), org=org,
                      sources=[Source(source, sha256=sha or source)])
    if email:
        contact.emails.append(Email(email))
    if phone:
        contact.phones.append(Phone(phone, PhoneType.CELL))
    return contact


def test_add_writes_uid_vcf_atomically_user_only(tmp_path: Path) -> None:
    book = Book(tmp_path / "book")
    result = book.add(person("Ana", "Ruiz", email="ana@acme.com"))
    assert result.status == "added" and result.merged_with is None
    assert result.path == tmp_path / "book" / f"{result.contact.uid}.vcf"
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "book").stat().st_mode) == 0o700
    visible = [p.name for p in (tmp_path / "book").iterdir() if not p.name.startswith(".")]
    assert visible == [result.path.name]  # no temp files left, nothing but cards
    raw = result.path.read_bytes()
    assert raw.startswith(b"BEGIN:VCARD\r\n") and b"\r\n" in raw and not raw.startswith(b"\xef")
    assert vcard.from_vcard(raw.decode("utf-8")) == result.contact


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    book = Book(tmp_path)
    contact = book.add(person("Ana", "Ruiz", email="ana@acme.com")).contact
    before = book.path_for(contact.uid).read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    contact.title = "CEO"
    with pytest.raises(BookError):
        book.save(contact)
    assert book.path_for(contact.uid).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cardscan", f"{contact.uid}.vcf"]


def test_same_card_twice_is_unchanged(tmp_path: Path) -> None:
    book = Book(tmp_path)
    first = book.add(person("Ana", "Ruiz", email="ana@acme.com", sha="s1"))
    again = book.add(person("Ana", "Ruiz", email="ana@acme.com", sha="s1"))
    assert again.status == "unchanged" and again.merged_with == first.contact.uid
    assert len(book.contacts()) == 1


def test_second_card_merges_new_fields_and_keeps_what_the_user_typed(tmp_path: Path) -> None:
    book = Book(tmp_path)
    first = person("Ana", "Ruiz", email="ana@acme.com", source="a.jpg")
    first.title = "Directora Comercial"
    first.user_edited = {"title"}
    first.annotations = Annotations(met_at="Feria Madrid", tags=["feria"])
    uid = book.add(first).contact.uid
    second = person("Ana", "Ruiz", email="ANA@acme.com", phone="+34600111222", source="b.jpg")
    second.title = "Directora Comercal"  # an OCR slip must not replace the typed title
    second.websites = [Website("https://acme.com")]
    second.annotations = Annotations(met_at="Otro sitio", needs="CRM", tags=["cliente"])
    result = book.add(second)
    assert result.status == "merged" and result.merged_with == uid
    merged = book.get(uid)
    assert merged.title == "Directora Comercial"
    assert [p.number for p in merged.phones] == ["+34600111222"]
    assert [e.address for e in merged.emails] == ["ana@acme.com"]
    assert [w.url for w in merged.websites] == ["https://acme.com"]
    assert merged.annotations.met_at == "Feria Madrid"
    assert merged.annotations.needs == "CRM"
    assert merged.annotations.tags == ["feria", "cliente"]
    assert [s.file for s in merged.sources] == ["a.jpg", "b.jpg"]
    assert len(book.contacts()) == 1


def test_similar_name_at_same_company_merges(tmp_path: Path) -> None:
    book = Book(tmp_path)
    book.add(person("José", "Núñez", "Acme S.A.", email="jose@acme.es"))
    result = book.add(person("Jose", "Nuñez", "ACME SA", phone="+34911222333"))
    assert result.status == "merged"
    other_company = book.add(person("José", "Núñez", "Globex", phone="+34911000000"))
    assert other_company.status == "added"
    assert len(book.contacts()) == 2


def test_shared_switchboard_does_not_merge_different_people(tmp_path: Path) -> None:
    book = Book(tmp_path)
    book.add(person("Ana", "Ruiz", phone="+34910000000", email="info@acme.com"))
    result = book.add(person("Pedro", "Gómez", phone="+34910000000", email="info@acme.com"))
    assert result.status == "added"
    nameless = Contact(emails=[Email("info@acme.com")], phones=[Phone("+34910000000")])
    assert book.add(nameless).status in ("merged", "unchanged")


def test_get_by_uid_prefix_email_and_name(tmp_path: Path) -> None:
    book = Book(tmp_path)
    ana = book.add(person("Ana", "Ruiz", email="ana@acme.com")).contact
    book.add(person("Ana", "Torres", "Globex", email="ana@globex.com"))
    assert book.get(ana.uid).uid == ana.uid
    assert book.get(ana.uid[:8]).uid == ana.uid
    assert book.get("ANA@acme.com").uid == ana.uid
    assert book.get("ana ruiz").uid == ana.uid
    assert book.get("Ruíz").uid == ana.uid  # accent-insensitive
    with pytest.raises(AmbiguousContactError):
        book.get("Ana")
    with pytest.raises(NotFoundError):
        book.get("Nadie")


def test_unreadable_files_are_skipped_with_a_warning(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    book = Book(tmp_path)
    book.add(person("Ana", "Ruiz", email="ana@acme.com"))
    (tmp_path / "broken.vcf").write_bytes(b"\xff\xfe garbage")
    (tmp_path / "notes.txt").write_text("not a card")
    with caplog.at_level(logging.WARNING):
        contacts = book.contacts()
    assert [c.name.given for c in contacts] == ["Ana"]
    assert "broken.vcf" in caplog.text


def test_cache_rereads_only_changed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = Book(tmp_path)
    for i in range(3):
        book.add(person(f"P{i}", "X", email=f"p{i}@x.com"))
    book.contacts()
    calls: list[str] = []
    real = vcard.read_cards
    monkeypatch.setattr(vcard, "read_cards", lambda text: calls.append(text) or real(text))
    assert len(book.contacts()) == 3 and calls == []
    changed = book.contacts()[0]
    changed.title = "Boss"
    book.save(changed)
    assert {c.title for c in book.contacts()} == {"Boss", ""}
    assert len(calls) == 1
    book.contacts()[0].title = "mutating a copy"
    assert "mutating a copy" not in {c.title for c in book.contacts()}


def test_delete(tmp_path: Path) -> None:
    book = Book(tmp_path)
    uid = book.add(person("Ana", "Ruiz", email="ana@acme.com")).contact.uid
    book.delete(uid)
    assert book.contacts() == []
    with pytest.raises(NotFoundError):
        book.delete(uid)


def test_reads_cards_other_tools_named_differently(tmp_path: Path) -> None:
    (tmp_path / "from-phone.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:weird/uid:1\r\nFN:Eva Sol\r\nN:Sol;Eva;;;\r\n"
        "EMAIL:eva@sol.es\r\nEND:VCARD\r\n", encoding="utf-8")
    book = Book(tmp_path)
    eva = book.get("eva@sol.es")
    eva.title = "CTO"
    assert book.save(eva) == tmp_path / "from-phone.vcf"  # rewritten in place, not duplicated
    assert len(list(tmp_path.glob("*.vcf"))) == 1
    assert book.path_for("new/odd:uid").name.endswith(".vcf")
    assert "/" not in book.path_for("new/odd:uid").name


def test_scan_log_resume_and_torn_line(tmp_path: Path) -> None:
    book = Book(tmp_path)
    assert not book.has_scanned("aa")
    book.mark_scanned("aa", "one.jpg", ["u1", "u2"])
    with open(book.scan_log, "a", encoding="utf-8") as handle:
        handle.write('{"sha256": "bb", "sour')  # a crash half-way through a line
    book.mark_scanned("cc", "three.jpg", ["u3"])
    fresh = Book(tmp_path)
    assert fresh.has_scanned("aa") and fresh.has_scanned("cc") and not fresh.has_scanned("bb")
    assert fresh.uids_for_scan("aa") == ["u1", "u2"]
    assert fresh.uids_for_scan("zz") == []


def _add_many(folder: str, prefix: str, count: int) -> None:
    book = Book(Path(folder))
    for i in range(count):
        # names and companies far apart, so only the e-mail could make them duplicates
        tag = hashlib.sha1(f"{prefix}{i}".encode()).hexdigest()[:10]
        book.add(person(f"{prefix}{i}", tag, f"Org {tag[::-1]}", email=f"{prefix}{i}@example.com"))
        shared = person("Marta", "Shared", "Both", email="marta@both.com",
                        phone=f"+3460000{prefix == 'a':d}{i:03d}", source=f"{prefix}{i}.jpg")
        book.add(shared)


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_many, args=(str(tmp_path), p, 15)) for p in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    contacts = Book(tmp_path).contacts()
    names = [c.name.given for c in contacts]
    assert sorted(names) == sorted(["Marta", *(f"{p}{i}" for p in "ab" for i in range(15))])
    marta = [c for c in contacts if c.name.family == "Shared"]
    assert len(marta) == 1  # every add merged into one contact
    assert len(marta[0].phones) == 30 and len(marta[0].sources) == 30
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_khard_reads_the_book(tmp_path: Path) -> None:
    khard = VENV_BIN / "khard"
    if not khard.exists():
        pytest.skip("khard not installed")
    book = Book(tmp_path / "book")
    full = Contact(name=Name("José", "Núñez 😀"), org="Año, S.A.", title="Jefa; I+D",
                   phones=[Phone("+34612345678", PhoneType.CELL),
                           Phone("+34912345678", PhoneType.WORK)],
                   emails=[Email("jose@example.es")],
                   annotations=Annotations(met_at="Feria", tags=["evento"]),
                   rev=datetime(2025, 1, 1, tzinfo=UTC))
    uid = book.add(full).contact.uid
    book.add(person("Ana", "Ruiz", email="ana@acme.com"))
    book.mark_scanned("aa", "x.jpg", [uid])  # state files must not bother khard
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[cards]]\npath = {tmp_path / 'book'}\n")
    env = os.environ | {"HOME": str(tmp_path)}

    def run(*args: str) -> str:
        done = subprocess.run([str(khard), "-c", str(config), *args], capture_output=True,
                              text=True, env=env, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = run("list", "--parsable")
    assert f"{uid}\tJosé Núñez 😀\tcards" in listed
    assert "\tAna Ruiz\t" in listed
    phones = run("phone", "--parsable")
    assert "+34612345678\tJosé Núñez 😀\tCELL" in phones
    assert "+34912345678\tJosé Núñez 😀\tWORK, VOICE" in phones
    shown = run("show", uid)
    assert "Jefa; I+D" in shown and "Año, S.A." in shown and "Met at: Feria" in shown


def test_update_keeps_what_another_process_wrote_meanwhile(tmp_path):
    book = store.Book(tmp_path / "book")
    ana = book.add(Contact(name=Name("Ana", "Gil"), org="Acme")).contact
    other = store.Book(tmp_path / "book")
    fresh = other.get(ana.uid)
    fresh.emails.append(Email("ana@acme.example"))
    other.save(fresh)  # written after `book` last read it

    def answer(contact: Contact) -> None:
        contact.annotations.met_at = "Feria"

    updated = book.update(ana.uid, answer)
    assert updated.annotations.met_at == "Feria"
    assert [e.address for e in book.get(ana.uid).emails] == ["ana@acme.example"]
    with pytest.raises(store.NotFoundError):
        book.update("no-such-uid", answer)


def test_atomic_write_into_a_missing_folder_is_a_one_line_book_error(tmp_path):
    with pytest.raises(store.BookError, match=r"cannot write .*missing/x\.vcf: No such file"):
        store.atomic_write(tmp_path / "missing" / "x.vcf", b"data")


def test_get_uid_gives_a_copy_and_sees_changes_made_by_another_process(tmp_path: Path) -> None:
    book = Book(tmp_path)
    uid = book.add(Contact(name=Name("Ana", "Gil"), emails=[Email("ana@gil.es")])).contact.uid
    first = book.get_uid(uid)
    first.title = "edited in memory only"
    assert book.get_uid(uid).title == ""
    other = Book(tmp_path)  # another cardscan process edits the file
    changed = other.get_uid(uid)
    changed.title = "Directora"
    other.save(changed)
    assert book.get_uid(uid).title == "Directora"
    with pytest.raises(NotFoundError):
        book.get_uid("no-such-uid")


def test_a_book_read_before_is_read_again_without_parsing_its_vcards(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resumed batch, `list` or `search` parses only the files changed since the last run."""
    book = Book(tmp_path / "book")
    for i in range(3):
        book.add(person(f"Ana{i}", "Gil", email=f"ana{i}@gil.es", source=f"{i}.jpg"))
    book.keep_parse_cache()
    assert store.parse_cache_path(book.path).is_file()
    parsed: list[str] = []
    real_read = vcard.read_cards
    monkeypatch.setattr(vcard, "read_cards", lambda text: parsed.append(text) or real_read(text))
    assert sorted(c.name.given for c in Book(tmp_path / "book").contacts()) == ["Ana0", "Ana1",
                                                                                 "Ana2"]
    assert parsed == []
    # another tool edits one card: that file alone is parsed again, and its edit is seen
    edited = next(iter(sorted((tmp_path / "book").glob("*.vcf"))))
    edited.write_text(edited.read_text().replace("Gil", "Gil Robles"), encoding="utf-8")
    os.utime(edited, ns=(edited.stat().st_atime_ns, edited.stat().st_mtime_ns + 1_000_000))
    again = Book(tmp_path / "book").contacts()
    assert len(parsed) == 1 and sum(c.name.family == "Gil Robles" for c in again) == 1


def test_a_broken_or_foreign_parse_cache_is_ignored(tmp_path: Path) -> None:
    book = Book(tmp_path / "book")
    book.add(person("Ana", "Gil", email="ana@gil.es"))
    target = store.parse_cache_path(book.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\x80\x05not a pickle")
    assert [c.name.given for c in Book(tmp_path / "book").contacts()] == ["Ana"]
    other = Book(tmp_path / "other")
    other.add(person("Eva", "Sanz", email="eva@sanz.es"))
    other.keep_parse_cache()
    target.write_bytes(store.parse_cache_path(other.path).read_bytes())  # another book's cache
    assert [c.name.given for c in Book(tmp_path / "book").contacts()] == ["Ana"]


def test_a_parse_cache_of_contacts_with_other_fields_is_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written by a cardscan whose contacts had other fields is parsed again."""
    book = Book(tmp_path / "book")
    book.add(person("Ana", "Gil", email="ana@gil.es"))
    book.keep_parse_cache()
    monkeypatch.setattr(store, "_models_shape", lambda: "another shape")
    parsed: list[str] = []
    real_read = vcard.read_cards
    monkeypatch.setattr(vcard, "read_cards", lambda text: parsed.append(text) or real_read(text))
    assert [c.name.given for c in Book(tmp_path / "book").contacts()] == ["Ana"]
    assert len(parsed) == 1
