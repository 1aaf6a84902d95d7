"""CSAF advisories: documents, resolved products, vulnerabilities, product statuses, remediations.

Revision ID: k0002
Revises: k0001
"""

import sqlalchemy as sa
from alembic import op

revision = "k0002"
down_revision = "k0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_advisory",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("kb_dataset.id"), nullable=False),
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
        sa.Column("validation_issues", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("doc_key", name="uq_kb_advisory_doc_key"),
    )
    op.create_table(
        "kb_advisory_product",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "advisory_pk", sa.Integer, sa.ForeignKey("kb_advisory.pk", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("product_id", sa.String(200), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("vendor", sa.String(500), nullable=True),
        sa.Column("product_family", sa.Text, nullable=True),
        sa.Column("product_name", sa.Text, nullable=True),
        sa.Column("version", sa.Text, nullable=True),
        sa.Column("version_range", sa.Text, nullable=True),
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
    )
    op.create_index("ix_kb_advisory_product_advisory", "kb_advisory_product", ["advisory_pk"])
    op.create_index("ix_kb_advisory_product_vendor", "kb_advisory_product", ["vendor"])
    op.create_index("ix_kb_advisory_product_cpe", "kb_advisory_product", ["cpe_key"])
    op.create_index("ix_kb_advisory_product_purl", "kb_advisory_product", ["purl_key"])
    op.create_table(
        "kb_advisory_vuln",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "advisory_pk", sa.Integer, sa.ForeignKey("kb_advisory.pk", ondelete="CASCADE"), nullable=False
        ),
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
        sa.Column("scores", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
    )
    op.create_index("ix_kb_advisory_vuln_advisory", "kb_advisory_vuln", ["advisory_pk"])
    op.create_index("ix_kb_advisory_vuln_cve", "kb_advisory_vuln", ["cve"])
    op.create_table(
        "kb_advisory_status",
        sa.Column(
            "vuln_pk", sa.Integer, sa.ForeignKey("kb_advisory_vuln.pk", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("product_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_kb_advisory_status_vuln", "kb_advisory_status", ["vuln_pk"])
    op.create_table(
        "kb_advisory_remediation",
        sa.Column(
            "vuln_pk", sa.Integer, sa.ForeignKey("kb_advisory_vuln.pk", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("date", sa.String(40), nullable=True),
        sa.Column("product_ids", sa.Text, nullable=False),
    )
    op.create_index("ix_kb_advisory_remediation_vuln", "kb_advisory_remediation", ["vuln_pk"])


def downgrade() -> None:
    for table in (
        "kb_advisory_remediation",
        "kb_advisory_status",
        "kb_advisory_vuln",
        "kb_advisory_product",
        "kb_advisory",
    ):
        op.drop_table(table)
