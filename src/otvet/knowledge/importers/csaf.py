"""CSAF importer: advisories and VEX documents from a directory, a zip archive or a file.

Reads every ``*.json`` member one at a time (a vendor's CSAF distribution, a saved copy of a
provider's site, the CISA ICS advisories), and for each CSAF 2.0/2.1 document:

1. checks the ``.sha256``/``.sha512`` file next to it when there is one (CSAF 2.0 section
   7.1.18): a document that does not match its hash file is not imported (it was altered or
   damaged), and the problem names both files;
2. validates it (JSON schema and the CSAF 2.0 mandatory tests, ``formats/csaf/validate.py``);
3. stores the advisory, its resolved products (vendor, family, name, version or version
   range with its reading and confidence, model numbers, SKUs, cpe/purl, relationships), its
   vulnerabilities (CVE, CWE, CVSS, VEX flags), product statuses and remediations.

**Invalid documents are stored, flagged** (``valid = false`` with their first errors), and
every error is reported with the file, JSON pointer and test id (ADR 0045): a vendor saying
"this version is affected" is a fact a buyer must see even when the document breaks a CSAF
rule, and the assessment shows the flag next to each finding. Files that cannot be read, are
not CSAF 2.x, or fail their hash file are skipped with a problem. Provider metadata, ROLIE
feeds and service documents of a distribution are recognised and counted, not imported.
OpenPGP signatures are not checked here: ``otvet csaf check-distribution --trusted-key`` does.

Idempotent like the other importers: an input whose sha256 was completely imported is
skipped; a document is keyed by publisher namespace and tracking id (CSAF 2.0 section 5.1); an
unchanged file is *unchanged*, a changed one *updates* the stored copy unless the stored one
is newer by ``current_release_date`` (kept, counted as *older*).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from packageurl import PackageURL
from sqlalchemy import Connection, Engine

from otvet.formats.csaf.records import extract_advisory
from otvet.formats.csaf.validate import SUPPORTED_VERSIONS, csaf_version, validate_document
from otvet.formats.csaf.versions import read_range
from otvet.knowledge import store
from otvet.knowledge.importers.interface import (
    Tally,
    as_utc,
    begin_dataset,
    finish_dataset,
    identify_input,
    parse_time,
    report,
)
from otvet.knowledge.sources import IMPORT_LIMITS, Member, count_members, iter_members
from otvet.model import (
    NO_PROGRESS,
    FormatError,
    LimitExceeded,
    Problem,
    Progress,
    Severity,
)
from otvet.model.csaf import AdvisoryRecord, CsafProduct, CsafValidation
from otvet.model.vulnerabilities import ImportReport
from otvet.safeio import parse_json

BATCH = 100
"""Advisories per transaction (an advisory brings dozens of product and status rows)."""
MAX_ERRORS_PER_DOCUMENT = 20
"""Validation errors reported (and stored) per document; the count is always complete."""
_HASH_SUFFIXES = (".sha256", ".sha512")
_SUFFIXES = (".json", *(f".json{s}" for s in _HASH_SUFFIXES))
_HEX = re.compile(r"^[0-9a-fA-F]{64}(?:[0-9a-fA-F]{64})?$")


@dataclass
class _Document:
    """A CSAF file waiting for its hash files (they sort right after it)."""

    member: Member
    hashes: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Advisory:
    """One document ready to be stored."""

    key: str
    file: str
    sha256: str
    record: AdvisoryRecord
    validation: CsafValidation
    self_url: str | None
    current: datetime | None
    initial: datetime | None


class CsafImporter:
    """Imports CSAF advisories and VEX documents."""

    source: ClassVar[str] = "csaf"
    title: ClassVar[str] = "CSAF 2.0/2.1 advisories (directory, zip or file)"

    def run(
        self, engine: Engine, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        sha, done = identify_input(engine, self.source, path, progress=progress)
        if done is not None:
            return done
        dataset_id = begin_dataset(engine, self.source, path.name, sha, now)
        tally = Tally()
        writer = _Writer(engine, dataset_id, tally, now, str(path))
        skipped: dict[str, int] = {}
        progress.start(f"Importing CSAF {path.name}", count_members(path, (".json",)))
        for document in _documents(path, tally):
            progress.advance(1)
            advisory = self._read(path, document, tally, skipped)
            if advisory is not None:
                tally.records += 1
                writer.add(advisory)
        writer.flush()
        progress.finish()
        finish_dataset(engine, dataset_id, tally)
        note = None
        if skipped:
            note = "not imported (distribution files, not advisories): " + ", ".join(
                f"{count} {kind}" for kind, count in sorted(skipped.items())
            )
        invalid = writer.invalid
        if invalid:
            note = (f"{note}; " if note else "") + (
                f"{invalid} document(s) failed CSAF validation and were stored flagged as invalid"
            )
        return report(self.source, path, sha, tally, dataset_id, note=note)

    def _read(
        self, root: Path, document: _Document, tally: Tally, skipped: dict[str, int]
    ) -> _Advisory | None:
        member = document.member
        shown = str(root)

        def problem(message: str, where: str | None = None, severity: Severity = Severity.ERROR) -> None:
            tally.problem(Problem(shown, message, where or member.name, severity, source="import"))

        try:
            doc = parse_json(member.data, member.name, limits=IMPORT_LIMITS)
        except (FormatError, LimitExceeded) as exc:
            where = exc.location.where if exc.location and exc.location.where else None
            problem(f"not imported: {exc.message}", f"{member.name} {where}" if where else None)
            return None
        kind = _distribution_file(doc)
        if kind is not None:
            skipped[kind] = skipped.get(kind, 0) + 1
            return None
        version = csaf_version(doc)
        if not isinstance(doc, dict) or not isinstance(doc.get("document"), dict):
            problem("not imported: not a CSAF document (no /document object)")
            return None
        if version not in SUPPORTED_VERSIONS:
            problem(f"not imported: not a CSAF 2.0 or 2.1 document (csaf_version {version!r})")
            return None
        sha256 = hashlib.sha256(member.data).hexdigest()
        for suffix, content in sorted(document.hashes.items()):
            verdict = _check_hash(member.data, content, suffix)
            if verdict is not None:
                severity = Severity.WARNING if verdict.startswith("unreadable") else Severity.ERROR
                problem(
                    verdict if severity is Severity.WARNING else f"not imported: {verdict}",
                    f"{member.name}{suffix}",
                    severity,
                )
                if severity is Severity.ERROR:
                    return None
        validation = validate_document(doc, member.name, optional=False)
        errors = validation.errors
        for issue in errors[:MAX_ERRORS_PER_DOCUMENT]:
            problem(
                f"[CSAF {issue.test_id}] {issue.message} (stored, flagged invalid)",
                f"{member.name} {issue.pointer or '/'}",
            )
        if len(errors) > MAX_ERRORS_PER_DOCUMENT:
            problem(f"{len(errors) - MAX_ERRORS_PER_DOCUMENT} further CSAF errors not listed")
        record = extract_advisory(doc, member.name)
        namespace = (record.publisher_namespace or "").strip().rstrip("/")
        tracking = record.advisory_id.strip()
        # NOTE: CSAF 2.0 section 5.1: publisher namespace and tracking id identify a document;
        # a document lacking either is keyed by its content so it is never merged with another.
        key = f"{namespace}#{tracking}" if namespace and tracking else f"sha256:{sha256}"
        return _Advisory(
            key=key[:700],
            file=member.name,
            sha256=sha256,
            record=record,
            validation=validation,
            self_url=_self_url(doc),
            current=parse_time(record.current_release_date),
            initial=parse_time(record.initial_release_date),
        )


def _documents(path: Path, tally: Tally) -> Iterator[_Document]:
    """CSAF files with their hash files. Members come sorted by name, so ``x.json.sha512``
    arrives right after ``x.json``; a document is released once a member arrives that cannot
    be one of its hash files."""
    problems: list[Problem] = []
    pending: dict[str, _Document] = {}

    def release(before: str | None) -> Iterator[_Document]:
        for name in list(pending):
            if before is None or not before.startswith(name):
                yield pending.pop(name)

    for member in iter_members(path, _SUFFIXES, problems):
        while problems:
            tally.problem(problems.pop(0))
        lowered = member.name.lower()
        suffix = next((s for s in _HASH_SUFFIXES if lowered.endswith(f".json{s}")), None)
        if suffix is not None:
            owner = member.name[: -len(suffix)]
            if owner in pending:
                pending[owner].hashes[suffix] = member.data
            continue
        yield from release(member.name)
        pending[member.name] = _Document(member)
        if path.is_file() and member.name == path.name:
            # a single file: its hash files lie next to it
            for suffix in _HASH_SUFFIXES:
                sibling = path.with_name(path.name + suffix)
                if sibling.is_file() and not sibling.is_symlink() and sibling.stat().st_size < 4096:
                    pending[member.name].hashes[suffix] = sibling.read_bytes()
    while problems:
        tally.problem(problems.pop(0))
    yield from release(None)


def _check_hash(data: bytes, content: bytes, suffix: str) -> str | None:
    """None when the hash file matches, else why not."""
    text = content.decode("utf-8", "replace").strip()
    first = text.split()[0] if text.split() else ""
    if not _HEX.match(first):
        return (
            "unreadable hash file (expected '<hex digest>  <file name>'); the document was imported unchecked"
        )
    algorithm = hashlib.sha256 if suffix == ".sha256" else hashlib.sha512
    if len(first) != algorithm().digest_size * 2:
        return "unreadable hash file (digest of the wrong length); the document was imported unchecked"
    if algorithm(data).hexdigest() != first.lower():
        return f"the document does not match its {suffix[1:].upper()} hash file (altered or damaged)"
    return None


def _distribution_file(doc: Any) -> str | None:
    """Which CSAF distribution file a non-advisory JSON document is (CSAF 2.0 section 7)."""
    if not isinstance(doc, dict):
        return None
    if "document" in doc:
        return None
    if "canonical_url" in doc and ("role" in doc or "publisher" in doc):
        return "provider or aggregator metadata"
    if "aggregator" in doc:
        return "aggregator metadata"
    if isinstance(doc.get("feed"), dict):
        return "ROLIE feed"
    if isinstance(doc.get("service"), dict) or isinstance(doc.get("categories"), dict):
        return "ROLIE service or category document"
    return None


def _self_url(doc: dict[str, Any]) -> str | None:
    for ref in doc["document"].get("references") or []:
        if isinstance(ref, dict) and ref.get("category") == "self" and isinstance(ref.get("url"), str):
            return str(ref["url"])[:2000]
    return None


def cpe_key(cpe: str | None) -> str | None:
    """``part:vendor:product`` of a CPE 2.3 (or 2.2 URI) name, lower case."""
    if not cpe:
        return None
    text = cpe.strip().lower()
    if text.startswith("cpe:2.3:"):
        parts = text.split(":")
        return ":".join(parts[2:5])[:500] if len(parts) > 4 else None
    if text.startswith("cpe:/"):
        parts = text[5:].split(":")
        return ":".join(parts[:3])[:500] if len(parts) > 2 else None
    return None


def purl_key(purl: str | None) -> str | None:
    """``type/namespace/name`` of a purl, lower case."""
    if not purl:
        return None
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    namespace = f"{parsed.namespace}/" if parsed.namespace else ""
    return f"{parsed.type}/{namespace}{parsed.name}".lower()[:600]


def _product_row(product: CsafProduct) -> dict[str, Any]:
    parsed: list[list[list[str]]] | None = None
    confidence = reason = None
    if product.version_range is not None:
        reading = read_range(product.version_range)
        confidence, reason = reading.confidence.value, reading.reason
        if reading.parsed:
            parsed = [[[c.operator, c.version] for c in group] for group in reading.alternatives]
    return {
        "product_id": product.product_id[:200],
        "name": product.name,
        "vendor": product.vendor.strip()[:500] if product.vendor else None,
        "product_family": product.product_family,
        "product_name": product.product_name,
        "version": product.version,
        "version_range": product.version_range,
        "range_confidence": confidence,
        "range_reason": reason,
        "range_parsed": json.dumps(parsed) if parsed is not None else None,
        "cpe": product.cpe,
        "purl": product.purl,
        "cpe_key": cpe_key(product.cpe),
        "purl_key": purl_key(product.purl),
        "model_numbers": json.dumps(list(product.model_numbers)),
        "skus": json.dumps(list(product.skus)),
        "serial_numbers": json.dumps(list(product.serial_numbers)),
        "hashes": json.dumps([list(h) for h in product.hashes]),
        "relationship": json.dumps(list(product.relationship)) if product.relationship else None,
        "location": product.location,
    }


class _Writer:
    """Writes advisories in batches, idempotently (see the module docstring)."""

    def __init__(self, engine: Engine, dataset_id: int, tally: Tally, now: datetime, shown: str) -> None:
        self._engine = engine
        self._dataset_id = dataset_id
        self._tally = tally
        self._now = now
        self._shown = shown
        self._pending: dict[str, _Advisory] = {}
        self._seen: dict[str, str] = {}
        self.invalid = 0

    def add(self, advisory: _Advisory) -> None:
        """Queue an advisory; a second document with the same key keeps the newer one."""
        first = self._seen.get(advisory.key)
        if first is not None:
            self._tally.problem(
                Problem(
                    self._shown,
                    f"same publisher namespace and tracking id as {first}; the newer revision is kept",
                    advisory.file,
                    Severity.WARNING,
                    source="import",
                )
            )
            queued = self._pending.get(advisory.key)
            if queued is not None:
                if _newer(queued, advisory):
                    self._tally.older += 1
                    return
                self._tally.older += 1
        self._seen.setdefault(advisory.key, advisory.file)
        self._pending[advisory.key] = advisory
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the queued advisories in one transaction."""
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        a = store.advisory
        with self._engine.begin() as conn:
            existing = {
                row.doc_key: row
                for row in conn.execute(
                    sa.select(a.c.pk, a.c.doc_key, a.c.file_sha256, a.c.current_release_date).where(
                        a.c.doc_key.in_(list(batch))
                    )
                )
            }
            for advisory in batch.values():
                self._tally.saw_date(advisory.current or advisory.initial)
                if not advisory.validation.valid:
                    self.invalid += 1
                stored = existing.get(advisory.key)
                if stored is None:
                    pk = self._insert(conn, advisory)
                    self._children(conn, pk, advisory)
                    self._tally.added += 1
                elif stored.file_sha256 == advisory.sha256:
                    self._tally.unchanged += 1
                elif _older_than(advisory.current, as_utc(stored.current_release_date)):
                    self._tally.older += 1
                else:
                    self._delete_children(conn, int(stored.pk))
                    conn.execute(sa.update(a).where(a.c.pk == stored.pk).values(**self._row(advisory)))
                    self._children(conn, int(stored.pk), advisory)
                    self._tally.updated += 1

    def _row(self, advisory: _Advisory) -> dict[str, Any]:
        record = advisory.record
        errors = advisory.validation.errors
        return {
            "dataset_id": self._dataset_id,
            "doc_key": advisory.key,
            "tracking_id": record.advisory_id[:200] or "?",
            "publisher": record.publisher or "?",
            "publisher_namespace": record.publisher_namespace,
            "publisher_category": (record.publisher_category or "")[:40] or None,
            "title": record.title,
            "category": record.category[:100] or "?",
            "csaf_version": record.csaf_version[:10],
            "tracking_status": (record.status or "")[:20] or None,
            "tracking_version": (record.version or "")[:50] or None,
            "initial_release_date": advisory.initial,
            "current_release_date": advisory.current,
            "self_url": advisory.self_url,
            "source_file": advisory.file,
            "file_sha256": advisory.sha256,
            "valid": advisory.validation.valid,
            "validation_errors": len(errors),
            "validation_issues": json.dumps([str(i) for i in errors[:MAX_ERRORS_PER_DOCUMENT]]),
            "imported_at": self._now,
        }

    def _insert(self, conn: Connection, advisory: _Advisory) -> int:
        result = conn.execute(sa.insert(store.advisory).values(**self._row(advisory)))
        key = result.inserted_primary_key
        if key is None:  # pragma: no cover  # every supported dialect returns the key
            raise RuntimeError("the database did not return the new advisory id")
        return int(key[0])

    @staticmethod
    def _delete_children(conn: Connection, pk: int) -> None:
        v = store.advisory_vuln
        vulns = sa.select(v.c.pk).where(v.c.advisory_pk == pk).scalar_subquery()
        conn.execute(sa.delete(store.advisory_status).where(store.advisory_status.c.vuln_pk.in_(vulns)))
        conn.execute(
            sa.delete(store.advisory_remediation).where(store.advisory_remediation.c.vuln_pk.in_(vulns))
        )
        conn.execute(sa.delete(v).where(v.c.advisory_pk == pk))
        conn.execute(sa.delete(store.advisory_product).where(store.advisory_product.c.advisory_pk == pk))

    @staticmethod
    def _children(conn: Connection, pk: int, advisory: _Advisory) -> None:
        record = advisory.record
        if record.products:
            conn.execute(
                sa.insert(store.advisory_product),
                [{**_product_row(p), "advisory_pk": pk} for p in record.products],
            )
        statuses: list[dict[str, Any]] = []
        remediations: list[dict[str, Any]] = []
        for position, vuln in enumerate(record.vulnerabilities):
            best = max(
                (s for s in vuln.scores if s.base_score is not None),
                key=lambda s: s.base_score or 0.0,
                default=None,
            )
            result = conn.execute(
                sa.insert(store.advisory_vuln).values(
                    advisory_pk=pk,
                    position=position,
                    cve=(vuln.cve or "")[:40] or None,
                    ids=json.dumps([list(i) for i in vuln.ids]),
                    title=vuln.title,
                    cwe_id=vuln.cwe[0][:20] if vuln.cwe else None,
                    cwe_name=vuln.cwe[1] if vuln.cwe else None,
                    description=(vuln.description or "")[:4000] or None,
                    release_date=parse_time(vuln.release_date),
                    cvss_score=best.base_score if best else None,
                    cvss_vector=best.vector if best else None,
                    base_severity=(best.base_severity or "")[:16].lower() or None if best else None,
                    scores=json.dumps(
                        [
                            {
                                "version": s.version,
                                "vector": s.vector,
                                "base_score": s.base_score,
                                "base_severity": s.base_severity,
                                "product_ids": list(s.product_ids),
                            }
                            for s in vuln.scores
                        ]
                    ),
                    flags=json.dumps([[label, list(ids)] for label, ids in vuln.flags]),
                )
            )
            key = result.inserted_primary_key
            if key is None:  # pragma: no cover
                raise RuntimeError("the database did not return the new vulnerability id")
            vuln_pk = int(key[0])
            positions: dict[str, int] = {}
            for entry in vuln.statuses:
                index = positions.get(entry.status, 0)
                positions[entry.status] = index + 1
                statuses.append(
                    {
                        "vuln_pk": vuln_pk,
                        "product_id": entry.product.product_id[:200],
                        "status": entry.status,
                        "position": index,
                    }
                )
            remediations.extend(
                {
                    "vuln_pk": vuln_pk,
                    "category": rem.category[:32],
                    "details": rem.details,
                    "url": rem.url,
                    "date": (rem.date or "")[:40] or None,
                    "product_ids": json.dumps(list(rem.product_ids)),
                }
                for rem in vuln.remediations
            )
        if statuses:
            conn.execute(sa.insert(store.advisory_status), statuses)
        if remediations:
            conn.execute(sa.insert(store.advisory_remediation), remediations)


def _older_than(new: datetime | None, stored: datetime | None) -> bool:
    return new is not None and stored is not None and new < stored


def _newer(a: _Advisory, b: _Advisory) -> bool:
    """Whether ``a`` is a newer revision than ``b`` (by current release date)."""
    return a.current is not None and b.current is not None and a.current > b.current
