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
    document gives none, a synthetic one derived from :attr:`location`."""
    name: str
    version: str | None = None
    type: str | None = None
    """CycloneDX type or SPDX primary purpose: ``library``, ``firmware``, ``operating-system``."""
    supplier: str | None = None
    author: str | None = None
    """Creator of the component (BSI TR-03183-2 "component creator")."""
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

    @property
    def keyed(self) -> bool:
        """Whether the component carries an identifier a vulnerability database can match."""
        return bool(self.purl or self.cpes)

    @property
    def label(self) -> str:
        """``name@version`` for tables."""
        return f"{self.name}@{self.version}" if self.version else self.name


@dataclass(frozen=True)
class Dependency:
    """A dependency relationship: ``ref`` depends on each of ``depends_on``."""

    ref: str
    depends_on: tuple[str, ...]
    location: str = ""


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
