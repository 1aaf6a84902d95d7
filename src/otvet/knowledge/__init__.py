"""Offline vulnerability knowledge base: imported OSV, NVD, KEV and EPSS data, and matching.

``KnowledgeBase`` is the service (it satisfies ``otvet.model.vulnerabilities.
VulnerabilityKnowledge``); importers are registered in ``importers.IMPORTERS``.
"""

from otvet.knowledge.base import KnowledgeBase, knowledge_base, open_knowledge
from otvet.knowledge.importers import IMPORTERS

__all__ = ["IMPORTERS", "KnowledgeBase", "knowledge_base", "open_knowledge"]
