"""Load and validate the criteria catalog and profiles.

The catalog is data shipped in the package (``otvet/catalog/data``, format in
``docs/catalog-format.md``). Loading validates everything and fails loudly with every
problem found, not only the first: unique and well-formed ids, all 12 elements covered,
well-formed fields, and mapping ids that exist in the reference lists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from otvet.model import (
    DEFAULT_ATTESTED_SHARE,
    Catalog,
    CatalogError,
    Criterion,
    CriterionId,
    Element,
    ElementKey,
    EvidenceKind,
    FormatError,
    Mappings,
    Method,
    Profile,
    SourceQuote,
    StandardRef,
)
from otvet.safeio import parse_yaml

ELEMENT_COUNT = 12
MAX_QUOTE_WORDS = 30
SOURCE_PARTS = frozenset({"selection", "questions", "look_for", "why", "summary", "considerations"})

CRITERION_ID = re.compile(r"^SBD-(\d{2})\.(\d{2})$")
MAPPING_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "iec62443_4_2": re.compile(r"^(CR|SAR|EDR|HDR|NDR) [1-7]\.\d{1,2}( RE\(\d\))?$"),
    "iec62443_3_3": re.compile(r"^SR [1-7]\.\d{1,2}( RE\(\d\))?$"),
    "nist_sp800_82r3": re.compile(r"^(\d+(\.\d+){0,3}|[A-H](\.\d+){0,3})$"),
    "cra_annex_i": re.compile(r"^(I\.1|I\.2\([a-m]\)|II\.[1-8])$"),
}
MAPPING_FILES: Mapping[str, str] = {
    "iec62443_4_2": "iec62443-4-2.yaml",
    "iec62443_3_3": "iec62443-3-3.yaml",
    "nist_sp800_82r3": "nist-sp800-82r3.yaml",
    "cra_annex_i": "cra-annex-i.yaml",
}
MAPPING_NAMES: Mapping[str, str] = {
    "iec62443_4_2": "IEC 62443-4-2",
    "iec62443_3_3": "IEC 62443-3-3",
    "nist_sp800_82r3": "NIST SP 800-82r3",
    "cra_annex_i": "EU CRA Annex I",
}


def _data_root() -> Traversable:
    return resources.files("otvet.catalog").joinpath("data")


def _read_yaml(node: Traversable | Path, display: str) -> Any:
    return parse_yaml(node.read_bytes(), display)


@functools.cache
def load_catalog() -> Catalog:
    """The built-in catalog (validated once per process)."""
    return load_catalog_from(_data_root(), display="builtin catalog")


def load_catalog_from(root: Traversable | Path, *, display: str | None = None) -> Catalog:
    """Load and validate a catalog directory laid out like ``otvet/catalog/data``."""
    shown = display or str(root)
    problems: list[str] = []
    try:
        meta = _read_yaml(root.joinpath("catalog.yaml"), f"{shown}/catalog.yaml")
    except (FormatError, OSError) as exc:
        raise CatalogError(f"cannot read {shown}/catalog.yaml: {exc}") from exc
    labels = _load_labels(root, shown, problems)
    elements = _parse_elements(_as_list(meta.get("elements"), "catalog.yaml: elements", problems), problems)
    criteria: list[Criterion] = []
    criteria_dir = root.joinpath("criteria")
    files = sorted((n for n in criteria_dir.iterdir() if n.name.endswith(".yaml")), key=lambda n: n.name)
    for node in files:
        name = f"criteria/{node.name}"
        try:
            doc = _read_yaml(node, f"{shown}/{name}")
        except FormatError as exc:
            problems.append(str(exc))
            continue
        element = str(doc.get("element", ""))
        for index, raw in enumerate(_as_list(doc.get("criteria"), f"{name}: criteria", problems)):
            criterion = _parse_criterion(raw, f"{name}: criteria[{index}]", element, problems)
            if criterion is not None:
                criteria.append(criterion)
    catalog = Catalog(
        id=str(meta.get("id", "")),
        version=str(meta.get("version", "")),
        title=str(meta.get("title", "")),
        source_title=str((meta.get("source") or {}).get("title", "")),
        elements=tuple(elements),
        criteria=tuple(sorted(criteria, key=lambda c: c.id)),
        mapping_labels=labels,
    )
    problems.extend(validate_catalog(catalog))
    if problems:
        raise CatalogError(f"catalog {shown} is invalid ({len(problems)} problems)", problems)
    return catalog


def _as_list(value: Any, where: str, problems: list[str]) -> list[Any]:
    if isinstance(value, list):
        return value
    problems.append(f"{where}: expected a list")
    return []


def _load_labels(root: Traversable | Path, shown: str, problems: list[str]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for framework, filename in MAPPING_FILES.items():
        try:
            doc = _read_yaml(root.joinpath("mappings", filename), f"{shown}/mappings/{filename}")
        except (FormatError, OSError) as exc:
            problems.append(f"mappings/{filename}: {exc}")
            continue
        entries = _as_list(doc.get("entries"), f"mappings/{filename}: entries", problems)
        table: dict[str, str] = {}
        for entry in entries:
            ref, label = str(entry.get("id", "")), str(entry.get("label", ""))
            if not MAPPING_PATTERNS[framework].match(ref):
                problems.append(f"mappings/{filename}: malformed id {ref!r}")
            if ref in table:
                problems.append(f"mappings/{filename}: duplicate id {ref!r}")
            table[ref] = label
        labels[framework] = table
    return labels


def _parse_elements(raw: Iterable[Any], problems: list[str]) -> list[Element]:
    elements = []
    for index, item in enumerate(raw):
        try:
            elements.append(
                Element(
                    number=int(item["number"]),
                    key=ElementKey(str(item["key"])),
                    name=str(item["name"]),
                    selection_criterion=str(item["selection_criterion"]).strip(),
                    summary=str(item.get("summary", "")).strip(),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"catalog.yaml: elements[{index}]: missing or bad field {exc}")
    return elements


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _parse_criterion(raw: Any, where: str, element: str, problems: list[str]) -> Criterion | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    missing = [
        k
        for k in (
            "id",
            "title",
            "requirement",
            "question",
            "source",
            "methods",
            "evidence",
            "weight",
            "mappings",
        )
        if k not in raw
    ]
    if missing:
        problems.append(f"{where} ({raw.get('id', '?')}): missing {', '.join(missing)}")
        return None
    cid = str(raw["id"])
    try:
        methods = tuple(Method(m) for m in _strs(raw["methods"]))
        evidence = tuple(EvidenceKind(e) for e in _strs(raw["evidence"]))
    except ValueError as exc:
        problems.append(f"{where} ({cid}): {exc}")
        return None
    source = raw["source"] or {}
    mappings = raw["mappings"] or {}
    unknown = set(mappings) - set(MAPPING_PATTERNS)
    if unknown:
        problems.append(f"{where} ({cid}): unknown mapping frameworks {sorted(unknown)}")
    refs: list[StandardRef] = []
    for item in mappings.get("iec62443_4_2") or ():
        if isinstance(item, dict):
            sl = item.get("sl")
            refs.append(StandardRef(ref=str(item.get("ref", "")), sl=int(sl) if sl is not None else None))
        else:
            refs.append(StandardRef(ref=str(item)))
    weight = raw["weight"]
    if not isinstance(weight, int) or isinstance(weight, bool):
        problems.append(f"{where} ({cid}): weight must be an integer")
        weight = 0
    return Criterion(
        id=CriterionId(cid),
        element=ElementKey(str(raw.get("element", element))),
        title=str(raw["title"]).strip(),
        requirement=" ".join(str(raw["requirement"]).split()),
        question=" ".join(str(raw["question"]).split()),
        source=SourceQuote(
            section=str(source.get("section", "")),
            part=str(source.get("part", "")),
            quote=" ".join(str(source.get("quote", "")).split()),
        ),
        methods=methods,
        evidence=evidence,
        weight=weight,
        mappings=Mappings(
            iec62443_4_2=tuple(refs),
            iec62443_3_3=_strs(mappings.get("iec62443_3_3")),
            nist_sp800_82r3=_strs(mappings.get("nist_sp800_82r3")),
            cra_annex_i=_strs(mappings.get("cra_annex_i")),
        ),
        tags=_strs(raw.get("tags")),
    )


def validate_catalog(catalog: Catalog) -> list[str]:
    """Every problem of an assembled catalog (empty when valid)."""
    problems: list[str] = []
    numbers = sorted(e.number for e in catalog.elements)
    if numbers != list(range(1, ELEMENT_COUNT + 1)):
        problems.append(f"elements must be numbered 1..{ELEMENT_COUNT}, found {numbers}")
    keys = [e.key for e in catalog.elements]
    if len(set(keys)) != len(keys):
        problems.append("duplicate element keys")
    by_key = {e.key: e for e in catalog.elements}
    seen: set[str] = set()
    for c in catalog.criteria:
        label = c.id
        if c.id in seen:
            problems.append(f"{label}: duplicate criterion id")
        seen.add(c.id)
        match = CRITERION_ID.match(c.id)
        element = by_key.get(c.element)
        if element is None:
            problems.append(f"{label}: unknown element {c.element!r}")
        elif not match or int(match.group(1)) != element.number:
            problems.append(f"{label}: id must be SBD-{element.number:02d}.NN for element {c.element}")
        if not c.requirement.startswith(("The product shall", "The manufacturer shall")):
            problems.append(
                f"{label}: requirement must start with 'The product shall' or 'The manufacturer shall'"
            )
        if not c.question.endswith("?"):
            problems.append(f"{label}: question must end with '?'")
        if not c.title:
            problems.append(f"{label}: empty title")
        if not c.source.section or not c.source.quote:
            problems.append(f"{label}: source needs a section and a quote")
        if len(c.source.quote.split()) > MAX_QUOTE_WORDS:
            problems.append(f"{label}: quote longer than {MAX_QUOTE_WORDS} words")
        if c.source.part not in SOURCE_PARTS:
            problems.append(f"{label}: source part {c.source.part!r} not one of {sorted(SOURCE_PARTS)}")
        if not c.methods:
            problems.append(f"{label}: no verification method")
        if not c.evidence:
            problems.append(f"{label}: no evidence kind")
        if not 1 <= c.weight <= 5:
            problems.append(f"{label}: weight {c.weight} not in 1..5")
        problems.extend(_mapping_problems(c, catalog.mapping_labels))
    for element in catalog.elements:
        if not catalog.criteria_of(element.key):
            problems.append(f"element {element.key} has no criteria")
    return problems


def _mapping_problems(c: Criterion, labels: Mapping[str, Mapping[str, str]]) -> list[str]:
    problems = []
    values: dict[str, tuple[str, ...]] = {
        "iec62443_4_2": tuple(r.ref for r in c.mappings.iec62443_4_2),
        "iec62443_3_3": c.mappings.iec62443_3_3,
        "nist_sp800_82r3": c.mappings.nist_sp800_82r3,
        "cra_annex_i": c.mappings.cra_annex_i,
    }
    for framework, refs in values.items():
        known = labels.get(framework, {})
        for ref in refs:
            if not MAPPING_PATTERNS[framework].match(ref):
                problems.append(f"{c.id}: malformed {MAPPING_NAMES[framework]} id {ref!r}")
            elif ref not in known:
                problems.append(f"{c.id}: {MAPPING_NAMES[framework]} id {ref!r} is not in the reference list")
    for standard_ref in c.mappings.iec62443_4_2:
        if standard_ref.sl is not None and not 1 <= standard_ref.sl <= 4:
            problems.append(f"{c.id}: security level {standard_ref.sl} of {standard_ref.ref} not in 1..4")
    return problems


def builtin_profiles() -> tuple[str, ...]:
    """Ids of the profiles shipped with otvet."""
    root = _data_root().joinpath("profiles")
    return tuple(sorted(n.name.removesuffix(".yaml") for n in root.iterdir() if n.name.endswith(".yaml")))


def load_profile(name_or_path: str, catalog: Catalog | None = None) -> Profile:
    """A built-in profile by id, or a user profile from a YAML file path."""
    catalog = catalog or load_catalog()
    if name_or_path in builtin_profiles():
        node = _data_root().joinpath("profiles", f"{name_or_path}.yaml")
        source, data = f"builtin:{name_or_path}", node.read_bytes()
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join(builtin_profiles())
            raise CatalogError(
                f"no profile {name_or_path!r}: not a built-in profile ({known}) and not a file"
            )
        source, data = str(path), path.read_bytes()
    try:
        raw = parse_yaml(data, source)
    except FormatError as exc:
        # The FormatError already names the file and the place in it.
        raise CatalogError(f"invalid profile: {exc}") from exc
    return parse_profile(raw, catalog, source)


def parse_profile(raw: Any, catalog: Catalog, source: str) -> Profile:
    """Validate a profile document against the catalog."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CatalogError(f"profile {source}: expected a mapping at the top level")
    pid = str(raw.get("id") or "")
    if not pid:
        problems.append("missing id")
    known = catalog.ids()
    selection = raw.get("criteria", "all")
    if selection == "all":
        chosen = {c.id for c in catalog.criteria}
    elif isinstance(selection, list):
        chosen = {CriterionId(str(x)) for x in selection}
    else:
        problems.append("criteria must be 'all' or a list of criterion ids")
        chosen = set()
    for cid in sorted(chosen - known):
        problems.append(f"criteria: unknown criterion {cid}")
    must = {CriterionId(str(x)) for x in raw.get("must_have") or ()}
    for cid in sorted(must - chosen):
        problems.append(f"must_have: {cid} is not among the profile's criteria")
    weights: dict[CriterionId, int] = {}
    for key, value in (raw.get("weights") or {}).items():
        if CriterionId(str(key)) not in known:
            problems.append(f"weights: unknown criterion {key}")
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
            problems.append(f"weights: {key}: weight must be an integer 0..10")
        else:
            weights[CriterionId(str(key))] = value
    share = (raw.get("scoring") or {}).get("attested_share", DEFAULT_ATTESTED_SHARE)
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
        problems.append("scoring.attested_share must be a number between 0 and 1")
        share = DEFAULT_ATTESTED_SHARE
    if problems:
        raise CatalogError(f"profile {source} is invalid ({len(problems)} problems)", problems)
    ordered = tuple(c.id for c in catalog.criteria if c.id in chosen)
    return Profile(
        id=pid,
        title=str(raw.get("title") or pid),
        description=" ".join(str(raw.get("description") or "").split()),
        criteria=ordered,
        must_have=frozenset(must),
        weights=weights,
        attested_share=float(share),
        source=source,
    )
