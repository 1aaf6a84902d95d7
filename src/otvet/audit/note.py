"""C2SP signed notes and checkpoints, with Ed25519 keys.

- Signed note (https://c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line,
  then one line per signature: ``— <key name> <base64(key hash[4] || signature)>``. The key
  hash is the first four bytes of ``SHA-256(name || "\\n" || 0x01 || public key)`` for
  Ed25519 (algorithm byte 0x01). Verifier keys are written ``<name>+<hash hex>+<base64(0x01
  || public key)>``, the form golang.org/x/mod/sumdb/note and every transparency-log witness
  understands.
- Checkpoint (https://c2sp.org/tlog-checkpoint): the note text is the origin line, the tree
  size in decimal, the base64 root hash, then optional extension lines.

Parsing is strict: a malformed note, an unknown key or a bad signature raises
:class:`~otvet.model.errors.VerificationError` (fail closed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from otvet.model.errors import VerificationError

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "
"""An em dash and a space start every signature line."""
MAX_SIGNATURES = 100
"""The reference implementation's limit; more lines is a malformed note."""
_NAME = re.compile(r"^[^\s+]+$")
_DECIMAL = re.compile(r"^(0|[1-9][0-9]{0,19})$")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{what} is not valid base64") from None


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key hash of an Ed25519 note key."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class NoteVerifier:
    """A named Ed25519 public key that checks note signatures."""

    name: str
    hash: bytes
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        """Read a verifier key string ``<name>+<hash>+<base64 key>``."""
        parts = text.strip().split("+", 2)  # base64 may itself contain "+"
        if len(parts) != 3:
            raise VerificationError("a note verifier key has the form <name>+<hash>+<key>")
        name, hash_hex, key_b64 = parts
        if not _NAME.match(name) or not re.fullmatch(r"[0-9a-f]{8}", hash_hex):
            raise VerificationError("malformed note verifier key name or hash")
        raw = _b64decode(key_b64, "verifier key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise VerificationError("verifier key is not an Ed25519 note key")
        verifier = cls(name=name, hash=bytes.fromhex(hash_hex), public_key=raw[1:])
        if key_hash(name, verifier.public_key) != verifier.hash:
            raise VerificationError("verifier key hash does not match its name and key")
        return verifier

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.hash.hex()}+{encoded}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature over ``text``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except (InvalidSignature, ValueError):
            return False
        return True


class NoteSigner:
    """Signs note texts with a named Ed25519 private key."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        if not _NAME.match(name):
            raise ValueError(f"note key names contain no '+' or whitespace: {name!r}")
        self.name = name
        self._key = private_key
        public = _raw(private_key.public_key())
        self.verifier = NoteVerifier(name=name, hash=key_hash(name, public), public_key=public)

    @classmethod
    def parse(cls, text: str) -> NoteSigner:
        """Read a signer key string ``PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>``."""
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise VerificationError("a note signer key has the form PRIVATE+KEY+<name>+<hash>+<key>")
        raw = _b64decode(parts[4], "signer key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise VerificationError("signer key is not an Ed25519 note key")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.verifier.hash.hex() != parts[3]:
            raise VerificationError("signer key hash does not match its name and key")
        return signer

    def sign(self, text: str) -> str:
        """The signed note: ``text``, a blank line and this key's signature line."""
        _check_text(text)
        signature = self._key.sign(text.encode())
        blob = base64.b64encode(self.verifier.hash + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {blob}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise VerificationError("note text must end with a newline")
    if any((ord(c) < 0x20 and c != "\n") or c == "\x7f" for c in text):
        raise VerificationError("note text contains control characters")


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signature by a known key was verified."""

    text: str
    verified_by: NoteVerifier
    unverified_signatures: int
    """Signature lines by keys we do not know (kept, e.g. witness cosignatures)."""


def open_note(note: str | bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Check a signed note; return its text when at least one known key signed it validly.

    A signature line naming a known key whose signature does not verify fails the whole note
    (the reference implementation does the same: a bad signature is never ignored).
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise VerificationError("signed note is not UTF-8") from None
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise VerificationError("malformed signed note: no blank line before the signatures")
    text = note[: split + 1]
    _check_text(text)
    lines = note[split + 2 :].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise VerificationError("malformed signed note: no signature lines, or too many")
    verified: NoteVerifier | None = None
    unknown = 0
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise VerificationError(f"malformed signature line {line[:40]!r}")
        name, _, blob_text = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        blob = _b64decode(blob_text, "signature")
        if not name or len(blob) < 5:
            raise VerificationError(f"malformed signature line {line[:40]!r}")
        candidates = [v for v in verifiers if v.name == name and v.hash == blob[:4]]
        if not candidates:
            unknown += 1
            continue
        if not candidates[0].verify(text.encode(), blob[4:]):
            raise VerificationError(f"invalid signature by {name} on the note")
        verified = verified or candidates[0]
    if verified is None:
        raise VerificationError("the note carries no signature by a trusted key")
    return OpenedNote(text=text, verified_by=verified, unverified_signatures=unknown)


@dataclass(frozen=True)
class CheckpointBody:
    """The content of a C2SP checkpoint."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text of this checkpoint."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> CheckpointBody:
    """Read a checkpoint note text (already verified by :func:`open_note`)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise VerificationError("malformed checkpoint: fewer than three lines")
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin or not _DECIMAL.match(size_text):
        raise VerificationError("malformed checkpoint origin or size line")
    root = _b64decode(root_text, "checkpoint root hash")
    if len(root) != 32:
        raise VerificationError("checkpoint root hash is not 32 bytes")
    if any(not line for line in extensions):
        raise VerificationError("malformed checkpoint: empty extension line")
    return CheckpointBody(origin=origin, size=int(size_text), root_hash=root, extensions=tuple(extensions))
