"""``tls.versions``: which SSL/TLS versions the server accepts, one ClientHello per version.

The guide asks for SSL and TLS 1.0/1.1 to be disabled (SBD-06.05) and current versions
enabled (SBD-06.03). Each version gets its own connection and a hand-built ClientHello
offering exactly that version (see :mod:`otvet.probe.wire.tls` and ADR 0051), so the answer
does not depend on the local OpenSSL build. Five connections in total, one at a time.
"""

from __future__ import annotations

from typing import ClassVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from otvet.model.probe import Budget, Category, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.interface import (
    TLS_PROTOCOLS,
    CheckBase,
    CheckContext,
    CheckOutcome,
    finding,
    outcome,
    where,
)
from otvet.probe.wire import tls

ORDER = (tls.TLS13, tls.TLS12, tls.TLS11, tls.TLS10, tls.SSL3)


async def probe_version(ctx: CheckContext, version: int) -> tuple[str, tls.Flight | None]:
    """("accepted" | "refused" | "silent" | "no-connection" | "not-tls", flight)."""
    key = None
    if version == tls.TLS13:
        key = (
            x25519.X25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
    try:
        conn = await ctx.connect()
    except (ConnectionRefusedError, TimeoutError):
        return "no-connection", None
    try:
        await conn.send(tls.client_hello(version, key_share=key))
        await conn.wait_for(lambda b: tls.scan_safely(b).complete, ctx.timeout)
        flight = tls.scan_safely(conn.take())
        if flight.version is not None and flight.version != tls.TLS13:
            await conn.send(tls.cancel(flight.version))
        eof = conn.eof
    finally:
        await conn.close()
    if not flight.tls:
        return "not-tls", flight
    if flight.version == version:
        return "accepted", flight
    if flight.alert is not None or flight.version is not None:
        return "refused", flight
    # NOTE: many TLS stacks (asyncio's, most embedded ones) end an unacceptable handshake by
    # closing the connection without an alert: an answer, unlike silence until the timeout.
    return ("refused" if eof else "silent"), flight


class TlsVersions(CheckBase):
    """One ClientHello per protocol version."""

    id: ClassVar[str] = "tls.versions"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Only TLS 1.2 and 1.3 accepted"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = TLS_PROTOCOLS
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.05", "SBD-06.03", "SBD-07.06")
    sends: ClassVar[str] = (
        "Five TCP connections to {port}, one per version (TLS 1.3, 1.2, 1.1, 1.0, SSL 3.0): a ClientHello "
        "offering only that version; after the server's first flight, the alerts user_canceled and close_notify; FIN."
    )
    libraries: ClassVar[tuple[str, ...]] = ("cryptography",)

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=5,
            max_packets=10,
            timeout_s=5 * (p.min_gap_s + p.connect_timeout_s + p.read_timeout_s) + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        results: dict[str, str] = {}
        negotiated: dict[str, str] = {}
        for version in ORDER:
            state, flight = await probe_version(ctx, version)
            name = tls.VERSION_NAMES[version]
            results[name] = state
            if flight is not None and flight.alert_name:
                negotiated[name] = f"alert {flight.alert_name}"
            elif flight is not None and flight.version is not None:
                negotiated[name] = (
                    f"server chose {tls.VERSION_NAMES.get(flight.version, hex(flight.version))}"
                )
        fields = {"versions": results, "answers": negotiated}
        accepted = [n for n, s in results.items() if s == "accepted"]
        unclear = [n for n, s in results.items() if s == "silent"]
        if all(s in ("no-connection",) for s in results.values()):
            return outcome(
                finding(
                    "tls",
                    Verdict.INDETERMINATE,
                    f"Nothing accepted connections on {where(ctx)}.",
                    self.criteria,
                ),
                **fields,
            )
        if all(s == "not-tls" for s in results.values() if s != "no-connection"):
            return outcome(
                finding(
                    "tls", Verdict.INDETERMINATE, f"{where(ctx)} does not answer with TLS.", self.criteria
                ),
                **fields,
            )
        legacy = [n for n in accepted if n in ("SSL 3.0", "TLS 1.0", "TLS 1.1")]
        modern = [n for n in accepted if n in ("TLS 1.2", "TLS 1.3")]
        found = []
        if legacy:
            found.append(
                finding("legacy", Verdict.FAIL, f"{where(ctx)} accepts {', '.join(legacy)}.", ("SBD-06.05",))
            )
        elif [n for n in unclear if n in ("SSL 3.0", "TLS 1.0", "TLS 1.1")]:
            found.append(
                finding(
                    "legacy",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} gave no answer for {', '.join(unclear)}; old versions are neither confirmed nor ruled out.",
                    ("SBD-06.05",),
                )
            )
        else:
            found.append(
                finding(
                    "legacy",
                    Verdict.PASS,
                    f"{where(ctx)} refuses SSL 3.0, TLS 1.0 and TLS 1.1.",
                    ("SBD-06.05",),
                )
            )
        if modern:
            found.append(
                finding("current", Verdict.PASS, f"{where(ctx)} accepts {', '.join(modern)}.", ("SBD-06.03",))
            )
            found.append(
                finding(
                    "encryption", Verdict.PASS, f"{where(ctx)} encrypts with {modern[0]}.", ("SBD-07.06",)
                )
            )
        elif legacy:
            found.append(
                finding(
                    "current",
                    Verdict.FAIL,
                    f"{where(ctx)} accepts only outdated versions ({', '.join(legacy)}).",
                    ("SBD-06.03",),
                )
            )
        return CheckOutcome(tuple(found), fields)
