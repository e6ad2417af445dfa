"""Exports checked by independent readers: the vcard validator, pyzbar, a real Radicale."""

from __future__ import annotations

import base64
import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cardscan import errors, export, vcard
from cardscan.cli import main
from cardscan.errors import ExitCode
from cardscan.models import Annotations, Contact, Email, Name, Phone, PhoneType, Website
from cardscan.store import Book

sys.path.insert(0, str(Path(__file__).parent))
from test_vcard import assert_valid, full_contact


def small_book(folder: Path) -> Book:
    book = Book(folder)
    book.add(full_contact())
    book.add(Contact(name=Name("Ana", "Ruiz"), org="Acme", title="CTO",
                     phones=[Phone("+34600111222", PhoneType.CELL),
                             Phone("+34600111223", PhoneType.CELL),
                             Phone("+34911000000", PhoneType.WORK)],
                     emails=[Email(f"ana{i}@acme.com") for i in range(4)],
                     websites=[Website("https://acme.com")],
                     annotations=Annotations(met_at="Web Summit", tags=["lisboa"],
                                             follow_up=date(2026, 1, 2)),
                     rev=datetime(2025, 1, 1, tzinfo=UTC)))
    return book


def test_combined_and_split_vcf(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    result = CliRunner().invoke(main, ["--book", str(book.path), "export", "--vcf",
                                       str(tmp_path / "all.vcf"), "--split-dir",
                                       str(tmp_path / "split")])
    assert result.exit_code == 0, result.output
    combined = (tmp_path / "all.vcf").read_bytes()
    assert not combined.startswith(b"\xef\xbb\xbf")
    text = combined.decode("utf-8")
    assert text.count("BEGIN:VCARD\r\n") == 2
    assert_valid(text)
    assert sorted(c.uid for c in vcard.from_vcards(text)) == sorted(c.uid for c in book.contacts())
    files = sorted((tmp_path / "split").glob("*.vcf"))
    assert len(files) == 2
    for file in files:
        card = file.read_bytes().decode("utf-8")
        assert card.count("BEGIN:VCARD") == 1
        assert_valid(card)
    assert any(f.name.startswith("Ana Ruiz-") for f in files)


GOOGLE_START = ("First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,"
                "Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,"
                "Organization Title,Organization Department,Birthday,Notes,Photo,Labels,"
                "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value")
GOOGLE_ADDRESS = ("Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,"
                  "Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,"
                  "Address 1 - Country,Address 1 - Extended Address")


def test_google_csv(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    target = tmp_path / "google.csv"
    result = CliRunner().invoke(main, ["--book", str(book.path), "export", "--csv", "google",
                                       str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    header_line = raw.decode("utf-8").split("\r\n", 1)[0]
    assert header_line.startswith(GOOGLE_START)
    assert GOOGLE_ADDRESS in header_line
    assert header_line.endswith("Website 1 - Label,Website 1 - Value,"
                                "Website 2 - Label,Website 2 - Value")
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    ana = next(r for r in rows if r["First Name"] == "Ana")
    assert ana["E-mail 1 - Label"] == "Work"
    assert ana["E-mail 1 - Value"] == " ::: ".join(f"ana{i}@acme.com" for i in range(4))
    assert (ana["Phone 1 - Label"], ana["Phone 1 - Value"]) == (
        "Mobile", "+34600111222 ::: +34600111223")
    assert (ana["Phone 2 - Label"], ana["Phone 2 - Value"]) == ("Work", "+34911000000")
    assert ana["Labels"] == "lisboa" and "Met at: Web Summit" in ana["Notes"]
    jose = next(r for r in rows if r["Last Name"].startswith("Núñez"))
    assert jose["Organization Name"] == "Año Nuevo, S.A."
    assert jose["Address 1 - City"] == "Madrid" and jose["Address 1 - Postal Code"] == "28013"
    assert "Mi nota; con, comas" in jose["Notes"]


def test_outlook_csv(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    target = tmp_path / "outlook.csv"
    export.write_csv(book.contacts(), target, flavor="outlook")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Outlook's wizard needs the BOM for UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    header = rows[0]
    assert header[:8] == ["Title", "First Name", "Middle Name", "Last Name", "Suffix",
                          "Company", "Department", "Job Title"]
    for column in ("Business Street", "Business City", "Business State", "Business Postal Code",
                   "Business Country/Region", "Business Fax", "Business Phone", "Mobile Phone",
                   "E-mail Address", "E-mail Type", "E-mail Display Name", "Notes", "Web Page"):
        assert column in header
    assert header.index("Business Fax") < header.index("Business Phone") < header.index(
        "Mobile Phone") < header.index("E-mail Address") < header.index("Notes")
    assert len(header) == len(set(header)) == 92
    ana = dict(zip(header, next(r for r in rows[1:] if r[1] == "Ana"), strict=True))
    assert ana["Mobile Phone"] == "+34600111222" and ana["Other Phone"] == "+34600111223"
    assert ana["Business Phone"] == "+34911000000"
    assert ana["E-mail 3 Address"] == "ana2@acme.com"
    assert "ana3@acme.com" in ana["Notes"]  # a 4th e-mail has no column: kept in the notes
    jose = dict(zip(header, next(r for r in rows[1:] if r[1] == "José María"), strict=True))
    assert jose["Title"] == "Dra." and jose["Business Fax"] == "+34912345679"
    assert jose["Company"] == "Año Nuevo, S.A." and jose["Department"] == "Ventas"


def test_qr_png_decodes_back_to_the_vcard(tmp_path: Path) -> None:
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    book = small_book(tmp_path / "book")
    png = tmp_path / "qr.png"
    result = CliRunner().invoke(main, ["--book", str(book.path), "qr", "Núñez", "--png",
                                       str(png), "--terminal"])
    assert result.exit_code == 0, result.output
    assert "█" in result.output or "▀" in result.output
    decoded = pyzbar.decode(Image.open(png))
    assert len(decoded) == 1
    text = decoded[0].data.decode("utf-8")
    contact = book.get("Núñez")
    assert text == export.qr_text(contact)
    assert_valid(text)
    assert "PHOTO" not in text and "X-CARDSCAN" not in text
    back = vcard.from_vcard(text)
    assert back.name.full == contact.name.full  # confidences are bookkeeping, not in QR
    assert [(p.number, p.type) for p in back.phones] == [
        (p.number, p.type) for p in contact.phones]
    assert back.annotations.met_at == contact.annotations.met_at  # read from NOTE


def test_qr_refuses_a_card_too_big() -> None:
    huge = Contact(name=Name("Ana", "Ruiz"), note="x" * 4000)
    with pytest.raises(errors.ExportError):
        export.make_qr(huge)


def test_list_json_and_table(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    runner = CliRunner()
    result = runner.invoke(main, ["--book", str(book.path), "list", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["fn"] for d in data] == ["Ana Ruiz", "José María Núñez-Ørsted 😀"]
    assert [d["display_name"] for d in data] == ["Ana Ruiz", "Dra. José María Núñez-Ørsted 😀, PhD"]
    assert data[0]["annotations"]["met_at"] == "Web Summit"
    assert data[0]["tels"][0]["e164"] == "+34600111222" and data[0]["tels"][0]["type"] == "cell"
    # one contact, one JSON: `show --json` gives the same fields as `list --json`
    shown = json.loads(runner.invoke(main, ["--book", str(book.path), "show", "--json",
                                            data[1]["uid"]]).output)
    assert {k: v for k, v in shown.items() if k != "annotations"} == {
        k: v for k, v in data[1].items() if k != "annotations"}
    table = runner.invoke(main, ["--book", str(book.path), "list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "Web Summit" in table.output and "CTO" in table.output


def test_credentials_from_env_or_netrc(tmp_path: Path) -> None:
    env = {"CARDSCAN_CARDDAV_USER": "u", "CARDSCAN_CARDDAV_PASSWORD": "p"}
    assert export.carddav_credentials("https://dav.example.com/x/", env) == ("u", "p")
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text("machine dav.example.com login nu password np\n")
    netrc_file.chmod(0o600)
    assert export.carddav_credentials("https://dav.example.com/x/",
                                      {"NETRC": str(netrc_file)}) == ("nu", "np")
    assert export.carddav_credentials("https://other.example.com/",
                                      {"NETRC": str(netrc_file)}) is None
    with pytest.raises(errors.ExportError):
        export.push_carddav([], "https://u:secret@dav.example.com/", state_dir=tmp_path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, method: str = "GET", body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    # auth type "none" takes any password; the login names the owner of /user/
    auth = {"Authorization": "Basic " + base64.b64encode(b"user:pw").decode()}
    request = urllib.request.Request(url, data=body, method=method, headers=auth | (headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.fixture
def radicale(tmp_path: Path):  # type: ignore[no-untyped-def]
    pytest.importorskip("radicale")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--auth-type", "none", "--storage-filesystem-folder", str(tmp_path / "radicale")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=os.environ | {"HOME": str(tmp_path)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _request(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("radicale did not start")
        collection = f"{base}/user/cards/"
        body = (b'<?xml version="1.0" encoding="utf-8"?><mkcol xmlns="DAV:" '
                b'xmlns:CR="urn:ietf:params:xml:ns:carddav"><set><prop><resourcetype>'
                b"<collection/><CR:addressbook/></resourcetype></prop></set></mkcol>")
        status, _, _ = _request(collection, "MKCOL", body, {"Content-Type": "application/xml"})
        assert status == 201
        yield collection
    finally:
        process.terminate()
        process.wait(10)


def test_push_to_radicale_and_get_the_cards_back(tmp_path: Path, radicale: str) -> None:
    book = small_book(tmp_path / "book")
    runner = CliRunner()
    env = {"CARDSCAN_CARDDAV_USER": "user", "CARDSCAN_CARDDAV_PASSWORD": "pw"}
    args = ["--book", str(book.path), "push", "--carddav", radicale]
    first = runner.invoke(main, args, env=env)
    assert first.exit_code == 0, first.output
    assert "2 new, 0 changed; 0 unchanged" in first.output
    for contact in book.contacts():
        status, body, _ = _request(radicale + contact.uid + ".vcf")
        assert status == 200
        served = body.decode("utf-8")
        assert_valid(served)
        assert vcard.from_vcard(served) == contact
    again = runner.invoke(main, args, env=env)
    assert "0 new, 0 changed; 2 unchanged" in again.output
    ana = book.get("Ana Ruiz")
    ana.title = "CEO"
    book.save(ana)
    changed = runner.invoke(main, args, env=env)
    assert "0 new, 1 changed; 1 unchanged" in changed.output, changed.output
    status, body, _ = _request(radicale + ana.uid + ".vcf")
    assert vcard.from_vcard(body.decode("utf-8")).title == "CEO"
    # someone edits the card on the server: the next push must not overwrite it
    edited = body.decode("utf-8").replace("TITLE:CEO", "TITLE:Edited on phone")
    assert _request(radicale + ana.uid + ".vcf", "PUT", edited.encode(),
                    {"Content-Type": "text/vcard"})[0] in (200, 201, 204)
    ana.title = "CTO again"
    book.save(ana)
    conflict = runner.invoke(main, args, env=env)
    assert conflict.exit_code == ExitCode.SOME_FAILED and "1 conflicts" in conflict.output
    status, body, _ = _request(radicale + ana.uid + ".vcf")
    assert "TITLE:Edited on phone" in body.decode("utf-8")


def test_push_to_a_missing_address_book_fails_cleanly(tmp_path: Path, radicale: str) -> None:
    book = small_book(tmp_path / "book")
    env = {"CARDSCAN_CARDDAV_USER": "user", "CARDSCAN_CARDDAV_PASSWORD": "pw"}
    result = CliRunner().invoke(main, ["--book", str(book.path), "push", "--carddav",
                                       radicale.replace("/cards/", "/nothing/")], env=env)
    assert result.exit_code == ExitCode.NOT_FOUND, result.output
    assert "no CardDAV address book at" in result.output and "Traceback" not in result.output


def test_push_refuses_a_password_in_the_url_and_names_an_unreachable_server(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    runner = CliRunner()
    bad = runner.invoke(main, ["--book", str(book.path), "push", "--carddav",
                               "http://me:secret@127.0.0.1:9/cards/"])
    assert bad.exit_code == ExitCode.USAGE and "CARDSCAN_CARDDAV_PASSWORD" in bad.output
    port = _free_port()  # nothing listens there
    down = runner.invoke(main, ["--book", str(book.path), "push", "--carddav",
                                f"http://127.0.0.1:{port}/cards/"])
    assert down.exit_code == ExitCode.CANNOT_WRITE
    line = down.output.strip()
    assert line == f"cardscan: cannot reach the CardDAV server 127.0.0.1:{port}: Connection refused"


def test_export_and_push_of_an_empty_or_missing_book_write_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "all.vcf"
    for book in (tmp_path / "typo", tmp_path / "empty"):
        if book.name == "empty":
            book.mkdir()
        result = runner.invoke(main, ["--book", str(book), "export", "--vcf", str(target)])
        assert result.exit_code == ExitCode.NOT_FOUND, result.output
        assert str(book) in result.output and not target.exists()
        pushed = runner.invoke(main, ["--book", str(book), "push", "--carddav",
                                      "http://127.0.0.1:9/cards/"])
        assert pushed.exit_code == ExitCode.NOT_FOUND


def test_export_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["--book", str(book.path), "export", "--vcf",
                                       str(blocker / "all.vcf")])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert result.output == f"cardscan: cannot write into {blocker}: it is not a folder\n"


def test_qr_with_accents_decodes_back_exactly(tmp_path: Path) -> None:
    """zbar reads UTF-8 without an ECI header as Shift-JIS: 'N°' came back as 'N簞'."""
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    from cardscan.models import Address

    contact = Contact(name=Name("Catalina", "Cruz"), org="Iberia Abogados",
                      address=Address(street="Avenida Corrientes N° 12", city="Salta",
                                      printed="Avenida Corrientes N° 12\nC1326DJC Salta"),
                      annotations=Annotations(met_at="Congreso Fintech Madrid",
                                              needs="abogada para contratos"))
    png = tmp_path / "qr.png"
    export.save_qr_png(export.make_qr(contact), png)
    decoded = pyzbar.decode(Image.open(png))
    assert decoded[0].data.decode("utf-8") == export.qr_text(contact)
    ascii_only = Contact(name=Name("Ana", "Ruiz"), org="Acme")
    export.save_qr_png(export.make_qr(ascii_only), png)
    assert pyzbar.decode(Image.open(png))[0].data.decode("ascii") == export.qr_text(ascii_only)
