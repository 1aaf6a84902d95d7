"""``snmp.v1v2c_public``: does the agent answer SNMPv1/v2c with the community ``public``?

SNMPv1/v2c authenticate with a community string sent in clear, and ``public`` is the
default one (SBD-06.04 legacy protocols, SBD-06.01 default credentials). The check reads two
scalars only (sysDescr.0, sysUpTime.0) with v1 and with v2c. An agent that ignores v1/v2c
is silent, and silence alone proves nothing, so the same flow first sends an SNMPv3
engine-discovery request (no credentials, RFC 3414 section 4): if the agent answers that
but not the community requests, it demonstrably ignores ``public``.

That is not proof that v1/v2c are off: an agent configured with another community stays
just as silent (RFC 3584: a request whose community matches no entry is discarded). The
finding for SBD-06.04 is therefore a pass that is not conclusive, and the criterion needs the
configuration export (or an ICMP port-unreachable: no agent at all) to be met.
"""

from __future__ import annotations

import asyncio
import os
from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.interface import SNMP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import WireError, snmp


class SnmpCommunity(CheckBase):
    """v1 and v2c GET of sysDescr.0 and sysUpTime.0 with ``public``, plus a v3 discovery as control."""

    id: ClassVar[str] = "snmp.v1v2c_public"
    version: ClassVar[str] = "1.1"
    title: ClassVar[str] = "SNMPv1/v2c with community 'public' disabled"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (SNMP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(161, Transport.UDP, SNMP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.04", "SBD-06.01")
    sends: ClassVar[str] = (
        "Three UDP datagrams to {port}: an SNMPv3 engine-discovery request (no credentials), "
        "then GetRequest sysDescr.0 and sysUpTime.0 with community 'public' as SNMPv2c and as SNMPv1."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(max_connections=1, max_packets=3, timeout_s=p.min_gap_s + 2 * p.read_timeout_s + 5)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        base = int.from_bytes(os.urandom(3), "big")
        requests = {
            base: ("v3 discovery", snmp.discovery_request(base, base)),
            base + 1: ("v2c", snmp.get_request(1, b"public", base + 1, (snmp.SYS_DESCR, snmp.SYS_UPTIME))),
            base + 2: ("v1", snmp.get_request(0, b"public", base + 2, (snmp.SYS_DESCR, snmp.SYS_UPTIME))),
        }
        answers: dict[str, snmp.Message] = {}
        async with await ctx.udp() as flow:
            for _, payload in requests.values():
                await flow.send(payload)
                if flow.refused:
                    break
            loop = asyncio.get_running_loop()
            deadline = loop.time() + ctx.timeout
            while len(answers) < len(requests) and not flow.refused:
                got = await flow.receive(max(0.0, deadline - loop.time()))
                if got is None:
                    break
                try:
                    message = snmp.parse(got[0])
                except WireError:
                    continue
                if message.request_id in requests:
                    answers[requests[message.request_id][0]] = message
            refused = flow.refused
        if refused:
            return outcome(
                finding(
                    "snmp", Verdict.PASS, f"No SNMP agent on {where(ctx)} (port unreachable).", ("SBD-06.04",)
                )
            )
        fields: dict[str, object] = {"answered": sorted(answers)}
        legacy = [v for v in ("v1", "v2c") if v in answers]
        if legacy:
            message = answers[legacy[-1]]
            fields["sysDescr"] = message.value(snmp.SYS_DESCR)
            fields["sysUpTime"] = message.value(snmp.SYS_UPTIME)
            return outcome(
                finding(
                    "snmp",
                    Verdict.FAIL,
                    f"The agent on {where(ctx)} answers SNMP{'/'.join(legacy)} with the default community 'public' "
                    f"(sysDescr: {str(fields['sysDescr'])[:80]!r}).",
                    self.criteria,
                ),
                **fields,
            )
        if "v3 discovery" in answers:
            return outcome(
                finding(
                    "snmp",
                    Verdict.PASS,
                    f"The agent on {where(ctx)} answers SNMPv3 discovery but ignores SNMPv1/v2c requests with "
                    "community 'public'; whether it speaks v1/v2c with another community cannot be seen from "
                    "the network (the probe guesses no communities).",
                    ("SBD-06.04",),
                    conclusive=False,
                ),
                finding(
                    "community",
                    Verdict.PASS,
                    "The community 'public' is not accepted.",
                    ("SBD-06.01",),
                    conclusive=False,
                ),
                **fields,
            )
        return outcome(
            finding(
                "snmp",
                Verdict.INDETERMINATE,
                f"No answer from {where(ctx)} to SNMPv1, v2c or v3: SNMP neither confirmed nor ruled out.",
                self.criteria,
            ),
            **fields,
        )
