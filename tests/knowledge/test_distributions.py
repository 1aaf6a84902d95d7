"""Distribution ecosystems (Debian, Alpine) with their version rules, and alias merging with NVD.

The OSV records here are our own small fixtures in the shape the OSV project publishes for
Debian and Alpine (ecosystem ``Debian:11`` / ``Alpine:v3.18``, dpkg / apk versions).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.knowledge import KnowledgeBase
from tests.knowledge.conftest import NOW, component, sbom

DEBIAN = {
    "id": "DEBIAN-CVE-2023-0286",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2023-0286"],
    "affected": [
        {
            "package": {
                "ecosystem": "Debian:11",
                "name": "openssl",
                "purl": "pkg:deb/debian/openssl?arch=source",
            },
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1n-0+deb11u4"}]}],
        }
    ],
}
ALPINE = {
    "id": "ALPINE-CVE-2023-5678",
    "modified": "2024-01-01T00:00:00Z",
    "upstream": ["CVE-2023-5678"],
    "affected": [
        {
            "package": {"ecosystem": "Alpine:v3.18", "name": "openssl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.4-r1"}]}],
        }
    ],
}


@pytest.fixture
def distro_kb(kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "debian.json").write_text(json.dumps(DEBIAN))
    (folder / "alpine.json").write_text(json.dumps(ALPINE))
    report = kb.import_data("osv", folder, now=NOW)
    assert report.added == 2
    return kb


def _ids(knowledge: KnowledgeBase, purl: str) -> set[str]:
    report = knowledge.match(sbom(component("openssl", None, purl=purl)), now=NOW)
    return {e.record_id for m in report.matches for e in m.evidence}


def test_debian_versions_follow_dpkg_rules_and_releases(distro_kb: KnowledgeBase) -> None:
    assert _ids(distro_kb, "pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-11") == {
        "DEBIAN-CVE-2023-0286"
    }
    # dpkg: deb11u4 is the fix, deb11u10 sorts after it (numeric, not lexical)
    assert _ids(distro_kb, "pkg:deb/debian/openssl@1.1.1n-0+deb11u4?distro=debian-11") == set()
    assert _ids(distro_kb, "pkg:deb/debian/openssl@1.1.1n-0+deb11u10?distro=bullseye") == set()
    # another Debian release: the Debian 11 record does not apply
    assert _ids(distro_kb, "pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-12") == set()


def test_alpine_versions_and_upstream_is_not_an_alias(distro_kb: KnowledgeBase) -> None:
    assert _ids(distro_kb, "pkg:apk/alpine/openssl@3.1.4-r0?distro=3.18.4") == {"ALPINE-CVE-2023-5678"}
    assert _ids(distro_kb, "pkg:apk/alpine/openssl@3.1.4-r1?distro=3.18.4") == set()
    report = distro_kb.match(
        sbom(component("openssl", None, purl="pkg:apk/alpine/openssl@3.1.4-r0")), now=NOW
    )
    (match,) = report.matches
    assert match.vulnerability == "ALPINE-CVE-2023-5678"  # upstream ids are not merged as aliases
    assert match.evidence[0].note is not None and "names no distribution release" in match.evidence[0].note


@pytest.mark.corpus
def test_osv_and_nvd_records_of_one_cve_become_one_finding(distro_kb: KnowledgeBase, corpus: Path) -> None:
    distro_kb.import_data("nvd", corpus / "nvd" / "CVE-2023-0286.json", now=NOW)
    both = component(
        "openssl",
        "1.1.1n",
        purl="pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-11",
        cpe="cpe:2.3:a:openssl:openssl:1.1.1n:*:*:*:*:*:*:*",
    )
    report = distro_kb.match(sbom(both), now=NOW)
    (match,) = report.matches
    assert match.vulnerability == "CVE-2023-0286"
    assert "DEBIAN-CVE-2023-0286" in match.aliases
    assert {e.basis.value for e in match.evidence} == {"purl-range", "cpe-range"}
    assert match.fixed_versions[0] == "1.1.1n-0+deb11u4"  # the package's own fix first
