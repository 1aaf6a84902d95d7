"""Lab probe services for the shells: build the target and options, plan, run, write the result.

The CLI describes what the operator asked for in a :class:`ProbeRequest`; this module turns
it into the probe stage's target and options (enforcing the hard caps: at most 3 credential
tries, 10 lockout attempts, 20 burst connections at 10 per second), and runs the engine.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from otvet.core.audit import AuditTrail, current_user, default_trail
from otvet.formats.probe import probe_result_json, read_probe_result
from otvet.model.audit import AuditEvent
from otvet.model.errors import InputError
from otvet.model.probe import (
    NO_OBSERVER,
    AuthPolicy,
    Category,
    LabConfirmation,
    LoadPolicy,
    Pacing,
    PlannedCheck,
    ProbeObserver,
    ProbeOptions,
    ProbeRun,
    ProbeTarget,
    WatchPolicy,
)
from otvet.probe import credentials as creds
from otvet.probe import engine, heartbeat
from otvet.probe.registry import check_ids
from otvet.probe.targets import (
    check_host,
    load_target,
    parse_port_assignment,
    parse_port_list,
    read_trust_anchor,
)

MIN_GAP_FLOOR_S = 0.05
MAX_PACKETS_PER_S = 100.0


@dataclass(frozen=True)
class ProbeRequest:
    """Everything the operator asked for (command-line values override the target file)."""

    host: str
    target_file: Path | None = None
    ports: tuple[str, ...] = ()
    """``502=modbus``, ``161/udp=snmp``."""
    documented: tuple[str, ...] = ()
    inventory: tuple[int, ...] | None = None
    default_ports: bool | None = None
    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    unit_id: int | None = None
    register: int | None = None
    write_register: int | None = None
    heartbeat: str | None = None
    trust_anchor: Path | None = None
    auth: bool = False
    extended: bool = False
    intrusive: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    credentials: Path | None = None
    min_gap_s: float | None = None
    max_packets_per_s: float | None = None
    connect_timeout_s: float | None = None
    read_timeout_s: float | None = None
    tries: int | None = None
    auth_gap_s: float | None = None
    lockout_attempts: int | None = None
    lockout_user: str | None = None
    burst: int | None = None
    burst_rate: float | None = None
    watch: bool = True
    heartbeat_interval_s: float | None = None
    lab_allow: tuple[str, ...] = ()
    confirmation: str | None = None
    operator: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProbeSetup:
    """What a request resolves to, before anything is sent."""

    target: ProbeTarget
    options: ProbeOptions
    credentials: creds.CredentialList | None
    trust_anchor: bytes | None
    plan: tuple[PlannedCheck, ...]
    heartbeat: str
    phrase: str
    """What the operator must type to confirm a lab target."""

    @property
    def needs_confirmation(self) -> bool:
        """Extended or intrusive checks were asked for."""
        return bool({Category.EXTENDED, Category.INTRUSIVE} & self.options.categories)


def confirmation_phrase(host: str) -> str:
    """The phrase an operator types to confirm the target is a lab device."""
    return engine.expected_phrase(host)


def _pick(value: float | None, name: str, low: float, high: float, default: float) -> float:
    """The operator's value within its hard limits, or the default."""
    if value is None:
        return default
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}")
    return float(value)


def setup(request: ProbeRequest, *, now: datetime | None = None) -> ProbeSetup:
    """Resolve a request into target, options and plan (no network)."""
    host = check_host(request.host)
    allow = tuple(request.lab_allow)
    anchor = None
    if request.target_file is not None:
        loaded = load_target(request.target_file)
        if loaded.target.host != host:
            raise InputError(f"the target file names {loaded.target.host}, but the command names {host}")
        target, anchor, allow = loaded.target, loaded.trust_anchor, allow or loaded.allow_list
    else:
        target = ProbeTarget(host=host)
    ports = list(target.ports)
    for text in request.ports:
        spec = parse_port_assignment(text)
        ports = [p for p in ports if not (p.port == spec.port and p.transport is spec.transport)] + [spec]
    changes: dict[str, object] = {"ports": tuple(ports)}
    if request.documented:
        changes["documented_ports"] = parse_port_list(request.documented)
    if request.inventory is not None:
        changes["inventory_ports"] = tuple(request.inventory)
    for key, value in (
        ("default_ports", request.default_ports),
        ("vendor", request.vendor),
        ("product", request.product),
        ("version", request.version),
        ("modbus_unit_id", request.unit_id),
        ("modbus_register", request.register),
        ("modbus_write_register", request.write_register),
        ("heartbeat", request.heartbeat),
    ):
        if value is not None:
            changes[key] = value
    if request.trust_anchor is not None:
        anchor = read_trust_anchor(request.trust_anchor)
        changes["trust_anchor"] = str(request.trust_anchor)
    target = replace(target, **changes)  # type: ignore[arg-type]
    unknown = sorted((set(request.only) | set(request.skip)) - set(check_ids()))
    if unknown:
        raise InputError(f"unknown check id(s): {', '.join(unknown)} (see 'otvet probe --list-checks')")
    categories = {Category.SAFE}
    if request.auth:
        categories.add(Category.AUTH)
    if request.extended:
        categories.add(Category.EXTENDED)
    if request.intrusive:
        categories.add(Category.INTRUSIVE)
    base = ProbeOptions()
    pacing = Pacing(
        min_gap_s=_pick(request.min_gap_s, "--min-gap", MIN_GAP_FLOOR_S, 60.0, base.pacing.min_gap_s),
        max_packets_per_s=_pick(
            request.max_packets_per_s, "--max-pps", 0.5, MAX_PACKETS_PER_S, base.pacing.max_packets_per_s
        ),
        connect_timeout_s=_pick(
            request.connect_timeout_s, "--connect-timeout", 0.5, 60.0, base.pacing.connect_timeout_s
        ),
        read_timeout_s=_pick(request.read_timeout_s, "--read-timeout", 0.5, 60.0, base.pacing.read_timeout_s),
    )
    auth = AuthPolicy(
        max_tries=int(_pick(request.tries, "--tries", 0, creds.MAX_TRIES, base.auth.max_tries)),
        gap_s=_pick(request.auth_gap_s, "--auth-gap", 0.0, 600.0, base.auth.gap_s),
        credentials=str(request.credentials) if request.credentials else None,
        lockout_attempts=int(
            _pick(request.lockout_attempts, "--lockout-attempts", 2, 10, base.auth.lockout_attempts)
        ),
        lockout_user=request.lockout_user or base.auth.lockout_user,
    )
    load = LoadPolicy(
        connections=int(_pick(request.burst, "--burst", 1, 20, base.load.connections)),
        rate_per_s=_pick(request.burst_rate, "--burst-rate", 0.1, 10.0, base.load.rate_per_s),
    )
    watch = replace(
        WatchPolicy(),
        enabled=request.watch,
        interval_s=_pick(
            request.heartbeat_interval_s, "--heartbeat-interval", 1.0, 600.0, WatchPolicy().interval_s
        ),
    )
    phrase = confirmation_phrase(host)
    lab = None
    if allow or request.confirmation is not None:
        lab = LabConfirmation(
            allow_list=tuple(check_host(a) for a in allow),
            phrase=phrase,
            typed=request.confirmation or "",
            confirmed_at=now or datetime.now(UTC),
            operator=request.operator,
        )
    options = ProbeOptions(
        categories=frozenset(categories),
        only=tuple(request.only),
        skip=tuple(request.skip),
        pacing=pacing,
        watch=watch,
        auth=auth,
        load=load,
        lab=lab,
    )
    credential_list = creds.load(request.credentials) if request.auth or request.extended else None
    planned = engine.plan(target, options)
    beat = heartbeat.choose(target)
    return ProbeSetup(
        target=target,
        options=options,
        credentials=credential_list,
        trust_anchor=anchor,
        plan=tuple(p.entry for p in planned),
        heartbeat=beat.describe(target) if beat and request.watch else "none",
        phrase=phrase,
    )


def run_probe(
    prepared: ProbeSetup, *, observer: ProbeObserver = NO_OBSERVER, labels: dict[str, str] | None = None
) -> ProbeRun:
    """Probe the target (the only network traffic otvet ever makes)."""
    with warnings.catch_warnings():
        # Old devices make cryptography warn about the algorithms they offer; those are
        # findings in the result, not warnings for the operator's terminal.
        warnings.filterwarnings("ignore", module="asyncssh")
        return engine.run(
            prepared.target,
            prepared.options,
            credentials=prepared.credentials,
            trust_anchor=prepared.trust_anchor,
            observer=observer,
            labels=labels or {},
        )


def write_probe_result(
    run: ProbeRun, path: Path, *, trail: AuditTrail | None = None, actor: str | None = None
) -> Path:
    """Write the result file (JSON, top-level key ``otvet_probe``) and record the run.

    The ``probe.run`` audit record carries the file's SHA-256, so an assessment can later tell
    this installation's own result from a file that merely looks like one (ADR 0070). ``trail``
    defaults to the default audit log; failing to record fails the action.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = probe_result_json(run).encode("utf-8")
    path.write_bytes(data)
    lab = run.options.lab
    who = actor or (lab.operator if lab is not None else None) or current_user()
    verdicts = Counter(c.verdict.value for c in run.checks)
    (trail or default_trail()).record(
        AuditEvent(
            action="probe.run",
            actor=who,
            description=(
                f"{who} probed {run.address} ({len(run.checks)} checks: "
                + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
                + f") and wrote {path.name}"
            ),
            correlation_id=run.run_id,
            details={
                "result": str(path),
                "result_sha256": hashlib.sha256(data).hexdigest(),
                "address": run.address,
                "vendor": run.target.vendor,
                "product": run.target.product,
                "version": run.target.version,
                "started_at": run.started_at.isoformat(),
                "checks": len(run.checks),
                "verdicts": dict(verdicts),
                "watch": run.watch.verdict.value,
                "stopped": run.stopped,
                "labels": dict(run.labels),
            },
        )
    )
    return path


def read_probe(path: Path) -> ProbeRun:
    """Read a result file back."""
    return read_probe_result(path)


def check_reference() -> str:
    """The Markdown table of every check (the generated part of docs/probe.md)."""
    from otvet.probe.docs import check_table  # noqa: PLC0415  # only needed for this listing

    return check_table()
