"""Stored CSAF advisories that speak about one product version.

The query follows the CSAF resolver (``formats/csaf/resolver.py``, ADR 0041) instead of SQL
string matching:

1. **Candidates**: advisories with a product whose vendor normalises to the product's vendor
   (the distinct vendor spellings are normalised here, at query time, so a better
   normalisation applies to data imported earlier), whose purl or CPE names the product or
   one of its SBOM components, or whose product has no vendor at all.
2. **Resolution**: all products of each candidate advisory (relationships need the products
   they combine) go through :func:`otvet.formats.csaf.resolver.resolve`; only ``match`` and
   ``undecided`` verdicts are kept (``undecided``: a range that needs review, never counted as
   a match or a non-match).
3. **Findings**: every product status of a matched product becomes an
   :class:`~otvet.model.advisories.AdvisoryFinding` with the vulnerability's CVE, CWE, the
   highest CVSS score given for that product, the KEV flag, the remediations naming the
   product, and where the finding came from (file, sha256, data set, import time).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from otvet.formats.csaf.records import CSAF_STATUS
from otvet.formats.csaf.resolver import resolve, vendor_confidence
from otvet.knowledge import store
from otvet.knowledge.importers.csaf import cpe_key, purl_key
from otvet.knowledge.importers.interface import as_utc
from otvet.model import Component, ProductIdentity
from otvet.model.advisories import AdvisoryFinding
from otvet.model.csaf import CsafProduct, MatchVerdict, ProductMatch, Remediation

_CHUNK = 400


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _strings(text: str | None) -> tuple[str, ...]:
    value = json.loads(text) if text else []
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _product(row: Any) -> CsafProduct:
    relationship = json.loads(row.relationship) if row.relationship else None
    hashes = json.loads(row.hashes) if row.hashes else []
    return CsafProduct(
        product_id=row.product_id,
        name=row.name,
        vendor=row.vendor,
        product_family=row.product_family,
        product_name=row.product_name,
        version=row.version,
        version_range=row.version_range,
        cpe=row.cpe,
        purl=row.purl,
        model_numbers=_strings(row.model_numbers),
        skus=_strings(row.skus),
        serial_numbers=_strings(row.serial_numbers),
        hashes=tuple((str(a), str(v)) for a, v in hashes),
        location=row.location,
        relationship=(str(relationship[0]), str(relationship[1]), str(relationship[2]))
        if isinstance(relationship, list) and len(relationship) == 3
        else None,
    )


def _identifier_keys(product: ProductIdentity, components: Sequence[Component]) -> tuple[set[str], set[str]]:
    purls = {product.properties.get("purl")} | {c.purl for c in components}
    cpes = {product.properties.get("cpe")} | {cpe for c in components for cpe in c.cpes}
    return (
        {k for p in purls if (k := purl_key(p)) is not None},
        {k for c in cpes if (k := cpe_key(c)) is not None},
    )


def candidate_advisories(
    conn: Connection, product: ProductIdentity, components: Sequence[Component]
) -> list[int]:
    """Primary keys of the advisories that may speak about the product (step 1)."""
    p = store.advisory_product
    vendors = [
        row.vendor
        for row in conn.execute(sa.select(p.c.vendor).where(p.c.vendor.is_not(None)).distinct())
        if vendor_confidence(row.vendor, product.vendor) is not None
    ]
    purls, cpes = _identifier_keys(product, components)
    found: set[int] = set()
    for chunk in _chunks(vendors):
        found.update(
            r[0] for r in conn.execute(sa.select(p.c.advisory_pk).where(p.c.vendor.in_(chunk)).distinct())
        )
    for column, keys in ((p.c.purl_key, sorted(purls)), (p.c.cpe_key, sorted(cpes))):
        for chunk in _chunks(keys):
            found.update(
                r[0] for r in conn.execute(sa.select(p.c.advisory_pk).where(column.in_(chunk)).distinct())
            )
    found.update(
        r[0]
        for r in conn.execute(
            sa.select(p.c.advisory_pk).where(p.c.vendor.is_(None), p.c.relationship.is_(None)).distinct()
        )
    )
    return sorted(found)


def find_advisories(
    conn: Connection, product: ProductIdentity, components: Sequence[Component] = ()
) -> tuple[list[AdvisoryFinding], int]:
    """Findings about the product version, and how many advisories were examined."""
    candidates = candidate_advisories(conn, product, components)
    products: dict[int, dict[str, CsafProduct]] = defaultdict(dict)
    p = store.advisory_product
    for chunk in _chunks(candidates):
        for row in conn.execute(sa.select(p).where(p.c.advisory_pk.in_(chunk))):
            products[int(row.advisory_pk)].setdefault(row.product_id, _product(row))
    matched: dict[int, dict[str, ProductMatch]] = {}
    for pk, by_id in products.items():
        verdicts = {
            m.product.product_id: m
            for m in resolve(by_id, product, components)
            if m.verdict is not MatchVerdict.NO_MATCH
        }
        if verdicts:
            matched[pk] = verdicts
    if not matched:
        return [], len(candidates)
    return _findings(conn, matched), len(candidates)


def _findings(conn: Connection, matched: dict[int, dict[str, ProductMatch]]) -> list[AdvisoryFinding]:
    a, v, d = store.advisory, store.advisory_vuln, store.dataset
    s, r = store.advisory_status, store.advisory_remediation
    pks = sorted(matched)
    advisories: dict[int, Any] = {}
    vulns: dict[int, Any] = {}
    for chunk in _chunks(pks):
        query = (
            sa.select(a, d.c.name.label("dataset_name"))
            .join(d, d.c.id == a.c.dataset_id)
            .where(a.c.pk.in_(chunk))
        )
        advisories.update({int(row.pk): row for row in conn.execute(query)})
        vulns.update(
            {int(row.pk): row for row in conn.execute(sa.select(v).where(v.c.advisory_pk.in_(chunk)))}
        )
    statuses: dict[int, list[Any]] = defaultdict(list)
    remediations: dict[int, list[Any]] = defaultdict(list)
    vuln_pks = sorted(vulns)
    for chunk in _chunks(vuln_pks):
        for row in conn.execute(sa.select(s).where(s.c.vuln_pk.in_(chunk))):
            statuses[int(row.vuln_pk)].append(row)
        for row in conn.execute(sa.select(r).where(r.c.vuln_pk.in_(chunk))):
            remediations[int(row.vuln_pk)].append(row)
    cves = sorted({row.cve for row in vulns.values() if row.cve})
    kev: set[str] = set()
    for chunk in _chunks(cves):
        kev.update(
            row[0] for row in conn.execute(sa.select(store.kev.c.cve_id).where(store.kev.c.cve_id.in_(chunk)))
        )
    findings: list[AdvisoryFinding] = []
    for vuln_pk in sorted(vulns, key=lambda k: (vulns[k].advisory_pk, vulns[k].position)):
        vuln = vulns[vuln_pk]
        advisory = advisories[int(vuln.advisory_pk)]
        verdicts = matched[int(vuln.advisory_pk)]
        scores = json.loads(vuln.scores) if vuln.scores else []
        flags = json.loads(vuln.flags) if vuln.flags else []
        ids = json.loads(vuln.ids) if vuln.ids else []
        for status in sorted(statuses[vuln_pk], key=lambda x: (x.status, x.position)):
            match = verdicts.get(status.product_id)
            if match is None:
                continue
            pid = status.product_id
            score, vector, severity = _score_for(scores, pid, vuln)
            findings.append(
                AdvisoryFinding(
                    advisory_id=advisory.tracking_id,
                    title=advisory.title,
                    publisher=advisory.publisher,
                    publisher_namespace=advisory.publisher_namespace,
                    category=advisory.category,
                    initial_release_date=as_utc(advisory.initial_release_date),
                    current_release_date=as_utc(advisory.current_release_date),
                    valid=bool(advisory.valid),
                    cve=vuln.cve,
                    vulnerability_ids=tuple(
                        f"{i[0]}: {i[1]}" for i in ids if isinstance(i, list) and len(i) == 2
                    ),
                    vulnerability_title=vuln.title,
                    cwe=f"{vuln.cwe_id} {vuln.cwe_name or ''}".strip() if vuln.cwe_id else None,
                    release_date=as_utc(vuln.release_date) or as_utc(advisory.initial_release_date),
                    status=status.status,
                    vex_status=CSAF_STATUS[status.status],
                    product=match.product,
                    verdict=match.verdict,
                    confidence=match.confidence,
                    reason=match.reason,
                    cvss_score=score,
                    cvss_vector=vector,
                    base_severity=severity,
                    kev=vuln.cve in kev,
                    remediations=tuple(
                        Remediation(
                            category=rem.category,
                            details=rem.details,
                            product_ids=_strings(rem.product_ids),
                            url=rem.url,
                            date=rem.date,
                        )
                        for rem in remediations[vuln_pk]
                        if pid in _strings(rem.product_ids)
                    ),
                    justification=next(
                        (str(label) for label, pids in flags if pid in pids),
                        None,
                    ),
                    origin="knowledge base",
                    document=advisory.source_file,
                    document_sha256=advisory.file_sha256,
                    data_set=f"#{advisory.dataset_id} {advisory.dataset_name}",
                    imported_at=as_utc(advisory.imported_at),
                    location=f"/vulnerabilities/{vuln.position}/product_status/{status.status}/{status.position}",
                )
            )
    return findings


def _score_for(
    scores: list[dict[str, Any]], pid: str, vuln: Any
) -> tuple[float | None, str | None, str | None]:
    """The highest CVSS base score given for the product (else the vulnerability's highest)."""
    mine = [s for s in scores if pid in (s.get("product_ids") or []) and s.get("base_score") is not None]
    if not mine:
        return vuln.cvss_score, vuln.cvss_vector, vuln.base_severity
    best = max(mine, key=lambda s: float(s["base_score"]))
    severity = best.get("base_severity")
    return (
        float(best["base_score"]),
        best.get("vector"),
        severity.lower() if isinstance(severity, str) else None,
    )
