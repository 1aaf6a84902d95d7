"""SPDX 2.x tag-value reader.

Line-based and forgiving: an unknown tag or a malformed value is a problem naming its line,
and reading continues with the next line (spdx-tools' tag-value parser stops the whole
document at the first error; it still judges conformance, see ``conformance.py``).
Multi-line values are enclosed in ``<text>...</text>`` (SPDX 2.3 annex, tag-value format).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from otvet.formats.sbom.common import Reading, contact_in, make_hash, parse_time, unique
from otvet.formats.sbom.spdx_common import actor_name, document_subject, license_values, relationship
from otvet.model import Component, Dependency, Hash, SbomDocument
from otvet.model.sbom import ExternalReference

_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s?(.*)$")
_CHECKSUM = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*:\s*([0-9A-Fa-f]+)\s*$")


@dataclass
class _Entry:
    kind: str
    """``package``, ``file`` or ``snippet``."""
    line: int
    values: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def first(self, tag: str) -> str | None:
        found = self.values.get(tag)
        return found[0][1].strip() if found else None

    def all(self, tag: str) -> list[tuple[int, str]]:
        return self.values.get(tag, [])


_STARTS = {"PackageName": "package", "FileName": "file", "SnippetSPDXID": "snippet"}
_ENDS = {"LicenseID"}  # extracted licensing info sections end package/file sections


def _lines(text: str, reading: Reading) -> Iterator[tuple[int, str, str]]:
    """``(line, tag, value)`` with ``<text>`` blocks joined; bad lines become problems."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _TAG.match(stripped)
        if not match:
            reading.problem(f"line {number}", "not a 'Tag: value' line")
            continue
        tag, value = match.group(1), match.group(2)
        if value.lstrip().startswith("<text>"):
            body = value.lstrip()[len("<text>") :]
            parts = []
            while "</text>" not in body:
                parts.append(body)
                if index >= len(lines):
                    reading.problem(f"line {number}", f"{tag}: <text> block is not closed")
                    body = ""
                    break
                body = lines[index]
                index += 1
            else:
                parts.append(body[: body.index("</text>")])
            value = "\n".join(parts)
        yield number, tag, value


def read_spdx2_tagvalue(text: str, reading: Reading) -> SbomDocument:
    """Read SPDX 2 tag-value text."""
    head: dict[str, list[tuple[int, str]]] = {}
    entries: list[_Entry] = []
    relationships: list[tuple[int, str]] = []
    current: _Entry | None = None
    for number, tag, value in _lines(text, reading):
        if tag in _STARTS:
            current = _Entry(_STARTS[tag], number)
            entries.append(current)
            reading.count(f"line {number}")
        elif tag in _ENDS:
            current = None
        if tag == "Relationship":
            relationships.append((number, value))
            continue
        section = current.values if current is not None else head
        section.setdefault(tag, []).append((number, value))

    version = _first(head, "SPDXVersion") or ""
    if not version:
        reading.problem(None, "SPDXVersion is missing")
    created = None
    if stamp := _first(head, "Created"):
        created = parse_time(stamp)
        if created is None:
            reading.problem(f"line {head['Created'][0][0]}", f"not an ISO 8601 date-time: {stamp!r}")
    creators = [v.strip() for _, v in head.get("Creator", [])]
    packages: list[Component] = []
    files: list[Component] = []
    dependencies: list[Dependency] = []
    for entry in entries:
        if entry.kind == "package":
            packages.append(_package(entry, reading))
            if files_of := entry.all("HasFile"):
                dependencies.append(
                    Dependency(
                        entry.first("SPDXID") or "",
                        tuple(v.strip() for _, v in files_of),
                        f"line {entry.line}",
                        "CONTAINS",
                    )
                )
        else:
            files.append(_file(entry, reading))
    doc_id = _first(head, "SPDXID") or "SPDXRef-DOCUMENT"
    described = [v.strip() for _, v in head.get("DocumentDescribes", [])]
    for number, value in relationships:
        parts = value.split()
        if len(parts) < 3:
            reading.problem(f"line {number}", f"Relationship needs 'A TYPE B', found {value!r}")
            continue
        source, kind, target = parts[0], parts[1], parts[2]
        if source == doc_id and kind.upper() == "DESCRIBES":
            described.append(target)
        elif source != doc_id and (edge := relationship(source, kind, target, f"line {number}")):
            dependencies.append(edge)
    subject = document_subject(unique(described), packages, reading)
    return SbomDocument(
        path=reading.path,
        format="SPDX",
        spec_version=version.removeprefix("SPDX-"),
        encoding="tag-value",
        serial=_first(head, "DocumentNamespace"),
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


def _first(values: dict[str, list[tuple[int, str]]], tag: str) -> str | None:
    found = values.get(tag)
    return found[0][1].strip() if found else None


def _checksums(entry: _Entry, tag: str, reading: Reading) -> tuple[Hash, ...]:
    out = []
    for number, value in entry.all(tag):
        match = _CHECKSUM.match(value)
        if match:
            out.append(make_hash(match.group(1), match.group(2)))
        else:
            reading.problem(f"line {number}", f"{tag}: expected 'ALGORITHM: hex value', found {value!r}")
    return tuple(out)


def _package(entry: _Entry, reading: Reading) -> Component:
    where = f"line {entry.line}"
    name = entry.first("PackageName") or ""
    if not name:
        reading.problem(where, "package has no name (kept, labelled by its location)")
    ref = entry.first("SPDXID")
    if not ref:
        reading.problem(where, "package has no SPDXID; relationships cannot reach it")
    purl = None
    cpes: list[str] = []
    other_ids: list[str] = []
    refs: list[ExternalReference] = []
    for number, value in entry.all("ExternalRef"):
        parts = value.split()
        if len(parts) < 3:
            reading.problem(f"line {number}", f"ExternalRef needs 'CATEGORY TYPE LOCATOR', found {value!r}")
            continue
        kind, locator = parts[1], parts[2]
        if kind == "purl" and purl is None:
            purl = locator
        elif kind in ("cpe23Type", "cpe22Type"):
            cpes.append(locator)
        elif kind in ("purl", "swid", "gitoid", "swh"):
            other_ids.append(locator)
        else:
            refs.append(ExternalReference(kind, locator))
    download = entry.first("PackageDownloadLocation")
    if download and download not in ("NOASSERTION", "NONE"):
        refs.append(ExternalReference("distribution", download))
    homepage = entry.first("PackageHomePage")
    if homepage and homepage not in ("NOASSERTION", "NONE"):
        refs.append(ExternalReference("website", homepage))
    supplier = entry.first("PackageSupplier")
    originator = entry.first("PackageOriginator")
    copyright_text = entry.first("PackageCopyrightText")
    purpose = entry.first("PrimaryPackagePurpose")
    return Component(
        ref=ref or where,
        name=name,
        version=entry.first("PackageVersion") or None,
        type=purpose.lower() if purpose else None,
        supplier=actor_name(supplier),
        author=actor_name(originator),
        purl=purl,
        cpes=tuple(cpes),
        hashes=_checksums(entry, "PackageChecksum", reading),
        licenses=license_values(
            entry.first("PackageLicenseConcluded"), entry.first("PackageLicenseDeclared")
        ),
        filename=entry.first("PackageFileName"),
        description=entry.first("PackageSummary") or entry.first("PackageDescription"),
        location=where,
        creator_contact=contact_in(originator) if originator else None,
        supplier_contact=contact_in(supplier) if supplier else None,
        copyright=copyright_text if copyright_text not in (None, "NOASSERTION", "NONE") else None,
        external_refs=tuple(refs),
        other_ids=tuple(other_ids),
    )


def _file(entry: _Entry, reading: Reading) -> Component:
    where = f"line {entry.line}"
    is_file = entry.kind == "file"
    name = (entry.first("FileName") if is_file else entry.first("SnippetName")) or ""
    ref = entry.first("SPDXID") if is_file else entry.first("SnippetSPDXID")
    copyright_text = entry.first("FileCopyrightText" if is_file else "SnippetCopyrightText")
    return Component(
        ref=ref or where,
        name=name,
        type=entry.kind,
        hashes=_checksums(entry, "FileChecksum", reading) if is_file else (),
        licenses=license_values(
            entry.first("LicenseConcluded" if is_file else "SnippetLicenseConcluded"), None
        ),
        filename=name.rsplit("/", 1)[-1] if is_file and name else None,
        location=where,
        copyright=copyright_text if copyright_text not in (None, "NOASSERTION", "NONE") else None,
    )
