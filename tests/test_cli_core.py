"""The command line's shared machinery: errors become one line and a documented exit status."""

import subprocess
import sys

import click
from click.testing import CliRunner

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
