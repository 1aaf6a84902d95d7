"""Hostile evidence bundles: every trick gives a clear problem naming the entry, and nothing
outside the bundle is ever read or written."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from otvet.catalog import load_catalog
from otvet.intake import build_bundle
from otvet.model import ArtifactKind, BundleError, EvidenceBundle
from otvet.safeio import Limits

SBOM = b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}'


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return path


def _intake(tmp_path: Path, source: Path, limits: Limits | None = None) -> EvidenceBundle:
    root = tmp_path / "workspace" / "bundle"
    root.mkdir(parents=True)
    return build_bundle(source, root, load_catalog(), limits=limits or Limits())


def _problems(bundle: EvidenceBundle) -> str:
    return "\n".join(str(p) for p in bundle.problems)


def _files_under(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}


def test_zip_slip_is_refused_and_nothing_is_written_outside(tmp_path: Path) -> None:
    source = _zip(
        tmp_path / "b.zip",
        [("../escaped.txt", b"pwned"), ("a/../../escaped2.txt", b"pwned"), ("sbom.json", SBOM)],
    )
    bundle = _intake(tmp_path, source)
    text = _problems(bundle)
    assert "entry '../escaped.txt'" in text and "leaves the bundle" in text
    assert "entry 'a/../../escaped2.txt'" in text
    assert [a.path for a in bundle.artifacts] == ["sbom.json"]
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "workspace" / "escaped.txt").exists()
    assert not (tmp_path / "escaped2.txt").exists()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/etc/otvet-absolute.txt", "absolute path"),
        ("C:/Windows/evil.txt", "drive letter"),
        ("..\\..\\evil.txt", "backslash"),
        ("ok/\x07bell.txt", "control characters"),
    ],
)
def test_dangerous_names_are_refused(tmp_path: Path, name: str, reason: str) -> None:
    info = zipfile.ZipInfo(name)
    source = _zip(tmp_path / "b.zip", [(info, b"x"), ("sbom.json", SBOM)])
    bundle = _intake(tmp_path, source)
    assert reason in _problems(bundle)
    assert f"entry '{name}'" in _problems(bundle)
    assert _files_under(tmp_path / "workspace" / "bundle") == {"sbom.json"}


def test_symlink_entries_are_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("link-to-passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    source = _zip(tmp_path / "b.zip", [(link, b"/etc/passwd"), ("sbom.json", SBOM)])
    bundle = _intake(tmp_path, source)
    assert "entry 'link-to-passwd'" in _problems(bundle)
    assert "symbolic link" in _problems(bundle)
    assert not (tmp_path / "workspace" / "bundle" / "link-to-passwd").exists()


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    source = _zip(tmp_path / "b.zip", [("bomb.bin", b"\0" * (8 * 1024 * 1024)), ("sbom.json", SBOM)])
    bundle = _intake(tmp_path, source, Limits(max_compression_ratio=100))
    assert "entry 'bomb.bin'" in _problems(bundle)
    assert "zip bomb" in _problems(bundle)
    assert [a.path for a in bundle.artifacts] == ["sbom.json"]


def test_size_is_counted_while_inflating_not_trusted_from_headers(tmp_path: Path) -> None:
    # An entry whose header claims a small size but inflates to more is stopped while streaming.
    data = os.urandom(256 * 1024)
    path = _zip(tmp_path / "b.zip", [("big.bin", data)])
    raw = bytearray(path.read_bytes())
    size = len(data).to_bytes(4, "little")
    small = (1024).to_bytes(4, "little")
    raw = bytearray(bytes(raw).replace(size, small))  # local and central header sizes
    path.write_bytes(bytes(raw))
    bundle = _intake(tmp_path, path)
    assert "entry 'big.bin'" in _problems(bundle)
    assert not bundle.artifacts


def test_bundle_size_cap_stops_intake(tmp_path: Path) -> None:
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = [(f"f{i}.bin", os.urandom(40_000)) for i in range(5)]
    source = _zip(tmp_path / "b.zip", entries)
    bundle = _intake(tmp_path, source, Limits(max_bundle_bytes=100_000))
    assert "bundle size limit" in _problems(bundle)
    assert len(bundle.artifacts) == 2


def test_too_many_files(tmp_path: Path) -> None:
    source = _zip(tmp_path / "b.zip", [(f"doc{i}.txt", b"hello") for i in range(25)])
    bundle = _intake(tmp_path, source, Limits(max_files=10))
    assert "more than 10 entries" in _problems(bundle)
    assert len(bundle.artifacts) == 10


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sbom.json", SBOM)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr(
                "sbom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{}]}'
            )
    source = tmp_path / "b.zip"
    source.write_bytes(buffer.getvalue())
    bundle = _intake(tmp_path, source)
    assert "duplicate entry name" in _problems(bundle)
    assert len(bundle.artifacts) == 1


@pytest.mark.parametrize(
    ("entries", "refused", "message"),
    [
        (["a", "a/b"], "a/b", "'a' is a file in this archive"),
        (["docs/a", "docs/a/b/c.md"], "docs/a/b/c.md", "'docs/a' is a file in this archive"),
        (["a/b", "a"], "a", "'a' is a directory in this archive (it holds 'a/b')"),
        (["A", "a/b"], "a/b", "'A' is a file in this archive"),
    ],
)
def test_a_name_used_as_file_and_directory_is_explained(
    tmp_path: Path, entries: list[str], refused: str, message: str
) -> None:
    source = _zip(tmp_path / "b.zip", [(name, SBOM) for name in entries])
    bundle = _intake(tmp_path, source)
    text = _problems(bundle)
    assert f"entry '{refused}': refused: {message}" in text
    assert "Errno" not in text and str(tmp_path / "workspace") not in text  # no OS error, no workspace path
    assert [a.path for a in bundle.artifacts] == [n for n in entries if n != refused]


def test_encrypted_entries_are_refused(tmp_path: Path) -> None:
    # zipfile cannot write encrypted entries: set the "encrypted" flag bit in both headers.
    path = _zip(tmp_path / "b.zip", [("secret.txt", b"x")])
    raw = bytearray(path.read_bytes())
    raw[6] |= 0x1  # local file header, general purpose flag
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x1
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("sbom.json", SBOM)
    bundle = _intake(tmp_path, path)
    assert "entry 'secret.txt'" in _problems(bundle) and "encrypted" in _problems(bundle)
    assert [a.path for a in bundle.artifacts] == ["sbom.json"]


def test_deep_paths_are_refused(tmp_path: Path) -> None:
    deep = "/".join(["d"] * 40) + "/x.txt"
    source = _zip(tmp_path / "b.zip", [(deep, b"x")])
    bundle = _intake(tmp_path, source)
    assert "nested deeper than 32" in _problems(bundle)


def test_invalid_utf8_entry_name_names_the_entry(tmp_path: Path) -> None:
    path = _zip(tmp_path / "b.zip", [("sbom.json", SBOM), ("caf\u00e9.txt", b"x")])
    # zipfile marks the non-ASCII name as UTF-8; corrupt its bytes into invalid UTF-8.
    path.write_bytes(path.read_bytes().replace("caf\u00e9".encode(), b"caf\xc3\x28"))
    with pytest.raises(BundleError) as info:
        _intake(tmp_path, path)
    assert "not valid UTF-8" in str(info.value)
    assert "entry #2" in str(info.value)


def test_not_a_zip_and_not_a_directory(tmp_path: Path) -> None:
    source = tmp_path / "bundle.tar"
    source.write_bytes(b"not an archive at all")
    with pytest.raises(BundleError, match="directory or a zip archive"):
        _intake(tmp_path, source)


def test_truncated_zip_is_a_clear_error(tmp_path: Path) -> None:
    path = _zip(tmp_path / "b.zip", [("sbom.json", SBOM)])
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(BundleError, match="not a readable zip archive"):
        _intake(tmp_path, path)


def test_directory_symlinks_are_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("Contact: mailto:secret@example.com\nExpires: 2030-01-01T00:00:00Z\n", encoding="utf-8")
    source = tmp_path / "bundle"
    source.mkdir()
    (source / "sbom.json").write_bytes(SBOM)
    (source / "security.txt").symlink_to(secret)
    (source / "etc").symlink_to(tmp_path, target_is_directory=True)
    bundle = _intake(tmp_path, source)
    assert [a.path for a in bundle.artifacts] == ["sbom.json"]
    text = _problems(bundle)
    assert "security.txt: refused: symbolic link" in text
    assert "etc: refused: symbolic link" in text


def test_directory_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    source = tmp_path / "bundle"
    source.mkdir()
    os.mkfifo(source / "pipe")
    (source / "sbom.json").write_bytes(SBOM)
    bundle = _intake(tmp_path, source)
    assert "pipe: refused: not a regular file" in _problems(bundle)


def test_bad_text_encoding_in_manifest_names_file_and_position(tmp_path: Path) -> None:
    source = tmp_path / "bundle"
    source.mkdir()
    (source / "otvet-bundle.yaml").write_bytes(
        "otvet_bundle: 1\nproduct:\n  vendor: M\xfcller GmbH\n".encode("latin-1")
    )
    bundle = _intake(tmp_path, source)
    problem = next(p for p in bundle.problems if p.path == "otvet-bundle.yaml")
    assert "not valid UTF-8" in problem.message
    assert problem.where == "line 3 column 12"


def test_every_artifact_is_hashed_and_listed(tmp_path: Path) -> None:
    source = tmp_path / "bundle"
    (source / "docs").mkdir(parents=True)
    (source / "sbom.json").write_bytes(SBOM)
    (source / "docs" / "policy.md").write_text("# Policy\n", encoding="utf-8")
    bundle = _intake(tmp_path, source)
    import hashlib

    listed = {a.path: a.sha256 for a in bundle.artifacts}
    assert listed == {
        "sbom.json": hashlib.sha256(SBOM).hexdigest(),
        "docs/policy.md": hashlib.sha256(b"# Policy\n").hexdigest(),
    }
    assert bundle.find("sbom.json") is not None and bundle.find("sbom.json").kind is ArtifactKind.SBOM  # type: ignore[union-attr]


def test_extra_evidence_joins_the_bundle_and_links_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "bundle"
    source.mkdir()
    (source / "sbom.json").write_bytes(SBOM)
    extra = tmp_path / "probe.json"
    extra.write_text('{"otvet_probe": 1, "checks": []}', encoding="utf-8")
    root = tmp_path / "workspace" / "bundle"
    root.mkdir(parents=True)
    bundle = build_bundle(source, root, load_catalog(), extra=[extra])
    added = bundle.find("extra/probe.json")
    assert added is not None and added.kind is ArtifactKind.PROBE_RESULT
    link = tmp_path / "link.json"
    link.symlink_to(extra)
    other = tmp_path / "workspace2" / "bundle"
    other.mkdir(parents=True)
    with pytest.raises(BundleError, match="symbolic link"):
        build_bundle(source, other, load_catalog(), extra=[link])
