"""OpenPGP signature verification with ``gpgv`` against keys the user trusts.

Only ``gpgv`` is used (PGPy is broken, see HELPERS.md): it verifies against an explicit
keyring and never consults a trust database or the network. The user's ASCII-armoured keys
are de-armoured in Python into a private temporary keyring. Verification fails closed: only a
``VALIDSIG`` status from gpgv is a valid signature; a signature by a key the user did not
give is ``NO_TRUSTED_KEY`` (unverified), never valid.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from otvet.model.errors import ConfigurationError, InputError, Location

_ARMOR = re.compile(
    r"-----BEGIN PGP PUBLIC KEY BLOCK-----\n((?:[A-Za-z-]+: [^\n]*\n)*)\n(.*?)-----END PGP PUBLIC KEY BLOCK-----",
    re.S,
)


class SignatureStatus(StrEnum):
    """Outcome of verifying one signature."""

    VALID = "valid"
    BAD = "bad"
    """The signature does not match the data (tampered or wrong file)."""
    NO_TRUSTED_KEY = "no_trusted_key"
    """Signed, but not by any key the user trusts: the signature is not verified."""
    EXPIRED_OR_REVOKED = "expired_or_revoked"
    ERROR = "error"
    """Not a readable signature."""


@dataclass(frozen=True)
class SignatureCheck:
    """Result of one verification."""

    status: SignatureStatus
    detail: str
    fingerprint: str | None = None
    """For a valid signature, the signer's primary key fingerprint (upper case); for an
    unverified one, the key id gpgv names."""


def dearmor(text: str, display: str) -> bytes:
    """Binary OpenPGP packets of every public key block in an ASCII-armoured text."""
    blocks = _ARMOR.findall(text.replace("\r\n", "\n"))
    if not blocks:
        raise InputError("no OpenPGP public key block found", Location(display))
    out = b""
    for _, body in blocks:
        lines = [ln.strip() for ln in body.strip().splitlines() if ln.strip() and not ln.startswith("=")]
        try:
            out += base64.b64decode("".join(lines), validate=True)
        except ValueError as exc:
            raise InputError(f"corrupt OpenPGP key block: {exc}", Location(display)) from None
    return out


def keyring_from(keys: list[Path]) -> bytes:
    """One binary keyring from armoured or binary key files."""
    ring = b""
    for key in keys:
        data = key.read_bytes()
        ring += (
            dearmor(data.decode("utf-8", "replace"), str(key)) if data.lstrip().startswith(b"-----") else data
        )
    return ring


def _gpgv() -> str:
    path = shutil.which("gpgv")
    if path is None:
        raise ConfigurationError(
            "gpgv is not installed (Debian package gpgv); it verifies OpenPGP signatures"
        )
    return path


def verify(data: Path, signature: Path | None, keyring: bytes, *, timeout: float = 60.0) -> SignatureCheck:
    """Verify a detached signature (or, with ``signature=None``, a cleartext-signed file)."""
    if not keyring:
        return SignatureCheck(
            SignatureStatus.NO_TRUSTED_KEY, "signed, signature not verified: no trusted key"
        )
    with tempfile.TemporaryDirectory(prefix="otvet-gpgv-") as home:
        ring = Path(home) / "trusted.gpg"
        ring.write_bytes(keyring)
        args = [_gpgv(), "--homedir", home, "--status-fd", "1", "--keyring", str(ring)]
        args += [str(signature), str(data)] if signature is not None else [str(data)]
        try:
            proc = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return SignatureCheck(SignatureStatus.ERROR, f"gpgv took longer than {timeout:g} s")
    status = proc.stdout.decode("utf-8", "replace")
    valid = re.search(r"^\[GNUPG:\] VALIDSIG (\S+)(?: \S+){8} ([0-9A-Fa-f]{40,})", status, re.M) or re.search(
        r"^\[GNUPG:\] VALIDSIG (\S+)", status, re.M
    )
    if proc.returncode == 0 and valid:
        # NOTE: VALIDSIG's tenth field is the primary key's fingerprint (GnuPG doc/DETAILS); it is
        # what CSAF provider metadata lists (CSAF 2.0 section 7.1.20), so prefer it to the subkey's.
        return SignatureCheck(
            SignatureStatus.VALID,
            "good signature by a trusted key",
            valid.group(valid.lastindex or 1).upper(),
        )
    if re.search(r"^\[GNUPG:\] BADSIG", status, re.M):
        return SignatureCheck(SignatureStatus.BAD, "BAD signature: the file does not match its signature")
    if re.search(r"^\[GNUPG:\] (?:EXPKEYSIG|REVKEYSIG|EXPSIG)", status, re.M):
        return SignatureCheck(SignatureStatus.EXPIRED_OR_REVOKED, "signed by an expired or revoked key")
    missing = re.search(r"^\[GNUPG:\] (?:NO_PUBKEY|ERRSIG) (\S+)", status, re.M)
    if missing and "NO_PUBKEY" in status:
        return SignatureCheck(
            SignatureStatus.NO_TRUSTED_KEY,
            f"signed by key {missing.group(1)}, which is not among the trusted keys: signature not verified",
            missing.group(1),
        )
    message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return SignatureCheck(
        SignatureStatus.ERROR, f"not a verifiable signature ({message[-1] if message else 'gpgv failed'})"
    )
