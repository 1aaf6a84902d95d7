"""Evidence types: the product under assessment, its evidence bundle and references into it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath

from otvet.model.catalog import EvidenceKind
from otvet.model.provenance import Origin


class ArtifactKind(StrEnum):
    """What an artifact in a bundle is, as declared by the manifest or recognised by content."""

    MANIFEST = "manifest"
    QUESTIONNAIRE = "questionnaire"
    SBOM = "sbom"
    CSAF = "csaf"
    VEX = "vex"
    SECURITY_TXT = "security_txt"
    SIGNATURE = "signature"
    UPDATE_PACKAGE = "update_package"
    VERIFICATION_REPORT = "verification_report"
    CONFIG = "config"
    LOG_SAMPLE = "log_sample"
    THREAT_MODEL = "threat_model"
    PROBE_RESULT = "probe_result"
    VULNERABILITY_DATA = "vulnerability_data"
    DOCUMENT = "document"
    UNKNOWN = "unknown"

    @property
    def evidence_kind(self) -> EvidenceKind | None:
        """The catalog evidence kind this artifact can serve as, if any."""
        return _EVIDENCE_KIND.get(self)


_EVIDENCE_KIND: dict[ArtifactKind, EvidenceKind] = {
    ArtifactKind.QUESTIONNAIRE: EvidenceKind.ATTESTATION,
    ArtifactKind.SBOM: EvidenceKind.SBOM,
    ArtifactKind.CSAF: EvidenceKind.CSAF,
    ArtifactKind.VEX: EvidenceKind.VEX,
    ArtifactKind.SECURITY_TXT: EvidenceKind.SECURITY_TXT,
    ArtifactKind.SIGNATURE: EvidenceKind.SIGNATURE,
    ArtifactKind.UPDATE_PACKAGE: EvidenceKind.UPDATE_PACKAGE,
    ArtifactKind.VERIFICATION_REPORT: EvidenceKind.SIGNATURE,
    ArtifactKind.CONFIG: EvidenceKind.CONFIG,
    ArtifactKind.LOG_SAMPLE: EvidenceKind.LOG_SAMPLE,
    ArtifactKind.THREAT_MODEL: EvidenceKind.THREAT_MODEL,
    ArtifactKind.PROBE_RESULT: EvidenceKind.PROBE,
    ArtifactKind.VULNERABILITY_DATA: EvidenceKind.VULNERABILITY_DATA,
    ArtifactKind.DOCUMENT: EvidenceKind.DOCUMENT,
}


class Severity(StrEnum):
    """How bad an input problem is."""

    ERROR = "error"
    """Part of the input could not be used; what depends on it is reported as not evidenced."""
    WARNING = "warning"
    """The input was used, but something about it is doubtful."""


@dataclass(frozen=True)
class Problem:
    """A problem with an input, reported rather than raised so the rest of the run continues."""

    path: str
    """File (relative to the bundle root for bundle members, else as given)."""
    message: str
    where: str | None = None
    """Location inside the file: JSON pointer, line, zip entry, sheet/row/column."""
    severity: Severity = Severity.ERROR
    source: str = "intake"
    """Which stage found it: ``intake``, an analyzer id, ``orchestrator``."""

    def __str__(self) -> str:
        place = f"{self.path}: {self.where}" if self.where else self.path
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class ProductIdentity:
    """Which product (and version) the evidence is about."""

    vendor: str
    product: str
    version: str
    model_numbers: tuple[str, ...] = ()
    product_type: str | None = None
    """e.g. ``PLC``, ``RTU``, ``HMI``, ``gateway``."""
    end_of_support: date | None = None
    """Published end of security support, if the vendor declared one."""
    properties: Mapping[str, str] = field(default_factory=dict)
    """Further manifest properties, kept verbatim (never dropped)."""

    @property
    def label(self) -> str:
        """``Vendor Product version``, for headings."""
        return f"{self.vendor} {self.product} {self.version}".strip()


UNKNOWN_PRODUCT = ProductIdentity(vendor="unknown vendor", product="unknown product", version="")


@dataclass(frozen=True)
class EvidenceArtifact:
    """One file of an evidence bundle."""

    path: str
    """POSIX path relative to the bundle root."""
    kind: ArtifactKind
    size: int
    sha256: str
    format: str | None = None
    """Recognised format and version, e.g. ``CycloneDX 1.5 JSON``."""
    detected_by: str = "content"
    """``manifest`` (declared), ``content`` (recognised) or ``manifest+content`` (both agree)."""
    description: str | None = None
    origin: Origin = Origin.BUNDLE
    """Who put it into the assessment: the vendor's bundle (default), the buyer beside it, or a
    bundle file this installation's audit log shows it produced (ADR 0070)."""
    origin_note: str | None = None
    """Why the origin is what it is, e.g. ``otvet probe run recorded in audit log record 42``."""

    @property
    def name(self) -> str:
        """File name without directories."""
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class EvidenceRef:
    """A pointer from a verdict to the evidence that supports it."""

    path: str
    sha256: str | None = None
    location: str | None = None
    """JSON pointer, line number, sheet/row, probe check id, ..."""
    note: str | None = None

    @classmethod
    def to(
        cls, artifact: EvidenceArtifact, location: str | None = None, note: str | None = None
    ) -> EvidenceRef:
        """Reference an artifact of the bundle."""
        return cls(path=artifact.path, sha256=artifact.sha256, location=location, note=note)


@dataclass(frozen=True)
class EvidenceBundle:
    """A vendor's evidence, materialised in a private directory after safe intake.

    Analyzers read artifact content through :meth:`file_of`; they never touch the
    original input, and nothing outside ``root`` is ever read.
    """

    root: Path
    """Private directory holding the (extracted) bundle content."""
    source: str
    """The path the user gave (directory or ``.zip``)."""
    product: ProductIdentity
    artifacts: tuple[EvidenceArtifact, ...]
    problems: tuple[Problem, ...] = ()
    manifest_path: str | None = None

    def of_kind(self, *kinds: ArtifactKind) -> tuple[EvidenceArtifact, ...]:
        """Artifacts of the given kinds, in bundle order."""
        return tuple(a for a in self.artifacts if a.kind in kinds)

    def find(self, path: str) -> EvidenceArtifact | None:
        """The artifact at a bundle-relative path, if any."""
        wanted = PurePosixPath(path).as_posix().lstrip("./")
        for artifact in self.artifacts:
            if artifact.path == wanted:
                return artifact
        return None

    def file_of(self, artifact: EvidenceArtifact) -> Path:
        """Local file holding an artifact's content (inside :attr:`root`)."""
        return self.root.joinpath(*PurePosixPath(artifact.path).parts)


@dataclass(frozen=True)
class DataSetRef:
    """A data set a verdict rests on (vulnerability database import, advisory set, ...)."""

    source: str
    name: str
    sha256: str | None = None
    records: int | None = None
    imported_at: datetime | None = None
    age_days: float | None = None
    data_date: datetime | None = None
    """How current the data is: the newest record date (OSV/NVD ``modified``), the KEV
    release date or the EPSS score date; ``age_days`` counts from it when known."""
