"""Vendor hash lists: SHA256SUMS / SHA512SUMS (GNU coreutils) and BSD ``SHA256 (file) = ...``.

A digest proves that the bytes are the bytes the list names; whether the list itself is the
vendor's is a different question, answered only by a signature over the list. SHA-1 and MD5
entries are refused (reported, never used): a collision-prone digest cannot vouch for firmware.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from otvet.model.errors import FormatError, Location

_GNU = re.compile(r"^(?P<hex>[0-9a-fA-F]+)[ \t]+(?P<mode>[* ]?)(?P<name>\S.*?)\s*$")
_BSD = re.compile(
    r"^(?P<alg>SHA256|SHA512|SHA-256|SHA-512|SHA1|MD5) ?\((?P<name>.+)\) ?= ?(?P<hex>[0-9a-fA-F]+)\s*$"
)
_LENGTHS = {64: "SHA-256", 128: "SHA-512", 40: "SHA-1", 32: "MD5"}
STRONG = ("SHA-256", "SHA-512")


@dataclass(frozen=True)
class HashEntry:
    """One line of a hash list."""

    algorithm: str
    value: str
    name: str
    line: int


@dataclass(frozen=True)
class HashList:
    """A parsed hash list with the lines it could not use."""

    entries: tuple[HashEntry, ...]
    rejected: tuple[str, ...]
    """Lines not understood or with weak algorithms, each with its line number."""

    def for_name(self, name: str) -> list[HashEntry]:
        """Entries whose file name (without directories) equals ``name``."""
        base = name.rsplit("/", 1)[-1]
        return [e for e in self.entries if e.name.rsplit("/", 1)[-1] == base]

    def for_digest(self, sha256: str, sha512: str) -> list[HashEntry]:
        """Entries whose digest equals the package's."""
        return [e for e in self.entries if e.value in (sha256, sha512)]


def parse_hash_list(text: str, display: str) -> HashList:
    """Parse GNU coreutils and BSD style hash lists; blank lines and ``#`` comments are skipped."""
    entries: list[HashEntry] = []
    rejected: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        bsd = _BSD.match(line)
        if bsd:
            algorithm = (
                bsd.group("alg")
                .replace("SHA256", "SHA-256")
                .replace("SHA512", "SHA-512")
                .replace("SHA1", "SHA-1")
            )
            value, name = bsd.group("hex").lower(), bsd.group("name")
        else:
            gnu = _GNU.match(line)
            if not gnu:
                rejected.append(f"line {number}: not a hash list line")
                continue
            value, name = gnu.group("hex").lower(), gnu.group("name")
            algorithm = _LENGTHS.get(len(value), "")
            if name.startswith("\\"):  # GNU escapes names with backslashes or newlines
                name = name[1:].replace("\\n", "\n").replace("\\\\", "\\")
        if algorithm not in STRONG:
            rejected.append(
                f"line {number}: {algorithm or 'unknown'} digest refused (only SHA-256 and SHA-512 are accepted)"
            )
            continue
        if len(value) != (64 if algorithm == "SHA-256" else 128):
            rejected.append(f"line {number}: {algorithm} digest of the wrong length")
            continue
        entries.append(HashEntry(algorithm=algorithm, value=value, name=name, line=number))
    if not entries:
        raise FormatError(
            "no usable SHA-256 or SHA-512 line" + (f" ({'; '.join(rejected[:3])})" if rejected else ""),
            Location(display),
        )
    return HashList(entries=tuple(entries), rejected=tuple(rejected))


def normalise_digest(value: str, where: str = "digest") -> tuple[str, str]:
    """(algorithm, lower-case hex) of a digest given by a person: ``sha256:HEX`` or bare hex."""
    text = value.strip().lower()
    if ":" in text:
        _, _, text = text.partition(":")
    if not re.fullmatch(r"[0-9a-f]+", text) or len(text) not in (64, 128):
        raise FormatError(f"not a SHA-256 or SHA-512 hex digest: {value!r}", Location(where))
    return ("SHA-256" if len(text) == 64 else "SHA-512"), text
