"""Terminal output: results on stdout, progress and diagnostics on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class RichProgress:
    """Draws :class:`otvet.model.Progress` events as a rich progress bar on stderr."""

    def __init__(self, console: Console = err) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}", style="dim"),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, label: str, total: int | None) -> None:
        self.finish()
        self._task = self._progress.add_task(label, total=total, detail="")

    def advance(self, units: int = 1, detail: str | None = None) -> None:
        if self._task is None:
            return
        if detail is not None:
            self._progress.update(self._task, detail=detail)
        if units:
            self._progress.advance(self._task, units)

    def finish(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
