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
@click.option("--profile", is_flag=True,
              help="Print the seconds each reading stage took (a table on stderr).")
@pass_ctx
@handle_errors
def scan(ctx: Context, photos: tuple[Path, ...], out: Path | None, region: str | None,
         lang: str | None, jobs: int, as_json: bool, quiet: bool, rescan: bool,
         pairs: tuple[tuple[Path, Path], ...], report: Path | None, photo: bool,
         executor: str, annotate: bool, met_at: str | None, needs: str | None,
         offer: str | None, tags: tuple[str, ...], follow_up: str | None,
         timeout: float, profile: bool) -> None:
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
    if profile:
        from cardscan.reading.timers import profile_table

        click.echo(profile_table(batch.photo_timers(summary.cards)), err=True)
        if summary.failures:
            click.echo(f"(the {len(summary.failures)} failed photos are not in the table)",
                       err=True)
        click.echo(f"wall clock: {summary.seconds:.2f} s for {summary.photos} photos", err=True)
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
@click.option("--every", "every", default=None, metavar="PERIOD",
              help="From now on keep in touch every PERIOD (6w, 3m, 1y; off stops it).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def followups_done(ctx: Context, contact: str, day: str | None, every: str | None,
                   as_json: bool) -> None:
    """Record that you followed up with CONTACT (UID, UID prefix, name or e-mail).

    With a keep-in-touch period (`--every`, or set before) the next follow-up is scheduled.
    """
    from datetime import date

    from cardscan import network
    from cardscan.network import render
    from cardscan.network.labels import label

    when = _parse_day(day) if day else date.today()
    period = _parse_every(every) if every is not None else None
    book = _network_book(ctx)
    found = book.get(contact)
    outcome: dict[str, Any] = {}

    def record(stored: Contact) -> None:  # re-read under the lock: a concurrent edit is kept
        if period is not None:
            stored.annotations.every = period
        done, outcome["was_pending"] = network.mark_done(stored, when)
        stored.annotations = done.annotations

    updated = book.update(found, record)
    was_pending = outcome["was_pending"]
    lang = ctx.settings.ui_lang
    notes = updated.annotations
    if as_json:
        render.print_json({"uid": updated.uid, "name": updated.display_name,
                           "follow_up_done": when.isoformat(), "was_pending": was_pending,
                           "every": notes.every or None,
                           "next_follow_up": notes.follow_up.isoformat() if notes.follow_up else None})
        return
    click.echo(label(lang, "marked_done").format(name=updated.display_name, date=when.isoformat()))
    if not was_pending:
        click.echo(label(lang, "was_not_due"))
    if notes.every and notes.follow_up:
        from cardscan.network.history import describe_period

        click.echo(label(lang, "renewed").format(name=updated.display_name,
                                                 date=notes.follow_up.isoformat(),
                                                 every=describe_period(notes.every, lang)))


def _parse_every(text: str) -> str:
    from cardscan.network.history import parse_every

    try:
        return parse_every(text)
    except ValueError:
        raise click.BadParameter(f"cannot read {text!r} as a period (try 6w, 3m, 1y or off)",
                                 param_hint="--every") from None


@followups.command(name="every")
@book_option
@ui_lang_option
@click.argument("contact")
@click.argument("period", metavar="PERIOD")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def followups_every(ctx: Context, contact: str, period: str, as_json: bool) -> None:
    """Keep in touch with CONTACT every PERIOD (6w, 3m, 1y; off stops it).

    `followups done` then schedules the next follow-up one PERIOD later; without an open
    follow-up, the first is one PERIOD from today.
    """
    from datetime import date

    from cardscan.network import history, render
    from cardscan.network.labels import label

    value = _parse_every(period)
    book = _network_book(ctx)
    updated = book.update(book.get(contact), lambda stored: history.set_every(stored, value, date.today()))
    notes, lang = updated.annotations, ctx.settings.ui_lang
    if as_json:
        render.print_json({"uid": updated.uid, "name": updated.display_name, "every": value or None,
                           "follow_up": notes.follow_up.isoformat() if notes.follow_up else None})
    elif value:
        click.echo(label(lang, "every_set").format(
            name=updated.display_name, every=history.describe_period(value, lang),
            date=notes.follow_up.isoformat() if notes.follow_up else "-"))
    else:
        click.echo(label(lang, "every_off").format(name=updated.display_name))


@main.command()
@book_option
@ui_lang_option
@click.argument("names", nargs=-1, metavar="[A [B]]")
@click.option("--draft", is_flag=True, help="Write the double-opt-in messages introducing A to B.")
@click.option("--done", is_flag=True, help="Record on both that you introduced them.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the .eml files of --draft (default: the current folder).")
@click.option("--follow-up", "follow_up", default="+2w", show_default=True, metavar="WHEN",
              help="With --done: when to ask both how it went ('-' for no follow-up).")
@click.option("--why", default=None,
              help="With --done: why you introduced them (default: from their annotations).")
@click.option("--date", "day", default=None, metavar="DATE", help="With --done: when (default: today).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def introduce(ctx: Context, names: tuple[str, ...], draft: bool, done: bool, out_dir: Path | None,
              follow_up: str, why: str | None, day: str | None, limit: int, as_json: bool) -> None:
    """Suggest introductions (only A's, if given); with A and B, draft or record one.

    `introduce A B --draft` writes the messages: one to A and one to B asking whether they
    want it, then the joint one; each printed, as a mailto: link and as an .eml file.
    `introduce A B --done` records it on both, with a follow-up to ask how it went.
    A is the one who needs something, B the one who can help.
    """
    from cardscan import network
    from cardscan.network import render

    if len(names) > 2:
        raise click.UsageError("name at most two contacts: A (who needs) and B (who can help)")
    if (draft or done) and len(names) != 2:
        raise click.UsageError("--draft and --done need two contacts: introduce A B --draft")
    book = _network_book(ctx)
    lang = ctx.settings.ui_lang
    if len(names) == 2:
        a, b = book.get(names[0]), book.get(names[1])
        if a.uid == b.uid:
            raise click.UsageError(f"{names[0]!r} and {names[1]!r} are the same contact")
        if done:
            _record_introduction(ctx, book, a, b, follow_up, why, day, as_json)
            if not draft:
                return
        _draft_introduction(ctx, book, a, b, out_dir, why, as_json and not done)
        return
    for_uid = book.get(names[0]).uid if names else None
    items = network.suggest_introductions(book.contacts(), for_uid, lang=lang, limit=limit)
    if as_json:
        render.print_json([item.to_dict(lang) for item in items])
    else:
        render.introductions(items, lang)


def _reason_for(book: Book, a: Contact, b: Contact, lang: str) -> str:
    """The suggestion's reason when cardscan suggests the pair, else one from the annotations."""
    from cardscan import network
    from cardscan.network import drafts

    for item in network.suggest_introductions(book.contacts(), a.uid, lang=lang):
        if {item.a.uid, item.b.uid} == {a.uid, b.uid}:
            return item.reason
    return drafts.why(a, b, lang)


def _draft_introduction(ctx: Context, book: Book, a: Contact, b: Contact, out_dir: Path | None,
                        why: str | None, as_json: bool) -> None:
    from cardscan.network import drafts, render
    from cardscan.network.labels import label

    lang = ctx.settings.ui_lang
    made = drafts.draft(a, b, lang, me=book.me(), reason=why or _reason_for(book, a, b, lang))
    paths = drafts.write_eml(made, out_dir or Path.cwd())
    if as_json:
        record = made.to_dict()
        for message, path in zip(record["messages"], paths, strict=True):  # type: ignore[call-overload]
            message["eml"] = str(path)
        render.print_json(record)
        return
    headings = [label(lang, "draft_ask").format(name=a.display_name),
                label(lang, "draft_ask_b").format(name=b.display_name), label(lang, "draft_joint")]
    for heading, message in zip(headings, made.messages, strict=True):
        click.echo(f"{heading}\n")
        click.echo(f"Subject: {message.subject}")
        click.echo(f"To: {', '.join(message.recipients) or '-'}\n")
        click.echo(message.body)
        click.echo(f"{label(lang, 'mailto')}: {message.mailto()}\n")
    for contact in drafts.missing_emails(made):
        click.echo(f"cardscan: {label(lang, 'no_email').format(name=contact.display_name)}", err=True)
    click.echo(label(lang, "eml_written").format(count=len(paths), paths=", ".join(map(str, paths))),
               err=True)


def _record_introduction(ctx: Context, book: Book, a: Contact, b: Contact, follow_up: str,
                         why: str | None, day: str | None, as_json: bool) -> None:
    from datetime import date

    from cardscan.annotate import parse_follow_up
    from cardscan.network import history, render
    from cardscan.network.labels import label

    lang = ctx.settings.ui_lang
    when = _parse_day(day) if day else date.today()
    due = None
    if follow_up.strip() not in ("-", ""):
        try:
            due = parse_follow_up(follow_up, when if when > date.today() else date.today(), lang)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--follow-up") from None
    reason = why or _reason_for(book, a, b, lang)
    already = frozenset((a.uid, b.uid)) in history.introduced_pairs([a, b])
    names = {a.uid: a.display_name, b.uid: b.display_name}

    # each side is re-read under the book's lock: what another program wrote is kept
    first = book.update(a, lambda stored: history.introduce_side(stored, b, reason, when, due))
    second = book.update(b, lambda stored: history.introduce_side(stored, a, reason, when, due))
    if as_json:
        render.print_json({"a": {"uid": first.uid, "name": names[a.uid]},
                           "b": {"uid": second.uid, "name": names[b.uid]},
                           "date": when.isoformat(), "why": reason,
                           "follow_up": due.isoformat() if due else None})
        return
    click.echo(label(lang, "introduced_recorded").format(
        a=names[a.uid], b=names[b.uid], date=due.isoformat() if due else "-"))
    if already:
        click.echo(label(lang, "already_introduced"))


@main.command()
@book_option
@ui_lang_option
@click.argument("contact")
@click.argument("what", nargs=-1, required=True)
@click.option("--date", "day", default=None, metavar="DATE", help="When you gave it (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def gave(ctx: Context, contact: str, what: tuple[str, ...], day: str | None, as_json: bool) -> None:
    """Record something you gave CONTACT: `cardscan gave Ana "sent the market report"`."""
    from datetime import date

    from cardscan.network import history, render
    from cardscan.network.labels import label

    text = " ".join(" ".join(what).split())
    if not text:
        raise click.UsageError("say what you gave, e.g. \"sent the market report\"")
    when = _parse_day(day) if day else date.today()
    book = _network_book(ctx)
    found = book.get(contact)
    updated = book.update(found, lambda stored: history.gave(stored, text, when) and None)
    lang = ctx.settings.ui_lang
    if as_json:
        render.print_json({"uid": updated.uid, "name": updated.display_name,
                           "date": when.isoformat(), "gave": text})
    else:
        click.echo(label(lang, "gave_recorded").format(name=updated.display_name,
                                                       date=when.isoformat(), text=text))


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

    book = _network_book(ctx)
    found = book.get(contact)
    everyone = book.contacts()
    if as_json:
        render.print_json(render.contact_to_dict(found, date.today(), everyone))
    else:
        render.show(found, date.today(), ctx.settings.ui_lang, everyone)


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


@main.command()
@book_option
@ui_lang_option
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the digest as a web page.")
@click.option("--ics", "ics_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the week's follow-ups and reconnections as iCalendar to-dos.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@pass_ctx
@handle_errors
def digest(ctx: Context, html_file: Path | None, ics_file: Path | None, as_json: bool) -> None:
    """This week: follow-ups due, introductions worth making, people met more than three
    months ago never followed up, and what you gave this month."""
    from datetime import date

    from cardscan.network import digest as weekly
    from cardscan.network import render
    from cardscan.network.labels import label

    lang = ctx.settings.ui_lang
    result = weekly.digest(_network_book(ctx).contacts(), date.today(), lang)
    for target, text in ((html_file, lambda: weekly.to_html(result, lang)),
                         (ics_file, lambda: weekly.ics(result, lang))):
        if target is not None:
            _write_output(target, text().encode("utf-8"))
            if not as_json:
                click.echo(label(lang, "digest_written").format(path=target), err=True)
    if as_json:
        render.print_json(result.to_dict(lang))
    else:
        click.echo(weekly.to_text(result, lang), nl=False)


def _write_output(target: Path, data: bytes) -> None:
    """An output file, atomically and mode 0600 (its folder created when missing)."""
    from cardscan.errors import BookError
    from cardscan.store import atomic_write

    target = target.expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BookError(f"cannot write {target}: {exc.strerror or exc}") from exc
    atomic_write(target, data)


@main.command()
@book_option
@ui_lang_option
@click.option("--set", "ask", is_flag=True, help="Type your card's fields (in the prompt's language).")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Take your card from a .vcf file.")
@click.option("--offer", default=None, help="What you offer the people you meet.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write your card's QR code as a PNG.")
@click.option("--vcf", "vcf_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write your card as a .vcf to send.")
@click.option("--json", "as_json", is_flag=True, help="Print your card as JSON.")
@pass_ctx
@handle_errors
def me(ctx: Context, ask: bool, from_file: Path | None, offer: str | None, png: Path | None,
       vcf_file: Path | None, as_json: bool) -> None:
    """Your own card, to hand out at an event: shown as a QR code a phone camera imports.

    `me --set` asks for the fields; `me --from my.vcf` takes them from a file. The card is
    kept in the book (marked X-CARDSCAN-ME) and left out of lists, introductions and digests.
    """
    from cardscan import export as exporter
    from cardscan import vcard
    from cardscan.errors import NotFoundError
    from cardscan.network.labels import label

    lang = ctx.settings.ui_lang
    book = _network_book(ctx)
    current = book.me()
    if from_file is not None or ask or offer is not None:
        from cardscan.annotate import ask_own_card

        if from_file is not None:
            try:
                incoming = vcard.from_vcard(from_file.read_bytes().decode("utf-8-sig"))
            except (OSError, UnicodeDecodeError) as exc:
                raise NotFoundError(f"cannot read {from_file}: {exc}") from exc
        else:
            incoming = None
        current = _save_me(book, current, incoming, ask, offer, lang, ask_own_card)
        if not as_json:
            click.echo(label(lang, "me_saved").format(name=current.display_name), err=True)
    if current is None:
        raise NotFoundError(label(lang, "me_none"))
    if as_json:
        from cardscan.contact_json import contact_json
        from cardscan.network import render

        render.print_json(contact_json(current))
        return
    code = exporter.make_qr(current)
    if vcf_file is not None:
        _write_output(vcf_file, exporter.qr_text(current).encode("utf-8"))
        click.echo(label(lang, "me_written").format(path=vcf_file), err=True)
    if png is not None:
        exporter.save_qr_png(code, png.expanduser())
        click.echo(label(lang, "me_written").format(path=png), err=True)
    if png is None and vcf_file is None:
        click.echo(exporter.qr_for_terminal(code), nl=False)
        offers = current.annotations.offer
        click.echo(current.display_name + (f" · {label(lang, 'offers')}: {offers}" if offers else ""))


def _save_me(book: Book, current: Contact | None, incoming: Contact | None, ask: bool,
             offer: str | None, lang: str, ask_own_card: Callable[..., Contact]) -> Contact:
    """Store the user's own card: a new one, or the fields changed on the one in the book."""
    import copy

    from cardscan.merge import apply_changes
    from cardscan.models import Contact as NewContact
    from cardscan.models import utc_now

    base = current if current is not None else NewContact(is_me=True)
    mine = copy.deepcopy(base)
    if incoming is not None:
        for name in ("name", "title", "department", "org", "phones", "emails", "websites",
                     "address", "note"):
            setattr(mine, name, copy.deepcopy(getattr(incoming, name)))
        mine.annotations.offer = incoming.annotations.offer or mine.annotations.offer
    if ask:
        mine = ask_own_card(mine, lang)
    if offer is not None:
        mine.annotations.offer = offer.strip()
    mine.is_me = True
    if current is None:
        mine.rev = utc_now()
        book.save(mine)
        return book.me() or mine
    return book.update(current, lambda stored: (apply_changes(base, mine, stored), None)[1])


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
