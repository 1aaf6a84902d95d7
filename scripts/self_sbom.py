"""Write the CycloneDX 1.6 SBOM of otvet itself: otvet plus its runtime dependency closure.

Run by ``make sbom``; the result is committed as ``sbom/otvet.cdx.json`` and checked by
``tests/test_self_sbom.py`` against ``constraints.txt``. Development-only dependencies (test,
lint and type tools) are not part of what users install and are left out.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = "otvet"


def _closure(root: str) -> dict[str, metadata.Distribution]:
    """Installed distributions reachable from ``root`` through runtime requirements."""
    environment = default_environment()
    seen: dict[str, metadata.Distribution] = {}
    pending: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while pending:
        name, extras = pending.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            active = requirement.marker is None or any(
                requirement.marker.evaluate({**environment, "extra": extra}) for extra in (extras or {""})
            )
            if active:
                pending.append((requirement.name, frozenset(requirement.extras)))
    return seen


def _licence(dist: metadata.Distribution) -> str | None:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License :: OSI Approved ::")]
    if classifiers:
        return classifiers[0].rsplit("::", 1)[-1].strip()
    text = meta.get("License")
    return str(text) if text and len(text) < 80 else None


def _component(dist: metadata.Distribution) -> Component:
    name = str(dist.metadata["Name"])
    version = dist.version
    purl = PackageURL(type="pypi", name=canonicalize_name(name), version=version)
    licence = _licence(dist)
    references = []
    home = dist.metadata.get("Home-page")
    if home and home.startswith("https://"):
        references.append(ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(home)))
    return Component(
        name=name,
        version=version,
        type=ComponentType.LIBRARY,
        purl=purl,
        bom_ref=str(purl),
        licenses=[LicenseExpression(licence)] if licence else [],
        external_references=references,
    )


def build() -> str:
    """The SBOM as a JSON string."""
    dists = _closure(ROOT)
    root_dist = dists.pop(canonicalize_name(ROOT))
    bom = Bom()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    bom.metadata.timestamp = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    root = Component(
        name=ROOT,
        version=root_dist.version,
        type=ComponentType.APPLICATION,
        purl=PackageURL(type="pypi", name=ROOT, version=root_dist.version),
        bom_ref=f"pkg:pypi/{ROOT}@{root_dist.version}",
        licenses=[LicenseExpression("Apache-2.0")],
        description="Secure by Demand assessments for OT products",
    )
    bom.metadata.component = root
    components = {key: _component(dist) for key, dist in sorted(dists.items())}
    for component in components.values():
        bom.components.add(component)
    environment = default_environment()
    for key, dist in [(canonicalize_name(ROOT), root_dist), *sorted(dists.items())]:
        owner = root if key == canonicalize_name(ROOT) else components[key]
        targets = []
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate(
                {**environment, "extra": ""}
            ):
                continue
            target = components.get(canonicalize_name(requirement.name))
            if target is not None:
                targets.append(target)
        bom.register_dependency(owner, targets)
    return json.dumps(json.loads(JsonV1Dot6(bom).output_as_string()), indent=2) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("sbom/otvet.cdx.json"))
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(build(), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
