"""The documented OT/IT TCP port list of the inventory, and the legacy services' well-known ports.

Sources: the IANA Service Name and Transport Protocol Port Number Registry, and the vendor
documentation named per row. The list is short on purpose: each port costs one connection.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownPort:
    """A TCP port of the inventory."""

    port: int
    service: str
    source: str


INVENTORY: tuple[KnownPort, ...] = (
    KnownPort(21, "FTP", "IANA; RFC 959"),
    KnownPort(22, "SSH", "IANA; RFC 4253"),
    KnownPort(23, "Telnet", "IANA; RFC 854"),
    KnownPort(25, "SMTP", "IANA; RFC 5321"),
    KnownPort(80, "HTTP", "IANA; RFC 9110"),
    KnownPort(102, "ISO-TSAP (Siemens S7comm, IEC 61850 MMS)", "IANA; RFC 1006"),
    KnownPort(135, "MS RPC endpoint mapper (OPC Classic / DCOM)", "IANA"),
    KnownPort(139, "NetBIOS session service", "IANA; RFC 1001"),
    KnownPort(443, "HTTPS", "IANA; RFC 9110"),
    KnownPort(445, "SMB", "IANA"),
    KnownPort(502, "Modbus/TCP", "IANA; Modbus Messaging on TCP/IP Implementation Guide"),
    KnownPort(789, "Red Lion Crimson v3", "Red Lion Crimson 3 manual"),
    KnownPort(802, "Modbus/TCP Security", "IANA; Modbus/TCP Security Protocol Specification"),
    KnownPort(1433, "Microsoft SQL Server (historians)", "IANA"),
    KnownPort(1911, "Tridium Niagara Fox", "IANA"),
    KnownPort(1962, "Phoenix Contact PCWorx", "IANA (biap-mp); Phoenix Contact documentation"),
    KnownPort(2404, "IEC 60870-5-104", "IANA; IEC 60870-5-104"),
    KnownPort(2455, "CODESYS V2 runtime", "CODESYS documentation"),
    KnownPort(3389, "Remote Desktop", "IANA"),
    KnownPort(4840, "OPC UA", "IANA; OPC 10000-6"),
    KnownPort(4843, "OPC UA over TLS", "IANA; OPC 10000-6"),
    KnownPort(5007, "Mitsubishi MELSEC (MELSOFT)", "Mitsubishi Electric MELSEC communication manuals"),
    KnownPort(5094, "HART-IP", "IANA; FieldComm Group HART-IP"),
    KnownPort(5900, "VNC (HMI panels)", "IANA; RFC 6143"),
    KnownPort(8080, "HTTP alternate", "IANA"),
    KnownPort(8443, "HTTPS alternate", "IANA"),
    KnownPort(9600, "OMRON FINS/TCP", "IANA; OMRON FINS commands reference"),
    KnownPort(18245, "GE SRTP", "GE PACSystems documentation"),
    KnownPort(20000, "DNP3", "IANA; IEEE 1815"),
    KnownPort(20256, "Unitronics PCOM", "Unitronics documentation; CISA AA23-335A"),
    KnownPort(44818, "EtherNet/IP (CIP)", "IANA; ODVA"),
    KnownPort(48898, "Beckhoff ADS/AMS", "Beckhoff Information System"),
)
"""The inventory's default TCP port list."""


def service_of(port: int) -> str | None:
    """The service name of a listed port."""
    for known in INVENTORY:
        if known.port == port:
            return known.service
    return None
