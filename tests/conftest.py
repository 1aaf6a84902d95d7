"""Shared fixtures: the network guard, the public data corpus, test assets, example bundles."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import guards

REPO = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "assets"
EXAMPLES = REPO / "examples"


# CI runs are reproducible (derandomized); local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")


def pytest_configure(config: pytest.Config) -> None:
    # Installed for the whole session, so session fixtures and servers are guarded too.
    guards.install()
    # Never read or write the developer's own otvet data (audit log, knowledge base): every
    # session gets a fresh OTVET_HOME; tests that need their own use the ``otvet_home`` fixture.
    os.environ["OTVET_HOME"] = tempfile.mkdtemp(prefix="otvet-test-home-")


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


POSTGRES_ADMIN_URL = os.environ.get(
    "OTVET_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """URL of the local PostgreSQL server's maintenance database (``OTVET_TEST_POSTGRES``)."""
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001  # any driver error means: no server
        message = f"PostgreSQL not reachable at {make_url(POSTGRES_ADMIN_URL).render_as_string(hide_password=True)}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"otvet_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against SQLite (a temporary file) and PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def otvet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private ``OTVET_HOME`` for one test."""
    home = tmp_path / "otvet-home"
    monkeypatch.setenv("OTVET_HOME", str(home))
    return home
