"""Storage plumbing: data home, URLs, and per-component migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from otvet.model import ConfigurationError
from otvet.storage import data_home, database_url, engine_for, migrate, normalise_url, redact

MIGRATION = '''"""create widget"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table("widget", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text, nullable=False))


def downgrade() -> None:
    op.drop_table("widget")
'''


def _component(tmp_path: Path) -> str:
    folder = tmp_path / "migrations"
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(
        "from otvet.storage.env import run_migrations\nrun_migrations()\n", encoding="utf-8"
    )
    (folder / "script.py.mako").write_text("", encoding="utf-8")
    (folder / "versions" / "0001_widget.py").write_text(MIGRATION, encoding="utf-8")
    return str(folder)


def test_data_home_is_private(otvet_home: Path) -> None:
    home = data_home()
    assert home == otvet_home
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert database_url("knowledge") == f"sqlite:///{otvet_home / 'knowledge.sqlite3'}"


def test_urls_are_normalised_and_redacted() -> None:
    assert normalise_url("postgresql://u:secret@db/otvet").startswith(
        "postgresql+psycopg://u:secret@db/otvet"
    )
    assert "secret" not in redact("postgresql://u:secret@db/otvet")
    with pytest.raises(ConfigurationError, match="unsupported database"):
        normalise_url("mysql://u@db/otvet")


def test_migrations_run_once_with_the_component_version_table(db_url: str, tmp_path: Path) -> None:
    engine = engine_for(normalise_url(db_url))
    try:
        location = _component(tmp_path)
        migrate(engine, location, "alembic_version_widget")
        migrate(engine, location, "alembic_version_widget")  # idempotent
        tables = set(inspect(engine).get_table_names())
        assert {"widget", "alembic_version_widget"} <= tables
        with engine.begin() as conn:
            assert conn.execute(text("select version_num from alembic_version_widget")).scalar_one() == "0001"
    finally:
        engine.dispose()
