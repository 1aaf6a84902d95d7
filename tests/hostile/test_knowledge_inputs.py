"""Hostile import inputs: the knowledge base importers refuse them per member and go on."""

from __future__ import annotations

import gzip
import json
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from otvet.knowledge import KnowledgeBase, sources
from otvet.model import LimitExceeded
from tests.knowledge.conftest import NOW


@pytest.fixture
def sqlite_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    knowledge = KnowledgeBase.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    try:
        yield knowledge
    finally:
        knowledge.close()


RECORD = {
    "id": "TEST-0001",
    "modified": "2025-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2"}]}],
        }
    ],
}


def _zip(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def test_zip_slip_links_and_bombs_are_refused_per_member(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    good = json.dumps(RECORD).encode()
    bomb = json.dumps({**RECORD, "id": "TEST-BOMB", "details": " " * (4 * 1024 * 1024)}).encode()
    archive = _zip(
        tmp_path / "osv.zip",
        {"ok/TEST-0001.json": good, "../escape.json": good, "/abs.json": good, "bomb.json": bomb},
        links=("link.json",),
    )
    report = sqlite_kb.import_data("osv", archive, now=NOW)
    assert report.added == 1
    refused = {p.where: p.message for p in report.problems}
    assert "'..'" in refused["entry '../escape.json'"]
    assert "absolute" in refused["entry '/abs.json'"]
    assert "symbolic link" in refused["entry 'link.json'"]
    assert "zip bomb" in refused["entry 'bomb.json'"]


def test_yaml_aliases_are_refused(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "laughs.yaml").write_text("id: X-1\na: &a [1, 2]\nb: [*a, *a]\n")
    (folder / "fine.json").write_text(json.dumps(RECORD))
    report = sqlite_kb.import_data("osv", folder, now=NOW)
    assert report.added == 1
    assert any("anchors are not allowed" in p.message or "aliases" in p.message for p in report.problems)


def test_deeply_nested_record_is_refused(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "deep.json").write_text('{"id": "X", "x": ' + "[" * 5000 + "]" * 5000 + "}")
    report = sqlite_kb.import_data("osv", folder, now=NOW)
    assert report.added == 0 and report.problem_count == 1


def test_gzip_bomb_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "feed.json.gz"
    with gzip.open(path, "wb") as out:
        out.write(b" " * (2 * 1024 * 1024))
    with (
        sources.open_stream(path, cap=1024 * 1024) as stream,
        pytest.raises(LimitExceeded, match="decompresses"),
    ):
        stream.read()


def test_epss_garbage_is_refused_with_location(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "epss.csv"
    path.write_bytes(b"\x00\x01binary garbage\n")
    from otvet.model import InputError

    with pytest.raises(InputError, match=r"EPSS CSV|UTF-8|not valid"):
        sqlite_kb.import_data("epss", path, now=NOW)
