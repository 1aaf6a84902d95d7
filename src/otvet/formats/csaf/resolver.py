"""Which products of a CSAF advisory are the product under assessment?

OT advisories rarely carry a purl or CPE (none of the CISA ICS advisories do): products are
named by vendor, product name, model numbers and a version or version range. The resolver
compares each advisory product with the product identity of the bundle:

1. **Identifiers first**: a purl, CPE or file hash (``product_identification_helper.hashes``)
   equal to the product's or one of its SBOM components' decides with confidence ``exact``.
   The product's own identifiers are manifest properties: ``purl``, ``cpe``, and hashes under
   their algorithm's name (``sha256``, ``sha-512``, ``firmware_sha256``, ...; comma-separated).
2. **Vendor**: names normalised (case, punctuation, legal suffixes such as Inc./GmbH/Corp.,
   mis-decoded UTF-8, parenthesised abbreviations) and known variants; a vendor listed among
   several ("ICONICS, Mitsubishi Electric") matches with ``heuristic`` confidence.
3. **Product**: equal normalised names (also after dropping parenthesised remarks such as
   an order number or "(incl. SIPLUS variants)", and a leading vendor name) or overlapping
   model numbers (CSAF ``*``/``?`` wildcards allowed) are ``exact``; when both sides name
   model numbers and none overlaps, it is another model; one name contained in the other is
   ``heuristic``. An SKU or serial number of the advisory product (``*``/``?`` wildcards
   allowed, CSAF 2.0 sections 3.1.3.3.6 and 3.1.3.3.7) equal to one in the manifest properties
   (``sku``/``skus``, ``serial_number``/``serial_numbers``, comma-separated) identifies the
   product ``exact``ly, before and regardless of names; without a version in the advisory it
   is then a match (the identifier names the item), not a heuristic one.
4. **Version**: a ``product_version`` compares exactly, unless it holds a range or a list
   (CISA writes ``vers:all/*`` and "28.011 | 28.012" into ``product_version``), which is read
   as a range; a ``product_version_range`` is read by :mod:`otvet.formats.csaf.versions` and
   carries that reading's confidence; an unreadable range makes the verdict ``undecided``
   (never a match or a non-match).

The result's confidence is the weakest of the steps, and its reason names each step.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from packageurl import PackageURL

from otvet.formats.csaf.versions import contains, read_range, same_version
from otvet.model.components import Component
from otvet.model.csaf import CsafProduct, MatchConfidence, MatchVerdict, ProductMatch
from otvet.model.evidence import ProductIdentity

_LEGAL = re.compile(
    r"\b(?:incorporated|inc|corporation|corp|company|co|limited|ltd|llc|l l c|gmbh|ag|se|sa|s a|spa|s p a|srl|bv|nv|plc|kg|oy|ab|as|a s|kk|pty|pvt|pte|sas|sarl|ltda|me|holdings?|group|international)\b"
)
VENDOR_VARIANTS: dict[str, str] = {
    "general electric": "ge",
    "ge digital": "ge",
    "ge vernova": "ge",
    "schneider electric software": "schneider electric",
    "schneider": "schneider electric",
    "aveva software": "aveva",
    "allen bradley": "rockwell automation",
    "rockwell": "rockwell automation",
    "mitsubishi": "mitsubishi electric",
    "3s smart software solutions": "codesys",
    "wago kontakttechnik": "wago",
    "opto 22": "opto22",
    "control by web": "controlbyweb",
    "automation direct": "automationdirect",
    "phillips": "philips",
    "sauter controls": "sauter",
    "fr sauter": "sauter",
    "moxa technologies": "moxa",
    "hirschmann automation and control": "hirschmann",
    "pepperl fuchs": "pepperl+fuchs",
    "yokogawa electric": "yokogawa",
    "emerson electric": "emerson",
    "emerson process management": "emerson",
}
"""Spellings of one vendor seen in advisories, mapped to one canonical name (after normalisation)."""


def _fold(text: str) -> str:
    if "Ã" in text or "Â" in text:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("latin-1").decode("utf-8")
    text = re.sub("[\u2122\u00ae\u00a9]", " ", text)  # ™ ® © are marks, not name parts
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def normalise_name(text: str) -> str:
    """Case-folded, accent-free, punctuation as spaces, single-spaced."""
    return " ".join(re.sub(r"[^\w+]+|_", " ", _fold(text)).split())


def normalise_vendor(text: str) -> str:
    """Canonical vendor name: legal suffixes, parenthesised abbreviations and variants removed."""
    folded = _fold(text).replace("&", " and ")
    folded = re.sub(r"\([^)]*\)", " ", folded)
    folded = re.split(r",? (?:a subsidiary|an affiliate|a division) of ", folded)[0]
    name = normalise_name(folded)
    name = " ".join(_LEGAL.sub(" ", name).split()) or name
    name = name.removesuffix(" and").strip()
    return VENDOR_VARIANTS.get(name, name)


def vendor_confidence(advisory_vendor: str | None, vendor: str) -> MatchConfidence | None:
    """How well the advisory's vendor names the product's vendor (None: another vendor)."""
    if not advisory_vendor:
        return MatchConfidence.HEURISTIC
    wanted = normalise_vendor(vendor)
    if normalise_vendor(advisory_vendor) == wanted:
        return MatchConfidence.EXACT
    parts = re.split(r",|\band\b|/|;", _fold(advisory_vendor))
    if any(normalise_vendor(p) == wanted for p in parts if p.strip()):
        return MatchConfidence.HEURISTIC
    return None


def _tokens(text: str) -> list[str]:
    return normalise_name(text).split()


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def _loose(text: str) -> str:
    """Case-folded, accent-free, every run of punctuation or spaces one space (edges kept)."""
    return re.sub(r"(?:[^\w+]|_)+", " ", _fold(text))


_MAX_IDENTIFIER = 256
"""Longer model numbers, SKUs or serial numbers are not compared (hostile input)."""


def _identifier_pattern(pattern: str) -> re.Pattern[str]:
    # NOTE: CSAF 2.0 section 3.1.3.3.3 (and .6, .7 for serial numbers and SKUs): '?' stands for
    # one and '*' for zero or more unknown characters. Literal parts are compared loosely
    # (case, accents, punctuation), so "6RA801?-??V62-0AA0" matches "6RA8011-AAV62-0AA0".
    pieces = re.split(r"(\*+|\?)", pattern)
    return re.compile(
        "".join(
            ".*" if p.startswith("*") else "." if p == "?" else re.escape(_loose(p)) for p in pieces if p
        ),
        re.S,
    )


def _model_match(patterns: Iterable[str], models: Iterable[str]) -> str | None:
    wanted = [m for m in models if m.strip() and len(m) <= _MAX_IDENTIFIER]
    for pattern in patterns:
        if not pattern.strip() or len(pattern) > _MAX_IDENTIFIER:
            continue
        if "*" in pattern or "?" in pattern:
            regex = _identifier_pattern(pattern.strip())
            if any(regex.fullmatch(_loose(m.strip())) for m in wanted):
                return pattern
        elif any(normalise_name(m) == normalise_name(pattern) for m in wanted):
            return pattern
    return None


def _without_remarks(text: str) -> str:
    """A name without its parenthesised remarks: "IGSS Data Server (IGSSdataServer.exe)" ->
    "IGSS Data Server"; "SCALANCE X200-4P IRT (6GK5200-4AH00-2BA3)" -> "SCALANCE X200-4P IRT"."""
    return " ".join(re.sub(r"\([^()]*\)", " ", text).split())


def _name_forms(text: str) -> list[list[str]]:
    forms = [_tokens(text)]
    bare = _tokens(_without_remarks(text))
    if bare and bare != forms[0]:
        forms.append(bare)
    return forms


def name_confidence(product: CsafProduct, identity: ProductIdentity) -> tuple[MatchConfidence, str] | None:
    """How well an advisory product names the product under assessment (None: another product).

    Names are equal when their tokens are, also after dropping parenthesised remarks (an
    executable name, an order number, "incl. SIPLUS variants") and a leading vendor name.
    """
    model = _model_match(product.model_numbers, identity.model_numbers)
    if model is not None:
        return MatchConfidence.EXACT, f"model number {model} matches"
    if product.model_numbers and identity.model_numbers:
        return None  # both name their model numbers, and they differ: another model
    wanted_forms = _name_forms(identity.product)
    wanted = wanted_forms[0]
    prefixes = {
        tuple(t)
        for t in (
            _tokens(identity.vendor),
            normalise_vendor(identity.vendor).split(),
            normalise_vendor(product.vendor or "").split(),
        )
        if t
    }
    names = [n for n in (product.product_name, product.product_family) if n]
    for name in names:
        for form, tokens in enumerate(_name_forms(name)):
            candidates = [tokens] + [
                tokens[len(prefix) :] for prefix in prefixes if tuple(tokens[: len(prefix)]) == prefix
            ]
            if any(c and c in wanted_forms for c in candidates):
                remark = " (without its parenthesised remark)" if form else ""
                return MatchConfidence.EXACT, f"product name '{name}' matches{remark}"
    for name in [*names, product.name]:
        tokens = _tokens(name)
        if _contains_run(tokens, wanted) or (len(tokens) >= 2 and _contains_run(wanted, tokens)):
            return (
                MatchConfidence.HEURISTIC,
                f"product name '{name}' and '{identity.product}' contain one another",
            )
    return None


_RANGE_WORDS = re.compile(
    r"^\s*(?:vers:|[<>=!]|\*|all\b|any\b)|\||\b(?:prior|earlier|before|through|later|newer|up to|older|lower|including|excluding)\b",
    re.IGNORECASE,
)


def range_like(version: str) -> bool:
    """Whether a ``product_version`` value is really a range or a list of versions."""
    return bool(_RANGE_WORDS.search(version))


def _purl_equal(a: str, b: str) -> bool:
    try:
        pa, pb = PackageURL.from_string(a), PackageURL.from_string(b)
    except ValueError:
        return a == b
    return (pa.type, pa.namespace, pa.name, pa.version) == (pb.type, pb.namespace, pb.name, pb.version)


def _cpe_core(cpe: str) -> tuple[str, ...]:
    parts = cpe.lower().split(":")
    return tuple(parts[2:6]) if cpe.lower().startswith("cpe:2.3:") else tuple(parts)


_HASH_PROPERTY = re.compile(
    r"^(?:(?:firmware|image|file|package)[_-])?(?P<algorithm>sha-?(?:1|224|256|384|512)|sha3-?(?:224|256|384|512)|md5|blake2b-?(?:256|384|512)|blake3)$",
    re.IGNORECASE,
)


def _algorithm(name: str) -> str:
    """One spelling per hash algorithm: "SHA-256", "sha256", "SHA_256" -> "sha256"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _own_hashes(identity: ProductIdentity, components: Sequence[Component]) -> list[tuple[str, str, str]]:
    """(whose, algorithm, value) of every hash the product and its SBOM components carry."""
    own = [
        ("the product", _algorithm(m.group("algorithm")), value.strip().lower())
        for key, values in identity.properties.items()
        if (m := _HASH_PROPERTY.match(key.strip()))
        for value in values.split(",")
        if value.strip()
    ]
    own += [
        (f"SBOM component {c.label}", _algorithm(h.algorithm), h.value.strip().lower())
        for c in components
        for h in c.hashes
    ]
    return own


def _hash_match(
    product: CsafProduct, identity: ProductIdentity, components: Sequence[Component]
) -> ProductMatch | None:
    if not product.hashes:
        return None
    # NOTE: CSAF 2.0 section 3.1.3.3.2: the hashes identify a file of the product; an equal
    # hash is the same file, whatever the names say.
    wanted = {(_algorithm(a), v.strip().lower()): (a, v) for a, v in product.hashes}
    for whose, algorithm, value in _own_hashes(identity, components):
        if (algorithm, value) in wanted:
            name, _ = wanted[(algorithm, value)]
            return ProductMatch(
                product,
                MatchVerdict.MATCH,
                MatchConfidence.EXACT,
                f"{name} hash {value[:16]}... equals {whose}'s",
            )
    return None


def _property_values(identity: ProductIdentity, *keys: str) -> list[str]:
    values: list[str] = []
    for key in keys:
        values += [v.strip() for v in identity.properties.get(key, "").split(",") if v.strip()]
    return values


def unit_confidence(product: CsafProduct, identity: ProductIdentity) -> tuple[MatchConfidence, str] | None:
    """An SKU or serial number of the advisory product that is the product's (None: none is)."""
    for label, patterns, keys in (
        ("SKU", product.skus, ("sku", "skus")),
        ("serial number", product.serial_numbers, ("serial_number", "serial_numbers")),
    ):
        # NOTE: CSAF 2.0 sections 3.1.3.3.6 (serial numbers) and 3.1.3.3.7 (SKUs) allow the same
        # '?'/'*' wildcards as model numbers; an abbreviated value without them is compared whole.
        found = _model_match(patterns, _property_values(identity, *keys)) if patterns else None
        if found is not None:
            return MatchConfidence.EXACT, f"{label} {found} matches"
    return None


def _identifier_match(
    product: CsafProduct, identity: ProductIdentity, components: Sequence[Component]
) -> ProductMatch | None:
    own_purl = identity.properties.get("purl")
    own_cpe = identity.properties.get("cpe")
    candidates: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("the product", own_purl, (own_cpe,) if own_cpe else ())
    ]
    candidates += [(f"SBOM component {c.label}", c.purl, c.cpes) for c in components]
    by_hash = _hash_match(product, identity, components)
    if by_hash is not None:
        return by_hash
    for label, purl, cpes in candidates:
        if product.purl and purl and _purl_equal(product.purl, purl):
            return ProductMatch(
                product, MatchVerdict.MATCH, MatchConfidence.EXACT, f"purl {product.purl} equals {label}'s"
            )
        if product.cpe and any(_cpe_core(product.cpe) == _cpe_core(c) for c in cpes):
            return ProductMatch(
                product, MatchVerdict.MATCH, MatchConfidence.EXACT, f"CPE {product.cpe} equals {label}'s"
            )
    return None


def match_product(
    product: CsafProduct, identity: ProductIdentity, components: Sequence[Component] = ()
) -> ProductMatch | None:
    """The verdict on one advisory product; None when it is another vendor's or another product."""
    by_id = _identifier_match(product, identity, components)
    if by_id is not None:
        return by_id
    vendor = vendor_confidence(product.vendor, identity.vendor)
    if vendor is None:
        return None
    unit = unit_confidence(product, identity)
    named = unit or name_confidence(product, identity)
    if named is None:
        return None
    name_conf, name_reason = named
    base = vendor.weaker(name_conf)
    vendor_reason = (
        "vendor matches"
        if vendor is MatchConfidence.EXACT
        else f"vendor '{product.vendor or 'not named'}' accepted"
    )
    reasons = [vendor_reason, name_reason]
    version = identity.version.strip()
    if product.version is not None and range_like(product.version):
        # NOTE: CISA writes ranges and lists into product_version branches ("vers:all/*" in 872
        # of 2,025, "28.011 | 28.012 | 28.013" in 127): read them as the range they are.
        product = replace(product, version=None, version_range=product.version)
        reasons.append("product_version holds a range or list")
    if product.version is not None:
        if not version:
            return ProductMatch(
                product, MatchVerdict.UNDECIDED, base, "; ".join([*reasons, "no version under assessment"])
            )
        if same_version(product.version, version):
            return ProductMatch(
                product,
                MatchVerdict.MATCH,
                base,
                "; ".join([*reasons, f"version {product.version} equals {version}"]),
            )
        return ProductMatch(
            product,
            MatchVerdict.NO_MATCH,
            base,
            "; ".join([*reasons, f"version {product.version} is not {version}"]),
        )
    if product.version_range is not None:
        rng = read_range(product.version_range)
        inside = contains(rng, version) if version else None
        if inside is None:
            why = rng.reason if not rng.parsed else "no version under assessment"
            return ProductMatch(
                product,
                MatchVerdict.UNDECIDED,
                MatchConfidence.NEEDS_REVIEW,
                "; ".join([*reasons, f"range '{product.version_range}' needs review: {why}"]),
            )
        verdict = MatchVerdict.MATCH if inside else MatchVerdict.NO_MATCH
        where = "inside" if inside else "outside"
        return ProductMatch(
            product,
            verdict,
            base.weaker(rng.confidence),
            "; ".join([*reasons, f"{version} is {where} '{product.version_range}' ({rng.reason})"]),
        )
    if unit is not None:
        return ProductMatch(
            product,
            MatchVerdict.MATCH,
            base,
            "; ".join([*reasons, "the advisory identifies the item without a version"]),
        )
    return ProductMatch(
        product,
        MatchVerdict.MATCH,
        base.weaker(MatchConfidence.HEURISTIC),
        "; ".join([*reasons, "the advisory names the product without a version"]),
    )


def resolve(
    products: Mapping[str, CsafProduct], identity: ProductIdentity, components: Sequence[Component] = ()
) -> list[ProductMatch]:
    """Verdicts for every advisory product of the same vendor and product (others are left out).

    Relationship products ("X installed on Y") take the verdict of the referenced product that
    matches, so an advisory about a component on the device resolves to the device.
    """
    found: dict[str, ProductMatch] = {}
    for pid, product in products.items():
        if product.relationship is not None:
            continue
        verdict = match_product(product, identity, components)
        if verdict is not None:
            found[pid] = verdict
    for pid, product in products.items():
        if product.relationship is None:
            continue
        _, ref, relates_to = product.relationship
        own = match_product(product, identity, components)
        inner = [found[r] for r in (relates_to, ref) if r in found]
        if own is not None:
            found[pid] = own
        elif inner:
            best = inner[0]
            found[pid] = ProductMatch(
                product,
                best.verdict,
                best.confidence,
                f"relationship '{product.relationship[0]}' with {best.product.name}: {best.reason}",
            )
    return list(found.values())
