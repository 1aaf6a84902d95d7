"""The one explicit table of analyzers. A new analyzer is one module plus one line here."""

from __future__ import annotations

from otvet.analyzers.interface import Analyzer
from otvet.analyzers.probe import ProbeAnalyzer
from otvet.analyzers.questionnaire import QuestionnaireAnalyzer

ANALYZERS: tuple[type[Analyzer], ...] = (QuestionnaireAnalyzer, ProbeAnalyzer)
"""Every analyzer, in the order they run."""


def analyzers() -> list[Analyzer]:
    """Fresh instances of every registered analyzer."""
    return [cls() for cls in ANALYZERS]


def analyzer_ids() -> tuple[str, ...]:
    """Ids of the registered analyzers."""
    return tuple(cls.id for cls in ANALYZERS)
