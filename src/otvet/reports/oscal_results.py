"""An assessment as OSCAL assessment-results (``otvet report --format oscal``).

- **No SSP, no assessment plan.** A buyer evaluating products before purchase has no system
  security plan, and otvet makes no OSCAL assessment plan. The model requires ``import-ap``;
  its ``href`` may be "a local reference using a fragment e.g. #fragment that points to a
  back-matter resource in the same document" (OSCAL reference, ``href``), so it points to a
  back-matter resource that says so and links the otvet profile and catalog the assessment
  used instead (``import-ap/remarks`` repeats it for readers).
- **Observations**: one per evidence check, i.e. per analyzer result behind a criterion's
  outcome. Methods follow the basis: verified -> EXAMINE (or TEST when the criterion is
  tested), observed -> TEST, attested -> INTERVIEW (a questionnaire answer), none -> UNKNOWN.
  The origin actor is the analyzer (a ``tool`` in the result's assessment assets);
  relevant evidence points to a back-matter resource per bundle file, with its SHA-256.
- **Findings**: one per criterion, targeting the control's assessment objective with
  ``satisfied`` only when the criterion is met; partially met, not met and not evidenced are
  ``not-satisfied`` (fail closed); not applicable is ``satisfied`` with implementation status
  ``not-applicable``. otvet's own status and basis are props.
- **Scores** (overall, confidence, evidence share, per element) are namespaced props of the
  result.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import quote

from otvet.model import (
    Assessment,
    Basis,
    Catalog,
    CriterionOutcome,
    CriterionResult,
    EvidenceRef,
    Method,
    Status,
)
from otvet.reports.oscal_common import (
    catalog_filename,
    catalog_uuid,
    control_id,
    line,
    markup,
    metadata,
    objective_id,
    profile_filename,
    prop,
    stable_uuid,
    timestamp,
)

_STATE: dict[Status, tuple[str, str]] = {
    Status.MET: ("satisfied", "pass"),
    Status.PARTIALLY_MET: ("not-satisfied", "fail"),
    Status.NOT_MET: ("not-satisfied", "fail"),
    Status.NOT_EVIDENCED: ("not-satisfied", "other"),
    Status.NOT_APPLICABLE: ("satisfied", "other"),
}
_IMPLEMENTATION: dict[Status, str] = {
    Status.MET: "implemented",
    Status.PARTIALLY_MET: "partial",
    Status.NOT_APPLICABLE: "not-applicable",
}


class OscalReporter:
    """Writes OSCAL assessment-results JSON."""

    format: ClassVar[str] = "oscal"
    extension: ClassVar[str] = ".oscal.json"

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        document = assessment_results(assessment, catalog)
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _methods(result: CriterionResult, tested: bool) -> list[str]:
    if result.basis is Basis.VERIFIED:
        return ["TEST" if tested else "EXAMINE"]
    if result.basis is Basis.OBSERVED:
        return ["TEST"]
    if result.basis is Basis.ATTESTED:
        return ["INTERVIEW"]
    return ["UNKNOWN"]


def _results_of(outcome: CriterionOutcome) -> list[CriterionResult]:
    """Every evidence check behind an outcome (the claim included, no duplicates)."""
    seen: list[CriterionResult] = list(outcome.supporting)
    if outcome.claim is not None and outcome.claim not in seen:
        seen.append(outcome.claim)
    if not seen:
        # NOTE: nobody spoke about the criterion; the "silence" verdict is still an observation.
        seen.append(
            CriterionResult(
                criterion_id=outcome.criterion_id,
                status=outcome.status,
                basis=outcome.basis,
                rationale=outcome.rationale,
                analyzer=outcome.analyzer or "otvet",
                evidence=outcome.evidence,
            )
        )
    return seen


def assessment_results(assessment: Assessment, catalog: Catalog) -> dict[str, Any]:
    """The OSCAL document (``{"assessment-results": ...}``)."""
    a = assessment
    base = (a.product.label, a.profile_id, timestamp(a.provenance.generated_at))
    moment = timestamp(a.provenance.generated_at)
    product_uuid = stable_uuid("product", a.product.vendor, a.product.product, a.product.version)
    platform_uuid = stable_uuid("platform", "otvet", a.provenance.otvet_version)
    no_plan_uuid = stable_uuid("no-assessment-plan", *base)
    profile_ref_uuid = stable_uuid("profile-ref", *base)

    artifacts = {art.path: art for art in a.artifacts}
    evidence_resources: dict[str, dict[str, Any]] = {}

    def evidence_href(ref: EvidenceRef) -> str:
        if ref.path not in evidence_resources:
            art = artifacts.get(ref.path)
            digest = ref.sha256 or (art.sha256 if art else None)
            rlink: dict[str, Any] = {"href": _relative_href(ref.path)}
            if digest:
                rlink["hashes"] = [{"algorithm": "SHA-256", "value": digest}]
            resource: dict[str, Any] = {
                "uuid": stable_uuid("evidence", *base, ref.path),
                "title": markup(ref.path),
                "rlinks": [rlink],
            }
            if art is not None:
                resource["props"] = [prop("artifact-kind", art.kind.value), prop("size", art.size)]
                if art.format:
                    resource["props"].append(prop("format", art.format))
            evidence_resources[ref.path] = resource
        return f"#{evidence_resources[ref.path]['uuid']}"

    analyzers = sorted(
        {r.analyzer for o in a.outcomes for r in _results_of(o)} | {run.id for run in a.provenance.analyzers}
    )
    versions = {run.id: run.version for run in a.provenance.analyzers}
    tool_uuid = {name: stable_uuid("tool", name, versions.get(name, "")) for name in analyzers}
    tools = [
        {
            "uuid": tool_uuid[name],
            "type": "software",
            "title": markup(f"otvet analyzer {name}"),
            "description": f"The otvet analyzer '{line(name)}' (version {line(versions.get(name, 'n/a'))}).",
            "props": [prop("analyzer-id", name), prop("version", versions.get(name, "n/a"))],
            "status": {"state": "operational"},
        }
        for name in analyzers
    ]

    criteria = {c.id: c for c in catalog.criteria}
    observations: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for o in a.outcomes:
        criterion = criteria.get(o.criterion_id)
        tested = criterion is not None and Method.TEST in criterion.methods
        title = criterion.title if criterion else o.criterion_id
        related = []
        for index, check in enumerate(_results_of(o)):
            obs_uuid = stable_uuid("observation", *base, o.criterion_id, str(index), check.analyzer)
            related.append({"observation-uuid": obs_uuid})
            observation: dict[str, Any] = {
                "uuid": obs_uuid,
                "title": markup(f"{o.criterion_id}: {check.analyzer} ({check.basis.value})"),
                "description": markup(check.rationale),
                "props": [prop("status", check.status.value), prop("basis", check.basis.value)],
                "methods": _methods(check, tested),
                "types": ["control-objective"],
                "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid[check.analyzer]}]}],
                "subjects": [{"subject-uuid": product_uuid, "type": "component"}],
                "collected": moment,
            }
            evidence = [
                {
                    "href": evidence_href(ref),
                    "description": markup(
                        " · ".join(x for x in (ref.path, ref.location, ref.note) if x), fallback=ref.path
                    ),
                    "props": [
                        *([prop("sha256", ref.sha256)] if ref.sha256 else []),
                        *([prop("location", ref.location)] if ref.location else []),
                    ]
                    or [prop("path", ref.path)],
                }
                for ref in check.evidence
            ]
            if evidence:
                observation["relevant-evidence"] = evidence
            observations.append(observation)
        state, reason = _STATE[o.status]
        target: dict[str, Any] = {
            "type": "objective-id",
            "target-id": objective_id(o.criterion_id),
            "status": {"state": state, "reason": reason},
            "props": [prop("status", o.status.value), prop("basis", o.basis.value)],
        }
        if o.status in _IMPLEMENTATION:
            target["implementation-status"] = {"state": _IMPLEMENTATION[o.status]}
        description = o.rationale + (f"\n\nContradiction: {o.contradiction}" if o.contradiction else "")
        finding: dict[str, Any] = {
            "uuid": stable_uuid("finding", *base, o.criterion_id),
            "title": markup(f"{o.criterion_id} {title}"),
            "description": _multiline(description),
            "props": [
                prop("weight", o.weight),
                prop("must-have", "true" if o.must_have else "false"),
                *(
                    [prop("blocker", "true")]
                    if any(b.criterion_id == o.criterion_id for b in a.blockers)
                    else []
                ),
                *([prop("contradiction", "true")] if o.contradiction else []),
            ],
            "target": target,
            "related-observations": related,
        }
        findings.append(finding)

    s = a.scores
    score_props = [
        prop("overall-score", f"{s.overall:g}"),
        prop("confidence", f"{s.confidence:g}"),
        prop("verified-share", f"{s.verified_share:g}"),
        prop("attested-share", f"{s.attested_share:g}"),
        prop("blockers", len(a.blockers)),
        prop("open-must-haves", len(a.pending_must_haves)),
        *(prop("element-score", f"{e.score:g}", cls=e.element) for e in s.elements if e.score is not None),
    ]
    product_props = [prop("vendor", a.product.vendor), prop("product", a.product.product)]
    if a.product.version:
        product_props.append(prop("version", a.product.version))
    product_props += [prop("model-number", m) for m in a.product.model_numbers]
    if a.product.end_of_support:
        product_props.append(prop("end-of-support", a.product.end_of_support.isoformat()))
    result: dict[str, Any] = {
        "uuid": stable_uuid("result", *base),
        "title": markup(f"Secure by Demand assessment of {a.product.label}"),
        "description": _multiline(
            f"Assessment of {a.product.label} against the otvet profile {a.profile_title} ({a.profile_id}), "
            f"catalog {a.provenance.catalog_id} {a.provenance.catalog_version}, from the evidence bundle "
            f"{a.provenance.bundle_source}."
        ),
        "start": moment,
        "end": moment,
        "props": score_props,
        "local-definitions": {
            "components": [
                {
                    "uuid": product_uuid,
                    "type": "hardware"
                    if (a.product.product_type or "").lower() != "software"
                    else "software",
                    "title": markup(a.product.label or "unnamed product"),
                    "description": markup(
                        f"The product under evaluation ({a.product.product_type or 'OT product'})."
                    ),
                    "props": product_props,
                    "status": {"state": "other", "remarks": "Evaluated for purchase; not in operation."},
                }
            ],
            "assessment-assets": {
                "components": tools,
                "assessment-platforms": [
                    {
                        "uuid": platform_uuid,
                        "title": markup(f"otvet {a.provenance.otvet_version}"),
                        "uses-components": [{"component-uuid": tool_uuid[name]} for name in analyzers],
                    }
                ],
            },
        },
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": control_id(o.criterion_id)} for o in a.outcomes]}
            ]
        },
        "observations": observations,
        "findings": findings,
    }
    resources: list[dict[str, Any]] = [
        {
            "uuid": no_plan_uuid,
            "title": "No assessment plan: product evaluation for procurement",
            "description": (
                "This assessment evaluates a product a buyer considers purchasing. There is no system "
                "security plan and no OSCAL assessment plan: the scope is the product named in the "
                "result, and the controls are the criteria of the otvet profile linked below."
            ),
            "rlinks": [{"href": profile_filename(a.profile_id)}],
        },
        {
            "uuid": profile_ref_uuid,
            "title": markup(f"otvet profile {a.profile_title} ({a.profile_id}) and catalog"),
            "props": [prop("catalog-uuid", catalog_uuid(catalog))],
            "rlinks": [
                {"href": profile_filename(a.profile_id)},
                {"href": catalog_filename(catalog)},
            ],
        },
        *evidence_resources.values(),
    ]
    return {
        "assessment-results": {
            "uuid": stable_uuid("assessment-results", *base),
            "metadata": metadata(
                f"Secure by Demand assessment: {a.product.label}",
                a.provenance.generated_at,
                moment,
                props=[prop("otvet-version", a.provenance.otvet_version), prop("profile-id", a.profile_id)],
                roles=[{"id": "assessor", "title": "Assessor (the buyer, using otvet)"}],
            ),
            "import-ap": {
                "href": f"#{no_plan_uuid}",
                "remarks": "A buyer evaluating products has no SSP and no assessment plan; see the referenced "
                "back-matter resource for the scope (the otvet profile and catalog).",
            },
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }


def _multiline(text: str) -> str:
    """Multi-line Markdown that shows vendor text literally."""
    return "\n".join(markup(part, fallback="") for part in text.split("\n")).strip() or "-"


def _relative_href(path: str) -> str:
    """A relative URI reference for a bundle path (spaces and reserved characters percent-encoded)."""
    return quote(path, safe="/-._~")


def observation_count(assessment: Assessment) -> int:
    """How many observations :func:`assessment_results` writes (one per evidence check)."""
    return sum(len(_results_of(o)) for o in assessment.outcomes)
