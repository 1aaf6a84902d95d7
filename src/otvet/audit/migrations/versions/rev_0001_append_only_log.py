"""Create the append-only audit log: meta, events and checkpoints, with UPDATE/DELETE refused.

The refusal lives in the database (triggers on SQLite and PostgreSQL), so no code path of
otvet, and no careless SQL session, can rewrite history. An administrator who drops the
triggers can; that is what the signed checkpoints kept outside the database detect.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audit_0001"
down_revision = None

TABLES = ("audit_meta", "audit_event", "audit_checkpoint")


def upgrade() -> None:
    op.create_table(
        "audit_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_audit_checkpoint_size", "audit_checkpoint", ["size"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION otvet_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'otvet audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION otvet_audit_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION otvet_audit_append_only()"
            )
    else:
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'otvet audit log is append-only: {operation} on {table} refused'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("the audit log is never downgraded: it would destroy evidence")
