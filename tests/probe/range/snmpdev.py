"""A real SNMP agent (Debian's net-snmp ``snmpd``) behind a UDP accounting proxy.

- ``bad``: SNMPv1/v2c with the read community ``public``;
- ``good``: SNMPv3 only (a user with SHA-256 authentication and AES privacy), no community;
- ``private``: the same SNMPv3 user *and* SNMPv2c with a non-default read community: it ignores
  ``public`` exactly as ``good`` does, yet still speaks the legacy protocol.

The proxy decodes every datagram with pysnmp/pyasn1 (not with the probe's own parser) and
logs it; SetRequests are logged as ``write``, SNMPv3 requests that name a user as ``auth``.
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto import api
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from otvet.model.probe import Transport
from tests.probe.range.base import UdpProxy, free_port
from tests.probe.range.device import Device

SYS_DESCR = "Northwind Controls NW-RTU 500, firmware 3.2.1"
PRIVATE_COMMUNITY = "site-7f3c"  # not a default any list holds


def describe(data: bytes) -> dict[str, Any]:
    """Version, community or user, and PDU type of an SNMP message."""
    try:
        version = int(api.decodeMessageVersion(data))
        if version in (0, 1):
            message, _ = decoder.decode(data, asn1Spec=api.PROTOCOL_MODULES[version].Message())
            pdu = message["data"].getName()
            return {
                "version": "v1" if version == 0 else "v2c",
                "community": str(message["community"]),
                "pdu": pdu,
            }
        message, _ = decoder.decode(data, asn1Spec=SNMPv3Message())
        usm, _ = decoder.decode(bytes(message["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters())
        user = bytes(usm["msgUserName"]).decode("latin-1")
        return {"version": "v3", "user": user}
    except (PyAsn1Error, ValueError, KeyError) as exc:
        return {"version": "?", "error": str(exc)[:80]}


class SnmpDevice(Device):
    """snmpd on a backend port, the accounting proxy on the public one."""

    kind = "snmp"

    def __init__(self, address: str, variant: str, *, binary: str = "/usr/sbin/snmpd") -> None:
        super().__init__(address, variant)
        self.binary = binary
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        persist = self.workdir / "persist"
        persist.mkdir(exist_ok=True)
        backend = free_port(self.address, socket.SOCK_DGRAM)
        config = self.workdir / "snmpd.conf"
        lines = [f"sysDescr {SYS_DESCR}", "sysObjectID .1.3.6.1.4.1.99999.1", "sysLocation otvet test range"]
        if self.variant == "bad":
            lines.append("rocommunity public default")
        else:
            lines += [
                'createUser otvetv3 SHA-256 "range-auth-passphrase" AES "range-priv-passphrase"',
                "rouser otvetv3 priv",
            ]
            if self.variant == "private":
                lines.append(f"rocommunity {PRIVATE_COMMUNITY} default")
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(persist)}
        self.process = await asyncio.create_subprocess_exec(
            self.binary,
            "-f",
            "-C",
            "-c",
            str(config),
            "-Lf",
            str(self.workdir / "snmpd.log"),
            "-M",
            "/nonexistent",
            "-m",
            "",
            "-p",
            str(self.workdir / "snmpd.pid"),
            f"udp:{self.address}:{backend}",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        loop = asyncio.get_running_loop()
        proxy = UdpProxy(self.ledger, (self.address, backend), describe)
        transport, _ = await loop.create_datagram_endpoint(lambda: proxy, local_addr=(self.address, 0))
        self._servers.append(proxy)
        self.ports["snmp"] = (transport.get_extra_info("sockname")[1], Transport.UDP)
        await self._wait_ready(backend)

    async def _wait_ready(self, backend: int) -> None:
        """Poll snmpd directly (not through the proxy) until it answers a discovery request."""
        from otvet.probe.wire import snmp

        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(0.1)
                s.connect((self.address, backend))
                try:
                    s.send(snmp.discovery_request(1, 1))
                    if s.recv(2048):
                        return
                except OSError:
                    pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"snmpd did not start on {self.address}:{backend}")

    async def stop(self) -> None:
        await super().stop()
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
