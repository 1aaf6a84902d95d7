"""CSAF VEX reader: ``read_csaf_vex(doc, display) -> list[VexStatement]`` (see ``records.py``).

Kept as its own module so the knowledge base's VEX import can name it next to the OpenVEX
and CycloneDX VEX readers.
"""

from otvet.formats.csaf.records import CSAF_STATUS, read_csaf_vex

__all__ = ["CSAF_STATUS", "read_csaf_vex"]
