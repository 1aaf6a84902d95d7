"""Database plumbing: where otvet keeps its data, engines, and per-component migrations.

- Data lives under :func:`data_home` (``$OTVET_HOME``, else the platform's user data
  directory), created private (mode 0700).
- Each component (knowledge base, audit log, update workflow) has its own SQLite file by
  default, or any SQLAlchemy URL (PostgreSQL via psycopg 3: ``postgresql+psycopg://...``).
- Each component owns an Alembic migration folder with its own version table, so components
  evolve independently in one database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from otvet.model import ConfigurationError

HOME_VARIABLE = "OTVET_HOME"


def data_home() -> Path:
    """otvet's data directory (``$OTVET_HOME`` or the user data directory), created 0700."""
    raw = os.environ.get(HOME_VARIABLE)
    home = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("otvet", appauthor=False))
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigurationError(f"cannot create the otvet data directory {home}: {exc.strerror}") from exc
    return home


def database_url(component: str, url: str | None = None) -> str:
    """The URL to use: the given one, else a SQLite file ``<data_home>/<component>.sqlite3``."""
    if url:
        return normalise_url(url)
    return f"sqlite:///{data_home() / f'{component}.sqlite3'}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError or ValueError
        raise ConfigurationError(f"not a database URL: {redact(url)}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if not parsed.drivername.startswith(("sqlite", "postgresql")):
        raise ConfigurationError(f"unsupported database {parsed.drivername!r}: use SQLite or PostgreSQL")
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """A URL safe to print (password hidden)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<unparseable URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def engine_for(url: str) -> Engine:
    """An engine for a normalised URL (SQLite gets foreign keys, WAL and a busy timeout)."""
    engine = create_engine(url, future=True, pool_pre_ping=url.startswith("postgresql"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine, script_location: str, version_table: str) -> None:
    """Upgrade a component's schema to the newest revision.

    ``script_location`` is an Alembic script directory, e.g.
    ``otvet.knowledge:migrations``; its ``env.py`` reads the connection and version table
    from ``config.attributes`` (see :func:`otvet.storage.env.run_migrations`).
    """
    config = Config()
    config.set_main_option("script_location", script_location)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["version_table"] = version_table
        command.upgrade(config, "head")


@contextmanager
def connect(url: str) -> Iterator[Engine]:
    """An engine that is disposed at the end of the block."""
    engine = engine_for(url)
    try:
        yield engine
    finally:
        engine.dispose()
