"""The one explicit table of analyzers. A new analyzer is one module plus one line here."""

from __future__ import annotations

from otvet.analyzers.csaf_advisories import CsafAnalyzer
from otvet.analyzers.interface import Analyzer
from otvet.analyzers.log_sample import LogSampleAnalyzer
from otvet.analyzers.probe import ProbeAnalyzer
from otvet.analyzers.questionnaire import QuestionnaireAnalyzer
from otvet.analyzers.sbom_quality import SbomQualityAnalyzer
from otvet.analyzers.security_txt import SecurityTxtAnalyzer
from otvet.analyzers.support_period import SupportPeriodAnalyzer
from otvet.analyzers.update_verification import UpdateVerificationAnalyzer
from otvet.analyzers.vulnerabilities import VulnerabilityAnalyzer

ANALYZERS: tuple[type[Analyzer], ...] = (
    QuestionnaireAnalyzer,
    SbomQualityAnalyzer,
    VulnerabilityAnalyzer,
    CsafAnalyzer,
    SecurityTxtAnalyzer,
    SupportPeriodAnalyzer,
    UpdateVerificationAnalyzer,
    LogSampleAnalyzer,
    ProbeAnalyzer,
)
"""Every analyzer, in the order they run."""


def analyzers() -> list[Analyzer]:
    """Fresh instances of every registered analyzer."""
    return [cls() for cls in ANALYZERS]


def analyzer_ids() -> tuple[str, ...]:
    """Ids of the registered analyzers."""
    return tuple(cls.id for cls in ANALYZERS)
