"""`cardscan scan`: the scripting contract (options, --json, table, exit statuses).

Most tests run the command in process over text "photos" (see tests/fakes.py);
the end-to-end ones (marked tesseract) scan generated card photos in subprocesses,
including a batch killed with SIGKILL and two scans into one book at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import text_work, write_photo

from cardscan import batch
from cardscan.batch import workers
from cardscan.cli import main
from cardscan.errors import ExitCode
from cardscan.store import Book

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def in_process(monkeypatch, tmp_path):
    """Run scans in this process over text "photos", with a clean config."""
    real_scan = batch.scan

    def scan(paths, options, book, **kwargs):
        return real_scan(paths, replace(options, executor="inline"), book, work=text_work,
                         **kwargs)

    monkeypatch.setattr(batch, "scan", scan)
    monkeypatch.setattr(workers, "check_dependencies", lambda lang: None)
    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "no-config.toml"))
    for var in ("CARDSCAN_BOOK", "CARDSCAN_REGION", "CARDSCAN_LANG"):
        monkeypatch.delenv(var, raising=False)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_json_prints_one_object_per_card_and_per_failure(tmp_path, in_process):
    photos = tmp_path / "photos"
    write_photo(photos, "a.jpg", "Ana Gil\nana@x.es\n")
    write_photo(photos, "b.jpg", "Bo Li\n", "Cy Ng\ncy@z.org\n")
    (photos / "c.jpg").write_text("BAD")
    book = tmp_path / "book"
    result = run("scan", str(photos), "--out", str(book), "--json")
    assert result.exit_code == ExitCode.SOME_FAILED
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["source"], r["status"]) for r in records] == [
        ("a.jpg", "added"), ("b.jpg", "added"), ("b.jpg", "added"), ("c.jpg", "failed")]
    assert [r["card_index"] for r in records[:3]] == [0, 0, 1]
    assert records[0]["fields"]["fn"] == "Ana Gil"
    assert Path(records[0]["vcf"]).parent == book.absolute()
    assert Path(records[0]["vcf"]).is_file()
    assert records[3]["error"] == "not an image"
    assert "cardscan: c.jpg: not an image" in result.stderr.splitlines()

    again = run("scan", str(photos), "--out", str(book), "--json")
    statuses = [json.loads(line)["status"] for line in again.stdout.splitlines()]
    assert statuses == ["skipped", "skipped", "skipped", "failed"]


def test_table_and_summary(tmp_path, in_process):
    write_photo(tmp_path, "a.jpg", "Ana Gil\nana@x.es\n")
    result = run("--book", str(tmp_path / "book"), "scan", str(tmp_path / "a.jpg"))
    assert result.exit_code == ExitCode.OK
    assert "Ana Gil" in result.stdout and "ana@x.es" in result.stdout
    assert "added" in result.stdout
    assert "1 written, 0 merged, 0 unchanged, 0 skipped, 0 failed" in result.stderr
    quiet = run("--book", str(tmp_path / "book"), "scan", str(tmp_path), "--quiet")
    assert quiet.stderr == "" and "skipped" in quiet.stdout


def test_out_overrides_the_global_book(tmp_path, in_process):
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    result = run("--book", str(tmp_path / "global"), "scan", str(tmp_path / "a.jpg"),
                 "--out", str(tmp_path / "here"), "-q")
    assert result.exit_code == ExitCode.OK
    assert len(Book(tmp_path / "here").contacts()) == 1
    assert not (tmp_path / "global").exists()


def test_all_failed_and_usage_errors(tmp_path, in_process):
    (tmp_path / "x.jpg").write_text("BAD")
    assert run("--book", str(tmp_path / "b"), "scan", str(tmp_path)).exit_code == \
        ExitCode.ALL_FAILED
    assert run("--book", str(tmp_path / "b"), "scan").exit_code == ExitCode.USAGE
    assert run("--book", str(tmp_path / "b"), "scan", str(tmp_path / "none.jpg")).exit_code == \
        ExitCode.ALL_FAILED
    bad = run("--book", str(tmp_path / "b"), "scan", str(tmp_path), "--executor", "spark://x")
    assert bad.exit_code != ExitCode.OK and "unknown executor" in bad.output


def test_missing_language_stops_before_any_work(tmp_path, in_process, monkeypatch):
    from cardscan.errors import MissingDependencyError

    def check(lang):
        raise MissingDependencyError(f"Tesseract language {lang!r} is not installed")

    monkeypatch.setattr(workers, "check_dependencies", check)
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    result = run("--book", str(tmp_path / "b"), "scan", str(tmp_path), "--lang", "xyz")
    assert result.exit_code == ExitCode.MISSING_DEPENDENCY
    assert "'xyz' is not installed" in result.stderr
    assert not (tmp_path / "b").exists()


def test_batch_annotations_pairs_and_report(tmp_path, in_process):
    photos = tmp_path / "photos"
    write_photo(photos, "ana.jpg", "Ana Gil\n")
    write_photo(photos, "ana_back.jpg", "ORG Acme SL\nana@acme.es\n")
    front = write_photo(tmp_path, "f.jpg", "Bo Li\n")
    back = write_photo(tmp_path, "other.jpg", "ORG Bo Corp\n")
    report = tmp_path / "review.html"
    result = run("--book", str(tmp_path / "b"), "scan", str(photos), "--pair", str(front),
                 str(back), "--met-at", "Feria de Sevilla", "--tag", "feria", "--tag", "2025",
                 "--report", str(report), "--json", "--annotate")
    assert result.exit_code == ExitCode.OK, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["fields"]["fn"], r["fields"]["org"]) for r in records} == {
        ("Ana Gil", "Acme SL"), ("Bo Li", "Bo Corp")}
    contacts = Book(tmp_path / "b").contacts()
    assert {c.annotations.met_at for c in contacts} == {"Feria de Sevilla"}
    assert all(c.annotations.tags == ["feria", "2025"] for c in contacts)
    assert report.is_file() and "Acme SL" in report.read_text()
    assert "--annotate needs a terminal" in result.stderr  # CliRunner's stdin is no tty


def test_a_follow_up_that_is_no_date_is_a_usage_error_not_a_traceback(tmp_path, in_process):
    write_photo(tmp_path, "a.jpg", "Ana Gil\n")
    for when, words in (("garbage", "Cannot read 'garbage'"), ("2020-01-01", "in the past")):
        result = run("--book", str(tmp_path / "b"), "--ui-lang", "en", "scan",
                     str(tmp_path / "a.jpg"), "--follow-up", when)
        assert result.exit_code == ExitCode.USAGE, result.output
        assert words in result.stderr and "--follow-up" in result.stderr
        assert not isinstance(result.exception, ValueError)
        assert not (tmp_path / "b").exists()  # refused before any work
    spanish = run("--book", str(tmp_path / "b"), "--ui-lang", "es", "scan",
                  str(tmp_path / "a.jpg"), "--follow-up", "garbage")
    assert "No entiendo 'garbage'" in spanish.stderr


def test_batch_answers_reach_photos_scanned_before_without_replacing_typed_ones(
        tmp_path, in_process):
    write_photo(tmp_path, "a.jpg", "Ana Gil\nana@x.es\n")
    write_photo(tmp_path, "b.jpg", "Bo Li\nbo@y.es\n")
    book = tmp_path / "book"
    assert run("--book", str(book), "scan", str(tmp_path), "-q").exit_code == ExitCode.OK
    ana = Book(book).get("Ana Gil")
    ana.annotations.met_at = "Cena en casa de Luis"  # typed in the prompt
    Book(book).save(ana)
    again = run("--book", str(book), "scan", str(tmp_path), "-q", "--met-at", "Feria",
                "--tag", "evento", "--follow-up", "2099-01-01")
    assert again.exit_code == ExitCode.OK, again.output
    contacts = {c.name.given: c.annotations for c in Book(book).contacts()}
    assert contacts["Ana"].met_at == "Cena en casa de Luis"
    assert contacts["Bo"].met_at == "Feria"
    assert all(a.tags == ["evento"] for a in contacts.values())
    assert all(str(a.follow_up) == "2099-01-01" for a in contacts.values())


def test_book_and_ui_lang_after_the_command_name(tmp_path, in_process):
    write_photo(tmp_path, "a.jpg", "Ana Gil\nana@x.es\n")
    book = tmp_path / "book"
    assert run("scan", str(tmp_path), "-q", "--book", str(book)).exit_code == ExitCode.OK
    shown = run("show", "Ana", "--book", str(book), "--ui-lang", "es")
    assert shown.exit_code == ExitCode.OK, shown.output
    assert "Correos" in shown.output and "ana@x.es" in shown.output
    listed = run("list", "--json", "--book", str(book))
    assert [c["fn"] for c in __import__("json").loads(listed.output)] == ["Ana Gil"]
    waiting = run("annotate", "--book", str(book), "--ui-lang", "es")
    assert waiting.exit_code == ExitCode.OK and "1 tarjeta(s) pendientes" in waiting.stderr


def test_scan_table_never_breaks_an_email_on_a_narrow_terminal(tmp_path, monkeypatch, capsys):
    from cardscan import cli
    from cardscan.models import Contact, Email, Name, Phone, PhoneType, ScanStatus, Source

    address = "hortensia.rius@lumbreras.example.com"
    contact = Contact(name=Name("Hortensia", "Rius Barral"), org="Lumbreras Consultores S.L.U.",
                      phones=[Phone("+34610731294", PhoneType.CELL)], emails=[Email(address)])
    card = batch.CardOutcome(ScanStatus.ADDED, contact, Source("01-es-flat.png"), contact.uid, None)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "90")
    cli._print_scan_table([card])
    out = capsys.readouterr().out
    assert address in out and "+34610731294" in out


def test_ctrl_c_is_reported_in_the_prompt_language(tmp_path, in_process, monkeypatch):
    from cardscan import annotate

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(annotate, "can_prompt", lambda: True)
    monkeypatch.setattr(annotate, "run_session", interrupted)
    result = run("--book", str(tmp_path / "b"), "--ui-lang", "es", "annotate")
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "interrumpido; todo lo respondido hasta ahora está guardado" in result.stderr


# ------------------------------------------------------------------ end to end (Tesseract)


def _make_cards(folder: Path, count: int) -> list[Path]:
    """Distinct flat card photos (generated, seeded)."""
    from imagegen import render_card, save

    folder.mkdir(parents=True, exist_ok=True)
    first = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fermín", "Gloria", "Hugo", "Irene",
             "Javier", "Karen", "Luis", "Marta", "Nico"]
    paths = []
    for i in range(count):
        name = f"{first[i % len(first)]} Ortega{'' if i < len(first) else ' Ruiz'}"
        user = name.split()[0].lower().replace("í", "i")
        lines = [name, "Directora Comercial", "Grupo Ortega S.A.", f"Tel. +34 91 555 {1000 + i}",
                 f"{user}{i}@ortega.es"]
        paths.append(save(folder / f"card{i:02d}.png", render_card(lines, seed=i).image))
    return paths


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), CARDSCAN_CONFIG="/nonexistent/config.toml")
    return subprocess.Popen([sys.executable, "-m", "cardscan", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _emails(book: Path) -> list[str]:
    return sorted(e.address for c in Book(book).contacts() for e in c.emails)


@pytest.mark.tesseract
def test_resume_after_sigkill_in_the_middle_of_a_batch(tmp_path):
    photos = _make_cards(tmp_path / "photos", 10)
    book = tmp_path / "book"
    first = _cli("--book", str(book), "scan", str(tmp_path / "photos"), "--jobs", "1", "-q")
    deadline = time.monotonic() + 120
    while (time.monotonic() < deadline and first.poll() is None
           and len(list(book.glob("*.vcf"))) < 3):
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # the parent only: its workers notice and exit
    _, err = first.communicate()
    done = len(list(book.glob("*.vcf")))
    assert 3 <= done < len(photos), f"the kill must land in the middle of the batch: {err}"

    second = _cli("--book", str(book), "scan", str(tmp_path / "photos"), "--jobs", "2", "--json")
    out, err = second.communicate(timeout=300)
    assert second.returncode == ExitCode.OK, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(photos)
    statuses = [r["status"] for r in records]
    assert statuses.count("skipped") >= done - 1  # at most one card was written, not marked
    assert set(statuses) <= {"skipped", "added", "unchanged"}
    emails = _emails(book)
    assert len(emails) == len(set(emails)) == len(photos)  # nothing lost, nothing duplicated
    assert len(Book(book).contacts()) == len(list(book.glob("*.vcf")))  # every file whole


@pytest.mark.tesseract
def test_two_scans_of_one_folder_into_one_book_at_once(tmp_path):
    photos = _make_cards(tmp_path / "photos", 6)
    book = tmp_path / "book"
    runs = [_cli("--book", str(book), "scan", str(tmp_path / "photos"), "--jobs", "1", "-q",
                 "--json") for _ in range(2)]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [ExitCode.OK, ExitCode.OK], outputs
    emails = _emails(book)
    assert len(emails) == len(set(emails)) == len(photos)
    assert len(Book(book).contacts()) == len(photos)


def test_a_merge_names_the_contact_it_went_into(tmp_path, in_process):
    book = tmp_path / "book"
    write_photo(tmp_path, "first.jpg", "Ana Gil\nana@x.es\n")
    assert run("--book", str(book), "scan", str(tmp_path / "first.jpg")).exit_code == ExitCode.OK
    ana = Book(book).get("Ana")
    ana.title = "Directora"  # typed by the user
    ana.user_edited.add("title")
    Book(book).save(ana)
    write_photo(tmp_path, "second.jpg", "Ana Gil\nana@x.es\nORG Acme SL\n")
    result = run("--book", str(book), "scan", str(tmp_path / "second.jpg"))
    assert result.exit_code == ExitCode.OK, result.output
    assert f"second.jpg: merged into Ana Gil ({ana.uid[:8]})" in result.stderr
    assert [(c.title, c.org) for c in Book(book).contacts()] == [("Directora", "Acme SL")]
