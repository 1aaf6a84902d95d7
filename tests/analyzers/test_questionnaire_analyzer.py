"""The questionnaire analyzer: answers are attested; unreadable answers are results, not gaps."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from otvet.core import assess
from otvet.model import Basis, Status

NOW = datetime(2026, 10, 15, tzinfo=UTC)


def test_one_malformed_answer_does_not_discard_the_others(
    asset: Callable[[str], Path], tmp_path: Path
) -> None:
    bundle = tmp_path / "tiny"
    shutil.copytree(asset("bundles/tiny"), bundle)
    answers = bundle / "questionnaire" / "answers.yaml"
    text = answers.read_text(encoding="utf-8")
    assert 'SBD-11.01: {answer: "Yes"' in text
    answers.write_text(
        text.replace('SBD-11.01: {answer: "Yes"', 'SBD-11.01: {answer: "Yes, mostly"'), "utf-8"
    )

    assessment = assess(bundle, profile="essential", now=NOW)
    outcomes = {o.criterion_id: o for o in assessment.outcomes}

    # The readable answers still count as the vendor's claims.
    assert outcomes["SBD-06.01"].status is Status.NOT_MET
    assert any(r.basis is Basis.ATTESTED for r in outcomes["SBD-06.01"].supporting)
    # The unreadable one is a located problem and its criterion says why it is not evidenced.
    problem = next(p for p in assessment.problems if p.path == "questionnaire/answers.yaml" and p.where)
    assert problem.where == "/answers/SBD-11.01/answer" and "'Yes, mostly'" in problem.message
    unread = next(r for r in outcomes["SBD-11.01"].supporting if r.analyzer == "questionnaire")
    assert unread.status is Status.NOT_EVIDENCED
    assert "could not be read" in unread.rationale and "/answers/SBD-11.01/answer" in unread.rationale
