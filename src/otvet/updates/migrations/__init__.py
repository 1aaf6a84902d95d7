"""Alembic migrations of the update intake (version table ``alembic_version_updates``)."""
