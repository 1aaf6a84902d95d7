"""The audit log's Ed25519 signing key: generated on first use, private to its owner.

There is no default key (we practise what we check): the first process that needs one
creates it with ``O_CREAT | O_EXCL`` and mode 0600 in ``$OTVET_HOME`` (or at
``$OTVET_AUDIT_KEY``), and refuses to use a key file that other users can read or that is
a symbolic link.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from otvet.model.errors import ConfigurationError
from otvet.storage import data_home

KEY_VARIABLE = "OTVET_AUDIT_KEY"
KEY_FILE = "audit-signing-key.pem"


def key_path() -> Path:
    """Where the signing key lives: ``$OTVET_AUDIT_KEY``, else ``<data home>/audit-signing-key.pem``."""
    raw = os.environ.get(KEY_VARIABLE)
    return Path(raw).expanduser() if raw else data_home() / KEY_FILE


def load_or_create_key(path: Path | None = None) -> tuple[Ed25519PrivateKey, bool]:
    """The signing key at ``path``, created if absent; the flag says whether it was created now."""
    path = path or key_path()
    try:
        return _load(path), False
    except FileNotFoundError:
        pass
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return _load(path), False  # another process created it first: use theirs
    except OSError as exc:
        raise ConfigurationError(f"cannot create the audit signing key {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return key, True


def _load(path: Path) -> Ed25519PrivateKey:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigurationError(f"cannot open the audit signing key {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(
                f"the audit signing key {path} is accessible to other users (mode {stat.S_IMODE(mode):04o}); "
                "run 'chmod 600' on it"
            )
        data = handle.read(64 * 1024)
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} is not an Ed25519 key")
    return key
