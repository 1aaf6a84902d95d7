"""``opcua.endpoints``: the security the OPC UA server offers, from GetEndpoints (no session).

SBD-07.06 asks for encryption of control traffic and SBD-07.01 for authenticated
communication: an endpoint with security mode None offers neither. SBD-06.03 asks for
current protocol versions: the policies Basic128Rsa15 and Basic256 are deprecated (OPC
10000-7 since 1.04, SHA-1). Endpoints that advertise the Anonymous user token invite logins
without a credential (SBD-06.01; tried only by ``opcua.anonymous``). The server's
application certificate is judged for validity, key size and signature (SBD-07.08); OPC UA
uses self-signed application certificates trusted through trust lists, so self-signature
is not held against it here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from asyncua.ua.uaerrors import UaError

from otvet.model.probe import (
    Budget,
    Category,
    Finding,
    PortSpec,
    ProbeOptions,
    ProbeTarget,
    Verdict,
)
from otvet.probe.checks import opcua, tlsutil
from otvet.probe.interface import OPCUA, CheckBase, CheckContext, CheckOutcome, finding, where


class OpcuaEndpoints(CheckBase):
    """GetEndpoints over a None secure channel, then close."""

    id: ClassVar[str] = "opcua.endpoints"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "OPC UA endpoints: no None mode, no deprecated policies"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (OPCUA,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-07.06", "SBD-07.01", "SBD-06.03", "SBD-06.01", "SBD-07.08")
    sends: ClassVar[str] = (
        "One TCP connection to {port}: OPC UA Hello, OpenSecureChannel (policy None), GetEndpoints, "
        "CloseSecureChannel; FIN. No session."
    )
    libraries: ClassVar[tuple[str, ...]] = ("asyncua", "cryptography")

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=8,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 4 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            found = await opcua.endpoints(ctx.port_number, ctx.timeout)
        except (ConnectionRefusedError, TimeoutError):
            return CheckOutcome(
                (
                    finding(
                        "endpoints",
                        Verdict.INDETERMINATE,
                        f"No OPC UA server answered on {where(ctx)}.",
                        self.criteria,
                    ),
                )
            )
        except (UaError, ConnectionError) as exc:
            return CheckOutcome(
                (finding("endpoints", Verdict.ERROR, f"GetEndpoints failed on {where(ctx)}: {exc}.", ()),)
            )
        listed: list[dict[str, Any]] = []
        modes: set[str] = set()
        policies: set[str] = set()
        anonymous: set[str] = set()
        cert_der: bytes | None = None
        application: dict[str, str] = {}
        for ep in found[:32]:
            mode = opcua.mode_name(ep.SecurityMode)
            policy = opcua.policy_name(ep.SecurityPolicyUri)
            tokens = [opcua.token_name(t.TokenType) for t in (ep.UserIdentityTokens or [])]
            modes.add(mode)
            policies.add(ep.SecurityPolicyUri)
            if "Anonymous" in tokens:
                anonymous.add(f"{mode}/{policy}")
            if ep.ServerCertificate and cert_der is None:
                cert_der = bytes(ep.ServerCertificate)
            if ep.Server and not application:
                application = {
                    "ApplicationUri": str(ep.Server.ApplicationUri or ""),
                    "ProductUri": str(ep.Server.ProductUri or ""),
                    "ApplicationName": str(
                        ep.Server.ApplicationName.Text if ep.Server.ApplicationName else ""
                    ),
                }
            listed.append(
                {"url": str(ep.EndpointUrl)[:200], "mode": mode, "policy": policy, "user_tokens": tokens}
            )
        fields: dict[str, Any] = {"endpoints": listed, "application": application}
        if not listed:
            return CheckOutcome(
                (
                    finding(
                        "endpoints",
                        Verdict.INDETERMINATE,
                        f"The server on {where(ctx)} listed no endpoints.",
                        self.criteria,
                    ),
                ),
                fields,
            )
        out: list[Finding] = []
        if "None" in modes:
            out.append(
                finding(
                    "none-mode",
                    Verdict.FAIL,
                    f"The OPC UA server on {where(ctx)} offers an endpoint with security mode None: traffic neither signed nor encrypted.",
                    ("SBD-07.06", "SBD-07.01"),
                )
            )
        else:
            out.append(
                finding(
                    "none-mode",
                    Verdict.PASS,
                    f"Every endpoint on {where(ctx)} signs{' and encrypts' if modes == {'SignAndEncrypt'} else ''} "
                    f"({', '.join(sorted(modes))}).",
                    ("SBD-07.06", "SBD-07.01") if modes == {"SignAndEncrypt"} else ("SBD-07.01",),
                )
            )
            if modes != {"SignAndEncrypt"}:
                out.append(
                    finding(
                        "sign-only",
                        Verdict.WARN,
                        f"Some endpoints on {where(ctx)} sign without encrypting.",
                        ("SBD-07.06",),
                    )
                )
        deprecated = sorted(opcua.DEPRECATED_POLICIES[p] for p in policies if p in opcua.DEPRECATED_POLICIES)
        if deprecated:
            out.append(
                finding(
                    "policies",
                    Verdict.FAIL,
                    f"The server on {where(ctx)} offers deprecated security policies: {', '.join(deprecated)}.",
                    ("SBD-06.03",),
                )
            )
        elif policies - {opcua.NONE_POLICY}:
            names = sorted(opcua.policy_name(p) for p in policies - {opcua.NONE_POLICY})
            out.append(
                finding(
                    "policies",
                    Verdict.PASS,
                    f"The server on {where(ctx)} offers current policies only: {', '.join(names)}.",
                    ("SBD-06.03",),
                )
            )
        if anonymous:
            out.append(
                finding(
                    "anonymous-offered",
                    Verdict.WARN,
                    f"Endpoints on {where(ctx)} advertise anonymous logins ({', '.join(sorted(anonymous))}); not tried (needs --auth).",
                    ("SBD-06.01",),
                    conclusive=False,
                )
            )
        if cert_der:
            cert = tlsutil.load(cert_der)
            if cert is not None:
                fields["certificate"] = tlsutil.facts(cert)
                out.extend(
                    tlsutil.validity_findings(
                        cert, ctx.now(), f"{where(ctx)} (OPC UA application certificate)"
                    )
                )
        return CheckOutcome(tuple(out), fields)
