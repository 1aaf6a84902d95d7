"""Shared fixtures: the network guard, the public data corpus, test assets, example bundles."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import guards

REPO = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "assets"
EXAMPLES = REPO / "examples"


def pytest_configure(config: pytest.Config) -> None:
    # Installed for the whole session, so session fixtures and servers are guarded too.
    guards.install()


@pytest.fixture(autouse=True)
def _network_guard() -> Iterator[None]:
    """Fail any test that tried to reach a non-loopback address, even if the error was caught."""
    before = len(guards.violations)
    yield
    new = guards.violations[before:]
    if new:
        pytest.fail("; ".join(new), pytrace=False)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The public data corpus (``OTVET_CORPUS``, default ``../shared/data``).

    Skips with a clear reason when absent; fails instead when ``CI=true``, so CI can never
    pass by skipping the conformance tests.
    """
    root = Path(os.environ.get("OTVET_CORPUS", REPO.parent / "shared" / "data")).resolve()
    if not root.is_dir():
        message = f"public data corpus not found at {root} (set OTVET_CORPUS to its path)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def asset() -> Callable[[str], Path]:
    """``asset(name)``: path of a test asset under ``tests/assets``."""

    def find(name: str) -> Path:
        path = ASSETS / name
        if not path.exists():
            raise FileNotFoundError(f"missing test asset {path}")
        return path

    return find


@pytest.fixture(scope="session")
def examples() -> Path:
    """The bundled example products."""
    return EXAMPLES
