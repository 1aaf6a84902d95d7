"""VEX statements: what a supplier says about a vulnerability in its product or components.

Every VEX format (OpenVEX, CycloneDX VEX, CSAF VEX) is read into these statements; the
knowledge base applies them per (vulnerability, component), never per vulnerability alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class VexStatus(StrEnum):
    """Exploitability status (OpenVEX / CSAF vocabulary)."""

    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


class VexJustification(StrEnum):
    """Why a product is not affected (OpenVEX and CSAF VEX share these five)."""

    COMPONENT_NOT_PRESENT = "component_not_present"
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present"
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = "vulnerable_code_not_in_execute_path"
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = "vulnerable_code_cannot_be_controlled_by_adversary"
    INLINE_MITIGATIONS_ALREADY_EXIST = "inline_mitigations_already_exist"


@dataclass(frozen=True)
class ProductSelector:
    """Identifies what a statement is about; any field may be absent."""

    purl: str | None = None
    cpe: str | None = None
    bom_ref: str | None = None
    """A CycloneDX bom-ref (``urn:cdx:...`` or a plain ref within the same BOM)."""
    csaf_product_id: str | None = None
    vendor: str | None = None
    name: str | None = None
    version: str | None = None
    version_range: str | None = None
    """As given (``vers:`` or free text); interpreting it is the matcher's job."""
    product_family: str | None = None
    """CSAF ``product_family`` branch."""
    model_numbers: tuple[str, ...] = ()
    """CSAF ``model_numbers`` helper (``*``/``?`` wildcards allowed)."""

    @property
    def label(self) -> str:
        """Short human label."""
        for value in (self.purl, self.cpe, self.bom_ref):
            if value:
                return value
        parts = [p for p in (self.vendor, self.name, self.version or self.version_range) if p]
        return " ".join(parts) or (self.csaf_product_id or "?")


@dataclass(frozen=True)
class VexStatement:
    """One statement: ``vulnerability`` has ``status`` for ``products`` (or their subcomponents)."""

    vulnerability: str
    """CVE, GHSA, PYSEC, GO or vendor id, as given."""
    status: VexStatus
    products: tuple[ProductSelector, ...]
    subcomponents: tuple[ProductSelector, ...] = ()
    """When set, the statement concerns these components inside the products."""
    aliases: tuple[str, ...] = ()
    justification: VexJustification | None = None
    impact: str | None = None
    """Free-text impact statement (required by OpenVEX when not_affected has no justification)."""
    action: str | None = None
    """Action statement / remediation for affected."""
    source: str = ""
    """Document the statement came from (bundle path or file)."""
    location: str = ""
    """JSON pointer or XML path inside the document."""
    format: str = ""
    """``openvex``, ``cyclonedx``, ``csaf``."""
    timestamp: datetime | None = None
    author: str | None = None
