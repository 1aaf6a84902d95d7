"""Matching SBOM components against the store: purl -> OSV, CPE -> NVD; aliases merged.

Rules (docs/vulnerabilities.md, ADR 0031):

- A component with a purl whose type has an OSV ecosystem is looked up by its package key
  (type, namespace, name normalised per ecosystem). Its version is compared with the record's
  explicit ``versions`` (basis ``purl-explicit-version``) and its SEMVER/ECOSYSTEM ranges
  (basis ``purl-range``) using the ecosystem's version rules.
- A component with a CPE that names a concrete version is looked up by (vendor, product) and
  compared with each NVD criterion per NISTIR 7696 (basis ``cpe-exact`` or ``cpe-range``).
- Nothing else matches: no bare names, no CPEs made up from names. A component with neither
  usable identifier is listed as unmatchable with the reason.
- Records of one vulnerability (an OSV record, its GHSA twin, the NVD CVE) are merged into one
  finding per component through their ids and aliases; every basis is kept as evidence.
"""

from __future__ import annotations

import json
from collections import defaultdict, namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from otvet.knowledge import store
from otvet.knowledge.cpe import Cpe, CpeError, VersionBounds, cpe_matches, parse_cpe
from otvet.knowledge.importers.interface import as_utc
from otvet.knowledge.purls import ComponentPackage, parse_component_purl, release_compatible
from otvet.knowledge.versions import osv_range_contains, scheme_for
from otvet.model import Component, Problem, Severity
from otvet.model.vulnerabilities import MatchBasis, MatchEvidence, SeverityRating, Unmatchable

CHUNK = 400
_RATINGS = frozenset(s.value for s in SeverityRating)


@dataclass
class Target:
    """A component prepared for matching."""

    component: Component
    package: ComponentPackage | None = None
    version: str | None = None
    version_note: str | None = None
    cpes: list[Cpe] = field(default_factory=list)
    version_json: str = ""
    """The version as a JSON string (to find it verbatim in a record's version list)."""


@dataclass
class RecordInfo:
    """What the finding needs from a matched record."""

    pk: int
    source: str
    id: str
    dataset: str
    severity: str | None
    cvss_score: float | None
    cvss_vector: str | None
    published: datetime | None
    aliases: tuple[str, ...]


@dataclass
class Hit:
    """One record matching one component."""

    record: RecordInfo
    evidence: MatchEvidence
    fixed: tuple[str, ...] = ()


def prepare(
    components: Sequence[Component], sbom: str
) -> tuple[list[Target], list[Unmatchable], list[Problem]]:
    """Split components into matchable targets and unmatchable ones (with reasons)."""
    targets: list[Target] = []
    unmatchable: list[Unmatchable] = []
    problems: list[Problem] = []
    for component in components:
        target = Target(component)
        reasons: list[str] = []
        if component.purl:
            try:
                package = parse_component_purl(component.purl)
            except ValueError as exc:
                problems.append(
                    Problem(
                        sbom,
                        f"component {component.label}: invalid purl {component.purl!r}: {exc}",
                        component.location,
                        Severity.WARNING,
                        "vulnerabilities",
                    )
                )
                reasons.append("its purl is not valid")
            else:
                version = package.version or component.version
                if package.ecosystem is None:
                    reasons.append(
                        f"purl type '{package.key.purl_type}' has no vulnerability database ecosystem"
                    )
                elif not version:
                    reasons.append("its purl has no version (and the component states none)")
                else:
                    target.package = package
                    target.version = version
                    target.version_json = json.dumps(version)
                    if not package.version:
                        target.version_note = (
                            "version taken from the component's version field (the purl has none)"
                        )
        for text in component.cpes:
            try:
                cpe = parse_cpe(text)
            except CpeError as exc:
                problems.append(
                    Problem(
                        sbom,
                        f"component {component.label}: {exc}",
                        component.location,
                        Severity.WARNING,
                        "vulnerabilities",
                    )
                )
                reasons.append("its CPE is not valid")
                continue
            if cpe.version == "*":
                # ANY says "some version": a range cannot be decided. NA ("-") is a value.
                reasons.append(f"its CPE {text} names no version")
                continue
            target.cpes.append(cpe)
        if target.package is None and not target.cpes:
            if not component.purl and not component.cpes:
                reasons.append("it has neither a purl nor a CPE")
            unmatchable.append(
                Unmatchable(
                    component_ref=component.ref,
                    component=component.label,
                    component_location=component.location,
                    sbom=sbom,
                    reason="; ".join(dict.fromkeys(reasons)),
                )
            )
            continue
        targets.append(target)
    return targets, unmatchable, problems


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fetch(conn: Connection, query: sa.Select[Any]) -> list[Any]:
    """Rows of a read-only query as named tuples, straight from the DB-API cursor.

    The candidate queries of a large SBOM return hundreds of thousands of rows; SQLAlchemy's
    result layer costs about a third of the matching time there. Values come back as the driver
    gives them (SQLite returns timestamps as text: see :func:`_record`). Falls back to the
    ordinary result layer for drivers with another parameter style.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver = getattr(conn.connection, "driver_connection", None)
    if driver is None or conn.dialect.paramstyle not in ("qmark", "pyformat", "named", "format"):
        return list(conn.execute(query).all())
    if compiled.positional:
        params: Any = tuple(compiled.params[name] for name in compiled.positiontup or ())
    else:
        params = compiled.params
    cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        factory = _row_type(tuple(column[0] for column in cursor.description))
        return [factory._make(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


@lru_cache(maxsize=16)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("CandidateRow", names)  # field names come from the query


def _record(row: Any) -> RecordInfo:
    published = row.published
    if isinstance(published, str):  # SQLite through the DB-API: ISO text, naive = UTC
        published = datetime.fromisoformat(published)
    return RecordInfo(
        pk=int(row.pk),
        source=row.source,
        id=row.id,
        dataset=row.dataset,
        severity=row.severity,
        cvss_score=row.cvss_score,
        cvss_vector=row.cvss_vector,
        published=as_utc(published),
        aliases=tuple(json.loads(row.alias_ids)) if row.alias_ids != "[]" else (),
    )


def _vuln_columns() -> list[Any]:
    v, d = store.vuln, store.dataset
    return [
        v.c.pk,
        v.c.source,
        v.c.id,
        d.c.name.label("dataset"),
        v.c.severity,
        v.c.cvss_score,
        v.c.cvss_vector,
        v.c.published,
        v.c.alias_ids,
    ]


def match_osv(conn: Connection, targets: Sequence[Target]) -> dict[int, list[Hit]]:
    """Hits per target index from OSV affected packages."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, target in enumerate(targets):
        if target.package is not None:
            by_key[target.package.key.key].append(index)
    hits: dict[int, list[Hit]] = defaultdict(list)
    a, v, d = store.affected, store.vuln, store.dataset
    keys = list(by_key)
    for chunk in _chunks(keys):
        query = (
            sa.select(a.c.pkg_key, a.c.ecosystem, a.c.ranges, a.c.versions, *_vuln_columns())
            .join(v, v.c.pk == a.c.vuln_pk)
            .join(d, d.c.id == v.c.dataset_id)
            .where(a.c.pkg_key.in_(chunk), v.c.withdrawn.is_(None))
        )
        for row in _fetch(conn, query):
            # Index access and plain locals: this loop runs once per candidate (hundreds of
            # thousands for a large SBOM); the record details are read for hits only.
            pkg_key, ecosystem, ranges_text, versions_text = row[0], row[1], row[2], row[3]
            for index in by_key[pkg_key]:
                hit = _osv_hit(targets[index], ecosystem, ranges_text, versions_text, row)
                if hit is not None:
                    hits[index].append(hit)
    return hits


def _osv_hit(target: Target, ecosystem: str, ranges_text: str, versions_text: str, row: Any) -> Hit | None:
    """Whether one OSV affected-package row matches a target; the JSON columns are parsed
    only as far as needed (a verbatim listed version is found in the JSON text itself)."""
    package = target.package
    if package is None or target.version is None:
        return None
    if package.release is not None and not release_compatible(ecosystem, package.release):
        return None
    version = target.version
    basis: MatchBasis | None = None
    range_text = ""
    range_note: str | None = None
    # Order of the checks (cheapest first; each is a complete reason to match): the version
    # listed verbatim (found in the JSON text), a range, then the listed versions compared with
    # the scheme's equality (PEP 440: 1.0 == 1.0.0), which needs every listed version parsed.
    # (``version_json`` is json.dumps of the version: the encoding the importer wrote.)
    matched_range: dict[str, Any] | None = None
    if _listed_verbatim(target.version_json, versions_text):
        basis, range_text = MatchBasis.PURL_EXPLICIT_VERSION, f"listed version {version} ({ecosystem})"
    else:
        for item in json.loads(ranges_text):
            if item["type"] == "GIT":
                continue
            verdict = osv_range_contains(version, item["type"], item["events"], ecosystem)
            if verdict.affected:
                basis, range_text = MatchBasis.PURL_RANGE, f"{verdict.text} ({ecosystem})"
                range_note = verdict.note
                matched_range = item
                break
        if basis is None and versions_text != "[]":
            scheme = scheme_for(ecosystem)
            wanted = scheme.parse(version)
            if not wanted.fallback:
                listed = scheme.listed(versions_text, json.loads(versions_text)).get(_hashable(wanted.key))
                if listed is not None:
                    basis = MatchBasis.PURL_EXPLICIT_VERSION
                    range_text = f"listed version {listed} ({ecosystem}, equal to {version})"
    if basis is None:
        return None
    notes = [n for n in (target.version_note, range_note) if n]
    if ":" in ecosystem and package.release is None and package.key.purl_type in ("deb", "apk", "rpm"):
        notes.append(f"the purl names no distribution release; matched the {ecosystem} record")
    fixed = _fixed_versions(version, ecosystem, ranges_text, matched_range)
    record = _record(row)
    evidence = MatchEvidence(
        record.id,
        basis,
        target.component.purl or "",
        range_text,
        record.dataset,
        "osv",
        "; ".join(notes) or None,
    )
    return Hit(record, evidence, fixed)


def _listed_verbatim(version_json: str, versions_text: str) -> bool:
    """Whether the JSON-encoded version is an element of the compact JSON list text.

    Anchored on the list's delimiters: a bare substring test would let a version such as
    ``,`` match the boundary between two listed versions.
    """
    start = versions_text.find(version_json)
    while start != -1:
        end = start + len(version_json)
        if versions_text[start - 1 : start] in ("[", ",") and versions_text[end : end + 1] in (",", "]"):
            return True
        start = versions_text.find(version_json, start + 1)
    return False


def _fixed_versions(
    version: str, ecosystem: str, ranges_text: str, matched_range: dict[str, Any] | None
) -> tuple[str, ...]:
    """The fixed versions to report for a hit (computed for hits only).

    Only versions of the ecosystem's own ranges count (a GIT range's ``fixed`` is a commit
    hash, not an upgrade target), and only of the range the version fell in: a record that
    lists ``1.x fixed in 1.4`` and ``2.x fixed in 2.1`` tells a 1.2 user to go to 1.4. A
    version matched by the explicit list takes the fixes of the ranges that contain it, or of
    every ecosystem range when none does (the list and the ranges disagree; the record is all
    we have).
    """
    chosen: list[dict[str, Any]]
    if matched_range is not None:
        chosen = [matched_range]
    elif '"fixed"' not in ranges_text:
        return ()
    else:
        ranges = [r for r in json.loads(ranges_text) if r.get("type") != "GIT"]
        distinct = {str(e["fixed"]) for r in ranges for e in r.get("events", ()) if "fixed" in e}
        if len(distinct) > 1:  # which fix applies depends on the range the version is in
            chosen = [
                r for r in ranges if osv_range_contains(version, r["type"], r["events"], ecosystem).affected
            ] or ranges
        else:
            chosen = ranges
    fixed = [str(e["fixed"]) for r in chosen for e in r.get("events", ()) if "fixed" in e]
    return tuple(dict.fromkeys(fixed))


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return None
    return key


def match_cpe(conn: Connection, targets: Sequence[Target]) -> dict[int, list[Hit]]:
    """Hits per target index from NVD CPE criteria."""
    by_pair: dict[tuple[str, str], list[tuple[int, Cpe]]] = defaultdict(list)
    for index, target in enumerate(targets):
        for cpe in target.cpes:
            by_pair[(cpe.vendor, cpe.product)].append((index, cpe))
    hits: dict[int, list[Hit]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    c, v, d = store.cpe_match, store.vuln, store.dataset
    pairs = sorted(by_pair)
    for chunk in _chunks(pairs):
        query = (
            sa.select(c, *_vuln_columns())
            .join(v, v.c.pk == c.c.vuln_pk)
            .join(d, d.c.id == v.c.dataset_id)
            .where(sa.tuple_(c.c.vendor, c.c.product).in_(chunk), v.c.withdrawn.is_(None))
        )
        for row in conn.execute(query).all():
            # Looked up by (vendor, product): a product of the same name by another vendor is
            # never a candidate (anchore/grype#580: npm "nx" vs Siemens NX).
            wanted = by_pair[(row.vendor, row.product)]
            criterion = Cpe(
                row.part,
                row.vendor,
                row.product,
                row.version,
                row.update,
                row.edition,
                row.language,
                row.sw_edition,
                row.target_sw,
                row.target_hw,
                row.other,
            )
            bounds = VersionBounds(
                row.version_start_including,
                row.version_start_excluding,
                row.version_end_including,
                row.version_end_excluding,
            )
            for index, cpe in wanted:
                verdict = cpe_matches(criterion, bounds, cpe)
                if not verdict.matched or (index, int(row.pk)) in seen:
                    continue
                seen.add((index, int(row.pk)))
                record = _record(row)
                basis = MatchBasis.CPE_EXACT if verdict.how == "exact" else MatchBasis.CPE_RANGE
                range_text = row.criteria + (f" ({bounds})" if bounds.present else "")
                notes = []
                if verdict.conditions:
                    notes.append(
                        "conditional: the criterion restricts "
                        + ", ".join(verdict.conditions)
                        + " and the component's CPE does not say"
                    )
                if row.requires:
                    required = json.loads(row.requires)
                    shown = ", ".join(required[:5]) + (
                        f" and {len(required) - 5} more" if len(required) > 5 else ""
                    )
                    notes.append(f"NVD configuration applies only together with: {shown}")
                note = "; ".join(notes) or None
                fixed = (bounds.end_excluding,) if bounds.end_excluding else ()
                hits[index].append(
                    Hit(
                        record,
                        MatchEvidence(record.id, basis, str(cpe), range_text, record.dataset, "nvd", note),
                        fixed,
                    )
                )
    return hits


def load_summaries(conn: Connection, pks: Iterable[int]) -> dict[int, str]:
    """Summaries of the given records (fetched for findings only: candidates do not need them)."""
    result: dict[int, str] = {}
    items = sorted(set(pks))
    for chunk in _chunks(items, 5000):
        query = sa.select(store.vuln.c.pk, store.vuln.c.summary).where(store.vuln.c.pk.in_(chunk))
        for row in conn.execute(query).all():
            if row.summary:
                result[int(row.pk)] = row.summary
    return result


@dataclass
class Group:
    """Hits of one vulnerability in one component (aliases merged)."""

    ids: set[str]
    hits: list[Hit]


def group_hits(hits: Sequence[Hit]) -> list[Group]:
    """Merge hits whose id sets overlap (union of record ids and aliases)."""
    if len(hits) == 1:
        (hit,) = hits
        return [Group({hit.record.id.upper(), *(a.upper() for a in hit.record.aliases)}, [hit])]
    groups: list[Group | None] = []
    owner: dict[str, int] = {}
    for hit in hits:
        ids = {hit.record.id.upper(), *(a.upper() for a in hit.record.aliases)}
        joined = sorted({owner[i] for i in ids if i in owner}) if owner else []
        if not joined:
            index = len(groups)
            groups.append(Group(ids, [hit]))
        else:
            index = joined[0]
            first = groups[index]
            assert first is not None  # noqa: S101  # owners point at live groups only
            first.ids |= ids
            first.hits.append(hit)
            for other_index in joined[1:]:
                other = groups[other_index]
                if other is not None:
                    first.ids |= other.ids
                    first.hits.extend(other.hits)
                    groups[other_index] = None
        target = groups[index]
        if target is not None:
            for i in target.ids:
                owner[i] = index
    return [g for g in groups if g is not None]


def display_id(ids: set[str]) -> str:
    """The id to show: a CVE when known, else a GHSA, else the smallest id."""
    for prefix in ("CVE-", "GHSA-"):
        found = [i for i in ids if i.startswith(prefix)]
        if found:
            return min(found)
    return min(ids)


def severity_of(hits: Sequence[Hit]) -> tuple[SeverityRating, float | None, str | None]:
    """The worst severity of the merged records (highest CVSS base score first)."""
    scored = [h.record for h in hits if h.record.cvss_score is not None]
    if scored:
        worst = max(scored, key=lambda r: (r.cvss_score or 0.0, r.source == "nvd"))
        rating = (
            SeverityRating(worst.severity)
            if worst.severity is not None and worst.severity in _RATINGS
            else SeverityRating.from_score(worst.cvss_score)
        )
        return rating, worst.cvss_score, worst.cvss_vector
    labels = [SeverityRating(h.record.severity) for h in hits if h.record.severity in _RATINGS]
    if labels:
        return (
            max(labels, key=lambda s: s.rank),
            None,
            next((h.record.cvss_vector for h in hits if h.record.cvss_vector), None),
        )
    return (
        SeverityRating.UNKNOWN,
        None,
        next((h.record.cvss_vector for h in hits if h.record.cvss_vector), None),
    )
