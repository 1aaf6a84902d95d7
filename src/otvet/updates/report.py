"""Reading and writing verification reports and SBOM diffs (JSON through the model codec)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from otvet.model.errors import FormatError, Location
from otvet.model.serialize import from_jsonable, to_jsonable
from otvet.model.updates import SbomDiff, VerificationReport
from otvet.safeio import DEFAULT_LIMITS, Limits, load_json


def dumps(value: Any) -> str:
    """Pretty, stable JSON of a model value."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n"


def write_json(value: Any, target: Path) -> Path:
    """Write a report or diff; the file is replaced atomically."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(dumps(value), encoding="utf-8")
    temporary.replace(target)
    return target


def read_report(
    path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> VerificationReport:
    """Read a verification report written by ``otvet update verify``."""
    shown = display or str(path)
    data = load_json(path, display=shown, limits=limits)
    if not isinstance(data, dict) or "otvet_verification" not in data:
        raise FormatError("not an otvet verification report (no 'otvet_verification' key)", Location(shown))
    try:
        return from_jsonable(VerificationReport, data)
    except ValueError as exc:
        raise FormatError(f"malformed verification report: {exc}", Location(shown)) from exc


def read_sbom_diff(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> SbomDiff:
    """Read an SBOM diff written by ``otvet update diff``."""
    shown = display or str(path)
    data = load_json(path, display=shown, limits=limits)
    if not isinstance(data, dict) or "otvet_sbom_diff" not in data:
        raise FormatError("not an otvet SBOM diff (no 'otvet_sbom_diff' key)", Location(shown))
    try:
        return from_jsonable(SbomDiff, data)
    except ValueError as exc:
        raise FormatError(f"malformed SBOM diff: {exc}", Location(shown)) from exc
