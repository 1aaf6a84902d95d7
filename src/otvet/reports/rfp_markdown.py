"""The procurement requirements as Markdown (for wikis, tenders platforms and diffs)."""

from __future__ import annotations

import re
from typing import ClassVar

from otvet.model.rfp import RfpDocument

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Catalog text shown literally (no accidental emphasis, links or HTML)."""
    return _SPECIAL.sub(r"\\\1", text)


def _placeholders(text: str) -> str:
    """Contract text: keep ``[10]`` placeholders visible as bold brackets."""
    return re.sub(r"\\\[([^\]\\]*)\\\]", r"**[\1]**", _md(text))


class MarkdownRfpWriter:
    """Writes the requirements as Markdown."""

    format: ClassVar[str] = "md"
    extension: ClassVar[str] = ".md"

    def render(self, document: RfpDocument) -> bytes:
        return render_markdown(document).encode("utf-8")


def render_markdown(d: RfpDocument) -> str:
    """The Markdown text."""
    must = sum(1 for c in d.clauses if c.must_have)
    out = [
        f"# {_md(d.title)}",
        "",
        f"Profile **{_md(d.profile_title)}** (`{d.profile_id}`), catalog `{d.catalog_id}` {d.catalog_version}: "
        f"{len(d.clauses)} requirements, {must} of them must-haves. Derived from “{_md(d.source_title)}” "
        "(CISA and partners, January 2025) by otvet.",
        "",
        f"> {_md(d.profile_description)}",
        "",
        "## Instructions to bidders",
        "",
        *(f"{n}. {_md(text)}" for n, text in enumerate(d.instructions, start=1)),
        "",
        "## Technical requirements",
        "",
    ]
    for section in d.sections:
        out += [f"### {section.number}. {_md(section.name)}", "", f"*{_md(section.selection_criterion)}*", ""]
        for c in section.clauses:
            flag = "**MUST-HAVE** · " if c.must_have else ""
            out += [
                f"#### {c.number} {_md(c.title)}",
                "",
                f"{flag}`{c.criterion_id}` · weight {c.weight}",
                "",
                _md(c.text),
                "",
                "*Verification:* " + "; ".join(_md(v) for v in c.verification) + ".",
                "",
                "*Evidence the vendor delivers:*",
                "",
                *(f"- {_md(e)}" for e in c.evidence),
                "",
            ]
    out += ["## Contract clauses", ""]
    for clause in d.contract:
        out += [f"### {clause.number} {_md(clause.title)}", ""]
        for paragraph in clause.paragraphs:
            out += [_placeholders(paragraph), ""]
        if clause.criteria:
            out += ["*Makes contractual:* " + ", ".join(f"`{c}`" for c in clause.criteria), ""]
    out += [
        "## Compliance matrix",
        "",
        "| Clause | Criterion | Requirement | Must-have | Weight | Complies (yes / partly / no) | Evidence reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in d.clauses:
        out.append(
            f"| {c.number} | {c.criterion_id} | {_md(c.title)} | {'yes' if c.must_have else ''} | {c.weight} |  |  |"
        )
    out.append("")
    return "\n".join(out)
