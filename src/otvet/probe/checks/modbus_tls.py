"""``modbus.tls_client_auth``: does Modbus/TCP Security demand a client certificate?

Modbus/TCP Security (TCP 802) authenticates clients with X.509 certificates in mutual TLS;
a server that completes a session with a client that has none accepts unauthenticated
commands (SBD-08.01). One TLS handshake without a client certificate; with TLS 1.3 the
server's refusal arrives as an alert right after the client's side of the handshake, so the
check waits for it. No Modbus request is sent.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks import tlsutil
from otvet.probe.interface import MODBUS_TLS, CheckBase, CheckContext, CheckOutcome, finding, outcome, where


class ModbusTlsClientAuth(CheckBase):
    """A TLS handshake without a client certificate."""

    id: ClassVar[str] = "modbus.tls_client_auth"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Modbus/TCP Security requires a client certificate"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (MODBUS_TLS,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-08.01",)
    sends: ClassVar[str] = (
        "One TCP connection to {port}: a TLS handshake without a client certificate, close_notify, FIN. No Modbus request."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=4,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 4 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except (ConnectionRefusedError, TimeoutError):
            return outcome(
                finding(
                    "client-auth",
                    Verdict.INDETERMINATE,
                    f"Nothing accepted connections on {where(ctx)}.",
                    self.criteria,
                )
            )
        session = tlsutil.TlsSession(conn, tlsutil.client_context(), ctx.timeout)
        try:
            shake = await session.handshake()
            alert = await session.read_alert() if shake.ok else None
            if shake.ok and alert is None:
                await session.close()
        finally:
            await conn.close()
        reason = shake.error or alert
        fields = {
            "handshake": f"{shake.version} {shake.cipher}" if shake.ok else f"failed: {shake.error}",
            "after": alert,
        }
        if reason and ("certificate" in reason or "handshake failure" in reason or reason == "closed"):
            return outcome(
                finding(
                    "client-auth",
                    Verdict.PASS,
                    f"{where(ctx)} refused a TLS session without a client certificate ({reason}).",
                    self.criteria,
                ),
                **fields,
            )
        if shake.ok:
            return outcome(
                finding(
                    "client-auth",
                    Verdict.FAIL,
                    f"{where(ctx)} completed a Modbus/TCP Security session without a client certificate: "
                    "commands over it are unauthenticated.",
                    self.criteria,
                ),
                **fields,
            )
        return outcome(
            finding(
                "client-auth",
                Verdict.INDETERMINATE,
                f"The TLS handshake on {where(ctx)} failed: {reason}.",
                self.criteria,
            ),
            **fields,
        )
