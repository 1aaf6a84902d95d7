"""Fixtures for the knowledge base tests: a store on SQLite and PostgreSQL, SBOM builders, CSAF subsets."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.formats.csaf.resolver import normalise_vendor
from otvet.knowledge import KnowledgeBase
from otvet.model import Component, SbomDocument

NOW = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture
def kb(db_url: str) -> Iterator[KnowledgeBase]:
    """An empty knowledge base on SQLite and on PostgreSQL (same test body)."""
    knowledge = KnowledgeBase.open(db_url)
    try:
        yield knowledge
    finally:
        knowledge.close()


@pytest.fixture
def sqlite_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """An empty knowledge base on a temporary SQLite file."""
    knowledge = KnowledgeBase.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    try:
        yield knowledge
    finally:
        knowledge.close()


def component(
    name: str,
    version: str | None = None,
    *,
    purl: str | None = None,
    cpe: str | None = None,
    ref: str | None = None,
) -> Component:
    """A component as an SBOM reader would produce it."""
    return Component(
        ref=ref or f"{name}@{version}",
        name=name,
        version=version,
        purl=purl,
        cpes=(cpe,) if cpe else (),
        location=f"/components/{name}",
    )


def sbom(
    *components: Component,
    subject: Component | None = None,
    serial: str | None = None,
    version: str | None = None,
) -> SbomDocument:
    """An SBOM document holding the given components."""
    return SbomDocument(
        path="test.cdx.json",
        format="CycloneDX",
        spec_version="1.5",
        encoding="json",
        serial=serial,
        document_version=version,
        subject=subject,
        components=tuple(components),
    )


CISA = "csaf/cisa-ot"


def cisa_subset(
    corpus: Path, target: Path, *, vendors: tuple[str, ...] = (), titles: tuple[str, ...] = ()
) -> list[str]:
    """Copy the CISA ICS advisories of some vendors (compared after vendor normalisation) or whose
    title contains one of ``titles``, with their ``.sha512`` files, into ``target`` (year folders
    kept). A deterministic per-vendor subset of the corpus for tests; returns the relative paths."""
    root = corpus / CISA
    wanted = {normalise_vendor(v) for v in vendors}
    copied: list[str] = []
    for path in sorted(root.rglob("*.json")):
        doc = json.loads(path.read_bytes())
        names: set[str] = set()
        stack = list(doc.get("product_tree", {}).get("branches", []))
        while stack:
            branch = stack.pop()
            if branch.get("category") == "vendor":
                names.add(normalise_vendor(branch.get("name", "")))
            stack.extend(branch.get("branches", []))
        title = doc.get("document", {}).get("title", "")
        if names & wanted or any(t in title for t in titles):
            relative = path.relative_to(root)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
            sidecar = path.with_name(path.name + ".sha512")
            if sidecar.is_file():
                shutil.copyfile(sidecar, target / relative.with_name(path.name + ".sha512"))
            copied.append(relative.as_posix())
    return copied
