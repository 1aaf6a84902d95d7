"""SBOM detail and quality types: external references of components and the quality report.

The component inventory itself is in :mod:`otvet.model.components`; this module holds what
the SBOM readers and the SBOM quality check add around it. The quality report is computed
by ``otvet.analyzers.sbom_quality`` and drawn by the assessment report and ``otvet sbom
inspect``; its thresholds are documented in ``docs/sbom.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from otvet.model.evidence import Problem


@dataclass(frozen=True)
class ExternalReference:
    """A link from a component to something outside the SBOM (VCS, distribution, advisories)."""

    type: str
    """CycloneDX ``externalReferences[].type`` (``vcs``, ``distribution``, ``website``, ...),
    SPDX 2 ``referenceType`` or SPDX 3 ``externalRefType``, as given."""
    url: str
    hashes: tuple[tuple[str, str], ...] = ()
    """``(algorithm, value)`` of the referenced artifact (CycloneDX 1.3+ allows hashes here;
    BSI TR-03183-2 v2.1 puts the hash of the deployable form on the ``distribution`` reference)."""


@dataclass(frozen=True)
class FieldCoverage:
    """How many entries of an SBOM carry one field that NTIA or BSI TR-03183-2 asks for."""

    field: str
    """Short name: ``name``, ``version``, ``supplier``, ``unique identifier``, ..."""
    have: int
    total: int
    frameworks: tuple[str, ...]
    """Which minimum-element sets ask for the field: ``NTIA``, ``BSI TR-03183-2``."""
    note: str = ""

    @property
    def share(self) -> float:
        """``have / total`` (1.0 for an empty inventory, where nothing is missing)."""
        return self.have / self.total if self.total else 1.0


@dataclass(frozen=True)
class DocumentCheck:
    """A document-level requirement (author, timestamp, ...) and whether the SBOM meets it."""

    field: str
    present: bool
    value: str
    """What the document says (or why it is missing), for the report."""
    frameworks: tuple[str, ...]


@dataclass(frozen=True)
class SbomQuality:
    """The quality of one SBOM: coverage of the minimum elements and structural defects."""

    path: str
    format: str
    """``CycloneDX 1.6 JSON``, ``SPDX-2.3 tag-value``, ..."""
    components: int
    """Component entries (SPDX: packages, including the described one)."""
    files: int
    """SPDX file and snippet entries (kept, but not counted as components)."""
    document: tuple[DocumentCheck, ...]
    coverage: tuple[FieldCoverage, ...]
    unkeyed: tuple[str, ...]
    """Labels of components with neither purl nor CPE (cannot be matched to vulnerabilities)."""
    dangling: tuple[str, ...]
    """Dependency references that name no entry of the document (``from -> to``)."""
    duplicate_refs: tuple[str, ...]
    """Document identifiers (``bom-ref``, ``SPDXID``) given to more than one entry."""
    duplicate_purls: tuple[str, ...]
    """purls given to more than one entry (each entry is still kept as its own component)."""
    subject: str | None
    """``name version`` of what the SBOM describes, if it says."""
    product_match: str
    """``match``, ``version mismatch``, ``name mismatch``, ``no subject`` or ``no product``."""
    product_note: str
    hardware: int
    """Components of a hardware type (CycloneDX ``device``, SPDX 3 ``device``), plus a device subject."""
    problems: tuple[Problem, ...] = ()
