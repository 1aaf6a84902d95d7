"""``tls.certificate``: the certificate the device presents: validity, key, signature, chain.

SBD-07.08 asks for valid certificates with adequate keys and current signature algorithms;
SBD-07.01 for communication authenticated with device certificates, which a peer can check
only through a chain of trust (a self-signed certificate cannot be checked, it can only be
pinned). One complete TLS handshake with the local library's defaults (TLS 1.2+), verifying
against the owner's trust anchor when one was given. If that handshake fails (the server
only speaks older versions, or insists on a client certificate), one ClientHello for TLS 1.2
reads the certificate chain from the server's first flight, where up to TLS 1.2 it travels
in clear.
"""

from __future__ import annotations

from typing import Any, ClassVar

from otvet.model.probe import Budget, Category, Finding, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks import tlsutil
from otvet.probe.interface import TLS_PROTOCOLS, CheckBase, CheckContext, CheckOutcome, finding, where
from otvet.probe.wire import tls


class TlsCertificate(CheckBase):
    """One full handshake (or, failing that, one ClientHello) to read and judge the certificate."""

    id: ClassVar[str] = "tls.certificate"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Valid device certificate with a chain of trust"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = TLS_PROTOCOLS
    criteria: ClassVar[tuple[str, ...]] = ("SBD-07.08", "SBD-07.01")
    sends: ClassVar[str] = (
        "One TCP connection to {port}: a complete TLS handshake (TLS 1.2/1.3, no client certificate), "
        "close_notify, FIN. Only if that fails, a second connection: a TLS 1.2 ClientHello, then the alerts "
        "user_canceled and close_notify, FIN."
    )
    libraries: ClassVar[tuple[str, ...]] = ("cryptography",)

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=2,
            max_packets=8,
            timeout_s=2 * (p.min_gap_s + p.connect_timeout_s + 3 * p.read_timeout_s) + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        fields: dict[str, Any] = {}
        try:
            conn = await ctx.connect()
        except (ConnectionRefusedError, TimeoutError):
            return CheckOutcome(
                (
                    finding(
                        "certificate",
                        Verdict.INDETERMINATE,
                        f"Nothing accepted connections on {where(ctx)}.",
                        self.criteria,
                    ),
                )
            )
        session = tlsutil.TlsSession(conn, tlsutil.client_context(), ctx.timeout)
        try:
            shake = await session.handshake()
            if shake.ok:
                await session.close()
        finally:
            await conn.close()
        chain: tuple[bytes, ...] = shake.chain
        fields["handshake"] = f"{shake.version} {shake.cipher}" if shake.ok else f"failed: {shake.error}"
        if not shake.ok or not chain:
            chain = await self._from_flight(ctx, fields)
        certs = [c for c in (tlsutil.load(d) for d in chain) if c is not None]
        if not certs:
            return CheckOutcome(
                (
                    finding(
                        "certificate",
                        Verdict.INDETERMINATE,
                        f"{where(ctx)} presented no readable certificate.",
                        self.criteria,
                    ),
                ),
                fields,
            )
        leaf = certs[0]
        fields["certificate"] = tlsutil.facts(leaf)
        fields["chain_length"] = len(certs)
        now = ctx.now()
        found: list[Finding] = tlsutil.validity_findings(leaf, now, where(ctx))
        trust, state = tlsutil.trust_findings(leaf, certs[1:], ctx.address, now, ctx.trust_anchor, where(ctx))
        fields["chain"] = state
        found.extend(trust)
        return CheckOutcome(tuple(found), fields)

    async def _from_flight(self, ctx: CheckContext, fields: dict[str, Any]) -> tuple[bytes, ...]:
        try:
            conn = await ctx.connect()
        except (ConnectionRefusedError, TimeoutError):
            return ()
        try:
            await conn.send(tls.client_hello(tls.TLS12))
            await conn.wait_for(lambda b: tls.scan_safely(b).complete, ctx.timeout)
            flight = tls.scan_safely(conn.take())
            if flight.version is not None:
                await conn.send(tls.cancel(flight.version))
        finally:
            await conn.close()
        if flight.version is not None:
            fields["certificate_from"] = (
                f"server's first flight ({tls.VERSION_NAMES.get(flight.version, '?')})"
            )
        return flight.certificates
