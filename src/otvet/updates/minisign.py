"""minisign and OpenBSD signify signatures, verified with ``cryptography`` (Ed25519).

minisign (https://jedisct1.github.io/minisign/): the signature line is ``base64(alg[2] ||
key id[8] || Ed25519 signature[64])``; ``ED`` signs the BLAKE2b-512 hash of the file
(prehashed, the default since minisign 0.8), ``Ed`` the file itself (legacy). The trusted
comment is authenticated by the global signature ``Ed25519(signature || trusted comment)``;
we require it to verify, name the subject when it names a file, and carry a timestamp no
later than the verification time. signify uses the same key and signature encodings without a
trusted comment, and always signs the message itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from otvet.model.errors import FormatError, Location
from otvet.model.updates import Mechanism, TrustKind
from otvet.safeio import read_bytes, read_text
from otvet.updates.interface import FileInput, Material, SignatureFailure, Verified, VerifyContext

_UNTRUSTED = "untrusted comment:"
_TRUSTED = "trusted comment: "
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PublicKey:
    """A minisign or signify public key."""

    key_id: bytes
    """The 8 key-id bytes as stored."""
    key: bytes

    @property
    def fingerprint(self) -> str:
        """The key id as minisign prints it (little-endian, upper-case hex)."""
        return self.key_id[::-1].hex().upper()


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise FormatError("not valid base64", Location(where)) from None


def parse_public_key(data: bytes, display: str) -> PublicKey:
    """Read a minisign/signify public key file (or the bare base64 line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("not a minisign/signify public key (not text)", Location(display)) from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(_UNTRUSTED)]
    if len(lines) != 1:
        raise FormatError("a minisign/signify public key file holds one key line", Location(display))
    raw = _b64(lines[0], display)
    if len(raw) != 42 or raw[:2] != b"Ed":
        raise FormatError("not an Ed25519 minisign/signify public key", Location(display))
    return PublicKey(key_id=raw[2:10], key=raw[10:])


@dataclass(frozen=True)
class Signature:
    """A parsed minisign or signify signature file."""

    algorithm: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str | None
    global_signature: bytes | None


def parse_signature(text: str, display: str) -> Signature:
    """Read a minisign or signify signature file."""
    lines = text.splitlines()
    if len(lines) < 2 or not lines[0].startswith(_UNTRUSTED):
        raise FormatError("not a minisign/signify signature (no untrusted comment line)", Location(display))
    raw = _b64(lines[1], f"{display}: line 2")
    if len(raw) != 74 or raw[:2] not in (b"Ed", b"ED"):
        raise FormatError("not an Ed25519 minisign/signify signature", Location(display, "line 2"))
    trusted = None
    global_signature = None
    if len(lines) >= 4 and lines[2].startswith(_TRUSTED):
        trusted = lines[2][len(_TRUSTED) :]
        global_signature = _b64(lines[3], f"{display}: line 4")
        if len(global_signature) != 64:
            raise FormatError("global signature is not 64 bytes", Location(display, "line 4"))
    elif len([ln for ln in lines if ln.strip()]) > 2:
        raise FormatError("unexpected lines after the signature", Location(display))
    return Signature(
        algorithm=raw[:2],
        key_id=raw[2:10],
        signature=raw[10:],
        trusted_comment=trusted,
        global_signature=global_signature,
    )


def _blake2b_file(subject: FileInput) -> bytes:
    digest = hashlib.blake2b(digest_size=64)
    with subject.path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def _verify_ed25519(key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _find_key(keys: tuple[Material, ...], key_id: bytes, what: str) -> tuple[Material, PublicKey]:
    for material in keys:
        parsed = parse_public_key(material.content, material.entry.source)
        if parsed.key_id == key_id:
            return material, parsed
    known = ", ".join(m.entry.fingerprint for m in keys) or "none"
    raise SignatureFailure(
        f"signed by {what} key {key_id[::-1].hex().upper()}, which is not in the trust store (trusted: {known})"
    )


def _trusted_comment_fields(comment: str) -> dict[str, str]:
    fields = {}
    for part in re.split(r"\t+", comment):
        key, sep, value = part.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


class MinisignVerifier:
    """minisign signatures (prehashed and legacy) with trusted-comment checks."""

    mechanism: ClassVar[Mechanism] = Mechanism.MINISIGN

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        return head.startswith(_UNTRUSTED.encode()) and b"\n" + _TRUSTED.encode() in head

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        sig = parse_signature(
            read_text(evidence.path, display=evidence.name, limits=ctx.limits), evidence.name
        )
        if sig.trusted_comment is None or sig.global_signature is None:
            raise SignatureFailure("minisign signature has no trusted comment and global signature")
        material, key = _find_key(ctx.trust.of(TrustKind.MINISIGN), sig.key_id, "minisign")
        use = material.use()
        if sig.algorithm == b"ED":
            message, mode = _blake2b_file(subject), "prehashed (BLAKE2b-512)"
        else:
            message, mode = (
                read_bytes(subject.path, display=subject.name, limits=ctx.limits),
                "legacy (whole file)",
            )
        if not _verify_ed25519(key.key, sig.signature, message):
            raise SignatureFailure(
                f"minisign signature by key {key.fingerprint} does not match {subject.name}: the file was altered or the signature is for another file",
                keys=(use,),
            )
        if not _verify_ed25519(key.key, sig.global_signature, sig.signature + sig.trusted_comment.encode()):
            raise SignatureFailure(
                "the trusted comment was altered (its global signature does not verify)",
                keys=(use,),
                matched=True,
            )
        fields = _trusted_comment_fields(sig.trusted_comment)
        named = fields.get("file")
        if named is not None and named != subject.name.rsplit("/", 1)[-1]:
            raise SignatureFailure(
                f"the trusted comment names file {named!r}, but the signed subject is {subject.name!r}",
                keys=(use,),
                matched=True,
            )
        signed_at = None
        if "timestamp" in fields:
            try:
                signed_at = datetime.fromtimestamp(int(fields["timestamp"]), tz=UTC)
            except (ValueError, OverflowError):
                raise SignatureFailure(
                    f"trusted comment timestamp {fields['timestamp']!r} is not a Unix time",
                    keys=(use,),
                    matched=True,
                ) from None
            if signed_at > ctx.at:
                raise SignatureFailure(
                    f"signed at {signed_at.isoformat()}, after the verification time {ctx.at.isoformat()}",
                    keys=(use,),
                    matched=True,
                )
        return Verified(
            reason=f"minisign signature by trusted key {key.fingerprint} ({material.entry.name}) verifies over {subject.name}; trusted comment verified",
            keys=(use,),
            signed_at=signed_at,
            details={"mode": mode, "trusted_comment": sig.trusted_comment},
        )


class SignifyVerifier:
    """OpenBSD signify detached signatures."""

    mechanism: ClassVar[Mechanism] = Mechanism.SIGNIFY

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        return head.startswith(_UNTRUSTED.encode()) and b"\n" + _TRUSTED.encode() not in head

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        sig = parse_signature(
            read_text(evidence.path, display=evidence.name, limits=ctx.limits), evidence.name
        )
        if sig.algorithm != b"Ed":
            raise SignatureFailure(
                "not a signify signature (prehashed minisign signature without trusted comment)"
            )
        material, key = _find_key(ctx.trust.of(TrustKind.SIGNIFY), sig.key_id, "signify")
        message = read_bytes(subject.path, display=subject.name, limits=ctx.limits)
        if not _verify_ed25519(key.key, sig.signature, message):
            raise SignatureFailure(
                f"signify signature by key {key.fingerprint} does not match {subject.name}",
                keys=(material.use(),),
            )
        return Verified(
            reason=f"signify signature by trusted key {key.fingerprint} ({material.entry.name}) verifies over {subject.name}",
            keys=(material.use(),),
        )
