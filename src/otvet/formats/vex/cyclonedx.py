"""CycloneDX VEX reader (JSON, spec 1.4-1.6): ``vulnerabilities[].analysis`` + ``affects``.

Works for standalone VEX BOMs and for SBOMs that embed their vulnerabilities. Each
``affects`` entry (and each of its ``versions`` entries) becomes one statement:

- ``ref`` as a BOM-Link (``urn:cdx:<serial>/<version>#<bom-ref>``) names a component of another
  BOM and applies only to an SBOM with that serial number;
- a plain ``ref`` names a component of this document; it is resolved to that component's purl,
  CPE, or bom-ref and name (a standalone VEX usually describes its product in
  ``metadata.component``);
- ``versions[].version`` / ``versions[].range`` (``vers:``) narrow it to versions, with the
  entry's ``status`` (affected / unaffected / unknown).

Analysis states map to OpenVEX statuses (CycloneDX 1.5 "Vulnerability Exploitability"):
``not_affected`` and ``false_positive`` -> not_affected, ``exploitable`` -> affected,
``in_triage`` -> under_investigation, ``resolved`` / ``resolved_with_pedigree`` -> fixed.
CycloneDX justifications map to the five OpenVEX/CSAF ones as CISA's VEX minimum
requirements (2023) and vexctl do; the original CycloneDX value is kept in the statement's
impact text so nothing is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from otvet.model import Problem, Severity
from otvet.model.vex import ProductSelector, VexJustification, VexStatement, VexStatus
from otvet.model.vulnerabilities import VexDocument

FORMAT = "cyclonedx"

STATE = {
    "not_affected": VexStatus.NOT_AFFECTED,
    "false_positive": VexStatus.NOT_AFFECTED,
    "exploitable": VexStatus.AFFECTED,
    "in_triage": VexStatus.UNDER_INVESTIGATION,
    "resolved": VexStatus.FIXED,
    "resolved_with_pedigree": VexStatus.FIXED,
}
JUSTIFICATION = {
    "code_not_present": VexJustification.VULNERABLE_CODE_NOT_PRESENT,
    "code_not_reachable": VexJustification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH,
    "requires_configuration": VexJustification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY,
    "requires_dependency": VexJustification.COMPONENT_NOT_PRESENT,
    "requires_environment": VexJustification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY,
    "protected_by_compiler": VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST,
    "protected_at_runtime": VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST,
    "protected_at_perimeter": VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST,
    "protected_by_mitigating_control": VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST,
}


def recognise(doc: Any) -> bool:
    """Whether a parsed JSON document is a CycloneDX BOM with vulnerability analyses."""
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        return False
    vulns = doc.get("vulnerabilities")
    return isinstance(vulns, list) and any(
        isinstance(v, dict) and ("affects" in v or "analysis" in v) for v in vulns
    )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _components(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    metadata: dict[str, Any] = doc["metadata"] if isinstance(doc.get("metadata"), dict) else {}
    stack: list[Any] = [metadata.get("component"), *(doc.get("components") or [])]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        ref = item.get("bom-ref")
        if isinstance(ref, str):
            found.setdefault(ref, item)
        stack.extend(item.get("components") or [])
    return found


def _base_selector(ref: str, known: dict[str, dict[str, Any]]) -> ProductSelector:
    if ref.startswith("urn:cdx:"):
        return ProductSelector(bom_ref=ref)
    component = known.get(ref)
    if component is None:
        # A plain ref that the document does not define: it can only name a component of the
        # same BOM (an SBOM that embeds its VEX).
        return ProductSelector(bom_ref=ref)
    purl = component.get("purl") if isinstance(component.get("purl"), str) else None
    cpe = component.get("cpe") if isinstance(component.get("cpe"), str) else None
    name = component.get("name") if isinstance(component.get("name"), str) else None
    version = component.get("version") if isinstance(component.get("version"), str) else None
    if purl or cpe:
        return ProductSelector(purl=purl, cpe=cpe, name=name)
    # A plain ref means something only inside this document: outside it, the component is
    # identified by name and version (kept with the ref for SBOMs that embed their VEX).
    return ProductSelector(bom_ref=ref, name=name, version=version)


def _with_versions(
    base: ProductSelector, versions: Any, where: str, problem: Any
) -> list[tuple[ProductSelector, str | None]]:
    if not isinstance(versions, list) or not versions:
        return [(base, None)]
    out: list[tuple[ProductSelector, str | None]] = []
    for index, entry in enumerate(versions):
        if not isinstance(entry, dict):
            problem(f"{where}/versions/{index}", "a versions entry must be an object")
            continue
        status = entry.get("status") if isinstance(entry.get("status"), str) else None
        if isinstance(entry.get("range"), str):
            out.append(
                (
                    ProductSelector(**{**base.__dict__, "version": None, "version_range": entry["range"]}),
                    status,
                )
            )
        elif isinstance(entry.get("version"), str):
            out.append(
                (
                    ProductSelector(**{**base.__dict__, "version": entry["version"], "version_range": None}),
                    status,
                )
            )
        else:
            problem(f"{where}/versions/{index}", "a versions entry needs a version or a range")
    return out


def _status(state: VexStatus, version_status: str | None) -> VexStatus:
    # NOTE: CycloneDX 1.5 affects[].versions[].status says whether that version is affected;
    # it narrows the analysis. "unaffected" cannot be "exploitable", "unknown" is triage.
    if version_status == "unaffected" and state in (VexStatus.AFFECTED, VexStatus.UNDER_INVESTIGATION):
        return VexStatus.NOT_AFFECTED
    if version_status == "affected" and state is VexStatus.NOT_AFFECTED:
        return VexStatus.AFFECTED
    if version_status == "unknown":
        return VexStatus.UNDER_INVESTIGATION
    return state


def read(doc: Any, display: str) -> VexDocument:
    """Read the vulnerability analyses of a CycloneDX JSON document."""
    problems: list[Problem] = []
    statements: list[VexStatement] = []

    def problem(where: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(display, message, where, severity, "vex"))

    known = _components(doc)
    metadata: dict[str, Any] = doc["metadata"] if isinstance(doc.get("metadata"), dict) else {}
    doc_time = _time(metadata.get("timestamp"))
    authors: list[Any] = metadata["authors"] if isinstance(metadata.get("authors"), list) else []
    author = next(
        (a.get("name") for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)), None
    )
    for index, vuln in enumerate(doc.get("vulnerabilities") or []):
        where = f"/vulnerabilities/{index}"
        if not isinstance(vuln, dict):
            problem(where, "a vulnerability must be an object")
            continue
        vuln_id = vuln.get("id")
        if not isinstance(vuln_id, str) or not vuln_id.strip():
            problem(f"{where}/id", "the vulnerability needs an id")
            continue
        analysis = vuln.get("analysis")
        if not isinstance(analysis, dict) or not isinstance(analysis.get("state"), str):
            problem(
                f"{where}/analysis", f"{vuln_id}: no analysis state; not a VEX statement", Severity.WARNING
            )
            continue
        state = STATE.get(analysis["state"])
        if state is None:
            problem(f"{where}/analysis/state", f"unknown analysis state {analysis['state']!r}")
            continue
        raw_justification = analysis.get("justification")
        justification = JUSTIFICATION.get(raw_justification) if isinstance(raw_justification, str) else None
        if isinstance(raw_justification, str) and justification is None:
            problem(f"{where}/analysis/justification", f"unknown justification {raw_justification!r}")
        detail_parts = [analysis["detail"]] if isinstance(analysis.get("detail"), str) else []
        if isinstance(raw_justification, str):
            detail_parts.append(f"CycloneDX justification: {raw_justification}")
        if analysis["state"] == "false_positive":
            detail_parts.append("CycloneDX analysis state: false_positive")
        responses = [r for r in analysis.get("response") or [] if isinstance(r, str)]
        action = f"response: {', '.join(responses)}" if responses else None
        aliases = tuple(
            str(r["id"])
            for r in vuln.get("references") or []
            if isinstance(r, dict) and isinstance(r.get("id"), str)
        )
        affects = vuln.get("affects")
        if not isinstance(affects, list) or not affects:
            problem(
                f"{where}/affects", f"{vuln_id}: names no affected component; it cannot apply to anything"
            )
            continue
        stamp = _time(vuln.get("updated")) or _time(vuln.get("published")) or doc_time
        for a_index, affect in enumerate(affects):
            a_where = f"{where}/affects/{a_index}"
            if not isinstance(affect, dict) or not isinstance(affect.get("ref"), str):
                problem(a_where, "an affects entry needs a ref")
                continue
            base = _base_selector(affect["ref"], known)
            for selector, version_status in _with_versions(base, affect.get("versions"), a_where, problem):
                status = _status(state, version_status)
                statements.append(
                    VexStatement(
                        vulnerability=vuln_id.strip(),
                        status=status,
                        products=(selector,),
                        aliases=aliases,
                        justification=justification if status is VexStatus.NOT_AFFECTED else None,
                        impact="; ".join(detail_parts) or None,
                        action=action,
                        source=display,
                        location=a_where,
                        format=FORMAT,
                        timestamp=stamp,
                        author=author,
                    )
                )
    return VexDocument(display, FORMAT, tuple(statements), tuple(problems))
