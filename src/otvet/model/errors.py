"""The one error tree of otvet.

Every error a user can cause or meet derives from :class:`OtvetError` and can explain
itself through :meth:`OtvetError.diagnostics`. Library errors are wrapped at the seam where
they occur (``raise FormatError(...) from exc``); only the CLI turns errors into exit codes.

::

    OtvetError
     +-- InputError            something the user or a vendor gave us is unusable
     |    +-- BundleError      the evidence bundle as a whole (not a zip, unreadable, ...)
     |    +-- LimitExceeded    a size, depth, count or time limit was hit
     |    +-- FormatError      a document does not parse or does not follow its format
     |    +-- CatalogError     the criteria catalog or a profile is invalid
     |    +-- QuestionnaireError  questionnaire answers are malformed (carries every problem)
     +-- VerificationError     a cryptographic or integrity check failed (fail closed)
     +-- ConfigurationError    otvet itself is set up wrongly (missing data directory, ...)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits: the file and, when known, a place inside it."""

    path: str
    """File path as the user knows it (inside a bundle: the path relative to the bundle root)."""
    where: str | None = None
    """JSON pointer, ``line 12``, ``sheet 'Questionnaire' row 7 column F``, zip entry name, ..."""

    def __str__(self) -> str:
        return f"{self.path}: {self.where}" if self.where else self.path


class OtvetError(Exception):
    """Base of every error otvet raises on purpose."""

    def diagnostics(self) -> str:
        """A human-readable explanation, suitable for printing to an operator."""
        return str(self)


class InputError(OtvetError):
    """An input (file, argument, vendor document) cannot be used."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.message = message
        self.location = location


class BundleError(InputError):
    """The evidence bundle as a whole cannot be opened."""


class LimitExceeded(InputError):
    """A configured size, depth, count, ratio or time limit was exceeded."""


class FormatError(InputError):
    """A document is malformed or does not follow its declared format."""


class CatalogError(InputError):
    """The criteria catalog or a profile failed validation."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def diagnostics(self) -> str:
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)


class QuestionnaireError(InputError):
    """Questionnaire answers are malformed; carries every problem found, not just the first."""

    def __init__(self, message: str, problems: Sequence[tuple[Location, str]] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def diagnostics(self) -> str:
        lines = [self.message, *(f"  - {loc}: {msg}" for loc, msg in self.problems)]
        return "\n".join(lines)


class VerificationError(OtvetError):
    """A signature, hash, chain or log verification failed. Verification fails closed."""


class ConfigurationError(OtvetError):
    """otvet is not set up correctly (data directory, database URL, trust store, ...)."""
