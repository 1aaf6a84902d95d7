"""SBOM readers: every format into one :class:`~otvet.model.SbomDocument`.

``read_sbom(path)`` is the one entry point other stages use. One module per encoding:
``cyclonedx_json``, ``cyclonedx_xml``, ``spdx2_json``, ``spdx2_tagvalue``, ``spdx3``;
``conformance`` asks the format's reference library for a second opinion (ADR 0020).
"""

from otvet.formats.sbom.reader import SUPPORTED, parse_sbom, read_sbom

__all__ = ["SUPPORTED", "parse_sbom", "read_sbom"]
