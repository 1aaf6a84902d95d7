"""We practise what we check: otvet's own SBOM is valid and matches what we pin."""

from __future__ import annotations

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packaging.utils import canonicalize_name

from otvet import __version__

REPO = Path(__file__).resolve().parent.parent
SBOM = REPO / "sbom" / "otvet.cdx.json"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name, sep, version = line.partition("==")
        if sep:
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_self_sbom_is_valid_cyclonedx_1_6() -> None:
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(SBOM.read_text(encoding="utf-8"))
    assert errors is None, errors


def test_self_sbom_matches_the_pins() -> None:
    document = json.loads(SBOM.read_text(encoding="utf-8"))
    assert document["metadata"]["component"]["version"] == __version__
    pins = _pins()
    listed = {canonicalize_name(c["name"]): c["version"] for c in document["components"]}
    stale = {name: (version, pins.get(name)) for name, version in listed.items() if pins.get(name) != version}
    assert stale == {}, "run `make sbom` and commit sbom/otvet.cdx.json"
    for required in ("cryptography", "defusedxml", "jinja2", "sqlalchemy", "typer"):
        assert required in listed
    assert all(c["purl"].startswith("pkg:pypi/") for c in document["components"])
