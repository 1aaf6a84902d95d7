"""SPDX 2.2 / 2.3 JSON reader.

Reads the parsed document itself rather than through spdx-tools (ADR 0020): spdx-tools
raises one ``SPDXParsingError`` for the whole document when any field is malformed, so a
single bad checksum would hide every package. spdx-tools still judges conformance
(``conformance.py``). Components are the packages, including the described one (SPDX has no
separate subject entry); files and snippets are kept in :attr:`SbomDocument.files`.
"""

from __future__ import annotations

from typing import Any

from otvet.formats.sbom.common import Reading, contact_in, make_hash, parse_time, pointer, unique
from otvet.formats.sbom.spdx_common import (
    actor_name,
    document_subject,
    license_values,
    relationship,
)
from otvet.model import Component, Dependency, Hash, SbomDocument
from otvet.model.sbom import ExternalReference


def read_spdx2_json(doc: dict[str, Any], reading: Reading) -> SbomDocument:
    """Read a parsed SPDX 2 JSON document (``spdxVersion`` already seen)."""
    version = reading.text(doc.get("spdxVersion"), "/spdxVersion", required=True) or ""
    info = reading.mapping(doc.get("creationInfo"), "/creationInfo") or {}
    creators = [
        text
        for i, c in enumerate(reading.items(info.get("creators"), "/creationInfo/creators"))
        if (text := reading.text(c, f"/creationInfo/creators/{i}"))
    ]
    created = None
    if (stamp := reading.text(info.get("created"), "/creationInfo/created")) is not None:
        created = parse_time(stamp)
        if created is None:
            reading.problem("/creationInfo/created", f"not an ISO 8601 date-time: {stamp!r}")
    packages = []
    for i, raw in enumerate(reading.items(doc.get("packages"), "/packages")):
        where = f"/packages/{i}"
        reading.count(where)
        if not isinstance(raw, dict):
            reading.problem(where, "package entry is not an object; it cannot be read")
            continue
        packages.append(_package(raw, where, reading))
    files = []
    for key, name_key in (("files", "fileName"), ("snippets", "name")):
        for i, raw in enumerate(reading.items(doc.get(key), f"/{key}")):
            where = f"/{key}/{i}"
            reading.count(where)
            if not isinstance(raw, dict):
                reading.problem(where, f"{key[:-1]} entry is not an object; it cannot be read")
                continue
            files.append(_file(raw, where, name_key, reading))
    dependencies = []
    described = [
        text
        for i, ref in enumerate(reading.items(doc.get("documentDescribes"), "/documentDescribes"))
        if (text := reading.text(ref, f"/documentDescribes/{i}"))
    ]
    doc_id = reading.text(doc.get("SPDXID"), "/SPDXID") or "SPDXRef-DOCUMENT"
    for i, raw in enumerate(reading.items(doc.get("relationships"), "/relationships")):
        where = f"/relationships/{i}"
        reading.count(where)
        if not isinstance(raw, dict):
            reading.problem(where, "relationship is not an object")
            continue
        source = reading.text(raw.get("spdxElementId"), where, "spdxElementId", required=True)
        kind = reading.text(raw.get("relationshipType"), where, "relationshipType", required=True)
        target = reading.text(raw.get("relatedSpdxElement"), where, "relatedSpdxElement", required=True)
        if not (source and kind and target):
            continue
        if source == doc_id and kind.upper() == "DESCRIBES":
            described.append(target)
            continue
        if source != doc_id and (edge := relationship(source, kind, target, where)):
            dependencies.append(edge)
    # Packages may also list their files (hasFiles): that is a CONTAINS relationship.
    for i, raw in enumerate(reading.items(doc.get("packages"), "/packages")):
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("hasFiles"), list)
            and isinstance(raw.get("SPDXID"), str)
        ):
            targets = tuple(t for t in raw["hasFiles"] if isinstance(t, str))
            if targets:
                dependencies.append(Dependency(raw["SPDXID"], targets, f"/packages/{i}/hasFiles", "CONTAINS"))
    subject = document_subject(unique(described), packages, reading)
    return SbomDocument(
        path=reading.path,
        format="SPDX",
        spec_version=version.removeprefix("SPDX-"),
        encoding="json",
        serial=reading.text(doc.get("documentNamespace"), "/documentNamespace"),
        created=created,
        authors=unique(actor_name(c) or "" for c in creators if not c.startswith("Tool:")),
        tools=unique(c.removeprefix("Tool:").strip() for c in creators if c.startswith("Tool:")),
        subject=subject,
        components=tuple(packages),
        dependencies=tuple(dependencies),
        problems=tuple(reading.problems),
        author_contacts=unique(
            contact for c in creators if not c.startswith("Tool:") and (contact := contact_in(c))
        ),
        supplier=subject.supplier if subject else None,
        files=tuple(files),
    )


def _checksums(value: Any, where: str, reading: Reading) -> tuple[Hash, ...]:
    out = []
    for i, raw in enumerate(reading.items(value, where)):
        here = f"{where}/{i}"
        if not isinstance(raw, dict):
            reading.problem(here, "checksum is not an object")
            continue
        alg = reading.text(raw.get("algorithm"), here, "algorithm", required=True)
        content = reading.text(raw.get("checksumValue"), here, "checksumValue", required=True)
        if alg and content:
            out.append(make_hash(alg, content))
    return tuple(out)


def _package(raw: dict[str, Any], where: str, reading: Reading) -> Component:
    name = reading.text(raw.get("name"), where, "name")
    if not name:
        reading.problem(where, "package has no name (kept, labelled by its location)")
    ref = reading.text(raw.get("SPDXID"), where, "SPDXID")
    if not ref:
        reading.problem(where, "package has no SPDXID; relationships cannot reach it")
    supplier_text = reading.text(raw.get("supplier"), where, "supplier")
    originator_text = reading.text(raw.get("originator"), where, "originator")
    purl = None
    cpes = []
    other_ids = []
    refs = []
    for i, ext in enumerate(reading.items(raw.get("externalRefs"), where, "externalRefs")):
        here = pointer(where, "externalRefs", i)
        if not isinstance(ext, dict):
            reading.problem(here, "external reference is not an object")
            continue
        kind = reading.text(ext.get("referenceType"), here, "referenceType", required=True) or ""
        locator = reading.text(ext.get("referenceLocator"), here, "referenceLocator", required=True) or ""
        if not locator:
            continue
        if kind == "purl":
            if purl is None:
                purl = locator
            else:
                other_ids.append(locator)
        elif kind in ("cpe23Type", "cpe22Type"):
            cpes.append(locator)
        elif kind in ("swid", "gitoid", "swh"):
            other_ids.append(locator)
        else:
            refs.append(ExternalReference(kind, locator))
    download = reading.text(raw.get("downloadLocation"), where, "downloadLocation")
    if download and download not in ("NOASSERTION", "NONE"):
        refs.append(ExternalReference("distribution", download))
    homepage = reading.text(raw.get("homepage"), where, "homepage")
    if homepage and homepage not in ("NOASSERTION", "NONE"):
        refs.append(ExternalReference("website", homepage))
    copyright_text = reading.text(raw.get("copyrightText"), where, "copyrightText")
    purpose = reading.text(raw.get("primaryPackagePurpose"), where, "primaryPackagePurpose")
    return Component(
        ref=ref or where,
        name=name or "",
        version=reading.text(raw.get("versionInfo"), where, "versionInfo") or None,
        type=purpose.lower() if purpose else None,
        supplier=actor_name(supplier_text),
        author=actor_name(originator_text),
        purl=purl,
        cpes=tuple(cpes),
        hashes=_checksums(raw.get("checksums"), f"{where}/checksums", reading),
        licenses=license_values(
            reading.text(raw.get("licenseConcluded"), where, "licenseConcluded"),
            reading.text(raw.get("licenseDeclared"), where, "licenseDeclared"),
        ),
        filename=reading.text(raw.get("packageFileName"), where, "packageFileName"),
        description=reading.text(raw.get("summary"), where, "summary")
        or reading.text(raw.get("description"), where, "description"),
        location=where,
        creator_contact=contact_in(originator_text) if originator_text else None,
        supplier_contact=contact_in(supplier_text) if supplier_text else None,
        copyright=copyright_text if copyright_text not in (None, "NOASSERTION", "NONE") else None,
        external_refs=tuple(refs),
        other_ids=tuple(other_ids),
    )


def _file(raw: dict[str, Any], where: str, name_key: str, reading: Reading) -> Component:
    name = reading.text(raw.get(name_key), pointer(where, name_key)) or ""
    ref = reading.text(raw.get("SPDXID"), where, "SPDXID")
    concluded = reading.text(raw.get("licenseConcluded"), where, "licenseConcluded")
    copyright_text = reading.text(raw.get("copyrightText"), where, "copyrightText")
    return Component(
        ref=ref or where,
        name=name,
        type="file" if name_key == "fileName" else "snippet",
        hashes=_checksums(raw.get("checksums"), f"{where}/checksums", reading),
        licenses=license_values(concluded, None),
        filename=name.rsplit("/", 1)[-1] if name_key == "fileName" and name else None,
        location=where,
        copyright=copyright_text if copyright_text not in (None, "NOASSERTION", "NONE") else None,
    )
