"""Component inventory types: what an SBOM says a product contains.

Every format reader (CycloneDX, SPDX 2, SPDX 3) produces these. Identity is never merged:
two entries of a document are two components unless the document itself says they are
the same, and a component without a purl or CPE is kept (it is "unkeyed", which the
quality analyzer reports, and the vulnerability matcher lists as unmatchable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from otvet.model.evidence import Problem
from otvet.model.sbom import ExternalReference


@dataclass(frozen=True)
class Hash:
    """A content hash of a component."""

    algorithm: str
    """Normalised upper-case name with dash: ``SHA-256``, ``SHA-512``, ``SHA-1``, ``MD5``."""
    value: str
    """Lower-case hex."""


@dataclass(frozen=True)
class Component:
    """One component entry of an SBOM."""

    ref: str
    """The document's own identifier (``bom-ref``, ``SPDXID``, ``spdxId``); when the
    document gives none, a synthetic one derived from :attr:`location`. Documents can
    (wrongly) give one identifier to several entries: each entry is still its own component."""
    name: str
    version: str | None = None
    type: str | None = None
    """CycloneDX type or SPDX primary purpose: ``library``, ``firmware``, ``operating-system``."""
    supplier: str | None = None
    author: str | None = None
    """Creator of the component (BSI TR-03183-2 "component creator"): CycloneDX
    ``manufacturer``/``authors``/``author``, SPDX 2 ``originator``, SPDX 3 ``originatedBy``."""
    purl: str | None = None
    cpes: tuple[str, ...] = ()
    hashes: tuple[Hash, ...] = ()
    licenses: tuple[str, ...] = ()
    """SPDX expressions or licence names as given."""
    filename: str | None = None
    description: str | None = None
    properties: tuple[tuple[str, str], ...] = ()
    location: str = ""
    """Where the entry sits in its file: JSON pointer, XML path or ``line N``."""
    parent: str | None = None
    """Ref of the enclosing component for nested CycloneDX components."""
    group: str | None = None
    """CycloneDX ``group`` (Maven group id, npm scope, vendor), kept apart from the name."""
    creator_contact: str | None = None
    """E-mail address or URL of the component creator (BSI TR-03183-2 asks for one)."""
    supplier_contact: str | None = None
    """E-mail address or URL of the supplier, when given."""
    copyright: str | None = None
    scope: str | None = None
    """CycloneDX ``required``/``optional``/``excluded``; ``None`` when not stated."""
    external_refs: tuple[ExternalReference, ...] = ()
    other_ids: tuple[str, ...] = ()
    """Further identifiers: SWID tag ids, OmniBOR ids, SWHIDs, SPDX 3 external identifiers
    other than purl and CPE."""

    @property
    def keyed(self) -> bool:
        """Whether the component carries an identifier a vulnerability database can match."""
        return bool(self.purl or self.cpes)

    @property
    def label(self) -> str:
        """``name@version`` for tables (``group/name@version`` when a group is given)."""
        name = f"{self.group}/{self.name}" if self.group else self.name
        return f"{name}@{self.version}" if self.version else name


@dataclass(frozen=True)
class Dependency:
    """A dependency relationship: ``ref`` depends on each of ``depends_on``."""

    ref: str
    depends_on: tuple[str, ...]
    location: str = ""
    kind: str = "dependsOn"
    """Relationship type as the document names it: CycloneDX ``dependsOn`` or ``provides``,
    SPDX 2 ``DEPENDS_ON``/``CONTAINS``/... (inverse types such as ``DEPENDENCY_OF`` are turned
    around so that ``ref`` is always the including side), SPDX 3 ``dependsOn``/``contains``/..."""


@dataclass(frozen=True)
class SbomDocument:
    """A parsed SBOM with its components, relationships, metadata and reading problems."""

    path: str
    format: str
    """``CycloneDX``, ``SPDX``."""
    spec_version: str
    encoding: str
    """``json``, ``xml``, ``tag-value``, ``json-ld``."""
    serial: str | None = None
    """CycloneDX serialNumber or SPDX document namespace / id."""
    document_version: str | None = None
    created: datetime | None = None
    authors: tuple[str, ...] = ()
    """Authors / creators of the SBOM data (people and organisations)."""
    tools: tuple[str, ...] = ()
    subject: Component | None = None
    """What the SBOM describes (CycloneDX ``metadata.component``, SPDX described package)."""
    components: tuple[Component, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    problems: tuple[Problem, ...] = ()
    """What could not be read; the readable rest is still in :attr:`components`."""
    lifecycle: dict[str, str] = field(default_factory=dict)
    """CycloneDX lifecycle / end-of-life style metadata, when present."""
    author_contacts: tuple[str, ...] = ()
    """E-mail addresses and URLs of the SBOM's authors (BSI TR-03183-2 "creator of the SBOM")."""
    supplier: str | None = None
    """Who supplies the product the SBOM describes (CycloneDX ``metadata.supplier``/``manufacturer``)."""
    files: tuple[Component, ...] = ()
    """SPDX files and snippets: kept and readable, but not counted as components (ADR 0020)."""
    services: tuple[Component, ...] = ()
    """CycloneDX services (type ``service``): kept, not counted as components."""
    completeness: str | None = None
    """Declared completeness of the inventory: CycloneDX ``compositions`` aggregate of the
    whole BOM or its subject, SPDX 3 relationship ``completeness`` of ``describes``."""
    vulnerabilities: int = 0
    """Number of vulnerability entries the document carries (CycloneDX VEX/VDR)."""
