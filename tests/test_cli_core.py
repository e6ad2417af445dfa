"""The command line's shared machinery: errors become one line and a documented exit status."""

import subprocess
import sys

import click
from click.testing import CliRunner

from cardscan import errors
from cardscan.cli import handle_errors, main
from cardscan.errors import ExitCode, InputError, MissingDependencyError


def test_handle_errors_prints_one_line_and_exits_with_the_errors_code():
    @click.command()
    @handle_errors
    def broken() -> None:
        raise MissingDependencyError("tesseract is not installed. Run: sudo apt-get install tesseract-ocr")

    result = CliRunner().invoke(broken)
    assert result.exit_code == ExitCode.MISSING_DEPENDENCY
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("cardscan: tesseract is not installed")


def _status_of(error: Exception) -> tuple[int, str]:
    @click.command()
    @handle_errors
    def failing() -> None:
        raise error

    result = CliRunner().invoke(failing)
    return result.exit_code, result.output


def test_every_error_has_its_own_status_and_none_passes_for_a_partial_batch():
    assert _status_of(errors.BookError("cannot write x.vcf"))[0] == ExitCode.CANNOT_WRITE
    assert _status_of(errors.NotFoundError("no contact 'Zed'"))[0] == ExitCode.NOT_FOUND
    assert _status_of(errors.CardscanError("unclassified"))[0] == ExitCode.CRASH
    # a command that already named what it left out ends with its status and no more output
    assert _status_of(errors.Incomplete(ExitCode.SOME_FAILED)) == (ExitCode.SOME_FAILED, "")
    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.CardscanError)]

    def own_status(cls: type) -> bool:  # set by the class or a parent below the base
        return any("exit_code" in vars(k) for k in cls.__mro__[:cls.__mro__.index(errors.CardscanError)])

    unclassified = [c for c in classes if c not in (errors.CardscanError, errors.Incomplete)
                    and not own_status(c)]
    assert unclassified == []


def test_errors_name_the_file():
    assert str(InputError("not an image", "/x/y/card.jpg")) == "card.jpg: not an image"


def test_keyboard_interrupt_exits_130():
    @click.command()
    @handle_errors
    def interrupted() -> None:
        raise KeyboardInterrupt

    assert CliRunner().invoke(interrupted).exit_code == ExitCode.INTERRUPTED


def test_bad_region_option_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDSCAN_CONFIG", str(tmp_path / "none.toml"))
    result = CliRunner().invoke(main, ["--region", "ZZ", "doctor"])
    assert result.exit_code == ExitCode.BAD_CONFIG
    assert "unknown region 'ZZ'" in result.output


def test_console_script_runs_as_module():
    out = subprocess.run([sys.executable, "-m", "cardscan", "--version"], capture_output=True,
                         text=True, check=True)
    assert "cardscan" in out.stdout
