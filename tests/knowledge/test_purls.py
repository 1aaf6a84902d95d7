"""Package keys and purl parsing: the fast path agrees with packageurl-python."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packageurl import PackageURL

from otvet.knowledge.purls import _split_purl, key_for_osv, parse_component_purl, release_compatible

SEGMENT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))


@given(
    st.sampled_from(["pypi", "npm", "golang", "maven", "deb", "generic", "github"]),
    st.lists(SEGMENT, max_size=3),
    SEGMENT,
    st.one_of(st.none(), SEGMENT),
    st.dictionaries(st.sampled_from(["distro", "arch", "type"]), SEGMENT, max_size=2),
)
def test_fast_purl_split_agrees_with_packageurl(
    kind: str, namespace: list[str], name: str, version: str | None, qualifiers: dict[str, str]
) -> None:
    text = PackageURL(kind, "/".join(namespace) or None, name, version, qualifiers or None).to_string()
    reference = PackageURL.from_string(text)
    got = _split_purl(text)
    assert got[0] == reference.type
    assert (got[1] or None) == (reference.namespace or None)
    assert got[2] == reference.name
    assert got[3] == reference.version
    assert got[4] == dict(reference.qualifiers or {})


def test_keys_of_osv_packages_and_component_purls_agree() -> None:
    cases = [
        ("PyPI", "Django_REST.framework", "pkg:pypi/django-rest-framework@3.0"),
        ("Go", "github.com/gin-gonic/gin", "pkg:golang/github.com/gin-gonic/gin@v1.6.0"),
        ("npm", "@angular/core", "pkg:npm/%40angular/core@1.0.0"),
        (
            "Maven",
            "org.apache.logging.log4j:log4j-core",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        ),
        ("Debian:11", "openssl", "pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-11"),
    ]
    for ecosystem, name, purl in cases:
        assert key_for_osv(ecosystem, name, None) == parse_component_purl(purl).key, purl


def test_distribution_releases() -> None:
    package = parse_component_purl("pkg:deb/debian/openssl@1.1.1n?distro=bullseye")
    assert package.release == "11" and package.ecosystem == "Debian"
    assert release_compatible("Debian:11", package.release)
    assert not release_compatible("Debian:12", package.release)
    assert release_compatible("Debian:12", None)
