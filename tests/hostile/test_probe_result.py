"""Probe result files are input like any other: malformed ones are refused with their location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.formats.probe import read_probe_result
from otvet.model.errors import FormatError, InputError


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"checks": []}, "not an otvet probe result"),
        ({"otvet_probe": "9.0"}, "unsupported probe result version"),
        ({"otvet_probe": "1.0", "run_id": 5}, r"\$\.run_id: expected str, got int"),
        ({"otvet_probe": "1.0", "run_id": "x"}, "missing required field"),
    ],
)
def test_malformed_results_are_refused(tmp_path: Path, document: dict[str, object], message: str) -> None:
    path = tmp_path / "probe.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_probe_result(path)


def test_a_wrong_type_deep_inside_is_located(tmp_path: Path, examples: Path) -> None:
    document = json.loads((examples / "lab/nw-rtu-500-probe.json").read_text(encoding="utf-8"))
    document["checks"][3]["findings"][0]["verdict"] = "probably fine"
    path = tmp_path / "probe.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        read_probe_result(path)
    assert "$.checks[3].findings[0].verdict" in str(caught.value)
    assert "probably fine" in str(caught.value)


def test_nesting_bombs_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "probe.json"
    path.write_text('{"otvet_probe": "1.0", "labels": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    with pytest.raises(InputError):
        read_probe_result(path)
