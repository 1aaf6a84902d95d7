"""A real OpenPGP signer for tests: gpg in a private, short-lived GNUPGHOME.

The home lives under /tmp with a short name because gpg-agent's socket path must fit in 108
bytes. Keys are ed25519, made at test time; nothing is mocked.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


class Signer:
    """One OpenPGP key in its own GNUPGHOME, able to export, clearsign and detach-sign."""

    def __init__(self, uid: str) -> None:
        if shutil.which("gpg") is None:
            pytest.skip("gpg is not installed (scripts/system-deps.sh installs gnupg)")
        self.home = Path(tempfile.mkdtemp(prefix="g", dir="/tmp"))
        self.home.chmod(0o700)
        self._gpg("--quick-gen-key", uid, "ed25519", "sign", "1y")
        listing = self._gpg("--with-colons", "--list-keys", uid).stdout.decode()
        self.fingerprint = next(ln.split(":")[9] for ln in listing.splitlines() if ln.startswith("fpr:"))

    def _gpg(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        command = ["gpg", "--homedir", str(self.home), "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", *args]  # fmt: skip
        done = subprocess.run(command, capture_output=True, check=False, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"gpg {args[0]} failed: {done.stderr.decode(errors='replace')}")
        return done

    def export(self, target: Path) -> Path:
        """Write the public key, ASCII-armoured."""
        target.write_bytes(self._gpg("--armor", "--export", self.fingerprint).stdout)
        return target

    def clearsign(self, source: Path, target: Path) -> Path:
        """Write a cleartext-signed copy of ``source``."""
        self._gpg("--local-user", self.fingerprint, "--output", str(target), "--clearsign", str(source))
        return target

    def detach_sign(self, path: Path) -> Path:
        """Write ``path.asc``, an armoured detached signature (CSAF 2.0 section 7.1.19)."""
        target = path.with_name(path.name + ".asc")
        self._gpg(
            "--local-user", self.fingerprint, "--armor", "--output", str(target), "--detach-sign", str(path)
        )
        return target

    def close(self) -> None:
        """Stop the agent and remove the home."""
        subprocess.run(
            ["gpgconf", "--homedir", str(self.home), "--kill", "all"], capture_output=True, check=False
        )
        shutil.rmtree(self.home, ignore_errors=True)
