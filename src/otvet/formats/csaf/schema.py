"""JSON schema validation of CSAF documents, offline.

The CSAF 2.0 and 2.1 JSON schemas and the FIRST CVSS schemas they reference are normative
parts of the OASIS specification and ship inside the package (``schemas/``, see ADR 0040).
All ``$ref`` URIs resolve through a local :class:`referencing.Registry`; an unknown reference
raises instead of fetching anything, so validation never touches the network.

Formats (``date-time``, ``uri``, ``uuid``) are checked with our own standard-library checkers:
jsonschema silently skips formats whose optional helper package is missing, and a check that
silently passes is worse than none.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4, DRAFT7, DRAFT202012

from otvet.model.csaf import CheckGroup, CsafIssue

_SCHEMA_DIR = resources.files("otvet.formats.csaf") / "schemas"

# NOTE: the CSAF schemas reference the CVSS schemas by these URIs; the FIRST files carry
# slightly different $id values (a query string), so they are registered under the URI used.
_FILES: dict[str, tuple[str, Any]] = {
    "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json": (
        "2.0/csaf_json_schema.json",
        DRAFT202012,
    ),
    "https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json": (
        "2.0/provider_json_schema.json",
        DRAFT202012,
    ),
    "https://docs.oasis-open.org/csaf/csaf/v2.0/aggregator_json_schema.json": (
        "2.0/aggregator_json_schema.json",
        DRAFT202012,
    ),
    "https://www.first.org/cvss/cvss-v2.0.json": ("2.0/cvss-v2.0.json", DRAFT4),
    "https://www.first.org/cvss/cvss-v3.0.json": ("2.0/cvss-v3.0.json", DRAFT4),
    "https://www.first.org/cvss/cvss-v3.1.json": ("2.0/cvss-v3.1.json", DRAFT7),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json": ("2.1/csaf.json", DRAFT202012),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/provider.json": ("2.1/provider.json", DRAFT202012),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/aggregator.json": ("2.1/aggregator.json", DRAFT202012),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/meta.json": ("2.1/meta.json", DRAFT202012),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/extension-content.json": (
        "2.1/extension-content.json",
        DRAFT202012,
    ),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/extension-metadata.json": (
        "2.1/extension-metadata.json",
        DRAFT202012,
    ),
    "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/extension-metaschema.json": (
        "2.1/extension-metaschema.json",
        DRAFT202012,
    ),
}

NOT_SHIPPED = {
    "https://www.first.org/cvss/cvss-v4.0.json": "CVSS v4.0",
    "https://certcc.github.io/SSVC/data/schema/v2/SelectionList_2_0_0.schema.json": "SSVC selection list",
}
"""Schemas CSAF 2.1 references that the OASIS package does not include. They are registered as
permissive stand-ins and every document using them gets a warning saying so."""

SCHEMA_URIS = {
    ("csaf", "2.0"): "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
    ("csaf", "2.1"): "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json",
    ("provider", "2.0"): "https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json",
    ("provider", "2.1"): "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/provider.json",
    ("aggregator", "2.0"): "https://docs.oasis-open.org/csaf/csaf/v2.0/aggregator_json_schema.json",
    ("aggregator", "2.1"): "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/aggregator.json",
}

_RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def _load(name: str) -> Any:
    return json.loads((_SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def registry() -> Registry[Any]:
    """The local registry of every shipped schema (and stand-ins for the unshipped ones)."""
    pairs: list[tuple[str, Resource[Any]]] = []
    for uri, (name, spec) in _FILES.items():
        pairs.append((uri, spec.create_resource(_load(name))))
    for uri in NOT_SHIPPED:
        pairs.append((uri, DRAFT202012.create_resource({})))

    def refuse(uri: str) -> Resource[Any]:
        # NOTE: never fetch: an unknown $ref is a bug in our schema set, not a reason to go online.
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs class

    base: Registry[Any] = Registry(retrieve=refuse)  # type: ignore[call-arg]  # attrs class
    return base.with_resources(pairs).crawl()


def format_checker() -> FormatChecker:
    """Standard-library checkers for the formats the CSAF schemas use."""
    checker = FormatChecker(formats=())

    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00").replace("t", "T"))
        except ValueError:
            return value[17:19] == "60"  # leap second: valid RFC 3339, unknown to datetime
        return True

    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI.match(value))

    def _uuid(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True

    # NOTE: registered by call, not as decorators: jsonschema is untyped for mypy.
    checker.checks("date-time")(_date_time)
    checker.checks("uri")(_uri)
    checker.checks("uuid")(_uuid)
    return checker


@cache
def validator(kind: str, version: str) -> Draft202012Validator:
    """A validator for ``kind`` (``csaf``, ``provider``, ``aggregator``) of a CSAF version."""
    uri = SCHEMA_URIS[(kind, version)]
    schema = registry().contents(uri)
    return Draft202012Validator(schema, registry=registry(), format_checker=format_checker())


def pointer(path: Any) -> str:
    """RFC 6901 JSON pointer of a jsonschema path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The most specific errors: for ``oneOf``/``anyOf`` failures, those of the best branch."""
    if not error.context:
        return [error]
    best = min(error.context, key=lambda e: (-len(e.absolute_path), len(e.context or [])))
    branch = [e for e in error.context if e.relative_schema_path[0] == best.relative_schema_path[0]]
    found: list[ValidationError] = []
    for sub in branch:
        found.extend(_leaves(sub))
    return found or [error]


def schema_issues(doc: Any, kind: str, version: str) -> list[CsafIssue]:
    """Every schema violation of a document, with its JSON pointer.

    Violations inside a ``cvss_v2``/``cvss_v3`` object are reported under test ``6.1.8``
    (Invalid CVSS), which CSAF 2.0 defines as validation against the CVSS schemas.
    """
    issues: list[CsafIssue] = []
    seen: set[tuple[str, str]] = set()
    for error in validator(kind, version).iter_errors(doc):
        for leaf in _leaves(error):
            where = pointer(leaf.absolute_path)
            key = (where, leaf.message)
            if key in seen:
                continue
            seen.add(key)
            test_id = "6.1.8" if re.search(r"/scores/\d+/cvss_v[23]", where) else "schema"
            group = CheckGroup.MANDATORY if test_id != "schema" else CheckGroup.SCHEMA
            issues.append(CsafIssue(test_id, group, where, _message(leaf)))
    if version == "2.1":
        issues.extend(_unshipped_warnings(doc))
    return issues


def _message(error: ValidationError) -> str:
    message = str(error.message)
    if len(message) > 300:
        message = message[:297] + "..."
    return message


def _unshipped_warnings(doc: Any) -> list[CsafIssue]:
    issues: list[CsafIssue] = []
    for v_index, vuln in enumerate(doc.get("vulnerabilities") or [] if isinstance(doc, dict) else []):
        if not isinstance(vuln, dict):
            continue
        for m_index, metric in enumerate(vuln.get("metrics") or []):
            content = metric.get("content") if isinstance(metric, dict) else None
            if not isinstance(content, dict):
                continue
            for key, label in (("cvss_v4", "CVSS v4.0"), ("ssvc_v2", "SSVC selection list")):
                if key in content:
                    issues.append(
                        CsafIssue(
                            "schema",
                            CheckGroup.INFORMATIVE,
                            f"/vulnerabilities/{v_index}/metrics/{m_index}/content/{key}",
                            f"not checked against the {label} schema (not part of the OASIS CSAF 2.1 package shipped with otvet)",
                        )
                    )
    return issues
