"""CycloneDX 1.1-1.6 XML reader.

The XML is parsed by ``safeio.parse_xml`` (defusedxml: DTDs, entities and external
references refused), turned into the same shape as CycloneDX JSON, and read by the JSON
reader, so both encodings give the same components by construction. Locations are then
written as XML paths (``/bom/components/component[3]/hashes/hash[1]``).
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element

from otvet.formats.sbom.common import Reading
from otvet.formats.sbom.cyclonedx_json import read_cyclonedx_json
from otvet.model import SbomDocument

_NAMESPACE = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}")

_LISTS: dict[str, str] = {
    # container element -> JSON key of its items' element name (for locations)
    "components": "component",
    "services": "service",
    "hashes": "hash",
    "licenses": "license",
    "properties": "property",
    "externalReferences": "reference",
    "dependencies": "dependency",
    "authors": "author",
    "lifecycles": "lifecycle",
    "compositions": "composition",
    "assemblies": "assembly",
    "vulnerabilities": "vulnerability",
}
_REPEATED = {"omniborId", "swhid"}
_ENTITY_REPEATED = {"url", "contact"}
_ENTITIES = {"supplier", "manufacturer", "manufacture", "provider", "organization"}
_ATTRIBUTES = {"bom-ref", "type", "alg", "ref", "serialNumber"}


@lru_cache(maxsize=1024)
def local(tag: str) -> str:
    """Element name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def read_cyclonedx_xml(root: Element, reading: Reading) -> SbomDocument:
    """Read a parsed CycloneDX XML document (root element ``bom``)."""
    match = _NAMESPACE.match(root.tag)
    doc = _convert(root)
    if not isinstance(doc, dict):
        doc = {}
    doc["bomFormat"] = "CycloneDX"
    doc["specVersion"] = match.group(1) if match else None
    if isinstance(doc.get("version"), str) and doc["version"].isdigit():
        doc["version"] = int(doc["version"])
    reading.locate = xml_path
    return dataclasses.replace(read_cyclonedx_json(doc, reading), encoding="xml")


@lru_cache(maxsize=4096)
def xml_path(pointer: str) -> str:
    """Translate a JSON pointer into the converted document into an XML path of the source."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    out = ["", "bom"]
    previous = ""
    for part in parts:
        if part.isdigit():
            index = int(part) + 1
            if previous in _REPEATED or previous in _ENTITY_REPEATED:
                out[-1] = f"{previous}[{index}]"
            else:
                out.append(f"{_ITEMS.get(previous, previous)}[{index}]")
        elif part in _ATTRIBUTES:
            out.append(f"@{part}")
        elif previous.isdigit() and part in ("content", "value", "expression", "license"):
            pass  # element text or the licence choice: the item path already says it
        elif part not in ("dependsOn", "provides"):
            out.append(part)
        previous = part
    return "/".join(out)


_ITEMS = {**_LISTS, "dependsOn": "dependency", "provides": "provides"}


def _text(element: Element) -> str:
    return (element.text or "").strip()


def _convert(element: Element) -> Any:
    """One element as JSON-shaped data (attributes and child elements become keys)."""
    name = local(element.tag)
    children = list(element)
    if not children and not element.attrib:
        return _text(element)
    data: dict[str, Any] = {local(k): v for k, v in element.attrib.items()}
    if name == "dependency":
        data["dependsOn"] = [c.get("ref", "") for c in children if local(c.tag) == "dependency"]
        provides = [c.get("ref", "") for c in children if local(c.tag) == "provides"]
        if provides:
            data["provides"] = provides
        if not data["dependsOn"]:
            del data["dependsOn"]
        return data
    if name == "hash":
        return {**data, "content": _text(element)}
    if name == "property":
        return {**data, "value": _text(element)}
    if not children:
        text = _text(element)
        if text:
            data["#text"] = text
        return data
    for child in children:
        key = local(child.tag)
        if key == "tools":
            data[key] = _tools(child)
        elif key == "licenses":
            data[key] = [
                {"expression": _text(c)} if local(c.tag) == "expression" else {"license": _convert(c)}
                for c in child
            ]
        elif key == "assemblies":
            data[key] = [c.get("ref", "") for c in child]
        elif key in _LISTS:
            data[key] = [_convert(c) for c in child]
        elif key in _REPEATED or (key in _ENTITY_REPEATED and name in _ENTITIES):
            data.setdefault(key, []).append(_convert(child))
        else:
            data[key] = _convert(child)
    return data


def _tools(element: Element) -> Any:
    """1.2-1.4: ``<tool>`` children (a list); 1.5+: ``<components>``/``<services>`` (an object)."""
    children = list(element)
    if any(local(c.tag) == "tool" for c in children):
        return [_convert(c) for c in children if local(c.tag) == "tool"]
    return {local(c.tag): [_convert(x) for x in c] for c in children}
