"""A CSAF document as records: the advisory, its vulnerabilities and per-product statuses.

:func:`extract_advisory` flattens what an importer stores and an assessment shows (id,
publisher, CVEs, CWEs, CVSS, remediations, product status per product with the product's
resolved identity). :func:`read_csaf_vex` turns the same statuses, with flags (VEX
justifications), impact threats and remediations (action statements), into
:class:`~otvet.model.vex.VexStatement` values for the knowledge base's VEX interface.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otvet.formats.csaf.product_tree import expand_ids, group_members, resolve_products
from otvet.model.csaf import (
    AdvisoryRecord,
    CsafProduct,
    CvssScore,
    ProductStatusEntry,
    Remediation,
    VulnerabilityRecord,
)
from otvet.model.vex import ProductSelector, VexJustification, VexStatement, VexStatus

CSAF_STATUS: dict[str, VexStatus] = {
    "first_affected": VexStatus.AFFECTED,
    "known_affected": VexStatus.AFFECTED,
    "last_affected": VexStatus.AFFECTED,
    "known_not_affected": VexStatus.NOT_AFFECTED,
    "first_fixed": VexStatus.FIXED,
    "fixed": VexStatus.FIXED,
    "recommended": VexStatus.FIXED,
    "under_investigation": VexStatus.UNDER_INVESTIGATION,
}
"""CSAF product_status keys and the VEX status they state (``recommended`` names a fixed version
the vendor recommends)."""


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _unknown(pid: str) -> CsafProduct:
    return CsafProduct(product_id=pid, name=f"{pid} (not defined in the product tree)")


def _scores(vuln: dict[str, Any]) -> tuple[CvssScore, ...]:
    found = []
    for score in _l(vuln.get("scores")):
        score = _d(score)
        products = tuple(p for p in _l(score.get("products")) if isinstance(p, str))
        for key in ("cvss_v3", "cvss_v2"):
            cvss = _d(score.get(key))
            if cvss:
                base = cvss.get("baseScore")
                found.append(
                    CvssScore(
                        version=str(cvss.get("version", "")),
                        vector=str(cvss.get("vectorString", "")),
                        base_score=float(base) if isinstance(base, int | float) else None,
                        base_severity=_s(cvss.get("baseSeverity")),
                        product_ids=products,
                    )
                )
    return tuple(found)


def extract_advisory(doc: Any, display: str) -> AdvisoryRecord:
    """The advisory as records; reads defensively (validate first to know what is wrong)."""
    document = _d(_d(doc).get("document"))
    tracking = _d(document.get("tracking"))
    publisher = _d(document.get("publisher"))
    products = resolve_products(doc)
    groups = group_members(doc)
    vulns = []
    for index, raw in enumerate(_l(_d(doc).get("vulnerabilities"))):
        vuln = _d(raw)
        cwe = _d(vuln.get("cwe"))
        description = next(
            (
                _s(n.get("text"))
                for n in _l(vuln.get("notes"))
                if isinstance(n, dict) and n.get("category") in ("description", "summary")
            ),
            None,
        )
        statuses = [
            ProductStatusEntry(key, vex, products.get(pid) or _unknown(pid))
            for key, vex in CSAF_STATUS.items()
            for pid in _l(_d(vuln.get("product_status")).get(key))
            if isinstance(pid, str)
        ]
        remediations = [
            Remediation(
                category=str(rem.get("category", "")),
                details=str(rem.get("details", "")),
                product_ids=expand_ids(rem, groups),
                url=_s(rem.get("url")),
                date=_s(rem.get("date")),
            )
            for rem in _l(vuln.get("remediations"))
            if isinstance(rem, dict)
        ]
        flags = tuple(
            (str(flag.get("label")), expand_ids(flag, groups))
            for flag in _l(vuln.get("flags"))
            if isinstance(flag, dict) and isinstance(flag.get("label"), str)
        )
        vulns.append(
            VulnerabilityRecord(
                release_date=_s(vuln.get("release_date")),
                flags=flags,
                cve=_s(vuln.get("cve")),
                ids=tuple(
                    (str(i.get("system_name", "")), str(i.get("text", "")))
                    for i in _l(vuln.get("ids"))
                    if isinstance(i, dict)
                ),
                title=_s(vuln.get("title")),
                cwe=(str(cwe.get("id")), str(cwe.get("name", ""))) if cwe.get("id") else None,
                description=description,
                scores=_scores(vuln),
                remediations=tuple(remediations),
                statuses=tuple(statuses),
                location=f"/vulnerabilities/{index}",
            )
        )
    return AdvisoryRecord(
        path=display,
        advisory_id=str(tracking.get("id", "")),
        title=str(document.get("title", "")),
        category=str(document.get("category", "")),
        csaf_version=str(document.get("csaf_version", "")),
        publisher=str(publisher.get("name", "")),
        publisher_namespace=_s(publisher.get("namespace")),
        publisher_category=_s(publisher.get("category")),
        status=_s(tracking.get("status")),
        version=_s(tracking.get("version")),
        initial_release_date=_s(tracking.get("initial_release_date")),
        current_release_date=_s(tracking.get("current_release_date")),
        products=tuple(products.values()),
        vulnerabilities=tuple(vulns),
    )


def selector_of(product: CsafProduct) -> ProductSelector:
    """A VEX product selector carrying everything the product tree says about a product."""
    return ProductSelector(
        purl=product.purl,
        cpe=product.cpe,
        csaf_product_id=product.product_id,
        vendor=product.vendor,
        name=product.product_name or product.name,
        version=product.version,
        version_range=product.version_range,
        product_family=product.product_family,
        model_numbers=product.model_numbers,
    )


def _selectors(
    product: CsafProduct, products: dict[str, CsafProduct]
) -> tuple[tuple[ProductSelector, ...], tuple[ProductSelector, ...]]:
    """(products, subcomponents) of a statement about ``product``.

    A relationship product ("component X default_component_of / installed_on product Y",
    CSAF 2.0 section 3.1.4.1) is X inside Y: the statement is about Y with X as subcomponent,
    so it applies to the component X of product Y only, never to every component of Y.
    """
    if product.relationship is not None:
        _, reference, relates_to = product.relationship
        outer, inner = products.get(relates_to), products.get(reference)
        if outer is not None and inner is not None:
            return (selector_of(outer),), (selector_of(inner),)
    return (selector_of(product),), ()


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_csaf_vex(doc: Any, display: str) -> list[VexStatement]:
    """VEX statements of a CSAF document: one per (vulnerability, product status, product).

    ``known_not_affected`` takes its justification from the product's flag (CSAF 2.0 section
    3.2.3.5) and its impact statement from an ``impact`` threat; ``known_affected`` takes its
    action statement from the product's remediations.
    """
    document = _d(_d(doc).get("document"))
    tracking = _d(document.get("tracking"))
    author = _s(_d(document.get("publisher")).get("name"))
    stamp = _when(_s(tracking.get("current_release_date")))
    products = resolve_products(doc)
    groups = group_members(doc)
    statements: list[VexStatement] = []
    for index, raw in enumerate(_l(_d(doc).get("vulnerabilities"))):
        vuln = _d(raw)
        ident = _s(vuln.get("cve"))
        aliases = tuple(
            str(i.get("text")) for i in _l(vuln.get("ids")) if isinstance(i, dict) and i.get("text")
        )
        if ident is None and aliases:
            ident, aliases = aliases[0], aliases[1:]
        if ident is None:
            continue
        justification: dict[str, VexJustification] = {}
        for flag in _l(vuln.get("flags")):
            flag = _d(flag)
            try:
                label = VexJustification(str(flag.get("label")))
            except ValueError:
                continue
            for pid in expand_ids(flag, groups):
                justification.setdefault(pid, label)
        impact: dict[str, str] = {}
        for threat in _l(vuln.get("threats")):
            threat = _d(threat)
            if threat.get("category") == "impact" and isinstance(threat.get("details"), str):
                for pid in expand_ids(threat, groups):
                    impact.setdefault(pid, threat["details"])
        action: dict[str, list[str]] = {}
        for rem in _l(vuln.get("remediations")):
            rem = _d(rem)
            if isinstance(rem.get("details"), str):
                for pid in expand_ids(rem, groups):
                    action.setdefault(pid, []).append(
                        f"{rem.get('category', 'remediation')}: {rem['details']}"
                    )
        status_map = _d(vuln.get("product_status"))
        for key, vex in CSAF_STATUS.items():
            for p_index, pid in enumerate(_l(status_map.get(key))):
                if not isinstance(pid, str):
                    continue
                product = products.get(pid) or _unknown(pid)
                selected, subcomponents = _selectors(product, products)
                statements.append(
                    VexStatement(
                        vulnerability=ident,
                        status=vex,
                        products=selected,
                        subcomponents=subcomponents,
                        aliases=aliases,
                        justification=justification.get(pid) if vex is VexStatus.NOT_AFFECTED else None,
                        impact=impact.get(pid) if vex is VexStatus.NOT_AFFECTED else None,
                        action="\n".join(action[pid])
                        if vex is VexStatus.AFFECTED and pid in action
                        else None,
                        source=display,
                        location=f"/vulnerabilities/{index}/product_status/{key}/{p_index}",
                        format="csaf",
                        timestamp=stamp,
                        author=author,
                    )
                )
    return statements
