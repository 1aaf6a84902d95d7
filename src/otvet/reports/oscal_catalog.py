"""The criteria catalog, its profiles and its crosswalks as OSCAL documents.

- **Catalog**: one group per Secure by Demand element, one control per criterion. Each control
  has a ``statement`` part (the RFP requirement), a ``guidance`` part (where the guide asks for
  it, with the short verbatim quote), an ``assessment-objective`` part (what the assessor
  determines; findings of assessment results target it) and one ``assessment-method`` part per
  method (EXAMINE, TEST, INTERVIEW, as in NIST's SP 800-53A content) whose
  ``assessment-objects`` name the evidence to examine. Our props: ``weight``, ``evidence-kind``
  (one per kind), ``tag``, and the mapped requirement ids per framework.
- **Profile**: imports the catalog and includes the profile's controls; ``modify/alters`` add a
  ``must-have`` prop and replace ``weight`` where the profile overrides it.
- **Mapping collection**: one mapping per framework (IEC 62443-4-2, IEC 62443-3-3, the CRA's
  Annex I, NIST SP 800-82r3). No OSCAL catalog of those standards can ship with otvet (the IEC
  texts are copyrighted), so each target resource is a back-matter citation and the map
  targets carry the standard's own requirement ids verbatim, with our own short label as a prop
  (never the standard's text). Relationships are ``intersects-with`` (NIST IR 8477 set theory):
  the criteria were derived from the guide, not written to equal the standards' requirements.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otvet.catalog import MAPPING_NAMES
from otvet.model import Catalog, Criterion, Profile
from otvet.reports.evidence_text import evidence_phrases
from otvet.reports.oscal_common import (
    NS,
    RMF_NS,
    catalog_filename,
    catalog_uuid,
    control_id,
    group_id,
    line,
    markup,
    metadata,
    objective_id,
    prop,
    stable_uuid,
)

GUIDE_URL = "https://www.cisa.gov/resources-tools/resources/secure-demand-priority-considerations-ot-owners-and-operators-when-selecting-digital-products"
RELATIONSHIP = "intersects-with"

FRAMEWORK_CITATIONS: dict[str, str] = {
    "iec62443_4_2": "IEC 62443-4-2:2019, Security for industrial automation and control systems, Part 4-2: Technical security requirements for IACS components",
    "iec62443_3_3": "IEC 62443-3-3:2013, Industrial communication networks, Network and system security, Part 3-3: System security requirements and security levels",
    "cra_annex_i": "Regulation (EU) 2024/2847 (Cyber Resilience Act), Annex I: Essential cybersecurity requirements",
    "nist_sp800_82r3": "NIST SP 800-82 Rev. 3, Guide to Operational Technology (OT) Security (2023)",
}
"""What each crosswalk points to (our words; the ids are the standards' own)."""


def _guide_resource(catalog: Catalog) -> dict[str, Any]:
    return {
        "uuid": stable_uuid("guide", catalog.id),
        "title": markup(catalog.source_title),
        "citation": {"text": markup(f"{catalog.source_title}. CISA, NSA, FBI and partners, January 2025.")},
        "rlinks": [{"href": GUIDE_URL}],
    }


def _control(catalog: Catalog, criterion: Criterion, guide: str) -> dict[str, Any]:
    cid = control_id(criterion.id)
    props = [
        prop("label", criterion.id, ns=None),
        prop("sort-id", cid, ns=None),
        prop("weight", criterion.weight),
        *(prop("evidence-kind", kind.value) for kind in criterion.evidence),
        *(prop("tag", tag) for tag in criterion.tags),
        *(prop("iec62443-4-2", ref.ref) for ref in criterion.mappings.iec62443_4_2),
        *(prop("iec62443-3-3", ref) for ref in criterion.mappings.iec62443_3_3),
        *(prop("cra-annex-i", ref) for ref in criterion.mappings.cra_annex_i),
        *(prop("nist-sp800-82r3", ref) for ref in criterion.mappings.nist_sp800_82r3),
    ]
    objects = "; ".join(evidence_phrases(criterion.evidence))
    methods = [
        {
            "id": f"{cid}_asm-{method.value}",
            "name": "assessment-method",
            "props": [prop("method", method.value.upper(), ns=RMF_NS)],
            "parts": [{"name": "assessment-objects", "prose": f"Evidence to examine: {objects}."}],
        }
        for method in criterion.methods
    ]
    source = criterion.source
    return {
        "id": cid,
        "class": "criterion",
        "title": markup(criterion.title),
        "props": props,
        "links": [{"href": f"#{guide}", "rel": "reference"}],
        "parts": [
            {"id": f"{cid}_smt", "name": "statement", "prose": criterion.requirement},
            {
                "id": f"{cid}_gdn",
                "name": "guidance",
                "prose": f"Secure by Demand guide, {source.section} ({source.part.replace('_', ' ')}): "
                f"“{source.quote}”",
            },
            {
                "id": objective_id(criterion.id),
                "name": "assessment-objective",
                "prose": f"Determine, from evidence rather than claims: {criterion.question}",
            },
            {"id": f"{cid}_qst", "name": "vendor-question", "ns": NS, "prose": criterion.question},
            *methods,
        ],
    }


def catalog_document(catalog: Catalog, moment: datetime) -> dict[str, Any]:
    """The OSCAL catalog (``{"catalog": ...}``)."""
    guide = _guide_resource(catalog)
    groups = []
    for element in catalog.elements:
        groups.append(
            {
                "id": group_id(element),
                "class": "element",
                "title": markup(element.name),
                "props": [prop("label", str(element.number), ns=None), prop("element-key", element.key)],
                "parts": [
                    {
                        "id": f"{group_id(element)}_smt",
                        "name": "overview",
                        "prose": element.selection_criterion,
                    },
                    {"id": f"{group_id(element)}_sum", "name": "summary", "ns": NS, "prose": element.summary},
                ],
                "controls": [_control(catalog, c, guide["uuid"]) for c in catalog.criteria_of(element.key)],
            }
        )
    return {
        "catalog": {
            "uuid": catalog_uuid(catalog),
            "metadata": metadata(
                catalog.title,
                moment,
                catalog.version,
                props=[prop("catalog-id", catalog.id)],
                remarks=(
                    f"Criteria derived by otvet from “{catalog.source_title}”. Statements are RFP "
                    "requirements written for otvet; guidance quotes the guide (TLP:CLEAR) in at most 30 words. "
                    "Mapped requirement ids of other frameworks are references only; see the mapping collection."
                ),
            ),
            "groups": groups,
            "back-matter": {"resources": [guide]},
        }
    }


def profile_document(catalog: Catalog, profile: Profile, moment: datetime) -> dict[str, Any]:
    """The OSCAL profile of an otvet profile (``{"profile": ...}``), importing the catalog by file name."""
    alters = []
    for cid in profile.criteria:
        criterion = catalog.criterion(cid)
        adds: list[dict[str, Any]] = []
        removes: list[dict[str, Any]] = []
        if cid in profile.must_have:
            adds.append(prop("must-have", "true"))
        weight = profile.weight_of(criterion)
        if weight != criterion.weight:
            removes.append({"by-name": "weight", "by-ns": NS})
            adds.append(prop("weight", weight))
        if adds or removes:
            alter: dict[str, Any] = {"control-id": control_id(cid)}
            if removes:
                alter["removes"] = removes
            if adds:
                alter["adds"] = [{"position": "ending", "props": adds}]
            alters.append(alter)
    document: dict[str, Any] = {
        "uuid": stable_uuid("profile", catalog.id, catalog.version, profile.id),
        "metadata": metadata(
            f"otvet profile {profile.title} ({profile.id})",
            moment,
            catalog.version,
            props=[
                prop("profile-id", profile.id),
                prop("attested-share", f"{profile.attested_share:g}"),
                prop("must-have-count", len(profile.must_have)),
            ],
            remarks=line(profile.description),
        ),
        "imports": [
            {
                "href": catalog_filename(catalog),
                "include-controls": [{"with-ids": [control_id(c) for c in profile.criteria]}],
            }
        ],
        "merge": {"as-is": True},
    }
    if alters:
        document["modify"] = {"alters": alters}
    return {"profile": document}


def mapping_document(catalog: Catalog, moment: datetime) -> dict[str, Any]:
    """The crosswalks as one OSCAL mapping collection (``{"mapping-collection": ...}``)."""
    resources = []
    mappings = []
    for framework, name in MAPPING_NAMES.items():
        target_uuid = stable_uuid("standard", framework)
        resources.append(
            {
                "uuid": target_uuid,
                "title": markup(name),
                "citation": {"text": markup(FRAMEWORK_CITATIONS[framework])},
                "remarks": "No OSCAL catalog of this standard ships with otvet; map targets use its requirement ids verbatim.",
            }
        )
        labels = catalog.mapping_labels.get(framework, {})
        maps = []
        unmapped = []
        for criterion in catalog.criteria:
            targets = _targets(criterion, framework)
            if not targets:
                unmapped.append(control_id(criterion.id))
            for ref, level in targets:
                target: dict[str, Any] = {"type": "control", "id-ref": line(ref)}
                target_props = [prop("label", labels.get(ref, ref))]
                if level is not None:
                    target_props.append(prop("security-level", level))
                target["props"] = target_props
                maps.append(
                    {
                        "uuid": stable_uuid("map", catalog.id, catalog.version, framework, criterion.id, ref),
                        "relationship": RELATIONSHIP,
                        "sources": [{"type": "control", "id-ref": control_id(criterion.id)}],
                        "targets": [target],
                    }
                )
        mapping: dict[str, Any] = {
            "uuid": stable_uuid("mapping", catalog.id, catalog.version, framework),
            "method": "human",
            "matching-rationale": "semantic",
            "status": "complete",
            "source-resource": {"type": "catalog", "href": catalog_filename(catalog)},
            "target-resource": {"type": "catalog", "href": f"#{target_uuid}"},
            "maps": maps,
            "mapping-description": f"Secure by Demand criteria ({catalog.id} {catalog.version}) to {name}.",
        }
        if unmapped:
            mapping["source-gap-summary"] = {
                "uuid": stable_uuid("gap", catalog.id, catalog.version, framework),
                "unmapped-controls": [{"with-ids": unmapped}],
            }
        mappings.append(mapping)
    return {
        "mapping-collection": {
            "uuid": stable_uuid("mapping-collection", catalog.id, catalog.version),
            "metadata": metadata(f"{catalog.title}: crosswalks", moment, catalog.version),
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "complete",
                "mapping-description": (
                    "Crosswalks of the otvet Secure by Demand criteria to IEC 62443-4-2, IEC 62443-3-3, "
                    "the EU Cyber Resilience Act (Annex I) and NIST SP 800-82r3, made by people reading "
                    "both sides. A map says the requirements overlap (intersects-with), not that meeting "
                    "one satisfies the other. Labels are otvet's own short words, never the standards' text."
                ),
            },
            "mappings": mappings,
            "back-matter": {"resources": resources},
        }
    }


def _targets(criterion: Criterion, framework: str) -> list[tuple[str, int | None]]:
    m = criterion.mappings
    if framework == "iec62443_4_2":
        return [(ref.ref, ref.sl) for ref in m.iec62443_4_2]
    values = {
        "iec62443_3_3": m.iec62443_3_3,
        "cra_annex_i": m.cra_annex_i,
        "nist_sp800_82r3": m.nist_sp800_82r3,
    }
    return [(ref, None) for ref in values.get(framework, ())]
