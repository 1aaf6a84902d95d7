"""OpenVEX reader (v0.0.1 and v0.2.0 documents) -> :class:`~otvet.model.vex.VexStatement`.

Permissive, then strict: every statement that can be understood is kept; each rule it breaks
is a problem with its JSON pointer. Product and subcomponent ``@id`` values are purls or CPEs
(``identifiers.purl``/``cpe23``/``cpe22`` too); other IRIs are kept by name and cannot match a
component (the statement is then reported as applying to nothing).

# NOTE: OpenVEX spec v0.2.0, "Status Justifications" and "Statement": a not_affected
# statement MUST carry a justification or an impact_statement; an affected statement MUST
# carry an action_statement. Statement-level timestamps override the document's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from otvet.model import Problem, Severity
from otvet.model.vex import ProductSelector, VexJustification, VexStatement, VexStatus
from otvet.model.vulnerabilities import VexDocument

FORMAT = "openvex"


def recognise(doc: Any) -> bool:
    """Whether a parsed JSON document is OpenVEX."""
    if not isinstance(doc, dict):
        return False
    context = doc.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return any(isinstance(c, str) and "openvex.dev" in c for c in contexts)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    # Go writes nanoseconds; Python's fromisoformat accepts at most microseconds.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _selector(raw: Any) -> ProductSelector | None:
    if isinstance(raw, str):
        raw = {"@id": raw}
    if not isinstance(raw, dict):
        return None
    identifiers: dict[str, Any] = raw["identifiers"] if isinstance(raw.get("identifiers"), dict) else {}
    ident = raw.get("@id") if isinstance(raw.get("@id"), str) else None
    purl = identifiers.get("purl") if isinstance(identifiers.get("purl"), str) else None
    cpe = next((identifiers[k] for k in ("cpe23", "cpe22") if isinstance(identifiers.get(k), str)), None)
    if ident and ident.startswith("pkg:") and not purl:
        purl = ident
    elif ident and ident.lower().startswith("cpe:") and not cpe:
        cpe = ident
    if not (purl or cpe or ident):
        return None
    return ProductSelector(purl=purl, cpe=cpe, name=None if (purl or cpe) else ident)


def read(doc: Any, display: str) -> VexDocument:
    """Read an OpenVEX document (already parsed through ``otvet.safeio``)."""
    problems: list[Problem] = []
    statements: list[VexStatement] = []

    def problem(where: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(display, message, where, severity, "vex"))

    author = doc.get("author") if isinstance(doc.get("author"), str) else None
    doc_time = _time(doc.get("timestamp"))
    raw_statements = doc.get("statements")
    if not isinstance(raw_statements, list):
        problem("/statements", "an OpenVEX document needs a statements list")
        return VexDocument(display, FORMAT, (), tuple(problems))
    for index, raw in enumerate(raw_statements):
        where = f"/statements/{index}"
        if not isinstance(raw, dict):
            problem(where, "a statement must be an object")
            continue
        vuln = raw.get("vulnerability")
        aliases: list[str] = []
        if isinstance(vuln, dict):
            name = vuln.get("name") or vuln.get("@id")
            aliases = [a for a in vuln.get("aliases") or [] if isinstance(a, str)]
        else:
            name = vuln
        if not isinstance(name, str) or not name.strip():
            problem(f"{where}/vulnerability", "the vulnerability needs a name")
            continue
        try:
            status = VexStatus(str(raw.get("status", "")))
        except ValueError:
            problem(
                f"{where}/status",
                f"unknown status {raw.get('status')!r} (not_affected, affected, fixed, under_investigation)",
            )
            continue
        justification = None
        if raw.get("justification") is not None:
            try:
                justification = VexJustification(str(raw["justification"]))
            except ValueError:
                problem(f"{where}/justification", f"unknown justification {raw['justification']!r}")
        impact = raw.get("impact_statement") if isinstance(raw.get("impact_statement"), str) else None
        action = raw.get("action_statement") if isinstance(raw.get("action_statement"), str) else None
        if status is VexStatus.NOT_AFFECTED and justification is None and not impact:
            problem(
                where,
                "not_affected needs a justification or an impact_statement (OpenVEX); the statement is still applied",
                Severity.WARNING,
            )
        if status is VexStatus.AFFECTED and not action:
            problem(where, "affected needs an action_statement (OpenVEX)", Severity.WARNING)
        # OpenVEX v0.0.1 kept subcomponents at the statement level.
        shared: list[ProductSelector] = []
        for s_index, sub in enumerate(raw.get("subcomponents") or []):
            sub_selector = _selector(sub)
            if sub_selector is not None:
                shared.append(sub_selector)
            else:
                problem(f"{where}/subcomponents/{s_index}", "a subcomponent needs an @id")
        raw_products = raw.get("products") or []
        if not isinstance(raw_products, list) or not raw_products:
            problem(f"{where}/products", "the statement names no product; it cannot apply to anything")
            continue
        # One statement per product: its subcomponents belong to it, not to the others.
        for p_index, item in enumerate(raw_products):
            selector = _selector(item)
            if selector is None:
                problem(f"{where}/products/{p_index}", "a product needs an @id or identifiers")
                continue
            subcomponents = list(shared)
            if isinstance(item, dict):
                for s_index, sub in enumerate(item.get("subcomponents") or []):
                    sub_selector = _selector(sub)
                    if sub_selector is None:
                        problem(
                            f"{where}/products/{p_index}/subcomponents/{s_index}",
                            "a subcomponent needs an @id or identifiers",
                        )
                    else:
                        subcomponents.append(sub_selector)
            statements.append(
                VexStatement(
                    vulnerability=name.strip(),
                    status=status,
                    products=(selector,),
                    subcomponents=tuple(subcomponents),
                    aliases=tuple(aliases),
                    justification=justification,
                    impact=impact,
                    action=action,
                    source=display,
                    location=f"{where}/products/{p_index}",
                    format=FORMAT,
                    timestamp=_time(raw.get("timestamp")) or doc_time,
                    author=author,
                )
            )
    return VexDocument(display, FORMAT, tuple(statements), tuple(problems))
