"""The command line: a thin click layer over the stages.

Each command parses its options, calls one function of a stage module and prints
the result. `handle_errors` is the one place where exceptions become exit statuses.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cardscan import __version__, config
from cardscan.errors import CardscanError, ExitCode, Incomplete
from cardscan.models import ScanStatus

if TYPE_CHECKING:
    from datetime import date

    from cardscan.batch import CardOutcome
    from cardscan.models import Annotations, Contact
    from cardscan.store import Book

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn cardscan's exceptions into a one-line message and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CardscanError as exc:
            if str(exc):
                click.echo(f"cardscan: {exc}", err=True)
            sys.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            from cardscan.i18n import t

            click.echo(t(_ui_lang_in_force(), "interrupted"), err=True)
            sys.exit(int(ExitCode.INTERRUPTED))

    return wrapper  # type: ignore[return-value]


def _ui_lang_in_force() -> str:
    """The prompt language for a last message, even when the settings cannot be read."""
    click_ctx = click.get_current_context(silent=True)
    obj = click_ctx.find_object(Context) if click_ctx is not None else None
    try:
        return obj.settings.ui_lang if obj is not None else config.ui_lang_from_locale()
    except CardscanError:
        return config.ui_lang_from_locale()


class Context:
    """What every command shares: the settings in force."""

    def __init__(self, book: Path | None, region: str | None, lang: str | None,
                 ui_lang: str | None) -> None:
        self.options = {"book": book, "region": region, "lang": lang, "ui_lang": ui_lang}
        self._settings: config.Settings | None = None
        self.left_out: list[str] = []  # contact files a command could not read

    @property
    def settings(self) -> config.Settings:
        if self._settings is None:
            self._settings = config.load(**self.options)
        return self._settings


pass_ctx = click.make_pass_decorator(Context)


def _setting_callback(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(click_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            obj = click_ctx.find_object(Context)
            if obj is not None:
                obj.options[name] = value
                obj._settings = None  # read again with this option
        return value

    return callback


def book_option(func: F) -> F:
    """`--book DIR` after the command name too: `cardscan annotate --book DIR`."""
    return click.option(  # type: ignore[return-value]
        "--book", type=click.Path(file_okay=False, path_type=Path), default=None,
        expose_value=False, callback=_setting_callback("book"),
        help="Contact book folder (same as the global --book).")(func)


def ui_lang_option(func: F) -> F:
    """`--ui-lang es|en` after the command name too."""
    return click.option(  # type: ignore[return-value]
        "--ui-lang", type=click.Choice(config.UI_LANGS), default=None, expose_value=False,
        callback=_setting_callback("ui_lang"),
        help="Language of the prompt and messages (default: from the locale).")(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cardscan")
@click.option("--book", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Contact book folder (a vdir). Default: from config, else the user data dir.")
@click.option("--region", default=None, metavar="CC",
              help="Country for numbers printed without a country code (ES, MX, US, GB...).")
@click.option("--lang", default=None, help="Tesseract languages, e.g. spa+eng.")
@click.option("--ui-lang", type=click.Choice(config.UI_LANGS), default=None,
              help="Language of the interactive prompt.")
@click.pass_context
def main(ctx: click.Context, book: Path | None, region: str | None, lang: str | None,
         ui_lang: str | None) -> None:
    """cardscan: turn business-card photos into contacts worth having."""
    ctx.obj = Context(book, region, lang, ui_lang)


# Commands are registered by the modules below, each in its own section.
# ------------------------------------------------------------------ doctor


@main.command()
@book_option
@click.option("--fix", is_flag=True, help="Give each contact of a several-contact .vcf its own file.")
@pass_ctx
@handle_errors
def doctor(ctx: Context, fix: bool) -> None:
    """Show Tesseract, its languages, the settings in force and where the book lives."""
    settings = ctx.settings
    if fix:
        from cardscan.store import Book

        for old, new in Book(settings.book).split_files():
            click.echo(f"split         {old} into {', '.join(new)}")
    from cardscan import tesseract

    info = tesseract.probe()
    wanted = settings.lang.split("+")
    missing = [lang for lang in wanted if lang not in info.languages]
    click.echo(f"tesseract     {info.version}")
    click.echo(f"ocr engine    {tesseract.describe_engine()}")
    click.echo(f"languages     {', '.join(info.languages) or '(none)'}")
    click.echo(f"config file   {settings.config_file}"
               f"{'' if settings.config_file.is_file() else ' (not present: built-in defaults)'}")
    for name in ("region", "lang", "ui_lang", "book"):
        click.echo(f"{name:<13} {getattr(settings, name)}  [{settings.origin[name]}]")
    book = settings.book
    count = len(list(book.glob("*.vcf"))) if book.is_dir() else 0
    click.echo(f"contacts      {count} in {book}" + ("" if book.is_dir() else " (not created yet)"))
    if missing:
        tesseract.check_languages(settings.lang)  # raises MissingDependencyError with install hints
    click.echo("ok")
# ------------------------------------------------------------------ scan


@main.command()
@book_option
@click.argument("photos", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Contact book folder for this scan (overrides the global --book).")
@click.option("--region", default=None, metavar="CC", help="Default country for phone numbers.")
@click.option("--lang", default=None, help="Tesseract languages, e.g. spa+eng.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Worker processes (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per card on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
@click.option("--rescan", is_flag=True, help="Scan photos again even if already in the book.")
@click.option("--pair", "pairs", nargs=2, multiple=True, metavar="FRONT BACK",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The front and back of one card: merged into one contact.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write an HTML review page (crops beside the fields read).")
@click.option("--photo", is_flag=True, help="Keep each card's crop as the contact's PHOTO.")
@click.option("--executor", default="local", metavar="local|dask://HOST:PORT",
              help="Where the cards are read: local worker processes or a Dask cluster.")
@click.option("--annotate", is_flag=True, help="Ask about each new card after the scan.")
@click.option("--met-at", default=None, help="Where you met them (whole batch).")
@click.option("--needs", default=None, help="What they need (whole batch).")
@click.option("--offer", default=None, help="How you can help them (whole batch).")
@click.option("--tag", "tags", multiple=True, help="A tag for every card (repeatable).")
@click.option("--follow-up", default=None, metavar="WHEN",
              help="When to follow up, e.g. 2025-07-01 or 'in 2 weeks' (whole batch).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds per card before Tesseract is stopped.")
@pass_ctx
@handle_errors
def scan(ctx: Context, photos: tuple[Path, ...], out: Path | None, region: str | None,
         lang: str | None, jobs: int, as_json: bool, quiet: bool, rescan: bool,
         pairs: tuple[tuple[Path, Path], ...], report: Path | None, photo: bool,
         executor: str, annotate: bool, met_at: str | None, needs: str | None,
         offer: str | None, tags: tuple[str, ...], follow_up: str | None,
         timeout: float) -> None:
    """Scan card photos (files or folders) into the contact book, never prompting.

    Exit status: 0 every photo gave a card (or was scanned before), 4 some
    failed (the others are written), 5 none gave a card, 3 Tesseract or a
    language is missing.
    """
    import json
    from datetime import date

    from cardscan import batch, progress
    from cardscan.store import Book

    overrides = {k: v for k, v in {"book": out, "region": region, "lang": lang}.items() if v}
    settings = config.load(**(ctx.options | overrides)) if overrides else ctx.settings
    if executor != "local":
        batch.dask_address(executor)  # reject a malformed address before any work
    if not photos and not pairs:
        raise click.UsageError("name at least one photo or folder (or --pair FRONT BACK)")
    annotations = None
    if any((met_at, needs, offer, tags, follow_up)):
        from cardscan.annotate import batch_annotations

        try:
            annotations = batch_annotations(met_at, needs, offer, list(tags), follow_up,
                                            date.today(), lang=settings.ui_lang)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--follow-up") from None
    options = batch.ScanOptions(
        region=settings.region, lang=settings.lang, jobs=jobs, rescan=rescan,
        keep_crops=report is not None, photo=photo, timeout=timeout, executor=executor,
        annotations=annotations, pairs=[tuple(p) for p in pairs])
    book = Book(settings.book)
    # the bar is on stderr: it never mixes with the JSON on stdout
    summary = batch.scan(list(photos), options, book, progress=progress.for_terminal(quiet))
    if annotations is not None:
        _annotate_skipped(book, summary.cards, annotations)
    if as_json:
        for card in summary.cards:
            click.echo(json.dumps(batch.outcome_json(card), ensure_ascii=False))
        for failure in summary.failures:
            click.echo(json.dumps(batch.failure_json(failure), ensure_ascii=False))
    elif summary.cards:
        _print_scan_table(summary.cards)
    if report is not None:
        from cardscan.report import write_report

        write_report(summary.cards, summary.failures, report)
    if not quiet:
        _report_merges(book, summary.cards)
        click.echo(f"cardscan: {summary.line()}" + (f"; report: {report}" if report else ""),
                   err=True)
    if annotate:
        from cardscan.annotate import annotate_after_scan

        fresh = (ScanStatus.ADDED, ScanStatus.MERGED)
        new = list(dict.fromkeys(c.uid for c in summary.cards if c.status in fresh))
        if new:
            annotate_after_scan(book, new, settings.ui_lang, region=settings.region)
    if summary.exit_code != ExitCode.OK:
        raise Incomplete(summary.exit_code)  # each failed photo was named on stderr


def _report_merges(book: Book, cards: list[CardOutcome]) -> None:
    """One line per card merged into a contact already in the book, naming that contact."""
    from cardscan.errors import NotFoundError

    for card in cards:
        if card.status != ScanStatus.MERGED:
            continue
        try:
            name = book.get(card.uid).display_name
        except NotFoundError:
            name = card.contact.display_name
        where = card.source.file + (f" (card {card.source.card_index + 1})"
                                    if card.source.card_index else "")
        click.echo(f"cardscan: {where}: merged into {name} ({card.uid[:8]}); "
                   "nothing you typed was changed", err=True)


def _annotate_skipped(book: Book, cards: list[CardOutcome], batch: Annotations) -> None:
    """`--met-at/--tag/...` also reach the cards of photos scanned before (status skipped).

    Only empty answers are filled and tags are added (`merge.apply_batch`): an answer
    typed in the prompt is never replaced by a batch option.
    """
    from cardscan.errors import NotFoundError
    from cardscan.merge import apply_batch

    for uid in dict.fromkeys(c.uid for c in cards if c.status == ScanStatus.SKIPPED):
        try:
            book.update(uid, lambda contact: apply_batch(contact, batch))
        except NotFoundError:
            continue


def _print_scan_table(cards: list[CardOutcome]) -> None:
    """The batch's contacts as a Rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    from cardscan.vcard import printable

    table = Table(show_lines=False)
    for column in ("Status", "Name", "Organisation", "Phone", "Email", "Photo"):
        # never break a phone number or an address in the middle
        table.add_column(column, overflow="fold", no_wrap=column in ("Phone", "Email"))
    for card in cards:
        contact = card.contact
        table.add_row(card.status, contact.display_name if contact.name else "", contact.org,
                      "\n".join(p.number for p in contact.phones),
                      "\n".join(e.address for e in contact.emails), printable(card.source.file))
    # Piped output is not cut to 80 columns: a script may grep the emails.
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)
# ------------------------------------------------------------------ annotate


@main.command()
@book_option
@ui_lang_option
@click.option("--skipped", "include_skipped", is_flag=True,
              help="Also go through the cards skipped earlier with s.")
@click.option("--answers-from-stdin", is_flag=True,
              help="Read the answers from standard input even when it is not a terminal "
                   "(one line per question, same keys as the prompt; end of input saves and quits).")
@pass_ctx
@handle_errors
def annotate(ctx: Context, include_skipped: bool, answers_from_stdin: bool) -> None:
    """Ask where you met each new contact, what they need and how you can help.

    Walks the contacts without annotations, newest scan first. Enter keeps the value
    in [brackets]; a single character alone on the line is a command: e corrects the
    card's fields, o opens its photo, b goes back, s skips, q saves and quits, ? help.
    Type \\s to answer a literal "s". Every answer is saved at once: Ctrl-C loses
    nothing already answered, and the next run resumes at the first unfinished card.
    When standard input is not a terminal nothing is asked (exit status 0) unless
    --answers-from-stdin is given.
    """
    from cardscan import annotate as prompt
    from cardscan.i18n import t
    from cardscan.store import Book

    settings = ctx.settings
    book = Book(settings.book)
    if not answers_from_stdin and not prompt.can_prompt():
        waiting = len(prompt.pending_contacts(book, include_skipped=include_skipped))
        click.echo(t(settings.ui_lang, "not_a_tty", count=waiting), err=True)
        return
    prompt.run_session(book, settings.ui_lang, include_skipped=include_skipped,
                       region=settings.region)
# ------------------------------------------------------------------ network


def _network_book(ctx: Context) -> Book:
    from cardscan import store

    return store.Book(ctx.settings.book)


def _parse_day(text: str) -> date:
    """A date from ISO (2026-03-01) or words dateparser knows (today, ayer, last friday)."""
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        import dateparser

        parsed = dateparser.parse(text, languages=["es", "en"], settings={"PREFER_DATES_FROM": "past"})
        if parsed is None:
            raise click.BadParameter(f"cannot read {text!r} as a date (try 2026-03-01 or yesterday)",
                                     param_hint="--date") from None
        return parsed.date()


@main.group(invoke_without_command=True)
@book_option
@ui_lang_option
@click.option("--due", "horizon", type=click.Choice(["today", "week", "all"]), default="today",
              show_default=True, help="today: due or overdue; week: the next 7 days; all: every open one.")
@click.option("--ics", "ics_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the listed follow-ups as iCalendar to-dos (stable UIDs: re-export updates).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@click.pass_context
@handle_errors
def followups(click_ctx: click.Context, horizon: str, ics_file: Path | None, as_json: bool) -> None:
    """Contacts to follow up with, most overdue first. `followups done CONTACT` records one."""
    if click_ctx.invoked_subcommand is not None:
        return
    from datetime import date

    from cardscan import network
    from cardscan.network import render
    from cardscan.network.labels import label

    ctx = click_ctx.find_object(Context)
    lang = ctx.settings.ui_lang
    items = network.due_followups(_network_book(ctx).contacts(), date.today(), horizon)  # type: ignore[arg-type]
    if ics_file is not None:
        path = network.write_ics(items, ics_file, lang)
        if not as_json:
            click.echo(label(lang, "ics_written").format(count=len(items), path=path), err=True)
    if as_json:
        render.print_json([item.to_dict(lang) for item in items])
    else:
        render.followups(items, lang)


@followups.command(name="done")
@book_option
@ui_lang_option
@click.argument("contact")
@click.option("--date", "day", default=None, metavar="DATE", help="When you followed up (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def followups_done(ctx: Context, contact: str, day: str | None, as_json: bool) -> None:
    """Record that you followed up with CONTACT (UID, UID prefix, name or e-mail)."""
    from datetime import date

    from cardscan import network
    from cardscan.network import render
    from cardscan.network.labels import label

    when = _parse_day(day) if day else date.today()
    book = _network_book(ctx)
    found = book.get(contact)
    outcome: dict[str, Any] = {}

    def record(stored: Contact) -> None:  # re-read under the lock: a concurrent edit is kept
        done, outcome["was_pending"] = network.mark_done(stored, when)
        stored.annotations = done.annotations

    updated = book.update(found, record)
    was_pending = outcome["was_pending"]
    lang = ctx.settings.ui_lang
    if as_json:
        render.print_json({"uid": updated.uid, "name": updated.display_name,
                           "follow_up_done": when.isoformat(), "was_pending": was_pending})
        return
    click.echo(label(lang, "marked_done").format(name=updated.display_name, date=when.isoformat()))
    if not was_pending:
        click.echo(label(lang, "was_not_due"))


@main.command()
@book_option
@ui_lang_option
@click.argument("contact", required=False)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def introduce(ctx: Context, contact: str | None, limit: int, as_json: bool) -> None:
    """Suggest introductions: who can help whom, best first (only CONTACT's, if given)."""
    from cardscan import network
    from cardscan.network import render

    book = _network_book(ctx)
    lang = ctx.settings.ui_lang
    for_uid = book.get(contact).uid if contact else None
    items = network.suggest_introductions(book.contacts(), for_uid, lang=lang, limit=limit)
    if as_json:
        render.print_json([item.to_dict(lang) for item in items])
    else:
        render.introductions(items, lang)


@main.command()
@book_option
@ui_lang_option
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def search(ctx: Context, text: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search every field and annotation (accents and case do not matter)."""
    from cardscan import network
    from cardscan.network import render

    query = " ".join(text)
    hits = network.search(_network_book(ctx).contacts(), query)[:limit]
    if as_json:
        render.print_json([hit.to_dict() for hit in hits])
    else:
        render.search_hits(hits, query, ctx.settings.ui_lang)


@main.command()
@book_option
@ui_lang_option
@click.argument("contact")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def show(ctx: Context, contact: str, as_json: bool) -> None:
    """Print one contact in full: fields, sources, annotations, follow-up."""
    from datetime import date

    from cardscan.network import render

    found = _network_book(ctx).get(contact)
    if as_json:
        render.print_json(render.contact_to_dict(found, date.today()))
    else:
        render.show(found, date.today(), ctx.settings.ui_lang)


@main.command()
@book_option
@ui_lang_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def stats(ctx: Context, as_json: bool) -> None:
    """The network at a glance: events, companies, annotated share, follow-ups."""
    from datetime import date

    from cardscan import network
    from cardscan.network import render

    result = network.stats(_network_book(ctx).contacts(), date.today())
    if as_json:
        render.print_json(result.to_dict())
    else:
        render.stats(result, ctx.settings.ui_lang)


# ------------------------------------------------------------------ export


def _contacts_to_send(ctx: Context) -> list[Contact]:
    """The book's contacts; NotFoundError (exit 7) rather than an empty file or upload."""
    from cardscan.errors import NotFoundError
    from cardscan.store import Book

    book = Book(ctx.settings.book)
    contacts = book.contacts()
    ctx.left_out = list(book.problems.values())
    if not contacts:
        where = "is empty" if book.path.is_dir() else "does not exist"
        raise NotFoundError(f"the contact book {book.path} {where}: scan some cards first "
                            "(or choose another with --book)")
    return contacts


def _exit_if_left_out(ctx: Context) -> None:
    """Exit 4 naming each contact file an export or upload could not read (and left out)."""
    for problem in ctx.left_out:
        click.echo(f"cardscan: left out {problem}", err=True)
    if ctx.left_out:
        raise Incomplete(ExitCode.SOME_FAILED)


@main.command()
@book_option
@click.option("--vcf", "vcf_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None, help="One combined .vcf (iPhone, Android, Google Contacts); - = stdout.")
@click.option("--split-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also one .vcf per contact in this folder (Outlook reads only the first card).")
@click.option("--csv", "csv_out", nargs=2, default=None, metavar="google|outlook FILE",
              help="A CSV with the columns Google Contacts or Outlook import.")
@click.option("--photo", is_flag=True, help="Include the card photos (vCard only).")
@pass_ctx
@handle_errors
def export(ctx: Context, vcf_file: Path | None, split_dir: Path | None,
           csv_out: tuple[str, str] | None, photo: bool) -> None:
    """Export the contact book for phones, Google Contacts or Outlook.

    Exit status 4 (after writing the others) when some contact file could not be read.
    """
    from cardscan import export as exporter

    if not (vcf_file or split_dir or csv_out):
        raise click.UsageError("choose --vcf FILE, --split-dir DIR and/or --csv google|outlook FILE")
    if csv_out and csv_out[0] not in ("google", "outlook"):
        raise click.UsageError(f"--csv takes google or outlook, not {csv_out[0]!r}")
    contacts = sorted(_contacts_to_send(ctx), key=lambda c: c.display_name.casefold())
    if vcf_file is not None:
        if str(vcf_file) == "-":
            count = exporter.write_vcf(contacts, click.get_text_stream("stdout"), photo=photo)
        else:
            count = exporter.write_vcf(contacts, vcf_file, photo=photo)
            click.echo(f"{count} contacts written to {vcf_file}", err=True)
    if split_dir is not None:
        paths = exporter.write_vcf_dir(contacts, split_dir, photo=photo)
        click.echo(f"{len(paths)} files written to {split_dir}", err=True)
    if csv_out:
        flavor, target = csv_out
        count = exporter.write_csv(contacts, Path(target), flavor=flavor)  # type: ignore[arg-type]
        click.echo(f"{count} contacts written to {target} ({flavor} CSV)", err=True)
    _exit_if_left_out(ctx)


@main.command()
@book_option
@click.argument("contact")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the PNG (default: NAME-UID.png here).")
@click.option("--terminal", is_flag=True, help="Draw the QR code in the terminal.")
@pass_ctx
@handle_errors
def qr(ctx: Context, contact: str, png: Path | None, terminal: bool) -> None:
    """A QR code of CONTACT's vCard that a phone camera imports (name, email or UID)."""
    from cardscan import export as exporter
    from cardscan.store import Book

    found = Book(ctx.settings.book).get(contact)
    code = exporter.make_qr(found)
    if terminal:
        drawing = exporter.qr_for_terminal(code)
        width = max(len(line) for line in drawing.splitlines())
        columns = shutil.get_terminal_size((width, 24)).columns
        if sys.stdout.isatty() and columns < width:
            click.echo(f"cardscan: the QR code is {width} columns wide and the terminal "
                       f"{columns}: widen it or scan the PNG instead", err=True)
        click.echo(drawing, nl=False)
    if png is not None or not terminal:
        target = png or Path(f"{exporter.file_stem(found)}.png")
        exporter.save_qr_png(code, target)
        click.echo(f"QR code of {found.display_name} written to {target}", err=True)


@main.command()
@book_option
@click.option("--carddav", "url", required=True, metavar="URL",
              help="The CardDAV address book's URL (it must exist already).")
@click.option("--photo", is_flag=True, help="Include the card photos.")
@click.option("--dry-run", is_flag=True, help="Only say what would be uploaded.")
@pass_ctx
@handle_errors
def push(ctx: Context, url: str, photo: bool, dry_run: bool) -> None:
    """Upload new and changed contacts to a CardDAV address book (Nextcloud, Radicale...).

    Credentials come from CARDSCAN_CARDDAV_USER / CARDSCAN_CARDDAV_PASSWORD or ~/.netrc.
    Cards changed on the server since the last push are left alone and reported.
    """
    from cardscan import export as exporter
    from cardscan.store import Book

    book = Book(ctx.settings.book)
    report = exporter.push_carddav(_contacts_to_send(ctx), url, state_dir=book.state_dir,
                                   photo=photo, dry_run=dry_run)
    verb = "would upload" if dry_run else "uploaded"
    click.echo(f"{verb}: {len(report.created)} new, {len(report.updated)} changed; "
               f"{len(report.unchanged)} unchanged, {len(report.conflicts)} conflicts, "
               f"{len(report.failed)} failed")
    for uid in report.conflicts:
        click.echo(f"conflict: {uid} was changed on the server; not overwritten", err=True)
    for uid, reason in report.failed:
        click.echo(f"failed: {uid}: {reason}", err=True)
    _exit_if_left_out(ctx)
    if report.failed or report.conflicts:
        raise Incomplete(ExitCode.SOME_FAILED)


@main.command(name="list")
@book_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@pass_ctx
@handle_errors
def list_contacts(ctx: Context, as_json: bool) -> None:
    """List the contacts in the book: name, title, company, phones, emails, where met."""
    from cardscan.store import Book

    contacts = sorted(Book(ctx.settings.book).contacts(), key=lambda c: c.display_name.casefold())
    if as_json:
        import json

        from cardscan.contact_json import contact_json

        click.echo(json.dumps([contact_json(c) for c in contacts], ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(contacts)} contacts in {ctx.settings.book}")
    for column in ("Name", "Title", "Company", "Phones", "Emails", "Met at"):
        # never break a phone number or an address in the middle
        table.add_column(column, overflow="fold", no_wrap=column in ("Phones", "Emails"))
    for c in contacts:
        company = f"{c.org} ({c.department})" if c.department and c.org else c.org or c.department
        table.add_row(c.display_name if c.name else "", c.title, company,
                      "\n".join(p.number for p in c.phones),
                      "\n".join(e.address for e in c.emails), c.annotations.met_at)
    # Piped output is not cut to 80 columns: a script may grep the emails.
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)
