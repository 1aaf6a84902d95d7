"""Database tables of the update intake (trust store, TUF client state, workflow).

One SQLite file ``$OTVET_HOME/updates.sqlite3`` by default, or any PostgreSQL URL; the schema
is owned by this component's Alembic migrations (version table ``alembic_version_updates``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.exc import SQLAlchemyError

from otvet.model.errors import ConfigurationError
from otvet.storage import database_url, engine_for, migrate, redact

SCRIPT_LOCATION = "otvet.updates:migrations"
VERSION_TABLE = "alembic_version_updates"
COMPONENT = "updates"

metadata = MetaData()

trust_table = Table(
    "trust_entry",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_at", String(40), nullable=False),
    Column("source", Text, nullable=False),
    Column("vendor", Text),
    Column("not_after", String(40)),
    Column("identity", Text),
    Column("issuer", Text),
    Column("note", Text),
)

tuf_state_table = Table(
    "tuf_state",
    metadata,
    Column("entry_id", String(16), primary_key=True),
    Column("root", LargeBinary, nullable=False),
    Column("root_version", Integer, nullable=False),
    Column("timestamp_version", Integer, nullable=False),
    Column("snapshot_version", Integer, nullable=False),
    Column("targets_version", Integer, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

intake_table = Table(
    "update_intake",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("product", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("package_path", Text, nullable=False),
    Column("package_sha256", String(64), nullable=False),
    Column("submitter", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("report_path", Text),
    Column("report_sha256", String(64)),
    Column("verdict", String(20)),
    Column("sbom_diff_path", Text),
    Column("sbom_diff_sha256", String(64)),
    Column("rollback", Text),
    Column("rollback_sha256", String(64)),
)

approval_table = Table(
    "update_approval",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("intake_id", String(32), ForeignKey("update_intake.id"), nullable=False),
    Column("approver", Text, nullable=False),
    Column("approved_at", String(40), nullable=False),
    Column("package_sha256", String(64), nullable=False),
    Column("report_sha256", String(64), nullable=False),
    Column("sbom_diff_sha256", String(64), nullable=False),
    Column("rollback_sha256", String(64), nullable=False),
    Column("comment", Text),
)

transition_table = Table(
    "update_transition",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("intake_id", String(32), ForeignKey("update_intake.id"), nullable=False),
    Column("at", String(40), nullable=False),
    Column("actor", Text, nullable=False),
    Column("from_state", String(20)),
    Column("to_state", String(20), nullable=False),
    Column("note", Text, nullable=False),
)


def open_engine(url: str | None = None) -> Engine:
    """An engine on the update intake database, migrated to the newest schema."""
    resolved = database_url(COMPONENT, url)
    engine = engine_for(resolved)
    try:
        migrate(engine, SCRIPT_LOCATION, VERSION_TABLE)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigurationError(
            f"cannot open the update intake database at {redact(resolved)}: {exc}"
        ) from exc
    return engine


def iso(moment: datetime) -> str:
    """ISO 8601 UTC text for storage."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    """The datetime of stored ISO text."""
    return datetime.fromisoformat(text) if text else None
