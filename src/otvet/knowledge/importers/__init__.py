"""Importers of vulnerability data, one module per source, in one explicit table."""

from __future__ import annotations

from otvet.knowledge.importers.csaf import CsafImporter
from otvet.knowledge.importers.epss import EpssImporter
from otvet.knowledge.importers.interface import Importer
from otvet.knowledge.importers.kev import KevImporter
from otvet.knowledge.importers.nvd import NvdImporter
from otvet.knowledge.importers.osv import OsvImporter

IMPORTERS: dict[str, type[Importer]] = {
    "osv": OsvImporter,
    "nvd": NvdImporter,
    "kev": KevImporter,
    "epss": EpssImporter,
    "csaf": CsafImporter,
}
"""Source name (as typed in ``otvet db import SOURCE``) -> importer."""

__all__ = [
    "IMPORTERS",
    "CsafImporter",
    "EpssImporter",
    "Importer",
    "KevImporter",
    "NvdImporter",
    "OsvImporter",
]
