"""Fixtures for the knowledge base tests: a store on SQLite and PostgreSQL, SBOM builders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
