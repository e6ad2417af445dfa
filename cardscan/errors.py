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
    # an unexpected crash (Python's own 1), or an error with no status of its own (a bug)
    CRASH = 1
    USAGE = 2  # bad command line (click's own code for usage errors)
    MISSING_DEPENDENCY = 3  # nothing could run: tesseract or a language missing
    SOME_FAILED = 4  # the batch ran; some photos gave no card (the others were written)
    ALL_FAILED = 5  # the batch ran but no photo gave a card
    BAD_CONFIG = 6  # the config file or a setting is invalid
    NOT_FOUND = 7  # a named contact or file does not exist
    CANNOT_WRITE = 8  # the book or an output file cannot be read or written (nothing half-written)
    INTERRUPTED = 130  # Ctrl-C; everything answered so far is saved


class CardscanError(Exception):
    """Base class: a message for the user and an exit status.

    Every subclass names its own status; the base's is a crash's, so an error nobody
    classified is never mistaken for a partial batch.
    """

    exit_code: ExitCode = ExitCode.CRASH

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
    """The config file or a setting is invalid."""

    exit_code = ExitCode.BAD_CONFIG


class NotFoundError(CardscanError):
    """A named contact or file does not exist."""

    exit_code = ExitCode.NOT_FOUND


class BookError(CardscanError):
    """The contact book, or a file a command writes, cannot be read or written."""

    exit_code = ExitCode.CANNOT_WRITE


class AmbiguousContactError(NotFoundError):
    """A name or prefix that matches more than one contact."""


class VCardError(CardscanError):
    """Text that cannot be read as a vCard."""

    exit_code = ExitCode.CANNOT_WRITE


class ExportError(CardscanError):
    """An export that cannot be done (QR too big, CardDAV server refusing...)."""

    exit_code = ExitCode.CANNOT_WRITE


class ExportUsageError(ExportError):
    """An export asked for in a way cardscan refuses (a password in a URL...)."""

    exit_code = ExitCode.USAGE


class AddressBookNotFound(ExportError):
    """The CardDAV URL names no address book."""

    exit_code = ExitCode.NOT_FOUND


class WorkerError(CardscanError):
    """The worker processes that read the photos cannot start."""

    exit_code = ExitCode.CRASH


class Incomplete(CardscanError):
    """A command ran to its end but left something out; each item was already named.

    Raised instead of calling ``sys.exit`` so that ``cli.handle_errors`` stays the one place
    that ends the program with a status.
    """

    def __init__(self, exit_code: ExitCode, message: str = "") -> None:
        super().__init__(message)
        self.exit_code = exit_code
