"""Alembic migrations of the audit log (version table ``alembic_version_audit``)."""
