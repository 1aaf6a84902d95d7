"""Audit log types: events as callers describe them, records as the log stores them, checkpoints.

The fields follow the Secure by Demand guide's list for event records (Logging element: "a
timestamp, source address and port, affected account details, correlation identifier, and
event description"), plus who acted and a monotonic sequence number assigned by the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """Whether the recorded action succeeded."""

    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class AuditEvent:
    """Something that happened, as the caller describes it.

    The log adds the sequence number, the time (unless given) and the host.
    """

    action: str
    """Machine-readable action, ``<area>.<verb>``: ``update.approve``, ``assess.run``, ``trust.add``."""
    actor: str
    """Who did it (a person's user name, or ``otvet`` for the tool itself)."""
    description: str
    """One sentence an operator understands."""
    account: str | None = None
    """The affected account, when the action concerns one (guide: "affected account details")."""
    source_address: str | None = None
    """Network address the action came from, where there is one (a web client, a device)."""
    source_port: int | None = None
    correlation_id: str | None = None
    """Ties related events together, e.g. an update intake id or an assessment id."""
    outcome: Outcome = Outcome.SUCCESS
    details: Mapping[str, Any] = field(default_factory=dict)
    """JSON values only (strings, numbers, booleans, null, lists, objects); digests, ids, paths."""
    time: datetime | None = None
    """When it happened (timezone-aware); the log's clock when None."""


@dataclass(frozen=True)
class AuditRecord:
    """An event as stored in the log: numbered, timed, hashed."""

    seq: int
    """Monotonic sequence number, 0 for the first event, without gaps."""
    time: datetime
    action: str
    actor: str
    description: str
    account: str | None
    source_address: str | None
    source_port: int | None
    correlation_id: str | None
    outcome: Outcome
    details: Mapping[str, Any]
    host: str
    """The machine that wrote the record."""
    os_user: str
    """The operating-system account of the writing process (may differ from :attr:`actor`)."""
    leaf_hash: str
    """RFC 6962 leaf hash (hex) of the record's canonical JSON: SHA-256(0x00 || body)."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the log's size and Merkle root (C2SP checkpoint in a signed note)."""

    origin: str
    """The log's identity, first line of the checkpoint (also the signing key's name)."""
    size: int
    root_hash: str
    """Merkle tree hash (hex) of the first :attr:`size` records."""
    note: str
    """The whole signed note text, as written to files and exchanged with auditors."""
    key_id: str
    """Hex of the 4-byte key hash of the signature that was verified or made."""
    created_at: datetime | None = None


@dataclass(frozen=True)
class AuditVerification:
    """What ``otvet audit verify`` found. Raised as an error when anything is wrong."""

    origin: str
    size: int
    """Records in the log now."""
    root_hash: str
    """Merkle root of the whole log now (hex)."""
    checkpoints_checked: tuple[Checkpoint, ...]
    """Saved and stored checkpoints that matched the log."""
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems
