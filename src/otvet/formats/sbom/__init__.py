"""SBOM readers: every format into one :class:`~otvet.model.SbomDocument`.

``read_sbom(path)`` is the one entry point other stages use. (This first version reads
CycloneDX JSON only; the SBOM evidence work adds CycloneDX XML, SPDX 2 and SPDX 3.)
"""

from otvet.formats.sbom.reader import read_sbom

__all__ = ["read_sbom"]
