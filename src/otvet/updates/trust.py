"""The trust store: vendor keys, certificates, CRLs, Sigstore trusted roots and TUF roots.

Every entry is imported from a file, parsed and fingerprinted on import (a file that is not
what its kind says is refused), and stored with who added it and when. Verification uses
only these entries, optionally restricted to one vendor, and every report carries the
digest of the entries it could use, so a reader can tell whether two verifications trusted
the same anchors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlalchemy import Engine, RowMapping, delete, select
from sqlalchemy.exc import IntegrityError
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import Metadata, Root

from otvet.audit import canonical_json
from otvet.model.errors import FormatError, InputError, Location
from otvet.model.updates import TrustEntry, TrustKind
from otvet.safeio import DEFAULT_LIMITS, Limits, read_bytes
from otvet.updates import minisign, openpgp, sigstore_bundle
from otvet.updates.interface import Material, TrustMaterial
from otvet.updates.store import from_iso, iso, trust_table

MAX_TRUST_FILE = 8 * 1024 * 1024
"""Trust anchors are small; a larger file is refused (a Sigstore trusted root is ~20 KiB)."""


def _load_certificate(data: bytes, display: str) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
            if len(certs) != 1:
                raise FormatError(
                    f"expected one certificate, found {len(certs)} (import them one by one)",
                    Location(display),
                )
            return certs[0]
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise FormatError(f"not an X.509 certificate: {exc}", Location(display)) from exc


def _describe(kind: TrustKind, data: bytes, display: str) -> tuple[str, str, datetime | None]:
    """(default name, fingerprint, not_after) of trust material; raises FormatError if malformed."""
    if kind is TrustKind.OPENPGP:
        fprs = openpgp.fingerprints(data, display)
        return f"OpenPGP key {fprs[0][-16:]}", ",".join(fprs), None
    if kind in (TrustKind.MINISIGN, TrustKind.SIGNIFY):
        key = minisign.parse_public_key(data, display)
        return f"{kind.value} key {key.fingerprint}", key.fingerprint, None
    if kind in (TrustKind.X509_ROOT, TrustKind.X509_INTERMEDIATE, TrustKind.TSA_ROOT):
        cert = _load_certificate(data, display)
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            is_ca = constraints.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if kind is not TrustKind.TSA_ROOT and not is_ca:
            raise FormatError(
                "certificate is not a CA (basicConstraints cA is not set): import the root or intermediate CA, not the signer",
                Location(display),
            )
        fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        return cert.subject.rfc4514_string(), fingerprint, cert.not_valid_after_utc
    if kind is TrustKind.CRL:
        try:
            crl = x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data)
        except ValueError as exc:
            raise FormatError(f"not an X.509 CRL: {exc}", Location(display)) from exc
        try:
            number = str(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
        except x509.ExtensionNotFound:
            number = "?"
        issuer = crl.issuer.rfc4514_string()
        return f"CRL of {issuer}", f"{issuer} #{number}", crl.next_update_utc
    if kind is TrustKind.SIGSTORE_ROOT:
        return _sigstore_root(data, display)
    if kind is TrustKind.TUF_ROOT:
        return _tuf_root(data, display)
    if kind is TrustKind.PUBLIC_KEY:
        try:
            public = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise FormatError(f"not a PEM public key: {exc}", Location(display)) from exc
        spki = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        fingerprint = hashlib.sha256(spki).hexdigest()
        return f"public key {fingerprint[:16]}", fingerprint, None
    raise InputError(f"unknown trust kind {kind}")


def _sigstore_root(data: bytes, display: str) -> tuple[str, str, datetime | None]:
    sigstore_bundle.load_trusted_root(data, display)
    return "Sigstore trusted root", hashlib.sha256(data).hexdigest(), None


def _tuf_root(data: bytes, display: str) -> tuple[str, str, datetime | None]:
    try:
        metadata = Metadata[Root].from_bytes(data)
        root = metadata.signed
        if not isinstance(root, Root):
            raise FormatError("TUF metadata is not a root role", Location(display))
        root.verify_delegate(Root.type, metadata.signed_bytes, metadata.signatures)
    except UnsignedMetadataError as exc:
        raise FormatError(
            f"TUF root is not signed by its own threshold of root keys: {exc}", Location(display)
        ) from exc
    except FormatError:
        raise
    except Exception as exc:  # python-tuf raises ValueError, KeyError, DeserializationError
        raise FormatError(f"not a TUF root metadata file: {exc}", Location(display)) from exc
    keyids = ",".join(sorted(root.roles[Root.type].keyids))
    return f"TUF root v{root.version}", f"root v{root.version} keys {keyids}", root.expires


def entry_id(
    kind: TrustKind, sha256: str, vendor: str | None, identity: str | None, issuer: str | None
) -> str:
    """Stable id of an entry: the same content trusted for another vendor or identity is another entry."""
    material = json.dumps([kind.value, sha256, vendor, identity, issuer]).encode()
    return hashlib.sha256(material).hexdigest()[:16]


def read_entry(
    kind: TrustKind,
    path: Path,
    *,
    added_by: str,
    name: str | None = None,
    vendor: str | None = None,
    identity: str | None = None,
    issuer: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[TrustEntry, bytes]:
    """Parse a trust file into an entry (not yet stored); refuses malformed material."""
    if not path.is_file():
        raise InputError("no such file", Location(str(path)))
    data = read_bytes(path, limits=Limits(**{**limits.__dict__, "max_file_bytes": MAX_TRUST_FILE}))
    if kind is TrustKind.SIGSTORE_ROOT and not identity:
        raise InputError(
            "a Sigstore trusted root needs the signer identity it vouches for (--identity, and --issuer): "
            "without an identity policy any Sigstore user could sign the vendor's updates"
        )
    default_name, fingerprint, not_after = _describe(kind, data, path.name)
    digest = hashlib.sha256(data).hexdigest()
    entry = TrustEntry(
        id=entry_id(kind, digest, vendor, identity, issuer),
        kind=kind,
        name=name or default_name,
        fingerprint=fingerprint,
        sha256=digest,
        added_by=added_by,
        added_at=(now or datetime.now(UTC)).replace(microsecond=0),
        source=path.name,
        vendor=vendor,
        not_after=not_after,
        identity=identity,
        issuer=issuer,
        note=note,
    )
    return entry, data


def digest_of(entries: Sequence[TrustEntry], vendor: str | None = None) -> str:
    """``sha256:<hex>`` over the canonical JSON of the entries' identity and provenance."""
    listed = [
        {
            "id": e.id,
            "kind": e.kind.value,
            "sha256": e.sha256,
            "fingerprint": e.fingerprint,
            "vendor": e.vendor,
            "identity": e.identity,
            "issuer": e.issuer,
            "added_by": e.added_by,
            "added_at": iso(e.added_at),
        }
        for e in sorted(entries, key=lambda e: e.id)
    ]
    return "sha256:" + hashlib.sha256(canonical_json({"vendor": vendor, "entries": listed})).hexdigest()


def material_of(items: Sequence[tuple[TrustEntry, bytes]], vendor: str | None = None) -> TrustMaterial:
    """Trust material restricted to ``vendor`` (entries without a vendor apply to every vendor)."""
    chosen = [
        Material(entry, content)
        for entry, content in items
        if vendor is None or entry.vendor is None or entry.vendor.casefold() == vendor.casefold()
    ]
    return TrustMaterial(
        items=tuple(chosen), digest=digest_of([m.entry for m in chosen], vendor), vendor=vendor
    )


class TrustStore:
    """The trust store in the update intake database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, entry: TrustEntry, content: bytes) -> TrustEntry:
        """Store an entry; a duplicate (same content, kind, vendor and identity) is refused."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    trust_table.insert().values(
                        id=entry.id,
                        kind=entry.kind.value,
                        name=entry.name,
                        fingerprint=entry.fingerprint,
                        sha256=entry.sha256,
                        content=content,
                        added_by=entry.added_by,
                        added_at=iso(entry.added_at),
                        source=entry.source,
                        vendor=entry.vendor,
                        not_after=iso(entry.not_after) if entry.not_after else None,
                        identity=entry.identity,
                        issuer=entry.issuer,
                        note=entry.note,
                    )
                )
        except IntegrityError:
            raise InputError(
                f"the trust store already holds this {entry.kind.value} entry ({entry.id})"
            ) from None
        return entry

    def entries(self) -> list[tuple[TrustEntry, bytes]]:
        """Every entry with its content, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(trust_table).order_by(trust_table.c.added_at, trust_table.c.id)
            ).mappings()
            return [(_entry(row), bytes(row["content"])) for row in rows]

    def get(self, entry_id_or_prefix: str) -> tuple[TrustEntry, bytes]:
        """The entry whose id starts with the given text (unambiguously)."""
        found = [(e, c) for e, c in self.entries() if e.id.startswith(entry_id_or_prefix)]
        if len(found) != 1:
            raise InputError(
                f"no trust-store entry {entry_id_or_prefix!r}"
                if not found
                else f"{entry_id_or_prefix!r} matches {len(found)} entries; give more of the id"
            )
        return found[0]

    def remove(self, entry_id: str) -> TrustEntry:
        """Remove an entry; returns what was removed."""
        entry, _ = self.get(entry_id)
        with self.engine.begin() as conn:
            conn.execute(delete(trust_table).where(trust_table.c.id == entry.id))
        return entry

    def material(self, vendor: str | None = None) -> TrustMaterial:
        """What a verification may use."""
        return material_of(self.entries(), vendor)


def _entry(row: RowMapping) -> TrustEntry:
    get = row.__getitem__
    added_at = from_iso(get("added_at"))
    if added_at is None:
        raise FormatError("trust-store entry without a time", Location("trust store", get("id")))
    return TrustEntry(
        id=get("id"),
        kind=TrustKind(get("kind")),
        name=get("name"),
        fingerprint=get("fingerprint"),
        sha256=get("sha256"),
        added_by=get("added_by"),
        added_at=added_at,
        source=get("source"),
        vendor=get("vendor"),
        not_after=from_iso(get("not_after")),
        identity=get("identity"),
        issuer=get("issuer"),
        note=get("note"),
    )
