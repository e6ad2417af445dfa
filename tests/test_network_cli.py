"""The network commands against a real book folder: followups, introduce, search, show, stats."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import vobject
from click.testing import CliRunner
from test_network import build_book

from cardscan.cli import main
from cardscan.errors import ExitCode
from cardscan.models import Annotations
from cardscan.store import Book

TODAY = date.today()


@pytest.fixture()
def book_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test book written with store.Book; follow-ups moved relative to the real today."""
    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "no-config.toml"))
    for var in ("CARDSCAN_BOOK", "CARDSCAN_UI_LANG", "CARDSCAN_REGION", "CARDSCAN_LANG"):
        monkeypatch.delenv(var, raising=False)
    shifts = {"james": -5, "lucia": -3, "pedro": 0, "claire": 4, "hannah": 22}
    folder = tmp_path / "book"
    book = Book(folder)
    for contact in build_book():
        notes = contact.annotations
        if contact.uid in shifts:
            notes = replace(notes, follow_up=TODAY + timedelta(days=shifts[contact.uid]),
                            follow_up_done=None)
        elif notes.follow_up:
            notes = replace(notes, follow_up=TODAY - timedelta(days=9),
                            follow_up_done=TODAY - timedelta(days=8))
        book.save(replace(contact, annotations=notes))
    return folder


def run(book_dir: Path, *args: str, lang: str = "en"):
    return CliRunner().invoke(main, ["--book", str(book_dir), "--ui-lang", lang, *args])


def test_followups_lists_due_and_overdue_with_context(book_dir):
    result = run(book_dir, "followups")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("James Wilson") < out.index("Lucía Fernández") < out.index("Pedro Gómez")
    assert "overdue by 5 day(s)" in out and "due today" in out
    assert "South Summit Madrid" in out and "inversores para su ronda semilla" in out
    assert "Claire" not in out and "Hannah" not in out and "Sarah" not in out


def test_followups_json_and_horizons(book_dir):
    week = json.loads(run(book_dir, "followups", "--due", "week", "--json").output)
    assert [f["uid"] for f in week] == ["james", "lucia", "pedro", "claire"]
    assert week[0]["days_overdue"] == 5 and week[0]["needs"] == "press coverage for the product launch"
    every = json.loads(run(book_dir, "followups", "--due", "all", "--json").output)
    assert [f["uid"] for f in every][-1] == "hannah"


def test_followups_in_spanish(book_dir):
    out = run(book_dir, "followups", lang="es").output
    assert "con 5 día(s) de retraso" in out and "para hoy" in out and "Necesita" in out


def test_followups_ics_export_is_stable(book_dir, tmp_path):
    ics = tmp_path / "cal" / "followups.ics"
    result = run(book_dir, "followups", "--due", "week", "--ics", str(ics))
    assert result.exit_code == 0, result.output
    first = vobject.readOne(ics.read_text(encoding="utf-8"))
    todos = first.vtodo_list
    assert len(todos) == 4
    assert sorted(t.due.value for t in todos)[0] == TODAY - timedelta(days=5)
    uids = sorted(t.uid.value for t in todos)
    run(book_dir, "followups", "--due", "week", "--ics", str(ics))
    assert sorted(t.uid.value for t in vobject.readOne(ics.read_text(encoding="utf-8")).vtodo_list) == uids


def test_followups_done_records_the_date(book_dir):
    result = run(book_dir, "followups", "done", "Lucía Fernández")
    assert result.exit_code == 0, result.output
    assert "Lucía Fernández" in result.output
    saved = Book(book_dir).get("lucia")
    assert saved.annotations.follow_up_done == TODAY and saved.annotations.follow_up is None
    assert saved.annotations.needs == "inversores para su ronda semilla"  # nothing else lost
    remaining = json.loads(run(book_dir, "followups", "--json").output)
    assert [f["uid"] for f in remaining] == ["james", "pedro"]


def test_followups_done_with_a_date_and_unknown_contact(book_dir):
    result = run(book_dir, "followups", "done", "james@wilsonaudio.com", "--date", "2026-01-15", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"uid": "james", "name": "James Wilson",
                                         "follow_up_done": "2026-01-15", "was_pending": True,
                                         "every": None, "next_follow_up": None}
    assert Book(book_dir).get("james").annotations.follow_up_done == date(2026, 1, 15)
    missing = run(book_dir, "followups", "done", "Nobody Atall")
    assert missing.exit_code == ExitCode.NOT_FOUND
    bad = run(book_dir, "followups", "done", "pedro", "--date", "not a date at all")
    assert bad.exit_code == ExitCode.USAGE


def test_introduce_everyone_and_one(book_dir):
    result = run(book_dir, "introduce", "--json")
    assert result.exit_code == 0, result.output
    found = {frozenset((i["a"]["uid"], i["b"]["uid"])) for i in json.loads(result.output)}
    assert frozenset(("lucia", "mark")) in found
    assert frozenset(("lucia", "sofia")) not in found
    one = run(book_dir, "introduce", "Pedro Gómez")
    lines = [line for line in one.output.splitlines() if line.strip()]
    assert lines and all("Pedro Gómez" in line for line in lines)
    assert "Anna Schmidt" in lines[0] and "photography" in lines[0]
    assert len(run(book_dir, "introduce", "--limit", "2").output.strip().splitlines()) == 2


def test_introduce_speaks_spanish(book_dir):
    out = run(book_dir, "introduce", "lucia", lang="es").output
    assert "Lucía Fernández busca inversión" in out and "Mark Thompson" in out


def test_search_and_show(book_dir):
    result = run(book_dir, "search", "fotografia", "--json")
    assert result.exit_code == 0, result.output
    assert {h["uid"] for h in json.loads(result.output)} == {"anna", "pedro"}
    assert "Carmen" in run(book_dir, "search", "ABOGADA").output
    assert "Nothing matches" in run(book_dir, "search", "zzzqqq").output

    shown = run(book_dir, "show", "Claire Dubois")
    assert shown.exit_code == 0, shown.output
    for text in ("Maison Claire", "claire@maisonclaire.fr", "Feria Logística Barcelona",
                 "a shipping and warehousing partner in Spain", "claire.jpg", "due in 4 day(s)"):
        assert text in shown.output
    data = json.loads(run(book_dir, "show", "sarah", "--json").output)
    assert data["annotations"]["follow_up_pending"] is False
    assert data["annotations"]["follow_up_done"] == (TODAY - timedelta(days=8)).isoformat()
    assert data["sources"][0]["file"] == "sarah.jpg"
    assert run(book_dir, "show", "nobody-here").exit_code == ExitCode.NOT_FOUND


def test_stats(book_dir):
    result = run(book_dir, "stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 33 and data["annotated"] == 31
    assert data["per_event"][0] == {"event": "Web Summit Lisbon", "count": 11}
    assert data["followups"] == {"overdue": 2, "today": 1, "week": 2, "later": 1}
    text = run(book_dir, "stats", lang="es").output
    assert "Contactos: 33" in text and "Por evento" in text and "Seguimientos atrasados: 2" in text


def test_empty_book(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "none.toml"))
    empty = tmp_path / "empty"
    assert "No follow-ups due" in run(empty, "followups").output
    assert "No introductions" in run(empty, "introduce").output
    assert json.loads(run(empty, "stats", "--json").output)["total"] == 0


def test_annotations_survive_the_book(book_dir):
    """The book written by store keeps what the network commands read."""
    contact = Book(book_dir).get("claire")
    assert isinstance(contact.annotations, Annotations)
    assert contact.annotations.met_at == "Feria Logística Barcelona"
