"""TUF repositories on removable media, verified offline with ``tuf.api.metadata``.

python-tuf's ``ngclient.Updater`` is built around downloading (theupdateframework/python-tuf#2359);
an OT site receives a directory on a USB stick instead. We run the TUF client workflow
(specification section 5) over that directory ourselves, with the Metadata API doing the
cryptography:

1. Root: start from the newest root we trust (the imported ``tuf-root`` or a root verified
   earlier) and walk ``N.root.json`` files: each must be signed by a threshold of the previous
   root's keys and of its own, with version N. The final root must not be expired.
2. Timestamp, snapshot, targets: each signed by its threshold of keys, not expired at the
   verification time (an expired timestamp is a freeze attack), versions and hashes as the
   parent role states, and never older than the versions verified before (rollback attack).
3. The target: found in top-level targets or through delegations (pre-order, bounded), and
   the package must match its length and hashes.

Versions seen are remembered per trusted root (:class:`TufState`), so presenting an older but
validly signed repository later is detected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, Targets, Timestamp

from otvet.model.updates import KeyUse, TrustKind
from otvet.safeio import read_bytes
from otvet.updates.interface import FileInput, Material, SignatureFailure, Verified, VerifyContext
from otvet.updates.store import iso, tuf_state_table

MAX_ROOT_ROTATIONS = 64
MAX_DELEGATIONS = 32


@dataclass(frozen=True)
class TufState:
    """Newest metadata verified for one trusted root (the rollback-protection memory)."""

    root: bytes
    root_version: int
    timestamp_version: int
    snapshot_version: int
    targets_version: int


class _Repo:
    def __init__(self, directory: Path, ctx: VerifyContext) -> None:
        candidate = directory / "metadata"
        self.metadata = candidate if candidate.is_dir() else directory
        self.ctx = ctx

    def read(self, name: str) -> bytes | None:
        path = self.metadata / name
        if not path.is_file() or path.is_symlink():
            return None
        return read_bytes(path, display=name, limits=self.ctx.limits)

    def require(self, name: str) -> bytes:
        data = self.read(name)
        if data is None:
            raise SignatureFailure(f"the TUF repository has no {name}")
        return data


def _load(data: bytes, kind: type[Any], name: str) -> Metadata[Any]:
    try:
        metadata: Metadata[Any] = Metadata.from_bytes(data)
    except Exception as exc:  # DeserializationError, ValueError, KeyError
        raise SignatureFailure(f"{name} is not valid TUF metadata: {exc}") from exc
    if not isinstance(metadata.signed, kind):
        raise SignatureFailure(f"{name} is {metadata.signed.type} metadata, not {kind.type}")
    return metadata


def _delegate(delegator: Root | Targets, role: str, metadata: Metadata[Any], name: str) -> None:
    try:
        delegator.verify_delegate(role, metadata.signed_bytes, metadata.signatures)
    except (RepositoryError, ValueError) as exc:
        raise SignatureFailure(
            f"{name} is not signed by the required threshold of {role} keys: {exc}"
        ) from exc


def _fresh(metadata: Metadata[Any], name: str, ctx: VerifyContext, attack: str) -> None:
    if metadata.signed.is_expired(ctx.at):
        raise SignatureFailure(
            f"{name} expired at {metadata.signed.expires.isoformat()}, before the verification time ({attack})"
        )


def _check_meta(meta: MetaFile, data: bytes, name: str, version: int) -> None:
    if version != meta.version:
        raise SignatureFailure(f"{name} has version {version}, but its parent lists version {meta.version}")
    try:
        meta.verify_length_and_hashes(data)
    except RepositoryError as exc:
        raise SignatureFailure(f"{name} does not match the length or hash its parent lists: {exc}") from exc


def _update_root(repo: _Repo, trusted: Metadata[Root]) -> Metadata[Root]:
    for _ in range(MAX_ROOT_ROTATIONS):
        version = trusted.signed.version + 1
        data = repo.read(f"{version}.root.json")
        if data is None:
            return trusted
        new: Metadata[Root] = _load(data, Root, f"{version}.root.json")
        _delegate(trusted.signed, Root.type, new, f"{version}.root.json (by the previous root)")
        _delegate(new.signed, Root.type, new, f"{version}.root.json (by itself)")
        if new.signed.version != version:
            raise SignatureFailure(f"{version}.root.json claims version {new.signed.version}")
        trusted = new
    raise SignatureFailure(f"more than {MAX_ROOT_ROTATIONS} root rotations in one repository")


def _role_file(repo: _Repo, root: Root, role: str, version: int) -> tuple[str, bytes]:
    names = [f"{version}.{role}.json", f"{role}.json"] if root.consistent_snapshot else [f"{role}.json"]
    for name in names:
        data = repo.read(name)
        if data is not None:
            return name, data
    raise SignatureFailure(f"the TUF repository has no {names[0]}")


def verify_repository(
    directory: Path,
    target: str,
    subject: FileInput,
    material: Material,
    ctx: VerifyContext,
    state: TufState | None,
) -> tuple[Verified, TufState]:
    """Verify ``subject`` as TUF target ``target`` of the repository in ``directory``."""
    if not directory.is_dir():
        raise SignatureFailure(f"{directory} is not a TUF repository directory")
    repo = _Repo(directory, ctx)
    start = state.root if state is not None else material.content
    trusted_root: Metadata[Root] = _load(start, Root, "trusted root")
    root_md = _update_root(repo, trusted_root)
    root = root_md.signed
    _fresh(root_md, f"root v{root.version}", ctx, "the repository's root of trust has expired")
    if state is not None and root.version < state.root_version:
        raise SignatureFailure(
            f"root version {root.version} is older than the trusted version {state.root_version}"
        )

    timestamp_md: Metadata[Timestamp] = _load(repo.require("timestamp.json"), Timestamp, "timestamp.json")
    _delegate(root, Timestamp.type, timestamp_md, "timestamp.json")
    timestamp = timestamp_md.signed
    if state is not None:
        if timestamp.version < state.timestamp_version:
            raise SignatureFailure(
                f"rollback attack: timestamp version {timestamp.version} is older than the version "
                f"{state.timestamp_version} verified before"
            )
        if timestamp.snapshot_meta.version < state.snapshot_version:
            raise SignatureFailure(
                f"rollback attack: the timestamp points to snapshot version {timestamp.snapshot_meta.version}, "
                f"older than the version {state.snapshot_version} verified before"
            )
    _fresh(timestamp_md, "timestamp.json", ctx, "freeze attack: the repository stopped being refreshed")

    name, data = _role_file(repo, root, Snapshot.type, timestamp.snapshot_meta.version)
    snapshot_md: Metadata[Snapshot] = _load(data, Snapshot, name)
    _check_meta(timestamp.snapshot_meta, data, name, snapshot_md.signed.version)
    _delegate(root, Snapshot.type, snapshot_md, name)
    snapshot = snapshot_md.signed
    _fresh(snapshot_md, name, ctx, "freeze attack")

    targets_meta = snapshot.meta.get("targets.json")
    if targets_meta is None:
        raise SignatureFailure("the snapshot lists no targets.json")
    if state is not None and targets_meta.version < state.targets_version:
        raise SignatureFailure(
            f"rollback attack: snapshot lists targets version {targets_meta.version}, older than the version "
            f"{state.targets_version} verified before"
        )
    name, data = _role_file(repo, root, Targets.type, targets_meta.version)
    targets_md: Metadata[Targets] = _load(data, Targets, name)
    _check_meta(targets_meta, data, name, targets_md.signed.version)
    _delegate(root, Targets.type, targets_md, name)
    _fresh(targets_md, name, ctx, "freeze attack")

    target_file, role = _find_target(repo, root, snapshot, targets_md.signed, target, ctx)
    with subject.path.open("rb") as handle:
        try:
            target_file.verify_length_and_hashes(handle)
        except RepositoryError as exc:
            raise SignatureFailure(
                f"{subject.name} does not match TUF target {target!r} signed by role {role}: {exc}"
            ) from exc
    use: KeyUse = material.use()
    new_state = TufState(
        root=bytes(root_md.to_bytes()),
        root_version=root.version,
        timestamp_version=timestamp.version,
        snapshot_version=snapshot.version,
        targets_version=targets_md.signed.version,
    )
    return (
        Verified(
            reason=(
                f"TUF target {target!r} (role {role}) matches {subject.name}; metadata chain root v{root.version} -> "
                f"timestamp v{timestamp.version} -> snapshot v{snapshot.version} -> targets v{targets_md.signed.version} "
                f"verified with thresholds, unexpired at the verification time, no rollback"
            ),
            keys=(use,),
            details={
                "root_version": str(root.version),
                "timestamp_version": str(timestamp.version),
                "snapshot_version": str(snapshot.version),
                "targets_version": str(targets_md.signed.version),
                "target": target,
                "role": role,
            },
        ),
        new_state,
    )


def _find_target(
    repo: _Repo, root: Root, snapshot: Snapshot, top: Targets, target: str, ctx: VerifyContext
) -> tuple[Any, str]:
    """Pre-order depth-first search of the delegation graph (TUF specification 5.6.7)."""
    stack: list[tuple[str, Targets]] = [(Targets.type, top)]
    visited = 0
    while stack and visited <= MAX_DELEGATIONS:
        role_name, role = stack.pop()
        visited += 1
        found = role.targets.get(target)
        if found is not None:
            return found, role_name
        if role.delegations is None:
            continue
        children: list[tuple[str, Targets]] = []
        for child, terminating in role.delegations.get_roles_for_target(target):
            meta = snapshot.meta.get(f"{child}.json")
            if meta is None:
                raise SignatureFailure(f"the snapshot does not list delegated role {child}")
            name, data = _role_file(repo, root, child, meta.version)
            child_md: Metadata[Targets] = _load(data, Targets, name)
            _check_meta(meta, data, name, child_md.signed.version)
            _delegate(role, child, child_md, name)
            _fresh(child_md, name, ctx, "freeze attack")
            children.append((child, child_md.signed))
            if terminating:
                break
        stack.extend(reversed(children))
    raise SignatureFailure(f"no TUF targets role signs a target named {target!r}")


def trusted_roots(ctx: VerifyContext) -> tuple[Material, ...]:
    """The TUF roots the trust store offers."""
    return ctx.trust.of(TrustKind.TUF_ROOT)


class StoredTufStates:
    """TUF client state in the update intake database (implements ``verify.TufStates``)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def get(self, entry_id: str) -> TufState | None:
        """The state remembered for one trusted root."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(tuf_state_table).where(tuf_state_table.c.entry_id == entry_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return TufState(
            root=bytes(row["root"]),
            root_version=int(row["root_version"]),
            timestamp_version=int(row["timestamp_version"]),
            snapshot_version=int(row["snapshot_version"]),
            targets_version=int(row["targets_version"]),
        )

    def put(self, entry_id: str, state: TufState) -> None:
        """Remember a verified state (replacing the older one)."""
        with self.engine.begin() as conn:
            conn.execute(delete(tuf_state_table).where(tuf_state_table.c.entry_id == entry_id))
            conn.execute(
                tuf_state_table.insert().values(
                    entry_id=entry_id,
                    root=state.root,
                    root_version=state.root_version,
                    timestamp_version=state.timestamp_version,
                    snapshot_version=state.snapshot_version,
                    targets_version=state.targets_version,
                    updated_at=iso(datetime.now(UTC)),
                )
            )
