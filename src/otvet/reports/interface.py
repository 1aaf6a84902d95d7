"""The report interface: turn an assessment into a file of one format."""

from __future__ import annotations

from typing import ClassVar, Protocol

from otvet.model import Assessment, Catalog


class Reporter(Protocol):
    """Renders an assessment as bytes of one format."""

    format: ClassVar[str]
    """Format name used on the command line: ``json``, ``html``, ..."""
    extension: ClassVar[str]
    """File extension including the dot."""

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        """The complete file content."""
        ...
