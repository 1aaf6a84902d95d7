"""CSAF VEX reader: product statuses of CSAF 2.0/2.1 documents -> VEX statements.

Reads every CSAF document that states product statuses: the ``csaf_vex`` profile and also
``csaf_security_advisory`` documents, whose ``known_affected`` / ``fixed`` /
``known_not_affected`` lists are the same vendor statements (CSAF 2.0 sections 3.2.3.9, 4.3,
4.5). The statements come from :func:`otvet.formats.csaf.records.read_csaf_vex`; this module
adds the problems a VEX consumer needs to know about, each with its JSON pointer.

CSAF products rarely carry a purl or CPE (none of the CISA ICS advisories do): their
selectors keep vendor, product name, family, model numbers and version or version range, and
the knowledge base matches them through the CSAF product-tree resolver with its confidence
states (ADR 0046), never by name alone.

# NOTE: CSAF 2.0 section 6.1.27.9 requires an impact statement for known_not_affected products
# and 6.1.27.10 an action statement for known_affected products in csaf_vex documents; a
# missing one is a warning here (the statement is still applied, as OpenVEX does).
"""

from __future__ import annotations

from typing import Any

from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.records import CSAF_STATUS, read_csaf_vex
from otvet.model import Problem, Severity
from otvet.model.vex import VexStatus
from otvet.model.vulnerabilities import VexDocument

FORMAT = "csaf"
_VERSIONS = ("2.0", "2.1")


def recognise(doc: Any) -> bool:
    """Whether a parsed JSON document is a CSAF 2.x document that states product statuses."""
    if not isinstance(doc, dict) or not isinstance(doc.get("document"), dict):
        return False
    if doc["document"].get("csaf_version") not in _VERSIONS:
        return False
    vulnerabilities = doc.get("vulnerabilities")
    return isinstance(vulnerabilities, list) and any(
        isinstance(v, dict) and isinstance(v.get("product_status"), dict) for v in vulnerabilities
    )


def read(doc: Any, display: str) -> VexDocument:
    """Read a CSAF document's product statuses as VEX statements."""
    problems: list[Problem] = []

    def problem(where: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(display, message, where, severity, "vex"))

    defined = resolve_products(doc)
    category = doc["document"].get("category")
    for index, raw in enumerate(doc.get("vulnerabilities") or []):
        where = f"/vulnerabilities/{index}"
        if not isinstance(raw, dict):
            problem(where, "a vulnerability must be an object")
            continue
        has_id = isinstance(raw.get("cve"), str) or any(
            isinstance(i, dict) and i.get("text") for i in raw.get("ids") or []
        )
        statuses = raw.get("product_status")
        if not has_id and isinstance(statuses, dict) and statuses:
            problem(where, "the vulnerability has neither a cve nor ids: its statuses cannot be applied")
        if not isinstance(statuses, dict):
            continue
        for key, ids in statuses.items():
            if key not in CSAF_STATUS:
                continue
            for p_index, pid in enumerate(ids if isinstance(ids, list) else []):
                if isinstance(pid, str) and pid not in defined:
                    problem(
                        f"{where}/product_status/{key}/{p_index}",
                        f"product id {pid!r} is not defined in the product tree (CSAF 6.1.1); "
                        "the statement cannot name any product",
                    )
    statements = read_csaf_vex(doc, display)
    if category == "csaf_vex":
        for statement in statements:
            if statement.status is VexStatus.NOT_AFFECTED and not (
                statement.justification or statement.impact
            ):
                problem(
                    statement.location,
                    "known_not_affected without a justification flag or impact statement (CSAF 6.1.27.9); the statement is still applied",
                    Severity.WARNING,
                )
            if statement.status is VexStatus.AFFECTED and not statement.action:
                problem(
                    statement.location,
                    "known_affected without a remediation (action statement, CSAF 6.1.27.10)",
                    Severity.WARNING,
                )
    return VexDocument(display, FORMAT, tuple(statements), tuple(problems))
