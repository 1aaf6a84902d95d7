"""Limits applied to every vendor-supplied input: size, depth, count, ratio and time.

Every vendor file is hostile until proven otherwise. The defaults are generous for real
evidence (a 50,000-component SBOM, a year of CSAF advisories) and small enough that a
crafted file cannot exhaust memory or time on an engineering laptop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from otvet.model import LimitExceeded, Location

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps for reading untrusted input. All sizes in bytes."""

    max_file_bytes: int = 256 * MiB
    """Largest single file read into memory (an SBOM, an advisory, a log sample)."""
    max_bundle_bytes: int = 2048 * MiB
    """Total uncompressed size of a bundle (directory or zip)."""
    max_files: int = 20_000
    """Files in a bundle."""
    max_compression_ratio: float = 200.0
    """Uncompressed/compressed size of a zip entry; above it the entry is a zip bomb."""
    max_path_depth: int = 32
    """Directory nesting inside a bundle."""
    max_path_length: int = 1024
    max_nesting: int = 128
    """Nesting depth of JSON/YAML/XML documents."""
    max_items: int = 1_000_000
    """Items (components, records) taken from one document."""
    max_seconds: float = 300.0
    """Wall-clock budget of one reading or analysis step."""


DEFAULT_LIMITS = Limits()


class Deadline:
    """A wall-clock budget checked in loops over untrusted input."""

    def __init__(self, seconds: float, what: str) -> None:
        self._end = time.monotonic() + seconds
        self._seconds = seconds
        self._what = what

    def check(self, location: Location | None = None) -> None:
        """Raise :class:`LimitExceeded` once the budget is spent."""
        if time.monotonic() > self._end:
            raise LimitExceeded(
                f"{self._what} took longer than {self._seconds:g} s and was stopped", location
            )
