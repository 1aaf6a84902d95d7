"""The probe engine: plan, confirm, run each check within its budget, watch the device, stop if it degrades.

1. **Plan** (:func:`plan`): every registered check against every port declared with one of
   its protocols (legacy services also against their well-known port when the user declared
   none), with its budget, exactly what it sends, and whether it runs: safe checks run by
   default; ``auth`` checks need the flag; ``extended`` and ``intrusive`` checks need the
   flag and a lab confirmation. The dry run prints this plan and sends nothing.
2. **Confirm** (:func:`check_lab_confirmation`): extended or intrusive checks run only when
   the target is on the operator's allow-list and the typed confirmation matches.
3. **Run** (:func:`run`): on a :class:`~otvet.probe.net.ProbeLoop` armed with the target's
   address only, one check at a time, each under its own meter (budget enforced, traffic
   recorded), with the robustness watch beating between and during checks. When the device
   degrades the running check is cancelled, the remaining ones are recorded as not run, and
   the result says which check was running.
"""

from __future__ import annotations

import asyncio
import contextvars
import platform
import ssl
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from otvet import __version__
from otvet.model.probe import (
    NO_OBSERVER,
    PROBE_SCHEMA_VERSION,
    BudgetExceeded,
    Category,
    CheckRecord,
    Finding,
    LabConfirmationError,
    PlannedCheck,
    PortSpec,
    ProbeObserver,
    ProbeOptions,
    ProbeRun,
    ProbeTarget,
    TargetViolation,
    Verdict,
    worst,
)
from otvet.probe.credentials import Credential, CredentialList
from otvet.probe.interface import Check, CheckContext, CheckOutcome
from otvet.probe.net import CURRENT, Meter, ProbeLoop, probe_loop, resolve_target
from otvet.probe.registry import CHECKS
from otvet.probe.watch import Watch
from otvet.probe.wire import WireError


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Planned:
    """A plan line and the check object that will run it."""

    check: Check
    entry: PlannedCheck


def expected_phrase(host: str) -> str:
    """What the operator types to confirm a lab target (shown by the CLI)."""
    return f"probe {host} in the lab"


def send_values(target: ProbeTarget, port: PortSpec | None, options: ProbeOptions) -> dict[str, Any]:
    """The values a check's ``sends`` text is filled in with."""
    return {
        "port": port.label if port else "its port",
        "unit": target.modbus_unit_id,
        "register": target.modbus_register,
        "write_register": target.modbus_write_register if target.modbus_write_register is not None else "?",
        "tries": min(options.auth.max_tries, 3),
        "gap": options.auth.gap_s,
        "lockout_attempts": min(options.auth.lockout_attempts, 10),
        "burst": min(options.load.connections, 20),
        "rate": min(options.load.rate_per_s, 10.0),
        "host": target.host,
    }


def _ports_for(check: Check, target: ProbeTarget) -> list[PortSpec | None]:
    if not check.protocols:
        return [None]
    declared = [p for p in target.ports if p.protocol in check.protocols]
    if declared or not target.default_ports:
        return list(declared)
    return [d for d in check.default_ports if target.port(d.port, d.transport) is None]


def plan(
    target: ProbeTarget, options: ProbeOptions, checks: Sequence[type[Check]] = CHECKS
) -> tuple[Planned, ...]:
    """Every check against every applicable port, with whether (and why not) it runs."""
    lines: list[Planned] = []
    for cls in checks:
        check = cls()
        ports = _ports_for(check, target)
        if not ports:
            protocols = ", ".join(check.protocols)
            lines.append(_line(check, None, target, options, f"no port declared for {protocols}"))
            continue
        for port in ports:
            lines.append(_line(check, port, target, options, _eligibility(check, target, options)))
    return tuple(lines)


def _eligibility(check: Check, target: ProbeTarget, options: ProbeOptions) -> str:
    if options.only and check.id not in options.only:
        return "not selected (--only)"
    if check.id in options.skip:
        return "skipped (--skip)"
    missing = check.requirement(target, options)
    if missing:
        return missing
    if check.category not in options.categories:
        flag = check.category.flag or ""
        if check.category.needs_lab_confirmation:
            return f"needs {flag} and a lab confirmation"
        return f"needs {flag}"
    if check.category.needs_lab_confirmation and options.lab is None:
        return "needs a lab confirmation (--lab-allow and the typed confirmation)"
    return ""


def _line(
    check: Check, port: PortSpec | None, target: ProbeTarget, options: ProbeOptions, reason: str
) -> Planned:
    return Planned(
        check=check,
        entry=PlannedCheck(
            check_id=check.id,
            title=check.title,
            category=check.category,
            port=port,
            runs=not reason,
            reason=reason,
            budget=check.budget(target, options),
            sends=check.sends.format(**send_values(target, port, options)),
            criteria=check.criteria,
        ),
    )


def check_lab_confirmation(
    planned: Sequence[Planned], target: ProbeTarget, address: str, options: ProbeOptions
) -> None:
    """Fail unless extended/intrusive checks have a valid, recorded lab confirmation."""
    needing = [p.entry.label for p in planned if p.entry.runs and p.entry.category.needs_lab_confirmation]
    if not needing:
        return
    lab = options.lab
    if lab is None:
        raise LabConfirmationError(f"{', '.join(needing)} need a lab confirmation")
    allowed = {a.strip().lower() for a in lab.allow_list}
    if target.host.lower() not in allowed and address.lower() not in allowed:
        raise LabConfirmationError(
            f"the target {target.host} ({address}) is not on the lab allow-list ({', '.join(lab.allow_list) or 'empty'})"
        )
    phrase = expected_phrase(target.host)
    if lab.phrase != phrase or lab.typed.strip() != phrase:
        raise LabConfirmationError(f"the typed confirmation does not match; type exactly: {phrase}")


def tool_versions(libraries: Sequence[str] = ()) -> dict[str, str]:
    """Versions of otvet, Python, OpenSSL and the named libraries."""
    versions = {"otvet": __version__, "python": platform.python_version(), "openssl": ssl.OPENSSL_VERSION}
    for name in libraries:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run(
    target: ProbeTarget,
    options: ProbeOptions,
    *,
    credentials: CredentialList | None = None,
    trust_anchor: bytes | None = None,
    observer: ProbeObserver = NO_OBSERVER,
    labels: dict[str, str] | None = None,
    notes: tuple[str, ...] = (),
    clock: Callable[[], datetime] = _utcnow,
    checks: Sequence[type[Check]] = CHECKS,
) -> ProbeRun:
    """Probe ``target`` and return the result (runs its own guarded event loop)."""
    address = resolve_target(target.host)
    planned = plan(target, options, checks)
    check_lab_confirmation(planned, target, address, options)
    runner = _Runner(target, address, options, planned, credentials, trust_anchor, observer, clock)
    with asyncio.Runner(loop_factory=ProbeLoop) as loop_runner:
        result = loop_runner.run(runner.run())
    return replace(result, labels=dict(labels or {}), notes=tuple(notes))


class _Runner:
    def __init__(
        self,
        target: ProbeTarget,
        address: str,
        options: ProbeOptions,
        planned: tuple[Planned, ...],
        credentials: CredentialList | None,
        trust_anchor: bytes | None,
        observer: ProbeObserver,
        clock: Callable[[], datetime],
    ) -> None:
        self.target = target
        self.address = address
        self.options = options
        self.planned = planned
        self.credentials = credentials
        self.trust_anchor = trust_anchor
        self.observer = observer
        self.clock = clock
        self.facts: dict[str, Any] = {}
        self.stopped: str | None = None

    def _credentials(self, service: str) -> tuple[Credential, ...]:
        if self.credentials is None:
            return ()
        return self.credentials.select(service, self.target.vendor, self.options.auth.max_tries)

    async def run(self) -> ProbeRun:
        from otvet.probe.checks.opcua import read_start_time  # noqa: PLC0415  # a helper shared with the watch

        probe_loop().arm(self.address, self.options.pacing, names=[self.target.host])
        started = self.clock()
        watch = Watch(
            self.target,
            self.options,
            tuple(p.entry for p in self.planned),
            self.observer,
            self.clock,
            opcua_start_time=read_start_time,
        )
        await watch.start()
        if watch.unavailable:
            self.stopped = f"the probe did not start: {watch.unavailable}"
        records: list[CheckRecord] = []
        runnable = [p for p in self.planned if p.entry.runs]
        for index, planned in enumerate(runnable):
            if self.stopped or watch.degraded:
                records.append(self._not_run(planned, self.stopped or self._stop_reason(watch)))
                continue
            self.observer.check_started(planned.entry, index, len(runnable))
            record = await self._run_one(planned, watch)
            records.append(record)
            self.observer.check_finished(record)
            if not self._halted():
                await watch.beat(planned.entry.label)
        await watch.finish()
        if watch.degraded and not self.stopped:
            self.stopped = self._stop_reason(watch)
        return ProbeRun(
            otvet_probe=PROBE_SCHEMA_VERSION,
            run_id=str(uuid.uuid4()),
            tool=f"otvet {__version__}",
            started_at=started,
            finished_at=self.clock(),
            target=self.target,
            address=self.address,
            options=self.options,
            checks=tuple(records),
            watch=watch.report(),
            plan=tuple(p.entry for p in self.planned),
            tool_versions=tool_versions(("asyncua", "asyncssh", "cryptography")),
            stopped=self.stopped,
        )

    def _halted(self) -> bool:
        return self.stopped is not None

    @staticmethod
    def _stop_reason(watch: Watch) -> str:
        if watch.outage is None:
            return "the device degraded"
        where = f" while {watch.outage.during_check} ran" if watch.outage.during_check else ""
        return f"the device degraded{where}: {watch.outage.reason}"

    def _not_run(self, planned: Planned, reason: str) -> CheckRecord:
        now = self.clock()
        port = planned.entry.port
        return CheckRecord(
            check_id=planned.check.id,
            check_version=planned.check.version,
            title=planned.check.title,
            category=planned.check.category,
            target=self.address,
            port=port.port if port else None,
            transport=port.transport if port else None,
            protocol=port.protocol if port else None,
            started_at=now,
            finished_at=now,
            budget=planned.entry.budget,
            used=Meter(planned.entry.label, planned.entry.budget, ()).usage(),
            verdict=Verdict.INDETERMINATE,
            rationale=f"Not run: {reason}.",
            findings=(),
            criteria=planned.check.criteria,
            not_run=reason,
        )

    async def _run_one(self, planned: Planned, watch: Watch) -> CheckRecord:
        check, entry = planned.check, planned.entry
        meter = Meter(
            entry.label,
            entry.budget,
            check.allowed_ports(entry.port, self.target),
            may_send=getattr(check, "connect_only", False) is False,
        )
        ctx = CheckContext(
            target=self.target,
            address=self.address,
            port=entry.port,
            options=self.options,
            facts=self.facts,
            now=self.clock,
            credentials=self._credentials,
            trust_anchor=self.trust_anchor,
        )
        context = contextvars.copy_context()
        context.run(CURRENT.set, meter)
        started = self.clock()
        task: asyncio.Task[CheckOutcome] = asyncio.create_task(self._guarded(check, ctx), context=context)
        beats = asyncio.create_task(watch.during(entry.label, task))
        findings: tuple[Finding, ...]
        fields: dict[str, Any] = {}
        try:
            result = await task
            findings, fields = result.findings, dict(result.fields)
        except asyncio.CancelledError:
            if not watch.degraded:
                raise
            findings = (
                Finding(
                    "stopped",
                    Verdict.INDETERMINATE,
                    "Stopped: the device degraded while this check ran (see the robustness watch).",
                    check.criteria,
                ),
            )
        except TargetViolation as exc:
            # A check tried to reach something else: a bug in otvet. Fail closed: stop the run.
            self.stopped = f"internal error: {exc}"
            findings = (Finding("target-violation", Verdict.ERROR, f"Stopped by the engine: {exc}.", ()),)
        finally:
            beats.cancel()
            await asyncio.gather(beats, return_exceptions=True)
            await asyncio.create_task(meter.close_all(), context=context)
        if meter.exceeded and not any(f.key == "budget" for f in findings):
            findings = (
                *findings,
                Finding("budget", Verdict.ERROR, f"Stopped by the engine: it {meter.exceeded}.", ()),
            )
        if not findings:
            findings = (
                Finding("silent", Verdict.INDETERMINATE, "The check observed nothing.", check.criteria),
            )
        verdict = worst([f.verdict for f in findings])
        rationale = " ".join(f.rationale for f in findings if f.verdict is verdict)
        port = entry.port
        return CheckRecord(
            check_id=check.id,
            check_version=check.version,
            title=check.title,
            category=check.category,
            target=self.address,
            port=port.port if port else None,
            transport=port.transport if port else None,
            protocol=port.protocol if port else None,
            started_at=started,
            finished_at=self.clock(),
            budget=entry.budget,
            used=meter.usage(),
            verdict=verdict,
            rationale=rationale,
            findings=findings,
            criteria=check.criteria,
            exchanges=tuple(meter.exchanges),
            fields=fields,
            tool_versions=tool_versions(check.libraries),
        )

    async def _guarded(self, check: Check, ctx: CheckContext) -> CheckOutcome:
        meter = CURRENT.get()
        limit = meter.budget.timeout_s if meter else 60.0
        try:
            async with asyncio.timeout(limit):
                return await check.run(ctx)
        except BudgetExceeded as exc:
            return CheckOutcome((Finding("budget", Verdict.ERROR, f"Stopped by the engine: {exc}.", ()),))
        except TimeoutError:
            return CheckOutcome(
                (
                    Finding(
                        "timeout",
                        Verdict.INDETERMINATE,
                        f"No conclusion within the check's time limit of {limit:g} s.",
                        check.criteria,
                    ),
                )
            )
        except TargetViolation:
            raise
        except WireError as exc:
            return CheckOutcome(
                (Finding("unexpected-reply", Verdict.ERROR, f"The device's reply did not parse: {exc}.", ()),)
            )
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return CheckOutcome((Finding("network-error", Verdict.ERROR, f"Network error: {reason}.", ()),))
        except Exception as exc:  # noqa: BLE001  # a failing check (or library) must not sink the run
            if meter is not None and meter.exceeded:
                return CheckOutcome(
                    (Finding("budget", Verdict.ERROR, f"Stopped by the engine: it {meter.exceeded}.", ()),)
                )
            return CheckOutcome(
                (
                    Finding(
                        "check-failed", Verdict.ERROR, f"The check failed: {type(exc).__name__}: {exc}.", ()
                    ),
                )
            )


__all__ = ["Category", "Planned", "check_lab_confirmation", "expected_phrase", "plan", "run", "tool_versions"]
