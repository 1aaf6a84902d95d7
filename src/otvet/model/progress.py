"""Progress reporting seam: long steps report progress; the CLI draws it, tests ignore it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress of a long step. Implementations must be cheap to call."""

    def start(self, label: str, total: int | None) -> None:
        """A step begins; ``total`` units of work, or None when unknown."""

    def advance(self, units: int = 1, detail: str | None = None) -> None:
        """Some units of the current step are done."""

    def finish(self) -> None:
        """The current step is done."""


class _NoProgress:
    def start(self, label: str, total: int | None) -> None:
        return None

    def advance(self, units: int = 1, detail: str | None = None) -> None:
        return None

    def finish(self) -> None:
        return None


NO_PROGRESS: Progress = _NoProgress()
"""A progress sink that discards everything."""
