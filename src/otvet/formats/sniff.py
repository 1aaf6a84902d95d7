"""Recognise what an evidence file is from its content, not its name.

Each sniffer looks at a bounded view of the file (its head and, for JSON, the parsed
document when small enough) and either recognises it or passes. The first sniffer that
recognises a file wins, so more specific sniffers come first in :data:`SNIFFERS`.
File names are only a tie-breaker for otherwise featureless binaries and documents.

JSON larger than :data:`JSON_PARSE_LIMIT` (or above the file size limit) is recognised by
the marker keys in its first 64 KiB (``"bomFormat"``, ``"spdxVersion"``, ``"csaf_version"``,
``"@context"``, ``"otvet_probe"``, ...). A file that starts like JSON but does not parse is
still recognised by its head where possible and listed, and the detection carries the parse
error with its line and column, which the intake reports as a problem: a truncated SBOM must
never pass as a plain document.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from otvet.model import ArtifactKind, FormatError, LimitExceeded
from otvet.safeio import DEFAULT_LIMITS, Limits, parse_json

HEAD_BYTES = 64 * 1024
JSON_PARSE_LIMIT = 64 * 1024 * 1024
"""JSON files up to this size are parsed whole to recognise them; larger ones by their head."""


@dataclass(frozen=True)
class Detection:
    """What a file was recognised as."""

    kind: ArtifactKind
    format: str | None = None
    problem: str | None = None
    """Why the content could not be read as what it looks like (e.g. JSON that does not parse)."""
    where: str | None = None
    """Location of :attr:`problem` in the file (``line 3 column 17``)."""


@dataclass(frozen=True)
class View:
    """A bounded view of a file for sniffers."""

    name: str
    head: bytes
    size: int
    document: Any = None
    """Parsed JSON when the file is JSON and small enough, else None."""
    text: str | None = None
    """The head decoded as UTF-8 when it is text, else None."""


Sniffer = Callable[[View], Detection | None]


def _json_kind(view: View) -> Detection | None:
    doc = view.document
    if not isinstance(doc, dict):
        return None
    if doc.get("bomFormat") == "CycloneDX":
        spec = doc.get("specVersion", "?")
        vulns = doc.get("vulnerabilities") or []
        if vulns and not doc.get("components"):
            return Detection(ArtifactKind.VEX, f"CycloneDX {spec} VEX JSON")
        return Detection(ArtifactKind.SBOM, f"CycloneDX {spec} JSON")
    if "spdxVersion" in doc:
        return Detection(ArtifactKind.SBOM, f"{doc.get('spdxVersion')} JSON")
    context = doc.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(isinstance(c, str) and "spdx.org/rdf/3" in c for c in contexts):
        return Detection(ArtifactKind.SBOM, "SPDX 3 JSON-LD")
    if any(isinstance(c, str) and "openvex.dev" in c for c in contexts):
        return Detection(ArtifactKind.VEX, "OpenVEX JSON")
    document = doc.get("document")
    if isinstance(document, dict) and "csaf_version" in document:
        category = document.get("category", "")
        return Detection(ArtifactKind.CSAF, f"CSAF {document.get('csaf_version')} {category}".strip())
    if {"canonical_url", "publisher", "role"} <= doc.keys():
        return Detection(ArtifactKind.CSAF, "CSAF provider metadata")
    if "otvet_questionnaire" in doc:
        return Detection(ArtifactKind.QUESTIONNAIRE, "otvet questionnaire JSON")
    if "otvet_probe" in doc:
        return Detection(ArtifactKind.PROBE_RESULT, "otvet probe results")
    if "otvet_verification" in doc:
        return Detection(ArtifactKind.VERIFICATION_REPORT, "otvet update verification report")
    if "otvet_config" in doc:
        return Detection(ArtifactKind.CONFIG, "otvet configuration export")
    if "payloadType" in doc and "signatures" in doc:
        return Detection(ArtifactKind.SIGNATURE, "DSSE envelope")
    media = str(doc.get("mediaType", ""))
    if media.startswith("application/vnd.dev.sigstore.bundle"):
        return Detection(ArtifactKind.SIGNATURE, "Sigstore bundle")
    signed = doc.get("signed")
    if (
        isinstance(signed, dict)
        and "signatures" in doc
        and signed.get("_type") in {"root", "targets", "snapshot", "timestamp"}
    ):
        return Detection(ArtifactKind.SIGNATURE, f"TUF {signed.get('_type')} metadata")
    if str(doc.get("_type", "")).startswith("https://in-toto.io/Statement"):
        return Detection(ArtifactKind.SIGNATURE, "in-toto statement")
    if isinstance(doc.get("detail"), dict) and "diagrams" in doc["detail"]:
        return Detection(ArtifactKind.THREAT_MODEL, "OWASP Threat Dragon JSON")
    if "vulnerabilities" in doc and "catalogVersion" in doc:
        return Detection(ArtifactKind.VULNERABILITY_DATA, "CISA KEV JSON")
    return None


def _marker(text: str, key: str) -> str | None:
    """The string value of ``"key": "value"`` in a JSON head, if present."""
    match = re.search(rf'"{re.escape(key)}"\s*:\s*"([^"\\]{{0,200}})"', text)
    return match.group(1) if match else None


def _has_key(text: str, key: str) -> bool:
    return re.search(rf'"{re.escape(key)}"\s*:', text) is not None


def json_head_kind(text: str) -> Detection | None:
    """Recognise JSON by the marker keys in its head, for documents too large to parse or broken.

    Weaker than :func:`_json_kind` (a key could be nested), so it is used only when the whole
    document cannot be parsed; the format says so.
    """
    by_head = " (recognised by its first 64 KiB)"
    if _marker(text, "bomFormat") == "CycloneDX":
        return Detection(ArtifactKind.SBOM, f"CycloneDX {_marker(text, 'specVersion') or '?'} JSON{by_head}")
    spdx = _marker(text, "spdxVersion")
    if spdx is not None:
        return Detection(ArtifactKind.SBOM, f"{spdx} JSON{by_head}")
    if _has_key(text, "@context"):
        if "spdx.org/rdf/3" in text:
            return Detection(ArtifactKind.SBOM, f"SPDX 3 JSON-LD{by_head}")
        if "openvex.dev" in text:
            return Detection(ArtifactKind.VEX, f"OpenVEX JSON{by_head}")
    csaf = _marker(text, "csaf_version")
    if csaf is not None:
        category = _marker(text, "category") or ""
        return Detection(ArtifactKind.CSAF, f"CSAF {csaf} {category}".strip() + by_head)
    for key, kind, label in (
        ("otvet_probe", ArtifactKind.PROBE_RESULT, "otvet probe results"),
        ("otvet_verification", ArtifactKind.VERIFICATION_REPORT, "otvet update verification report"),
        ("otvet_questionnaire", ArtifactKind.QUESTIONNAIRE, "otvet questionnaire JSON"),
        ("otvet_config", ArtifactKind.CONFIG, "otvet configuration export"),
    ):
        if _has_key(text, key):
            return Detection(kind, label + by_head)
    if _has_key(text, "payloadType") and _has_key(text, "signatures"):
        return Detection(ArtifactKind.SIGNATURE, f"DSSE envelope{by_head}")
    if (_marker(text, "mediaType") or "").startswith("application/vnd.dev.sigstore.bundle"):
        return Detection(ArtifactKind.SIGNATURE, f"Sigstore bundle{by_head}")
    if _has_key(text, "catalogVersion") and _has_key(text, "vulnerabilities"):
        return Detection(ArtifactKind.VULNERABILITY_DATA, f"CISA KEV JSON{by_head}")
    return None


def _xml_kind(view: View) -> Detection | None:
    if view.text is None or not view.text.lstrip().startswith("<"):
        return None
    head = view.text[:4096]
    match = re.search(r"http://cyclonedx\.org/schema/bom/(\d+\.\d+)", head)
    if match and "<bom" in head:
        return Detection(ArtifactKind.SBOM, f"CycloneDX {match.group(1)} XML")
    if "spdx.org/rdf/terms" in head:
        return Detection(ArtifactKind.SBOM, "SPDX RDF/XML")
    if "<ThreatModel" in head:
        return Detection(ArtifactKind.THREAT_MODEL, "Microsoft Threat Modeling Tool")
    return None


_SECURITY_TXT_FIELD = re.compile(r"^(contact|expires)\s*:", re.IGNORECASE | re.MULTILINE)
_SYSLOG_5424 = re.compile(r"^<\d{1,3}>1 \S+ \S+ \S+ \S+ \S+ ", re.MULTILINE)
_SYSLOG_3164 = re.compile(r"^<\d{1,3}>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ", re.MULTILINE)
_CEF = re.compile(r"^(?:.*\s)?CEF:\d+\|", re.MULTILINE)
_HASH_LIST = re.compile(r"^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{128})[ \t]+\*?\S+", re.MULTILINE)


def _text_kind(view: View) -> Detection | None:
    text = view.text
    if text is None:
        return None
    stripped = text.lstrip()
    fields = {m.group(1).lower() for m in _SECURITY_TXT_FIELD.finditer(text)}
    if "contact" in fields and ("expires" in fields or view.name.endswith("security.txt")):
        signed = stripped.startswith("-----BEGIN PGP SIGNED MESSAGE-----")
        return Detection(
            ArtifactKind.SECURITY_TXT, "RFC 9116 security.txt" + (" (OpenPGP signed)" if signed else "")
        )
    if stripped.startswith("SPDXVersion:") or re.search(r"^SPDXVersion:", text, re.MULTILINE):
        return Detection(ArtifactKind.SBOM, "SPDX tag-value")
    if stripped.startswith("-----BEGIN PGP SIGNATURE-----"):
        return Detection(ArtifactKind.SIGNATURE, "OpenPGP signature (ASCII armour)")
    if stripped.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----"):
        return Detection(ArtifactKind.SIGNATURE, "OpenPGP public key")
    if stripped.startswith("untrusted comment:"):
        kind = "public key" if "public key" in stripped.split("\n", 1)[0] else "signature"
        return Detection(ArtifactKind.SIGNATURE, f"minisign/signify {kind}")
    if stripped.startswith(("-----BEGIN PKCS7-----", "-----BEGIN CMS-----")):
        return Detection(ArtifactKind.SIGNATURE, "CMS/PKCS#7 signature (PEM)")
    if stripped.startswith("-----BEGIN CERTIFICATE-----"):
        return Detection(ArtifactKind.SIGNATURE, "X.509 certificate (PEM)")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines and sum(1 for ln in lines if _HASH_LIST.match(ln)) >= max(1, len(lines) * 0.8):
        return Detection(ArtifactKind.SIGNATURE, "hash list (SHA256SUMS style)")
    if _SYSLOG_5424.search(text):
        return Detection(ArtifactKind.LOG_SAMPLE, "syslog RFC 5424")
    if _CEF.search(text):
        return Detection(ArtifactKind.LOG_SAMPLE, "ArcSight CEF")
    if _SYSLOG_3164.search(text):
        return Detection(ArtifactKind.LOG_SAMPLE, "syslog RFC 3164")
    if re.search(r"^otvet_questionnaire\s*:", text, re.MULTILINE):
        return Detection(ArtifactKind.QUESTIONNAIRE, "otvet questionnaire YAML")
    if re.search(r"^otvet_bundle\s*:", text, re.MULTILINE):
        return Detection(ArtifactKind.MANIFEST, "otvet bundle manifest")
    if re.search(r"^otvet_config\s*:", text, re.MULTILINE):
        return Detection(ArtifactKind.CONFIG, "otvet configuration export YAML")
    if _looks_like_json_lines(lines):
        return Detection(ArtifactKind.LOG_SAMPLE, "JSON lines log")
    return None


def _looks_like_json_lines(lines: list[str]) -> bool:
    if len(lines) < 2 or not all(ln.lstrip().startswith("{") for ln in lines[:20]):
        return False
    return any(key in lines[0] for key in ('"time"', '"timestamp"', '"@timestamp"', '"class_uid"'))


_DOCUMENT_SUFFIXES = {".md", ".txt", ".rst", ".html", ".htm", ".adoc"}
_PACKAGE_SUFFIXES = {
    ".bin",
    ".img",
    ".fw",
    ".swu",
    ".raucb",
    ".hex",
    ".pkg",
    ".upd",
    ".tar",
    ".gz",
    ".tgz",
    ".xz",
}


def _binary_kind(view: View) -> Detection | None:
    head = view.head
    if head.startswith(b"%PDF-"):
        return Detection(ArtifactKind.DOCUMENT, "PDF")
    if head.startswith(b"\x30\x82") and view.name.endswith((".p7s", ".p7m", ".sig", ".cms", ".der")):
        return Detection(ArtifactKind.SIGNATURE, "CMS/PKCS#7 signature (DER)")
    if head[:1] in (b"\x88", b"\x89", b"\xc2") and view.name.endswith((".sig", ".gpg", ".pgp")):
        return Detection(ArtifactKind.SIGNATURE, "OpenPGP signature (binary)")
    suffix = PurePosixPath(view.name).suffix.lower()
    if view.text is None and suffix in _PACKAGE_SUFFIXES:
        return Detection(ArtifactKind.UPDATE_PACKAGE, f"binary package ({suffix})")
    if view.text is not None and suffix in _DOCUMENT_SUFFIXES:
        return Detection(ArtifactKind.DOCUMENT, "Markdown" if suffix == ".md" else "text document")
    return None


SNIFFERS: tuple[tuple[str, Sniffer], ...] = (
    ("json", _json_kind),
    ("xml", _xml_kind),
    ("text", _text_kind),
    ("binary", _binary_kind),
)
"""The explicit table of sniffers, most specific first."""


def _office_kind(path: Path, name: str) -> Detection | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                info = archive.getinfo("xl/workbook.xml")
                if info.file_size <= 1024 * 1024:
                    data = archive.read(info)
                    if b'name="Questionnaire"' in data:
                        return Detection(ArtifactKind.QUESTIONNAIRE, "otvet questionnaire XLSX")
                return Detection(ArtifactKind.DOCUMENT, "XLSX workbook")
            if "word/document.xml" in names:
                return Detection(ArtifactKind.DOCUMENT, "DOCX document")
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    suffix = PurePosixPath(name).suffix.lower()
    return Detection(
        ArtifactKind.UPDATE_PACKAGE if suffix in _PACKAGE_SUFFIXES else ArtifactKind.UNKNOWN, "zip archive"
    )


def detect(path: Path, name: str, *, limits: Limits = DEFAULT_LIMITS) -> Detection:
    """Recognise a file; unknown content is ``ArtifactKind.UNKNOWN`` (still hashed and listed)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path, name) or Detection(ArtifactKind.UNKNOWN, "zip archive")
    text: str | None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the head boundary is still text.
        text = head[: exc.start].decode("utf-8-sig") if exc.start > len(head) - 4 else None
    if text is not None and "\x00" in text:
        text = None
    document: Any = None
    broken: FormatError | LimitExceeded | None = None
    looks_json = text is not None and _starts_like_json(text)
    if looks_json and size <= min(JSON_PARSE_LIMIT, limits.max_file_bytes):
        try:
            document = parse_json(path.read_bytes(), name, limits=limits)
        except (FormatError, LimitExceeded) as exc:
            broken = exc
    view = View(name=name, head=head, size=size, document=document, text=text)
    if looks_json and document is None and text is not None:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if not _looks_like_json_lines(lines):  # JSON lines never parse whole, and need not
            by_head = json_head_kind(text)
            if by_head is not None or broken is not None:
                return _unparsed(by_head, broken)
    for _, sniffer in SNIFFERS:
        found = sniffer(view)
        if found is not None:
            return found
    if text is not None:
        return Detection(ArtifactKind.DOCUMENT, "text")
    return Detection(ArtifactKind.UNKNOWN, None)


_JSON_START = re.compile(r'\s*(?:\{|\[[\s\[]*(?:[{"\-\d\]]|true\b|false\b|null\b))')


def _starts_like_json(text: str) -> bool:
    """``{``, or ``[`` followed by a JSON value: INI/TOML sections (``[server]``, ``[[bin]]``) are not JSON."""
    return _JSON_START.match(text) is not None


def _unparsed(by_head: Detection | None, broken: FormatError | LimitExceeded | None) -> Detection:
    """A JSON file recognised by its head (too large to parse, or broken), with the parse error."""
    found = by_head or Detection(ArtifactKind.UNKNOWN, "malformed JSON")
    if broken is None:
        return found
    listed = f"{found.kind.value} ({found.format})" if by_head else "unknown (malformed JSON)"
    return Detection(
        found.kind,
        found.format,
        problem=f"the file starts like JSON but cannot be read: {broken.message}; it is listed as {listed}",
        where=broken.location.where if broken.location else None,
    )
