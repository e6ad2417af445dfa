"""The annotation prompt: where we met, what they need, how I can help.

`run_session` walks the contacts that have no annotations yet (newest scan first),
shows what was read from each card, lets the user correct any field and asks the
relationship questions. Every answer is written to the book the moment it is
given, so Ctrl-C or a closed terminal loses at most the answer being typed, and a
new session resumes at the first card not finished (``annotations.annotated_at``).

Input protocol (the same in every question): Enter keeps the value in brackets;
a single character alone on the line is a command (``s`` skip, ``b`` back, ``q``
quit, ``o`` open photo, ``e`` edit fields, ``?`` help, ``-`` clear); a line that
starts with a backslash is taken literally without it (``\\s`` answers "s").

`parse_follow_up` and `batch_annotations` serve the non-interactive scan flags.
"""

from __future__ import annotations

import builtins
import copy
import os
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cardscan.i18n import format_date, normalize_lang, t
from cardscan.models import (
    Address,
    Annotations,
    Contact,
    Email,
    Phone,
    PhoneType,
    Website,
    utc_now,
)
from cardscan.text import fold, social_kind

if TYPE_CHECKING:
    from rich.console import Console

    from cardscan.store import Book

#: The relationship questions, in the order they are asked.
QUESTIONS = ("met_at", "needs", "offer", "tags", "follow_up")
#: Fields the user can correct, in menu order (attribute names of Contact, also
#: the names recorded in Contact.user_edited).
EDITABLE = ("name", "title", "department", "org", "phones", "emails", "websites", "address")
COMMANDS = frozenset("sbqoeg?")
LOW_MARK = "⚠"

InputFn = Callable[[str], str]


# ---------------------------------------------------------------- follow-up dates

_SHORTHAND = re.compile(r"^\+(\d{1,4})([dwsmya]?)$")
_SHORTHAND_UNITS = {"d": "days", "w": "weeks", "s": "weeks", "m": "months", "y": "years", "a": "years"}
_WEEKDAYS = {
    "monday": 0, "mon": 0, "lunes": 0, "lun": 0,
    "tuesday": 1, "tue": 1, "tues": 1, "martes": 1,
    "wednesday": 2, "wed": 2, "miercoles": 2, "mie": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "jueves": 3, "jue": 3,
    "friday": 4, "fri": 4, "viernes": 4, "vie": 4,
    "saturday": 5, "sat": 5, "sabado": 5, "sab": 5,
    "sunday": 6, "sun": 6, "domingo": 6, "dom": 6,
}  # fmt: skip
# Words around a weekday that do not change its meaning ("next friday" = the coming one).
_WEEKDAY_NOISE = {"next", "this", "on", "coming", "el", "la", "este", "esta", "proximo",
                  "proxima", "que", "viene", "entrante"}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "doce": 12,
}  # fmt: skip
_PHRASES = {
    "today": "+0d", "hoy": "+0d", "tomorrow": "+1d", "manana": "+1d",
    "pasado manana": "+2d", "day after tomorrow": "+2d",
    "next week": "+1w", "la semana que viene": "+1w", "la proxima semana": "+1w",
    "semana que viene": "+1w", "proxima semana": "+1w",
    "next month": "+1m", "el mes que viene": "+1m", "el proximo mes": "+1m",
    "mes que viene": "+1m", "proximo mes": "+1m",
}  # fmt: skip
_UNIT_WORDS = {
    "day": "d", "days": "d", "dia": "d", "dias": "d",
    "week": "w", "weeks": "w", "semana": "w", "semanas": "w",
    "month": "m", "months": "m", "mes": "m", "meses": "m",
    "year": "y", "years": "y", "ano": "y", "anos": "y",
}  # fmt: skip
_RELATIVE = re.compile(r"^(?:in|within|en|dentro de)?\s*(\w+)\s+([a-z]+)$")


def _add_months(day: date, months: int) -> date:
    """`day` plus `months`, clamped to the end of shorter months (31 Jan + 1m = 28/29 Feb)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift(today: date, amount: int, unit: str) -> date:
    kind = _SHORTHAND_UNITS[unit]
    if kind == "days":
        return today + timedelta(days=amount)
    if kind == "weeks":
        return today + timedelta(weeks=amount)
    if kind == "months":
        return _add_months(today, amount)
    return _add_months(today, 12 * amount)


def _own_rules(folded: str, today: date) -> date | None:
    """The forms handled without dateparser: +Nd/w/m/y, named days, 'in N weeks'."""
    folded = _PHRASES.get(folded, folded)
    match = _SHORTHAND.match(folded.replace(" ", "")) if folded.startswith("+") else None
    if match:
        return _shift(today, int(match.group(1)), match.group(2) or "d")
    words = [w for w in folded.replace(",", " ").split() if w not in _WEEKDAY_NOISE]
    if len(words) == 1 and words[0] in _WEEKDAYS:
        ahead = (_WEEKDAYS[words[0]] - today.weekday() - 1) % 7 + 1  # 1..7: never today
        return today + timedelta(days=ahead)
    match = _RELATIVE.match(folded)
    if match and match.group(2) in _UNIT_WORDS:
        raw = match.group(1)
        amount = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
        if amount is not None:
            return _shift(today, amount, _UNIT_WORDS[match.group(2)])
    return None


def _with_dateparser(text: str, today: date, lang: str) -> date | None:
    import dateparser

    languages = ["es", "en"] if lang == "es" else ["en", "es"]
    settings: Any = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
        "DATE_ORDER": "DMY" if lang == "es" else "MDY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=languages, settings=settings)
    return parsed.date() if parsed else None


def parse_follow_up(text: str, today: date, lang: str = "en") -> date:
    """A follow-up date from what the user typed, never in the past.

    Accepts ISO dates (2026-12-01), shorthand (+3d, +2w / +2s, +1m, +1y), named days
    (tomorrow / mañana, friday, next friday / el próximo viernes: always the coming
    one, never today), "in 2 weeks" / "en 2 semanas" and whatever dateparser reads
    in Spanish or English, preferring future dates. Raises ValueError with a message
    in `lang` for text that is not a date or a date before `today`.
    """
    lang = normalize_lang(lang)
    raw = text.strip()
    if not raw:
        raise ValueError(t(lang, "follow_up_garbage", text=text))
    result: date | None
    try:
        result = date.fromisoformat(raw)
    except ValueError:
        result = _own_rules(fold(raw, squeeze=True), today) or _with_dateparser(raw, today, lang)
    if result is None:
        raise ValueError(t(lang, "follow_up_garbage", text=raw))
    if result < today:
        raise ValueError(t(lang, "follow_up_past", date=result.isoformat()))
    return result


_EVERY = re.compile(r"(?:^|\s)(?:every|each|cada)\s+(.+)$")


def parse_follow_up_and_every(text: str, today: date, lang: str = "en") -> tuple[date, str]:
    """The follow-up question's answer: a date, a keep-in-touch period, or both.

    '2026-04-01', '+2w' give a date alone; 'every 3m' / 'cada 6 semanas' keep in touch
    (the first follow-up one period from today); '2026-04-01 every 3m' both. Returns
    (date, ISO period or ''); ValueError with a message in `lang` otherwise.
    """
    from cardscan.network.history import add_period, parse_every

    folded = fold(text, squeeze=True)
    match = _EVERY.search(folded)
    if match is None:
        return parse_follow_up(text, today, lang), ""
    try:
        every = parse_every(match.group(1))
    except ValueError:
        raise ValueError(t(lang, "every_garbage", text=match.group(1))) from None
    first = folded[: match.start()].strip()
    if first:
        return parse_follow_up(first, today, lang), every
    if not every:
        raise ValueError(t(lang, "every_garbage", text=match.group(1)))
    return add_period(today, every), every


# ---------------------------------------------------------------- your own card


#: The questions of `cardscan me --set`, in order (Contact attributes or annotations.offer).
OWN_CARD_FIELDS = ("given", "family", "title", "org", "phones", "emails", "websites", "offer")


def ask_own_card(contact: Contact, lang: str, *, input_fn: InputFn | None = None,
                 output: TextIO | None = None, region: str = "ES") -> Contact:
    """`cardscan me --set`: ask for each field of the user's own card (Enter keeps the value
    in brackets, - clears it); phones, e-mails and web addresses are checked and asked
    again when wrong. Returns the edited copy; nothing is saved here."""
    lang = normalize_lang(lang)
    card = copy.deepcopy(contact)
    ask = input_fn or builtins.input
    console = make_console(output)

    def say(text: str, style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False)

    def current(key: str) -> str:
        if key in ("given", "family"):
            return getattr(card.name, key)
        if key == "offer":
            return card.annotations.offer
        return _field_text(card, key) if key in ("phones", "emails", "websites") else getattr(card, key)

    say(t(lang, "me_start"), style="dim")
    for key in OWN_CARD_FIELDS:
        while True:
            shown = current(key)
            try:
                typed = ask(f"{t(lang, f'me_{key}')}{f' [{shown}]' if shown else ''} › ").strip()
            except EOFError:
                return card
            if not typed:
                break
            value = "" if typed == "-" else (typed[1:].strip() if typed.startswith("\\") else typed)
            try:
                if key in ("given", "family"):
                    setattr(card.name, key, value)
                elif key == "offer":
                    card.annotations.offer = value
                elif key == "phones":
                    card.phones = parse_phones(value, card_region(card, region), card.phones)
                elif key == "emails":
                    card.emails = parse_emails(value)
                elif key == "websites":
                    card.websites = parse_websites(value, card.websites)
                else:
                    setattr(card, key, value)
            except ValueError as exc:
                bad = exc.args[0] if exc.args else value
                message = {"phones": "bad_phone", "emails": "bad_email"}.get(key, "bad_url")
                reason = exc.args[1] if len(exc.args) > 1 else ""
                say(t(lang, message, value=bad, reason=reason), style="red")
                continue
            break
    card.user_edited |= {"name", "title", "org", "phones", "emails", "websites"}
    return card


# ---------------------------------------------------------------- batch (scan flags)


def split_tags(values: Iterable[str] | str | None) -> list[str]:
    """'evento, Madrid' / ['evento', '#madrid'] -> ['evento', 'madrid'] without duplicates.

    Typed in the prompt or given as `--tag`, terminal escapes and control characters go.
    """
    from cardscan.vcard import clean_text

    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        for piece in re.split(r"[,;]", clean_text(value)):
            tag = piece.strip().lstrip("#").strip()
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    return tags


def batch_annotations(
    met_at: str | None = None,
    needs: str | None = None,
    offer: str | None = None,
    tags: Iterable[str] | str | None = None,
    follow_up: str | date | None = None,
    today: date | None = None,
    lang: str | None = None,
) -> Annotations:
    """The annotations that `scan --met-at/--needs/--offer/--tag/--follow-up` give every card.

    `annotated_at` stays unset: the cards still come up in `cardscan annotate`, with
    these answers as defaults. The follow-up date is read in `lang` first (it decides
    1/12 = 1 December in Spanish), then in the other language; ValueError when neither
    reads it or it is in the past.
    """
    today = today or date.today()
    when: date | None
    if isinstance(follow_up, date):
        when = follow_up
    elif follow_up and follow_up.strip():
        first = normalize_lang(lang)
        try:
            when = parse_follow_up(follow_up, today, first)
        except ValueError as in_first:
            try:
                when = parse_follow_up(follow_up, today, "es" if first == "en" else "en")
            except ValueError:
                raise in_first from None  # the message in the user's language
    else:
        when = None
    return Annotations(
        met_at=(met_at or "").strip(),
        needs=(needs or "").strip(),
        offer=(offer or "").strip(),
        tags=split_tags(tags),
        follow_up=when,
    )


# ---------------------------------------------------------------- which cards


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _scan_time(contact: Contact) -> datetime:
    """When the contact was last scanned; its REV when no scan time is recorded."""
    times = [_aware(s.scanned_at) for s in contact.sources if s.scanned_at]
    return max(times) if times else _aware(contact.rev)


def is_pending(contact: Contact, include_skipped: bool = False) -> bool:
    """True when the prompt still has to ask about this contact."""
    notes = contact.annotations
    if notes.annotated_at is not None:
        return False
    return include_skipped or not notes.skipped


def pending_contacts(
    book: Book, *, only_uids: Iterable[str] | None = None, include_skipped: bool = False
) -> list[Contact]:
    """The contacts still to annotate, newest scan first (stable, so a session resumes)."""
    wanted = set(only_uids) if only_uids is not None else None
    found = [
        c for c in book.contacts()
        if is_pending(c, include_skipped) and (wanted is None or c.uid in wanted)
    ]
    found.sort(key=lambda c: c.uid)
    found.sort(key=_scan_time, reverse=True)
    return found


def can_prompt() -> bool:
    """True when standard input is a terminal, so asking questions cannot block a script."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- opening the photo


def photo_path(contact: Contact) -> Path | None:
    """The photo the contact was last scanned from, when recorded."""
    if not contact.sources:
        return None
    source = contact.sources[-1]
    if source.path:
        return Path(source.path)
    return Path(source.file) if source.file else None


def open_photo(path: Path | None, lang: str) -> tuple[bool, str]:
    """Open `path` in the system image viewer, in the background. Returns (ok, message)."""
    if path is None:
        return False, t(lang, "no_photo_path")
    if not path.is_file():
        return False, t(lang, "photo_missing", path=path)
    if sys.platform == "win32":
        try:
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        except OSError as exc:
            return False, t(lang, "no_viewer", reason=exc, path=path)
        return True, t(lang, "opening_photo", name=path.name)
    if sys.platform == "darwin":
        command = ["open", str(path)]
    else:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False, t(lang, "no_viewer", reason=t(lang, "no_display"), path=path)
        opener = shutil.which("xdg-open")
        if opener is None:
            return False, t(lang, "no_viewer", reason=t(lang, "no_xdg_open"), path=path)
        command = [opener, str(path)]
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError as exc:
        reason = t(lang, "viewer_failed", command=command[0], error=exc)
        return False, t(lang, "no_viewer", reason=reason, path=path)
    # Reap the viewer launcher when it exits, without making the prompt wait for it.
    threading.Thread(target=process.wait, daemon=True).start()
    return True, t(lang, "opening_photo", name=path.name)


# ---------------------------------------------------------------- field corrections


def parse_phones(text: str, region: str, previous: list[Phone]) -> list[Phone]:
    """Comma-separated numbers -> Phones in E.164; raises ValueError naming the bad one."""
    import phonenumbers

    from cardscan.parse.phones import type_from_number

    known = {p.number: p for p in previous}
    phones: list[Phone] = []
    for piece in re.split(r"[,;]", text):
        printed = piece.strip()
        if not printed:
            continue
        try:
            number = phonenumbers.parse(printed, region)
        except phonenumbers.NumberParseException as exc:
            raise ValueError(printed) from exc
        if not phonenumbers.is_possible_number(number):
            raise ValueError(printed)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        kept = known.get(e164)
        kind = kept.type if kept else type_from_number(number)
        phones.append(Phone(e164, kind, printed=kept.printed if kept else printed, confidence=1.0))
    return phones


def parse_emails(text: str) -> list[Email]:
    """Comma-separated addresses -> Emails; raises ValueError((address, reason))."""
    from email_validator import EmailNotValidError, validate_email

    emails = []
    for piece in re.split(r"[,;\s]+", text):
        if not piece:
            continue
        try:
            checked = validate_email(piece, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(piece, str(exc)) from exc
        emails.append(Email(checked.normalized, confidence=1.0))
    return emails


def parse_websites(text: str, previous: list[Website]) -> list[Website]:
    """Comma-separated addresses -> absolute URLs; raises ValueError naming the bad one."""
    from urllib.parse import urlsplit

    known = {w.url: w for w in previous}
    sites = []
    for piece in re.split(r"[,;\s]+", text):
        if not piece:
            continue
        url = piece if re.match(r"^[a-z][a-z0-9+.-]*://", piece, re.I) else f"https://{piece}"
        host = (urlsplit(url).hostname or "").lower()
        if "." not in host or host.startswith(".") or host.endswith("."):
            raise ValueError(piece)
        bare = host.removeprefix("www.")
        kind = known[url].kind if url in known else social_kind(bare)
        sites.append(Website(url, kind=kind, confidence=1.0))
    return sites


def _country_code(country: str) -> str:
    import pycountry

    try:
        return str(pycountry.countries.lookup(country.strip()).alpha_2)
    except LookupError:
        return ""


# ---------------------------------------------------------------- the session


@dataclass
class SessionSummary:
    """What one prompt session did."""

    annotated: int = 0  # cards finished (all questions answered)
    skipped: int = 0
    corrected_fields: int = 0
    remaining: int = 0  # cards still pending (not skipped) when the session ended
    quit: bool = False  # the user typed q (or closed input) before the end
    annotated_uids: list[str] = field(default_factory=list)


class _Back(Exception):
    """The user typed b at the first question of a card."""


class _Quit(Exception):
    """The user typed q, or input ended."""


class _Skip(Exception):
    """The user typed s."""


def classify(line: str) -> tuple[str, str]:
    """What a typed line means: ('keep', ''), ('clear', ''), ('command', 'b') or ('answer', text)."""
    text = line.strip()
    if not text:
        return "keep", ""
    if text == "-":
        return "clear", ""
    if len(text) == 1 and text.lower() in COMMANDS:
        return "command", text.lower()
    if text.startswith("\\"):
        return "answer", text[1:].strip()
    return "answer", text


class _Readline:
    """Line editing, history, prefilled values and Tab completion, when readline exists."""

    def __init__(self) -> None:
        try:
            import readline
        except ImportError:  # Windows without pyreadline: plain input()
            self.module: Any = None
            return
        self.module = readline
        self.candidates: list[str] = []
        readline.set_completer(self._complete)
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")

    def _complete(self, text: str, state: int) -> str | None:
        stripped = text.lstrip()
        lead = text[: len(text) - len(stripped)]
        folded = stripped.casefold()
        matches = [lead + c for c in self.candidates if c.casefold().startswith(folded)]
        return matches[state] if state < len(matches) else None

    def offer(self, candidates: list[str], delimiters: str) -> None:
        if self.module is not None:
            self.candidates = candidates
            self.module.set_completer_delims(delimiters)

    def ask(self, input_fn: InputFn, prompt: str, prefill: str = "") -> str:
        if self.module is None or not prefill:
            return input_fn(prompt)
        readline = self.module

        def insert() -> None:
            readline.insert_text(prefill)
            readline.redisplay()

        hook = getattr(readline, "set_pre_input_hook", None) or readline.set_startup_hook
        hook(insert)
        try:
            return input_fn(prompt)
        finally:
            hook(None)


class Session:
    """One run of the prompt over a list of contacts."""

    def __init__(self, book: Book, lang: str, *, input_fn: InputFn, console: Console,
                 region: str, today: date, rich_prompt: bool) -> None:
        self.book = book
        self.lang = normalize_lang(lang)
        self.input_fn = input_fn
        self.console = console
        self.region = region
        self.today = today
        self.summary = SessionSummary()
        # Prefill and completion only make sense with the real input() on a terminal.
        self.readline = _Readline() if rich_prompt else None
        self.colour = rich_prompt and console.color_system is not None
        self.previous_met_at = ""
        self.previous_tags: list[str] = []
        #: each contact as last read from the book (by file): what a save compares against
        self.read: dict[str, Contact] = {}
        self.known_places: list[str] = []
        self.known_tags: list[str] = []

    # ------------------------------------------------------------ output helpers

    def say(self, text: str, style: str | None = None) -> None:
        self.console.print(text, style=style, markup=False, highlight=False)

    def _prompt(self, question: str, default: str) -> str:
        """One prompt line: 'Question [default] › ', coloured only for a readline terminal."""
        shown = f" [{default}]" if default else ""
        if not self.colour or self.readline is None or self.readline.module is None:
            return f"{question}{shown} › "

        def esc(code: str) -> str:  # \001..\002 tell readline these bytes take no columns
            return f"\001\033[{code}m\002"

        dim = f" {esc('2')}[{default}]{esc('0')}" if default else ""
        return f"{esc('1')}{question}{esc('0')}{dim} {esc('36')}›{esc('0')} "

    def ask(self, question: str, default: str = "", prefill: str = "") -> str:
        """Read one line; EOF (Ctrl-D, closed input) means quit."""
        can_prefill = self.readline is not None and self.readline.module is not None
        prompt = self._prompt(question, "" if prefill and can_prefill else default)
        try:
            if self.readline is not None:
                return self.readline.ask(self.input_fn, prompt, prefill)
            return self.input_fn(prompt)
        except EOFError:
            self.say("")
            raise _Quit from None

    def save(self, contact: Contact) -> None:
        """Write what the session changed on `contact`, keeping what others wrote meanwhile.

        A compare-and-set per field (`merge.apply_changes`): the contact is re-read inside
        the book's lock and only the fields this session changed since it read them are
        written, so a scan adding a phone or an answer (`--met-at`, `--tag`), or a second
        `annotate`, while the prompt waits loses nothing; pressing Enter on a stale empty
        default writes nothing. When both changed one field the user is told, in one line.
        The session's copy is then refreshed with the stored one.
        """
        from cardscan.errors import NotFoundError
        from cardscan.merge import apply_changes

        key = contact.book_ref or contact.uid
        base = self.read.get(key) or copy.deepcopy(contact)
        conflicts: list[tuple[str, str]] = []

        def change(stored: Contact) -> None:
            conflicts[:] = apply_changes(base, contact, stored)

        try:
            stored = self.book.update(contact, change)
        except NotFoundError:  # removed from the book meanwhile: what was typed is kept
            contact.rev = utc_now()
            self.book.save(contact)
            self.read[key] = copy.deepcopy(contact)
            return
        for name, theirs in conflicts:
            self.say(t(self.lang, "changed_meanwhile", field=name, value=theirs or "-"),
                     style="yellow")
        contact.__dict__.update(stored.__dict__)
        self.read[key] = copy.deepcopy(stored)

    # ------------------------------------------------------------ the card panel

    def show_card(self, contact: Contact, index: int, total: int) -> None:
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        low = set(contact.low_confidence_fields())
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        any_low = False

        def row(key: str, values: list[tuple[str, bool]]) -> None:
            nonlocal any_low
            if not values:
                return
            text = Text()
            for i, (value, is_low) in enumerate(values):
                if i:
                    text.append("\n")
                if is_low:
                    any_low = True
                    text.append(f"{value}  {LOW_MARK} {t(self.lang, 'check')}", style="bold yellow")
                else:
                    text.append(value)
            grid.add_row(t(self.lang, f"f_{key}"), text)

        def scalar(key: str, value: str) -> None:
            row(key, [(value, key in low)] if value else [])

        scalar("name", contact.name.full)
        scalar("title", contact.title)
        scalar("department", contact.department)
        scalar("org", contact.org)
        row("phones", [(_phone_label(p, self.lang), f"phone:{p.number}" in low) for p in contact.phones])
        row("emails", [(e.address, f"email:{e.address}" in low) for e in contact.emails])
        row("websites", [(w.url, f"url:{w.url}" in low) for w in contact.websites])
        scalar("address", _address_line(contact.address))
        path = photo_path(contact)
        photo = path.name if path else t(self.lang, "no_photo")
        title = f"{t(self.lang, 'card_title', index=index, total=total)} · {contact.display_name}"
        subtitle = f"{t(self.lang, 'photo')}: {photo}"
        self.console.print()
        self.console.print(Panel(grid, title=Text(title, style="bold"), title_align="left",
                                 subtitle=Text(subtitle), subtitle_align="left",
                                 border_style="yellow" if any_low else "cyan", expand=False))
        if any_low:
            self.say(t(self.lang, "low_confidence_hint", mark=LOW_MARK), style="yellow")

    # ------------------------------------------------------------ corrections

    def edit_menu(self, contact: Contact) -> None:
        """Let the user correct fields until they press Enter on the menu."""
        while True:
            for number, key in enumerate(EDITABLE, start=1):
                self.say(f"  {number}  {t(self.lang, f'f_{key}'):<16} {_field_text(contact, key)}")
            kind, value = classify(self.ask(t(self.lang, "edit_menu")))
            if kind == "command" and value == "q":
                raise _Quit
            if kind == "keep" or (kind == "command" and value == "b"):
                return
            if kind == "command" and value == "?":
                self.say(t(self.lang, "help"))
                continue
            if kind == "command" and value == "o":
                self.open(contact)
                continue
            choice = value.strip().lower()
            key = next((k for k in EDITABLE if choice and t(self.lang, f"f_{k}").lower()
                        .startswith(choice)), None) if not choice.isdigit() else None
            if choice.isdigit() and 1 <= int(choice) <= len(EDITABLE):
                key = EDITABLE[int(choice) - 1]
            if key is None:
                self.say(t(self.lang, "bad_choice", choice=value), style="red")
                continue
            self.say(t(self.lang, "edit_hint"), style="dim")
            if self.edit_field(contact, key):
                contact.user_edited.add(key)
                if key in ("name", "title", "department", "org", "address"):
                    contact.confidence[key] = 1.0
                self.save(contact)
                self.summary.corrected_fields += 1
                self.say(t(self.lang, "edited", field=t(self.lang, f"f_{key}")), style="green")

    def _edit_text(self, label: str, current: str) -> str:
        """Ask for a new value of one text, prefilled; returns it (unchanged on Enter)."""
        text = self.ask(label, default=current, prefill=current).strip()
        if not text:
            return current
        if text == "-":
            return ""
        # Commands do not apply here: a lone letter is a value (an initial); \ still escapes.
        return text[1:].strip() if text.startswith("\\") else text

    def edit_field(self, contact: Contact, key: str) -> bool:
        """Correct one field; returns True when it changed."""
        label = t(self.lang, f"f_{key}")
        if key == "name":
            name = contact.name
            before = (name.given, name.family)
            name.given = self._edit_text(t(self.lang, "f_given"), name.given)
            name.family = self._edit_text(t(self.lang, "f_family"), name.family)
            if (name.given, name.family) != before:
                name.confidence = 1.0
                return True
            return False
        if key in ("title", "department", "org"):
            before = getattr(contact, key)
            setattr(contact, key, self._edit_text(label, before))
            return getattr(contact, key) != before
        if key == "address":
            address = contact.address
            before_address = Address(**vars(address))
            for part in ("street", "city", "postal_code", "region", "country"):
                setattr(address, part, self._edit_text(t(self.lang, f"f_{part}"), getattr(address, part)))
            if address.country != before_address.country:
                address.country_code = _country_code(address.country) if address.country else ""
            if vars(address) != vars(before_address):
                address.printed = ""
                address.confidence = 1.0
                return True
            return False
        return self._edit_list(contact, key, label)

    def _edit_list(self, contact: Contact, key: str, label: str) -> bool:
        self.say(t(self.lang, "edit_list_hint"), style="dim")
        current = _field_text(contact, key)
        while True:
            text = self._edit_text(label, current)
            if text == current:
                return False
            try:
                if key == "phones":
                    contact.phones = parse_phones(text, card_region(contact, self.region),
                                                  contact.phones)
                elif key == "emails":
                    contact.emails = parse_emails(text)
                else:
                    contact.websites = parse_websites(text, contact.websites)
                return True
            except ValueError as exc:
                bad = exc.args[0] if exc.args else text
                if key == "phones":
                    self.say(t(self.lang, "bad_phone", value=bad), style="red")
                elif key == "emails":
                    reason = exc.args[1] if len(exc.args) > 1 else ""
                    self.say(t(self.lang, "bad_email", value=bad, reason=reason), style="red")
                else:
                    self.say(t(self.lang, "bad_url", value=bad), style="red")
                current = text  # let the user fix what they typed, not retype it

    def open(self, contact: Contact) -> None:
        ok, message = open_photo(photo_path(contact), self.lang)
        self.say(message, style="dim" if ok else "yellow")

    # ------------------------------------------------------------ questions

    def default_for(self, contact: Contact, question: str) -> str:
        notes = contact.annotations
        if question == "met_at":
            return notes.met_at or self.previous_met_at
        if question == "tags":
            return ", ".join(notes.tags or self.previous_tags)
        if question == "follow_up":
            shown = notes.follow_up.isoformat() if notes.follow_up else ""
            if notes.every:
                from cardscan.network.history import describe_period

                shown = f"{shown} {describe_period(notes.every, self.lang)}".strip()
            return shown
        return str(getattr(notes, question))

    def answer(self, contact: Contact, question: str, kind: str, text: str) -> bool:
        """Store one answer on the contact; False (after a message) when it is not valid."""
        notes = contact.annotations
        value = self.default_for(contact, question) if kind == "keep" else text
        if question == "follow_up":
            if not value:
                notes.follow_up = None
                notes.every = ""
                return True
            if kind == "keep" and (notes.follow_up is not None or notes.every):
                return True  # the saved date stays even if it has passed since
            try:
                when, every = parse_follow_up_and_every(value, self.today, self.lang)
            except ValueError as exc:
                self.say(str(exc), style="red")
                return False
            notes.follow_up, notes.every = when, every
            self.say(t(self.lang, "follow_up_is", date=format_date(notes.follow_up, self.lang)),
                     style="green")
            if every:
                from cardscan.network.history import describe_period

                self.say(t(self.lang, "every_is", every=describe_period(every, self.lang)),
                         style="green")
            return True
        if question == "tags":
            notes.tags = split_tags(value)
            self.previous_tags = list(notes.tags)
            return True
        setattr(notes, question, value)
        if question == "met_at":
            self.previous_met_at = value
        return True

    def card(self, contact: Contact, index: int, total: int, start: int) -> None:
        """Ask the questions of one card from question `start`; raises _Back/_Skip/_Quit."""
        self.show_card(contact, index, total)
        step = start
        while step < len(QUESTIONS):
            question = QUESTIONS[step]
            self.offer_completions(question)
            default = self.default_for(contact, question)
            kind, text = classify(self.ask(t(self.lang, f"q_{question}"), default))
            if kind == "command":
                if text == "?":
                    self.say(t(self.lang, "help"))
                elif text == "o":
                    self.open(contact)
                elif text == "e":
                    self.edit_menu(contact)
                    self.show_card(contact, index, total)
                elif text == "g":
                    self.record_gift(contact)
                elif text == "s":
                    raise _Skip
                elif text == "q":
                    raise _Quit
                elif text == "b":
                    if step == 0:
                        raise _Back
                    step -= 1
                continue
            if self.answer(contact, question, kind, text):
                self.save(contact)
                step += 1
        contact.annotations.annotated_at = utc_now()
        contact.annotations.skipped = False
        self.save(contact)
        self.say(t(self.lang, "saved_card"), style="green")

    def record_gift(self, contact: Contact) -> None:
        """The g key: what you gave this contact, as a dated entry of their history."""
        from cardscan.network.history import gave

        kind, text = classify(self.ask(t(self.lang, "q_gave")))
        if kind == "command" and text == "q":
            raise _Quit
        if kind != "answer" or not text.strip():
            return  # Enter, - or another key: nothing recorded
        entry = gave(contact, text, self.today)
        self.save(contact)
        self.say(t(self.lang, "gave_saved", text=entry.text, date=format_date(entry.day, self.lang)),
                 style="green")

    def offer_completions(self, question: str) -> None:
        if self.readline is None:
            return
        if question == "met_at":
            self.readline.offer(self.known_places, "")
        elif question == "tags":
            self.readline.offer(self.known_tags, ",")
        else:
            self.readline.offer([], "")

    def learn_from_book(self, contacts: list[Contact]) -> None:
        """Defaults and completions from earlier sessions: the last place, the tags in use."""
        places: Counter[str] = Counter()
        tags: Counter[str] = Counter()
        latest: tuple[datetime, Annotations] | None = None
        for contact in contacts:
            notes = contact.annotations
            if notes.met_at:
                places[notes.met_at] += 1
            tags.update(notes.tags)
            if notes.annotated_at and (latest is None or _aware(notes.annotated_at) > latest[0]):
                latest = (_aware(notes.annotated_at), notes)
        self.known_places = [p for p, _ in places.most_common()]
        self.known_tags = [tag for tag, _ in tags.most_common()]
        if latest is not None:
            self.previous_met_at = latest[1].met_at
            self.previous_tags = list(latest[1].tags)

    def run(self, cards: list[Contact]) -> SessionSummary:
        total = len(cards)
        self.read = {c.book_ref or c.uid: copy.deepcopy(c) for c in cards}
        self.say(t(self.lang, "session_start", count=total), style="dim")
        index, start = 0, 0
        while index < total:
            contact = cards[index]
            try:
                self.card(contact, index + 1, total, start)
                if contact.uid not in self.summary.annotated_uids:
                    self.summary.annotated_uids.append(contact.uid)
                index, start = index + 1, 0
            except _Skip:
                contact.annotations.skipped = True
                self.save(contact)
                self.summary.skipped += 1
                self.say(t(self.lang, "skipped_card"), style="dim")
                index, start = index + 1, 0
            except _Back:
                if index == 0:
                    self.say(t(self.lang, "back_at_start"), style="yellow")
                    start = 0
                    continue
                index -= 1
                previous = cards[index]
                if previous.annotations.skipped:
                    self.summary.skipped -= 1
                    previous.annotations.skipped = False
                    self.save(previous)
                    start = 0
                else:
                    start = len(QUESTIONS) - 1
            except _Quit:
                self.summary.quit = True
                break
        self.summary.annotated = len(self.summary.annotated_uids)
        return self.summary


def _phone_label(phone: Phone, lang: str = "en") -> str:
    kind = phone.type.value if isinstance(phone.type, PhoneType) else str(phone.type)
    return f"{_pretty_phone(phone.number)} ({t(lang, f'phone_{kind}')})"


def card_region(contact: Contact, fallback: str) -> str:
    """The country to read numbers typed without +CC on this card: the card's own.

    Taken from the numbers already on the card (E.164 carries the country), else the
    address's country, else `fallback` (the --region setting): correcting an Argentine
    card, "11 4955 1521" is read as a Buenos Aires number even when the region is ES.
    """
    import phonenumbers

    for phone in contact.phones:
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(phone.number, None))
        except phonenumbers.NumberParseException:
            continue
        if region and region != "001":
            return str(region)
    code = contact.address.country_code.upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    return fallback


def _pretty_phone(e164: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _address_line(address: Address) -> str:
    city = " ".join(p for p in (address.postal_code, address.city) if p)
    return ", ".join(p for p in (address.street, city, address.region, address.country) if p)


def _field_text(contact: Contact, key: str) -> str:
    """A field as one editable line."""
    if key == "name":
        return contact.name.full
    if key == "phones":
        return ", ".join(_pretty_phone(p.number) for p in contact.phones)
    if key == "emails":
        return ", ".join(e.address for e in contact.emails)
    if key == "websites":
        return ", ".join(w.url for w in contact.websites)
    if key == "address":
        return _address_line(contact.address)
    return str(getattr(contact, key))


def make_console(output: TextIO | None = None) -> Console:
    """A Rich console: colours only on a terminal and when NO_COLOR is not set."""
    from rich.console import Console

    stream = output if output is not None else sys.stdout
    no_color = bool(os.environ.get("NO_COLOR")) or not _isatty(stream)
    return Console(file=stream, no_color=no_color, highlight=False, soft_wrap=False,
                   emoji=False)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run_session(
    book: Book,
    ui_lang: str,
    *,
    only_uids: Iterable[str] | None = None,
    include_skipped: bool = False,
    input: InputFn | None = None,
    output: TextIO | None = None,
    region: str = "ES",
    today: date | None = None,
) -> SessionSummary:
    """Ask about every pending contact in `book`, saving each answer as it is given.

    `input` reads one line given a prompt (default: the builtin, with readline);
    `output` receives the card panels and messages (default: stdout). `only_uids`
    limits the session to those contacts (scan --annotate); skipped contacts come
    back only with `include_skipped`. KeyboardInterrupt propagates after the last
    answer was saved.
    """
    lang = normalize_lang(ui_lang)
    console = make_console(output)
    interactive = input is None and _isatty(sys.stdin) and _isatty(sys.stdout)
    session = Session(book, lang, input_fn=input or builtins.input, console=console,
                      region=region, today=today or date.today(), rich_prompt=interactive)
    everyone = book.contacts()
    session.learn_from_book(everyone)
    cards = pending_contacts(book, only_uids=only_uids, include_skipped=include_skipped)
    if not cards:
        session.say(t(lang, "nothing_to_do"))
        skipped = sum(1 for c in everyone if is_pending(c, True) and not is_pending(c))
        if skipped and not include_skipped:
            session.say(t(lang, "nothing_to_do_skipped", skipped=skipped), style="dim")
        return session.summary
    try:
        summary = session.run(cards)
    except KeyboardInterrupt:
        session.say("")  # end the prompt line before the caller's message
        raise
    summary.remaining = len(pending_contacts(book, only_uids=only_uids))
    if summary.quit:
        session.say(t(lang, "quit_saved", remaining=summary.remaining))
    else:
        session.say(t(lang, "summary", annotated=summary.annotated, skipped=summary.skipped,
                      remaining=summary.remaining))
    return summary


def annotate_after_scan(book: Book, uids: Iterable[str], ui_lang: str, *,
                        region: str = "ES", output: TextIO | None = None) -> SessionSummary | None:
    """`scan --annotate`: the prompt over the cards just scanned; None when stdin is no terminal."""
    uids = list(uids)
    if not can_prompt():
        pending = pending_contacts(book, only_uids=uids)
        # on stderr: stdout holds the scan's table or JSON
        print(t(ui_lang, "scan_not_a_tty", count=len(pending)), file=output or sys.stderr)
        return None
    return run_session(book, ui_lang, only_uids=uids, region=region, output=output)
