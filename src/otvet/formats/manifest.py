"""The optional bundle manifest, ``otvet-bundle.yaml``.

::

    otvet_bundle: 1
    product:
      vendor: Northwind Controls
      name: NW-RTU 500
      version: 3.2.1
      model_numbers: [NW-RTU-500]
      type: RTU
      end_of_support: 2035-12-31
      properties: {planned_service_life_years: "20"}
    artifacts:
      - {path: sbom/nw-rtu-500-3.2.1.cdx.json, kind: sbom, description: SBOM of firmware 3.2.1}

Problems are collected with their YAML location; a manifest with problems still yields
what is usable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from otvet.model import ArtifactKind, Problem, ProductIdentity, Severity
from otvet.safeio import check_member_name
from otvet.safeio.limits import DEFAULT_LIMITS

MANIFEST_NAMES = ("otvet-bundle.yaml", "otvet-bundle.yml")


@dataclass(frozen=True)
class DeclaredArtifact:
    """An artifact the manifest declares."""

    path: str
    kind: ArtifactKind
    description: str | None = None


@dataclass
class Manifest:
    """A parsed manifest."""

    product: ProductIdentity | None
    artifacts: list[DeclaredArtifact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_manifest(raw: Any, display: str) -> Manifest:
    """Validate a parsed manifest document, collecting every problem."""
    problems: list[Problem] = []

    def problem(where: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(path=display, where=where, message=message, severity=severity))

    if not isinstance(raw, dict):
        problem("/", "manifest must be a mapping")
        return Manifest(product=None, problems=problems)
    if raw.get("otvet_bundle") not in (1, "1"):
        problem(
            "/otvet_bundle",
            "missing or unsupported format marker (expected otvet_bundle: 1)",
            Severity.WARNING,
        )
    product = _product(raw.get("product"), problem)
    artifacts: list[DeclaredArtifact] = []
    items = raw.get("artifacts") or []
    if not isinstance(items, list):
        problem("/artifacts", "artifacts must be a list")
        items = []
    for index, item in enumerate(items):
        where = f"/artifacts/{index}"
        if not isinstance(item, dict) or "path" not in item:
            problem(where, "each artifact needs at least a path")
            continue
        path = str(item["path"])
        checked = check_member_name(path, DEFAULT_LIMITS)
        if isinstance(checked, str):
            problem(f"{where}/path", f"invalid path {path!r}: {checked}")
            continue
        kind_text = str(item.get("kind", "unknown"))
        try:
            kind = ArtifactKind(kind_text)
        except ValueError:
            allowed = ", ".join(k.value for k in ArtifactKind)
            problem(f"{where}/kind", f"unknown kind {kind_text!r} (one of {allowed})")
            kind = ArtifactKind.UNKNOWN
        description = item.get("description")
        artifacts.append(
            DeclaredArtifact(
                path="/".join(checked), kind=kind, description=str(description) if description else None
            )
        )
    unknown = set(raw) - {"otvet_bundle", "product", "artifacts"}
    for key in sorted(unknown):
        problem(f"/{key}", "unknown top-level key (ignored)", Severity.WARNING)
    return Manifest(product=product, artifacts=artifacts, problems=problems)


def _product(raw: Any, problem: Any) -> ProductIdentity | None:
    if not isinstance(raw, dict):
        problem("/product", "missing product section (vendor, name, version)")
        return None
    missing = [k for k in ("vendor", "name", "version") if not raw.get(k)]
    if missing:
        problem("/product", f"missing {', '.join(missing)}")
    end: date | None = None
    eos = raw.get("end_of_support")
    if isinstance(eos, date):
        end = eos
    elif eos:
        try:
            end = date.fromisoformat(str(eos))
        except ValueError:
            problem("/product/end_of_support", f"not an ISO 8601 date: {eos!r}")
    models = raw.get("model_numbers") or []
    if isinstance(models, str):
        models = [models]
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        problem("/product/properties", "properties must be a mapping")
        props = {}
    return ProductIdentity(
        vendor=str(raw.get("vendor") or "unknown vendor"),
        product=str(raw.get("name") or "unknown product"),
        version=str(raw.get("version") or ""),
        model_numbers=tuple(str(m) for m in models),
        product_type=str(raw["type"]) if raw.get("type") else None,
        end_of_support=end,
        properties={str(k): str(v) for k, v in props.items()},
    )
