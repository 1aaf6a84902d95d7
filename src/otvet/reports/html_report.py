"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing fetched)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from otvet.model import Assessment, Basis, Catalog, Status
from otvet.reports.svg import element_bars

STATUS_SYMBOL: Mapping[Status, str] = {
    Status.MET: "✔",
    Status.PARTIALLY_MET: "◐",
    Status.NOT_MET: "✘",
    Status.NOT_EVIDENCED: "?",
    Status.NOT_APPLICABLE: "–",
}
"""Symbols that keep their meaning when printed in black and white."""

STATUS_LABEL: Mapping[Status, str] = {
    Status.MET: "met",
    Status.PARTIALLY_MET: "partially met",
    Status.NOT_MET: "not met",
    Status.NOT_EVIDENCED: "not evidenced",
    Status.NOT_APPLICABLE: "not applicable",
}

BASIS_SYMBOL: Mapping[Basis, str] = {
    Basis.VERIFIED: "▣ verified",
    Basis.OBSERVED: "◉ observed",
    Basis.ATTESTED: "✎ attested",
    Basis.NONE: "· none",
}


def environment() -> Environment:
    """The Jinja environment of otvet's HTML templates (autoescaped, strict)."""
    env = Environment(
        loader=PackageLoader("otvet.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(status_symbol=STATUS_SYMBOL, status_label=STATUS_LABEL, basis_symbol=BASIS_SYMBOL)
    env.filters["short_hash"] = lambda value: (value or "")[:12]
    env.filters["pct"] = lambda value: "–" if value is None else f"{value * 100:.0f} %"
    env.filters["num"] = lambda value: "–" if value is None else f"{value:.0f}"
    env.filters["human_size"] = _human_size
    return env


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class HtmlReporter:
    """Writes the single-file HTML report."""

    format: ClassVar[str] = "html"
    extension: ClassVar[str] = ".html"

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        return render_html(assessment, catalog).encode("utf-8")


def render_html(assessment: Assessment, catalog: Catalog) -> str:
    """The report as an HTML string."""
    template = environment().get_template("assessment.html.j2")
    criteria = {c.id: c for c in catalog.criteria}
    groups: list[dict[str, Any]] = []
    for element in catalog.elements:
        rows = [o for o in assessment.outcomes if criteria[o.criterion_id].element == element.key]
        if rows:
            score = next(s for s in assessment.scores.elements if s.element == element.key)
            groups.append({"element": element, "outcomes": rows, "score": score})
    counts = {status: sum(1 for o in assessment.outcomes if o.status is status) for status in Status}
    chart = Markup(element_bars(assessment.scores.elements, assessment.scores.attested_share))  # noqa: S704  # built from escaped parts
    return template.render(
        a=assessment,
        catalog=catalog,
        criteria=criteria,
        groups=groups,
        counts=counts,
        chart=chart,
        Status=Status,
    )
