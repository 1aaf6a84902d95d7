"""CycloneDX 1.2-1.6 JSON reader.

Walks the parsed document itself instead of using cyclonedx-python-lib's deserialiser
(ADR 0020): the library keeps components in a sorted set, so two identical entries become
one, it rejects the whole document for one unknown enum value or one unparsable purl, it
keeps no source locations, and it reads about 1,000 components per second. Here every entry
is kept, with its JSON pointer, and a bad field costs only that field.
"""

from __future__ import annotations

from typing import Any

from otvet.formats.sbom.common import Reading, contact_in, items, make_hash, parse_time, pointer, unique
from otvet.model import Component, Dependency, Hash, SbomDocument
from otvet.model.sbom import ExternalReference


def read_cyclonedx_json(doc: dict[str, Any], reading: Reading) -> SbomDocument:
    """Read a parsed CycloneDX JSON document (``bomFormat`` already checked)."""
    spec = reading.text(doc.get("specVersion"), "/specVersion", required=True) or ""
    metadata = reading.mapping(doc.get("metadata"), "/metadata") or {}
    subject = None
    components: list[Component] = []
    raw_subject = reading.mapping(metadata.get("component"), "/metadata/component")
    if raw_subject is not None:
        subject = _component(raw_subject, "/metadata/component", None, reading)
        # NOTE: CycloneDX lets the subject itself carry nested components (an assembly);
        # they are part of the inventory, so they are read like top-level ones.
        _walk(
            raw_subject.get("components"), "/metadata/component/components", subject.ref, reading, components
        )
    _walk(doc.get("components"), "/components", None, reading, components)
    services: list[Component] = []
    _walk(doc.get("services"), "/services", None, reading, services, kind="service")
    authors, contacts = _metadata_authors(metadata, reading)
    tools = _tools(metadata.get("tools"), reading)
    supplier_raw = reading.mapping(metadata.get("supplier"), "/metadata/supplier") or reading.mapping(
        metadata.get("manufacturer") or metadata.get("manufacture"), "/metadata/manufacturer"
    )
    supplier, supplier_contact = _entity(supplier_raw, reading, "/metadata/supplier")
    created = None
    if (stamp := reading.text(metadata.get("timestamp"), "/metadata/timestamp")) is not None:
        created = parse_time(stamp)
        if created is None:
            reading.problem("/metadata/timestamp", f"not an ISO 8601 date-time: {stamp!r}")
    lifecycle = {}
    for i, phase in enumerate(reading.items(metadata.get("lifecycles"), "/metadata/lifecycles")):
        if isinstance(phase, dict):
            value = phase.get("phase") or phase.get("name")
            if isinstance(value, str):
                lifecycle[f"lifecycle.{i}"] = value
    version = doc.get("version")
    return SbomDocument(
        path=reading.path,
        format="CycloneDX",
        spec_version=spec,
        encoding="json",
        serial=reading.text(doc.get("serialNumber"), "/serialNumber"),
        document_version=str(version) if isinstance(version, int) else None,
        created=created,
        authors=authors,
        tools=tools,
        subject=subject,
        components=tuple(components),
        dependencies=_dependencies(doc.get("dependencies"), reading),
        properties=_properties(metadata.get("properties"), "/metadata/properties", reading),
        problems=tuple(reading.problems),
        lifecycle=lifecycle,
        author_contacts=unique([*contacts, *([supplier_contact] if supplier_contact else [])]),
        supplier=supplier,
        services=tuple(services),
        completeness=_completeness(doc.get("compositions"), subject, reading),
        vulnerabilities=len(doc["vulnerabilities"]) if isinstance(doc.get("vulnerabilities"), list) else 0,
    )


def _walk(
    value: Any,
    base: str,
    parent: str | None,
    reading: Reading,
    out: list[Component],
    kind: str = "component",
) -> None:
    """Depth-first, document order, without recursion (nesting depth is bounded by safeio)."""
    stack: list[tuple[list[Any], str, str | None, int]] = [(reading.items(value, base), base, parent, 0)]
    while stack:
        items, where, owner, start = stack.pop()
        for index in range(start, len(items)):
            raw = items[index]
            here = f"{where}/{index}"
            reading.count(here)
            if not isinstance(raw, dict):
                reading.problem(here, f"{kind} entry is not an object; it cannot be read")
                continue
            item = _component(
                raw, here, owner, reading, default_type="service" if kind == "service" else None
            )
            out.append(item)
            nested_key = "components" if kind == "component" else "services"
            if raw.get(nested_key) is not None:
                # Continue this list after the nested one: keeps document order.
                stack.append((items, where, owner, index + 1))
                stack.append(
                    (
                        reading.items(raw[nested_key], f"{here}/{nested_key}"),
                        f"{here}/{nested_key}",
                        item.ref,
                        0,
                    )
                )
                break


def _entity(raw: dict[str, Any] | None, reading: Reading, where: str) -> tuple[str | None, str | None]:
    """Name and first contact (e-mail or URL) of an organizationalEntity."""
    if raw is None:
        return None, None
    name = reading.text(raw.get("name"), where, "name")
    contact = None
    for i, url in enumerate(reading.items(raw.get("url"), where, "url")):
        if isinstance(url, str) and url:
            contact = url
            break
        reading.problem(f"{where}/url/{i}", "URL is not text")
    for i, person in enumerate(reading.items(raw.get("contact"), where, "contact")):
        if isinstance(person, dict) and isinstance(person.get("email"), str) and person["email"]:
            contact = contact or person["email"]
        elif not isinstance(person, dict):
            reading.problem(f"{where}/contact/{i}", "contact is not an object")
    return name, contact


def _metadata_authors(metadata: dict[str, Any], reading: Reading) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names: list[str] = []
    contacts: list[str] = []
    for i, author in enumerate(reading.items(metadata.get("authors"), "/metadata/authors")):
        where = f"/metadata/authors/{i}"
        if not isinstance(author, dict):
            reading.problem(where, "author is not an object")
            continue
        name = reading.text(author.get("name"), where, "name")
        email = reading.text(author.get("email"), where, "email")
        if name or email:
            names.append(name or email or "")
        if email:
            contacts.append(email)
    for key in ("manufacturer", "manufacture"):
        raw = reading.mapping(metadata.get(key), f"/metadata/{key}")
        name, contact = _entity(raw, reading, f"/metadata/{key}")
        if name:
            names.append(name)
        if contact:
            contacts.append(contact)
    return unique(names), unique(contacts)


def _tools(value: Any, reading: Reading) -> tuple[str, ...]:
    """Tool names: a list (1.2-1.4) or ``{components, services}`` (1.5+)."""
    if value is None:
        return ()
    entries: list[tuple[Any, str]] = []
    if isinstance(value, dict):
        for key in ("components", "services"):
            entries.extend(
                (item, f"/metadata/tools/{key}/{i}")
                for i, item in enumerate(reading.items(value.get(key), f"/metadata/tools/{key}"))
            )
    else:
        entries.extend(
            (item, f"/metadata/tools/{i}") for i, item in enumerate(reading.items(value, "/metadata/tools"))
        )
    names = []
    for item, where in entries:
        if not isinstance(item, dict):
            reading.problem(where, "tool is not an object")
            continue
        parts = [item.get("vendor"), item.get("group"), item.get("name"), item.get("version")]
        if isinstance(item.get("manufacturer"), dict) and not parts[0]:
            parts[0] = item["manufacturer"].get("name")
        names.append(" ".join(str(p) for p in parts if isinstance(p, str | int) and p != ""))
    return unique(names)


def _hashes(value: Any, where: str, reading: Reading) -> tuple[Hash, ...]:
    out = []
    for i, raw in enumerate(reading.items(value, where)):
        here = f"{where}/{i}"
        if not isinstance(raw, dict):
            reading.problem(here, "hash is not an object")
            continue
        alg = reading.text(raw.get("alg"), here, "alg", required=True)
        content = reading.text(raw.get("content"), here, "content", required=True)
        if alg and content:
            out.append(make_hash(alg, content))
    return tuple(out)


def _licenses(value: Any, where: str, reading: Reading) -> tuple[str, ...]:
    out = []
    for i, raw in enumerate(reading.items(value, where)):
        here = f"{where}/{i}"
        if not isinstance(raw, dict):
            reading.problem(here, "licence entry is not an object")
            continue
        if "expression" in raw:
            if text := reading.text(raw.get("expression"), here, "expression"):
                out.append(text)
            continue
        lic = reading.mapping(raw.get("license"), here, "license")
        if lic is None:
            reading.problem(here, "licence entry has neither 'license' nor 'expression'")
            continue
        text = reading.text(lic.get("id"), f"{here}/license/id") or reading.text(
            lic.get("name"), f"{here}/license/name"
        )
        if text:
            out.append(text)
        else:
            reading.problem(f"{here}/license", "licence has neither id nor name")
    return unique(out)


def _properties(value: Any, where: str, reading: Reading) -> tuple[tuple[str, str], ...]:
    out = []
    for i, raw in enumerate(reading.items(value, where)):
        if not isinstance(raw, dict):
            reading.problem(f"{where}/{i}", "property is not an object")
            continue
        name = reading.text(raw.get("name"), f"{where}/{i}/name", required=True)
        text = reading.text(raw.get("value"), f"{where}/{i}/value")
        if name:
            out.append((name, text or ""))
    return tuple(out)


def _external_refs(value: Any, where: str, reading: Reading) -> tuple[ExternalReference, ...]:
    out = []
    for i, raw in enumerate(reading.items(value, where)):
        here = f"{where}/{i}"
        if not isinstance(raw, dict):
            reading.problem(here, "external reference is not an object")
            continue
        url = reading.text(raw.get("url"), here, "url", required=True) or ""
        kind = reading.text(raw.get("type"), here, "type", required=True) or ""
        hashes = _hashes(raw.get("hashes"), f"{here}/hashes", reading)
        out.append(ExternalReference(kind, url, tuple((h.algorithm, h.value) for h in hashes)))
    return tuple(out)


def _component(
    raw: dict[str, Any], where: str, parent: str | None, reading: Reading, default_type: str | None = None
) -> Component:
    name = reading.text(raw.get("name"), where, "name")
    if not name:
        reading.problem(where, "component has no name (kept, labelled by its location)")
    ref = reading.text(raw.get("bom-ref"), where, "bom-ref")
    supplier, supplier_contact = _entity(
        reading.mapping(raw.get("supplier"), where, "supplier"), reading, f"{where}/supplier"
    )
    if supplier is None and supplier_contact:
        supplier = supplier_contact
    author, creator_contact = _entity(
        reading.mapping(raw.get("manufacturer"), where, "manufacturer"),
        reading,
        f"{where}/manufacturer",
    )
    for i, person in enumerate(reading.items(raw.get("authors"), where, "authors")):
        if isinstance(person, dict):
            author = author or reading.text(person.get("name"), pointer(where, "authors", i, "name"))
            creator_contact = creator_contact or reading.text(
                person.get("email"), pointer(where, "authors", i, "email")
            )
    legacy_author = reading.text(raw.get("author"), where, "author")
    if legacy_author:
        author = author or legacy_author
        creator_contact = creator_contact or contact_in(legacy_author)
    cpe = reading.text(raw.get("cpe"), where, "cpe")
    purl = reading.text(raw.get("purl"), where, "purl")
    other_ids = []
    swid = reading.mapping(raw.get("swid"), where, "swid")
    if swid is not None and isinstance(swid.get("tagId"), str):
        other_ids.append(f"swid:{swid['tagId']}")
    for key in ("omniborId", "swhid"):
        for value in reading.items(raw.get(key), pointer(where, key)):
            if isinstance(value, str):
                other_ids.append(value)
    version = raw.get("version")
    text_version = reading.text(version, where, "version")
    return Component(
        ref=ref or reading.locate(where),
        name=name or "",
        version=text_version or None,
        type=reading.text(raw.get("type"), where, "type") or default_type,
        supplier=supplier,
        author=author,
        purl=purl or None,
        cpes=(cpe,) if cpe else (),
        hashes=_hashes(raw.get("hashes"), f"{where}/hashes", reading),
        licenses=_licenses(raw.get("licenses"), f"{where}/licenses", reading),
        filename=_filename(raw),
        description=reading.text(raw.get("description"), where, "description"),
        properties=_properties(raw.get("properties"), f"{where}/properties", reading),
        location=reading.locate(where),
        parent=parent,
        group=reading.text(raw.get("group"), where, "group") or None,
        creator_contact=creator_contact,
        supplier_contact=supplier_contact,
        copyright=reading.text(raw.get("copyright"), where, "copyright"),
        scope=reading.text(raw.get("scope"), where, "scope"),
        external_refs=_external_refs(raw.get("externalReferences"), f"{where}/externalReferences", reading),
        other_ids=tuple(other_ids),
    )


def _filename(raw: dict[str, Any]) -> str | None:
    """BSI TR-03183-2 filename: the ``bsi:component:filename`` property, or a ``file`` component's name."""
    for prop in items(raw.get("properties")):
        if (
            isinstance(prop, dict)
            and prop.get("name") == "bsi:component:filename"
            and isinstance(prop.get("value"), str)
        ):
            return str(prop["value"])
    if raw.get("type") == "file" and isinstance(raw.get("name"), str):
        return str(raw["name"])
    return None


def _dependencies(value: Any, reading: Reading) -> tuple[Dependency, ...]:
    out = []
    for i, raw in enumerate(reading.items(value, "/dependencies")):
        where = f"/dependencies/{i}"
        reading.count(where)
        if not isinstance(raw, dict):
            reading.problem(where, "dependency entry is not an object")
            continue
        ref = reading.text(raw.get("ref"), where, "ref", required=True)
        if not ref:
            continue
        for key in ("dependsOn", "provides"):
            targets = []
            for j, target in enumerate(reading.items(raw.get(key), f"{where}/{key}")):
                # NOTE: CycloneDX 1.2-1.3 JSON allowed dependsOn entries as objects {"ref": ...}
                # in some generators; accept both spellings.
                name = target.get("ref") if isinstance(target, dict) else target
                if isinstance(name, str) and name:
                    targets.append(name)
                else:
                    reading.problem(f"{where}/{key}/{j}", "dependency target is not a reference")
            if targets or (key == "dependsOn" and "dependsOn" in raw):
                out.append(Dependency(ref, tuple(targets), reading.locate(where), key))
    return tuple(out)


def _completeness(value: Any, subject: Component | None, reading: Reading) -> str | None:
    """The aggregate of a composition covering the whole BOM or its subject."""
    for i, raw in enumerate(reading.items(value, "/compositions")):
        if not isinstance(raw, dict):
            reading.problem(f"/compositions/{i}", "composition is not an object")
            continue
        aggregate = raw.get("aggregate")
        assemblies = raw.get("assemblies") or []
        whole = not assemblies and not raw.get("dependencies")
        covers_subject = subject is not None and subject.ref in assemblies
        if isinstance(aggregate, str) and (whole or covers_subject):
            return aggregate
    return None
