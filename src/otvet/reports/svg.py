"""Inline SVG charts (no scripts, no fonts or images fetched, printable in black and white)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from otvet.model import ElementScore

EVIDENCE_FILL = "#1f5f8b"
CLAIM_FILL = "#9cc3e0"


def element_bars(elements: Sequence[ElementScore], attested_share: float, *, width: int = 760) -> str:
    """Horizontal bars per element: score split into evidence-based and claim-based parts.

    The evidence part is solid, the claim part hatched, so the split survives grayscale printing.
    """
    label_w, value_w, row_h, top = 250, 60, 26, 28
    bar_w = width - label_w - value_w
    height = top + row_h * len(elements) + 34
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="chart-title" class="chart">',
        '<title id="chart-title">Score per element (0-100): solid = verified or observed, hatched = attested</title>',
        "<defs>"
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{CLAIM_FILL}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f5f8b" stroke-width="2"/>'
        "</pattern></defs>",
    ]
    for tick in range(0, 101, 25):
        x = label_w + bar_w * tick / 100
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + row_h * len(elements)}" stroke="#ccc"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{top - 10}" font-size="11" text-anchor="middle" fill="#555">{tick}</text>'
        )
    for index, element in enumerate(elements):
        y = top + index * row_h
        out.append(
            f'<text x="{label_w - 8}" y="{y + 17}" font-size="13" text-anchor="end" fill="#222">'
            f"{index + 1}. {escape(element.name)}</text>"
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" fill="#f1f3f5" stroke="#ccc"/>'
        )
        if element.score is None:
            out.append(
                f'<text x="{label_w + 6}" y="{y + 17}" font-size="12" fill="#555">not applicable</text>'
            )
            continue
        total = element.score
        evidenced = total * (element.confidence or 0.0)
        ev_w = bar_w * evidenced / 100
        claim_w = bar_w * (total - evidenced) / 100
        if ev_w > 0:
            out.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{ev_w:.1f}" height="{row_h - 8}" fill="{EVIDENCE_FILL}"/>'
            )
        if claim_w > 0:
            out.append(
                f'<rect x="{label_w + ev_w:.1f}" y="{y + 4}" width="{claim_w:.1f}" height="{row_h - 8}" fill="url(#hatch)" stroke="#1f5f8b"/>'
            )
        out.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 17}" font-size="13" font-weight="bold" fill="#222">{total:.0f}</text>'
        )
    legend_y = top + row_h * len(elements) + 20
    out.append(f'<rect x="{label_w}" y="{legend_y - 10}" width="14" height="12" fill="{EVIDENCE_FILL}"/>')
    out.append(f'<text x="{label_w + 20}" y="{legend_y}" font-size="12">verified / observed</text>')
    out.append(
        f'<rect x="{label_w + 160}" y="{legend_y - 10}" width="14" height="12" fill="url(#hatch)" stroke="#1f5f8b"/>'
    )
    out.append(
        f'<text x="{label_w + 180}" y="{legend_y}" font-size="12">attested (counts {attested_share:.0%} of verified)</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
