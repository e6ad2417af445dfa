"""cardscan's exceptions, each paired with the exit status it ends the program with.

Only `cli.py` turns exceptions into exit statuses (see `cli.handle_errors`); stages
raise these and never call `sys.exit`.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Documented exit statuses (README, "Exit status")."""

    OK = 0
    # 1 is left to Python itself: an unexpected crash is never mistaken for a partial batch
    USAGE = 2  # bad command line (click's own code for usage errors)
    MISSING_DEPENDENCY = 3  # nothing could run: tesseract or a language missing
    SOME_FAILED = 4  # the batch ran; some photos gave no card (the others were written)
    ALL_FAILED = 5  # the batch ran but no photo gave a card
    BAD_CONFIG = 6  # the config file or a setting is invalid
    NOT_FOUND = 7  # a named contact or file does not exist
    INTERRUPTED = 130  # Ctrl-C; everything answered so far is saved


class CardscanError(Exception):
    """Base class: a message for the user and an exit status."""

    exit_code: ExitCode = ExitCode.SOME_FAILED

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(message)

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.path.name}: {message}" if self.path is not None else message


class MissingDependencyError(CardscanError):
    """Tesseract, or one of the requested language packs, is not installed."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class InputError(CardscanError):
    """A file that cannot be used as a card photo (not an image, truncated, too big...)."""

    exit_code = ExitCode.SOME_FAILED


class OcrError(CardscanError):
    """Tesseract failed or timed out on one card."""

    exit_code = ExitCode.SOME_FAILED


class NoCardError(CardscanError):
    """The photo was read but held no contact details."""

    exit_code = ExitCode.SOME_FAILED


class ConfigError(CardscanError):
    exit_code = ExitCode.BAD_CONFIG


class NotFoundError(CardscanError):
    exit_code = ExitCode.NOT_FOUND


class BookError(CardscanError):
    """The contact book cannot be read or written."""

    exit_code = ExitCode.SOME_FAILED
