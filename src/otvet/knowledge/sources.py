"""Reading import inputs safely and in a stream: directories, zip archives, ``.gz``/``.xz`` files.

Data files come from outside (a mirror, a USB stick carried into the plant) and are treated
like any other untrusted input: zip members go through the same name checks as evidence
bundles (:func:`otvet.safeio.check_member_name`: no absolute paths, ``..``, backslashes,
control characters), links and encrypted members are refused, member sizes are counted while
reading and capped, and high compression ratios are refused as zip bombs. Compressed feeds
are decompressed in a stream with a cap on the decompressed size. Nothing is extracted to
disk and nothing is held in memory beyond one member or one record at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import lzma
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from otvet.model import FormatError, LimitExceeded, Location, Problem, Severity
from otvet.safeio import DEFAULT_LIMITS, Limits, check_member_name

MiB = 1024 * 1024

IMPORT_LIMITS = Limits(
    max_file_bytes=64 * MiB,
    max_files=5_000_000,
    max_path_depth=32,
    max_compression_ratio=200.0,
    max_nesting=64,
    max_seconds=3600.0,
)
"""Limits for data imports: one record file may be up to 64 MiB, archives may hold millions
of members (an OSV ecosystem dump holds hundreds of thousands)."""

MAX_FEED_BYTES = 8 * 1024 * MiB
"""Largest decompressed size of one feed file (NVD yearly feeds are a few hundred MiB)."""

_CHUNK = MiB


@dataclass(frozen=True)
class Member:
    """One record file of an import input."""

    name: str
    """Display name: the path relative to the input, or ``archive.zip!member``."""
    data: bytes


def digest_path(path: Path) -> str:
    """SHA-256 identifying an input: of the file, or of the sorted (path, file hash) list of a
    directory's regular files (links are not followed)."""
    if path.is_file():
        return _sha256_file(path)
    outer = hashlib.sha256()
    for relative, file in _walk(path):
        outer.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        outer.update(_sha256_file(file).encode("ascii") + b"\n")
    return outer.hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(root: Path, problems: list[Problem] | None = None) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root`` in a stable order, without following links.

    With ``problems``, what is not read is said there: links (never followed: a link could
    point anywhere on the importing machine), special files and unreadable directories.
    """
    stack = [root]
    found: list[tuple[str, Path]] = []

    def skipped(entry_path: str, reason: str) -> None:
        if problems is not None:
            shown = Path(entry_path).relative_to(root).as_posix() if entry_path != str(root) else "."
            problems.append(Problem(str(root), f"not read: {reason}", shown, Severity.WARNING, "import"))

    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            skipped(str(directory), f"unreadable directory ({exc.strerror or exc})")
            continue
        for entry in entries:
            if entry.is_symlink():
                skipped(entry.path, "symbolic link (links are not followed)")
            elif entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                found.append((Path(entry.path).relative_to(root).as_posix(), Path(entry.path)))
            else:
                skipped(entry.path, "not a regular file")
    found.sort()
    yield from found


def count_members(path: Path, suffixes: tuple[str, ...]) -> int | None:
    """How many record files an input holds (for the progress bar), when cheap to know."""
    if path.is_dir():
        return sum(1 for rel, _ in _walk(path) if rel.lower().endswith(suffixes))
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(1 for info in archive.infolist() if info.filename.lower().endswith(suffixes))
        except (zipfile.BadZipFile, OSError):
            return None
    return 1


def iter_members(
    path: Path, suffixes: tuple[str, ...], problems: list[Problem], *, limits: Limits = IMPORT_LIMITS
) -> Iterator[Member]:
    """Record files of a directory, a zip archive or a single file, one at a time.

    Refused members and unreadable files become :class:`Problem` entries in ``problems``;
    iteration continues with the next member.
    """
    if path.is_dir():
        for relative, file in _walk(path, problems):
            if not relative.lower().endswith(suffixes):
                continue
            try:
                if file.stat().st_size > limits.max_file_bytes:
                    problems.append(
                        Problem(
                            str(path),
                            f"refused: larger than {limits.max_file_bytes} bytes",
                            relative,
                            source="import",
                        )
                    )
                    continue
                yield Member(relative, file.read_bytes())
            except OSError as exc:
                problems.append(
                    Problem(str(path), f"unreadable: {exc.strerror or exc}", relative, source="import")
                )
        return
    if zipfile.is_zipfile(path):
        yield from _zip_members(path, suffixes, problems, limits)
        return
    with open_stream(path) as stream:
        data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(
            f"larger than the {limits.max_file_bytes} byte record file limit", Location(str(path))
        )
    yield Member(path.name, data)


def _zip_members(
    path: Path, suffixes: tuple[str, ...], problems: list[Problem], limits: Limits
) -> Iterator[Member]:
    shown = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"not a readable zip archive: {exc}", Location(shown)) from exc
    seen: set[str] = set()
    with archive:
        for count, info in enumerate(archive.infolist(), start=1):
            where = info.filename

            def refuse(reason: str, where: str = where) -> None:
                problems.append(Problem(shown, f"refused: {reason}", f"entry '{where}'", source="import"))

            if count > limits.max_files:
                problems.append(
                    Problem(
                        shown,
                        f"more than {limits.max_files} entries; the rest were not read",
                        source="import",
                    )
                )
                return
            if info.is_dir():
                continue
            checked = check_member_name(info.filename, limits)
            if isinstance(checked, str):
                refuse(checked)
                continue
            file_type = stat.S_IFMT(info.external_attr >> 16)
            if info.create_system == 3 and file_type and file_type != stat.S_IFREG:
                refuse("symbolic link or special file")
                continue
            if not info.filename.lower().endswith(suffixes):
                continue
            if info.flag_bits & 0x1:
                refuse("encrypted entry")
                continue
            key = "/".join(checked)
            if key in seen:
                refuse("duplicate entry name")
                continue
            seen.add(key)
            if info.file_size > limits.max_file_bytes:
                refuse(f"{info.file_size} bytes exceeds the {limits.max_file_bytes} byte record file limit")
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MiB and ratio > limits.max_compression_ratio:
                refuse(f"compression ratio {ratio:.0f}:1 (zip bomb)")
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(min(info.file_size, limits.max_file_bytes) + 1)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
                refuse(f"unreadable entry: {exc}")
                continue
            if len(data) > info.file_size:
                refuse("entry inflates beyond its declared size")
                continue
            yield Member(f"{path.name}!{key}", data)


class _CappedReader(io.RawIOBase):
    """A read-only stream that fails once more than ``cap`` bytes were read."""

    def __init__(self, inner: IO[bytes], cap: int, shown: str) -> None:
        self._inner = inner
        self._cap = cap
        self._shown = shown
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        self._count += len(data)
        if self._count > self._cap:
            raise LimitExceeded(f"decompresses to more than {self._cap} bytes", Location(self._shown))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_stream(path: Path, *, cap: int = MAX_FEED_BYTES) -> IO[bytes]:
    """Open a plain, ``.gz`` or ``.xz`` file as a decompressed, size-capped byte stream
    (the compression is recognised by its magic bytes, not the file name)."""
    with path.open("rb") as probe:
        magic = probe.read(6)
    # The returned stream owns (and closes) the opened file: no context manager here.
    inner: Any
    if magic.startswith(b"\x1f\x8b"):
        inner = gzip.open(path, "rb")  # noqa: SIM115
    elif magic.startswith(b"\xfd7zXZ\x00"):
        inner = lzma.open(path, "rb")  # noqa: SIM115
    else:
        inner = path.open("rb")
    return io.BufferedReader(_CappedReader(inner, cap, str(path)), buffer_size=_CHUNK)


def check_nesting(value: Any, limit: int, where: Location) -> None:
    """Refuse records nested deeper than ``limit`` (checked iteratively)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise LimitExceeded(f"record nesting is deeper than {limit}", where)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


__all__ = [
    "DEFAULT_LIMITS",
    "IMPORT_LIMITS",
    "Member",
    "check_nesting",
    "count_members",
    "digest_path",
    "iter_members",
    "open_stream",
]
