"""A local TUF repository made with ``tuf.api.metadata`` and securesystemslib signers, for tests.

It is written to a directory the way a vendor would put it on removable media:
``metadata/{1,2..}.root.json``, ``timestamp.json``, ``N.snapshot.json``, ``N.targets.json``
(consistent snapshots) and ``targets/``.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from securesystemslib.signer import CryptoSigner, Signer
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

ROLES = ("root", "timestamp", "snapshot", "targets")


class TufRepo:
    """An in-memory TUF repository that can publish its current state to a directory."""

    def __init__(self, *, expires: timedelta = timedelta(days=30)) -> None:
        self.signers: dict[str, list[Signer]] = {role: [CryptoSigner.generate_ed25519()] for role in ROLES}
        self.expires = expires
        root = Root(expires=self._expiry())
        for role in ROLES:
            for signer in self.signers[role]:
                root.add_key(signer.public_key, role)
        self.root: Metadata[Root] = Metadata(root)
        self.roots: list[bytes] = []
        self.targets: Metadata[Targets] = Metadata(Targets(expires=self._expiry()))
        self.snapshot: Metadata[Snapshot] = Metadata(Snapshot(expires=self._expiry()))
        self.timestamp: Metadata[Timestamp] = Metadata(Timestamp(expires=self._expiry()))
        self.files: dict[str, bytes] = {}
        self._sign_root()

    def _expiry(self) -> datetime:
        return (datetime.now(UTC) + self.expires).replace(microsecond=0)

    def _sign(self, metadata: Metadata[object], role: str) -> None:  # type: ignore[type-var]
        metadata.signatures.clear()
        for signer in self.signers[role]:
            metadata.sign(signer, append=True)

    def _sign_root(self, previous: list[Signer] | None = None) -> None:
        self.root.signatures.clear()
        for signer in [*(previous or []), *self.signers["root"]]:
            self.root.sign(signer, append=True)
        self.root_bytes = self.root.to_bytes(JSONSerializer())
        self.roots.append(self.root_bytes)

    def add_target(self, name: str, data: bytes) -> None:
        self.files[name] = data
        self.targets.signed.targets[name] = TargetFile.from_data(name, data, ["sha256"])

    def rotate_root_key(self) -> None:
        """A new root version signed by the old and the new root key."""
        previous = self.signers["root"]
        root = self.root.signed
        for signer in previous:
            root.revoke_key(signer.public_key.keyid, "root")
        self.signers["root"] = [CryptoSigner.generate_ed25519()]
        root.add_key(self.signers["root"][0].public_key, "root")
        root.version += 1
        self._sign_root(previous)

    def release(self, *, timestamp_expires: datetime | None = None) -> None:
        """Bump targets, snapshot and timestamp versions and re-sign them."""
        self.targets.signed.version += 1
        self.targets.signed.expires = self._expiry()
        self._sign(self.targets, "targets")
        self.snapshot.signed.version += 1
        self.snapshot.signed.expires = self._expiry()
        self.snapshot.signed.meta["targets.json"] = MetaFile(version=self.targets.signed.version)
        self._sign(self.snapshot, "snapshot")
        self.timestamp.signed.version += 1
        self.timestamp.signed.expires = timestamp_expires or self._expiry()
        self.timestamp.signed.snapshot_meta = MetaFile(version=self.snapshot.signed.version)
        self._sign(self.timestamp, "timestamp")

    def publish(self, directory: Path) -> Path:
        """Write the repository as it is now; returns the directory."""
        if directory.exists():
            shutil.rmtree(directory)
        metadata = directory / "metadata"
        metadata.mkdir(parents=True)
        for version, data in enumerate(self.roots, start=1):
            (metadata / f"{version}.root.json").write_bytes(data)
        (metadata / "root.json").write_bytes(self.roots[-1])
        serializer = JSONSerializer()
        (metadata / "timestamp.json").write_bytes(self.timestamp.to_bytes(serializer))
        (metadata / f"{self.snapshot.signed.version}.snapshot.json").write_bytes(
            self.snapshot.to_bytes(serializer)
        )
        (metadata / f"{self.targets.signed.version}.targets.json").write_bytes(
            self.targets.to_bytes(serializer)
        )
        targets = directory / "targets"
        targets.mkdir()
        for name, data in self.files.items():
            (targets / name).write_bytes(data)
        return directory

    def first_root(self, target: Path) -> Path:
        """The version-1 root, as a vendor hands it out for the trust store."""
        target.write_bytes(self.roots[0])
        return target
