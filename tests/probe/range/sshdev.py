"""An SSH server (asyncssh) in two variants.

- ``bad``: weak key exchange (diffie-hellman-group1-sha1, group14-sha1), CBC and 3DES
  ciphers, HMAC-MD5/SHA-1, an RSA host key with SHA-1 signatures, password logins with
  ``admin``/``admin``;
- ``good``: Curve25519 key exchange, AEAD ciphers, an Ed25519 host key, public-key logins
  only (and no key is authorised, so nobody gets in).

Every authentication request (including the method-listing "none" request) is logged.
"""

from __future__ import annotations

import asyncssh

from tests.probe.range.device import Device

BAD = {
    "kex_algs": ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1"],
    "encryption_algs": ["aes128-cbc", "3des-cbc", "aes128-ctr"],
    "mac_algs": ["hmac-md5", "hmac-sha1"],
    "signature_algs": ["ssh-rsa", "rsa-sha2-256"],
}
GOOD = {
    "kex_algs": ["curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"],
    "encryption_algs": ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com"],
    "mac_algs": ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"],
}


class _Server(asyncssh.SSHServer):
    def __init__(self, device: SshDevice) -> None:
        self.device = device

    def begin_auth(self, username: str) -> bool:
        self.device.ledger.log("auth", service="ssh", user=username, method="none")
        return True

    def password_auth_supported(self) -> bool:
        return self.device.variant == "bad"

    def validate_password(self, username: str, password: str) -> bool:
        ok = (username, password) == ("admin", "admin")
        self.device.ledger.log("auth", service="ssh", user=username, method="password", ok=ok)
        return ok

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        self.device.ledger.log("auth", service="ssh", user=username, method="publickey", ok=False)
        return False


class SshDevice(Device):
    """An SSH server behind the accounting proxy."""

    kind = "ssh"

    async def start(self) -> None:
        if self.variant == "bad":
            key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
            algorithms = BAD
        else:
            key = asyncssh.generate_private_key("ssh-ed25519")
            algorithms = GOOD
        acceptor = await asyncssh.create_server(
            lambda: _Server(self),
            self.address,
            0,
            server_host_keys=[key],
            login_timeout=20,
            config=[],
            **algorithms,  # type: ignore[arg-type]
        )
        self._servers.append(acceptor)
        await self.expose("ssh", acceptor.get_port())
