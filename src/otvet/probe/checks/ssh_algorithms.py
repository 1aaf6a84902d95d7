"""``ssh.algorithms``: the SSH server's protocol version and algorithm offer, from one KEXINIT.

SBD-06.03 asks for secure, current protocol versions (SSH 2) by default. The check reads the
server's identification (a port that announces no SSH receives nothing), sends its own, reads
the server's first packet (KEXINIT, sent in clear before any key exchange), and ends with
SSH_MSG_DISCONNECT: two messages, one connection (unlike scanners that open dozens).

The policy (what fails, what warns) follows RFC 9142 (key exchange), RFC 8758 (RC4),
RFC 8332 (SHA-1 RSA signatures), NIST SP 800-131A Rev. 2 and BSI TR-02102-4, and the
"Terrapin" prefix truncation attack (CVE-2023-48795) when strict key exchange is missing.
"""

from __future__ import annotations

import re
from typing import ClassVar

from otvet.model.probe import (
    Budget,
    Category,
    Finding,
    PortSpec,
    ProbeOptions,
    ProbeTarget,
    Transport,
    Verdict,
)
from otvet.probe.interface import SSH, CheckBase, CheckContext, CheckOutcome, finding, where
from otvet.probe.wire import WireError, ssh

BROKEN = {
    "kex_algorithms": ("diffie-hellman-group1-sha1", "rsa1024-sha1", "gss-group1-sha1-*"),
    "server_host_key_algorithms": ("ssh-dss", "ssh-dss-*"),
    "encryption": (
        "none",
        "des",
        "des-cbc*",
        "3des-cbc",
        "3des-ctr",
        "blowfish-*",
        "cast128-*",
        "arcfour*",
        "rc4*",
        "idea-*",
        "seed-*",
    ),
    "mac": (
        "none",
        "hmac-md5",
        "hmac-md5-96",
        "hmac-md5-*",
        "hmac-sha1-96",
        "hmac-sha1-96-*",
        "hmac-ripemd160*",
    ),
}
"""Algorithms that are broken or deprecated by an RFC: offering them fails the check."""
DEPRECATED = {
    "kex_algorithms": (
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group-exchange-sha1",
        "gss-group14-sha1-*",
        "gss-gex-sha1-*",
    ),
    "server_host_key_algorithms": ("ssh-rsa",),
    "encryption": ("aes128-cbc", "aes192-cbc", "aes256-cbc", "rijndael-cbc*"),
    "mac": ("hmac-sha1", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-64-etm@openssh.com"),
}
"""SHA-1 and CBC based choices: still offered by many devices, to be phased out (warn)."""
POLICY_SOURCES = "RFC 9142, RFC 8758, RFC 8332, NIST SP 800-131A Rev. 2, BSI TR-02102-4, CVE-2023-48795"


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(re.fullmatch(p.replace(".", r"\.").replace("*", ".*"), name) for p in patterns)


def judge(version: str, lists: dict[str, tuple[str, ...]]) -> list[Finding]:
    """Findings for an identification line and KEXINIT name-lists."""
    crit = ("SBD-06.03",)
    where_lists = {
        "kex_algorithms": lists.get("kex_algorithms", ()),
        "server_host_key_algorithms": lists.get("server_host_key_algorithms", ()),
        "encryption": tuple(
            dict.fromkeys(
                lists.get("encryption_algorithms_client_to_server", ())
                + lists.get("encryption_algorithms_server_to_client", ())
            )
        ),
        "mac": tuple(
            dict.fromkeys(
                lists.get("mac_algorithms_client_to_server", ())
                + lists.get("mac_algorithms_server_to_client", ())
            )
        ),
    }
    out: list[Finding] = []
    proto = version.split("-", 2)[1] if version.count("-") >= 2 else "?"
    if proto.startswith("1.") and proto != "1.99":
        out.append(
            finding(
                "protocol", Verdict.FAIL, f"The server speaks SSH protocol {proto}, which is broken.", crit
            )
        )
    broken = [
        f"{n} ({k.replace('_', ' ')})"
        for k, names in where_lists.items()
        for n in names
        if _matches(n, BROKEN[k])
    ]
    old = [
        f"{n} ({k.replace('_', ' ')})"
        for k, names in where_lists.items()
        for n in names
        if _matches(n, DEPRECATED[k])
    ]
    if broken:
        out.append(
            finding("weak", Verdict.FAIL, f"The server offers broken algorithms: {', '.join(broken)}.", crit)
        )
    if old:
        out.append(
            finding(
                "deprecated",
                Verdict.WARN,
                f"The server offers deprecated algorithms: {', '.join(old)}.",
                crit,
            )
        )
    strict = "kex-strict-s-v00@openssh.com" in where_lists["kex_algorithms"]
    vulnerable_mode = "chacha20-poly1305@openssh.com" in where_lists["encryption"] or any(
        m.endswith("-etm@openssh.com") for m in where_lists["mac"]
    )
    if vulnerable_mode and not strict:
        out.append(
            finding(
                "terrapin",
                Verdict.WARN,
                "The server offers ChaCha20-Poly1305 or encrypt-then-MAC without strict key exchange (Terrapin, CVE-2023-48795).",
                crit,
            )
        )
    if not out:
        out.append(
            finding("algorithms", Verdict.PASS, "The server offers SSH 2 with current algorithms only.", crit)
        )
    return out


class SshAlgorithms(CheckBase):
    """Reads one KEXINIT."""

    id: ClassVar[str] = "ssh.algorithms"
    version: ClassVar[str] = "1.1"  # 1.1: reads the server's identification before sending
    title: ClassVar[str] = "SSH 2 with current algorithms only"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (SSH,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(22, Transport.TCP, SSH, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.03", "SBD-07.06")
    sends: ClassVar[str] = (
        "One TCP connection to {port}: after the server's SSH identification (nothing is sent to a port "
        "that does not announce SSH), the identification 'SSH-2.0-otvet_probe', then, after the server's "
        "KEXINIT, an unencrypted SSH_MSG_DISCONNECT (reason 11, by application); FIN."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=2,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 2 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except ConnectionRefusedError:
            return CheckOutcome(
                (finding("ssh", Verdict.INDETERMINATE, f"Nothing listens on {where(ctx)}.", self.criteria),)
            )
        except TimeoutError:
            return CheckOutcome(
                (
                    finding(
                        "ssh",
                        Verdict.INDETERMINATE,
                        f"{where(ctx)} did not answer the connection attempt.",
                        self.criteria,
                    ),
                )
            )
        try:
            # The server speaks first (RFC 4253 section 4.2: both sides send an identification;
            # servers do so on accept). Reading it before sending ours means a port that is not
            # SSH after all receives nothing from us.
            await conn.wait_for(lambda b: _ident(b) is not None, ctx.timeout)
            found = _ident(conn.pending)
            if not found:
                return CheckOutcome(
                    (
                        finding(
                            "ssh",
                            Verdict.INDETERMINATE,
                            f"{where(ctx)} sent no SSH identification.",
                            self.criteria,
                        ),
                    )
                )
            version, start = found
            conn.take(start)
            await conn.send(ssh.CLIENT_ID)
            await conn.wait_for(ssh.packet_complete, ctx.timeout)
            packet = conn.take()
            await conn.send(ssh.disconnect())
        finally:
            await conn.close()
        fields: dict[str, object] = {"identification": version}
        try:
            kex = ssh.kexinit(packet)
        except WireError as exc:
            return CheckOutcome(
                (finding("ssh", Verdict.ERROR, f"The server's first packet did not parse: {exc}.", ()),),
                fields,
            )
        fields.update({k: list(v) for k, v in kex.lists.items()})
        fields["policy"] = POLICY_SOURCES
        found_list = judge(version, kex.lists)
        found_list.append(
            finding(
                "encryption", Verdict.PASS, f"{where(ctx)} speaks SSH, an encrypted protocol.", ("SBD-07.06",)
            )
        )
        return CheckOutcome(tuple(found_list), fields)


def _ident(buffer: bytes) -> tuple[str, int] | None:
    try:
        return ssh.identification(buffer)
    except WireError:
        return None
