"""Tamper-evident audit log shared by the whole product."""
