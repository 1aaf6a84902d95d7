"""Evidence bundle intake: safe materialisation, manifest, recognition of artifact kinds."""

from otvet.intake.bundle import build_bundle, open_bundle

__all__ = ["build_bundle", "open_bundle"]
