"""Readable words for evidence kinds and verification methods (RFP clauses, OSCAL objects).

Procurement text tells the vendor what to deliver, not which enum value we check: each
evidence kind of the catalog becomes a phrase a vendor can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from otvet.model import EvidenceKind, Method

EVIDENCE_TEXT: Mapping[EvidenceKind, str] = {
    EvidenceKind.SBOM: "a CycloneDX or SPDX SBOM (JSON or XML) per release, matching the delivered version",
    EvidenceKind.VULNERABILITY_DATA: "a list of the known vulnerabilities of the delivered version with their status and fix",
    EvidenceKind.CSAF: "security advisories as CSAF 2.0 documents, retrievable from the manufacturer's CSAF provider",
    EvidenceKind.VEX: "VEX statements (CSAF VEX, OpenVEX or CycloneDX VEX) for vulnerabilities that do not affect the product",
    EvidenceKind.SECURITY_TXT: "an RFC 9116 security.txt on the manufacturer's website with a vulnerability-reporting contact",
    EvidenceKind.SIGNATURE: "signatures or signed checksums over software and updates, with the key or certificate to verify them",
    EvidenceKind.UPDATE_PACKAGE: "a sample update package exactly as delivered to customers",
    EvidenceKind.CONFIG: "an export of the configuration as delivered (factory defaults)",
    EvidenceKind.LOG_SAMPLE: "sample log output of the delivered version in its standard format (e.g. syslog)",
    EvidenceKind.THREAT_MODEL: "the product's current threat model (attack vectors, mitigations, assumptions, known gaps)",
    EvidenceKind.PROBE: "a test unit for the buyer's lab (the buyer's non-intrusive network probe)",
    EvidenceKind.DOCUMENT: "the documentation that shows how the requirement is met (manual, policy or guide, with section)",
    EvidenceKind.ATTESTATION: "a signed answer in the vendor questionnaire",
}

METHOD_TEXT: Mapping[Method, str] = {
    Method.EXAMINE: "Examine: the buyer reviews the delivered documents and files",
    Method.TEST: "Test: the buyer checks the evidence or the product itself (analysis, lab test)",
    Method.INTERVIEW: "Interview: the vendor answers and explains",
}

METHOD_NAME: Mapping[Method, str] = {
    Method.EXAMINE: "Examine",
    Method.TEST: "Test",
    Method.INTERVIEW: "Interview",
}


def evidence_phrases(kinds: Iterable[EvidenceKind]) -> list[str]:
    """The readable phrases of the given kinds, in order, without repeats."""
    phrases: list[str] = []
    for kind in kinds:
        text = EVIDENCE_TEXT[kind]
        if text not in phrases:
            phrases.append(text)
    return phrases
