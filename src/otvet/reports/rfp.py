"""Procurement requirements from the catalog: what ``otvet rfp`` writes (DOCX, Markdown).

The guide asks buyers to put the twelve elements into RFPs and contracts. Every criterion of
the profile becomes a numbered "shall" clause (``<element>.<n>``) with the way the buyer will
verify it and the evidence the vendor must deliver; must-haves are marked as pass/fail. The
contract clauses turn the guide's lifecycle demands (support period with end-of-life dates,
free security patches, an SBOM per release, coordinated disclosure with CSAF advisories and
security.txt, remediation timelines, the right to test) into obligations, in otvet's own words,
with square-bracketed values for the buyer to set.
"""

from __future__ import annotations

from otvet.model import Catalog, CriterionId, Profile
from otvet.model.rfp import ContractClause, RequirementClause, RequirementSection, RfpDocument
from otvet.reports.evidence_text import METHOD_TEXT, evidence_phrases


def _ids(*ids: str) -> tuple[CriterionId, ...]:
    return tuple(CriterionId(i) for i in ids)


CONTRACT_CLAUSES: tuple[ContractClause, ...] = (
    ContractClause(
        "C.1",
        "Support period and end of life",
        (
            "The Supplier shall support the product with security updates for at least [10] years from "
            "the date of delivery, and in any case until the end-of-support date stated in its offer. "
            "The support period shall match the service life the Buyer plans for the product "
            "([20] years).",
            "The Supplier shall publish, and notify the Buyer of, the end-of-life and end-of-support "
            "dates of the product and of every operating system and third-party component it relies "
            "on, at least [24] months before they take effect.",
            "When an operating system or component the product depends on reaches its end of "
            "support during the support period, the Supplier shall port the product to a supported "
            "version at no extra cost, and shall not void support or warranty because the Buyer "
            "runs the product on a supported, newer operating system.",
        ),
        _ids("SBD-11.15", "SBD-12.04", "SBD-12.10", "SBD-12.03", "SBD-12.11"),
    ),
    ContractClause(
        "C.2",
        "Security updates free of charge",
        (
            "During the support period the Supplier shall provide every security update, patch and "
            "mitigation for the product free of charge, without requiring the Buyer to buy a new "
            "support package, licence, hardware or product version to receive it.",
            "Security functions of the product (logging, authentication, encryption, signed "
            "updates) are part of the delivered product and shall not be sold as options or "
            "add-ons.",
        ),
        _ids("SBD-12.06", "SBD-11.14", "SBD-04.07"),
    ),
    ContractClause(
        "C.3",
        "Software bill of materials with every release",
        (
            "With the delivery and with every later release or update, the Supplier shall deliver a "
            "software bill of materials in CycloneDX or SPDX format (JSON or XML) that matches the "
            "delivered software version and lists every component with its supplier, name and "
            "version, at least down to the top-level dependencies.",
            "At delivery the Supplier shall also deliver a hardware bill of materials of the "
            "security-relevant hardware components.",
        ),
        _ids("SBD-11.01", "SBD-11.02", "SBD-11.03"),
    ),
    ContractClause(
        "C.4",
        "Coordinated vulnerability disclosure and advisories",
        (
            "The Supplier shall maintain and publish a coordinated vulnerability disclosure policy, "
            "and shall accept vulnerability reports through the contact published in an RFC 9116 "
            "security.txt file on its website.",
            "The Supplier shall publish security advisories for the product as CSAF 2.0 documents "
            "that the Buyer can retrieve automatically (a CSAF provider with provider metadata), "
            "naming the affected and fixed versions, CVE identifiers, severity and remediation. "
            "Where a widely known vulnerability does not affect the product, the Supplier shall "
            "say so in a VEX statement.",
            "The Supplier shall inform the Buyer within [5] working days after it learns of a "
            "vulnerability that affects the product as delivered to the Buyer.",
        ),
        _ids("SBD-11.06", "SBD-11.07", "SBD-11.08", "SBD-11.09", "SBD-11.11", "SBD-11.12"),
    ),
    ContractClause(
        "C.5",
        "Remediation timelines",
        (
            "The Supplier shall deliver the product without known exploitable vulnerabilities; a "
            "known vulnerability present at delivery requires a documented mitigation accepted by "
            "the Buyer in writing.",
            "After a vulnerability becomes known, the Supplier shall provide a fix or an effective "
            "mitigation within [14] days for vulnerabilities listed in the CISA Known Exploited "
            "Vulnerabilities catalog, [30] days for critical, [60] days for high and [90] days for "
            "other severities (CVSS base score), unless the Buyer agrees otherwise in writing.",
            "Updates shall be tested in representative configurations, shall not overwrite the "
            "Buyer's configuration or engineering logic, shall be signed so that the Buyer can "
            "verify their authenticity before installing them, and shall be distributed over a "
            "secure channel.",
        ),
        _ids("SBD-11.04", "SBD-11.10", "SBD-11.13", "SBD-12.02", "SBD-12.05"),
    ),
    ContractClause(
        "C.6",
        "Right to test",
        (
            "The Buyer, or a third party acting for it, may examine and test the security of the "
            "product (configuration review, vulnerability scanning, penetration testing) in its "
            "own test environment at any time, and may add security products (firewalls, "
            "gateways, monitoring, data diodes) to its environment, without voiding warranty or "
            "support; limits that safety certification requires shall be stated in the offer.",
            "On request, the Supplier shall provide a test unit or test licence of the offered "
            "version for [30] days. Vulnerabilities found are reported to the Supplier under its "
            "coordinated disclosure policy.",
        ),
        _ids("SBD-04.06", "SBD-04.03", "SBD-08.05"),
    ),
    ContractClause(
        "C.7",
        "Evidence and accuracy of answers",
        (
            "The Supplier's answers to the security questionnaire and the evidence it delivers "
            "form part of the contract. The Supplier warrants that they are accurate for the "
            "delivered version, and shall inform the Buyer without delay when an answer ceases to "
            "be true.",
            "For every requirement the Supplier shall deliver the evidence named in it, as files "
            "the Buyer can keep and check (for example an otvet evidence bundle), not only as "
            "statements.",
        ),
    ),
)

INSTRUCTIONS: tuple[str, ...] = (
    'Each numbered requirement is a "shall" clause. Requirements marked MUST-HAVE are pass/fail: '
    "an offer that does not meet one of them may be rejected. The other requirements are scored by "
    "their weight (1 to 5).",
    "For every requirement the bidder states whether the product complies, and delivers the "
    "evidence listed under it. A claim without evidence earns less credit than evidence.",
    "Answer the enclosed questionnaire (one row per requirement) and reference the evidence for "
    "each answer; the answers become part of the contract (clause C.7).",
    "Values in [square brackets] are the Buyer's choices: set them before issuing the RFP. "
    "Have the contract clauses reviewed by your legal advisor.",
)


def build_rfp(catalog: Catalog, profile: Profile) -> RfpDocument:
    """The requirements document of a profile."""
    sections = []
    for element in catalog.elements:
        chosen = [c for c in catalog.criteria_of(element.key) if profile.selects(c.id)]
        if not chosen:
            continue
        clauses = tuple(
            RequirementClause(
                number=f"{element.number}.{index}",
                criterion_id=c.id,
                title=c.title,
                text=c.requirement,
                must_have=c.id in profile.must_have,
                weight=profile.weight_of(c),
                methods=c.methods,
                verification=tuple(METHOD_TEXT[m] for m in c.methods),
                evidence=tuple(evidence_phrases(c.evidence)),
                question=c.question,
            )
            for index, c in enumerate(chosen, start=1)
        )
        sections.append(
            RequirementSection(
                number=element.number,
                name=element.name,
                selection_criterion=element.selection_criterion,
                clauses=clauses,
            )
        )
    return RfpDocument(
        title="Product security requirements",
        profile_id=profile.id,
        profile_title=profile.title,
        profile_description=profile.description,
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        source_title=catalog.source_title,
        sections=tuple(sections),
        contract=CONTRACT_CLAUSES,
        instructions=INSTRUCTIONS,
    )
