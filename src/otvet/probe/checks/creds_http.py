"""``creds.http``: default credentials against HTTP Basic authentication (``--auth``)."""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.checks import creds
from otvet.probe.checks.common import http_basic
from otvet.probe.credentials import Credential
from otvet.probe.interface import HTTP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import WireError, http


class CredsHttp(CheckBase):
    """At most three Basic logins on GET /."""

    id: ClassVar[str] = "creds.http"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No default password (HTTP Basic)"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (HTTP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(80, Transport.TCP, HTTP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = creds.CRITERIA
    sends: ClassVar[str] = (
        "One 'GET /' to {port} to see whether it asks for Basic authentication; then at most {tries} "
        "'GET /' with an Authorization: Basic header from the default-credential list, one connection each, "
        "{gap:g} s apart; passwords redacted in the evidence."
    )
    budget_note: ClassVar[str] = "1 + (at most 3) connections and messages"

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        return creds.budget(options, per_try_packets=1, extra_connections=1)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except ConnectionRefusedError:
            return outcome(
                finding(
                    "defaults",
                    Verdict.PASS,
                    f"No HTTP server on {where(ctx)} (connection refused).",
                    creds.CRITERIA,
                    conclusive=False,
                )
            )
        except TimeoutError:
            return outcome(
                finding("defaults", Verdict.INDETERMINATE, f"{where(ctx)} did not answer.", creds.CRITERIA)
            )
        try:
            await conn.send(http.request(ctx.target.host, port=ctx.port_number))
            await conn.wait_for(http.head_complete, ctx.timeout)
            data = conn.take()
        finally:
            await conn.close()
        try:
            first = http.parse(data)
        except WireError:
            return outcome(
                finding(
                    "defaults",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} did not answer with HTTP.",
                    creds.CRITERIA,
                )
            )
        if first.status != 401 or "Basic" not in http.auth_schemes(first):
            return outcome(
                finding(
                    "defaults",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} does not ask for HTTP Basic authentication on / ({first.status}); login forms are not tried.",
                    creds.CRITERIA,
                )
            )
        await ctx.pause(ctx.options.auth.gap_s)

        async def attempt(cred: Credential) -> creds.Attempt:
            return await http_basic(ctx, ctx.port_number, cred.username, cred.password)

        return await creds.try_all(ctx, "http", "web server", attempt)
