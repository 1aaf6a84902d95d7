"""``auth.lockout``: does a service slow down or lock after repeated failed logins? (extended)

SBD-09.10 asks that repeated unsuccessful logins be limited (lockout, delay or rate limit).
The check makes ``--lockout-attempts`` (default 6, at most 10) logins with random wrong
passwords for one account (``admin`` unless changed) on HTTP Basic or FTP, at the run's
connection pace, and watches for a refusal, a lockout message or a growing delay. It can
lock the account: it needs ``--auth``, ``--extended`` and the lab confirmation.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks.common import Attempt, ftp_login, http_basic
from otvet.probe.interface import FTP, HTTP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where

MAX_ATTEMPTS = 10
DELAY_GROWTH_S = 2.0
"""A later attempt slower than the first by this much counts as a deliberate delay."""


class AuthLockout(CheckBase):
    """Several wrong-password logins in a row."""

    id: ClassVar[str] = "auth.lockout"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Repeated failed logins are limited"
    category: ClassVar[Category] = Category.EXTENDED
    protocols: ClassVar[tuple[str, ...]] = (HTTP, FTP)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-09.10",)
    sends: ClassVar[str] = (
        "{lockout_attempts} logins to {port} (HTTP Basic 'GET /' or FTP USER/PASS), one connection each at the "
        "run's pace, as the lockout account with random wrong passwords."
    )
    budget_note: ClassVar[str] = "--lockout-attempts connections (at most 10), 3 messages each"

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        n = min(options.auth.lockout_attempts, MAX_ATTEMPTS)
        p = options.pacing
        return Budget(
            max_connections=n,
            max_packets=3 * n,
            timeout_s=n * (p.min_gap_s + p.connect_timeout_s + 4 * p.read_timeout_s + DELAY_GROWTH_S) + 10,
        )

    def requirement(self, target: ProbeTarget, options: ProbeOptions) -> str | None:
        return (
            None if Category.AUTH in options.categories else "needs --auth as well (it makes login attempts)"
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        assert ctx.port is not None  # noqa: S101
        user = ctx.options.auth.lockout_user
        attempts: list[Attempt] = []
        for _ in range(min(ctx.options.auth.lockout_attempts, MAX_ATTEMPTS)):
            wrong = os.urandom(12).hex()
            if ctx.port.protocol == HTTP:
                result = await http_basic(ctx, ctx.port_number, user, wrong)
            else:
                result = await ftp_login(ctx, ctx.port_number, user, wrong)
            attempts.append(result)
            if result.locked or result.accepted is None or result.accepted:
                break
        fields: dict[str, Any] = {
            "account": user,
            "attempts": [{"result": a.detail, "seconds": round(a.seconds, 3)} for a in attempts],
        }
        if any(a.accepted for a in attempts):
            return outcome(
                finding(
                    "lockout",
                    Verdict.ERROR,
                    "A random password was accepted; the check cannot judge lockout.",
                    (),
                ),
                **fields,
            )
        locked = next((i for i, a in enumerate(attempts) if a.locked), None)
        if locked is not None:
            return outcome(
                finding(
                    "lockout",
                    Verdict.PASS,
                    f"{where(ctx)} locked or blocked after {locked} failed login(s) ({attempts[locked].detail}).",
                    self.criteria,
                ),
                **fields,
            )
        gone = next((i for i, a in enumerate(attempts) if a.accepted is None), None)
        if gone is not None and gone > 0:
            return outcome(
                finding(
                    "lockout",
                    Verdict.PASS,
                    f"{where(ctx)} stopped answering logins after {gone} failures ({attempts[gone].detail}).",
                    self.criteria,
                ),
                **fields,
            )
        if gone == 0:
            return outcome(
                finding(
                    "lockout",
                    Verdict.INDETERMINATE,
                    f"No login possible on {where(ctx)}: {attempts[0].detail}.",
                    self.criteria,
                ),
                **fields,
            )
        first = attempts[0].seconds
        later = sorted(a.seconds for a in attempts[len(attempts) // 2 :])
        typical_later = later[len(later) // 2]
        # NOTE: a deliberate delay shows in most later attempts, not in one slow answer.
        if typical_later - first >= DELAY_GROWTH_S:
            return outcome(
                finding(
                    "lockout",
                    Verdict.PASS,
                    f"{where(ctx)} delays repeated failed logins (typically {typical_later:.1f} s later on, first {first:.1f} s).",
                    self.criteria,
                ),
                **fields,
            )
        return outcome(
            finding(
                "lockout",
                Verdict.FAIL,
                f"{where(ctx)} answered {len(attempts)} failed logins in a row for '{user}' promptly, without lockout or delay.",
                self.criteria,
            ),
            **fields,
        )
