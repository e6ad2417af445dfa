"""Progress reporting behind a small protocol, so the batch stays silent in tests.

`NullProgress` says nothing, `LineProgress` prints only failures (one line each on
stderr), `RichProgress` adds a live bar with count, rate and time left.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import Task as RichTask
    from rich.text import Text

    from cardscan.batch.model import Failure


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...

    def failed(self, failure: Failure) -> None: ...

    def stop(self) -> None: ...


class NullProgress:
    """Says nothing (tests, library use)."""

    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass

    def failed(self, failure: Failure) -> None:
        pass

    def stop(self) -> None:
        pass


class LineProgress(NullProgress):
    """One line per failure on stderr: `cardscan: <file>: <reason>`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def failed(self, failure: Failure) -> None:
        print(f"cardscan: {failure.line()}", file=self.stream, flush=True)


class RichProgress:
    """A live bar on stderr (count, rate, time left); failures printed above it."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: RichTask) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f} photos/s" if speed else "-- photos/s")

        self.console = Console(stderr=True)
        self.bar = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(),
                            RateColumn(), TimeElapsedColumn(), TextColumn("elapsed,"),
                            TimeRemainingColumn(), TextColumn("left"), console=self.console,
                            transient=True)
        self.task_id: int | None = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task_id = self.bar.add_task("scan", total=total)

    def advance(self) -> None:
        if self.task_id is not None:
            self.bar.advance(self.task_id)  # type: ignore[arg-type]

    def failed(self, failure: Failure) -> None:
        from rich.markup import escape

        self.console.print(f"cardscan: {escape(failure.line())}", style="red", highlight=False,
                           soft_wrap=True)

    def stop(self) -> None:
        self.bar.stop()


def for_terminal(quiet: bool) -> Progress:
    """The progress to show: a bar only when stderr is a terminal and not quiet."""
    if not quiet and sys.stderr.isatty():
        return RichProgress()
    return LineProgress()
