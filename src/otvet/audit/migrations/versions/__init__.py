"""Revisions of the audit log schema."""
