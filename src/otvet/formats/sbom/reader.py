"""Dispatch to the right SBOM reader by content (never by file name).

``read_sbom`` reads CycloneDX JSON and XML, SPDX 2 JSON and tag-value and SPDX 3 JSON-LD
into one :class:`~otvet.model.SbomDocument`. A partly broken document still yields what is
readable, with every problem (file and JSON pointer, XML path or line) in
:attr:`SbomDocument.problems`; :class:`FormatError` is raised only when nothing is readable
(not JSON/XML/tag-value, or not an SBOM), :class:`LimitExceeded` when a limit is hit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from otvet.formats.sbom.common import Reading
from otvet.formats.sbom.cyclonedx_json import read_cyclonedx_json
from otvet.formats.sbom.cyclonedx_xml import local, read_cyclonedx_xml
from otvet.formats.sbom.spdx2_json import read_spdx2_json
from otvet.formats.sbom.spdx2_tagvalue import read_spdx2_tagvalue
from otvet.formats.sbom.spdx3 import read_spdx3
from otvet.model import FormatError, Location, SbomDocument
from otvet.safeio import DEFAULT_LIMITS, Limits, decode_text, parse_json, parse_xml, read_bytes

SUPPORTED = "CycloneDX 1.2-1.6 JSON or XML, SPDX 2.2/2.3 JSON or tag-value, SPDX 3.0 JSON-LD"


def read_sbom(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> SbomDocument:
    """Read an SBOM in any supported format; raises :class:`FormatError` when nothing is readable."""
    shown = display or str(path)
    return parse_sbom(read_bytes(path, display=shown, limits=limits), shown, limits=limits)


def parse_sbom(data: bytes, display: str, *, limits: Limits = DEFAULT_LIMITS) -> SbomDocument:
    """Read an SBOM from bytes (``display`` names it in problems)."""
    text = decode_text(data, display)
    start = text.lstrip()[:1]
    reading = Reading(display, limits)
    if start in ("{", "["):
        return _json(parse_json(text, display, limits=limits), reading)
    if start == "<":
        root = parse_xml(text.encode("utf-8"), display, limits=limits)
        name = local(root.tag)
        if name == "bom" and root.tag.startswith("{http://cyclonedx.org/schema/bom/"):
            return read_cyclonedx_xml(root, reading)
        if name == "RDF" or "spdx.org/rdf" in text[:4096]:
            raise FormatError(
                "SPDX RDF/XML is not supported; ask the supplier for SPDX JSON or tag-value "
                f"(supported: {SUPPORTED})",
                Location(display),
            )
        raise FormatError(
            f"XML root <{name}> is not a CycloneDX bom (supported: {SUPPORTED})", Location(display)
        )
    if any(line.strip().startswith("SPDXVersion:") for line in text.splitlines()[:200]):
        return read_spdx2_tagvalue(text, reading)
    raise FormatError(
        f"not an SBOM: neither JSON, XML nor SPDX tag-value (supported: {SUPPORTED})", Location(display)
    )


def _json(doc: Any, reading: Reading) -> SbomDocument:
    if not isinstance(doc, dict):
        raise FormatError("not an SBOM: the JSON document is not an object", Location(reading.path))
    if doc.get("bomFormat") == "CycloneDX":
        return read_cyclonedx_json(doc, reading)
    if "spdxVersion" in doc:
        return read_spdx2_json(doc, reading)
    context = doc.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(isinstance(c, str) and "spdx.org/rdf/3" in c for c in contexts):
        return read_spdx3(doc, reading)
    if "specVersion" in doc and "components" in doc:
        # NOTE: bomFormat is required by CycloneDX JSON; a document without it is read as
        # CycloneDX (its shape says so) and the omission is reported.
        reading.problem("/bomFormat", "bomFormat is missing; read as CycloneDX because of its shape")
        return read_cyclonedx_json(doc, reading)
    raise FormatError(
        f"not an SBOM: JSON without bomFormat 'CycloneDX', spdxVersion or an SPDX 3 @context (supported: {SUPPORTED})",
        Location(reading.path),
    )
