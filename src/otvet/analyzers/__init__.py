"""Analyzers: check vendor claims against evidence, one module per analyzer."""

from otvet.analyzers.interface import AnalysisContext, Analyzer, not_evidenced, result
from otvet.analyzers.registry import ANALYZERS, analyzer_ids, analyzers

__all__ = ["ANALYZERS", "AnalysisContext", "Analyzer", "analyzer_ids", "analyzers", "not_evidenced", "result"]
