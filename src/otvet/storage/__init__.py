"""Database plumbing shared by the knowledge base, the audit log and the update workflow.

SQLite by default (one file per component under ``$OTVET_HOME``), PostgreSQL by URL.
"""

from otvet.storage.database import (
    HOME_VARIABLE,
    connect,
    data_home,
    database_url,
    engine_for,
    migrate,
    normalise_url,
    redact,
)

__all__ = [
    "HOME_VARIABLE",
    "connect",
    "data_home",
    "database_url",
    "engine_for",
    "migrate",
    "normalise_url",
    "redact",
]
