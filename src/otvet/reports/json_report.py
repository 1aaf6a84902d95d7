"""The JSON report: the assessment as data, validated by ``docs/assessment.schema.json``."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from otvet.model import Assessment, Catalog, FormatError, Location
from otvet.model.serialize import from_jsonable, json_schema, to_jsonable

SCHEMA_ID = "https://otvet.dev/schema/assessment-1.0.json"


class JsonReporter:
    """Writes the assessment as indented UTF-8 JSON."""

    format: ClassVar[str] = "json"
    extension: ClassVar[str] = ".json"

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        return dumps(assessment).encode("utf-8")


def dumps(assessment: Assessment) -> str:
    """The assessment as a JSON string."""
    doc = {"$schema": SCHEMA_ID, **to_jsonable(assessment)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def assessment_schema() -> dict[str, Any]:
    """The published JSON Schema of assessment reports."""
    schema = json_schema(Assessment, title="otvet assessment", schema_id=SCHEMA_ID)
    root = schema["$defs"].pop("Assessment")
    schema.pop("$ref")
    root["properties"] = {"$schema": {"type": "string"}, **root["properties"]}
    defs = schema.pop("$defs")
    return {**schema, **root, "$defs": defs}


def loads(data: Any, display: str) -> Assessment:
    """Read an assessment back from parsed JSON (e.g. for ``otvet compare``)."""
    if isinstance(data, dict) and ("assessment-results" in data or "catalog" in data or "profile" in data):
        raise FormatError(
            "this is an OSCAL document, not an otvet assessment: give the .json written by `otvet assess`",
            Location(display),
        )
    if not isinstance(data, dict) or "schema_version" not in data:
        raise FormatError("not an otvet assessment (no schema_version)", Location(display))
    major = str(data["schema_version"]).split(".", 1)[0]
    if major != "1":
        raise FormatError(
            f"unsupported assessment schema version {data['schema_version']}", Location(display)
        )
    try:
        return from_jsonable(Assessment, data)
    except ValueError as exc:
        raise FormatError(f"malformed assessment: {exc}", Location(display)) from exc
