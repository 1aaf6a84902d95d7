"""The report interfaces: turn an assessment (or a comparison of several) into a file of one format."""

from __future__ import annotations

from typing import ClassVar, Protocol

from otvet.model import Assessment, Catalog, ConfigurationError
from otvet.model.comparison import Comparison
from otvet.model.rfp import RfpDocument


class Reporter(Protocol):
    """Renders an assessment as bytes of one format."""

    format: ClassVar[str]
    """Format name used on the command line: ``json``, ``html``, ..."""
    extension: ClassVar[str]
    """File extension including the dot."""

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        """The complete file content."""
        ...


class ReportUnavailable(ConfigurationError):
    """A format cannot be produced on this machine (e.g. PDF without Chromium).

    Writers of several formats report it as a note and go on with the others.
    """


class ComparisonReporter(Protocol):
    """Renders a side-by-side comparison of assessments as bytes of one format."""

    format: ClassVar[str]
    """Format name: ``html``, ``xlsx``."""
    extension: ClassVar[str]

    def render(self, comparison: Comparison, catalog: Catalog) -> bytes:
        """The complete file content."""
        ...


class RfpWriter(Protocol):
    """Renders procurement requirements as bytes of one format."""

    format: ClassVar[str]
    """Format name: ``docx``, ``md``."""
    extension: ClassVar[str]

    def render(self, document: RfpDocument) -> bytes:
        """The complete file content."""
        ...
