"""Where a piece of evidence came from: delivered by the vendor, or produced by the buyer.

The threat model (docs/threat-model.md) makes the lab probe and the buyer's own update
verification the counterweight to vendor claims. A probe result or a verification report is
only that counterweight when the *buyer* produced it: the same file shipped inside the
vendor's bundle is the vendor's claim, however authentic it looks (ADR 0070).
"""

from __future__ import annotations

from enum import StrEnum


class Origin(StrEnum):
    """Who put an artifact into the assessment."""

    BUNDLE = "bundle"
    """Delivered inside the vendor's bundle (the default: fail closed). A lab probe result or a
    verification report of this origin counts as the vendor's claim (basis ``attested``)."""
    BUYER = "buyer"
    """Added by the buyer beside the bundle (``otvet assess --evidence/--probe``); the intake
    materialises such files under ``extra/``."""
    RECORDED = "recorded"
    """Inside the bundle, but this installation's audit log records producing this exact file
    (an ``otvet probe`` run or an ``otvet update verify`` report with the same SHA-256), so it is
    the buyer's own result travelling with the vendor's files."""

    @property
    def is_buyers(self) -> bool:
        """The buyer produced or deliberately added it (``buyer`` or ``recorded``)."""
        return self is not Origin.BUNDLE
