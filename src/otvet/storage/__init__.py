"""Database plumbing shared by the knowledge base and the audit log (SQLite by default, PostgreSQL by URL)."""
