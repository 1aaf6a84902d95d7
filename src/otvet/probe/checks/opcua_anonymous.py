"""``opcua.anonymous``: does the server accept an anonymous session, and what could it change?
(authentication attempt: needs ``--auth``)

Where an endpoint offers security mode None with the Anonymous user token, the check opens
one anonymous session, reads BuildInfo and StartTime, browses at most 200 nodes three levels
deep below Objects and reads which variables the session could write (UserAccessLevel,
CurrentWrite) and which methods it could call (UserExecutable). It writes nothing and calls
nothing. Access without a credential fails SBD-06.01; write or call rights without a
credential fail SBD-08.01 (supervisory commands must be authenticated).
"""

from __future__ import annotations

from typing import Any, ClassVar

from asyncua.ua.uaerrors import UaError

from otvet.model.probe import Budget, Category, Finding, PortSpec, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks import opcua
from otvet.probe.interface import OPCUA, CheckBase, CheckContext, CheckOutcome, finding, where


class OpcuaAnonymous(CheckBase):
    """GetEndpoints, then one anonymous session with a bounded, read-only browse."""

    id: ClassVar[str] = "opcua.anonymous"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No anonymous OPC UA session; no unauthenticated writes or calls"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (OPCUA,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.01", "SBD-08.01")
    sends: ClassVar[str] = (
        "Two TCP connections to {port}: GetEndpoints as in opcua.endpoints; then, if a None endpoint "
        "offers Anonymous: Hello, OpenSecureChannel (None), CreateSession, ActivateSession (anonymous), "
        f"Read BuildInfo and StartTime, at most {opcua.MAX_DEPTH} Browse requests (<= {opcua.MAX_NODES} nodes), "
        "one Read of UserAccessLevel/UserExecutable, CloseSession, CloseSecureChannel; FIN. No Write, no Call."
    )
    libraries: ClassVar[tuple[str, ...]] = ("asyncua",)

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=2,
            max_packets=40,
            timeout_s=2 * (p.min_gap_s + p.connect_timeout_s) + 16 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            found = await opcua.endpoints(ctx.port_number, ctx.timeout)
        except (ConnectionRefusedError, TimeoutError):
            return CheckOutcome(
                (
                    finding(
                        "anonymous",
                        Verdict.INDETERMINATE,
                        f"No OPC UA server answered on {where(ctx)}.",
                        self.criteria,
                    ),
                )
            )
        except (UaError, ConnectionError) as exc:
            return CheckOutcome(
                (finding("anonymous", Verdict.ERROR, f"GetEndpoints failed on {where(ctx)}: {exc}.", ()),)
            )
        open_none = [
            ep
            for ep in found
            if opcua.mode_name(ep.SecurityMode) == "None"
            and any(opcua.token_name(t.TokenType) == "Anonymous" for t in (ep.UserIdentityTokens or []))
        ]
        elsewhere = [
            ep
            for ep in found
            if any(opcua.token_name(t.TokenType) == "Anonymous" for t in (ep.UserIdentityTokens or []))
        ]
        if not open_none:
            if elsewhere:
                return CheckOutcome(
                    (
                        finding(
                            "anonymous",
                            Verdict.INDETERMINATE,
                            f"Anonymous logins are advertised on {where(ctx)} only on secured endpoints; the probe does not "
                            "present client certificates, so it did not try.",
                            ("SBD-06.01",),
                        ),
                    )
                )
            return CheckOutcome(
                (
                    finding(
                        "anonymous",
                        Verdict.PASS,
                        f"No endpoint on {where(ctx)} advertises anonymous logins.",
                        ("SBD-06.01",),
                        conclusive=False,
                    ),
                )
            )
        try:
            facts = await opcua.anonymous_session(ctx.port_number, ctx.timeout, browse=True)
        except (UaError, ConnectionError, TimeoutError) as exc:
            return CheckOutcome(
                (
                    finding(
                        "anonymous", Verdict.ERROR, f"The session attempt on {where(ctx)} failed: {exc}.", ()
                    ),
                )
            )
        fields: dict[str, Any] = {
            "session": facts.detail,
            "build_info": facts.build_info,
            "start_time": facts.start_time,
            "browsed_nodes": facts.browsed,
            "writable": facts.writable[:50],
            "executable": facts.executable[:50],
        }
        if not facts.accepted:
            return CheckOutcome(
                (
                    finding(
                        "anonymous",
                        Verdict.PASS,
                        f"The server on {where(ctx)} refused an anonymous session.",
                        ("SBD-06.01",),
                        conclusive=False,
                    ),
                ),
                fields,
            )
        out: list[Finding] = [
            finding(
                "anonymous",
                Verdict.FAIL,
                f"The server on {where(ctx)} accepted an anonymous session over an unencrypted channel.",
                ("SBD-06.01",),
            )
        ]
        if facts.writable or facts.executable:
            parts = []
            if facts.writable:
                parts.append(f"write {len(facts.writable)} variable(s) (e.g. {facts.writable[0]})")
            if facts.executable:
                parts.append(f"call {len(facts.executable)} method(s) (e.g. {facts.executable[0]})")
            out.append(
                finding(
                    "unauthenticated-control",
                    Verdict.FAIL,
                    f"An anonymous session on {where(ctx)} may {' and '.join(parts)}.",
                    ("SBD-08.01",),
                )
            )
        else:
            out.append(
                finding(
                    "unauthenticated-control",
                    Verdict.WARN,
                    f"An anonymous session on {where(ctx)} can read; no writable variable or callable method was found "
                    f"among {facts.browsed} browsed nodes.",
                    ("SBD-08.01",),
                )
            )
        return CheckOutcome(tuple(out), fields)
