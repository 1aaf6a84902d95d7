"""Shared logic of the default-credential checks (authentication attempts: ``--auth``).

Per service at most three pairs (never more; see :mod:`otvet.probe.credentials`), chosen for
the target's vendor first, tried one connection each, with a pause of ``--auth-gap`` seconds
between attempts so that lockout counters and rate limits are not tripped; the attempts stop
at the first success or at the first sign of a lockout. Passwords are redacted from the
recorded traffic and never written to the result: a pair is shown as its user name and the
list line it came from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from otvet.model.probe import Budget, ProbeOptions, Verdict
from otvet.probe.checks.common import Attempt

__all__ = ["CRITERIA", "Attempt", "budget", "try_all"]
from otvet.probe.credentials import MAX_TRIES, Credential
from otvet.probe.interface import CheckContext, CheckOutcome, finding, outcome, where

CRITERIA = ("SBD-06.01",)


def budget(
    options: ProbeOptions, per_try_packets: int, extra_connections: int = 0, per_try_reads: int = 3
) -> Budget:
    """The budget of a credential check with ``per_try_packets`` messages per attempt."""
    tries = min(options.auth.max_tries, MAX_TRIES)
    p = options.pacing
    per_try = p.min_gap_s + p.connect_timeout_s + per_try_reads * p.read_timeout_s
    return Budget(
        max_connections=tries + extra_connections,
        max_packets=tries * per_try_packets + extra_connections,
        timeout_s=(tries + extra_connections) * per_try + tries * options.auth.gap_s + 10,
    )


async def try_all(
    ctx: CheckContext,
    service: str,
    label: str,
    attempt: Callable[[Credential], Awaitable[Attempt]],
) -> CheckOutcome:
    """Try the selected pairs for ``service``; judge the result."""
    pairs = ctx.credentials(service)
    if not pairs:
        return outcome(
            finding(
                "defaults", Verdict.INDETERMINATE, f"No default credentials to try for {label}.", CRITERIA
            )
        )
    tried: list[dict[str, Any]] = []
    for index, cred in enumerate(pairs):
        if index:
            await ctx.pause(ctx.options.auth.gap_s)
        result = await attempt(cred)
        tried.append({"credential": cred.shown, "result": result.detail, "seconds": round(result.seconds, 3)})
        if result.accepted:
            return outcome(
                finding(
                    "defaults",
                    Verdict.FAIL,
                    f"The {label} on {where(ctx)} accepted the default credential {cred.shown}.",
                    CRITERIA,
                ),
                tried=tried,
            )
        if result.locked:
            return outcome(
                finding(
                    "defaults",
                    Verdict.INDETERMINATE,
                    f"Stopped after {len(tried)} attempt(s): the {label} on {where(ctx)} reported a lockout ({result.detail}).",
                    CRITERIA,
                ),
                tried=tried,
            )
        if result.accepted is None and index == 0:
            if result.detail == "connection refused" or result.detail.startswith("no password login offered"):
                # Nothing to log in to with a password: no default password can be accepted here.
                return outcome(
                    finding(
                        "defaults",
                        Verdict.PASS,
                        f"No password login on {where(ctx)} ({result.detail}).",
                        CRITERIA,
                        conclusive=False,
                    ),
                    tried=tried,
                )
            return outcome(
                finding(
                    "defaults",
                    Verdict.INDETERMINATE,
                    f"No login possible on {where(ctx)}: {result.detail}.",
                    CRITERIA,
                ),
                tried=tried,
            )
    unclear = [t for t in tried if "no " in t["result"]]
    if unclear:
        return outcome(
            finding(
                "defaults",
                Verdict.INDETERMINATE,
                f"{len(unclear)} of {len(tried)} attempts on {where(ctx)} got no clear answer.",
                CRITERIA,
            ),
            tried=tried,
        )
    return outcome(
        finding(
            "defaults",
            Verdict.PASS,
            f"The {label} on {where(ctx)} refused all {len(tried)} default credential(s) tried "
            f"({', '.join(t['credential'] for t in tried)}).",
            CRITERIA,
            conclusive=False,
        ),
        tried=tried,
    )
