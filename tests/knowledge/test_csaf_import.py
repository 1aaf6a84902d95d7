"""CSAF importer on real advisories: per-vendor subsets of the CISA ICS advisories, stored with
their product trees, vulnerabilities, statuses and remediations; idempotent; newer revisions
replace older ones. Runs against SQLite and PostgreSQL (``kb`` fixture)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from otvet.knowledge import KnowledgeBase, store
from otvet.knowledge.sources import digest_path
from tests.knowledge.conftest import CISA, NOW, cisa_subset

pytestmark = pytest.mark.corpus


def _raw(corpus: Path, name: str) -> dict:  # type: ignore[type-arg]
    data: dict = json.loads((corpus / CISA / name).read_bytes())  # type: ignore[type-arg]
    return data


def test_vendor_subset_is_stored_with_products_statuses_and_remediations(
    kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    copied = cisa_subset(corpus, tmp_path / "moxa", vendors=("Moxa",))
    # every advisory of 2017-2023 whose vendor branch says "Moxa" (25) or "MOXA" (ICSA-22-207-04,
    # and ICSA-21-278-03 whose vendor is "Moxa Inc.")
    assert len(copied) == 27 and "2022/icsa-22-207-04.json" in copied
    report = kb.import_data("csaf", tmp_path / "moxa", now=NOW)
    assert (report.records, report.added, report.problem_count) == (27, 27, 0), report.problems
    assert report.sha256 == digest_path(tmp_path / "moxa")
    counts = kb.counts()
    assert counts["CSAF advisories"] == 27
    raw = [_raw(corpus, name) for name in copied]
    assert counts["advisory vulnerabilities"] == sum(len(d["vulnerabilities"]) for d in raw)
    (data_set,) = kb.data_sets(NOW)
    assert (data_set.source, data_set.records, data_set.sha256) == ("csaf", 27, report.sha256)
    newest = max(d["document"]["tracking"]["current_release_date"] for d in raw)
    assert data_set.data_date is not None and data_set.data_date.isoformat()[:10] == newest[:10]

    # ICSA-17-320-01 read by hand: NPort 5150 "<= 3.7", NPort 5110 versions 2.4/2.7/2.6/2.2,
    # NPort 5130 "<= 3.7"; three CVEs, each known_affected for all six products, one vendor_fix each.
    with kb.engine.connect() as conn:
        a = store.advisory
        row = conn.execute(sa.select(a).where(a.c.tracking_id == "ICSA-17-320-01")).one()
        assert (
            row.valid
            and row.source_file == "2017/icsa-17-320-01.json"
            and row.publisher_category == "coordinator"
        )
        assert row.doc_key == "https://www.cisa.gov#ICSA-17-320-01"
        p = store.advisory_product
        products = {r.product_id: r for r in conn.execute(sa.select(p).where(p.c.advisory_pk == row.pk))}
        assert set(products) == {f"CSAFPID-000{i}" for i in range(1, 7)}
        nport5150 = products["CSAFPID-0001"]
        assert (nport5150.vendor, nport5150.product_name, nport5150.version_range) == (
            "Moxa",
            "NPort 5150",
            "<= 3.7",
        )
        assert nport5150.range_confidence == "parsed_range"
        assert json.loads(nport5150.range_parsed) == [[["<=", "3.7"]]]
        assert {products[f"CSAFPID-000{i}"].version for i in (2, 3, 4, 5)} == {"2.4", "2.7", "2.6", "2.2"}
        v = store.advisory_vuln
        vulns = conn.execute(sa.select(v).where(v.c.advisory_pk == row.pk).order_by(v.c.position)).all()
        assert [x.cve for x in vulns] == ["CVE-2017-16719", "CVE-2017-16715", "CVE-2017-14028"]
        assert [x.cvss_score for x in vulns] == [7.5, 8.6, 7.5]
        assert [x.cwe_id for x in vulns] == ["CWE-74", "CWE-200", "CWE-400"]
        s = store.advisory_status
        statuses = conn.execute(sa.select(s).where(s.c.vuln_pk == vulns[0].pk)).all()
        assert {(x.status, x.product_id) for x in statuses} == {
            ("known_affected", f"CSAFPID-000{i}") for i in range(1, 7)
        }
        r = store.advisory_remediation
        categories = sorted(x.category for x in conn.execute(sa.select(r).where(r.c.vuln_pk == vulns[0].pk)))
        assert "vendor_fix" in categories

    again = kb.import_data("csaf", tmp_path / "moxa", now=NOW)
    assert again.already_imported and kb.counts() == counts


def test_newer_revision_replaces_and_older_is_kept(kb: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    name = "2018/icsa-18-095-02.json"
    original = _raw(corpus, name)
    first = tmp_path / "v1"
    first.mkdir()
    (first / "icsa-18-095-02.json").write_bytes((corpus / CISA / name).read_bytes())
    assert kb.import_data("csaf", first, now=NOW).added == 1

    revised = json.loads(json.dumps(original))
    revised["document"]["tracking"]["current_release_date"] = "2018-05-01T00:00:00.000000Z"
    revised["document"]["title"] = "Moxa MXview (Update A)"
    revised["vulnerabilities"][0]["product_status"] = {"fixed": ["CSAFPID-0001"]}
    second = tmp_path / "v2"
    second.mkdir()
    (second / "icsa-18-095-02.json").write_text(json.dumps(revised), encoding="utf-8")
    report = kb.import_data("csaf", second, now=NOW + timedelta(days=1))
    assert (report.updated, report.added) == (1, 0)
    with kb.engine.connect() as conn:
        (title,) = conn.execute(sa.select(store.advisory.c.title)).one()
        statuses = {row.status for row in conn.execute(sa.select(store.advisory_status))}
    assert title == "Moxa MXview (Update A)" and statuses == {"fixed"}

    older = json.loads(json.dumps(original))
    older["document"]["title"] = "an older copy"
    third = tmp_path / "v0"
    third.mkdir()
    (third / "old.json").write_text(json.dumps(older), encoding="utf-8")
    report = kb.import_data("csaf", third, now=NOW + timedelta(days=2))
    assert (report.older, report.updated) == (1, 0)
    assert kb.counts()["CSAF advisories"] == 1


def test_two_revisions_in_one_input_keep_the_newer(kb: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    original = _raw(corpus, "2018/icsa-18-095-02.json")
    newer = json.loads(json.dumps(original))
    newer["document"]["tracking"]["current_release_date"] = "2019-01-01T00:00:00.000000Z"
    newer["document"]["title"] = "newer"
    folder = tmp_path / "both"
    folder.mkdir()
    (folder / "a-new.json").write_text(json.dumps(newer), encoding="utf-8")
    (folder / "b-old.json").write_text(json.dumps(original), encoding="utf-8")
    report = kb.import_data("csaf", folder, now=NOW)
    assert report.records == 2 and report.added == 1 and report.older == 1
    assert any("newer revision is kept" in p.message for p in report.problems)
    with kb.engine.connect() as conn:
        assert conn.execute(sa.select(store.advisory.c.title)).scalar_one() == "newer"


def test_migrated_schema_matches_the_table_definitions(db_url: str) -> None:
    knowledge = KnowledgeBase.open(db_url)
    try:
        with knowledge.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            differences = [
                d
                for d in compare_metadata(context, store.metadata)
                if not (isinstance(d, tuple) and str(d[0]).startswith("remove_table") and "alembic" in str(d))
            ]
    finally:
        knowledge.close()
    assert differences == []
