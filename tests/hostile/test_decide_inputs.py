"""Hostile or broken assessment files given to ``otvet compare`` and ``otvet report``.

Assessment JSON can come from anyone (a vendor, a consultant): it is read through the bounded
JSON reader and rejected with the file named, never half-used.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode
from otvet.core import assess
from otvet.core.compare import compare_files
from otvet.core.reports import write_reports
from otvet.model import InputError

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def example_json(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Genuine assessment files of the two examples, as ``otvet assess`` writes them."""
    out = tmp_path_factory.mktemp("genuine")
    return [
        write_reports(assess(examples / name, profile="essential", now=NOW), out, ["json"])[0]
        for name in ("northwind-rtu", "kestrel-plc")
    ]


def _copy_with(source: Path, target: Path, **changes: object) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    data.update(changes)
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "json"),
        ('{"a": 1}', "not an otvet assessment"),
        ('{"schema_version": "9.0"}', "unsupported assessment schema version"),
        ("[" * 500 + "]" * 500, "nesting"),
    ],
)
def test_broken_files_are_refused_with_their_name(
    example_json: list[Path], tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        compare_files([example_json[0], bad])
    assert "bad.json" in info.value.diagnostics()
    assert message.lower() in info.value.diagnostics().lower()


def test_unknown_criteria_are_refused(example_json: list[Path], tmp_path: Path) -> None:
    data = json.loads(example_json[0].read_text(encoding="utf-8"))
    data["outcomes"][0]["criterion_id"] = "SBD-99.99"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"SBD-99\.99"):
        compare_files([example_json[1], forged])


def test_malformed_field_is_a_clear_error(example_json: list[Path], tmp_path: Path) -> None:
    forged = _copy_with(example_json[0], tmp_path / "forged.json", scores={"overall": "lots"})
    assert (
        main(["compare", str(example_json[1]), str(forged), "-o", str(tmp_path / "out")])
        == ExitCode.INPUT_ERROR
    )
    assert main(["report", str(forged), "-f", "xlsx", "-o", str(tmp_path / "out")]) == ExitCode.INPUT_ERROR
    assert not (tmp_path / "out").exists()
