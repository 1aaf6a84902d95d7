"""SSH client helpers: one asyncssh connection through the guarded loop, configured to use
nothing of the local user's environment (no keys, no agent, no config files, no GSS)."""

from __future__ import annotations

import warnings
from typing import Any

import asyncssh
from cryptography.utils import CryptographyDeprecationWarning

from otvet.probe.interface import CheckContext


class _Recorder(asyncssh.SSHClient):
    """Notes which authentication methods the server offers; gives credentials at most once."""

    def __init__(self, password: str | None) -> None:
        self.offered: list[str] = []
        self.host_key: str | None = None
        self._password = password

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        self.host_key = f"{key.get_algorithm()} {key.get_fingerprint()}"
        return True

    def public_key_auth_requested(self) -> None:
        self.offered.append("publickey")

    def password_auth_requested(self) -> str | None:
        self.offered.append("password")
        password, self._password = self._password, None
        return password

    def kbdint_auth_requested(self) -> None:
        self.offered.append("keyboard-interactive")


async def attempt(
    ctx: CheckContext, port: int, username: str, password: str | None
) -> tuple[bool | None, _Recorder, str]:
    """One connection: (logged in?, what the server offered, detail)."""
    recorder = _Recorder(password)
    if password:
        ctx.redact(password.encode())
    options: dict[str, Any] = {
        "username": username,
        "password": None,
        "client_keys": None,
        "agent_path": None,
        "known_hosts": None,
        "config": [],
        "gss_host": None,
        "preferred_auth": "password" if password else "publickey,keyboard-interactive,password",
        "connect_timeout": ctx.options.pacing.connect_timeout_s,
        "login_timeout": 4 * ctx.timeout,
        "keepalive_interval": 0,
    }
    try:
        with warnings.catch_warnings():
            # NOTE: old devices offer finite-field Diffie-Hellman; cryptography warns about it on
            # every use. Weak algorithms are findings of ssh.algorithms, not runtime warnings.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            conn = await asyncssh.connect(ctx.address, port, client_factory=lambda: recorder, **options)
    except asyncssh.PermissionDenied as exc:
        return False, recorder, f"permission denied ({exc.reason})"
    except asyncssh.DisconnectError as exc:
        return None, recorder, f"disconnected: {exc.reason}"
    conn.close()
    await conn.wait_closed()
    return True, recorder, "authenticated"
