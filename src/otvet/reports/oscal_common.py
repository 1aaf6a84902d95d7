"""Shared pieces of otvet's OSCAL documents: version, namespace, stable UUIDs, safe text.

- OSCAL 1.2.1 JSON (the schemas the tests validate against).
- Our own properties live in the namespace :data:`NS`; OSCAL's ``method`` property of
  assessment methods uses NIST's RMF namespace, as in the SP 800-53 catalog.
- Every UUID is a version-5 UUID derived from stable names (catalog id and version, criterion
  id, product and assessment time), so the same input always exports the same document.
- OSCAL's ``StringDatatype`` and ``MarkupLineDatatype`` forbid line breaks and (for strings)
  surrounding blanks; vendor text is folded onto one line, and Markdown that a viewer would
  turn into links or raw HTML is escaped (vendor text is hostile).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from otvet.model import Catalog, CriterionId, Element

OSCAL_VERSION = "1.2.1"
NS = "https://otvet.dev/ns/oscal"
"""Namespace of otvet's own OSCAL properties and part names."""
RMF_NS = "http://csrc.nist.gov/ns/rmf"
"""NIST's namespace of the assessment ``method`` property (SP 800-53A in OSCAL)."""
ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)

_MARKDOWN = re.compile(r"([\\`*_\[\]<>!|#])")
_BLANKS = re.compile(r"\s+")


def stable_uuid(*parts: str) -> str:
    """A version-5 UUID of the joined names (reproducible across runs and machines)."""
    return str(uuid.uuid5(ROOT, "/".join(parts)))


def timestamp(moment: datetime) -> str:
    """An OSCAL date-time with time zone, in UTC, to the second."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def line(text: str, fallback: str = "-") -> str:
    """Text folded onto one line, trimmed; ``fallback`` when nothing is left."""
    folded = _BLANKS.sub(" ", text).strip()
    return folded or fallback


def markup(text: str, fallback: str = "-") -> str:
    """One line of Markdown that shows ``text`` literally (no links, no raw HTML)."""
    return _MARKDOWN.sub(r"\\\1", line(text, fallback))


def prop(name: str, value: object, *, ns: str | None = NS, cls: str | None = None) -> dict[str, Any]:
    """An OSCAL property (``ns`` None for OSCAL's own property names like ``label``)."""
    out: dict[str, Any] = {"name": name, "value": line(str(value))}
    if ns:
        out["ns"] = ns
    if cls:
        out["class"] = cls
    return out


def control_id(criterion_id: CriterionId | str) -> str:
    """The OSCAL control id of a criterion: ``SBD-11.01`` -> ``sbd-11.01`` (OSCAL ids are lower case)."""
    return criterion_id.lower()


def objective_id(criterion_id: CriterionId | str) -> str:
    """The id of a criterion's assessment-objective part (the target of findings)."""
    return f"{control_id(criterion_id)}_obj"


def group_id(element: Element) -> str:
    """The OSCAL group id of an element: ``sbd-11``."""
    return f"sbd-{element.number:02d}"


def catalog_uuid(catalog: Catalog) -> str:
    """UUID of the OSCAL catalog of this catalog version."""
    return stable_uuid("catalog", catalog.id, catalog.version)


def catalog_filename(catalog: Catalog) -> str:
    """File name of the exported OSCAL catalog; profiles and mappings refer to it by this name."""
    return f"{catalog.id}.catalog.oscal.json"


def profile_filename(profile_id: str) -> str:
    """File name of an exported OSCAL profile (assessment results refer to it by this name)."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", profile_id).strip("-.").lower() or "profile"
    return f"{safe}.profile.oscal.json"


def metadata(title: str, moment: datetime, version: str, **extra: Any) -> dict[str, Any]:
    """OSCAL document metadata."""
    return {
        "title": markup(title),
        "last-modified": timestamp(moment),
        "version": line(version),
        "oscal-version": OSCAL_VERSION,
        **extra,
    }
