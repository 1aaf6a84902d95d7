"""Generate a 500,000-record OSV-shaped corpus (zip of JSON) from the real corpus records.

Each output record is a real PyPA or Go record with a new id (``BENCH-<n>``) and its package
names suffixed per copy (``-b<copy>``), so the corpus has hundreds of thousands of distinct
packages like a real all-ecosystem dump. Also writes a CycloneDX SBOM of 50,000 components
drawn from those packages, with versions taken from the records (listed, introduced and fixed
versions), for the matching benchmark.

Usage: ``.venv/bin/python bench/knowledge_generate_corpus.py [COUNT] [COMPONENTS] [SHARE]``
(default 500000, 50000 and 1.0; output in OTVET_BENCH_DIR, default /tmp/otvet-bench). SHARE is
the share of components taken from packages that have advisories (1.0: every component, the
stress case; the rest are packages no record names, as in a real product SBOM). With SHARE
below 1 only the SBOM is written (``sbom-50k-share<SHARE>.cdx.json``), not the corpus.
"""

from __future__ import annotations

import json
import random
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_common import CORPUS, WORK, timed

from otvet.knowledge.purls import key_for_osv


def _load() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted((Path(CORPUS) / "osv").rglob("*")):
        if path.suffix == ".json":
            records.append(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".yaml":
            records.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [r for r in records if isinstance(r, dict) and r.get("affected")]


def _versions(affected: dict[str, Any]) -> list[str]:
    found = list(affected.get("versions") or [])
    for item in affected.get("ranges") or []:
        for event in item.get("events") or []:
            for value in event.values():
                if value != "0":
                    found.append(value)
    return found


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    components_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    share = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    out = Path(WORK)
    out.mkdir(parents=True, exist_ok=True)
    base = _load()
    rng = random.Random(20260701)
    # SBOM candidates: every distinct (ecosystem, package) once, with its known versions.
    known: dict[tuple[str, str], list[str]] = {}
    # With SHARE below 1 only the SBOM is wanted: the corpus goes to a scratch file.
    target = out / ("osv-500k.zip" if share >= 1.0 else "discarded.zip")
    with timed() as t, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n in range(count):
            source = base[n % len(base)]
            copy = n // len(base)
            record = dict(source)
            record["id"] = f"BENCH-{n:07d}"
            record["aliases"] = [f"{a}-B{copy}" for a in source.get("aliases") or []]
            affected = []
            for entry in source["affected"]:
                package = dict(entry.get("package") or {})
                package["name"] = f"{package.get('name')}-b{copy}"
                package.pop("purl", None)
                affected.append({**entry, "package": package})
                if package.get("ecosystem") in ("PyPI", "Go"):
                    known.setdefault((package["ecosystem"], package["name"]), []).extend(_versions(entry))
            record["affected"] = affected
            if share >= 1.0:
                archive.writestr(
                    f"{record['id']}.json", json.dumps(record, separators=(",", ":"), default=str)
                )
    if share < 1.0:
        target.unlink()
    else:
        print(
            f"wrote {count} records to {target} in {t.seconds:.0f} s ({target.stat().st_size / 2**20:.0f} MiB)"
        )
    # Like a real product SBOM: distinct packages, each at one version (a known affected,
    # introduced or fixed version of that package, so a good share of them match).
    packages = sorted(known)
    rng.shuffle(packages)
    components = []
    for index, (ecosystem, name) in enumerate(packages[: int(components_wanted * share)]):
        version = rng.choice(known[(ecosystem, name)] or ["1.0.0"])
        key = key_for_osv(ecosystem, name, None)
        components.append(
            {
                "type": "library",
                "bom-ref": f"c{index}",
                "name": name,
                "version": version,
                "purl": f"pkg:{key.purl_type}/{key.name}@{version}",
            }
        )
    while len(components) < components_wanted:  # pad with packages no record names
        index = len(components)
        components.append(
            {
                "type": "library",
                "bom-ref": f"c{index}",
                "name": f"unknown-{index}",
                "version": "1.0.0",
                "purl": f"pkg:pypi/unknown-{index}@1.0.0",
            }
        )
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000050",
        "version": 1,
        "metadata": {
            "component": {"type": "firmware", "bom-ref": "bench", "name": "bench firmware", "version": "1"}
        },
        "components": components,
    }
    sbom_path = out / ("sbom-50k.cdx.json" if share >= 1.0 else f"sbom-50k-share{share:g}.cdx.json")
    sbom_path.write_text(json.dumps(bom), encoding="utf-8")
    print(f"wrote {len(components)} components to {sbom_path}")


if __name__ == "__main__":
    main()
