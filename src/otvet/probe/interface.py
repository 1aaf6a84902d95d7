"""The check interface: declarations an operator can approve in advance, and one coroutine.

A check declares, before anything is sent: its id and version, its category, the port
protocols it speaks, the criteria it informs, exactly what it sends (:attr:`Check.sends`,
printed by the dry run and in ``docs/probe.md``) and its :class:`~otvet.model.probe.Budget`.
The engine runs it once per port declared with one of its protocols (or once for the
target, when it has no protocols), with a :class:`CheckContext` whose connections go
through the guarded loop of :mod:`otvet.probe.net`: to the target only, to the check's
ports only, within its budget.

A check returns :class:`CheckOutcome`: its findings (each with a verdict, a rationale and
the criteria it speaks to) and the fields it parsed. It never decides that silence means
``pass``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

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
from otvet.probe.credentials import Credential
from otvet.probe.net import TcpConn, UdpFlow, meter_of_current

# Port protocols (the values of a target's port map).
MODBUS = "modbus"
MODBUS_TLS = "modbus-tls"
OPCUA = "opcua"
TLS = "tls"
HTTPS = "https"
HTTP = "http"
SSH = "ssh"
TELNET = "telnet"
FTP = "ftp"
TFTP = "tftp"
SNMP = "snmp"
TCP = "tcp"
PROTOCOLS: Mapping[str, Transport] = {
    MODBUS: Transport.TCP,
    MODBUS_TLS: Transport.TCP,
    OPCUA: Transport.TCP,
    TLS: Transport.TCP,
    HTTPS: Transport.TCP,
    HTTP: Transport.TCP,
    SSH: Transport.TCP,
    TELNET: Transport.TCP,
    FTP: Transport.TCP,
    TFTP: Transport.UDP,
    SNMP: Transport.UDP,
    TCP: Transport.TCP,
}
"""Every protocol a port may be declared with, and its transport."""
TLS_PROTOCOLS = (TLS, HTTPS, MODBUS_TLS)
"""Protocols that start with a TLS handshake."""


@dataclass(frozen=True)
class CheckOutcome:
    """What a check concluded."""

    findings: tuple[Finding, ...]
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class CheckContext:
    """What a running check may use: the target, its port, the options, and metered I/O."""

    target: ProbeTarget
    address: str
    port: PortSpec | None
    options: ProbeOptions
    facts: dict[str, Any]
    """Observations of earlier checks in the run (e.g. ``inventory.open``)."""
    now: Callable[[], datetime]
    credentials: Callable[[str], tuple[Credential, ...]]
    """Default credentials to try for a service (``http``, ``telnet``, ``ftp``, ``ssh``)."""
    trust_anchor: bytes | None = None
    """PEM certificates of the owner's CA, when the user gave them."""

    @property
    def timeout(self) -> float:
        """Read timeout for one reply."""
        return self.options.pacing.read_timeout_s

    @property
    def port_number(self) -> int:
        """The check's port (checks without a port never call this)."""
        if self.port is None:
            raise ValueError("this check has no port")
        return self.port.port

    async def connect(self, port: int | None = None) -> TcpConn:
        """A metered TCP connection to the check's port (or another port it declared)."""
        return await TcpConn.open(
            self.port_number if port is None else port, timeout=self.options.pacing.connect_timeout_s
        )

    async def udp(self, port: int | None = None, *, connected: bool = True) -> UdpFlow:
        """A metered UDP flow to the check's port."""
        return await UdpFlow.open(self.port_number if port is None else port, connected=connected)

    def redact(self, secret: bytes) -> None:
        """Never record these bytes (a password being tried)."""
        meter_of_current().redact(secret)

    async def pause(self, seconds: float) -> None:
        """Wait between attempts (the robustness watch keeps beating meanwhile)."""
        await asyncio.sleep(seconds)


class Check(Protocol):
    """One kind of observation the probe can make."""

    id: ClassVar[str]
    """Stable id, ``area.name`` (e.g. ``tls.versions``)."""
    version: ClassVar[str]
    """Bumped whenever what the check sends or how it judges changes."""
    title: ClassVar[str]
    category: ClassVar[Category]
    protocols: ClassVar[tuple[str, ...]]
    """Port protocols it runs against; empty: once per target."""
    default_ports: ClassVar[tuple[PortSpec, ...]]
    """Well-known ports probed when the user declared no port for :attr:`protocols`."""
    criteria: ClassVar[tuple[str, ...]]
    """Catalog criteria its findings may speak to."""
    sends: ClassVar[str]
    """Exactly what it sends, for the operator who approves the run."""
    budget_note: ClassVar[str]
    """How the budget depends on the target, when it does."""
    libraries: ClassVar[tuple[str, ...]]
    """Distributions whose versions go into the record (``asyncua``)."""

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        """The most it may use against one port of this target."""
        ...

    def requirement(self, target: ProbeTarget, options: ProbeOptions) -> str | None:
        """Why it cannot run against this target (a missing input), or None."""
        ...

    def allowed_ports(
        self, ctx_port: PortSpec | None, target: ProbeTarget
    ) -> tuple[tuple[Transport, int], ...]:
        """Ports it may reach (default: its own port)."""
        ...

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        """Observe and judge."""
        ...


class CheckBase:
    """Defaults shared by the checks (a convenience, not part of the interface)."""

    protocols: ClassVar[tuple[str, ...]] = ()
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    budget_note: ClassVar[str] = ""
    libraries: ClassVar[tuple[str, ...]] = ()

    def requirement(self, target: ProbeTarget, options: ProbeOptions) -> str | None:
        return None

    def allowed_ports(
        self, ctx_port: PortSpec | None, target: ProbeTarget
    ) -> tuple[tuple[Transport, int], ...]:
        return () if ctx_port is None else ((ctx_port.transport, ctx_port.port),)


def finding(
    key: str, verdict: Verdict, rationale: str, criteria: tuple[str, ...] = (), *, conclusive: bool = True
) -> Finding:
    """Shorthand for a :class:`~otvet.model.probe.Finding`."""
    return Finding(key=key, verdict=verdict, rationale=rationale, criteria=criteria, conclusive=conclusive)


def outcome(*findings: Finding, **fields: Any) -> CheckOutcome:
    """Shorthand for a :class:`CheckOutcome`."""
    return CheckOutcome(findings=tuple(findings), fields=fields)


def where(ctx: CheckContext) -> str:
    """``tcp/23`` for rationales."""
    return ctx.port.label if ctx.port else ctx.address
