"""The command line: a thin click layer over the stages.

Each command parses its options, calls one function of a stage module and prints
the result. `handle_errors` is the one place where exceptions become exit statuses.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cardscan import __version__, config
from cardscan.errors import CardscanError, ExitCode

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn cardscan's exceptions into a one-line message and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CardscanError as exc:
            click.echo(f"cardscan: {exc}", err=True)
            sys.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("cardscan: interrupted; everything answered so far is saved", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))

    return wrapper  # type: ignore[return-value]


class Context:
    """What every command shares: the settings in force."""

    def __init__(self, book: Path | None, region: str | None, lang: str | None,
                 ui_lang: str | None) -> None:
        self.options = {"book": book, "region": region, "lang": lang, "ui_lang": ui_lang}
        self._settings: config.Settings | None = None

    @property
    def settings(self) -> config.Settings:
        if self._settings is None:
            self._settings = config.load(**self.options)
        return self._settings


pass_ctx = click.make_pass_decorator(Context)


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
@pass_ctx
@handle_errors
def doctor(ctx: Context) -> None:
    """Show Tesseract, its languages, the settings in force and where the book lives."""
    settings = ctx.settings
    from cardscan import ocr

    info = ocr.probe()
    wanted = settings.lang.split("+")
    missing = [lang for lang in wanted if lang not in info.languages]
    click.echo(f"tesseract     {info.version}")
    click.echo(f"ocr engine    {ocr.describe_engine()}")
    click.echo(f"languages     {', '.join(info.languages) or '(none)'}")
    click.echo(f"config file   {settings.config_file}"
               f"{'' if settings.config_file.is_file() else ' (not present: built-in defaults)'}")
    for name in ("region", "lang", "ui_lang", "book"):
        click.echo(f"{name:<13} {getattr(settings, name)}  [{settings.origin[name]}]")
    book = settings.book
    count = len(list(book.glob("*.vcf"))) if book.is_dir() else 0
    click.echo(f"contacts      {count} in {book}" + ("" if book.is_dir() else " (not created yet)"))
    if missing:
        ocr.check_languages(settings.lang)  # raises MissingDependencyError with install hints
    click.echo("ok")
# ------------------------------------------------------------------ scan
# ------------------------------------------------------------------ annotate
# ------------------------------------------------------------------ network
# ------------------------------------------------------------------ export
