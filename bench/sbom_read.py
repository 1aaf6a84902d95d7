"""Benchmark: read and quality-check SBOMs (time and peak memory).

Cases: the largest SBOM of the public corpus (JSON and XML), and a generated CycloneDX 1.6
SBOM with 50,000 components (JSON and XML; nested components, dependencies, hashes,
licences, purls, CPEs). Each case runs in a fresh process so that peak memory (max RSS) is
its own. Target (issue "SBOM evidence"): 50,000 components read and quality-checked in
under 10 s and 1 GiB.

    .venv/bin/python bench/sbom_read.py [--corpus ../shared/data] [--components 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr


def generate(count: int) -> dict[str, object]:
    """A deterministic CycloneDX 1.6 SBOM with ``count`` components (every 10th nests one)."""
    components: list[dict[str, object]] = []
    made = 0
    index = 0
    while made < count:
        name = f"lib{index:06d}"
        entry: dict[str, object] = {
            "type": "library",
            "bom-ref": f"pkg:generic/acme/{name}@1.{index % 50}.{index % 7}",
            "supplier": {
                "name": f"Supplier {index % 400}",
                "url": [f"https://supplier{index % 400}.example"],
            },
            "group": "acme",
            "name": name,
            "version": f"1.{index % 50}.{index % 7}",
            "description": f"Generated component number {index} for the SBOM benchmark",
            "hashes": [
                {"alg": "SHA-256", "content": f"{index:064x}"},
                {"alg": "SHA-512", "content": f"{index:0128x}"},
            ],
            "licenses": [{"license": {"id": "Apache-2.0"}}]
            if index % 3
            else [{"expression": "MIT OR GPL-2.0-only"}],
            "purl": f"pkg:generic/acme/{name}@1.{index % 50}.{index % 7}",
            "externalReferences": [{"type": "vcs", "url": f"https://git.example/acme/{name}.git"}],
            "properties": [{"name": "bench:index", "value": str(index)}],
        }
        if index % 5 == 0:
            entry["cpe"] = f"cpe:2.3:a:acme:{name}:1.{index % 50}.{index % 7}:*:*:*:*:*:*:*"
        made += 1
        if index % 10 == 0 and made < count:
            entry["components"] = [
                {"type": "library", "bom-ref": f"nested-{index}", "name": f"{name}-core", "version": "1.0.0"}
            ]
            made += 1
        components.append(entry)
        index += 1
    refs = [c["bom-ref"] for c in components]
    dependencies = [{"ref": "product", "dependsOn": refs[:100]}] + [
        {"ref": refs[i], "dependsOn": [refs[(i * 7 + 1) % len(refs)], refs[(i * 13 + 3) % len(refs)]]}
        for i in range(len(refs))
    ]
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000050",
        "version": 1,
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "authors": [{"name": "Benchmark", "email": "bench@example.com"}],
            "component": {"type": "firmware", "bom-ref": "product", "name": "Bench PLC", "version": "1.0.0"},
        },
        "components": components,
        "dependencies": dependencies,
    }


def to_xml(doc: dict[str, object]) -> str:
    """The same SBOM as CycloneDX 1.6 XML (the fields the generator uses)."""

    def component(c: dict[str, object]) -> str:
        parts = [f"<component type={quoteattr(str(c['type']))} bom-ref={quoteattr(str(c['bom-ref']))}>"]
        supplier = c.get("supplier")
        if isinstance(supplier, dict):
            parts.append(
                f"<supplier><name>{escape(supplier['name'])}</name><url>{escape(supplier['url'][0])}</url></supplier>"
            )
        for key in ("group", "name", "version", "description"):
            if key in c:
                parts.append(f"<{key}>{escape(str(c[key]))}</{key}>")
        if "hashes" in c:
            parts.append(
                "<hashes>"
                + "".join(f'<hash alg="{h["alg"]}">{h["content"]}</hash>' for h in c["hashes"])
                + "</hashes>"
            )  # type: ignore[attr-defined]
        if "licenses" in c:
            lic = c["licenses"][0]  # type: ignore[index]
            inner = (
                f"<expression>{escape(lic['expression'])}</expression>"
                if "expression" in lic
                else f"<license><id>{lic['license']['id']}</id></license>"
            )
            parts.append(f"<licenses>{inner}</licenses>")
        for key in ("cpe", "purl"):
            if key in c:
                parts.append(f"<{key}>{escape(str(c[key]))}</{key}>")
        if "externalReferences" in c:
            parts.append(
                "<externalReferences>"
                + "".join(
                    f'<reference type="{r["type"]}"><url>{escape(r["url"])}</url></reference>'
                    for r in c["externalReferences"]
                )
                + "</externalReferences>"
            )  # type: ignore[attr-defined]
        if "properties" in c:
            parts.append(
                "<properties>"
                + "".join(
                    f"<property name={quoteattr(p['name'])}>{escape(p['value'])}</property>"
                    for p in c["properties"]
                )
                + "</properties>"
            )  # type: ignore[attr-defined]
        if "components" in c:
            parts.append("<components>" + "".join(component(n) for n in c["components"]) + "</components>")  # type: ignore[attr-defined]
        parts.append("</component>")
        return "".join(parts)

    meta = doc["metadata"]
    assert isinstance(meta, dict)
    body = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="{doc["serialNumber"]}" version="1">',
        f"<metadata><timestamp>{meta['timestamp']}</timestamp><authors><author><name>Benchmark</name><email>bench@example.com</email></author></authors>",
        component(meta["component"]),
        "</metadata><components>",
        *(component(c) for c in doc["components"]),  # type: ignore[attr-defined]
        "</components><dependencies>",
        *(
            f"<dependency ref={quoteattr(d['ref'])}>"
            + "".join(f"<dependency ref={quoteattr(t)}/>" for t in d["dependsOn"])
            + "</dependency>"
            for d in doc["dependencies"]  # type: ignore[attr-defined]
        ),
        "</dependencies></bom>",
    ]
    return "\n".join(body)


def _peak_rss_mib() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child(path: Path, conformance: bool) -> None:
    """Run one case in this process and print a JSON line with its measurements."""
    start = time.perf_counter()
    from otvet.analyzers.sbom_quality import assess_quality  # noqa: PLC0415  # import time is measured apart
    from otvet.formats.sbom import read_sbom  # noqa: PLC0415
    from otvet.formats.sbom.conformance import check_conformance  # noqa: PLC0415
    from otvet.model import ProductIdentity  # noqa: PLC0415

    imported = time.perf_counter()
    doc = read_sbom(path)
    read = time.perf_counter()
    quality = assess_quality(doc, ProductIdentity("Bench", "Bench PLC", "1.0.0"))
    checked = time.perf_counter()
    findings = check_conformance(path.read_bytes(), doc) if conformance else ()
    validated = time.perf_counter()
    print(
        json.dumps(
            {
                "file": str(path),
                "bytes": path.stat().st_size,
                "components": quality.components,
                "import_s": round(imported - start, 3),
                "read_s": round(read - imported, 3),
                "quality_s": round(checked - read, 3),
                "conformance_s": round(validated - checked, 3),
                "conformance_findings": len(findings),
                "peak_rss_mib": _peak_rss_mib(),
            }
        )
    )


def run(path: Path, conformance: bool) -> dict[str, object]:
    argv = [sys.executable, __file__, "--child", str(path)] + (["--conformance"] if conformance else [])
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--components", type=int, default=50_000)
    parser.add_argument("--child", type=Path)
    parser.add_argument("--conformance", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.conformance)
        return
    print(
        f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    sboms = [p for p in (args.corpus / "sbom").rglob("*") if p.suffix in (".json", ".xml") and p.is_file()]
    largest_json = max((p for p in sboms if p.suffix == ".json"), key=lambda p: p.stat().st_size)
    largest_xml = max((p for p in sboms if p.suffix == ".xml"), key=lambda p: p.stat().st_size)
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate(args.components)
        json_path = Path(tmp) / f"generated-{args.components}.cdx.json"
        json_path.write_text(json.dumps(generated, indent=1), encoding="utf-8")
        xml_path = Path(tmp) / f"generated-{args.components}.cdx.xml"
        xml_path.write_text(to_xml(generated), encoding="utf-8")
        cases = [
            (largest_json, True),
            (largest_xml, True),
            (json_path, False),
            (json_path, True),
            (xml_path, True),
        ]
        print("| file | MiB | components | read s | quality s | conformance s | total s | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|")
        for path, conformance in cases:
            r = run(path, conformance)
            total = float(r["read_s"]) + float(r["quality_s"]) + float(r["conformance_s"])  # type: ignore[arg-type]
            label = path.name if path.parent.name == Path(tmp).name else str(path.relative_to(args.corpus))
            conf = f"{r['conformance_s']}" if conformance else "off"
            print(
                f"| {label} | {int(r['bytes']) / 2**20:.1f} | {r['components']} | {r['read_s']} | {r['quality_s']} | "  # type: ignore[call-overload]
                f"{conf} | {total:.2f} | {r['peak_rss_mib']} |"
            )


if __name__ == "__main__":
    main()
