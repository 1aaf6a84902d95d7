"""Knowledge base: data sets, vulnerabilities, aliases, OSV affected packages, NVD CPE criteria, KEV, EPSS.

Revision ID: k0001
"""

import sqlalchemy as sa
from alembic import op

revision = "k0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_dataset",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("problems", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.UniqueConstraint("source", "sha256", name="uq_kb_dataset_source_sha256"),
    )
    op.create_table(
        "kb_vuln",
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
        sa.Column("alias_ids", sa.Text, nullable=False),
        sa.UniqueConstraint("source", "id", name="uq_kb_vuln_source_id"),
    )
    op.create_table(
        "kb_alias",
        sa.Column("vuln_pk", sa.Integer, sa.ForeignKey("kb_vuln.pk", ondelete="CASCADE"), nullable=False),
        sa.Column("alias", sa.String(200), nullable=False),
    )
    op.create_index("ix_kb_alias_alias", "kb_alias", ["alias"])
    op.create_index("ix_kb_alias_vuln", "kb_alias", ["vuln_pk"])
    op.create_table(
        "kb_affected",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("vuln_pk", sa.Integer, sa.ForeignKey("kb_vuln.pk", ondelete="CASCADE"), nullable=False),
        sa.Column("ecosystem", sa.String(100), nullable=False),
        sa.Column("purl_type", sa.String(40), nullable=True),
        sa.Column("purl_namespace", sa.Text, nullable=True),
        sa.Column("purl_name", sa.Text, nullable=False),
        sa.Column("pkg_key", sa.String(600), nullable=False),
        sa.Column("ranges", sa.Text, nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
    )
    op.create_index("ix_kb_affected_key", "kb_affected", ["pkg_key"])
    op.create_index("ix_kb_affected_vuln", "kb_affected", ["vuln_pk"])
    op.create_table(
        "kb_cpe_match",
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
        sa.Column("requires", sa.Text, nullable=True),
    )
    op.create_index("ix_kb_cpe_match_product", "kb_cpe_match", ["vendor", "product"])
    op.create_index("ix_kb_cpe_match_vuln", "kb_cpe_match", ["vuln_pk"])
    op.create_table(
        "kb_kev",
        sa.Column("cve_id", sa.String(40), primary_key=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
        sa.Column("vendor", sa.Text, nullable=True),
        sa.Column("product", sa.Text, nullable=True),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("date_added", sa.String(10), nullable=True),
        sa.Column("due_date", sa.String(10), nullable=True),
        sa.Column("ransomware", sa.String(20), nullable=True),
    )
    op.create_table(
        "kb_epss",
        sa.Column("cve_id", sa.String(40), primary_key=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("percentile", sa.Float, nullable=True),
    )


def downgrade() -> None:
    for table in ("kb_epss", "kb_kev", "kb_cpe_match", "kb_affected", "kb_alias", "kb_vuln", "kb_dataset"):
        op.drop_table(table)
