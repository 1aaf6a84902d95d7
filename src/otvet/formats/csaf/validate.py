"""Validate a CSAF document: JSON schema, then the mandatory tests, then the cheap optional ones.

Permissive, then strict (STYLE.md): the document is parsed once, every check runs and every
problem is reported with its JSON pointer and test id; nothing stops at the first error.
CSAF 2.1 documents are recognised and schema-validated; the 2.1 mandatory tests are not run
(and the result says so), because 2.1 renumbers and changes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from otvet.formats.csaf.mandatory import MANDATORY_TESTS
from otvet.formats.csaf.optional import INFORMATIVE_TESTS, NOT_IMPLEMENTED, OPTIONAL_TESTS
from otvet.formats.csaf.schema import schema_issues
from otvet.model.csaf import CheckGroup, CsafIssue, CsafValidation
from otvet.model.errors import InputError
from otvet.safeio import DEFAULT_LIMITS, Limits, load_json

SUPPORTED_VERSIONS = ("2.0", "2.1")


def csaf_version(doc: Any) -> str | None:
    """``document.csaf_version`` of a parsed document, if it is a string."""
    if isinstance(doc, dict) and isinstance(doc.get("document"), dict):
        version = doc["document"].get("csaf_version")
        return version if isinstance(version, str) else None
    return None


def read_csaf(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Read a CSAF file through the bounded JSON reader (raises :class:`InputError`)."""
    return load_json(path, display=display or str(path), limits=limits)


def validate_document(doc: Any, display: str, *, optional: bool = True) -> CsafValidation:
    """Validate a parsed CSAF document and return every issue found."""
    raw_document = doc.get("document") if isinstance(doc, dict) else None
    document: dict[str, Any] = raw_document if isinstance(raw_document, dict) else {}
    raw_tracking = document.get("tracking")
    tracking: dict[str, Any] = raw_tracking if isinstance(raw_tracking, dict) else {}
    version = csaf_version(doc)
    category = document.get("category") if isinstance(document.get("category"), str) else None
    tracking_id = tracking.get("id") if isinstance(tracking.get("id"), str) else None
    issues: list[CsafIssue] = []
    run: list[str] = []
    not_run: list[tuple[str, str]] = []
    if version not in SUPPORTED_VERSIONS:
        issues.append(
            CsafIssue(
                "schema",
                CheckGroup.SCHEMA,
                "/document/csaf_version",
                f"not a CSAF 2.0 or 2.1 document (csaf_version {version!r})",
            )
        )
        return CsafValidation(
            display, version, category, tracking_id, tuple(issues), (), (("*", "unknown CSAF version"),)
        )
    issues.extend(schema_issues(doc, "csaf", version))
    run.append("schema")
    if version == "2.1":
        not_run.append(("6.1.*", "the CSAF 2.1 mandatory tests are not implemented (schema validation only)"))
        return CsafValidation(
            display, version, category, tracking_id, tuple(issues), tuple(run), tuple(not_run)
        )
    tables = [MANDATORY_TESTS]
    if optional:
        tables += [OPTIONAL_TESTS, INFORMATIVE_TESTS]
        not_run.extend(sorted(NOT_IMPLEMENTED.items()))
    for table in tables:
        for test_id, test in table.items():
            issues.extend(test(doc))
            run.append(test_id)
    return CsafValidation(display, version, category, tracking_id, tuple(issues), tuple(run), tuple(not_run))


def validate_file(
    path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS, optional: bool = True
) -> CsafValidation:
    """Read and validate a CSAF file; an unreadable file is one ``read`` issue, not an exception."""
    shown = display or str(path)
    try:
        doc = read_csaf(path, display=shown, limits=limits)
    except InputError as exc:
        where = exc.location.where if exc.location and exc.location.where else ""
        issue = CsafIssue("read", CheckGroup.SCHEMA, "", f"{exc.message}{f' ({where})' if where else ''}")
        return CsafValidation(shown, None, None, None, (issue,))
    return validate_document(doc, shown, optional=optional)
