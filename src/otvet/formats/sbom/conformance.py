"""A second opinion on an SBOM's conformance, from the format's reference library.

otvet reads SBOMs with its own permissive readers (ADR 0020); this module asks the
libraries that implement the specifications whether the document conforms:

- CycloneDX JSON and XML: cyclonedx-python-lib's JSON schema and XSD validators;
- SPDX 2 JSON and tag-value: spdx-tools' parser and full document validation;
- SPDX 3 JSON-LD: spdx-python-model's deserialiser.

Their findings are warnings (the document is still used) with the library's location.
JSON schema validation runs at about 700 components per second, so documents above
:data:`MAX_VALIDATED_COMPONENTS` are not schema-validated, which is itself reported.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from otvet.model import Problem, SbomDocument, Severity

SOURCE = "sbom-conformance"
MAX_VALIDATED_COMPONENTS = 5_000
MAX_REPORTED = 20


def _warning(doc: SbomDocument, message: str, where: str | None = None) -> Problem:
    return Problem(path=doc.path, where=where, message=message, severity=Severity.WARNING, source=SOURCE)


def check_conformance(data: bytes, doc: SbomDocument) -> tuple[Problem, ...]:
    """Conformance warnings for a document already read by :func:`read_sbom` from ``data``."""
    size = len(doc.components) + len(doc.files)
    label = f"{doc.format} {doc.spec_version} {doc.encoding}"
    if size > MAX_VALIDATED_COMPONENTS:
        return (
            _warning(
                doc,
                f"not validated against the {label} specification: {size} entries exceed the "
                f"{MAX_VALIDATED_COMPONENTS} entry budget of the reference validator (the content was still read and checked)",
            ),
        )
    try:
        if doc.format == "CycloneDX":
            found = _cyclonedx(data, doc)
        elif doc.encoding == "json-ld":
            found = _spdx3(data, doc)
        else:
            found = _spdx2(data, doc)
    except Exception as exc:  # noqa: BLE001  # a validator crash must not sink the reading
        return (_warning(doc, f"the {label} reference validator failed ({type(exc).__name__}: {exc})"),)
    problems = [_warning(doc, f"{label}: {message}", where) for where, message in found[:MAX_REPORTED]]
    if len(found) > MAX_REPORTED:
        problems.append(
            _warning(doc, f"{label}: {len(found) - MAX_REPORTED} further conformance findings not listed")
        )
    return tuple(problems)


def _cyclonedx(data: bytes, doc: SbomDocument) -> list[tuple[str | None, str]]:
    from cyclonedx.schema import SchemaVersion  # noqa: PLC0415  # heavy; imported only when validating
    from cyclonedx.validation.json import JsonValidator  # noqa: PLC0415  # heavy; imported only when validating
    from cyclonedx.validation.xml import XmlValidator  # noqa: PLC0415  # heavy; imported only when validating

    try:
        version = SchemaVersion.from_version(doc.spec_version)
    except ValueError:
        return [(None, f"unknown specVersion {doc.spec_version!r}; no schema to validate against")]
    text = data.decode("utf-8-sig")
    out: list[tuple[str | None, str]] = []
    if doc.encoding == "json":
        for error in JsonValidator(version).validate_str(text, all_errors=True) or ():
            detail: Any = error.data
            path = "".join(f"/{p}" for p in getattr(detail, "absolute_path", ()))
            out.append((path or "/", f"schema: {getattr(detail, 'message', detail)}"[:300]))
    else:
        for xml_error in XmlValidator(version).validate_str(text, all_errors=True) or ():
            detail = xml_error.data
            out.append(
                (
                    f"line {getattr(detail, 'line', '?')}",
                    f"schema: {getattr(detail, 'message', detail)}"[:300],
                )
            )
    return out


def _spdx2(data: bytes, doc: SbomDocument) -> list[tuple[str | None, str]]:
    # spdx-tools logs parser table generation; keep it off the user's terminal.
    logging.getLogger("spdx_tools").setLevel(logging.ERROR)
    from spdx_tools.spdx.parser.error import SPDXParsingError  # noqa: PLC0415  # heavy; imported only when validating
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser  # noqa: PLC0415  # heavy; imported only when validating
    from spdx_tools.spdx.parser.tagvalue import parser as tagvalue  # noqa: PLC0415  # heavy; imported only when validating
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document  # noqa: PLC0415  # heavy; imported only when validating

    text = data.decode("utf-8-sig")
    try:
        if doc.encoding == "json":
            parsed = JsonLikeDictParser().parse(json.loads(text))  # type: ignore[no-untyped-call]  # spdx-tools is untyped
        else:
            # No parse tables written into site-packages, no "Generating LALR tables" on stderr.
            # (ply's yacc, as spdx-tools imports it)
            parser = tagvalue.Parser(write_tables=False, debug=False, errorlog=tagvalue.yacc.NullLogger())  # type: ignore[attr-defined,no-untyped-call]
            parsed = parser.parse(text)  # type: ignore[no-untyped-call]  # spdx-tools is untyped
    except SPDXParsingError as exc:
        return [(None, f"spdx-tools: {message}"[:300]) for message in exc.get_messages()]  # type: ignore[no-untyped-call]
    messages = validate_full_spdx_document(parsed)
    return [(None, f"spdx-tools: {m.validation_message}"[:300]) for m in messages]


def _spdx3(data: bytes, doc: SbomDocument) -> list[tuple[str | None, str]]:
    import spdx_python_model  # noqa: PLC0415  # heavy; imported only when validating

    try:
        spdx_python_model.load_data(json.loads(data.decode("utf-8-sig")))
    except Exception as exc:  # noqa: BLE001  # the model raises plain TypeError/KeyError/ValueError
        return [(None, f"spdx-python-model rejects the document: {type(exc).__name__}: {exc}"[:300])]
    return []
