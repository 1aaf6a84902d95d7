"""Side-by-side comparison of assessments: the data every comparison output renders.

A comparison puts 2 to 10 assessments (one per product) next to each other, criterion by
criterion, and ranks the criteria on which the products differ most by the points at stake.
"""

from __future__ import annotations

from dataclasses import dataclass

from otvet.model.assessment import Assessment
from otvet.model.catalog import CriterionId, ElementKey
from otvet.model.results import Basis, Status

MIN_PRODUCTS = 2
MAX_PRODUCTS = 10


@dataclass(frozen=True)
class ComparedProduct:
    """One column of the comparison: a product and its assessment."""

    key: str
    """Short column key (``A``, ``B``, ...) used in tables, the chart legend and the workbook."""
    label: str
    """``Vendor Product version``, made unique among the compared products."""
    source: str
    """The assessment file it was read from."""
    assessment: Assessment


@dataclass(frozen=True)
class ComparisonCell:
    """One product's verdict on one criterion; ``status`` is None when its profile left it out."""

    status: Status | None
    basis: Basis | None
    weight: int | None
    must_have: bool
    points: float | None
    """Points earned under the product's own scoring (weight x credit x basis factor)."""
    contradiction: bool = False

    @property
    def assessed(self) -> bool:
        """Whether the product's profile selected the criterion."""
        return self.status is not None


@dataclass(frozen=True)
class ComparisonRow:
    """One criterion across all products."""

    criterion_id: CriterionId
    element: ElementKey
    title: str
    cells: tuple[ComparisonCell, ...]
    """One per product, in product order."""
    spread: float
    """Largest difference in earned points between two products that assessed the criterion."""

    @property
    def must_have(self) -> bool:
        """A must-have for at least one of the products' profiles."""
        return any(cell.must_have for cell in self.cells)

    @property
    def weight(self) -> int:
        """The highest weight any product's profile gives the criterion."""
        return max((cell.weight for cell in self.cells if cell.weight is not None), default=0)


@dataclass(frozen=True)
class Difference:
    """A decisive difference: a criterion on which the products differ, and by how much."""

    criterion_id: CriterionId
    title: str
    weight: int
    must_have: bool
    spread: float
    best: tuple[str, ...]
    """Keys of the products that earn the most points on it."""
    worst: tuple[str, ...]
    """Keys of the products that earn the fewest points on it."""
    blocks: tuple[str, ...] = ()
    """Keys of the products for which the criterion is a blocker."""


@dataclass(frozen=True)
class Comparison:
    """Assessments of several products side by side."""

    products: tuple[ComparedProduct, ...]
    rows: tuple[ComparisonRow, ...]
    """Every criterion any product was assessed on, in catalog order."""
    differences: tuple[Difference, ...]
    """The criteria where products differ most by weight, most decisive first."""
    profiles_differ: bool
    """True when the products were assessed under different profiles (or scoring rules)."""
    warnings: tuple[str, ...] = ()
    """Why the columns may not be comparable (different profiles, catalog versions, ...)."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The product column keys, in order."""
        return tuple(p.key for p in self.products)
