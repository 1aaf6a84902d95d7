"""``creds.ssh``: default credentials against SSH password authentication (``--auth``)."""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport
from otvet.probe.checks import creds, sshutil
from otvet.probe.credentials import Credential
from otvet.probe.interface import SSH, CheckBase, CheckContext, CheckOutcome


class CredsSsh(CheckBase):
    """At most three password logins, one SSH connection each."""

    id: ClassVar[str] = "creds.ssh"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No default password (SSH)"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (SSH,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(22, Transport.TCP, SSH, "default"),)
    criteria: ClassVar[tuple[str, ...]] = creds.CRITERIA
    sends: ClassVar[str] = (
        "At most {tries} SSH connections to {port}, {gap:g} s apart: key exchange, one password login with a "
        "pair from the default-credential list (encrypted by SSH; redacted in the evidence), disconnect."
    )
    budget_note: ClassVar[str] = "at most 3 connections, 30 messages each"
    libraries: ClassVar[tuple[str, ...]] = ("asyncssh",)

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        return creds.budget(options, per_try_packets=30, per_try_reads=8)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        async def attempt(cred: Credential) -> creds.Attempt:
            try:
                accepted, recorder, detail = await sshutil.attempt(
                    ctx, ctx.port_number, cred.username, cred.password
                )
            except (ConnectionRefusedError, TimeoutError, OSError) as exc:
                return creds.Attempt(None, f"no SSH session: {exc}")
            if accepted is False and "password" not in recorder.offered:
                return creds.Attempt(
                    None, f"no password login offered ({', '.join(recorder.offered) or 'none'})"
                )
            return creds.Attempt(accepted, detail)

        return await creds.try_all(ctx, "ssh", "SSH server", attempt)
