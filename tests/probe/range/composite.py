"""Devices made of several simulated services on one address, with one ledger.

- ``rtu``/``bad`` is configured like the Northwind NW-RTU 500 example: Telnet, FTP, TFTP and
  HTTP Basic on (``admin``/``admin``), SNMP v2c ``public``, Modbus/TCP without
  authentication, HTTPS with TLS 1.0/1.1 and a self-signed certificate, SSH with weak
  algorithms and password logins.
- ``plc``/``good`` is configured like the Kestrel KA-9: OPC UA with SignAndEncrypt and user
  logins only, modern SSH, HTTPS with TLS 1.2/1.3 and a certificate from the owner's CA,
  Modbus/TCP Security requiring a client certificate, and Telnet/FTP/TFTP/HTTP/SNMP off.
"""

from __future__ import annotations

from tests.probe.range.device import Device
from tests.probe.range.legacy import LegacyDevice
from tests.probe.range.modbusdev import ModbusDevice
from tests.probe.range.opcuadev import OpcuaDevice
from tests.probe.range.snmpdev import SnmpDevice
from tests.probe.range.sshdev import SshDevice
from tests.probe.range.tlsdev import TlsDevice


class CompositeDevice(Device):
    """Several services on one address."""

    kind = "composite"

    def __init__(self, address: str, variant: str, *, snmpd: str | None = None) -> None:
        super().__init__(address, variant)
        self.snmpd = snmpd
        self.parts: list[Device] = []
        if variant == "bad":
            self.vendor, self.product, self.version = "Northwind Controls", "NW-RTU 500", "3.2.1"
            self.parts = [
                LegacyDevice(address, "bad"),
                ModbusDevice(address, "bad"),
                TlsDevice(address, "legacy"),
                SshDevice(address, "bad"),
            ]
            if snmpd:
                self.parts.append(SnmpDevice(address, "bad", binary=snmpd))
        else:
            self.vendor, self.product, self.version = "Kestrel Automation", "KA-9 Safety PLC", "5.4.0"
            self.parts = [
                LegacyDevice(address, "good"),
                OpcuaDevice(address, "good"),
                SshDevice(address, "good"),
                TlsDevice(address, "good"),
                ModbusDevice(address, "good"),
            ]

    async def start(self) -> None:
        for part in self.parts:
            part.ledger = self.ledger
            part.workdir = self.workdir / f"{part.kind}-{part.variant}"
            await part.start()
            self.ports.update(part.ports)
            self.unserved_udp |= part.unserved_udp
        if self.variant == "good":
            self.ports.pop("tcp", None)  # the legacy part's heartbeat service: the PLC has OPC UA
            # SNMP is not implemented on the PLC: a UDP port where nothing answers (ICMP refused).
            self.closed_udp("snmp")

    async def stop(self) -> None:
        for part in self.parts:
            await part.stop()

    @property
    def trust_anchor(self) -> bytes | None:
        """The CAs the good variant's certificates chain to (HTTPS and Modbus/TCP Security)."""
        anchors = b""
        for part in self.parts:
            if isinstance(part, TlsDevice) and part.variant == "good":
                anchors += part.ca.pem
            if isinstance(part, ModbusDevice) and part.variant == "good":
                anchors += part.vendor_ca.pem
        return anchors or None
