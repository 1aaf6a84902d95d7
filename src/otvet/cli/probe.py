"""``otvet probe``: gently test ONE lab device and write the evidence (JSON, key ``otvet_probe``)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from otvet.cli.console import err, out
from otvet.cli.exit_codes import ExitCode
from otvet.core.probe import ProbeRequest, ProbeSetup, check_reference, run_probe, setup, write_probe_result
from otvet.model import InputError
from otvet.model.probe import CheckRecord, HeartbeatSample, PlannedCheck, ProbeRun, Verdict

COLOUR = {
    Verdict.PASS: "green",
    Verdict.FAIL: "red bold",
    Verdict.WARN: "yellow",
    Verdict.INDETERMINATE: "dim",
    Verdict.ERROR: "magenta",
}
STYLE = {v: f"[{c}]{v.value}[/]" for v, c in COLOUR.items()}


def _label(verdict: Verdict) -> str:
    """The verdict, padded to one width so the observations line up."""
    return f"[{COLOUR[verdict]}]{verdict.value:<13}[/]"


class _Live:
    """Draws the run: a bar over the checks, the running check, the last heartbeat."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.beat = "heartbeat: baseline"

    def check_started(self, planned: PlannedCheck, index: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("checks", total=total, detail=self.beat)
        self.progress.update(self.task, description=planned.label)

    def check_finished(self, record: CheckRecord) -> None:
        self.progress.console.print(
            f"  {_label(record.verdict)} {escape(record.label)}: {escape(record.rationale[:160])}"
        )
        if self.task is not None:
            self.progress.advance(self.task)

    def heartbeat(self, sample: HeartbeatSample) -> None:
        self.beat = (
            f"heartbeat {sample.latency_ms:.1f} ms"
            if sample.ok and sample.latency_ms is not None
            else f"heartbeat FAILED ({sample.error})"
        )
        if self.task is not None:
            self.progress.update(self.task, detail=self.beat)

    def note(self, text: str) -> None:
        self.progress.console.print(f"[dim]{escape(text)}[/]")


def _labels(values: list[str]) -> dict[str, str]:
    labels = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--label expects KEY=VALUE, got {value!r}")
        labels[key.strip()] = text.strip()
    return labels


def _ints(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(p) for p in re.split(r"[,\s]+", text.strip()) if p)
    except ValueError:
        raise InputError(f"--inventory expects port numbers, got {text!r}") from None


def show_plan(prepared: ProbeSetup) -> None:
    """The dry run: every check, whether it runs, its budget and exactly what it sends."""
    t = prepared.target
    out.print(f"[bold]Probe plan for {escape(t.host)}[/] (nothing is sent in a dry run)", soft_wrap=True)
    p = prepared.options.pacing
    out.print(
        f"Pacing: one connection at a time, at least {p.min_gap_s:g} s between connections, at most "
        f"{p.max_packets_per_s:g} messages/s; heartbeat: {escape(prepared.heartbeat)}",
        soft_wrap=True,
    )
    for index, line in enumerate(prepared.plan, start=1):
        b = line.budget
        where = (
            line.port.label + (" (well-known port)" if line.port.source == "default" else "")
            if line.port
            else "target"
        )
        state = "[green]runs[/]" if line.runs else f"[dim]does not run: {escape(line.reason)}[/]"
        out.print(
            f"[bold]{index:>2}. {line.check_id}[/] ({line.category.value}) on {escape(where)}: {state}; "
            f"budget {b.max_connections} connection(s), {b.max_packets} message(s), {b.timeout_s:.0f} s",
            soft_wrap=True,
        )
        out.print(f"    sends: {escape(line.sends)}", style=None if line.runs else "dim", soft_wrap=True)
    runs = [line for line in prepared.plan if line.runs]
    out.print(
        f"{len(runs)} of {len(prepared.plan)} check runs would run: at most "
        f"{sum(line.budget.max_connections for line in runs)} connections and "
        f"{sum(line.budget.max_packets for line in runs)} messages, plus heartbeats.",
        soft_wrap=True,
    )
    if prepared.needs_confirmation:
        out.print(
            f"Extended/intrusive checks need the lab allow-list and the typed confirmation: [bold]{escape(prepared.phrase)}[/]"
        )


def _summary(run: ProbeRun, path: Path) -> None:
    counts = {v: sum(1 for c in run.checks if c.verdict is v) for v in Verdict}
    out.print(
        f"\n[bold]{escape(run.address)}[/]: "
        + ", ".join(f"{n} {STYLE[v]}" for v, n in counts.items() if n)
        + f" · watch: {STYLE[run.watch.verdict]} ({escape(run.watch.rationale)})"
    )
    if run.stopped:
        err.print(f"[red bold]The probe stopped early:[/] {escape(run.stopped)}")
    out.print(f"[bold]wrote[/] {path}")


def probe(
    target: Annotated[
        str | None, typer.Argument(help="Address (or name) of the ONE lab device to probe.")
    ] = None,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            "-t",
            help="Target file (YAML): ports, documented ports, Modbus unit, lab allow-list.",
        ),
    ] = None,
    port: Annotated[
        list[str] | None,
        typer.Option("--port", "-P", help="PORT=PROTOCOL, e.g. 502=modbus, 161/udp=snmp (repeatable)."),
    ] = None,
    documented: Annotated[
        list[str] | None, typer.Option("--documented", help="Vendor-documented ports, e.g. tcp/80,udp/161.")
    ] = None,
    inventory: Annotated[
        str | None, typer.Option(help="TCP ports of the inventory instead of the OT/IT list, e.g. 22,80,502.")
    ] = None,
    default_ports: Annotated[
        bool | None,
        typer.Option(
            "--default-ports/--no-default-ports",
            help="Also send Telnet/FTP/TFTP/HTTP/SNMP requests to their well-known ports when you declared "
            "no port for them. Off by default: only your port map decides what is sent where; undeclared "
            "open TCP ports get a passive banner read only.",
        ),
    ] = None,
    vendor: Annotated[
        str | None, typer.Option(help="Vendor name (selects vendor default credentials).")
    ] = None,
    product: Annotated[str | None, typer.Option(help="Product name (recorded).")] = None,
    version: Annotated[str | None, typer.Option(help="Product version (recorded).")] = None,
    unit_id: Annotated[int | None, typer.Option(help="Modbus unit id (default 1).")] = None,
    register: Annotated[
        int | None, typer.Option(help="Holding register read once (0-based, default 0).")
    ] = None,
    write_register: Annotated[
        int | None, typer.Option(help="Register the intrusive write-back may write its own value back to.")
    ] = None,
    heartbeat: Annotated[
        str | None, typer.Option(help="Heartbeat protocol or tcp/PORT (default: chosen from the ports).")
    ] = None,
    trust_anchor: Annotated[
        Path | None, typer.Option(help="PEM file of the CA the device's certificates should chain to.")
    ] = None,
    auth: Annotated[
        bool,
        typer.Option("--auth", help="Allow authentication attempts (default credentials, anonymous logins)."),
    ] = False,
    extended: Annotated[
        bool,
        typer.Option("--extended", help="Allow many-attempt checks (lockout); needs the lab confirmation."),
    ] = False,
    intrusive: Annotated[
        bool, typer.Option("--intrusive", help="Allow writes and load; needs the lab confirmation.")
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Run only this check id (repeatable).")
    ] = None,
    skip: Annotated[list[str] | None, typer.Option("--skip", help="Skip this check id (repeatable).")] = None,
    credentials: Annotated[
        Path | None,
        typer.Option(help="Your CSV of default credentials (default: the list shipped with otvet)."),
    ] = None,
    min_gap: Annotated[float | None, typer.Option(help="Seconds between connections (default 0.5).")] = None,
    max_pps: Annotated[float | None, typer.Option(help="Messages per second at most (default 10).")] = None,
    read_timeout: Annotated[
        float | None, typer.Option(help="Seconds to wait for a reply (default 3).")
    ] = None,
    tries: Annotated[
        int | None, typer.Option(help="Default credentials tried per service (at most 3).")
    ] = None,
    auth_gap: Annotated[
        float | None, typer.Option(help="Seconds between login attempts on one service (default 10).")
    ] = None,
    lockout_attempts: Annotated[
        int | None, typer.Option(help="Failed logins of the lockout check (default 6, at most 10).")
    ] = None,
    lockout_user: Annotated[
        str | None, typer.Option(help="Account the lockout check uses (default admin).")
    ] = None,
    burst: Annotated[
        int | None, typer.Option(help="Connections of the intrusive load burst (default 10, at most 20).")
    ] = None,
    burst_rate: Annotated[
        float | None, typer.Option(help="Burst connections per second (default 5, at most 10).")
    ] = None,
    heartbeat_interval: Annotated[
        float | None, typer.Option(help="Seconds between heartbeats during long checks (default 5).")
    ] = None,
    no_watch: Annotated[
        bool, typer.Option("--no-watch", help="Do not watch the device (not recommended).")
    ] = False,
    lab_allow: Annotated[
        list[str] | None,
        typer.Option("--lab-allow", help="Lab allow-list entry (repeatable) for extended/intrusive checks."),
    ] = None,
    confirm: Annotated[
        str | None, typer.Option(help="The typed lab confirmation (asked for interactively when missing).")
    ] = None,
    operator: Annotated[str | None, typer.Option(help="Who confirmed the lab target (recorded).")] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="KEY=VALUE metadata for the result (repeatable).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Result file (default otvet-probe-<target>.json).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be sent, send nothing.")
    ] = False,
    list_checks: Annotated[
        bool,
        typer.Option("--list-checks", help="Print every check with its category, budget and what it sends."),
    ] = False,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 on a failed check or a degraded device ('fail') or never ('never').")
    ] = "fail",
) -> None:
    """Gently probe ONE lab device: safe checks by default, more only with flags; writes JSON evidence."""
    if list_checks:
        out.print(check_reference(), markup=False)
        return
    if target is None:
        raise InputError("name the device to probe: otvet probe ADDRESS (see --help)")
    if fail_on not in ("fail", "never"):
        raise InputError("--fail-on must be 'fail' or 'never'")
    request = ProbeRequest(
        host=target,
        target_file=targets,
        ports=tuple(port or ()),
        documented=tuple(documented or ()),
        inventory=_ints(inventory),
        default_ports=default_ports,
        vendor=vendor,
        product=product,
        version=version,
        unit_id=unit_id,
        register=register,
        write_register=write_register,
        heartbeat=heartbeat,
        trust_anchor=trust_anchor,
        auth=auth,
        extended=extended,
        intrusive=intrusive,
        only=tuple(only or ()),
        skip=tuple(skip or ()),
        credentials=credentials,
        min_gap_s=min_gap,
        max_packets_per_s=max_pps,
        read_timeout_s=read_timeout,
        tries=tries,
        auth_gap_s=auth_gap,
        lockout_attempts=lockout_attempts,
        lockout_user=lockout_user,
        burst=burst,
        burst_rate=burst_rate,
        watch=not no_watch,
        heartbeat_interval_s=heartbeat_interval,
        lab_allow=tuple(lab_allow or ()),
        confirmation=confirm,
        operator=operator,
        labels=_labels(label or []),
    )
    prepared = setup(request)
    if dry_run:
        show_plan(prepared)
        return
    if prepared.needs_confirmation and confirm is None:
        if not sys.stdin.isatty():
            raise InputError(f"extended/intrusive checks need --lab-allow and --confirm '{prepared.phrase}'")
        err.print(
            "[yellow bold]Extended or intrusive checks can disturb or stop a device. Only probe lab equipment.[/]"
        )
        typed = typer.prompt(f"Type '{prepared.phrase}' to confirm")
        prepared = setup(replace(request, confirmation=typed))
    path = output or Path(f"otvet-probe-{re.sub(r'[^A-Za-z0-9.]+', '-', target).strip('-')}.json")
    err.print(f"[bold]Probing {escape(prepared.target.host)}[/] · heartbeat: {escape(prepared.heartbeat)}")
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}", style="dim"),
        console=err,
        transient=True,
    )
    with progress:
        run = run_probe(prepared, observer=_Live(progress), labels=request.labels)
    write_probe_result(run, path)
    _summary(run, path)
    failed = any(c.verdict is Verdict.FAIL for c in run.checks) or run.watch.degraded
    if failed and fail_on == "fail":
        raise typer.Exit(ExitCode.FINDINGS)
