"""Decide: resolve analyzer results into outcomes, score them, find blockers and follow-ups."""

from otvet.scoring.resolve import NO_EVIDENCE, resolve
from otvet.scoring.weighted import basis_factor, blockers, follow_ups, score

__all__ = ["NO_EVIDENCE", "basis_factor", "blockers", "follow_ups", "resolve", "score"]
