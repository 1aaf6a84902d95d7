"""``http.cleartext``: does the device serve HTTP without TLS?

The guide asks that unencrypted HTTP be disabled by default (SBD-06.04); a login over it
exposes the credential (SBD-07.06). One GET / with ``Connection: close``. A port that only
redirects to HTTPS passes; Basic authentication or a password form in clear fails.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.interface import HTTP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import WireError, http

MAX_BODY = 64 * 1024


class HttpCleartext(CheckBase):
    """One GET / over cleartext HTTP."""

    id: ClassVar[str] = "http.cleartext"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No cleartext HTTP (no login in clear)"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (HTTP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(80, Transport.TCP, HTTP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.04", "SBD-07.06")
    sends: ClassVar[str] = (
        "One TCP connection to {port}: 'GET / HTTP/1.1' with Host, User-Agent otvet-probe, Connection: close."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=1,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 2 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except ConnectionRefusedError:
            return outcome(
                finding(
                    "http",
                    Verdict.PASS,
                    f"Nothing listens on {where(ctx)} (connection refused): no cleartext HTTP.",
                    ("SBD-06.04",),
                )
            )
        except TimeoutError:
            return outcome(
                finding(
                    "http",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} did not answer the connection attempt.",
                    ("SBD-06.04",),
                )
            )
        try:
            await conn.send(http.request(ctx.target.host, port=ctx.port_number))
            await conn.wait_for(http.head_complete, ctx.timeout)
            await conn.wait_for(lambda b: len(b) >= MAX_BODY, 0.5 if conn.eof else ctx.timeout / 2)
            data = conn.take(MAX_BODY)
        finally:
            await conn.close()
        try:
            response = http.parse(data)
        except WireError:
            return outcome(
                finding(
                    "http", Verdict.INDETERMINATE, f"{where(ctx)} did not answer with HTTP.", ("SBD-06.04",)
                )
            )
        fields = {
            "status": f"{response.status} {response.reason}".strip(),
            "server": response.header("server"),
            "www_authenticate": list(response.all("www-authenticate"))[:4],
            "location": response.header("location"),
        }
        status = response.status
        location = response.header("location") or ""
        if 300 <= status < 400 and location.lower().startswith("https://"):
            return outcome(
                finding(
                    "http",
                    Verdict.PASS,
                    f"{where(ctx)} only redirects to HTTPS ({status} to {location[:80]}).",
                    self.criteria,
                ),
                **fields,
            )
        schemes = http.auth_schemes(response)
        if status == 401 and "Basic" in schemes:
            return outcome(
                finding(
                    "http",
                    Verdict.FAIL,
                    f"{where(ctx)} asks for a password with HTTP Basic authentication over cleartext HTTP: the password travels readable.",
                    self.criteria,
                ),
                **fields,
            )
        if http.has_password_form(response.body):
            return outcome(
                finding(
                    "http",
                    Verdict.FAIL,
                    f"{where(ctx)} serves a login form over cleartext HTTP.",
                    self.criteria,
                ),
                **fields,
            )
        if status == 401:
            return outcome(
                finding(
                    "http",
                    Verdict.FAIL,
                    f"{where(ctx)} serves cleartext HTTP with {', '.join(schemes) or 'unnamed'} authentication.",
                    ("SBD-06.04",),
                ),
                **fields,
            )
        return outcome(
            finding(
                "http",
                Verdict.FAIL,
                f"{where(ctx)} serves content over cleartext HTTP ({status}).",
                ("SBD-06.04",),
            ),
            **fields,
        )
