"""Hostile and broken CSAF inputs: every bad file is reported with its name (and JSON pointer and
test id for invalid documents) while the import goes on; invalid CSAF is stored flagged, never
silently dropped; a document that does not match its hash file is not imported."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from otvet.knowledge import KnowledgeBase, store
from otvet.model import Severity
from tests.knowledge.conftest import CISA, NOW

pytestmark = pytest.mark.corpus

GOOD = "2018/icsa-18-095-02.json"


@pytest.fixture
def sqlite_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    knowledge = KnowledgeBase.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    try:
        yield knowledge
    finally:
        knowledge.close()


def _good(corpus: Path) -> bytes:
    return (corpus / CISA / GOOD).read_bytes()


def test_bad_files_are_reported_and_the_rest_imported(
    sqlite_kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "dist"
    folder.mkdir()
    good = _good(corpus)
    (folder / "good.json").write_bytes(good)
    (folder / "good.json.sha512").write_text(f"{hashlib.sha512(good).hexdigest()}  good.json\n")
    (folder / "broken.json").write_text('{"document": {', encoding="utf-8")
    (folder / "not-csaf.json").write_text('{"hello": "world"}', encoding="utf-8")
    (folder / "old.json").write_text(json.dumps({"document": {"csaf_version": "1.2"}}), encoding="utf-8")
    (folder / "provider-metadata.json").write_text(
        json.dumps(
            {
                "canonical_url": "https://example.com/.well-known/csaf/provider-metadata.json",
                "role": "csaf_provider",
            }
        ),
        encoding="utf-8",
    )
    # altered after hashing: must not be imported
    tampered = json.loads(good)
    tampered["document"]["tracking"]["id"] = "ICSA-18-095-99"
    tampered_bytes = json.dumps(tampered).encode()
    (folder / "tampered.json").write_bytes(tampered_bytes)
    (folder / "tampered.json.sha512").write_text(f"{hashlib.sha512(good).hexdigest()}  tampered.json\n")
    # invalid CSAF: a product status names a product id the tree does not define (test 6.1.1)
    invalid = json.loads(good)
    invalid["document"]["tracking"]["id"] = "ICSA-18-095-98"
    invalid["vulnerabilities"][0]["product_status"]["known_affected"].append("CSAFPID-9999")
    (folder / "invalid.json").write_text(json.dumps(invalid), encoding="utf-8")

    report = sqlite_kb.import_data("csaf", folder, now=NOW)

    assert report.records == 2 and report.added == 2  # good.json and invalid.json
    by_file: dict[str, list[str]] = {}
    for problem in report.problems:
        by_file.setdefault((problem.where or "").split(" ")[0].removesuffix(".sha512"), []).append(
            problem.message
        )
    assert "not valid JSON" in by_file["broken.json"][0]
    assert "not a CSAF document" in by_file["not-csaf.json"][0]
    assert "not a CSAF 2.0 or 2.1 document" in by_file["old.json"][0]
    assert "does not match its SHA512 hash file" in by_file["tampered.json"][0]
    invalid_problems = [p for p in report.problems if (p.where or "").startswith("invalid.json")]
    assert any(
        "[CSAF 6.1.1]" in p.message
        and p.where == "invalid.json /vulnerabilities/0/product_status/known_affected/1"
        for p in invalid_problems
    ), invalid_problems
    assert "provider-metadata.json" not in by_file and "provider or aggregator metadata" in (
        report.note or ""
    )
    assert "1 document(s) failed CSAF validation" in (report.note or "")
    with sqlite_kb.engine.connect() as conn:
        rows = {r.tracking_id: r for r in conn.execute(sa.select(store.advisory))}
    assert set(rows) == {"ICSA-18-095-02", "ICSA-18-095-98"}
    assert rows["ICSA-18-095-02"].valid and not rows["ICSA-18-095-98"].valid
    assert "6.1.1" in rows["ICSA-18-095-98"].validation_issues


def test_unreadable_hash_file_is_a_warning_not_a_refusal(
    sqlite_kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "a.json").write_bytes(_good(corpus))
    (folder / "a.json.sha256").write_text("not a digest\n")
    report = sqlite_kb.import_data("csaf", folder, now=NOW)
    assert report.added == 1
    (problem,) = report.problems
    assert problem.severity is Severity.WARNING and problem.where == "a.json.sha256"


def test_zip_members_that_escape_are_refused(sqlite_kb: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    archive = tmp_path / "csaf.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("2018/icsa-18-095-02.json", _good(corpus))
        out.writestr("../escape.json", _good(corpus))
    report = sqlite_kb.import_data("csaf", archive, now=NOW)
    assert report.added == 1
    assert any("refused" in p.message and "../escape.json" in (p.where or "") for p in report.problems)


def test_deeply_nested_document_is_refused(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    report = sqlite_kb.import_data("csaf", folder, now=NOW)
    assert report.records == 0 and report.problem_count == 1
    assert report.problems[0].where is not None and report.problems[0].where.startswith("deep.json")


def test_single_file_is_checked_against_its_hash_file(
    sqlite_kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    good = _good(corpus)
    changed = good.replace(b"MXview", b"MXvieW", 1)
    document = tmp_path / "icsa-18-095-02.json"
    document.write_bytes(changed)
    (tmp_path / "icsa-18-095-02.json.sha512").write_text(
        f"{hashlib.sha512(good).hexdigest()}  icsa-18-095-02.json\n"
    )
    report = sqlite_kb.import_data("csaf", document, now=NOW)
    assert report.records == 0 and "does not match" in report.problems[0].message
