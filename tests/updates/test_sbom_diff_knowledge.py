"""The SBOM diff with the knowledge base as its vulnerability source (``core.updates.diff``,
``otvet update diff``), on imported OSV records of the corpus. SQLite and PostgreSQL.

Our own two SBOMs (``tests/assets/updates/sbom``) of a fictional gateway: golang.org/x/text
moves from v0.3.6 to v0.3.8 (GO-2021-0113 fixed in 0.3.7, GO-2022-1059 fixed in 0.3.8, read
from the records), containernetworking/cni stays at v0.8.0 (GO-2022-0230, fixed in 0.8.1), and
the update adds pires/go-proxyproto v0.6.0 (GO-2022-0233, fixed in 0.6.1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode
from otvet.core import updates
from otvet.knowledge import KnowledgeBase
from otvet.updates.sbom_diff import NOT_AVAILABLE

pytestmark = pytest.mark.corpus

NOW = datetime(2026, 11, 21, tzinfo=UTC)
RECORDS = ("GO-2021-0113", "GO-2022-1059", "GO-2022-0230", "GO-2022-0233")


@pytest.fixture
def store(db_url: str, corpus: Path, tmp_path: Path) -> str:
    folder = tmp_path / "osv"
    folder.mkdir()
    for record in RECORDS:
        (folder / f"{record}.json").write_bytes((corpus / "osv" / "go" / f"{record}.json").read_bytes())
    knowledge = KnowledgeBase.open(db_url)
    try:
        assert knowledge.import_data("osv", folder, now=NOW).added == len(RECORDS)
    finally:
        knowledge.close()
    return db_url


@pytest.fixture
def sboms(asset: Callable[[str], Path]) -> tuple[Path, Path]:
    return asset("updates/sbom/tg-1.0.0.cdx.json"), asset("updates/sbom/tg-1.1.0.cdx.json")


def test_fixed_introduced_and_remaining_from_imported_records(store: str, sboms: tuple[Path, Path]) -> None:
    diff = updates.diff(*sboms, knowledge_url=store, now=NOW)
    assert diff.vulnerabilities is not None
    assert diff.vulnerabilities.source.startswith("otvet knowledge base (OSV #1 osv")
    fixed = {(v.vulnerability, v.label) for v in diff.vulnerabilities.fixed}
    assert fixed == {
        ("CVE-2021-38561", "golang.org/x/text@v0.3.6"),
        ("CVE-2022-32149", "golang.org/x/text@v0.3.6"),
    }
    assert {(v.vulnerability, v.label) for v in diff.vulnerabilities.introduced} == {
        ("CVE-2021-23409", "github.com/pires/go-proxyproto@v0.6.0")
    }
    assert {v.vulnerability for v in diff.vulnerabilities.remaining} == {"CVE-2021-20206"}
    assert diff.vulnerability_note.startswith("2 fixed, 1 newly introduced, 1 still present")
    # tg-core has neither purl nor CPE: said, not silently counted as clean
    assert any("could not be checked" in p and "tg-core" in p for p in diff.problems)


def test_without_imported_data_the_diff_still_says_not_available(
    db_url: str, sboms: tuple[Path, Path], tmp_path: Path
) -> None:
    KnowledgeBase.open(db_url).close()  # an empty, migrated store
    diff = updates.diff(*sboms, knowledge_url=db_url, now=NOW)
    assert diff.vulnerabilities is None and diff.vulnerability_note == NOT_AVAILABLE
    absent = updates.diff(*sboms, knowledge_url=f"sqlite:///{tmp_path / 'absent.sqlite3'}", now=NOW)
    assert absent.vulnerabilities is None and not (tmp_path / "absent.sqlite3").exists()


def test_update_diff_command_uses_the_knowledge_base(
    store: str, sboms: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "diff.json"
    assert (
        main(["update", "diff", *map(str, sboms), "--knowledge-db", store, "-o", str(output)]) == ExitCode.OK
    )
    out = capsys.readouterr().out
    assert "fixed CVE-2021-38561 in golang.org/x/text@v0.3.6" in out
    assert "introduced CVE-2021-23409 in github.com/pires/go-proxyproto@v0.6.0" in out
    written = json.loads(output.read_text(encoding="utf-8"))
    assert len(written["vulnerabilities"]["fixed"]) == 2
    assert (
        main(["update", "diff", *map(str, sboms), "--knowledge-db", store, "--no-vulnerabilities"])
        == ExitCode.OK
    )
    assert NOT_AVAILABLE in capsys.readouterr().out
