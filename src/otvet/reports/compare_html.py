"""The comparison page: products side by side in one self-contained HTML file.

Same rules as the assessment report: inline CSS and SVG, no scripts, nothing fetched, status
symbols and basis symbols that survive black-and-white printing, every text autoescaped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup

from otvet import __version__
from otvet.model import Catalog, Status
from otvet.model.comparison import Comparison, ComparisonRow
from otvet.reports.html_report import environment
from otvet.reports.svg_compare import element_groups, legend_swatch

MANY_PRODUCTS = 5
"""Above this many products the matrix shows symbols only (the legend explains them)."""


class HtmlComparisonReporter:
    """Writes the comparison page."""

    format: ClassVar[str] = "html"
    extension: ClassVar[str] = ".html"

    def render(self, comparison: Comparison, catalog: Catalog) -> bytes:
        return render_comparison_html(comparison, catalog).encode("utf-8")


def render_comparison_html(comparison: Comparison, catalog: Catalog) -> str:
    """The comparison as an HTML string."""
    env = environment()
    template = env.get_template("comparison.html.j2")
    groups: list[dict[str, Any]] = []
    for element in catalog.elements:
        rows = [r for r in comparison.rows if r.element == element.key]
        if not rows:
            continue
        scores = []
        for p in comparison.products:
            match = [e for e in p.assessment.scores.elements if e.element == element.key]
            scores.append(match[0] if match else None)
        groups.append({"element": element, "rows": rows, "scores": scores})
    swatches = [
        Markup(legend_swatch(i))  # noqa: S704  # built from constants only
        for i in range(len(comparison.products))
    ]
    chart = Markup(element_groups(comparison))  # noqa: S704  # built from escaped parts
    criteria = {c.id: c for c in catalog.criteria}
    return template.render(
        c=comparison,
        catalog=catalog,
        criteria=criteria,
        groups=groups,
        chart=chart,
        swatches=swatches,
        many=len(comparison.products) > MANY_PRODUCTS,
        generated=max(p.assessment.provenance.generated_at for p in comparison.products),
        otvet_version=__version__,
        spread_label=spread_label,
        Status=Status,
    )


def spread_label(row: ComparisonRow) -> str:
    """The spread of a row in points, for display."""
    return f"{row.spread:.1f}".rstrip("0").rstrip(".") if row.spread else "0"
