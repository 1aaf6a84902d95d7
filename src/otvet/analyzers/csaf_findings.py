"""Advisory findings of the CSAF analyzer: which advisories say the assessed version is affected,
whether a fix or mitigation exists, and what that means for SBD-11.04 and SBD-11.10.

Findings come from two places and are judged by one set of rules (ADR 0047):

- the bundle's own CSAF documents (the vendor's advisories and VEX), and
- advisories imported into the knowledge base (``otvet db import csaf``: the CISA ICS
  advisories, a vendor's CSAF distribution), looked up by the product identity of the
  bundle manifest through ``AnalysisContext.knowledge``.

Only findings whose product match is ``exact`` or ``parsed_range`` decide a verdict; an
affected finding matched ``heuristic`` or left ``undecided`` (a range that needs review) keeps
SBD-11.04 from being met and is listed for a person to confirm (ADR 0041).

- **SBD-11.04** (no known exploitable vulnerabilities at delivery, "or with a documented and
  accepted mitigation for each"): ``not_met`` when the assessed version is known_affected by a
  KEV-listed vulnerability, or by a critical/high one for which the advisory offers neither a
  fix nor a mitigation; ``partially_met`` when it is affected by a critical/high vulnerability
  that has a fix or mitigation (the delivered version still carries it; consistent with ADR
  0032), by a lower-severity one without fix or mitigation, or when affected findings need
  review. Affected lower-severity vulnerabilities with a fix or mitigation are listed only.
- **SBD-11.10** (risk-based remediation without delay, including security updates), for
  affected findings without a vendor fix: ``not_met`` for a critical/high (or KEV-listed)
  vulnerability whose advisory says ``no_fix_planned``, or that has been public longer than
  ``remediation_grace_days`` (default 90) with neither fix nor mitigation; ``partially_met``
  otherwise (only mitigations, a lower severity, or still within the grace period).

Neither criterion is ever ``met`` from advisories alone: the absence of an advisory does not
show the absence of vulnerabilities, nor documented remediation target times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from otvet.analyzers.interface import result
from otvet.model import (
    Basis,
    CriterionResult,
    EvidenceArtifact,
    EvidenceRef,
    Problem,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.model.advisories import AdvisoryFinding, AdvisoryReport
from otvet.model.csaf import AdvisoryRecord, MatchVerdict, ProductMatch
from otvet.model.vulnerabilities import SeverityRating

DELIVERY_CRITERION = "SBD-11.04"
REMEDIATION_CRITERION = "SBD-11.10"
DEFAULT_GRACE_DAYS = 90.0
_LISTED = 6


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def bundle_findings(
    artifact: EvidenceArtifact,
    record: AdvisoryRecord,
    matches: Iterable[ProductMatch],
    *,
    valid: bool,
    kev: frozenset[str] = frozenset(),
) -> list[AdvisoryFinding]:
    """Findings from one CSAF document of the bundle (products that match or need review)."""
    by_id = {m.product.product_id: m for m in matches if m.verdict is not MatchVerdict.NO_MATCH}
    found: list[AdvisoryFinding] = []
    initial = _when(record.initial_release_date)
    for vuln in record.vulnerabilities:
        counters: dict[str, int] = defaultdict(int)
        for entry in vuln.statuses:
            position = counters[entry.status]
            counters[entry.status] += 1
            match = by_id.get(entry.product.product_id)
            if match is None:
                continue
            pid = entry.product.product_id
            mine = [s for s in vuln.scores if pid in s.product_ids and s.base_score is not None]
            scored = mine or [s for s in vuln.scores if s.base_score is not None]
            best = max(scored, key=lambda s: s.base_score or 0.0, default=None)
            found.append(
                AdvisoryFinding(
                    advisory_id=record.advisory_id,
                    title=record.title,
                    publisher=record.publisher,
                    publisher_namespace=record.publisher_namespace,
                    category=record.category,
                    initial_release_date=initial,
                    current_release_date=_when(record.current_release_date),
                    valid=valid,
                    cve=vuln.cve,
                    vulnerability_ids=tuple(f"{system}: {text}" for system, text in vuln.ids),
                    vulnerability_title=vuln.title,
                    cwe=f"{vuln.cwe[0]} {vuln.cwe[1]}".strip() if vuln.cwe else None,
                    release_date=_when(vuln.release_date) or initial,
                    status=entry.status,
                    vex_status=entry.vex_status,
                    product=match.product,
                    verdict=match.verdict,
                    confidence=match.confidence,
                    reason=match.reason,
                    cvss_score=best.base_score if best else None,
                    cvss_vector=best.vector if best else None,
                    base_severity=(best.base_severity or "").lower() or None if best else None,
                    kev=bool(vuln.cve and vuln.cve in kev),
                    remediations=tuple(r for r in vuln.remediations if pid in r.product_ids),
                    justification=next((label for label, ids in vuln.flags if pid in ids), None),
                    origin="bundle",
                    document=artifact.path,
                    document_sha256=artifact.sha256,
                    location=f"{vuln.location}/product_status/{entry.status}/{position}",
                )
            )
    return found


def _key(finding: AdvisoryFinding) -> tuple[str, str]:
    return (
        (finding.publisher_namespace or finding.publisher).strip().rstrip("/").lower(),
        finding.advisory_id,
    )


def merge(bundle: Sequence[AdvisoryFinding], stored: Sequence[AdvisoryFinding]) -> list[AdvisoryFinding]:
    """Bundle and knowledge-base findings; an advisory present in both counts once, in its newer
    revision (the bundle's copy when they are equally new)."""
    newest_bundle: dict[tuple[str, str], datetime | None] = {}
    for f in bundle:
        newest_bundle.setdefault(_key(f), f.current_release_date)
    newest_stored: dict[tuple[str, str], datetime | None] = {}
    for f in stored:
        newest_stored.setdefault(_key(f), f.current_release_date)

    def stored_wins(key: tuple[str, str]) -> bool:
        mine, theirs = newest_stored.get(key), newest_bundle.get(key)
        return mine is not None and theirs is not None and mine > theirs

    kept = [f for f in bundle if not (_key(f) in newest_stored and stored_wins(_key(f)))]
    kept += [f for f in stored if _key(f) not in newest_bundle or stored_wins(_key(f))]
    return kept


def _vulnerability(finding: AdvisoryFinding) -> str:
    return finding.cve or f"{finding.advisory_id} {finding.vulnerability_title or finding.location}"


def _rating(findings: Sequence[AdvisoryFinding]) -> SeverityRating:
    return SeverityRating.from_score(max((f.cvss_score or 0.0 for f in findings), default=None))


def _serious(findings: Sequence[AdvisoryFinding]) -> bool:
    return any(f.kev for f in findings) or _rating(findings).rank >= SeverityRating.HIGH.rank


def _describe(vuln: str, findings: Sequence[AdvisoryFinding]) -> str:
    advisories = ", ".join(sorted({f.advisory_id for f in findings}))
    score = max((f.cvss_score for f in findings if f.cvss_score is not None), default=None)
    parts = [advisories]
    if score is not None:
        parts.append(f"CVSS {score:.1f}")
    if any(f.kev for f in findings):
        parts.append("KEV")
    if any(f.fixes for f in findings):
        parts.append("fix available")
    else:
        no_fix = "no fix planned" if any(f.no_fix_planned for f in findings) else "no vendor fix"
        mitigated = any(f.mitigations for f in findings)
        parts.append(f"{no_fix}, {'mitigation available' if mitigated else 'no mitigation'}")
    return f"{vuln} ({'; '.join(parts)})"


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def evidence_of(findings: Iterable[AdvisoryFinding]) -> tuple[EvidenceRef, ...]:
    """References to the documents behind findings (bundle files, or stored documents with their
    data set and import time)."""
    refs: dict[tuple[str, str], EvidenceRef] = {}
    for f in findings:
        if f.origin == "bundle":
            key = (f.document, "")
            refs.setdefault(key, EvidenceRef(path=f.document, sha256=f.document_sha256))
        else:
            imported = f" imported {f.imported_at:%Y-%m-%d}" if f.imported_at else ""
            key = (f.document, f.data_set or "")
            refs.setdefault(
                key,
                EvidenceRef(
                    path=f"knowledge base: {f.document}",
                    sha256=f.document_sha256,
                    note=f"{f.advisory_id}, data set {f.data_set}{imported}",
                ),
            )
    return tuple(refs.values())


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def affected_verdicts(
    findings: Sequence[AdvisoryFinding], *, now: datetime, grace_days: float, product: str, analyzer: str
) -> list[CriterionResult]:
    """SBD-11.04 and SBD-11.10 from the findings (see the module docstring)."""
    decided: dict[str, list[AdvisoryFinding]] = defaultdict(list)
    review: dict[str, list[AdvisoryFinding]] = defaultdict(list)
    for f in findings:
        if f.affected:
            (decided if f.decided else review)[_vulnerability(f)].append(f)
    for vuln in list(review):
        if vuln in decided:
            del review[vuln]  # already decided by a stronger match of the same vulnerability
    out: list[CriterionResult] = []
    out.extend(_delivery(decided, review, product, analyzer))
    out.extend(_remediation(decided, now, grace_days, product, analyzer))
    return out


def _delivery(
    decided: dict[str, list[AdvisoryFinding]],
    review: dict[str, list[AdvisoryFinding]],
    product: str,
    analyzer: str,
) -> list[CriterionResult]:
    """SBD-11.04: the delivered version carries vulnerabilities that advisories name."""
    blocking, partial = [], []
    for vuln, group in sorted(decided.items()):
        remedied = any(f.fixes or f.mitigations for f in group)
        if any(f.kev for f in group) or (_serious(group) and not remedied):
            blocking.append(_describe(vuln, group))
        elif _serious(group) or not remedied:
            partial.append(_describe(vuln, group))
    pending = [_describe(vuln, group) for vuln, group in sorted(review.items())]
    refs = evidence_of(f for groups in (decided, review) for group in groups.values() for f in group)
    if blocking:
        more = f" Also affected: {_listed(partial)}." if partial else ""
        return [
            result(
                DELIVERY_CRITERION,
                Status.NOT_MET,
                Basis.VERIFIED,
                f"Published advisories list {product} as known_affected by "
                f"{_count(len(blocking), 'vulnerability', 'vulnerabilities')} that "
                f"{'is' if len(blocking) == 1 else 'are'} KEV-listed, or critical/high with neither fix nor "
                f"mitigation: {_listed(blocking)}.{more}",
                analyzer,
                refs,
            )
        ]
    if not (partial or pending):
        return []
    reasons = []
    if partial:
        reasons.append(
            f"published advisories list {product} as known_affected by "
            f"{_count(len(partial), 'vulnerability', 'vulnerabilities')} that the delivered version carries "
            f"(critical/high with a fix or mitigation available, or lower severity with neither): {_listed(partial)}"
        )
    if pending:
        reasons.append(
            f"{_count(len(pending), 'vulnerability', 'vulnerabilities')} of advisories whose product match "
            f"needs review (heuristic name match or unreadable version range) may affect it: {_listed(pending)}"
        )
    text = "; ".join(reasons)
    return [
        result(
            DELIVERY_CRITERION,
            Status.PARTIALLY_MET,
            Basis.VERIFIED,
            text[0].upper() + text[1:] + ".",
            analyzer,
            refs,
        )
    ]


def _remediation(
    decided: dict[str, list[AdvisoryFinding]], now: datetime, grace_days: float, product: str, analyzer: str
) -> list[CriterionResult]:
    """SBD-11.10: affected vulnerabilities without a security update."""
    late, waiting = [], []
    for vuln, group in sorted(decided.items()):
        if any(f.fixes for f in group):
            continue
        public = min((f.release_date for f in group if f.release_date), default=None)
        age = (now - public).total_seconds() / 86400 if public else None
        refused = any(f.no_fix_planned for f in group)
        mitigated = any(f.mitigations for f in group)
        overdue = age is not None and age > grace_days
        text = _describe(vuln, group) + (f", public for {age:.0f} days" if age is not None else "")
        # NOTE: a mitigation-only remediation is not read as "no update": publishers file new
        # firmware under "mitigation" too (CISA does, e.g. ICSA-20-056-01), so only an explicit
        # no_fix_planned, or silence past the grace period, counts against the vendor.
        if _serious(group) and (refused or (overdue and not mitigated)):
            late.append(text)
        else:
            waiting.append(text)
    if not (late or waiting):
        return []
    refs = evidence_of(f for group in decided.values() for f in group if not any(g.fixes for g in group))
    if late:
        more = f" Also without a vendor fix: {_listed(waiting)}." if waiting else ""
        return [
            result(
                REMEDIATION_CRITERION,
                Status.NOT_MET,
                Basis.VERIFIED,
                f"No security update for {_count(len(late), 'critical/high vulnerability', 'critical/high vulnerabilities')} "
                f"of {product} that published advisories list as known_affected: the vendor plans no fix, or "
                f"offered neither fix nor mitigation within {grace_days:g} days: {_listed(late)}.{more}",
                analyzer,
                refs,
            )
        ]
    return [
        result(
            REMEDIATION_CRITERION,
            Status.PARTIALLY_MET,
            Basis.VERIFIED,
            f"No vendor fix (security update) named for {_count(len(waiting), 'vulnerability', 'vulnerabilities')} of "
            f"{product} that published advisories list as known_affected (only mitigations, lower severity, or public for "
            f"less than {grace_days:g} days): {_listed(waiting)}.",
            analyzer,
            refs,
        )
    ]


def grace_days(options: Any) -> tuple[float, list[Problem]]:
    """The ``remediation_grace_days`` option (default 90)."""
    raw = options.get("remediation_grace_days", "")
    if not raw:
        return DEFAULT_GRACE_DAYS, []
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        return DEFAULT_GRACE_DAYS, [
            Problem(
                "--option remediation_grace_days",
                f"not a number of days: {raw!r}; using {DEFAULT_GRACE_DAYS:g}",
                severity=Severity.WARNING,
                source="csaf",
            )
        ]
    return value, []


def _remedy(finding: AdvisoryFinding) -> tuple[str, str]:
    fixes = "; ".join(r.details for r in finding.fixes) or (
        "no fix planned"
        if finding.no_fix_planned
        else "none available"
        if any(r.category == "none_available" for r in finding.remediations)
        else "none stated"
    )
    mitigations = "; ".join(r.details for r in finding.mitigations) or "none stated"
    return fixes, mitigations


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def knowledge_section(report: AdvisoryReport, findings: Sequence[AdvisoryFinding], analyzer: str) -> Section:
    """The report section of stored advisories that concern the product version."""
    rows: list[tuple[str, ...]] = []
    data: list[dict[str, Any]] = []
    for f in findings:
        fixes, mitigations = _remedy(f)
        verdict = "applies" if f.verdict is MatchVerdict.MATCH else "needs review"
        rating = (
            SeverityRating.from_score(f.cvss_score).value
            if f.cvss_score is not None
            else (f.base_severity or "unknown")
        )
        rows.append(
            (
                f.advisory_id,
                f.cve or ", ".join(f.vulnerability_ids) or "-",
                f.status,
                rating,
                f"{f.cvss_score:.1f}" if f.cvss_score is not None else "",
                "yes" if f.kev else "",
                _short(fixes),
                _short(mitigations),
                f"{f.confidence.value} ({verdict})",
                f.product.name,
                "yes" if f.valid else "no (stored flagged invalid)",
                f.document,
                (f.document_sha256 or "")[:16],
                f.data_set or "",
                f"{f.imported_at:%Y-%m-%d}" if f.imported_at else "",
            )
        )
        data.append(
            {
                "advisory": f.advisory_id,
                "title": f.title,
                "publisher": f.publisher,
                "cve": f.cve,
                "ids": list(f.vulnerability_ids),
                "cwe": f.cwe,
                "status": f.status,
                "vex_status": f.vex_status.value,
                "product_id": f.product.product_id,
                "product": f.product.name,
                "verdict": f.verdict.value,
                "confidence": f.confidence.value,
                "reason": f.reason,
                "cvss_score": f.cvss_score,
                "cvss_vector": f.cvss_vector,
                "severity": rating,
                "kev": f.kev,
                "fix": fixes,
                "mitigation": mitigations,
                "fix_available": bool(f.fixes),
                "mitigation_available": bool(f.mitigations),
                "no_fix_planned": f.no_fix_planned,
                "justification": f.justification,
                "release_date": f.release_date.isoformat() if f.release_date else None,
                "valid_csaf": f.valid,
                "source_file": f.document,
                "sha256": f.document_sha256,
                "location": f.location,
                "data_set": f.data_set,
                "imported_at": f.imported_at.isoformat() if f.imported_at else None,
            }
        )
    affected = [f for f in findings if f.affected]
    decided = [f for f in affected if f.decided]
    with_fix = sum(1 for f in decided if f.fixes)
    only_mitigation = sum(1 for f in decided if not f.fixes and f.mitigations)
    review = len(affected) - len(decided)
    summary = (
        f"{report.advisories_examined} stored advisor{'y' if report.advisories_examined == 1 else 'ies'} of the vendor examined; "
        f"{len(findings)} statement(s) concern {report.product}: {len(decided)} affected "
        f"({with_fix} with a fix, {only_mitigation} with only a mitigation, {len(decided) - with_fix - only_mitigation} with neither)"
        + (f", {review} affected statement(s) need review" if review else "")
        + "."
    )
    data_rows = tuple(
        (
            d.name,
            str(d.records if d.records is not None else "?"),
            f"{d.data_date:%Y-%m-%d}" if d.data_date else "unknown",
            f"{d.imported_at:%Y-%m-%d}" if d.imported_at else "?",
            f"{d.age_days:.0f}" if d.age_days is not None else "?",
            (d.sha256 or "")[:16],
        )
        for d in report.data_sets
    )
    return Section(
        id="csaf-knowledge-base",
        title="Published advisories affecting this version (knowledge base)",
        analyzer=analyzer,
        summary=summary,
        tables=(
            Table(
                caption=f"Stored advisories that speak about {report.product}",
                columns=(
                    "Advisory",
                    "CVE",
                    "Status",
                    "Severity",
                    "CVSS",
                    "KEV",
                    "Fix",
                    "Mitigation",
                    "Match confidence",
                    "Advisory product",
                    "Valid CSAF",
                    "Source file",
                    "SHA-256",
                    "Data set",
                    "Imported",
                ),
                rows=tuple(rows),
                note="Matched by vendor, product name or model number, and version or version range (CSAF resolver); "
                "needs review: the product is named but the version range could not be evaluated, or the names only contain "
                "one another. Fix = vendor_fix remediation; Mitigation = mitigation or workaround (CSAF 2.0 section 3.2.3.12).",
            ),
            Table(
                caption="CSAF data sets the lookup rests on",
                columns=("Data set", "Documents", "Newest document", "Imported", "Age (days)", "SHA-256"),
                rows=data_rows,
            ),
        ),
        data={"statements": data},
    )
