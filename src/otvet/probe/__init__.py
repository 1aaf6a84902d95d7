"""Gentle lab probe of a device under test, with enforced connection and packet budgets."""
