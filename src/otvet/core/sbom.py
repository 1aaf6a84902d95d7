"""SBOM services for the shells: read an SBOM and judge its quality (``otvet sbom inspect``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from otvet.analyzers.sbom_quality import assess_quality, quality_tables
from otvet.formats.sbom import parse_sbom
from otvet.formats.sbom.conformance import check_conformance
from otvet.model import Problem, ProductIdentity, SbomDocument, Table
from otvet.model.sbom import SbomQuality
from otvet.model.serialize import to_jsonable
from otvet.safeio import DEFAULT_LIMITS, Limits, read_bytes


@dataclass(frozen=True)
class SbomInspection:
    """What ``otvet sbom inspect`` shows: the document, its quality and the report tables."""

    document: SbomDocument
    quality: SbomQuality
    tables: tuple[Table, ...]

    def as_json(self) -> dict[str, Any]:
        """Quality report plus the full component inventory, as JSON values."""
        return {
            "otvet_sbom_inspection": 1,
            "quality": to_jsonable(self.quality),
            "document": to_jsonable(self.document),
        }


def inspect_sbom(
    path: Path,
    *,
    product: str | None = None,
    version: str | None = None,
    conformance: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> SbomInspection:
    """Read one SBOM file and measure its quality (optionally against a product and version)."""
    data = read_bytes(path, limits=limits)
    document = parse_sbom(data, str(path), limits=limits)
    if conformance:
        document = _with_problems(document, check_conformance(data, document))
    identity = ProductIdentity(vendor="", product=product, version=version or "") if product else None
    quality = assess_quality(document, identity)
    return SbomInspection(document, quality, quality_tables(quality))


def _with_problems(document: SbomDocument, extra: tuple[Problem, ...]) -> SbomDocument:
    return replace(document, problems=document.problems + extra) if extra else document


def write_inspection(inspection: SbomInspection, target: Path) -> Path:
    """Write the inspection as JSON."""
    target.write_text(json.dumps(inspection.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
