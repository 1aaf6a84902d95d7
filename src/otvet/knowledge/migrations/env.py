"""Alembic environment of the knowledge base (shared body: otvet.storage.env)."""

from otvet.storage.env import run_migrations

run_migrations()
