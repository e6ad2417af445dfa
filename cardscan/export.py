"""Getting contacts into phones: .vcf files, CSV for Google/Outlook, QR codes, CardDAV.

All vCard text comes from `cardscan.vcard`; this module never touches vobject.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import netrc
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import quote, urlsplit

import segno

from cardscan import vcard
from cardscan.errors import AddressBookNotFound, ExportError, ExportUsageError
from cardscan.models import Contact, PhoneType
from cardscan.store import atomic_write

GOOGLE_SEPARATOR = " ::: "








# ---------------------------------------------------------------- .vcf


def _folder_for(target: Path) -> None:
    """Create the folder a file goes into; ExportError naming it when that is impossible."""
    try:
        Path(target).mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise ExportError(f"cannot write into {target}: it is not a folder") from exc
    except OSError as exc:
        raise ExportError(f"cannot create the folder {target}: {exc.strerror or exc}") from exc



def write_vcf(contacts: Iterable[Contact], file: Path | IO[str], *, photo: bool = False) -> int:
    """Write every contact into one combined .vcf (iPhone, Android, Google). Returns the count."""
    cards = [vcard.export_card(c, photo=photo) for c in contacts]
    text = vcard.join_vcards(cards)
    if isinstance(file, (str, Path)):
        target = Path(file)
        _folder_for(target.parent)
        atomic_write(target, text.encode("utf-8"))
    else:
        file.write(text)
    return len(cards)


def write_vcf_dir(contacts: Iterable[Contact], folder: Path, *, photo: bool = False) -> list[Path]:
    """One .vcf per contact (for Outlook, which reads only the first card of a file)."""
    folder = Path(folder)
    _folder_for(folder)
    written: list[Path] = []
    for contact in contacts:
        target = folder / f"{file_stem(contact)}.vcf"
        atomic_write(target, vcard.export_card(contact, photo=photo).encode("utf-8"))
        written.append(target)
    return written


def file_stem(contact: Contact) -> str:
    """A readable, unique, filesystem-safe name: 'Carmen Ruiz-1a2b3c4d'."""
    name = re.sub(r"[^\w .@+-]+", "", contact.display_name).strip(" .")[:60] or "contact"
    uid = re.sub(r"[^\w-]+", "", contact.uid)[:8]
    return f"{name}-{uid}" if uid else name


# ---------------------------------------------------------------- CSV

OUTLOOK_HEADERS = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3", "Other City",
    "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone",
    "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone",
    "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex",
    "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type",
    "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage",
    "Notes", "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority",
    "Private", "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2",
    "User 3", "User 4", "Web Page",
]

GOOGLE_HEADERS_START = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels",
]
GOOGLE_ADDRESS_PARTS = ["Label", "Formatted", "Street", "City", "PO Box", "Region",
                        "Postal Code", "Country", "Extended Address"]
_GOOGLE_PHONE_LABEL = {PhoneType.CELL: "Mobile", PhoneType.WORK: "Work",
                       PhoneType.FAX: "Work Fax", PhoneType.VOICE: "Other"}


def _formatted_address(contact: Contact) -> str:
    address = contact.address
    if address.printed:
        return address.printed
    city_line = " ".join(p for p in (address.postal_code, address.city) if p)
    lines = [address.street, city_line, address.region, address.country]
    return "\n".join(p for p in lines if p)


def _google_groups(contact: Contact) -> tuple[list[tuple[str, str]], list[tuple[str, str]],
                                              list[tuple[str, str]]]:
    """(label, ' ::: '-joined values) for the e-mails, phones and websites of a contact."""
    def group(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        grouped: dict[str, list[str]] = {}
        for label, value in pairs:
            grouped.setdefault(label, []).append(value)
        return [(label, GOOGLE_SEPARATOR.join(values)) for label, values in grouped.items()]

    emails = group(("Work", e.address) for e in contact.emails)
    phones = group((_GOOGLE_PHONE_LABEL[PhoneType(p.type)], p.number) for p in contact.phones)
    sites = group(("Profile" if w.kind not in ("", "website") else "Work", w.url)
                  for w in contact.websites)
    return emails, phones, sites


def google_rows(contacts: Sequence[Contact]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Google Contacts CSV."""
    groups = [_google_groups(c) for c in contacts]
    counts = [max([1, *(len(g[i]) for g in groups)]) for i in range(3)]
    header = list(GOOGLE_HEADERS_START)
    for i in range(1, counts[0] + 1):
        header += [f"E-mail {i} - Label", f"E-mail {i} - Value"]
    for i in range(1, counts[1] + 1):
        header += [f"Phone {i} - Label", f"Phone {i} - Value"]
    header += [f"Address 1 - {part}" for part in GOOGLE_ADDRESS_PARTS]
    for i in range(1, counts[2] + 1):
        header += [f"Website {i} - Label", f"Website {i} - Value"]
    rows = []
    for contact, (emails, phones, sites) in zip(contacts, groups, strict=True):
        name, address = contact.name, contact.address
        row = [name.given, name.middle, name.family, "", "", "", name.prefix, name.suffix, "",
               "" if contact.name else contact.org, contact.org, contact.title,
               contact.department, "", vcard.note_text(contact), "",
               GOOGLE_SEPARATOR.join(contact.annotations.tags)]
        for pairs, count in zip((emails, phones), counts[:2], strict=True):
            padded = [*pairs, *[("", "")] * (count - len(pairs))]
            for label, value in padded:
                row += [label, value]
        if address:
            row += ["Work", _formatted_address(contact), address.street, address.city, "",
                    address.region, address.postal_code, address.country, ""]
        else:
            row += [""] * len(GOOGLE_ADDRESS_PARTS)
        for label, value in [*sites, *[("", "")] * (counts[2] - len(sites))]:
            row += [label, value]
        rows.append(row)
    return header, rows


def outlook_rows(contacts: Sequence[Contact]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an Outlook CSV (English headers)."""
    rows = []
    for contact in contacts:
        cell: dict[str, str] = dict.fromkeys(OUTLOOK_HEADERS, "")
        name, address = contact.name, contact.address
        cell.update({
            "Title": name.prefix, "First Name": name.given, "Middle Name": name.middle,
            "Last Name": name.family, "Suffix": name.suffix, "Company": contact.org,
            "Department": contact.department, "Job Title": contact.title,
            "Business Street": address.street, "Business City": address.city,
            "Business State": address.region, "Business Postal Code": address.postal_code,
            "Business Country/Region": address.country,
            "Categories": ";".join(contact.annotations.tags),
            "Web Page": contact.websites[0].url if contact.websites else "",
        })
        slots = {
            PhoneType.CELL: ["Mobile Phone", "Other Phone"],
            PhoneType.WORK: ["Business Phone", "Business Phone 2", "Company Main Phone",
                             "Other Phone"],
            PhoneType.FAX: ["Business Fax", "Other Fax"],
            PhoneType.VOICE: ["Primary Phone", "Other Phone"],
        }
        leftovers: list[str] = []
        for phone in contact.phones:
            free = [s for s in slots[PhoneType(phone.type)] if not cell[s]]
            if free:
                cell[free[0]] = phone.number
            else:
                leftovers.append(phone.number)
        for i, email in enumerate(contact.emails):
            prefix = "E-mail" if i == 0 else f"E-mail {i + 1}"
            if i < 3:
                cell[f"{prefix} Address"] = email.address
                cell[f"{prefix} Type"] = "SMTP"
                cell[f"{prefix} Display Name"] = f"{contact.display_name} ({email.address})"
            else:
                leftovers.append(email.address)
        leftovers += [w.url for w in contact.websites[1:]]
        notes = vcard.note_text(contact)
        if leftovers:  # Outlook has no column for them: keep them readable in the notes
            notes = "\n\n".join(p for p in (notes, "\n".join(leftovers)) if p)
        cell["Notes"] = notes
        rows.append([cell[h] for h in OUTLOOK_HEADERS])
    return list(OUTLOOK_HEADERS), rows


#: What a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = r"\+[0-9][0-9 ()./-]{5,}"
_PLAIN_PHONE = re.compile(f"{_PHONE}(?:{GOOGLE_SEPARATOR}{_PHONE})*")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading
    apostrophe (OWASP's advice), except a plain international phone number (+34 600 ...)."""
    if value.startswith(_FORMULA_START) and not _PLAIN_PHONE.fullmatch(value):
        return "'" + value
    return value


def write_csv(contacts: Iterable[Contact], file: Path | IO[str],
              flavor: Literal["google", "outlook"] = "google") -> int:
    """Write a CSV that Google Contacts or Outlook imports. Returns the number of rows.

    Outlook's wizard reads UTF-8 only with a BOM; Google takes plain UTF-8.
    """
    contacts = list(contacts)
    if flavor == "google":
        header, rows = google_rows(contacts)
    elif flavor == "outlook":
        header, rows = outlook_rows(contacts)
    else:
        raise ExportError(f"unknown CSV flavor {flavor!r} (google or outlook)")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    text = buffer.getvalue()
    if isinstance(file, (str, Path)):
        encoding = "utf-8-sig" if flavor == "outlook" else "utf-8"
        target = Path(file)
        _folder_for(target.parent)
        atomic_write(target, text.encode(encoding))
    else:
        file.write(text)
    return len(rows)


# ---------------------------------------------------------------- QR


def qr_text(contact: Contact) -> str:
    """The vCard a QR code carries: no photo, no cardscan bookkeeping."""
    return vcard.to_vcard(contact, photo=False, compact=True)


def make_qr(contact: Contact) -> segno.QRCode:
    """A QR code of the contact's vCard (UTF-8), for a phone camera to import."""
    text = qr_text(contact)
    # Without an ECI header readers guess the encoding, and zbar (and others) read UTF-8
    # accents as Shift-JIS: "N°" came back as "N簞". Plain ASCII needs no header.
    eci = not text.isascii()
    for level in ("m", "l"):
        try:
            return segno.make_qr(text, encoding="utf-8", eci=eci, error=level, boost_error=True)
        except segno.DataOverflowError:
            continue
    raise ExportError(
        f"{contact.display_name}: the vCard is too big for a QR code "
        f"({len(text.encode('utf-8'))} bytes; at most 2953). Shorten the note."
    )


def save_qr_png(qr: segno.QRCode, file: Path, scale: int = 8) -> None:
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    atomic_write(Path(file), buffer.getvalue())


def qr_for_terminal(qr: segno.QRCode) -> str:
    """The QR code drawn with block characters (two modules per character row)."""
    buffer = io.StringIO()
    qr.terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


# ---------------------------------------------------------------- CardDAV


@dataclass
class PushReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # changed on the server meanwhile
    failed: list[tuple[str, str]] = field(default_factory=list)  # (uid, reason)


def carddav_credentials(url: str, env: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from CARDSCAN_CARDDAV_USER/PASSWORD, else ~/.netrc, else None."""
    env = dict(os.environ) if env is None else env
    user, password = env.get("CARDSCAN_CARDDAV_USER"), env.get("CARDSCAN_CARDDAV_PASSWORD")
    if user and password is not None:
        return user, password
    host = urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc(env.get("NETRC") or None).authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        entry = None
    if entry:
        login, _account, secret = entry
        return login or user or "", secret or ""
    return None


def _state_file(state_dir: Path) -> Path:
    return Path(state_dir) / "carddav.json"


def _load_state(state_dir: Path) -> dict[str, Any]:
    try:
        return json.loads(_state_file(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def push_carddav(contacts: Iterable[Contact], url: str, *, state_dir: Path,
                 photo: bool = False, dry_run: bool = False, timeout: float = 30,
                 env: dict[str, str] | None = None) -> PushReport:
    """Upload new and changed contacts to a CardDAV address book with conditional PUTs.

    New cards are sent with ``If-None-Match: *`` and changed ones with ``If-Match`` and
    the ETag remembered from the last push, so nothing edited on the server meanwhile is
    overwritten (reported as a conflict). Nothing else is created on the server.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ExportUsageError(f"not an http(s) URL: {url}")
    if parts.password:
        raise ExportUsageError("put the password in CARDSCAN_CARDDAV_PASSWORD or ~/.netrc, "
                               "not in the URL (it would stay in your shell history)")
    collection = url if url.endswith("/") else url + "/"
    headers = {"Content-Type": "text/vcard; charset=utf-8", "User-Agent": "cardscan"}
    credentials = carddav_credentials(url, env)
    if credentials:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    state = _load_state(state_dir)
    known: dict[str, dict[str, str]] = state.setdefault(collection, {})
    report = PushReport()
    try:
        for contact in contacts:
            body = vcard.export_card(contact, photo=photo).encode("utf-8")
            digest = hashlib.sha256(body).hexdigest()
            entry = known.get(contact.uid)
            if entry and entry.get("sha256") == digest:
                report.unchanged.append(contact.uid)
                continue
            href = entry["href"] if entry else collection + quote(_dav_name(contact.uid))
            condition = ({"If-Match": entry["etag"]} if entry and entry.get("etag")
                         else {"If-None-Match": "*"})
            if dry_run:
                (report.updated if entry else report.created).append(contact.uid)
                continue
            status, etag = _put(href, body, headers | condition, timeout)
            if status in (200, 201, 204):
                if not etag:
                    etag = _fetch_etag(href, headers, timeout)
                known[contact.uid] = {"href": href, "etag": etag, "sha256": digest}
                (report.updated if entry else report.created).append(contact.uid)
            elif status == 412:
                report.conflicts.append(contact.uid)
            elif status in (401, 403):
                raise ExportError(f"the server refused the credentials ({status}) at {url}")
            elif status in (404, 405, 409) and not report.created and not report.updated:
                raise AddressBookNotFound(f"no CardDAV address book at {url} (HTTP {status}); "
                                          "create it first in the server's web interface")
            else:
                report.failed.append((contact.uid, f"HTTP {status}"))
    finally:
        if not dry_run:
            Path(state_dir).mkdir(parents=True, exist_ok=True)
            atomic_write(_state_file(state_dir),
                         json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))
    return report


def _dav_name(uid: str) -> str:
    safe = uid if re.fullmatch(r"[A-Za-z0-9@._+-]{1,200}", uid) else hashlib.sha1(
        uid.encode()).hexdigest()
    return f"{safe}.vcf"


def _put(href: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(href, data=body, headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("ETag", "")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        reason = getattr(reason, "strerror", None) or reason
        host = urlsplit(href).netloc
        raise ExportError(f"cannot reach the CardDAV server {host}: {reason}") from exc


def _fetch_etag(href: str, headers: dict[str, str], timeout: float) -> str:
    plain = {k: v for k, v in headers.items() if k != "Content-Type"}
    request = urllib.request.Request(href, headers=plain, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.headers.get("ETag", "")
    except (urllib.error.URLError, OSError):
        return ""
