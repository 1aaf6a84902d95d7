"""The tamper-evident audit log: append, checkpoint, prove, verify.

Each event becomes one row: its sequence number, its canonical JSON body (RFC 8785) and the
RFC 6962 leaf hash of that body. The rows form a Merkle tree; a checkpoint is a C2SP signed
note over (origin, size, root). The database refuses UPDATE and DELETE (triggers installed by
the migration), and anything that still changes history (an administrator who drops the
triggers, a restored backup, a hand-edited SQLite file) is found by :meth:`AuditLog.verify`
against any earlier checkpoint kept outside the database.

An append is one short transaction: a process killed at any moment leaves either the whole
row or nothing, and the log still verifies.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Engine, Integer, MetaData, String, Table, Text, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from otvet.audit.canonical import canonical_json
from otvet.audit.keys import load_or_create_key
from otvet.audit.merkle import MerkleTree, leaf_hash
from otvet.audit.note import CheckpointBody, NoteSigner, NoteVerifier, open_note, parse_checkpoint
from otvet.model.audit import AuditEvent, AuditRecord, AuditVerification, Checkpoint, Outcome
from otvet.model.errors import ConfigurationError, InputError, VerificationError
from otvet.storage import data_home, database_url, engine_for, migrate, redact

SCRIPT_LOCATION = "otvet.audit:migrations"
VERSION_TABLE = "alembic_version_audit"
COMPONENT = "audit"
RECORD_VERSION = 1
_APPEND_ATTEMPTS = 20
_LOCKED_ATTEMPTS = 3
_PG_APPEND_LOCK = 0x6F7476657461  # "otveta": one advisory lock id for appends

metadata = MetaData()
meta_table = Table(
    "audit_meta", metadata, Column("name", String(64), primary_key=True), Column("value", Text)
)
event_table = Table(
    "audit_event",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("leaf_hash", String(64), nullable=False),
    Column("body", Text, nullable=False),
)
checkpoint_table = Table(
    "audit_checkpoint",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InputError("audit event time must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_body(seq: int, event: AuditEvent, *, moment: datetime, host: str, os_user: str) -> dict[str, Any]:
    """The JSON object stored (canonicalised) for an event."""
    return {
        "v": RECORD_VERSION,
        "seq": seq,
        "time": _iso(event.time or moment),
        "action": event.action,
        "actor": event.actor,
        "account": event.account,
        "source_address": event.source_address,
        "source_port": event.source_port,
        "correlation_id": event.correlation_id,
        "outcome": event.outcome.value,
        "description": event.description,
        "details": dict(event.details),
        "host": host,
        "os_user": os_user,
    }


def record_from_body(body: dict[str, Any], leaf: str) -> AuditRecord:
    """An :class:`AuditRecord` from a stored body (raises ``KeyError``/``ValueError`` if malformed)."""
    return AuditRecord(
        seq=int(body["seq"]),
        time=datetime.fromisoformat(str(body["time"]).replace("Z", "+00:00")),
        action=str(body["action"]),
        actor=str(body["actor"]),
        description=str(body["description"]),
        account=body.get("account"),
        source_address=body.get("source_address"),
        source_port=body.get("source_port"),
        correlation_id=body.get("correlation_id"),
        outcome=Outcome(body.get("outcome", "success")),
        details=dict(body.get("details") or {}),
        host=str(body.get("host", "")),
        os_user=str(body.get("os_user", "")),
        leaf_hash=leaf,
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


@dataclass(frozen=True)
class _Row:
    seq: int
    leaf_hash: str
    body: str


class AuditLog:
    """One audit log in one database, signing checkpoints with one key."""

    def __init__(
        self, engine: Engine, signer: NoteSigner | None, *, origin: str, anchor: Path | None = None
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.origin = origin
        self.anchor = anchor
        """A file outside the database holding the latest checkpoint this machine signed: a second
        witness, so a database rolled back or cut together with its stored checkpoints is still caught."""
        self.host = socket.gethostname()
        self.os_user = _os_user()

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, sign: bool = True) -> AuditLog:
        """Open (creating and migrating if needed) the log at ``url`` or ``$OTVET_HOME/audit.sqlite3``.

        ``sign`` loads (or on first use creates) the signing key; a read-only verifier passes False.
        """
        resolved = database_url(COMPONENT, url)
        engine = engine_for(resolved)
        try:
            migrate(engine, SCRIPT_LOCATION, VERSION_TABLE)
            origin = _ensure_origin(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise ConfigurationError(f"cannot open the audit log at {redact(resolved)}: {exc}") from exc
        signer = NoteSigner(origin, load_or_create_key()[0]) if sign else None
        anchor = data_home() / "audit-checkpoints" / f"{origin.rsplit('/', 1)[-1]}.txt"
        return cls(engine, signer, origin=origin, anchor=anchor)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def append(self, event: AuditEvent) -> AuditRecord:
        """Append one event; returns the stored record (with its sequence number and leaf hash)."""
        last_error: Exception | None = None
        locked = 0
        for _ in range(_APPEND_ATTEMPTS):
            try:
                return self._append_once(event)
            except IntegrityError as exc:  # a concurrent writer took the number: take the next one
                last_error = exc
            except OperationalError as exc:  # locked or snapshot too old; the busy timeout already waited
                last_error = exc
                locked += 1
                if locked >= _LOCKED_ATTEMPTS:
                    break
        raise ConfigurationError(f"could not append to the audit log: {last_error}")

    def _append_once(self, event: AuditEvent) -> AuditRecord:
        moment = datetime.now(UTC)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_APPEND_LOCK})
            current = conn.execute(select(func.max(event_table.c.seq))).scalar_one()
            seq = 0 if current is None else int(current) + 1
            body = canonical_json(
                record_body(seq, event, moment=moment, host=self.host, os_user=self.os_user)
            )
            leaf = leaf_hash(body).hex()
            conn.execute(event_table.insert().values(seq=seq, leaf_hash=leaf, body=body.decode("utf-8")))
        return record_from_body(json.loads(body), leaf)

    def checkpoint(self) -> Checkpoint:
        """Sign and store a checkpoint of the log as it is now.

        Refuses (``VerificationError``) when the log no longer matches the last stored
        checkpoint: a signature over tampered history would launder it.
        """
        if self.signer is None:
            raise ConfigurationError("this audit log was opened without its signing key")
        leaves = self._leaves()
        tree = MerkleTree(leaves)
        previous = self.latest_checkpoint()
        if previous is not None and (
            previous.size > tree.size or tree.root(previous.size).hex() != previous.root_hash
        ):
            raise VerificationError(
                f"the audit log no longer matches its checkpoint at size {previous.size}; "
                "run 'otvet audit verify' before signing new checkpoints"
            )
        anchored = self._anchor_note()
        if anchored is not None:
            try:
                self._check_checkpoint(anchored, self.verifiers(), tree)
            except VerificationError as exc:
                raise VerificationError(
                    f"the audit log no longer matches the checkpoint kept in {self.anchor}: {exc}; "
                    "run 'otvet audit verify' before signing new checkpoints"
                ) from exc
        body = CheckpointBody(origin=self.origin, size=tree.size, root_hash=tree.root())
        note = self.signer.sign(body.text())
        created = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                checkpoint_table.insert().values(
                    size=tree.size, root_hash=body.root_hash.hex(), note=note, created_at=_iso(created)
                )
            )
        self._write_anchor(note)
        return Checkpoint(
            origin=self.origin,
            size=tree.size,
            root_hash=body.root_hash.hex(),
            note=note,
            key_id=self.signer.verifier.hash.hex(),
            created_at=created,
        )

    def _anchor_note(self) -> str | None:
        if self.anchor is None or not self.anchor.is_file():
            return None
        return self.anchor.read_text(encoding="utf-8")

    def _write_anchor(self, note: str) -> None:
        if self.anchor is None:
            return
        self.anchor.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.anchor.with_name(f".{self.anchor.name}.{os.getpid()}.tmp")
        temporary.write_text(note, encoding="utf-8")
        temporary.replace(self.anchor)

    # -- reading ---------------------------------------------------------------------------

    def size(self) -> int:
        """Number of records."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(event_table)).scalar_one())

    def _rows(self, start: int = 0, end: int | None = None) -> Iterator[_Row]:
        query = select(event_table.c.seq, event_table.c.leaf_hash, event_table.c.body).where(
            event_table.c.seq >= start
        )
        if end is not None:
            query = query.where(event_table.c.seq < end)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=2000).execute(query.order_by(event_table.c.seq))
            for seq, leaf, body in result:
                yield _Row(int(seq), str(leaf), str(body))

    def _leaves(self) -> list[bytes]:
        """Stored leaf hashes in sequence order; a gap in the numbering fails (records went missing)."""
        leaves = []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(event_table.c.seq, event_table.c.leaf_hash).order_by(event_table.c.seq)
            )
            for expected, (seq, leaf) in enumerate(rows):
                if seq != expected:
                    raise VerificationError(
                        f"audit record {expected} is missing (the next record is {seq}); run 'otvet audit verify'"
                    )
                leaves.append(bytes.fromhex(leaf))
        return leaves

    def records(self, start: int = 0, end: int | None = None) -> Iterator[AuditRecord]:
        """Stored records in sequence order (unverified: use :meth:`verify` first)."""
        for row in self._rows(start, end):
            yield record_from_body(json.loads(row.body), row.leaf_hash)

    def of_action(self, action: str) -> Iterator[AuditRecord]:
        """Intact records of one action, oldest first (narrowed in the database like :meth:`find`)."""
        return self._matching(canonical_json({"action": action}).decode("utf-8")[1:-1], action)

    def find(self, action: str, key: str, value: str) -> Iterator[AuditRecord]:
        """Records of ``action`` whose ``details[key]`` is ``value`` (e.g. a file's SHA-256), oldest first.

        The database narrows by the canonical text ``"key":"value"`` (RFC 8785 bodies carry no
        whitespace); each hit is then parsed and its body re-hashed against the stored leaf hash,
        so a row whose body was edited in place is never returned. (Whether the log as a whole is
        intact is :meth:`verify`'s job.)
        """
        needle = canonical_json({key: value}).decode("utf-8")[1:-1]
        return (r for r in self._matching(needle, action) if r.details.get(key) == value)

    def _matching(self, needle: str, action: str) -> Iterator[AuditRecord]:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = (
            select(event_table.c.seq, event_table.c.leaf_hash, event_table.c.body)
            .where(event_table.c.body.like(f"%{escaped}%", escape="\\"))
            .order_by(event_table.c.seq)
        )
        with self.engine.connect() as conn:
            rows = [_Row(int(seq), str(leaf), str(body)) for seq, leaf, body in conn.execute(query)]
        for row in rows:
            if leaf_hash(row.body.encode("utf-8")).hex() != row.leaf_hash:
                continue
            record = record_from_body(json.loads(row.body), row.leaf_hash)
            if record.action == action:
                yield record

    def stored_checkpoints(self) -> list[tuple[int, str, str]]:
        """``(size, root hex, note)`` of every stored checkpoint, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    checkpoint_table.c.size, checkpoint_table.c.root_hash, checkpoint_table.c.note
                ).order_by(checkpoint_table.c.id)
            )
            return [(int(size), str(root), str(note)) for size, root, note in rows]

    def latest_checkpoint(self) -> Checkpoint | None:
        """The most recent stored checkpoint, if any (its signature is not checked here)."""
        stored = self.stored_checkpoints()
        if not stored:
            return None
        size, root, note = stored[-1]
        return Checkpoint(origin=self.origin, size=size, root_hash=root, note=note, key_id="")

    def tree(self) -> MerkleTree:
        """The Merkle tree over the stored leaf hashes."""
        return MerkleTree(self._leaves())

    # -- verifying -------------------------------------------------------------------------

    def verifiers(self) -> list[NoteVerifier]:
        """The keys this log trusts by default: its own signing key (when opened with it)."""
        return [self.signer.verifier] if self.signer else []

    def verify(
        self, saved: Iterable[str] = (), verifiers: Sequence[NoteVerifier] | None = None
    ) -> AuditVerification:
        """Recompute the whole log and check it against stored and ``saved`` checkpoint notes.

        Finds: gaps or reordered sequence numbers, bodies that are not canonical or whose stored
        leaf hash differs, and any checkpoint whose size exceeds the log (truncation) or whose
        root differs from the recomputed prefix (edits, reordering, insertion, deletion).
        """
        keys = list(verifiers) if verifiers is not None else self.verifiers()
        problems: list[str] = []
        leaves: list[bytes] = []
        for expected, row in enumerate(self._rows()):
            if row.seq != expected:
                problems.append(f"record numbers jump from {expected - 1} to {row.seq}: records are missing")
            raw = row.body.encode("utf-8")
            leaf = leaf_hash(raw)
            leaves.append(leaf)
            if leaf.hex() != row.leaf_hash:
                problems.append(f"record {row.seq}: its content does not match its stored leaf hash (edited)")
            problems.extend(_body_problems(row, raw))
        tree = MerkleTree(leaves)
        checked: list[Checkpoint] = []
        notes = [
            (f"stored checkpoint {i + 1}", note) for i, (_, _, note) in enumerate(self.stored_checkpoints())
        ]
        anchored = self._anchor_note()
        if anchored is not None:
            notes.append((f"local checkpoint {self.anchor}", anchored))
        notes += [(f"saved checkpoint {i + 1}", note) for i, note in enumerate(saved)]
        if not keys and notes:
            problems.append("no checkpoint verifier key is available, so no checkpoint could be checked")
        for label, note in notes if keys else []:
            try:
                checked.append(self._check_checkpoint(note, keys, tree))
            except VerificationError as exc:
                problems.append(f"{label}: {exc}")
        return AuditVerification(
            origin=self.origin,
            size=tree.size,
            root_hash=tree.root().hex(),
            checkpoints_checked=tuple(checked),
            problems=tuple(problems),
        )

    def _check_checkpoint(self, note: str, keys: Sequence[NoteVerifier], tree: MerkleTree) -> Checkpoint:
        opened = open_note(note, keys)
        body = parse_checkpoint(opened.text)
        if body.origin != self.origin:
            raise VerificationError(f"belongs to log {body.origin!r}, not {self.origin!r}")
        if body.size > tree.size:
            raise VerificationError(
                f"covers {body.size} records but the log holds only {tree.size}: the log was truncated"
            )
        if tree.root(body.size) != body.root_hash:
            raise VerificationError(
                f"the first {body.size} records no longer hash to the signed root: "
                "records were edited, reordered, inserted or removed"
            )
        return Checkpoint(
            origin=body.origin,
            size=body.size,
            root_hash=body.root_hash.hex(),
            note=note,
            key_id=opened.verified_by.hash.hex(),
        )


def _body_problems(row: _Row, raw: bytes) -> list[str]:
    try:
        body = json.loads(raw)
    except ValueError:
        return [f"record {row.seq}: body is not JSON"]
    problems = []
    if not isinstance(body, dict):
        return [f"record {row.seq}: body is not a JSON object"]
    try:
        if canonical_json(body) != raw:
            problems.append(f"record {row.seq}: body is not in canonical form (altered outside otvet)")
    except InputError:
        problems.append(f"record {row.seq}: body cannot be canonicalised")
    if body.get("seq") != row.seq:
        problems.append(
            f"record {row.seq}: carries sequence number {body.get('seq')!r} (records were reordered or moved)"
        )
    try:
        record_from_body(body, row.leaf_hash)
    except (KeyError, ValueError, TypeError) as exc:
        problems.append(f"record {row.seq}: malformed ({exc})")
    return problems


def _ensure_origin(engine: Engine) -> str:
    """The log's origin, created once (``otvet/audit/<random id>``)."""
    with engine.begin() as conn:
        found = conn.execute(
            select(meta_table.c.value).where(meta_table.c.name == "origin")
        ).scalar_one_or_none()
        if found is not None:
            return str(found)
    origin = f"otvet/audit/{uuid.uuid4().hex[:16]}"
    try:
        with engine.begin() as conn:
            conn.execute(meta_table.insert().values(name="origin", value=origin))
            conn.execute(meta_table.insert().values(name="created_at", value=_iso(datetime.now(UTC))))
    except IntegrityError:  # another process initialised the log first
        with engine.begin() as conn:
            return str(
                conn.execute(select(meta_table.c.value).where(meta_table.c.name == "origin")).scalar_one()
            )
    return origin
