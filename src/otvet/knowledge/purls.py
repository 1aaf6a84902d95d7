"""Package identity: OSV ecosystems and package URLs mapped to one lookup key.

An OSV record names a package by ``ecosystem`` and ``name`` (and sometimes a ``purl``); an SBOM
names a component by purl. Both are turned into the same key, ``type:namespace/name`` with
each ecosystem's own normalisation (PEP 503 for PyPI, lower case for npm and NuGet, the full
module path for Go), so the matcher looks candidates up by key and never by a bare name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL

# OSV ecosystem (family, lower-case) -> (purl type, purl namespace or None)
_ECOSYSTEM_PURL: dict[str, tuple[str, str | None]] = {
    "pypi": ("pypi", None),
    "go": ("golang", None),
    "npm": ("npm", None),
    "crates.io": ("cargo", None),
    "maven": ("maven", None),
    "rubygems": ("gem", None),
    "nuget": ("nuget", None),
    "packagist": ("composer", None),
    "hex": ("hex", None),
    "pub": ("pub", None),
    "swifturl": ("swift", None),
    "cran": ("cran", None),
    "hackage": ("hackage", None),
    "conan": ("conan", None),
    "debian": ("deb", "debian"),
    "ubuntu": ("deb", "ubuntu"),
    "alpine": ("apk", "alpine"),
    "wolfi": ("apk", "wolfi"),
    "chainguard": ("apk", "chainguard"),
    "red hat": ("rpm", "redhat"),
    "almalinux": ("rpm", "almalinux"),
    "rocky linux": ("rpm", "rocky-linux"),
    "opensuse": ("rpm", "opensuse"),
    "suse": ("rpm", "suse"),
    "mageia": ("rpm", "mageia"),
    "openeuler": ("rpm", "openeuler"),
    "github actions": ("githubactions", None),
}

# purl type -> OSV ecosystem family used for version semantics when matching a component
PURL_ECOSYSTEM: dict[str, str] = {
    "pypi": "PyPI",
    "golang": "Go",
    "npm": "npm",
    "cargo": "crates.io",
    "maven": "Maven",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "swift": "SwiftURL",
    "cran": "CRAN",
    "hackage": "Hackage",
    "conan": "ConanCenter",
    "githubactions": "GitHub Actions",
}
_DISTRO_ECOSYSTEM = {
    ("deb", "debian"): "Debian",
    ("deb", "ubuntu"): "Ubuntu",
    ("apk", "alpine"): "Alpine",
    ("apk", "wolfi"): "Wolfi",
    ("apk", "chainguard"): "Chainguard",
    ("rpm", "redhat"): "Red Hat",
    ("rpm", "almalinux"): "AlmaLinux",
    ("rpm", "rocky-linux"): "Rocky Linux",
    ("rpm", "opensuse"): "openSUSE",
    ("rpm", "suse"): "SUSE",
    ("rpm", "mageia"): "Mageia",
    ("rpm", "openeuler"): "openEuler",
}
_DEBIAN_CODENAMES = {
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
}


@dataclass(frozen=True)
class PackageKey:
    """A normalised package identity."""

    purl_type: str
    namespace: str | None
    name: str

    @property
    def key(self) -> str:
        """The lookup key: ``type:namespace/name`` (``type:name`` without a namespace)."""
        return (
            f"{self.purl_type}:{self.namespace}/{self.name}"
            if self.namespace
            else f"{self.purl_type}:{self.name}"
        )


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def normalise(purl_type: str, namespace: str | None, name: str) -> PackageKey:
    """Apply the purl type's normalisation rules (purl-spec PURL-TYPES)."""
    kind = purl_type.lower()
    ns = namespace or None
    if kind == "pypi":
        return PackageKey(kind, None, _pep503(name))
    if kind == "golang":
        full = f"{ns}/{name}" if ns else name
        return PackageKey(kind, None, full)
    if kind in ("npm", "nuget", "gem", "cargo", "hex", "pub", "composer", "githubactions"):
        return PackageKey(kind, ns.lower() if ns else None, name.lower())
    if kind in ("deb", "apk", "rpm"):
        return PackageKey(kind, ns.lower() if ns else None, name.lower() if kind != "rpm" else name)
    return PackageKey(kind, ns, name)


def key_for_osv(ecosystem: str, name: str, purl: str | None) -> PackageKey:
    """The key of an OSV affected package (``ecosystem`` and ``name``; ``purl`` as a fallback)."""
    family = ecosystem.split(":", 1)[0].strip().lower()
    mapped = _ECOSYSTEM_PURL.get(family)
    if mapped is not None:
        kind, ns = mapped
        if kind == "maven" and ":" in name:
            group, artifact = name.split(":", 1)
            return normalise(kind, group, artifact)
        if kind in ("npm", "composer", "githubactions") and "/" in name:
            scope, rest = name.rsplit("/", 1)
            return normalise(kind, scope, rest)
        return normalise(kind, ns, name)
    if purl:
        try:
            parsed = PackageURL.from_string(purl)
        except ValueError:
            pass
        else:
            return normalise(parsed.type, parsed.namespace, parsed.name)
    # An ecosystem without a purl type (Linux, OSS-Fuzz, GIT, ...): stored, never matched
    # from an SBOM purl.
    return PackageKey(f"osv-{family.replace(' ', '-')}", None, name)


@dataclass(frozen=True)
class ComponentPackage:
    """What the matcher needs from a component's purl."""

    key: PackageKey
    version: str | None
    ecosystem: str | None
    """OSV ecosystem for version semantics, or None when no OSV ecosystem covers the type."""
    release: str | None
    """Distribution release from the ``distro`` qualifier (``11``, ``3.18``), if any."""


# A purl without percent-escapes, subpath oddities or unusual characters: the common case.
_SIMPLE_PURL = re.compile(
    r"^pkg:(?P<type>[a-zA-Z][a-zA-Z0-9.+-]*)/(?P<path>[A-Za-z0-9._~@+!/-]+?)"
    r"(?:@(?P<version>[A-Za-z0-9._~+!:-]+))?(?:\?(?P<qualifiers>[A-Za-z0-9._~=&/:+-]*))?(?:#[^#]*)?$"
)


def _split_purl(purl: str) -> tuple[str, str | None, str, str | None, dict[str, str]]:
    """(type, namespace, name, version, qualifiers) of a purl.

    Simple purls (no percent-escapes) are split with one regular expression; everything else
    goes through packageurl-python, which the fast path agrees with (tests/knowledge/test_purls.py).
    """
    simple = _SIMPLE_PURL.match(purl) if "%" not in purl else None
    if simple is not None and "//" not in simple.group("path"):
        segments = simple.group("path").strip("/").split("/")
        namespace = "/".join(segments[:-1]) or None
        qualifiers: dict[str, str] = {}
        for pair in (simple.group("qualifiers") or "").split("&"):
            key, sep, value = pair.partition("=")
            if sep and key and value:
                qualifiers[key.lower()] = value
        return simple.group("type").lower(), namespace, segments[-1], simple.group("version"), qualifiers
    parsed = PackageURL.from_string(purl)
    return parsed.type, parsed.namespace, parsed.name, parsed.version, dict(parsed.qualifiers or {})


def parse_component_purl(purl: str) -> ComponentPackage:
    """Parse a component purl; raises ``ValueError`` when it is not a valid purl."""
    purl_type, namespace, name, version, qualifiers = _split_purl(purl)
    if not name:
        raise ValueError(f"purl has no name: {purl!r}")
    key = normalise(purl_type, namespace, name)
    ecosystem = PURL_ECOSYSTEM.get(key.purl_type) or _DISTRO_ECOSYSTEM.get(
        (key.purl_type, key.namespace or "")
    )
    return ComponentPackage(
        key=key,
        version=version,
        ecosystem=ecosystem,
        release=_release(qualifiers.get("distro") or None),
    )


def _release(distro: str | None) -> str | None:
    if not distro:
        return None
    value = distro.lower()
    for prefix in ("debian-", "ubuntu-", "alpine-", "rhel-", "el"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    value = _DEBIAN_CODENAMES.get(value, value)
    return value.lstrip("v") or None


def release_compatible(ecosystem: str, release: str | None) -> bool:
    """Whether an OSV ecosystem like ``Debian:11`` or ``Alpine:v3.18`` fits a component's
    distribution release (True when either side does not say)."""
    if release is None or ":" not in ecosystem:
        return True
    wanted = ecosystem.split(":", 2)[1].strip().lower().lstrip("v")
    if not wanted:
        return True
    return release == wanted or release.startswith(wanted + ".") or wanted.startswith(release + ".")
