"""Alembic environment of the audit log: the shared runner of ``otvet.storage.env``."""

from otvet.storage.env import run_migrations

run_migrations()
