"""The knowledge base schema (SQLAlchemy Core) and opening a store.

Tables (all prefixed ``kb_`` so the knowledge base can share a PostgreSQL database with the
audit log and the update workflow):

- ``kb_dataset``: every imported file or directory (source, sha256, counts, import time,
  data date), so each match names the data it came from.
- ``kb_vuln``: one row per record of a source (OSV id or CVE id), with its severity and a
  content hash that makes re-imports idempotent.
- ``kb_alias``: the record's other ids (CVE, GHSA, PYSEC, GO, ...), also kept as a JSON list
  on ``kb_vuln.alias_ids`` for matching.
- ``kb_affected``: OSV affected packages: ecosystem, purl type/namespace/name, a lookup
  key, and the ranges and explicit versions (JSON text: they are evaluated per candidate in
  Python with the ecosystem's version rules, never queried by SQL; see ADR 0031).
- ``kb_cpe_match``: NVD match criteria split into CPE 2.3 attributes with the version
  start/end including/excluding bounds.
- ``kb_kev``: CISA KEV entries; ``kb_epss``: EPSS scores.
- ``kb_advisory``: imported CSAF documents (tracking id, publisher, dates, source file and
  its sha256, whether the document passed validation); ``kb_advisory_product``: their
  resolved products (vendor, family, name, version or version range with its reading and
  confidence, identification helpers, relationships); ``kb_advisory_vuln``: their
  vulnerabilities (CVE, CWE, CVSS, VEX flags); ``kb_advisory_status`` and
  ``kb_advisory_remediation``: product statuses and remediations per vulnerability (ADR 0045).

The schema is created and evolved by the Alembic migrations in ``migrations/`` (version
table ``alembic_version_knowledge``); these Table objects mirror the newest revision.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from otvet.storage import database_url, engine_for, migrate

COMPONENT = "knowledge"
VERSION_TABLE = "alembic_version_knowledge"
MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")

metadata = sa.MetaData()

dataset = sa.Table(
    "kb_dataset",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("records", sa.Integer, nullable=False, default=0),
    sa.Column("added", sa.Integer, nullable=False, default=0),
    sa.Column("updated", sa.Integer, nullable=False, default=0),
    sa.Column("unchanged", sa.Integer, nullable=False, default=0),
    sa.Column("problems", sa.Integer, nullable=False, default=0),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("complete", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("source", "sha256", name="uq_kb_dataset_source_sha256"),
)

vuln = sa.Table(
    "kb_vuln",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
    sa.Column("modified", sa.DateTime(timezone=True), nullable=True),
    sa.Column("published", sa.DateTime(timezone=True), nullable=True),
    sa.Column("withdrawn", sa.DateTime(timezone=True), nullable=True),
    sa.Column("summary", sa.Text, nullable=True),
    sa.Column("severity", sa.String(16), nullable=True),
    sa.Column("cvss_score", sa.Float, nullable=True),
    sa.Column("cvss_vector", sa.Text, nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    # The aliases again, as a JSON list: matching reads them with the candidate row instead of
    # a second query (kb_alias stays the index for lookups by alias).
    sa.Column("alias_ids", sa.Text, nullable=False),
    sa.UniqueConstraint("source", "id", name="uq_kb_vuln_source_id"),
)

alias = sa.Table(
    "kb_alias",
    metadata,
    sa.Column("vuln_pk", sa.Integer, sa.ForeignKey("kb_vuln.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("alias", sa.String(200), nullable=False),
    sa.Index("ix_kb_alias_alias", "alias"),
    sa.Index("ix_kb_alias_vuln", "vuln_pk"),
)

affected = sa.Table(
    "kb_affected",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("vuln_pk", sa.Integer, sa.ForeignKey("kb_vuln.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("ecosystem", sa.String(100), nullable=False),
    sa.Column("purl_type", sa.String(40), nullable=True),
    sa.Column("purl_namespace", sa.Text, nullable=True),
    sa.Column("purl_name", sa.Text, nullable=False),
    sa.Column("pkg_key", sa.String(600), nullable=False),
    # JSON list of OSV ranges, each a type and its events (introduced / fixed / ...)
    sa.Column("ranges", sa.Text, nullable=False),
    # JSON list of the explicitly affected versions
    sa.Column("versions", sa.Text, nullable=False),
    sa.Index("ix_kb_affected_key", "pkg_key"),
    sa.Index("ix_kb_affected_vuln", "vuln_pk"),
)

cpe_match = sa.Table(
    "kb_cpe_match",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("vuln_pk", sa.Integer, sa.ForeignKey("kb_vuln.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("criteria", sa.Text, nullable=False),
    sa.Column("part", sa.String(1), nullable=False),
    sa.Column("vendor", sa.String(200), nullable=False),
    sa.Column("product", sa.String(200), nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("update", sa.Text, nullable=False),
    sa.Column("edition", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("sw_edition", sa.Text, nullable=False),
    sa.Column("target_sw", sa.Text, nullable=False),
    sa.Column("target_hw", sa.Text, nullable=False),
    sa.Column("other", sa.Text, nullable=False),
    sa.Column("version_start_including", sa.Text, nullable=True),
    sa.Column("version_start_excluding", sa.Text, nullable=True),
    sa.Column("version_end_including", sa.Text, nullable=True),
    sa.Column("version_end_excluding", sa.Text, nullable=True),
    # JSON list of the other criteria an AND configuration requires (e.g. the hardware a
    # firmware runs on); null when the criterion alone makes the configuration vulnerable.
    sa.Column("requires", sa.Text, nullable=True),
    sa.Index("ix_kb_cpe_match_product", "vendor", "product"),
    sa.Index("ix_kb_cpe_match_vuln", "vuln_pk"),
)

kev = sa.Table(
    "kb_kev",
    metadata,
    sa.Column("cve_id", sa.String(40), primary_key=True),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
    sa.Column("vendor", sa.Text, nullable=True),
    sa.Column("product", sa.Text, nullable=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("date_added", sa.String(10), nullable=True),
    sa.Column("due_date", sa.String(10), nullable=True),
    sa.Column("ransomware", sa.String(20), nullable=True),
)

epss = sa.Table(
    "kb_epss",
    metadata,
    sa.Column("cve_id", sa.String(40), primary_key=True),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("percentile", sa.Float, nullable=True),
)


advisory = sa.Table(
    "kb_advisory",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
    # publisher namespace + tracking id: what identifies a CSAF document (CSAF 2.0 section 5.1)
    sa.Column("doc_key", sa.String(700), nullable=False),
    sa.Column("tracking_id", sa.String(200), nullable=False),
    sa.Column("publisher", sa.Text, nullable=False),
    sa.Column("publisher_namespace", sa.Text, nullable=True),
    sa.Column("publisher_category", sa.String(40), nullable=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("category", sa.String(100), nullable=False),
    sa.Column("csaf_version", sa.String(10), nullable=False),
    sa.Column("tracking_status", sa.String(20), nullable=True),
    sa.Column("tracking_version", sa.String(50), nullable=True),
    sa.Column("initial_release_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("current_release_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("self_url", sa.Text, nullable=True),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("validation_errors", sa.Integer, nullable=False),
    # JSON list of the first validation errors ("[test id] pointer: message")
    sa.Column("validation_issues", sa.Text, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("doc_key", name="uq_kb_advisory_doc_key"),
)

advisory_product = sa.Table(
    "kb_advisory_product",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("advisory_pk", sa.Integer, sa.ForeignKey("kb_advisory.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("product_id", sa.String(200), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    # As written in the document: normalisation happens at query time, so an improved vendor
    # normalisation applies to data imported earlier too.
    sa.Column("vendor", sa.String(500), nullable=True),
    sa.Column("product_family", sa.Text, nullable=True),
    sa.Column("product_name", sa.Text, nullable=True),
    sa.Column("version", sa.Text, nullable=True),
    sa.Column("version_range", sa.Text, nullable=True),
    # The range as read at import (formats/csaf/versions.py): confidence, reason, and the
    # alternatives of constraint lists as JSON ([[["<", "V1.5"], ...], ...]); informative: the
    # matcher reads the range text again with the current reader.
    sa.Column("range_confidence", sa.String(16), nullable=True),
    sa.Column("range_reason", sa.Text, nullable=True),
    sa.Column("range_parsed", sa.Text, nullable=True),
    sa.Column("cpe", sa.Text, nullable=True),
    sa.Column("purl", sa.Text, nullable=True),
    sa.Column("cpe_key", sa.String(500), nullable=True),
    sa.Column("purl_key", sa.String(600), nullable=True),
    sa.Column("model_numbers", sa.Text, nullable=False),
    sa.Column("skus", sa.Text, nullable=False),
    sa.Column("serial_numbers", sa.Text, nullable=False),
    sa.Column("hashes", sa.Text, nullable=False),
    sa.Column("relationship", sa.Text, nullable=True),
    sa.Column("location", sa.Text, nullable=False),
    sa.Index("ix_kb_advisory_product_advisory", "advisory_pk"),
    sa.Index("ix_kb_advisory_product_vendor", "vendor"),
    sa.Index("ix_kb_advisory_product_cpe", "cpe_key"),
    sa.Index("ix_kb_advisory_product_purl", "purl_key"),
)

advisory_vuln = sa.Table(
    "kb_advisory_vuln",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("advisory_pk", sa.Integer, sa.ForeignKey("kb_advisory.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("cve", sa.String(40), nullable=True),
    sa.Column("ids", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("cwe_id", sa.String(20), nullable=True),
    sa.Column("cwe_name", sa.Text, nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("release_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cvss_score", sa.Float, nullable=True),
    sa.Column("cvss_vector", sa.Text, nullable=True),
    sa.Column("base_severity", sa.String(16), nullable=True),
    # JSON: every score with its version, vector, base score and product ids
    sa.Column("scores", sa.Text, nullable=False),
    # JSON: [[label, [product ids]], ...] VEX justification flags
    sa.Column("flags", sa.Text, nullable=False),
    sa.Index("ix_kb_advisory_vuln_advisory", "advisory_pk"),
    sa.Index("ix_kb_advisory_vuln_cve", "cve"),
)

advisory_status = sa.Table(
    "kb_advisory_status",
    metadata,
    sa.Column(
        "vuln_pk", sa.Integer, sa.ForeignKey("kb_advisory_vuln.pk", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("product_id", sa.String(200), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    # index in the status list (for the JSON pointer)
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_kb_advisory_status_vuln", "vuln_pk"),
)

advisory_remediation = sa.Table(
    "kb_advisory_remediation",
    metadata,
    sa.Column(
        "vuln_pk", sa.Integer, sa.ForeignKey("kb_advisory_vuln.pk", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("date", sa.String(40), nullable=True),
    # JSON list of product ids (group ids expanded)
    sa.Column("product_ids", sa.Text, nullable=False),
    sa.Index("ix_kb_advisory_remediation_vuln", "vuln_pk"),
)


def store_url(url: str | None = None) -> str:
    """The knowledge base URL: the given one, else ``<OTVET_HOME>/knowledge.sqlite3``."""
    return database_url(COMPONENT, url)


def open_store(url: str | None = None) -> Engine:
    """An engine on an up-to-date knowledge base schema (migrations applied)."""
    engine = engine_for(store_url(url))
    migrate(engine, MIGRATIONS, VERSION_TABLE)
    return engine


def store_exists(url: str) -> bool:
    """Whether a store could hold data without creating anything (SQLite file present, or a
    server URL, which is checked by connecting)."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return bool(parsed.database) and Path(str(parsed.database)).is_file()
    return True
