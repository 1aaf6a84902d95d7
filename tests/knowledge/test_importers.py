"""Importers: idempotent, updating, reporting malformed records, every accepted input shape.

Runs against SQLite and PostgreSQL (``kb`` fixture). EPSS fixtures are our own small files in
``tests/assets/epss`` (FIRST's format, written by us); everything else is real public data.
"""

from __future__ import annotations

import gzip
import json
import lzma
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from otvet.knowledge import KnowledgeBase
from tests.knowledge.conftest import NOW, component, sbom

pytestmark = pytest.mark.corpus


def _go_sample(corpus: Path, target: Path, count: int = 40) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    files = sorted((corpus / "osv" / "go").glob("GO-2022-*.json"))[:count]
    for path in files:
        (target / path.name).write_bytes(path.read_bytes())
    return files


def test_same_input_twice_changes_nothing(kb: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    _go_sample(corpus, tmp_path / "go")
    first = kb.import_data("osv", tmp_path / "go", now=NOW)
    assert first.added == 40 and first.changed
    counts = kb.counts()
    second = kb.import_data("osv", tmp_path / "go", now=NOW)
    assert second.already_imported and not second.changed
    assert kb.counts() == counts
    assert len(kb.data_sets(NOW)) == 1


def test_same_records_in_another_file_are_unchanged(kb: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    files = _go_sample(corpus, tmp_path / "go", 10)
    kb.import_data("osv", tmp_path / "go", now=NOW)
    archive = tmp_path / "go.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in files:
            out.write(path, path.name)
    report = kb.import_data("osv", archive, now=NOW)
    assert (report.records, report.added, report.updated, report.unchanged) == (10, 0, 0, 10)


def test_newer_record_updates_and_older_one_is_kept_out(
    kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    source = corpus / "osv" / "go" / "GO-2020-0001.json"
    record = json.loads(source.read_text())
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "GO-2020-0001.json").write_text(
        json.dumps({**record, "modified": "2024-01-01T00:00:00Z"})
    )
    kb.import_data("osv", tmp_path / "v1", now=NOW)
    gin_old = component("gin", "1.6.5", purl="pkg:golang/github.com/gin-gonic/gin@1.6.5")
    assert kb.match(sbom(gin_old), now=NOW).matches == ()  # fixed in 1.6.0
    newer = json.loads(json.dumps(record))
    newer["modified"] = "2025-01-01T00:00:00Z"
    newer["affected"][0]["ranges"][0]["events"] = [{"introduced": "0"}, {"fixed": "1.7.0"}]
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "GO-2020-0001.json").write_text(json.dumps(newer))
    report = kb.import_data("osv", tmp_path / "v2", now=NOW)
    assert (report.updated, report.added) == (1, 0)
    assert [m.vulnerability for m in kb.match(sbom(gin_old), now=NOW).matches] == ["CVE-2020-36567"]
    older = {**record, "modified": "2023-01-01T00:00:00Z"}
    (tmp_path / "v0").mkdir()
    (tmp_path / "v0" / "GO-2020-0001.json").write_text(json.dumps(older))
    report = kb.import_data("osv", tmp_path / "v0", now=NOW)
    assert (report.older, report.updated) == (1, 0)
    assert len(kb.match(sbom(gin_old), now=NOW).matches) == 1


def test_malformed_record_is_reported_and_the_import_continues(
    kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    _go_sample(corpus, tmp_path / "go", 5)
    (tmp_path / "go" / "broken.json").write_text(
        '{"id": "GO-9999-0001", "affected": [{"package": {"name": "x"}}]}'
    )
    (tmp_path / "go" / "notjson.json").write_text("{ nope")
    (tmp_path / "go" / "events.json").write_text(
        json.dumps(
            {
                "id": "GO-9999-0002",
                "affected": [
                    {
                        "package": {"ecosystem": "Go", "name": "x"},
                        "ranges": [{"type": "SEMVER", "events": [{"fixed": "1"}]}],
                    }
                ],
            }
        )
    )
    report = kb.import_data("osv", tmp_path / "go", now=NOW)
    assert report.added == 5
    messages = {(p.where or "").split(" record ")[0]: p.message for p in report.problems}
    assert "ecosystem" in messages["broken.json"]
    assert "not valid JSON" in messages["notjson.json"]
    assert "introduced" in messages["events.json"]
    assert any("GO-9999-0001" in (p.where or "") for p in report.problems)


def _feeds(corpus: Path, tmp_path: Path) -> dict[str, Path]:
    records = [json.loads(p.read_text()) for p in sorted((corpus / "nvd").glob("CVE-*.json"))]
    api = {
        "resultsPerPage": len(records),
        "startIndex": 0,
        "totalResults": len(records),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2026-06-20T00:00:00.000",
        "vulnerabilities": [{"cve": r} for r in records],
    }
    fkie = {
        "timestamp": "2026-06-20T00:00:00",
        "cve_count": len(records),
        "feed_name": "CVE-all",
        "cve_items": records,
    }
    out = {
        "api.json": tmp_path / "nvdcve-2.0-all.json",
        "api.json.gz": tmp_path / "nvdcve-2.0-all.json.gz",
        "fkie.json.xz": tmp_path / "CVE-all.json.xz",
    }
    out["api.json"].write_text(json.dumps(api))
    out["api.json.gz"].write_bytes(gzip.compress(json.dumps(api).encode()))
    out["fkie.json.xz"].write_bytes(lzma.compress(json.dumps(fkie).encode()))
    return out


@pytest.mark.parametrize("shape", ["api.json", "api.json.gz", "fkie.json.xz"])
def test_nvd_feed_shapes(shape: str, sqlite_kb: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    path = _feeds(corpus, tmp_path)[shape]
    report = sqlite_kb.import_data("nvd", path, now=NOW)
    assert (report.records, report.added, report.problem_count) == (35, 35, 0)
    openssl = component("openssl", "1.1.1k", cpe="cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*")
    assert "CVE-2023-0286" in {m.vulnerability for m in sqlite_kb.match(sbom(openssl), now=NOW).matches}


def test_nvd_single_record_and_directory_agree(sqlite_kb: KnowledgeBase, corpus: Path) -> None:
    single = sqlite_kb.import_data("nvd", corpus / "nvd" / "CVE-2023-0286.json", now=NOW)
    assert (single.records, single.added) == (1, 1)
    directory = sqlite_kb.import_data("nvd", corpus / "nvd", now=NOW)
    assert (directory.added, directory.unchanged) == (34, 1)


def test_kev_snapshot_and_merge_with_matches(kb: KnowledgeBase, corpus: Path) -> None:
    kb.import_data("nvd", corpus / "nvd" / "CVE-2021-44228.json", now=NOW)
    report = kb.import_data("kev", corpus / "kev" / "known_exploited_vulnerabilities.json", now=NOW)
    catalog = json.loads((corpus / "kev" / "known_exploited_vulnerabilities.json").read_text())
    assert report.records == catalog["count"] == report.added
    log4j = component("log4j-core", "2.14.1", cpe="cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")
    (match,) = kb.match(sbom(log4j), now=NOW).matches
    assert match.kev and match.kev_date_added == "2021-12-10"
    again = kb.import_data("kev", corpus / "kev" / "known_exploited_vulnerabilities.json", now=NOW)
    assert again.already_imported


def test_older_kev_catalog_does_not_replace_a_newer_one(
    kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    kb.import_data("kev", corpus / "kev" / "known_exploited_vulnerabilities.json", now=NOW)
    catalog = json.loads((corpus / "kev" / "known_exploited_vulnerabilities.json").read_text())
    catalog["dateReleased"] = "2024-01-01T00:00:00.000Z"
    catalog["vulnerabilities"] = catalog["vulnerabilities"][:10]
    old = tmp_path / "kev-old.json"
    old.write_text(json.dumps(catalog))
    report = kb.import_data("kev", old, now=NOW)
    assert not report.changed and report.note is not None and "newer KEV catalog" in report.note
    assert (
        kb.counts()["KEV entries"]
        == json.loads((corpus / "kev" / "known_exploited_vulnerabilities.json").read_text())["count"]
    )


def test_epss_plain_and_gzip_with_bad_rows_reported(
    kb: KnowledgeBase, corpus: Path, asset: Callable[[str], Path]
) -> None:
    kb.import_data("nvd", corpus / "nvd" / "CVE-2021-44228.json", now=NOW)
    report = kb.import_data("epss", asset("epss/epss_scores-2026-06-30.csv.gz"), now=NOW)
    assert report.records == 4
    assert sorted(p.where or "" for p in report.problems) == ["line 7", "line 8"]
    log4j = component("log4j-core", "2.14.1", cpe="cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")
    (match,) = kb.match(sbom(log4j), now=NOW).matches
    assert match.epss == pytest.approx(0.94358) and match.epss_percentile == pytest.approx(0.9995)
    older = kb.import_data("epss", asset("epss/epss_scores-2026-05-01.csv"), now=NOW)
    assert not older.changed and older.note is not None and "newer EPSS" in older.note
    same_plain = kb.import_data("epss", asset("epss/epss_scores-2026-06-30.csv"), now=NOW)
    assert same_plain.records == 4  # same snapshot, other file: re-read, same scores
    assert kb.counts()["EPSS scores"] == 4


def test_data_sets_name_their_age(kb: KnowledgeBase, corpus: Path) -> None:
    kb.import_data("kev", corpus / "kev" / "known_exploited_vulnerabilities.json", now=NOW)
    (kev,) = kb.data_sets(NOW)
    assert kev.source == "kev" and kev.data_date is not None
    assert kev.age_days == pytest.approx((NOW - kev.data_date).total_seconds() / 86400, abs=0.1)


def test_a_record_id_twice_in_one_import_keeps_the_first_and_says_so(
    kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    record = json.loads((corpus / "osv" / "go" / "GO-2020-0001.json").read_text())
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first.json").write_text(json.dumps(record))
    (tmp_path / "a" / "second.json").write_text(json.dumps({**record, "summary": "another copy"}))
    report = kb.import_data("osv", tmp_path / "a", now=NOW)
    assert (report.added, report.problem_count) == (1, 1)
    assert "duplicate" in report.problems[0].message and "second.json" in (report.problems[0].where or "")


def _osv_record(tmp_path: Path, record: dict[str, object]) -> Path:
    folder = tmp_path / "osv"
    folder.mkdir(exist_ok=True)
    (folder / f"{record['id']}.json").write_text(json.dumps(record))
    return folder


def test_fixed_versions_come_from_the_range_that_matched_and_never_from_git(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    record = {
        "id": "PYSEC-9999-1",
        "modified": "2025-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo-lib"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.1"}]},
                    {
                        "type": "GIT",
                        "repo": "https://example.invalid/demo",
                        "events": [
                            {"introduced": "0"},
                            {"fixed": "0123456789abcdef0123456789abcdef01234567"},
                        ],
                    },
                ],
                "versions": ["1.2", "2.0.1"],
            }
        ],
    }
    kb.import_data("osv", _osv_record(tmp_path, record), now=NOW)
    old = component("demo-lib", "1.3", purl="pkg:pypi/demo-lib@1.3")
    new = component("demo-lib", "2.0.1", purl="pkg:pypi/demo-lib@2.0.1")
    found = {m.component_ref: m for m in kb.match(sbom(old, new), now=NOW).matches}
    assert found[old.ref].fixed_versions == ("1.4",)
    # 2.0.1 is listed verbatim; its fix is the one of the range that contains it.
    assert found[new.ref].fixed_versions == ("2.1",)
    assert all("0123456789" not in v for m in found.values() for v in m.fixed_versions)


def test_a_listed_version_matches_only_as_a_whole_list_element(kb: KnowledgeBase, tmp_path: Path) -> None:
    record = {
        "id": "PYSEC-9999-2",
        "modified": "2025-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "odd"}, "versions": ["1.0", "2.0", "11.0"]}],
    }
    kb.import_data("osv", _osv_record(tmp_path, record), now=NOW)
    listed = component("odd", "2.0", purl="pkg:pypi/odd@2.0", ref="listed")
    # "," spans the boundary between two list elements in the stored JSON text;
    # "1.0" must not be found inside "11.0".
    boundary = component("odd", ",", purl="pkg:pypi/odd@%2C", ref="boundary")
    inside = component("odd", "1.0.1", purl="pkg:pypi/odd@1.0.1", ref="inside")
    refs = {m.component_ref for m in kb.match(sbom(listed, boundary, inside), now=NOW).matches}
    assert refs == {"listed"}


def test_links_in_an_import_directory_are_reported_not_followed(
    sqlite_kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "go"
    _go_sample(corpus, folder, 3)
    outside = tmp_path / "outside.json"
    outside.write_text((corpus / "osv" / "go" / "GO-2020-0001.json").read_text())
    (folder / "linked.json").symlink_to(outside)
    (folder / "linked-dir").symlink_to(tmp_path)
    report = sqlite_kb.import_data("osv", folder, now=NOW)
    assert report.added == 3
    skipped = {p.where: p.message for p in report.problems}
    assert skipped["linked.json"] == "not read: symbolic link (links are not followed)"
    assert skipped["linked-dir"] == "not read: symbolic link (links are not followed)"
