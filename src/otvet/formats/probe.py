"""Lab probe result files: the JSON document ``otvet probe`` writes (top-level key ``otvet_probe``).

Read back strictly (types checked by :func:`otvet.model.serialize.from_jsonable`, errors name
the JSON path) and permissively (unknown keys from a newer otvet are ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

from otvet.model.errors import FormatError, Location
from otvet.model.probe import ProbeRun
from otvet.model.serialize import from_jsonable, to_jsonable
from otvet.safeio import DEFAULT_LIMITS, Limits, load_json

SUPPORTED_MAJOR = "1"


def read_probe_result(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ProbeRun:
    """Read and validate a probe result file."""
    shown = display or str(path)
    data = load_json(path, display=shown, limits=limits)
    if not isinstance(data, dict) or "otvet_probe" not in data:
        raise FormatError("not an otvet probe result (no 'otvet_probe' key)", Location(shown))
    version = str(data["otvet_probe"])
    if version.split(".", 1)[0] != SUPPORTED_MAJOR:
        raise FormatError(
            f"unsupported probe result version {version!r} (this otvet reads {SUPPORTED_MAJOR}.x)",
            Location(shown),
        )
    try:
        return from_jsonable(ProbeRun, data)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        where, _, detail = message.partition(": ")
        raise FormatError(detail or message, Location(shown, where if detail else None)) from None


def probe_result_json(run: ProbeRun) -> str:
    """The result as JSON text (stable key order: the dataclass field order)."""
    return json.dumps(to_jsonable(run), indent=2, ensure_ascii=False) + "\n"
