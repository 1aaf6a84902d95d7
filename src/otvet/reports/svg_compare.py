"""Inline SVG of a comparison: grouped bars of element scores, one bar per product.

No scripts, no fonts or images fetched. Every product has a colour *and* a fill pattern, and
each bar ends with the product's key and score, so the chart still reads when printed in black
and white or seen by a reader who cannot tell the colours apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from otvet.model.comparison import Comparison

PALETTE = (
    "#1f5f8b",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#8a6d00",
    "#56b4e9",
    "#882255",
    "#117733",
    "#6b6b2f",
    "#332288",
)
"""Colour per product (after Okabe-Ito and Tol; distinguishable with common colour-vision deficiencies)."""

_OVERLAYS = (
    "",
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/>',
    '<line x1="0" y1="3" x2="6" y2="3" stroke="#fff" stroke-width="1.5"/>',
    '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="1.5"/>'
    '<line x1="0" y1="3" x2="6" y2="3" stroke="#fff" stroke-width="1.5"/>',
    '<line x1="3" y1="0" x2="3" y2="6" stroke="#fff" stroke-width="1"/>',
    '<rect x="1" y="1" width="4" height="4" fill="#fff"/>',
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="3"/>',
    '<circle cx="1.5" cy="1.5" r="1" fill="#fff"/><circle cx="4.5" cy="4.5" r="1" fill="#fff"/>',
    '<line x1="0" y1="1" x2="6" y2="1" stroke="#fff" stroke-width="1"/>'
    '<line x1="0" y1="4" x2="6" y2="4" stroke="#fff" stroke-width="1"/>',
)
_ROTATE = (0, 45, 0, 0, 45, 0, 0, -45, 0, 0)


def product_fill(index: int) -> str:
    """The SVG fill of product ``index`` (a pattern id defined by :func:`pattern_defs`)."""
    return f"url(#prod-{index})"


def pattern_defs(count: int) -> str:
    """``<pattern>`` definitions for ``count`` products."""
    parts = []
    for index in range(count):
        rotate = f' patternTransform="rotate({_ROTATE[index]})"' if _ROTATE[index] else ""
        parts.append(
            f'<pattern id="prod-{index}" width="6" height="6" patternUnits="userSpaceOnUse"{rotate}>'
            f'<rect width="6" height="6" fill="{PALETTE[index]}"/>{_OVERLAYS[index]}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def legend_swatch(index: int, size: int = 14) -> str:
    """A small SVG swatch of product ``index`` for legends outside the chart.

    It uses the patterns the chart defines (ids are document-wide in HTML), so the page must
    contain the chart; defining them again would duplicate ids.
    """
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'class="swatch" aria-hidden="true">'
        f'<rect width="{size}" height="{size}" fill="{product_fill(index)}" stroke="#222"/></svg>'
    )


def element_groups(comparison: Comparison, *, width: int = 900) -> str:
    """Grouped horizontal bars: overall score, then each element, one bar per product."""
    products = comparison.products
    count = len(products)
    groups: list[tuple[str, Sequence[float | None]]] = [
        ("Overall", [p.assessment.scores.overall for p in products])
    ]
    first = products[0].assessment.scores.elements
    for index, element in enumerate(first):
        scores: list[float | None] = []
        for p in products:
            match = [e for e in p.assessment.scores.elements if e.element == element.element]
            scores.append(match[0].score if match else None)
        groups.append((f"{index + 1}. {element.name}", scores))

    bar_h = 14 if count <= 3 else 11 if count <= 6 else 9
    gap, label_w, value_w, top = 10, 250, 64, 30
    bar_w = width - label_w - value_w
    group_h = bar_h * count + gap
    legend_rows = (count + 1) // 2
    height = top + group_h * len(groups) + 16 + 20 * legend_rows
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="cmp-chart-title" class="chart compare-chart">',
        '<title id="cmp-chart-title">Overall and element scores (0-100) per product</title>',
        pattern_defs(count),
    ]
    plot_bottom = top + group_h * len(groups) - gap
    for g in range(0, len(groups), 2):
        y0 = top + g * group_h
        out.append(f'<rect x="0" y="{y0 - gap / 2:.1f}" width="{width}" height="{group_h}" fill="#f6f8fa"/>')
    for tick in range(0, 101, 25):
        x = label_w + bar_w * tick / 100
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{plot_bottom}" stroke="#ccc"/>'
            f'<text x="{x:.1f}" y="{top - 10}" font-size="11" text-anchor="middle" fill="#555">{tick}</text>'
        )
    for g, (label, values) in enumerate(groups):
        y0 = top + g * group_h
        weight = ' font-weight="bold"' if g == 0 else ""
        out.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * count / 2 + 4:.1f}" font-size="13" '
            f'text-anchor="end" fill="#222"{weight}>{escape(label)}</text>'
        )
        for i, (product, score) in enumerate(zip(products, values, strict=True)):
            y = y0 + i * bar_h
            if score is None:
                out.append(
                    f'<text x="{label_w + 4}" y="{y + bar_h - 2}" font-size="{min(11, bar_h)}" fill="#555">'
                    f"{product.key}: not applicable</text>"
                )
                continue
            w = bar_w * score / 100
            out.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{max(w, 0.5):.1f}" height="{bar_h - 2}" '
                f'fill="{product_fill(i)}" stroke="#222" stroke-width="0.5"/>'
            )
            out.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 2}" font-size="{min(11, bar_h + 1)}" '
                f'fill="#222">{product.key} {score:.0f}</text>'
            )
    legend_y = plot_bottom + 24
    col_w = (width - 20) / 2
    for i, product in enumerate(products):
        x = 10 + (i % 2) * col_w
        y = legend_y + (i // 2) * 20
        out.append(
            f'<rect x="{x:.1f}" y="{y - 11}" width="16" height="13" fill="{product_fill(i)}" stroke="#222"/>'
            f'<text x="{x + 22:.1f}" y="{y}" font-size="12" fill="#222"><tspan font-weight="bold">'
            f"{product.key}</tspan> {escape(_short(product.label, 60))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
