"""SBOM readers on the example bundles and on partly broken documents.

Expected facts are computed from the raw files in each test, not taken from the readers.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from otvet.formats.sbom import parse_sbom, read_sbom
from otvet.model import FormatError, Severity

NORTHWIND = "northwind-rtu/sbom/nw-rtu-500-3.2.1.cdx.json"
KESTREL_CDX = "kestrel-plc/sbom/ka9-5.4.0.cdx.json"
KESTREL_SPDX = "kestrel-plc/sbom/ka9-5.4.0.spdx.json"
KESTREL_HBOM = "kestrel-plc/sbom/ka9-hbom.cdx.json"


def _raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_northwind_keeps_every_entry_including_the_duplicate_ref(examples: Path) -> None:
    path = examples / NORTHWIND
    raw = _raw(path)["components"]
    doc = read_sbom(path)
    assert len(doc.components) == len(raw) == 14
    assert len({c.ref for c in doc.components}) == len({r["bom-ref"] for r in raw}) == 13
    # Both entries that share the bom-ref 'openssl' are kept, as two components.
    shared = [c for c in doc.components if c.ref == "openssl"]
    assert sorted(c.name for c in shared) == sorted(r["name"] for r in raw if r["bom-ref"] == "openssl")
    assert len(shared) == 2
    assert sum(1 for c in doc.components if c.purl) == sum(1 for r in raw if "purl" in r) == 6
    assert sum(1 for c in doc.components if c.cpes) == sum(1 for r in raw if "cpe" in r) == 2
    assert not any(c.hashes for c in doc.components)
    unversioned = [c.name for c in doc.components if c.version is None]
    assert unversioned == [r["name"] for r in raw if "version" not in r]
    assert (
        doc.subject is not None
        and doc.subject.version == _raw(path)["metadata"]["component"]["version"] == "3.2"
    )
    assert doc.created is None and doc.authors == () and doc.problems == ()


def test_kestrel_cyclonedx_nested_component_and_rich_metadata(examples: Path) -> None:
    path = examples / KESTREL_CDX
    raw = _raw(path)
    nested = [(c["bom-ref"], n["bom-ref"]) for c in raw["components"] for n in c.get("components", [])]
    doc = read_sbom(path)
    assert len(doc.components) == len(raw["components"]) + len(nested) == 25
    for parent, child in nested:
        assert next(c for c in doc.components if c.ref == child).parent == parent
    assert doc.spec_version == raw["specVersion"] == "1.6"
    assert doc.created is not None and doc.created.isoformat().startswith(raw["metadata"]["timestamp"][:19])
    assert doc.authors and doc.author_contacts
    assert all(c.supplier for c in doc.components)


def test_kestrel_spdx_lists_the_same_software_as_cyclonedx(examples: Path) -> None:
    cdx = read_sbom(examples / KESTREL_CDX)
    spdx = read_sbom(examples / KESTREL_SPDX)
    assert len(spdx.components) == len(_raw(examples / KESTREL_SPDX)["packages"])
    assert cdx.subject is not None and spdx.subject is not None
    cdx_set = {(c.name, c.version) for c in (*cdx.components, cdx.subject)}
    assert {(c.name, c.version) for c in spdx.components} == cdx_set
    assert spdx.subject.name == cdx.subject.name and spdx.subject.version == cdx.subject.version


def test_kestrel_hardware_bom_has_devices(examples: Path) -> None:
    path = examples / KESTREL_HBOM
    raw = _raw(path)
    doc = read_sbom(path)
    assert doc.subject is not None and doc.subject.type == raw["metadata"]["component"]["type"] == "device"
    assert [c.type for c in doc.components] == [c["type"] for c in raw["components"]]


def _write(tmp_path: Path, data: Any, name: str = "sbom.json") -> Path:
    target = tmp_path / name
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def test_partly_broken_cyclonedx_json_keeps_the_readable_components(examples: Path, tmp_path: Path) -> None:
    raw = _raw(examples / NORTHWIND)
    broken = copy.deepcopy(raw)
    broken["components"][2] = "not a component"
    broken["components"][3]["hashes"] = "abc"
    broken["components"][4]["version"] = 7
    broken["components"][5]["licenses"] = [{"license": {}}]
    broken["dependencies"][0]["dependsOn"] = [1, "linux"]
    doc = read_sbom(_write(tmp_path, broken))
    assert len(doc.components) == len(raw["components"]) - 1
    where = {p.where: p for p in doc.problems}
    assert where["/components/2"].severity is Severity.ERROR
    assert "/components/3/hashes" in where
    assert where["/components/4/version"].severity is Severity.WARNING
    assert doc.components[3].version == "7"
    assert "/components/5/licenses/0/license" in where
    assert "/dependencies/0/dependsOn/0" in where
    assert doc.dependencies[0].depends_on == ("linux",)
    assert all(p.path.endswith("sbom.json") for p in doc.problems)


def test_component_without_name_or_ref_is_kept_and_labelled_by_location(tmp_path: Path) -> None:
    doc = read_sbom(
        _write(
            tmp_path,
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "components": [{"type": "library"}, {"name": "x"}],
            },
        )
    )
    assert [c.ref for c in doc.components] == ["/components/0", "/components/1"]
    assert any(p.where == "/components/0" and "no name" in p.message for p in doc.problems)


def test_partly_broken_cyclonedx_xml_gives_xml_paths(tmp_path: Path) -> None:
    xml = """<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components>
    <component type="library" bom-ref="a"><name>a</name><version>1</version>
      <hashes><hash alg="SHA-256">AB12</hash></hashes>
      <components><component type="library"><name>inner</name></component></components>
    </component>
    <component type="library" bom-ref="b"><version>2</version><purl>pkg:generic/b@2</purl></component>
  </components>
  <dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies>
</bom>"""
    target = tmp_path / "bom.xml"
    target.write_text(xml, encoding="utf-8")
    doc = read_sbom(target)
    assert [c.name for c in doc.components] == ["a", "inner", ""]
    assert doc.components[1].parent == "a"
    assert doc.components[1].location == "/bom/components/component[1]/components/component[1]"
    assert doc.components[0].hashes[0].value == "ab12"
    assert doc.dependencies[0].depends_on == ("b",)
    assert any(p.where == "/bom/components/component[2]" for p in doc.problems)


def test_spdx_tagvalue_reports_bad_lines_and_reads_the_rest(asset: Callable[[str], Path]) -> None:
    path = asset("sbom/gateway.invalid-lines.spdx")
    lines = path.read_text(encoding="utf-8").splitlines()

    def line_of(text: str) -> str:
        return f"line {lines.index(text) + 1}"

    doc = read_sbom(path)
    assert doc.format == "SPDX" and doc.encoding == "tag-value" and doc.spec_version == "2.3"
    assert [c.name for c in doc.components] == ["tiny-gateway", "busybox", "libmodbus"]
    wheres = {p.where for p in doc.problems}
    assert line_of("this line is not a tag-value pair") in wheres
    assert line_of("PackageChecksum: SHA256 without a separator") in wheres
    assert line_of("ExternalRef: PACKAGE-MANAGER") in wheres
    busybox = doc.components[1]
    assert busybox.cpes == ("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",)
    assert busybox.copyright == "Copyright (C) Erik Andersen\nand the BusyBox contributors"
    assert doc.subject is not None and doc.subject.name == "tiny-gateway"
    assert doc.author_contacts == ("sbom@test-vendor.example",)
    # DEPENDENCY_OF is turned around: the gateway is the including side.
    assert any(
        d.ref == "SPDXRef-Package-gateway" and d.depends_on == ("SPDXRef-Package-libmodbus",)
        for d in doc.dependencies
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text\n", "not an SBOM"),
        (b"[1, 2, 3]", "not an object"),
        (b'{"name": "x"}', "not an SBOM"),
        (b'{"bomFormat": "CycloneDX", "components": [', "not valid JSON"),
        (
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:spdx="http://spdx.org/rdf/terms#"></rdf:RDF>',
            "SPDX RDF/XML is not supported",
        ),
        (b"<html><body/></html>", "not a CycloneDX bom"),
    ],
)
def test_nothing_readable_raises_format_error(content: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_sbom(content, "input")


def test_truncated_json_names_line_and_column() -> None:
    with pytest.raises(FormatError) as caught:
        parse_sbom(b'{\n "bomFormat": "CycloneDX",\n "components": [\n', "cut.json")
    assert caught.value.location is not None and caught.value.location.where is not None
    assert caught.value.location.where.startswith("line 4")
