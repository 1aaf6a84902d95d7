"""Audit services for the shells and for every other service: record, checkpoint, verify, export.

``record(event)`` is the one call the rest of the product uses to leave a trace; it appends to
the log at ``$OTVET_AUDIT_URL`` (any SQLAlchemy URL: SQLite or PostgreSQL) or, by default,
``$OTVET_HOME/audit.sqlite3``. Actions a person takes through the CLI end with
:func:`seal`, which signs a fresh checkpoint so the latest state is always covered.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import os
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from otvet.audit import AuditLog, NoteVerifier, ocsf_lines, syslog_lines, verify_consistency, verify_inclusion
from otvet.audit.export import DOCUMENTATION_PEN
from otvet.model import Assessment, InputError, Location, VerificationError
from otvet.model.audit import AuditEvent, AuditRecord, AuditVerification, Checkpoint
from otvet.safeio import read_text

__all__ = [
    "DOCUMENTATION_PEN",
    "EXPORT_FORMATS",
    "AuditLogTampered",
    "AuditTrail",
    "DefaultTrail",
    "EvidenceLedger",
    "Proof",
    "assessment_event",
    "audit_log",
    "close_all",
    "current_user",
    "default_trail",
    "export",
    "produced_among",
    "produced_here",
    "prove_consistency",
    "prove_inclusion",
    "record",
    "records",
    "seal",
    "verifier_key",
    "verify_log",
    "write_checkpoint",
]

URL_VARIABLE = "OTVET_AUDIT_URL"
EXPORT_FORMATS = ("ocsf", "syslog")

_logs: dict[str, AuditLog] = {}
_lock = threading.Lock()


class AuditTrail(Protocol):
    """What services need to leave a trace (the orchestrator takes one)."""

    def record(self, event: AuditEvent) -> AuditRecord:
        """Append an event."""
        ...


def current_user() -> str:
    """The operating-system login name, the default actor of CLI actions."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def audit_log(url: str | None = None) -> AuditLog:
    """The audit log at ``url`` (default ``$OTVET_AUDIT_URL``, else the SQLite file), opened once per process."""
    chosen = url or os.environ.get(URL_VARIABLE) or ""
    key = f"{chosen}|{os.environ.get('OTVET_HOME', '')}|{os.environ.get('OTVET_AUDIT_KEY', '')}"
    with _lock:
        log = _logs.get(key)
        if log is None:
            log = AuditLog.open(chosen or None)
            _logs[key] = log
        return log


def close_all() -> None:
    """Close every opened log (tests switching ``OTVET_HOME`` call this)."""
    with _lock:
        for log in _logs.values():
            log.close()
        _logs.clear()


def record(event: AuditEvent, *, url: str | None = None) -> AuditRecord:
    """Append an event to the audit log. Failing to record fails the action (no unaudited actions)."""
    return audit_log(url).append(event)


def seal(*, url: str | None = None) -> Checkpoint:
    """Sign a checkpoint of the log as it is now (end of every CLI action)."""
    return audit_log(url).checkpoint()


PRODUCING: dict[str, str] = {"probe.run": "result_sha256", "update.verify": "report_sha256"}
"""Actions that write an evidence file, and the detail that records the file's SHA-256."""


@runtime_checkable
class EvidenceLedger(Protocol):
    """Whether this installation produced a given evidence file (ADR 0070)."""

    def produced(self, sha256: str) -> AuditRecord | None:
        """The audit record of producing a file with this SHA-256 (a probe result, a
        verification report), or None when this installation never recorded making it."""
        ...

    def produced_among(self, digests: Collection[str]) -> Mapping[str, AuditRecord]:
        """:meth:`produced` for many files at once (one pass over the log, however many files a
        bundle holds): SHA-256 -> the first record that wrote it, for the ones produced here."""
        ...


def produced_here(sha256: str, *, url: str | None = None) -> AuditRecord | None:
    """The first ``probe.run`` or ``update.verify`` record that wrote a file with this SHA-256."""
    log = audit_log(url)
    for action, key in PRODUCING.items():
        for found in log.find(action, key, sha256):
            return found
    return None


def produced_among(digests: Collection[str], *, url: str | None = None) -> dict[str, AuditRecord]:
    """SHA-256 -> first producing record, for those of ``digests`` this installation wrote."""
    wanted = set(digests)
    found: dict[str, AuditRecord] = {}
    if not wanted:
        return found
    log = audit_log(url)
    for action, key in PRODUCING.items():
        for item in log.of_action(action):
            value = item.details.get(key)
            if isinstance(value, str) and value in wanted:
                found.setdefault(value, item)
    return found


class DefaultTrail:
    """The :class:`AuditTrail` backed by the default log; records and seals each event.

    It is also the :class:`EvidenceLedger` of that log: an assessment recorded in this log
    recognises the probe results and verification reports this log says were made here.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url

    def record(self, event: AuditEvent) -> AuditRecord:
        stored = record(event, url=self.url)
        seal(url=self.url)
        return stored

    def produced(self, sha256: str) -> AuditRecord | None:
        return produced_here(sha256, url=self.url)

    def produced_among(self, digests: Collection[str]) -> Mapping[str, AuditRecord]:
        return produced_among(digests, url=self.url)


def default_trail(url: str | None = None) -> AuditTrail:
    """The audit trail the CLI hands to services that record their work."""
    return DefaultTrail(url)


def assessment_event(assessment: Assessment, actor: str | None = None) -> AuditEvent:
    """The audit event of one assessment (who assessed which evidence, with what result)."""
    artifacts = hashlib.sha256(
        "\n".join(sorted(f"{a.sha256}  {a.path}" for a in assessment.artifacts)).encode()
    ).hexdigest()
    scores = assessment.scores
    return AuditEvent(
        action="assess.run",
        actor=actor or current_user(),
        description=(
            f"assessed {assessment.product.label} under profile {assessment.profile_id}: "
            f"score {scores.overall:.0f}/100, {len(assessment.blockers)} blocker(s)"
        ),
        correlation_id=f"assess-{artifacts[:16]}",
        details={
            "bundle": assessment.provenance.bundle_source,
            "artifacts_sha256": artifacts,
            "artifacts": len(assessment.artifacts),
            "buyer_evidence": [
                f"{a.path} ({a.origin.value})" for a in assessment.artifacts if a.origin.is_buyers
            ],
            "profile": assessment.profile_id,
            "catalog": f"{assessment.provenance.catalog_id} {assessment.provenance.catalog_version}",
            "score": round(scores.overall, 2),
            "blockers": [b.criterion_id for b in assessment.blockers],
            "otvet_version": assessment.provenance.otvet_version,
        },
    )


def verifier_key(url: str | None = None) -> str:
    """The log's checkpoint verifier key (``<origin>+<hash>+<key>``), to give to auditors."""
    log = audit_log(url)
    if log.signer is None:
        raise VerificationError("the audit log has no signing key")
    return str(log.signer.verifier)


def write_checkpoint(target: Path | None = None, *, url: str | None = None) -> Checkpoint:
    """Sign a checkpoint now and, when ``target`` is given, write the note there."""
    checkpoint = seal(url=url)
    if target is not None:
        _write_atomically(target, checkpoint.note)
    return checkpoint


def _write_atomically(target: Path, content: str) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(content, encoding="utf-8")
    temporary.replace(target)


def _read_keys(keys: Sequence[str]) -> list[NoteVerifier]:
    parsed: list[NoteVerifier] = []
    for key in keys:
        candidate = Path(key)
        text = read_text(candidate).strip() if candidate.is_file() else key
        parsed.extend(NoteVerifier.parse(line) for line in text.splitlines() if line.strip())
    return parsed


def verify_log(
    checkpoints: Sequence[Path] = (), *, keys: Sequence[str] = (), url: str | None = None
) -> AuditVerification:
    """Verify the whole log offline against stored checkpoints and the ``checkpoints`` files.

    ``keys`` are verifier keys (strings or files); the log's own key is used when none are
    given. Raises :class:`VerificationError` listing every problem found.
    """
    saved = []
    for path in checkpoints:
        if not path.is_file():
            raise InputError("no such checkpoint file", Location(str(path)))
        saved.append(read_text(path))
    log = audit_log(url)
    verifiers = _read_keys(keys) if keys else None
    result = log.verify(saved, verifiers)
    if result.problems:
        raise AuditLogTampered(result)
    return result


class AuditLogTampered(VerificationError):
    """The audit log does not verify; carries the full result."""

    def __init__(self, result: AuditVerification) -> None:
        super().__init__(
            f"the audit log of {result.origin} does not verify ({len(result.problems)} problem(s))"
        )
        self.result = result

    def diagnostics(self) -> str:
        return "\n".join([str(self), *(f"  - {p}" for p in self.result.problems)])


def records(
    *, url: str | None = None, since: int = 0, correlation_id: str | None = None
) -> Iterator[AuditRecord]:
    """Stored records from sequence ``since`` (optionally only one correlation id)."""
    for item in audit_log(url).records(start=since):
        if correlation_id is None or item.correlation_id == correlation_id:
            yield item


def export(
    fmt: str,
    *,
    url: str | None = None,
    since: int = 0,
    enterprise_number: int = DOCUMENTATION_PEN,
) -> Iterator[str]:
    """Export lines in ``fmt`` (``ocsf`` or ``syslog``); the caller writes them."""
    log = audit_log(url)
    chosen = log.records(start=since)
    if fmt == "ocsf":
        return ocsf_lines(chosen, log_name=log.origin)
    if fmt == "syslog":
        return syslog_lines(chosen, log_name=log.origin, enterprise_number=enterprise_number)
    raise InputError(f"unknown export format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")


@dataclass(frozen=True)
class Proof:
    """An inclusion or consistency proof, ready to hand to an auditor as JSON."""

    kind: str
    data: dict[str, Any]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def prove_inclusion(seq: int, *, size: int | None = None, url: str | None = None) -> Proof:
    """An RFC 9162 inclusion proof of record ``seq`` in the tree of ``size`` records (default: all)."""
    log = audit_log(url)
    tree = log.tree()
    size = tree.size if size is None else size
    if not 0 <= seq < size <= tree.size:
        raise InputError(f"no record {seq} in a log of {size} records (the log holds {tree.size})")
    leaf = tree.levels[0][seq]
    path = tree.inclusion_proof(seq, size)
    root = tree.root(size)
    verify_inclusion(seq, size, leaf, path, root)  # never hand out a proof that does not verify
    return Proof(
        "inclusion",
        {
            "origin": log.origin,
            "leaf_index": seq,
            "tree_size": size,
            "leaf_hash": _b64(leaf),
            "root_hash": _b64(root),
            "proof": [_b64(p) for p in path],
        },
    )


def prove_consistency(old_size: int, new_size: int | None = None, *, url: str | None = None) -> Proof:
    """An RFC 9162 consistency proof between two sizes of the log."""
    log = audit_log(url)
    tree = log.tree()
    new_size = tree.size if new_size is None else new_size
    if not 0 <= old_size <= new_size <= tree.size:
        raise InputError(
            f"no consistency proof from {old_size} to {new_size} records (the log holds {tree.size})"
        )
    path = tree.consistency_proof(old_size, new_size)
    old_root, new_root = tree.root(old_size), tree.root(new_size)
    verify_consistency(old_size, new_size, path, old_root, new_root)
    return Proof(
        "consistency",
        {
            "origin": log.origin,
            "size1": old_size,
            "size2": new_size,
            "root1": _b64(old_root),
            "root2": _b64(new_root),
            "proof": [_b64(p) for p in path],
        },
    )
