"""Revisions of the update intake schema."""
