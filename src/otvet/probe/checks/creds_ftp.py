"""``creds.ftp``: default credentials against the FTP login (``--auth``)."""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport
from otvet.probe.checks import creds
from otvet.probe.checks.common import ftp_login
from otvet.probe.credentials import Credential
from otvet.probe.interface import FTP, CheckBase, CheckContext, CheckOutcome


class CredsFtp(CheckBase):
    """At most three USER/PASS logins."""

    id: ClassVar[str] = "creds.ftp"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No default password (FTP)"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (FTP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(21, Transport.TCP, FTP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = creds.CRITERIA
    sends: ClassVar[str] = (
        "At most {tries} TCP connections to {port}, {gap:g} s apart: 'USER name', 'PASS password' from the "
        "default-credential list, 'QUIT' after a success; passwords redacted in the evidence."
    )
    budget_note: ClassVar[str] = "at most 3 connections, 3 messages each"

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        return creds.budget(options, per_try_packets=3, per_try_reads=4)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        async def attempt(cred: Credential) -> creds.Attempt:
            return await ftp_login(ctx, ctx.port_number, cred.username, cred.password)

        return await creds.try_all(ctx, "ftp", "FTP server", attempt)
