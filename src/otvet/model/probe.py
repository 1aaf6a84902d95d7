"""Lab probe types: what the probe was told to do, what it sent and saw, and what it concluded.

A probe run (:class:`ProbeRun`) is written as one JSON document whose first key is
``"otvet_probe"`` (the schema version); the bundle intake recognises such files as artifact
kind ``probe_result`` and the probe analyzer turns them into ``observed`` criterion results.

Vocabulary:

- A **check** (``tls.versions``) runs once per port whose declared protocol it speaks; each
  run is one :class:`CheckRecord` with the bytes sent and received, the budget it declared
  and what it used, its parsed fields and its :class:`Finding` s.
- A **verdict** is ``pass``, ``fail``, ``warn``, ``indeterminate`` or ``error``. Silence (no
  answer, a timeout) is ``indeterminate``, never ``pass``.
- A **category** says how much a check asks of the device: ``safe`` checks run by default,
  ``auth`` checks (login attempts) need an explicit flag, ``extended`` (many connections)
  and ``intrusive`` (writes, load) checks need a flag and a recorded lab confirmation.

Errors of the probe sit in the one error tree::

    OtvetError
     +-- ProbeError              the probe refused or could not do something
     |    +-- TargetViolation    a connection to anything but the named target (a bug: fail closed)
     |    +-- BudgetExceeded     a check tried to exceed its declared budget (it is stopped)
     +-- InputError
          +-- LabConfirmationError  extended/intrusive checks without a valid lab confirmation
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from otvet.model.errors import InputError, OtvetError

PROBE_SCHEMA_VERSION = "1.0"
"""Version of the probe result document (the value of its ``otvet_probe`` key)."""


class Category(StrEnum):
    """How much a check asks of the device, and what the operator must allow for it to run."""

    SAFE = "safe"
    """Reads what any client of the protocol reads; runs by default."""
    AUTH = "auth"
    """Authentication attempts (default credentials, anonymous logins); needs ``--auth``."""
    EXTENDED = "extended"
    """Many connections or attempts; needs ``--extended`` and a lab confirmation."""
    INTRUSIVE = "intrusive"
    """Writes or load; needs ``--intrusive`` and a lab confirmation."""

    @property
    def flag(self) -> str | None:
        """The command-line flag that enables the category (None: always enabled)."""
        return None if self is Category.SAFE else f"--{self.value}"

    @property
    def needs_lab_confirmation(self) -> bool:
        """Whether checks of this category need the lab allow-list and a typed confirmation."""
        return self in (Category.EXTENDED, Category.INTRUSIVE)


class Verdict(StrEnum):
    """What one check (or one finding of a check) concluded."""

    PASS = "pass"  # noqa: S105  # a verdict, not a password
    FAIL = "fail"
    WARN = "warn"
    INDETERMINATE = "indeterminate"
    """Nothing observable either way: silence, a timeout, a port with nothing listening."""
    ERROR = "error"
    """The check could not do its job (stopped by its budget, an unexpected reply, a bug)."""

    @property
    def severity(self) -> int:
        """Order for "the worst verdict wins": fail > warn > error > indeterminate > pass."""
        return _SEVERITY[self]


_SEVERITY = {
    Verdict.PASS: 0,
    Verdict.INDETERMINATE: 1,
    Verdict.ERROR: 2,
    Verdict.WARN: 3,
    Verdict.FAIL: 4,
}


def worst(verdicts: tuple[Verdict, ...] | list[Verdict]) -> Verdict:
    """The most severe verdict; ``indeterminate`` for none (silence is never a pass)."""
    return max(verdicts, key=lambda v: v.severity, default=Verdict.INDETERMINATE)


class Transport(StrEnum):
    """Transport protocol of a port."""

    TCP = "tcp"
    UDP = "udp"


@dataclass(frozen=True)
class PortSpec:
    """One port of the target and the protocol the user declared for it."""

    port: int
    transport: Transport
    protocol: str
    """``modbus``, ``opcua``, ``tls``, ``https``, ``http``, ``ssh``, ``telnet``, ``ftp``,
    ``tftp``, ``snmp``, ``modbus-tls`` or ``tcp`` (unknown: passive banner read only)."""
    source: str = "user"
    """``user`` (declared in the target file or flags) or ``default`` (the protocol's
    well-known port, probed because the user declared no port for that protocol)."""

    @property
    def label(self) -> str:
        """``tcp/502``."""
        return f"{self.transport.value}/{self.port}"


@dataclass(frozen=True)
class ProbeTarget:
    """The device under test and everything the user told the probe about it."""

    host: str
    """The address or name the user named; the probe connects to nothing else."""
    ports: tuple[PortSpec, ...] = ()
    name: str | None = None
    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    documented_ports: tuple[str, ...] | None = None
    """The vendor's documented open ports (``tcp/502``, ``udp/161``); None: not given."""
    inventory_ports: tuple[int, ...] | None = None
    """TCP ports of the inventory; None: the documented OT/IT port list."""
    default_ports: bool = False
    """Also send legacy-service requests (Telnet, FTP, TFTP, HTTP, SNMP) to their well-known
    ports when the user declared no port for that protocol. Off by default: only the user's
    port-to-protocol map decides what is sent where (ADR 0083)."""
    modbus_unit_id: int = 1
    modbus_register: int = 0
    """Holding register (0-based address) read once by ``modbus.read`` and the heartbeat."""
    modbus_write_register: int | None = None
    """Holding register the intrusive write-back check may write (its own value, back)."""
    heartbeat: str | None = None
    """Protocol or ``tcp/PORT`` of the heartbeat; None: chosen from the port map."""
    trust_anchor: str | None = None
    """PEM file of the CA certificates the device's TLS certificates should chain to."""
    notes: tuple[str, ...] = ()

    def port(self, number: int, transport: Transport = Transport.TCP) -> PortSpec | None:
        """The declared port, if any."""
        for spec in self.ports:
            if spec.port == number and spec.transport is transport:
                return spec
        return None


@dataclass(frozen=True)
class Pacing:
    """Traffic limits for the whole run (per target)."""

    min_gap_s: float = 0.5
    """Minimum time between one connection's end (or start) and the next connection's start."""
    max_packets_per_s: float = 10.0
    """Cap on application messages sent (TCP writes, UDP datagrams) per second."""
    max_concurrency: int = 1
    """Connections (and UDP flows) open to the target at the same time."""
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 3.0


@dataclass(frozen=True)
class WatchPolicy:
    """When the robustness watch considers the device degraded (and the run stops)."""

    enabled: bool = True
    interval_s: float = 5.0
    """A heartbeat at least this often during long checks, and one after every check."""
    baseline_beats: int = 3
    beat_timeout_s: float = 5.0
    lost_after: int = 2
    """Consecutive failed heartbeats that count as an outage."""
    retry_after_s: float = 1.0
    slow_factor: float = 10.0
    """A heartbeat is slow above ``max(slow_factor * baseline, baseline + slow_floor_s)``."""
    slow_floor_s: float = 1.0
    slow_after: int = 3
    """Consecutive slow heartbeats that count as degradation."""


@dataclass(frozen=True)
class AuthPolicy:
    """Limits of authentication attempts (category ``auth``)."""

    max_tries: int = 3
    """Credentials tried per service; never more than 3."""
    gap_s: float = 10.0
    """Pause between two attempts on one service (lockout-aware pacing)."""
    credentials: str | None = None
    """User CSV of default credentials; None: the list shipped with otvet."""
    lockout_attempts: int = 6
    """Failed logins the extended ``auth.lockout`` check makes (at most 10)."""
    lockout_user: str = "admin"
    """Account the ``auth.lockout`` check fails to log in as (it may get locked: lab only)."""


@dataclass(frozen=True)
class LoadPolicy:
    """The intrusive connection burst (``load.connection_burst``)."""

    connections: int = 10
    """At most 20."""
    rate_per_s: float = 5.0
    """At most 10."""


@dataclass(frozen=True)
class LabConfirmation:
    """The operator's recorded confirmation that the target is a lab device."""

    allow_list: tuple[str, ...]
    """Addresses or names the operator allowed for extended and intrusive checks."""
    phrase: str
    """The phrase the operator was asked to type."""
    typed: str
    """What the operator typed (equal to :attr:`phrase` when accepted)."""
    confirmed_at: datetime
    operator: str | None = None


@dataclass(frozen=True)
class ProbeOptions:
    """What the operator allowed and how gently to go."""

    categories: frozenset[Category] = frozenset({Category.SAFE})
    only: tuple[str, ...] = ()
    """Run only these check ids (empty: all enabled)."""
    skip: tuple[str, ...] = ()
    pacing: Pacing = field(default_factory=Pacing)
    watch: WatchPolicy = field(default_factory=WatchPolicy)
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    load: LoadPolicy = field(default_factory=LoadPolicy)
    lab: LabConfirmation | None = None


@dataclass(frozen=True)
class Budget:
    """What one check run may use at most; the engine stops a check that would exceed it."""

    max_connections: int
    """TCP connections plus UDP flows."""
    max_packets: int
    """Application messages sent (each TCP write or UDP datagram)."""
    timeout_s: float
    """Wall-clock limit of the whole check."""
    max_concurrency: int = 1
    min_gap_s: float | None = None
    """Overrides the run's minimum gap (only the intrusive load check does)."""


@dataclass(frozen=True)
class BudgetUsage:
    """What a check run (or the watch) actually used, as counted by the engine."""

    connections: int = 0
    packets_sent: int = 0
    packets_received: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    max_concurrency: int = 0
    min_gap_s: float | None = None
    """Smallest gap before one of this check's connections (since the previous connection
    event of the run); None without connections."""
    elapsed_s: float = 0.0
    left_open: int = 0
    """Connections the check left open; the engine closed them cleanly."""
    aborts_softened: int = 0
    """Abortive closes a library asked for, turned into clean closes by the engine."""


@dataclass(frozen=True)
class Exchange:
    """One message sent or received, or one connection event, in order."""

    seq: int
    t_s: float
    """Seconds since the check started."""
    connection: int
    """Index of the connection (or UDP flow) within the check, from 1."""
    transport: Transport
    port: int
    direction: str
    """``sent``, ``received`` or ``event``."""
    size: int = 0
    sha256: str | None = None
    """SHA-256 of the bytes as recorded (after redaction)."""
    hex: str = ""
    truncated: bool = False
    """Only the first part of the bytes is kept in :attr:`hex` (size and hash cover all)."""
    redacted: bool = False
    """A secret (a password tried) was replaced by ``*`` before recording."""
    note: str | None = None
    """For events: ``connect``, ``refused``, ``timeout``, ``closed``, ``peer closed``, ..."""


@dataclass(frozen=True)
class Finding:
    """One conclusion of a check, with the criteria it speaks to."""

    key: str
    verdict: Verdict
    rationale: str
    criteria: tuple[str, ...] = ()
    conclusive: bool = True
    """False when a pass cannot show the criterion is met (three failed default passwords
    do not prove there are none); a fail is always conclusive."""


@dataclass(frozen=True)
class CheckRecord:
    """The evidence of one check run against one port."""

    check_id: str
    check_version: str
    title: str
    category: Category
    target: str
    """Address the check talked to."""
    port: int | None
    transport: Transport | None
    protocol: str | None
    started_at: datetime
    finished_at: datetime
    budget: Budget
    used: BudgetUsage
    verdict: Verdict
    rationale: str
    findings: tuple[Finding, ...] = ()
    criteria: tuple[str, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Parsed observations (banner, versions, algorithms, certificate facts, ...)."""
    tool_versions: Mapping[str, str] = field(default_factory=dict)
    not_run: str | None = None
    """Why the check did not run (the probe stopped first); its verdict is indeterminate."""

    @property
    def label(self) -> str:
        """``tls.versions tcp/443``."""
        return (
            f"{self.check_id} {self.transport.value}/{self.port}"
            if self.port and self.transport
            else self.check_id
        )


@dataclass(frozen=True)
class HeartbeatSample:
    """One heartbeat of the robustness watch."""

    t_s: float
    """Seconds since the run started."""
    ok: bool
    latency_ms: float | None = None
    during: str | None = None
    """The check running (or just finished) when the heartbeat was taken."""
    error: str | None = None


@dataclass(frozen=True)
class UptimeSample:
    """A reading of the device's own notion of uptime, for reboot detection."""

    t_s: float
    source: str
    """``snmp sysUpTime``, ``snmp engine`` (engineBoots/engineTime) or ``opcua StartTime``."""
    value: str
    """The reading as text (hundredths of seconds, ``boots/time`` or an ISO date-time)."""


@dataclass(frozen=True)
class Outage:
    """The degradation that stopped the run."""

    kind: str
    """``heartbeat_lost``, ``slow``, ``reboot`` or ``port_set``."""
    reason: str
    detected_at: datetime
    during_check: str | None
    """Label of the check that was running (or had just run) when the device degraded."""
    last_ok_t_s: float | None = None


@dataclass(frozen=True)
class RobustnessReport:
    """What the robustness watch saw over the run."""

    enabled: bool
    heartbeat: str
    """What a heartbeat does, e.g. ``modbus tcp/502: read holding register 0 at unit 1``."""
    verdict: Verdict
    rationale: str
    interval_s: float = 0.0
    baseline_latency_ms: float | None = None
    beats: int = 0
    lost: int = 0
    slow: int = 0
    max_latency_ms: float | None = None
    samples: tuple[HeartbeatSample, ...] = ()
    uptime: tuple[UptimeSample, ...] = ()
    reboot_detected: bool = False
    ports_before: tuple[str, ...] = ()
    ports_after: tuple[str, ...] | None = None
    degraded: bool = False
    outage: Outage | None = None
    used: BudgetUsage = field(default_factory=BudgetUsage)


@dataclass(frozen=True)
class PlannedCheck:
    """One line of the plan: a check against a port, whether it runs, and what it may send."""

    check_id: str
    title: str
    category: Category
    port: PortSpec | None
    runs: bool
    reason: str
    """Why it does not run (which flag or input is missing); empty when it runs."""
    budget: Budget
    sends: str
    criteria: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``tls.versions tcp/443``."""
        return f"{self.check_id} {self.port.label}" if self.port else self.check_id


@dataclass(frozen=True)
class ProbeRun:
    """One probe run against one target: the result file's content."""

    otvet_probe: str
    run_id: str
    tool: str
    started_at: datetime
    finished_at: datetime
    target: ProbeTarget
    address: str
    """The address every connection went to."""
    options: ProbeOptions
    checks: tuple[CheckRecord, ...]
    watch: RobustnessReport
    plan: tuple[PlannedCheck, ...] = ()
    tool_versions: Mapping[str, str] = field(default_factory=dict)
    stopped: str | None = None
    """Why the run stopped early (the device degraded); None when it completed."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Free metadata, e.g. ``{"simulated": "true"}`` for runs against the test range."""
    notes: tuple[str, ...] = ()


class ProbeObserver(Protocol):
    """Receives the progress of a probe run (the CLI draws it; tests may act on it)."""

    def check_started(self, planned: PlannedCheck, index: int, total: int) -> None:
        """A check begins (``index`` counts from 0 over the checks that run)."""

    def check_finished(self, record: CheckRecord) -> None:
        """A check ended."""

    def heartbeat(self, sample: HeartbeatSample) -> None:
        """The watch took a heartbeat."""

    def note(self, text: str) -> None:
        """Something the operator should know now (baseline taken, device degraded, ...)."""


class _SilentObserver:
    def check_started(self, planned: PlannedCheck, index: int, total: int) -> None:
        return None

    def check_finished(self, record: CheckRecord) -> None:
        return None

    def heartbeat(self, sample: HeartbeatSample) -> None:
        return None

    def note(self, text: str) -> None:
        return None


NO_OBSERVER: ProbeObserver = _SilentObserver()
"""An observer that ignores everything."""


class ProbeError(OtvetError):
    """The probe refused or could not do something."""


class TargetViolation(ProbeError):
    """Something tried to reach an address or port the probe may not reach. Fails closed."""


class BudgetExceeded(ProbeError):
    """A check tried to use more connections or packets than it declared."""


class LabConfirmationError(InputError):
    """Extended or intrusive checks were asked for without a valid lab confirmation."""
