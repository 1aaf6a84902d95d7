"""Safe materialisation of an untrusted bundle (zip or directory) into a private workspace.

Whatever the vendor sends is copied, entry by entry, into a directory otvet owns, and hashed
on the way, so the bytes analysed are exactly the bytes hashed and listed in the report.

Refused, each with a problem naming the entry (the rest of the bundle is still used):
absolute paths, ``..`` components, drive letters and backslash tricks (zip-slip), symbolic
and hard links, device files and FIFOs, encrypted entries, duplicate names, control
characters in names, too deep or too long paths, entries above the file size limit and
entries whose compression ratio marks a zip bomb. Bundle-wide caps (file count, total
uncompressed size) stop the intake with a problem saying where it stopped. Sizes are counted
while streaming, never trusted from headers.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from otvet.model import BundleError, LimitExceeded, Location, Problem
from otvet.safeio.limits import DEFAULT_LIMITS, Limits

_CHUNK = 1024 * 1024
_SMALL = 1024 * 1024  # ratios of entries below this size are not judged (tiny files compress well)


@dataclass(frozen=True)
class MaterialisedFile:
    """A file copied into the workspace."""

    path: str
    """POSIX path relative to the bundle root."""
    size: int
    sha256: str


@dataclass
class Materialised:
    """Result of materialising a bundle."""

    files: list[MaterialisedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_bytes: int = 0


def check_member_name(name: str, limits: Limits) -> str | tuple[str, ...]:
    """Validate an untrusted member name; return its safe parts or a reason string."""
    if not name:
        return "empty name"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "name contains control characters"
    if "\\" in name:
        return "name contains a backslash (Windows path separator)"
    if name.startswith("/"):
        return "absolute path"
    if len(name) > 1 and name[1] == ":" and name[0].isalpha():
        return "path with a drive letter"
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if not parts:
        return "empty name"
    if ".." in parts:
        return "path leaves the bundle ('..' component)"
    if len(parts) > limits.max_path_depth:
        return f"path is nested deeper than {limits.max_path_depth} directories"
    if len(name) > limits.max_path_length:
        return f"path is longer than {limits.max_path_length} characters"
    return parts


def _target(dest: Path, parts: tuple[str, ...]) -> Path:
    target = dest.joinpath(*parts)
    # Belt and braces: the checked parts cannot leave ``dest``, but verify the joined path too.
    if not target.resolve().is_relative_to(dest.resolve()):
        raise BundleError(f"refusing to write outside the workspace: {'/'.join(parts)}")
    return target


def _open_exclusive(target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.open(target, flags, 0o600)


def _bad_utf8_entries(zip_path: Path) -> list[str]:
    """Names flagged as UTF-8 in the central directory that are not valid UTF-8.

    ``zipfile`` refuses the whole archive on such a name without saying which entry; this scan
    of the central directory finds them so the error can name them.
    """
    data = zip_path.read_bytes() if zip_path.stat().st_size <= 64 * _CHUNK else b""
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(data):
        return []
    entries, _cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
    offset, bad = cd_offset, []
    for index in range(entries):
        if data[offset : offset + 4] != b"PK\x01\x02":
            break
        flags = struct.unpack_from("<H", data, offset + 8)[0]
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        raw = data[offset + 46 : offset + 46 + name_len]
        if flags & 0x800:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(f"entry #{index + 1} (raw name {raw!r})")
        offset += 46 + name_len + extra_len + comment_len
    return bad


def materialise_zip(
    zip_path: Path, dest: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Materialised:
    """Copy the safe entries of a zip archive into ``dest``."""
    shown = display or zip_path.name
    result = Materialised()
    try:
        archive = zipfile.ZipFile(zip_path)
    except UnicodeDecodeError:
        bad = _bad_utf8_entries(zip_path)
        detail = ", ".join(bad) if bad else "an entry name"
        raise BundleError(f"zip entry name is not valid UTF-8: {detail}", Location(shown)) from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BundleError(f"not a readable zip archive: {exc}", Location(shown)) from exc
    seen: set[str] = set()
    # Case-folded paths of the files copied so far and of every directory above them: a name
    # used as both (file 'a' and entry 'a/b') cannot be materialised, and the problem says so
    # instead of leaking the operating system's "File exists" on a workspace path.
    written: dict[str, str] = {}
    parents: dict[str, str] = {}
    with archive:
        infos = archive.infolist()
        for count, info in enumerate(infos, start=1):
            where = info.filename

            def refuse(reason: str, where: str = where) -> None:
                result.problems.append(Problem(path=shown, where=f"entry '{where}'", message=reason))

            if count > limits.max_files:
                result.problems.append(
                    Problem(
                        path=shown,
                        message=f"more than {limits.max_files} entries; "
                        f"the remaining {len(infos) - limits.max_files} were not read",
                    )
                )
                break
            checked = check_member_name(info.filename, limits)
            if isinstance(checked, str):
                refuse(f"refused: {checked}")
                continue
            file_type = stat.S_IFMT(info.external_attr >> 16)
            if info.create_system == 3 and file_type and file_type not in (stat.S_IFREG, stat.S_IFDIR):
                kind = "symbolic link" if file_type == stat.S_IFLNK else "special file"
                refuse(f"refused: {kind} (links and devices are never followed or created)")
                continue
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                refuse("refused: encrypted entry")
                continue
            # Names that differ only in case would collide on case-insensitive file systems.
            key = "/".join(checked).casefold()
            if key in seen:
                refuse("refused: duplicate entry name")
                continue
            seen.add(key)
            conflict = _path_conflict(checked, written, parents)
            if conflict is not None:
                refuse(f"refused: {conflict}")
                continue
            if info.file_size > limits.max_file_bytes:
                refuse(f"refused: {info.file_size} bytes exceeds the {limits.max_file_bytes} byte file limit")
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _SMALL and ratio > limits.max_compression_ratio:
                refuse(
                    f"refused: compression ratio {ratio:.0f}:1 exceeds {limits.max_compression_ratio:g}:1 (zip bomb)"
                )
                continue
            try:
                copied = _copy_entry(archive, info, dest, checked, limits, result.total_bytes)
            except LimitExceeded as exc:
                refuse(f"refused: {exc.message}")
                if "bundle" in exc.message:
                    result.problems.append(
                        Problem(
                            path=shown,
                            message="intake stopped at the bundle size limit; later entries were not read",
                        )
                    )
                    break
                continue
            except OSError as exc:
                # strerror only: the full message names the private workspace path.
                refuse(f"unreadable entry: {exc.strerror or type(exc).__name__}")
                continue
            except (zipfile.BadZipFile, EOFError, ValueError) as exc:
                refuse(f"unreadable entry: {exc}")
                continue
            written[key] = copied.path
            for depth in range(1, len(checked)):
                parents.setdefault("/".join(checked[:depth]).casefold(), copied.path)
            result.files.append(copied)
            result.total_bytes += copied.size
    return result


def _path_conflict(parts: tuple[str, ...], written: dict[str, str], parents: dict[str, str]) -> str | None:
    """Why ``parts`` cannot be written beside the files already written (None: it can)."""
    for depth in range(1, len(parts)):
        above = "/".join(parts[:depth]).casefold()
        if above in written:
            return f"'{written[above]}' is a file in this archive, so it cannot also be a directory"
    key = "/".join(parts).casefold()
    if key in parents:
        return f"'{'/'.join(parts)}' is a directory in this archive (it holds '{parents[key]}'), so it cannot also be a file"
    return None


def _copy_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    dest: Path,
    parts: tuple[str, ...],
    limits: Limits,
    total_so_far: int,
) -> MaterialisedFile:
    target = _target(dest, parts)
    fd = _open_exclusive(target)
    digest = hashlib.sha256()
    size = 0
    ok = False
    try:
        with os.fdopen(fd, "wb") as out, archive.open(info) as src:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_file_bytes or size > info.file_size:
                    raise LimitExceeded("entry inflates beyond its declared or allowed size")
                if total_so_far + size > limits.max_bundle_bytes:
                    raise LimitExceeded(f"bundle exceeds the {limits.max_bundle_bytes} byte bundle limit")
                ratio = size / max(info.compress_size, 1)
                if size > _SMALL and ratio > limits.max_compression_ratio:
                    raise LimitExceeded(
                        f"compression ratio above {limits.max_compression_ratio:g}:1 (zip bomb)"
                    )
                digest.update(chunk)
                out.write(chunk)
        ok = True
    finally:
        if not ok:
            target.unlink(missing_ok=True)
    return MaterialisedFile(path="/".join(parts), size=size, sha256=digest.hexdigest())


def materialise_directory(
    src: Path, dest: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Materialised:
    """Copy the regular files of a directory tree into ``dest``; never follow links."""
    shown = display or str(src)
    result = Materialised()
    stack: list[tuple[Path, tuple[str, ...]]] = [(src, ())]
    count = 0
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            where = "/".join(prefix) or "."
            result.problems.append(
                Problem(path=shown, where=where, message=f"cannot list directory: {exc.strerror}")
            )
            continue
        for entry in entries:
            rel = (*prefix, entry.name)
            rel_name = "/".join(rel)
            checked = check_member_name(rel_name, limits)
            if isinstance(checked, str):
                result.problems.append(Problem(path=shown, where=rel_name, message=f"refused: {checked}"))
                continue
            if entry.is_symlink():
                result.problems.append(
                    Problem(
                        path=shown,
                        where=rel_name,
                        message="refused: symbolic link (links are never followed)",
                    )
                )
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), rel))
                continue
            if not entry.is_file(follow_symlinks=False):
                result.problems.append(
                    Problem(path=shown, where=rel_name, message="refused: not a regular file")
                )
                continue
            count += 1
            if count > limits.max_files:
                result.problems.append(
                    Problem(path=shown, message=f"more than {limits.max_files} files; the rest were not read")
                )
                return result
            try:
                copied = _copy_file(Path(entry.path), dest, checked, limits, result.total_bytes)
            except LimitExceeded as exc:
                result.problems.append(Problem(path=shown, where=rel_name, message=f"refused: {exc.message}"))
                if "bundle" in exc.message:
                    return result
                continue
            except OSError as exc:
                result.problems.append(
                    Problem(path=shown, where=rel_name, message=f"unreadable: {exc.strerror or exc}")
                )
                continue
            result.files.append(copied)
            result.total_bytes += copied.size
    result.files.sort(key=lambda f: f.path)
    return result


def _copy_file(
    source: Path, dest: Path, parts: tuple[str, ...], limits: Limits, total_so_far: int
) -> MaterialisedFile:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    src_fd = os.open(source, flags)
    with os.fdopen(src_fd, "rb") as src:
        if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        target = _target(dest, parts)
        out_fd = _open_exclusive(target)
        digest = hashlib.sha256()
        size = 0
        ok = False
        try:
            with os.fdopen(out_fd, "wb") as out:
                while chunk := src.read(_CHUNK):
                    size += len(chunk)
                    if size > limits.max_file_bytes:
                        raise LimitExceeded(f"file exceeds the {limits.max_file_bytes} byte file limit")
                    if total_so_far + size > limits.max_bundle_bytes:
                        raise LimitExceeded(f"bundle exceeds the {limits.max_bundle_bytes} byte bundle limit")
                    digest.update(chunk)
                    out.write(chunk)
            ok = True
        finally:
            if not ok:
                target.unlink(missing_ok=True)
    return MaterialisedFile(path="/".join(parts), size=size, sha256=digest.hexdigest())


def materialise_file(
    source: Path, dest: Path, relative: str, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> MaterialisedFile:
    """Copy one extra evidence file into the workspace at ``relative`` (links are refused)."""
    shown = display or str(source)
    checked = check_member_name(relative, limits)
    if isinstance(checked, str):
        raise BundleError(f"refused: {checked}", Location(shown))
    if source.is_symlink():
        raise BundleError("refused: symbolic link (give the real file)", Location(shown))
    if not source.is_file():
        raise BundleError("no such file", Location(shown))
    try:
        return _copy_file(source, dest, checked, limits, 0)
    except LimitExceeded as exc:
        raise LimitExceeded(exc.message, Location(shown)) from None
    except OSError as exc:
        raise BundleError(f"cannot read: {exc.strerror or exc}", Location(shown)) from exc
