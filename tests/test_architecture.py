"""Architecture rules: layer contracts, a standard-library-only model, explicit registries."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from importlinter.cli import lint_imports

from otvet.analyzers import ANALYZERS
from otvet.catalog import load_catalog
from otvet.reports import REPORTERS

SRC = Path(__file__).resolve().parent.parent / "src" / "otvet"


def test_import_contracts_hold() -> None:
    # The contracts live in pyproject.toml ([tool.importlinter]) and mirror docs/ARCHITECTURE.md.
    assert lint_imports(config_filename=str(SRC.parent.parent / "pyproject.toml")) == 0


def test_model_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in sorted((SRC / "model").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if name.startswith("otvet.model") or top in sys.stdlib_module_names or top == "__future__":
                    continue
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_every_registered_analyzer_resolves_and_names_real_criteria() -> None:
    catalog_ids = load_catalog().ids()
    ids = [cls.id for cls in ANALYZERS]
    assert len(ids) == len(set(ids)), "analyzer ids must be unique"
    for cls in ANALYZERS:
        instance = cls()
        assert instance.version and instance.title
        unknown = set(cls.criteria) - catalog_ids
        assert not unknown, f"{cls.id} names unknown criteria {sorted(unknown)}"


def test_every_registered_reporter_resolves() -> None:
    for name, cls in REPORTERS.items():
        assert cls.format == name
        assert cls.extension.startswith(".")
