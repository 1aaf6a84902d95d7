"""OpenPGP detached and clear-signed signatures, verified by ``gpgv`` with a temporary keyring.

``gpgv`` (GnuPG's verify-only tool) checks signatures against exactly the keyring it is given
and never fetches keys. We build that keyring from the trust store's OpenPGP entries in a
private temporary directory, point ``GNUPGHOME`` there too (so no user keyring leaks in), and
read the machine-readable status lines (GnuPG ``doc/DETAILS``). PGPy is deliberately not used
(unmaintained, known verification bugs).

For clear-signed files the authenticated text is taken from ``gpgv --output``, never from the
input file, because text outside the signed block is not authenticated.

Judged at the explicit verification time: the signature must be made no later than it, must
not have expired by it, and the key must not have expired by it (``KEYEXPIRED``); a revoked
key, a bad signature, a missing key or a SHA-1 signature fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from otvet.model.errors import FormatError, Location
from otvet.model.updates import KeyUse, Mechanism, TrustKind
from otvet.updates.interface import FileInput, Material, SignatureFailure, Verified, VerifyContext

GPGV_TIMEOUT = 120.0
_ARMOR_KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
_ARMOR_SIG = b"-----BEGIN PGP SIGNATURE-----"
_CLEARSIGNED = b"-----BEGIN PGP SIGNED MESSAGE-----"


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def dearmor(data: bytes, display: str) -> bytes:
    """Binary OpenPGP packets of an armoured block (CRC-24 checked), or the data if already binary."""
    text = data.lstrip()
    if not text.startswith(b"-----BEGIN PGP"):
        return data
    lines = text.decode("ascii", "replace").splitlines()
    body: list[str] = []
    checksum: str | None = None
    in_headers, started = True, False
    for line in lines[1:]:
        if line.startswith("-----END PGP"):
            started = True
            break
        if in_headers:
            if not line.strip():
                in_headers = False
            elif ":" not in line:  # no armour headers at all
                in_headers = False
                body.append(line.strip())
            continue
        if line.startswith("=") and len(line.strip()) == 5:
            checksum = line.strip()[1:]
        else:
            body.append(line.strip())
    if not started:
        raise FormatError("OpenPGP armour has no END line", Location(display))
    try:
        raw = base64.b64decode("".join(body), validate=True)
        if checksum is not None and int.from_bytes(base64.b64decode(checksum), "big") != _crc24(raw):
            raise FormatError("OpenPGP armour checksum does not match", Location(display))
    except (binascii.Error, ValueError):
        raise FormatError("OpenPGP armour is not valid base64", Location(display)) from None
    return raw


def _packets(data: bytes, display: str) -> list[tuple[int, bytes]]:
    """(tag, body) of each OpenPGP packet (RFC 9580 section 4.2 headers)."""
    packets = []
    pos = 0
    while pos < len(data):
        first = data[pos]
        if not first & 0x80:
            raise FormatError(f"not an OpenPGP packet at byte {pos}", Location(display))
        pos += 1
        if first & 0x40:  # new format
            tag = first & 0x3F
            body = bytearray()
            while True:
                if pos >= len(data):
                    raise FormatError("truncated OpenPGP packet", Location(display))
                octet = data[pos]
                if octet < 192:
                    length, pos = octet, pos + 1
                elif octet < 224:
                    length, pos = ((octet - 192) << 8) + data[pos + 1] + 192, pos + 2
                elif octet == 255:
                    length, pos = int.from_bytes(data[pos + 1 : pos + 5], "big"), pos + 5
                else:  # partial body length
                    chunk = 1 << (octet & 0x1F)
                    body += data[pos + 1 : pos + 1 + chunk]
                    pos += 1 + chunk
                    continue
                body += data[pos : pos + length]
                pos += length
                break
            packets.append((tag, bytes(body)))
        else:
            tag = (first >> 2) & 0x0F
            kind = first & 0x03
            if kind == 3:
                length = len(data) - pos
            else:
                size = 1 << kind
                length = int.from_bytes(data[pos : pos + size], "big")
                pos += size
            packets.append((tag, data[pos : pos + length]))
            pos += length
        if pos > len(data):
            raise FormatError("truncated OpenPGP packet", Location(display))
    return packets


def fingerprints(data: bytes, display: str) -> list[str]:
    """Fingerprints (upper-case hex) of the primary keys in an OpenPGP key file."""
    found = []
    for tag, body in _packets(dearmor(data, display), display):
        if tag != 6 or not body:
            continue
        version = body[0]
        if version == 4:
            found.append(hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body).hexdigest().upper())  # noqa: S324  # NOTE: RFC 4880 section 12.2 defines v4 fingerprints as SHA-1
        elif version == 5:
            found.append(hashlib.sha256(b"\x9a" + len(body).to_bytes(4, "big") + body).hexdigest().upper())
        elif version == 6:
            found.append(hashlib.sha256(b"\x9b" + len(body).to_bytes(4, "big") + body).hexdigest().upper())
        else:
            raise FormatError(f"OpenPGP key version {version} is not supported", Location(display))
    if not found:
        raise FormatError("no OpenPGP public key in the file", Location(display))
    return found


def _gpgv() -> str:
    found = shutil.which("gpgv")
    if found is None:
        raise SignatureFailure(
            "gpgv is not installed, so OpenPGP signatures cannot be verified (install gnupg)"
        )
    return found


class _Status:
    def __init__(self, output: str) -> None:
        self.lines = [
            ln[len("[GNUPG:] ") :].split() for ln in output.splitlines() if ln.startswith("[GNUPG:] ")
        ]

    def first(self, keyword: str) -> list[str] | None:
        for parts in self.lines:
            if parts and parts[0] == keyword:
                return parts[1:]
        return None

    def has(self, keyword: str) -> bool:
        return self.first(keyword) is not None


def _epoch(text: str) -> datetime | None:
    if not text or text == "0":
        return None
    if "T" in text:
        return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return datetime.fromtimestamp(int(text), tz=UTC)


def _run_gpgv(
    keys: tuple[Material, ...], arguments: list[str], ctx: VerifyContext, display: str
) -> tuple[_Status, int, Path]:
    binary = _gpgv()
    base = Path(tempfile.mkdtemp(prefix="otvet-gpgv-", dir=ctx.work_dir))
    base.chmod(0o700)
    keyring = base / "trusted.gpg"
    with keyring.open("wb") as handle:
        for material in keys:
            handle.write(dearmor(material.content, material.entry.source))
    env = {"GNUPGHOME": str(base), "LC_ALL": "C", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    command = [binary, "--status-fd", "1", "--weak-digest", "SHA1", "--keyring", str(keyring), *arguments]
    try:
        completed = subprocess.run(  # fixed argument vector, no shell
            command, capture_output=True, timeout=GPGV_TIMEOUT, env=env, check=False, cwd=base
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(base, ignore_errors=True)
        raise SignatureFailure(f"gpgv took longer than {GPGV_TIMEOUT:g} s on {display}") from None
    return _Status(completed.stdout.decode("utf-8", "replace")), completed.returncode, base


def _judge(
    status: _Status, returncode: int, keys: tuple[Material, ...], subject: str, ctx: VerifyContext
) -> Verified:
    by_fpr = {}
    for material in keys:
        for fpr in material.entry.fingerprint.split(","):
            by_fpr[fpr.strip().upper()] = material
    if status.has("BADSIG"):
        raise SignatureFailure(
            f"BAD OpenPGP signature over {subject}: the file was altered or the signature is for another file"
        )
    missing = status.first("NO_PUBKEY")
    if missing is not None:
        raise SignatureFailure(
            f"signed by OpenPGP key {missing[0] if missing else '?'}, which is not in the trust store"
        )
    if status.has("REVKEYSIG") or status.has("KEYREVOKED"):
        raise SignatureFailure("the signing OpenPGP key is revoked", matched=True)
    if status.has("ERRSIG"):
        raise SignatureFailure(
            "gpgv could not check the signature (unsupported or weak algorithm, or malformed signature)"
        )
    valid = status.first("VALIDSIG")
    if valid is None or len(valid) < 9:
        raise SignatureFailure(f"gpgv reported no valid signature (exit code {returncode})")
    primary = (valid[9] if len(valid) > 9 else valid[0]).upper()
    found = by_fpr.get(primary) or by_fpr.get(valid[0].upper())
    if found is None:
        raise SignatureFailure(f"signature by key {primary}, which is not among the trusted fingerprints")
    material = found
    use: KeyUse = material.use()
    signed_at = _epoch(valid[2])
    sig_expires = _epoch(valid[3])
    details = {"signing_key": valid[0], "primary_key": primary}
    if signed_at is not None and signed_at > ctx.at:
        raise SignatureFailure(
            f"signature made at {signed_at.isoformat()}, after the verification time {ctx.at.isoformat()}",
            keys=(use,),
            matched=True,
        )
    if sig_expires is not None and sig_expires <= ctx.at:
        raise SignatureFailure(
            f"the signature expired at {sig_expires.isoformat()}", keys=(use,), matched=True
        )
    key_expired = status.first("KEYEXPIRED")
    if key_expired:
        expired_at = _epoch(key_expired[0])
        if expired_at is not None:
            details["key_expires"] = expired_at.isoformat()
            if expired_at <= ctx.at:
                raise SignatureFailure(
                    f"the signing key {primary} expired at {expired_at.isoformat()}, before the verification time; "
                    "OpenPGP signature times are asserted by the signer, so no policy accepts an expired key",
                    keys=(use,),
                    matched=True,
                    details=details,
                )
    elif status.has("EXPKEYSIG"):
        raise SignatureFailure(f"the signing key {primary} has expired", keys=(use,), matched=True)
    if returncode != 0 and not status.has("EXPKEYSIG"):
        raise SignatureFailure(f"gpgv failed with exit code {returncode}", keys=(use,), matched=True)
    return Verified(
        reason=f"OpenPGP signature by trusted key {primary} ({material.entry.name}) verifies over {subject}",
        keys=(use,),
        signed_at=signed_at,
        details=details,
    )


class OpenPgpVerifier:
    """Detached OpenPGP signatures (armoured or binary) over the subject."""

    mechanism: ClassVar[Mechanism] = Mechanism.OPENPGP

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        stripped = head.lstrip()
        if stripped.startswith(_ARMOR_SIG):
            return True
        # A binary signature packet: old format tag 2 (0x88/0x89) or new format tag 2 (0xc2).
        return bool(head) and head[0] in (0x88, 0x89, 0xC2)

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        keys = ctx.trust.of(TrustKind.OPENPGP)
        if not keys:
            raise SignatureFailure("the trust store holds no OpenPGP key")
        status, code, base = _run_gpgv(
            keys, [str(evidence.path.resolve()), str(subject.path.resolve())], ctx, evidence.name
        )
        try:
            return _judge(status, code, keys, subject.name, ctx)
        finally:
            shutil.rmtree(base, ignore_errors=True)


def is_clearsigned(data: bytes) -> bool:
    """Whether a file holds an OpenPGP clear-signed message anywhere (then only the signed text counts)."""
    return _CLEARSIGNED in data


def verify_clearsigned(document: FileInput, ctx: VerifyContext) -> Verified:
    """Verify a clear-signed document; the result's ``payload`` is the authenticated text."""
    keys = ctx.trust.of(TrustKind.OPENPGP)
    if not keys:
        raise SignatureFailure("the trust store holds no OpenPGP key")
    base = Path(tempfile.mkdtemp(prefix="otvet-clear-", dir=ctx.work_dir))
    output = base / "signed-text"
    try:
        status, code, gpg_base = _run_gpgv(
            keys, ["--output", str(output), str(document.path.resolve())], ctx, document.name
        )
        try:
            verified = _judge(status, code, keys, document.name, ctx)
        finally:
            shutil.rmtree(gpg_base, ignore_errors=True)
        payload = output.read_bytes() if output.is_file() else b""
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return Verified(
        reason=verified.reason.replace("verifies over", "verifies the clear-signed text of"),
        keys=verified.keys,
        signed_at=verified.signed_at,
        details=verified.details,
        payload=payload,
    )
