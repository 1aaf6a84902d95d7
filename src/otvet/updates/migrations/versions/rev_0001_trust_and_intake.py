"""Trust store, TUF client state, and the update intake workflow tables."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "updates_0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "trust_entry",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("vendor", sa.Text),
        sa.Column("not_after", sa.String(40)),
        sa.Column("identity", sa.Text),
        sa.Column("issuer", sa.Text),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "tuf_state",
        sa.Column("entry_id", sa.String(16), primary_key=True),
        sa.Column("root", sa.LargeBinary, nullable=False),
        sa.Column("root_version", sa.Integer, nullable=False),
        sa.Column("timestamp_version", sa.Integer, nullable=False),
        sa.Column("snapshot_version", sa.Integer, nullable=False),
        sa.Column("targets_version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "update_intake",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("package_path", sa.Text, nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("submitter", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("report_path", sa.Text),
        sa.Column("report_sha256", sa.String(64)),
        sa.Column("verdict", sa.String(20)),
        sa.Column("sbom_diff_path", sa.Text),
        sa.Column("sbom_diff_sha256", sa.String(64)),
        sa.Column("rollback", sa.Text),
        sa.Column("rollback_sha256", sa.String(64)),
    )
    op.create_table(
        "update_approval",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("intake_id", sa.String(32), sa.ForeignKey("update_intake.id"), nullable=False),
        sa.Column("approver", sa.Text, nullable=False),
        sa.Column("approved_at", sa.String(40), nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("sbom_diff_sha256", sa.String(64), nullable=False),
        sa.Column("rollback_sha256", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text),
        # NOTE: the database itself refuses a second approval by the same person of the same inputs.
        sa.UniqueConstraint(
            "intake_id",
            "approver",
            "package_sha256",
            "report_sha256",
            "sbom_diff_sha256",
            "rollback_sha256",
            name="uq_update_approval_once",
        ),
    )
    op.create_table(
        "update_transition",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("intake_id", sa.String(32), sa.ForeignKey("update_intake.id"), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("from_state", sa.String(20)),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("update_transition", "update_approval", "update_intake", "tuf_state", "trust_entry"):
        op.drop_table(table)
