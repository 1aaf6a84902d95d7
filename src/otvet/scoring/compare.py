"""Compare scored assessments of competing products, criterion by criterion.

The guide's summary asks buyers to "create a standardized scoring matrix ... to objectively
compare competing OT solutions". Every product keeps the points its own profile gave it
(weight x status credit x basis factor, exactly as in :mod:`otvet.scoring.weighted`); a
criterion's *spread* is the largest difference in those points between two products. The
decisive differences are the criteria with a blocker on one side, then the largest spread,
then must-haves and weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from string import ascii_uppercase

from otvet.model import Assessment, Catalog, CriterionId, InputError, Status
from otvet.model.comparison import (
    MAX_PRODUCTS,
    MIN_PRODUCTS,
    ComparedProduct,
    Comparison,
    ComparisonCell,
    ComparisonRow,
    Difference,
)
from otvet.scoring.weighted import basis_factor

MAX_DIFFERENCES = 15
"""How many decisive differences a comparison lists (the rest are in the full matrix)."""


def compare(
    catalog: Catalog, assessments: Sequence[tuple[str, Assessment]], *, limit: int = MAX_DIFFERENCES
) -> Comparison:
    """Put ``(source, assessment)`` pairs side by side, in the given order."""
    if not MIN_PRODUCTS <= len(assessments) <= MAX_PRODUCTS:
        raise InputError(
            f"compare needs {MIN_PRODUCTS} to {MAX_PRODUCTS} assessments, got {len(assessments)}"
        )
    products = _products(assessments)
    known = catalog.ids()
    assessed: set[str] = set()
    for product in products:
        assessed.update(o.criterion_id for o in product.assessment.outcomes)
    unknown = sorted(assessed - known)
    if unknown:
        raise InputError(
            f"the assessments use criteria this catalog ({catalog.id} {catalog.version}) does not know: "
            f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}"
        )
    rows = tuple(
        _row(catalog, products, criterion.id) for criterion in catalog.criteria if criterion.id in assessed
    )
    return Comparison(
        products=products,
        rows=rows,
        differences=_differences(rows, products, limit),
        profiles_differ=len({(p.assessment.profile_id, p.assessment.scores.attested_share) for p in products})
        > 1,
        warnings=_warnings(catalog, products),
    )


def _products(assessments: Sequence[tuple[str, Assessment]]) -> tuple[ComparedProduct, ...]:
    seen: dict[str, int] = {}
    products = []
    for index, (source, assessment) in enumerate(assessments):
        label = assessment.product.label or "unnamed product"
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} ({seen[label]})"
        products.append(
            ComparedProduct(key=ascii_uppercase[index], label=label, source=source, assessment=assessment)
        )
    return tuple(products)


def _row(catalog: Catalog, products: Sequence[ComparedProduct], criterion_id: CriterionId) -> ComparisonRow:
    criterion = catalog.criterion(criterion_id)
    cells = []
    for product in products:
        a = product.assessment
        try:
            o = a.outcome(criterion_id)
        except KeyError:
            cells.append(ComparisonCell(status=None, basis=None, weight=None, must_have=False, points=None))
            continue
        points = (
            None
            if o.status is Status.NOT_APPLICABLE
            else o.weight * o.status.credit * basis_factor(o.basis, a.scores.attested_share)
        )
        cells.append(
            ComparisonCell(
                status=o.status,
                basis=o.basis,
                weight=o.weight,
                must_have=o.must_have,
                points=points,
                contradiction=o.contradiction is not None,
            )
        )
    earned = [c.points for c in cells if c.points is not None]
    spread = round(max(earned) - min(earned), 3) if len(earned) >= 2 else 0.0
    return ComparisonRow(
        criterion_id=criterion_id,
        element=criterion.element,
        title=criterion.title,
        cells=tuple(cells),
        spread=spread,
    )


def _differences(
    rows: Sequence[ComparisonRow], products: Sequence[ComparedProduct], limit: int
) -> tuple[Difference, ...]:
    blocked = {p.key: {b.criterion_id for b in p.assessment.blockers} for p in products}
    found = []
    for row in rows:
        blocks = tuple(p.key for p in products if row.criterion_id in blocked[p.key])
        # NOTE: a blocker that every product shares does not tell them apart; it is listed
        # under each product's blockers instead.
        if row.spread <= 0 and (not blocks or len(blocks) == len(products)):
            continue
        scored = [(p.key, c.points) for p, c in zip(products, row.cells, strict=True) if c.points is not None]
        top = max(points for _, points in scored)
        bottom = min(points for _, points in scored)
        found.append(
            Difference(
                criterion_id=row.criterion_id,
                title=row.title,
                weight=row.weight,
                must_have=row.must_have,
                spread=row.spread,
                best=tuple(k for k, points in scored if points == top),
                worst=tuple(k for k, points in scored if points == bottom),
                blocks=blocks,
            )
        )
    found.sort(key=lambda d: (-bool(d.blocks), -d.spread, -d.must_have, -d.weight, d.criterion_id))
    return tuple(found[:limit])


def _warnings(catalog: Catalog, products: Sequence[ComparedProduct]) -> tuple[str, ...]:
    warnings = []
    profiles = {p.assessment.profile_id for p in products}
    if len(profiles) > 1:
        listing = ", ".join(f"{p.key}: {p.assessment.profile_id}" for p in products)
        warnings.append(
            f"The products were assessed under different profiles ({listing}). Criteria outside a "
            "product's profile show as 'not assessed', and the scores rest on different criteria "
            "and weights: compare them with care, or assess every product under one profile."
        )
    shares = {p.assessment.scores.attested_share for p in products}
    if len(shares) > 1:
        listing = ", ".join(f"{p.key}: {p.assessment.scores.attested_share:.0%}" for p in products)
        warnings.append(f"A vendor claim earns a different share of the credit per product ({listing}).")
    catalogs = {
        (p.assessment.provenance.catalog_id, p.assessment.provenance.catalog_version) for p in products
    }
    if len(catalogs) > 1 or catalogs != {(catalog.id, catalog.version)}:
        listing = ", ".join(
            f"{p.key}: {p.assessment.provenance.catalog_id} {p.assessment.provenance.catalog_version}"
            for p in products
        )
        warnings.append(
            f"The assessments were made with different catalog versions ({listing}; this otvet has "
            f"{catalog.id} {catalog.version}): criterion texts are shown as this otvet knows them."
        )
    return tuple(warnings)
