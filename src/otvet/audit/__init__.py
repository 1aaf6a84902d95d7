"""Tamper-evident audit log shared by the whole product.

Every action otvet performs on behalf of a person (an assessment, a verification, an update
approval, a trust-store change) is appended as an :class:`~otvet.model.audit.AuditEvent`
to an RFC 6962 Merkle log in SQLite or PostgreSQL, whose database refuses updates and
deletes, with signed C2SP checkpoints that let anyone detect truncation, edits and
reordering offline. See ``docs/audit-log.md``.
"""

from otvet.audit.canonical import canonical_json
from otvet.audit.export import DOCUMENTATION_PEN, ocsf_lines, syslog_lines, to_ocsf, to_syslog
from otvet.audit.keys import key_path, load_or_create_key
from otvet.audit.log import AuditLog
from otvet.audit.merkle import (
    MerkleTree,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from otvet.audit.note import CheckpointBody, NoteSigner, NoteVerifier, open_note, parse_checkpoint

__all__ = [
    "DOCUMENTATION_PEN",
    "AuditLog",
    "CheckpointBody",
    "MerkleTree",
    "NoteSigner",
    "NoteVerifier",
    "canonical_json",
    "key_path",
    "leaf_hash",
    "load_or_create_key",
    "node_hash",
    "ocsf_lines",
    "open_note",
    "parse_checkpoint",
    "root_from_inclusion_proof",
    "syslog_lines",
    "to_ocsf",
    "to_syslog",
    "verify_consistency",
    "verify_inclusion",
]
