"""Dispatch to the right SBOM reader by content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from otvet.model import Component, Dependency, FormatError, Hash, Location, SbomDocument
from otvet.safeio import DEFAULT_LIMITS, Limits, load_json


def read_sbom(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> SbomDocument:
    """Read an SBOM; raises :class:`FormatError` when the file is not a readable SBOM."""
    shown = display or str(path)
    doc = load_json(path, display=shown, limits=limits)
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise FormatError("not a CycloneDX JSON SBOM", Location(shown))
    return _cyclonedx(doc, shown)


def _component(raw: dict[str, Any], pointer: str, parent: str | None) -> Component:
    return Component(
        ref=str(raw.get("bom-ref") or pointer),
        name=str(raw.get("name", "")),
        version=str(raw["version"]) if raw.get("version") else None,
        type=raw.get("type"),
        supplier=(raw.get("supplier") or {}).get("name"),
        author=raw.get("author"),
        purl=raw.get("purl"),
        cpes=(raw["cpe"],) if raw.get("cpe") else (),
        hashes=tuple(
            Hash(str(h.get("alg", "")).upper(), str(h.get("content", "")).lower())
            for h in raw.get("hashes") or ()
        ),
        location=pointer,
        parent=parent,
    )


def _cyclonedx(doc: dict[str, Any], shown: str) -> SbomDocument:
    components: list[Component] = []
    stack: list[tuple[list[Any], str, str | None]] = [(doc.get("components") or [], "/components", None)]
    while stack:
        items, base, parent = stack.pop()
        for index, raw in enumerate(items):
            if isinstance(raw, dict):
                component = _component(raw, f"{base}/{index}", parent)
                components.append(component)
                if raw.get("components"):
                    stack.append((raw["components"], f"{base}/{index}/components", component.ref))
    metadata = doc.get("metadata") or {}
    subject = metadata.get("component")
    return SbomDocument(
        path=shown,
        format="CycloneDX",
        spec_version=str(doc.get("specVersion", "")),
        encoding="json",
        serial=doc.get("serialNumber"),
        subject=_component(subject, "/metadata/component", None) if isinstance(subject, dict) else None,
        components=tuple(components),
        dependencies=tuple(
            Dependency(
                str(d.get("ref")), tuple(str(x) for x in d.get("dependsOn") or ()), f"/dependencies/{i}"
            )
            for i, d in enumerate(doc.get("dependencies") or ())
            if isinstance(d, dict)
        ),
    )
