"""Alembic environment of the update intake: the shared runner of ``otvet.storage.env``."""

from otvet.storage.env import run_migrations

run_migrations()
