"""``creds.telnet``: default credentials at the Telnet login prompt (``--auth``)."""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport
from otvet.probe.checks import creds
from otvet.probe.checks.common import telnet_login
from otvet.probe.credentials import Credential
from otvet.probe.interface import TELNET, CheckBase, CheckContext, CheckOutcome


class CredsTelnet(CheckBase):
    """At most three logins at the Telnet prompt."""

    id: ClassVar[str] = "creds.telnet"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No default password (Telnet)"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (TELNET,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(23, Transport.TCP, TELNET, "default"),)
    criteria: ClassVar[tuple[str, ...]] = creds.CRITERIA
    sends: ClassVar[str] = (
        "At most {tries} TCP connections to {port}, {gap:g} s apart: decline every Telnet option offered, "
        "answer the login prompt with a user name and the password prompt with a password from the "
        "default-credential list; passwords redacted in the evidence."
    )
    budget_note: ClassVar[str] = "at most 3 connections, 8 messages each"

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        return creds.budget(options, per_try_packets=8, per_try_reads=6)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        async def attempt(cred: Credential) -> creds.Attempt:
            return await telnet_login(ctx, ctx.port_number, cred.username, cred.password)

        return await creds.try_all(ctx, "telnet", "Telnet server", attempt)
