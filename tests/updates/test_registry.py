"""The explicit table of verifiers: every entry resolves, one per mechanism, recognition is by content."""

from __future__ import annotations

from otvet.model.updates import Mechanism
from otvet.updates.registry import MECHANISMS, VERIFIERS, verifier_for, verifiers


def test_every_verifier_resolves_once_per_mechanism() -> None:
    mechanisms = [cls.mechanism for cls in VERIFIERS]
    assert len(mechanisms) == len(set(mechanisms))
    assert {v.mechanism for v in verifiers()} == set(mechanisms)
    for mechanism in mechanisms:
        assert verifier_for(mechanism).mechanism is mechanism
    assert set(MECHANISMS) == set(Mechanism) - {Mechanism.UNRECOGNISED}
