"""SPDX 3.0 JSON-LD reader (the compacted form with the official SPDX 3 context).

The ``@graph`` elements are indexed by ``spdxId`` and read directly (ADR 0020):
spdx-python-model refuses the whole document on one unknown property or one wrong type,
and says where only by the message. Components are ``software_Package`` elements; files and
snippets go to :attr:`SbomDocument.files`. Licences come from ``hasConcludedLicense`` /
``hasDeclaredLicense`` relationships, agents (supplier, originator, creators) are resolved
through their ids.
"""

from __future__ import annotations

import re
from typing import Any

from otvet.formats.sbom.common import Reading, items, make_hash, parse_time, pointer, unique
from otvet.model import Component, Dependency, Hash, SbomDocument
from otvet.model.sbom import ExternalReference

_CONTEXT_VERSION = re.compile(r"spdx\.org/rdf/(3\.\d+(?:\.\d+)?)/")
_TERMS = re.compile(r"^https?://spdx\.org/rdf/3\.\d+(?:\.\d+)?/terms/(?:(\w+)/)?(\w+)$")
_NO_VALUE = {"", "NOASSERTION", "NONE", "UNSPECIFIED"}
_PACKAGE = "software_Package"
_FILES = {"software_File", "software_Snippet"}
_LICENCE_RELATIONS = {"hasConcludedLicense": 0, "hasDeclaredLicense": 1}
_PROFILE_PREFIX = {
    "Software": "software_",
    "SimpleLicensing": "simplelicensing_",
    "ExpandedLicensing": "expandedlicensing_",
}


def _type(element: dict[str, Any]) -> str:
    """Compact type name; full IRIs (``.../terms/Software/Package``) are compacted too."""
    raw = element.get("type", element.get("@type"))
    if not isinstance(raw, str):
        return ""
    if match := _TERMS.match(raw):
        profile, name = match.group(1), match.group(2)
        return f"{_PROFILE_PREFIX.get(profile or '', '')}{name}"
    return raw.removeprefix("spdx:")


def _id(element: dict[str, Any]) -> str | None:
    value = element.get("spdxId", element.get("@id"))
    return value if isinstance(value, str) else None


def read_spdx3(doc: dict[str, Any], reading: Reading) -> SbomDocument:
    """Read a parsed SPDX 3 JSON-LD document."""
    context = doc.get("@context")
    contexts = context if isinstance(context, list) else [context]
    spec = next(
        (m.group(1) for c in contexts if isinstance(c, str) and (m := _CONTEXT_VERSION.search(c))), ""
    )
    graph: list[Any]
    if "@graph" in doc:
        graph = reading.items(doc.get("@graph"), "/@graph")
        base = "/@graph"
    else:
        graph = [{k: v for k, v in doc.items() if k != "@context"}]
        base = ""
    elements: dict[str, tuple[dict[str, Any], str]] = {}
    order: list[tuple[dict[str, Any], str]] = []
    for i, raw in enumerate(graph):
        where = f"{base}/{i}" if base else "/"
        reading.count(where)
        if not isinstance(raw, dict):
            reading.problem(where, "graph element is not an object; it cannot be read")
            continue
        order.append((raw, where))
        if (ident := _id(raw)) is not None:
            elements.setdefault(ident, (raw, where))
        # Inline objects (creationInfo, agents) can carry ids too.
        for key in ("creationInfo",):
            if isinstance(raw.get(key), dict) and (inner := _id(raw[key])):
                elements.setdefault(inner, (raw[key], f"{where}/{key}"))

    def lookup(value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value in elements:
            return elements[value][0]
        return None

    def agent_name(value: Any) -> str | None:
        agent = lookup(value)
        if agent is None:
            return value if isinstance(value, str) and not value.startswith(("http", "_:", "urn:")) else None
        name = agent.get("name")
        return name if isinstance(name, str) and name else None

    def agent_contact(value: Any) -> str | None:
        agent = lookup(value)
        if agent is None:
            return None
        for ext in items(agent.get("externalIdentifier")):
            if isinstance(ext, dict) and ext.get("externalIdentifierType") in ("email", "urlScheme"):
                ident = ext.get("identifier")
                if isinstance(ident, str):
                    return ident
        for ext in items(agent.get("externalRef")):
            if isinstance(ext, dict):
                locators = ext.get("locator")
                locator = locators[0] if isinstance(locators, list) and locators else locators
                if isinstance(locator, str):
                    return locator
        return None

    # Licences and edges from relationships.
    licences: dict[str, list[list[str]]] = {}
    dependencies: list[Dependency] = []
    described: list[str] = []
    completeness = None
    document_ids: set[str] = set()
    root_elements: list[str] = []
    for raw, where in order:
        kind = _type(raw)
        if kind in ("SpdxDocument", "software_Sbom", "Bundle", "Bom"):
            if (ident := _id(raw)) is not None:
                document_ids.add(ident)
            for j, root in enumerate(reading.items(raw.get("rootElement"), where, "rootElement")):
                if isinstance(root, str):
                    root_elements.append(root)
                else:
                    reading.problem(f"{where}/rootElement/{j}", "root element is not an id")
    for raw, where in order:
        kind = _type(raw)
        if kind not in ("Relationship", "LifecycleScopedRelationship"):
            continue
        source = reading.text(raw.get("from"), where, "from", required=True)
        relation = reading.text(raw.get("relationshipType"), where, "relationshipType", required=True)
        targets = [
            t
            for j, t in enumerate(reading.items(raw.get("to"), where, "to"))
            if reading.text(t, f"{where}/to/{j}")
        ]
        if not (source and relation):
            continue
        if relation in _LICENCE_RELATIONS:
            slot = licences.setdefault(source, [[], []])
            for target in targets:
                if (text := _licence_text(lookup(target), target)) is not None:
                    slot[_LICENCE_RELATIONS[relation]].append(text)
            continue
        if relation == "describes" and source in document_ids:
            described.extend(targets)
            if isinstance(raw.get("completeness"), str):
                completeness = completeness or raw["completeness"]
            continue
        dependencies.append(Dependency(source, tuple(targets), where, relation))

    packages: list[Component] = []
    files: list[Component] = []
    creation: dict[str, Any] | None = None
    for raw, where in order:
        kind = _type(raw)
        if creation is None and kind in ("SpdxDocument", "software_Sbom"):
            creation = lookup(raw.get("creationInfo"))
        if kind == _PACKAGE or kind in _FILES:
            item = _element(raw, where, kind, reading, licences, agent_name, agent_contact)
            (packages if kind == _PACKAGE else files).append(item)
    if creation is None:
        creation = next((raw for raw, _ in order if _type(raw) == "CreationInfo"), None)
    created = None
    authors: list[str] = []
    contacts: list[str] = []
    tools: list[str] = []
    if creation is not None:
        if isinstance(creation.get("created"), str):
            created = parse_time(creation["created"])
            if created is None:
                reading.problem(
                    None, f"creationInfo.created is not an ISO 8601 date-time: {creation['created']!r}"
                )
        spec = str(creation.get("specVersion") or spec)
        for agent in items(creation.get("createdBy")):
            if name := agent_name(agent):
                authors.append(name)
            if contact := agent_contact(agent):
                contacts.append(contact)
        for tool in items(creation.get("createdUsing")):
            if name := agent_name(tool):
                tools.append(name)
    by_ref = {p.ref: p for p in packages}
    subjects = [by_ref[r] for r in unique([*root_elements, *described]) if r in by_ref]
    if len(subjects) > 1:
        reading.warn(
            None,
            f"the document describes {len(subjects)} packages; the first, {subjects[0].label!r}, is taken as its subject",
        )
    subject = subjects[0] if subjects else None
    serial = next((i for i in document_ids), None)
    for raw, _ in order:
        if _type(raw) == "SpdxDocument" and _id(raw):
            serial = _id(raw)
            break
    return SbomDocument(
        path=reading.path,
        format="SPDX",
        spec_version=spec,
        encoding="json-ld",
        serial=serial,
        created=created,
        authors=unique(authors),
        tools=unique(tools),
        subject=subject,
        components=tuple(packages),
        dependencies=tuple(dependencies),
        problems=tuple(reading.problems),
        author_contacts=unique(contacts),
        supplier=subject.supplier if subject else None,
        files=tuple(files),
        completeness=completeness,
    )


def _licence_text(element: dict[str, Any] | None, ident: str) -> str | None:
    if element is None:
        # A listed licence referenced by its IRI only: https://spdx.org/licenses/MIT
        return ident.rsplit("/", 1)[-1] if ident.startswith("https://spdx.org/licenses/") else None
    for key in ("simplelicensing_licenseExpression", "name"):
        value = element.get(key)
        if isinstance(value, str) and value.strip() and value.strip().upper() not in _NO_VALUE:
            return value.strip()
    ident_value = _id(element)
    if ident_value and "/licenses/" in ident_value:
        return ident_value.rsplit("/", 1)[-1]
    return None


def _element(
    raw: dict[str, Any],
    where: str,
    kind: str,
    reading: Reading,
    licences: dict[str, list[list[str]]],
    agent_name: Any,
    agent_contact: Any,
) -> Component:
    ident = _id(raw)
    name = reading.text(raw.get("name"), where, "name") or ""
    if not name and kind == _PACKAGE:
        reading.problem(where, "package has no name (kept, labelled by its location)")
    if ident is None:
        reading.problem(where, "element has no spdxId; relationships cannot reach it")
    hashes: list[Hash] = []
    for j, item in enumerate(reading.items(raw.get("verifiedUsing"), where, "verifiedUsing")):
        if isinstance(item, dict) and item.get("type") == "Hash":
            alg = reading.text(
                item.get("algorithm"), pointer(where, "verifiedUsing", j, "algorithm"), required=True
            )
            value = reading.text(
                item.get("hashValue"), pointer(where, "verifiedUsing", j, "hashValue"), required=True
            )
            if alg and value:
                hashes.append(make_hash(alg, value))
    purl = reading.text(raw.get("software_packageUrl"), pointer(where, "software_packageUrl"))
    cpes: list[str] = []
    other_ids: list[str] = []
    for j, ext in enumerate(reading.items(raw.get("externalIdentifier"), where, "externalIdentifier")):
        if not isinstance(ext, dict):
            reading.problem(pointer(where, "externalIdentifier", j), "external identifier is not an object")
            continue
        kind_id = ext.get("externalIdentifierType")
        value = reading.text(ext.get("identifier"), pointer(where, "externalIdentifier", j, "identifier"))
        if not value:
            continue
        if kind_id in ("cpe23", "cpe22"):
            cpes.append(value)
        elif kind_id == "packageUrl" and not purl:
            purl = value
        else:
            other_ids.append(value)
    refs: list[ExternalReference] = []
    for j, ext in enumerate(reading.items(raw.get("externalRef"), where, "externalRef")):
        if isinstance(ext, dict):
            locators = ext.get("locator")
            for locator in locators if isinstance(locators, list) else [locators]:
                if isinstance(locator, str):
                    refs.append(ExternalReference(str(ext.get("externalRefType") or ""), locator))
        else:
            reading.problem(pointer(where, "externalRef", j), "external reference is not an object")
    for key, label in (("software_downloadLocation", "distribution"), ("software_homePage", "website")):
        value = raw.get(key)
        if isinstance(value, str) and value not in _NO_VALUE:
            refs.append(ExternalReference(label, value))
    originators = raw.get("originatedBy")
    first_originator = originators[0] if isinstance(originators, list) and originators else originators
    purpose = raw.get("software_primaryPurpose")
    copyright_text = raw.get("software_copyrightText")
    concluded, declared = licences.get(ident or "", [[], []])
    return Component(
        ref=ident or where,
        name=name,
        version=reading.text(raw.get("software_packageVersion"), pointer(where, "software_packageVersion"))
        or None,
        type=purpose if isinstance(purpose, str) else ("file" if kind == "software_File" else None),
        supplier=agent_name(raw.get("suppliedBy")) if raw.get("suppliedBy") else None,
        author=agent_name(first_originator) if first_originator else None,
        purl=purl or None,
        cpes=tuple(cpes),
        hashes=tuple(hashes),
        licenses=unique([*concluded, *declared]),
        filename=name.rsplit("/", 1)[-1] if kind == "software_File" and name else None,
        description=raw.get("summary")
        if isinstance(raw.get("summary"), str)
        else (raw.get("description") if isinstance(raw.get("description"), str) else None),
        location=where,
        creator_contact=agent_contact(first_originator) if first_originator else None,
        supplier_contact=agent_contact(raw.get("suppliedBy")) if raw.get("suppliedBy") else None,
        copyright=copyright_text
        if isinstance(copyright_text, str) and copyright_text not in _NO_VALUE
        else None,
        external_refs=tuple(refs),
        other_ids=tuple(other_ids),
    )
