"""Validate documents against the OSCAL JSON schemas of the corpus, read in place.

The schemas use Unicode property escapes (``\\p{L}``, ``\\p{N}``) in ``pattern``, which
Python's ``re`` rejects; rather than weakening the schemas, ``pattern`` is checked with the
``regex`` package through a jsonschema validator extension.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex
from jsonschema import Draft7Validator, ValidationError, validators


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _compiled(pattern: str) -> Any:
    return regex.compile(pattern)


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})


@functools.cache
def _schema(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def oscal_errors(corpus: Path, model: str, document: dict[str, Any]) -> list[str]:
    """Every schema violation of ``document`` against ``oscal_<model>_schema.json``, as text."""
    schema = _schema(corpus / "oscal" / "schemas" / f"oscal_{model}_schema.json")
    validator = OscalValidator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [
        f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:300]}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
