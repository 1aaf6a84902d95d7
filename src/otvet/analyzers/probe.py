"""Probe analyzer: lab probe results in the bundle become ``observed`` criterion results.

Each check record carries findings, and each finding names the criteria it speaks to. Per
criterion, over every probe result of the bundle:

1. a ``fail`` anywhere makes it **not met** (a fail is always conclusive);
2. else a ``warn`` makes it **partially met**;
3. else an ``indeterminate`` or ``error`` (silence, a timeout, a check that could not finish,
   a check the probe did not get to run) makes it **not evidenced**, with the reason;
4. else, when at least one *conclusive* pass speaks to it and every check the criterion needs
   ran (SBD-06.04 needs all five legacy-service checks), it is **met**;
5. else it is **not evidenced**: the probe saw nothing against it but cannot show it is met
   (three refused default passwords do not prove there are none).

A criterion no check of the run speaks to is left alone. SBD-08.05 (stable during scans) is
judged from the robustness watch: a degraded device is not met; a device that stayed well
through the intrusive load check is met; a device that only stayed well through the gentle
default run is not evidenced (a gentle probe is not a scanner).

Only the buyer's own runs are observations (ADR 0070): files added with ``otvet assess
--probe`` (origin ``buyer``) or bundle files this installation's audit log records writing
(``recorded``). A probe result shipped inside the vendor's bundle is judged by the same rules
but counts as the vendor's claim: basis ``attested``, a rationale that says so and how to get
it observed, and a warning naming the file (the threat model makes the probe the counterweight
to vendor claims, so a forged file must not pass as one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, not_evidenced, result
from otvet.formats.probe import read_probe_result
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
    CriterionResult,
    EvidenceArtifact,
    EvidenceBundle,
    EvidenceRef,
    InputError,
    Problem,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.model.probe import CheckRecord, ProbeRun, Verdict
from otvet.model.provenance import Origin

CRITERIA: tuple[str, ...] = (
    "SBD-01.07",
    "SBD-06.01",
    "SBD-06.03",
    "SBD-06.04",
    "SBD-06.05",
    "SBD-06.07",
    "SBD-07.01",
    "SBD-07.06",
    "SBD-07.08",
    "SBD-08.01",
    "SBD-08.05",
    "SBD-09.10",
)
"""Every criterion a probe check (or the watch) can speak to."""

NEEDED_FOR_MET: dict[str, tuple[str, ...]] = {
    "SBD-06.04": ("telnet.service", "ftp.service", "tftp.service", "snmp.v1v2c_public", "http.cleartext"),
}
"""Checks that must all have run (and passed) before the probe may call a criterion met."""

STABILITY = "SBD-08.05"
LOAD_CHECK = "load.connection_burst"
HOW_TO_OBSERVE = (
    "To have it observed, run 'otvet probe' against the device in your lab and pass the result with "
    "'otvet assess --probe FILE'."
)


@dataclass(frozen=True)
class _Voice:
    """How results of one set of runs are worded and weighed: the buyer's or the vendor's."""

    basis: Basis
    seen: str
    """Lead of a decided result, before the runs' description."""
    probe: str
    """Subject of undecided results."""
    tail: str = ""


_BUYER = _Voice(Basis.OBSERVED, "Observed by the lab probe", "The lab probe")
_VENDOR = _Voice(
    Basis.ATTESTED,
    "Claimed by the vendor, not observed by you: a lab probe result shipped in the vendor's bundle reports",
    "The vendor's lab probe result",
    " " + HOW_TO_OBSERVE,
)


@dataclass(frozen=True)
class _Seen:
    verdict: Verdict
    text: str
    conclusive: bool
    check_id: str
    ref: EvidenceRef


class ProbeAnalyzer:
    """Turns probe results into observed results and a report section."""

    id: ClassVar[str] = "probe"
    version: ClassVar[str] = (
        "1.2"  # 1.1: evidence provenance (ADR 0070); 1.2: every needed check must show it
    )
    title: ClassVar[str] = "Lab probe"
    criteria: ClassVar[tuple[str, ...]] = CRITERIA

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        artifacts = bundle.of_kind(ArtifactKind.PROBE_RESULT)
        if not artifacts:
            return AnalyzerOutput()
        problems: list[Problem] = []
        runs: list[tuple[EvidenceArtifact, ProbeRun]] = []
        for artifact in artifacts:
            try:
                run = read_probe_result(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError as exc:
                where = exc.location.where if exc.location else None
                problems.append(Problem(path=artifact.path, where=where, message=exc.message, source=self.id))
                continue
            runs.append((artifact, run))
            problems.extend(_identity_problems(run, bundle, artifact))
        if not runs:
            reason = (
                "The lab probe result(s) in the bundle could not be read: "
                + "; ".join(p.message for p in problems)
                + "."
            )
            return AnalyzerOutput(
                results=not_evidenced(
                    list(CRITERIA), reason, self.id, tuple(EvidenceRef.to(a) for a in artifacts)
                ),
                problems=tuple(problems),
            )
        mine = [(a, r) for a, r in runs if a.origin.is_buyers]
        theirs = [(a, r) for a, r in runs if not a.origin.is_buyers]
        results = self._judge(mine, _BUYER) + self._judge(theirs, _VENDOR)
        problems.extend(_vendor_warnings(theirs))
        return AnalyzerOutput(
            results=tuple(results), sections=(_section(runs, results),), problems=tuple(problems)
        )

    def _judge(self, runs: list[tuple[EvidenceArtifact, ProbeRun]], voice: _Voice) -> list[CriterionResult]:
        if not runs:
            return []
        seen: dict[str, list[_Seen]] = defaultdict(list)
        ran: set[str] = set()
        for artifact, run in runs:
            for index, record in enumerate(run.checks):
                ref = EvidenceRef.to(artifact, location=f"/checks/{index}", note=record.label)
                if record.not_run is None:
                    ran.add(record.check_id)
                for criterion, item in _findings(record, ref):
                    seen[criterion].append(item)
        results = [
            self._decide(criterion, items, ran, runs, voice)
            for criterion, items in sorted(seen.items())
            if criterion in CRITERIA
        ]
        stability = _stability(runs, voice)
        if stability is not None:
            results.append(stability)
        return results

    def _decide(
        self,
        criterion: str,
        items: list[_Seen],
        ran: set[str],
        runs: list[tuple[EvidenceArtifact, ProbeRun]],
        voice: _Voice,
    ) -> CriterionResult:
        refs = tuple(dict.fromkeys(i.ref for i in items))
        where = _where(runs)

        def said(verdicts: tuple[Verdict, ...]) -> str:
            return " ".join(dict.fromkeys(i.text for i in items if i.verdict in verdicts))

        if any(i.verdict is Verdict.FAIL for i in items):
            return result(
                criterion,
                Status.NOT_MET,
                voice.basis,
                f"{voice.seen} ({where}): {said((Verdict.FAIL,))}{voice.tail}",
                self.id,
                refs,
            )
        if any(i.verdict is Verdict.WARN for i in items):
            return result(
                criterion,
                Status.PARTIALLY_MET,
                voice.basis,
                f"{voice.seen} ({where}): {said((Verdict.WARN,))}{voice.tail}",
                self.id,
                refs,
            )
        unclear = said((Verdict.INDETERMINATE, Verdict.ERROR))
        if unclear:
            return result(
                criterion,
                Status.NOT_EVIDENCED,
                Basis.NONE,
                f"{voice.probe} ({where}) could not decide: {unclear}{voice.tail}",
                self.id,
                refs,
            )
        missing = [c for c in NEEDED_FOR_MET.get(criterion, ()) if c not in ran]
        conclusive = [i for i in items if i.conclusive]
        # Every check the criterion needs must itself have shown it: SNMP that ignores the
        # community 'public' may still speak v2c with another community (a conclusive
        # Telnet pass does not make up for that).
        unshown = [
            c
            for c in NEEDED_FOR_MET.get(criterion, ())
            if c in ran and not any(i.conclusive for i in items if i.check_id == c)
        ]
        if conclusive and not missing and not unshown:
            return result(
                criterion,
                Status.MET,
                voice.basis,
                f"{voice.seen} ({where}): {said((Verdict.PASS,))}{voice.tail}",
                self.id,
                refs,
            )
        if missing:
            text = f"{voice.probe} ({where}) saw nothing against it ({said((Verdict.PASS,))}) but did not run {', '.join(missing)}."
        elif unshown:
            text = (
                f"{voice.probe} ({where}) saw nothing against it ({said((Verdict.PASS,))}), "
                f"but {', '.join(unshown)} cannot show from the network that the criterion is met; "
                "the device's configuration export can."
            )
        else:
            text = (
                f"{voice.probe} ({where}) saw nothing against it ({said((Verdict.PASS,))}), "
                "but its checks cannot show that the criterion is met."
            )
        return result(criterion, Status.NOT_EVIDENCED, Basis.NONE, text + voice.tail, self.id, refs)


def _findings(record: CheckRecord, ref: EvidenceRef) -> list[tuple[str, _Seen]]:
    out: list[tuple[str, _Seen]] = []
    if record.not_run is not None:
        for criterion in record.criteria:
            out.append(
                (
                    criterion,
                    _Seen(
                        Verdict.INDETERMINATE,
                        f"{record.label} did not run ({record.not_run}).",
                        False,
                        record.check_id,
                        ref,
                    ),
                )
            )
        return out
    mentioned: set[str] = set()
    for found in record.findings:
        for criterion in found.criteria:
            mentioned.add(criterion)
            out.append(
                (criterion, _Seen(found.verdict, found.rationale, found.conclusive, record.check_id, ref))
            )
    if record.verdict in (Verdict.ERROR, Verdict.INDETERMINATE):
        # A check that could not finish leaves its criteria open, even where no finding named them.
        for criterion in record.criteria:
            if criterion not in mentioned:
                out.append(
                    (
                        criterion,
                        _Seen(
                            Verdict.INDETERMINATE,
                            f"{record.label}: {record.rationale}",
                            False,
                            record.check_id,
                            ref,
                        ),
                    )
                )
    return out


def _stability(
    runs: list[tuple[EvidenceArtifact, ProbeRun]], voice: _Voice = _BUYER
) -> CriterionResult | None:
    watched = [(a, r) for a, r in runs if r.watch.enabled and r.watch.heartbeat != "none"]
    if not watched:
        return None
    refs = tuple(EvidenceRef.to(a, location="/watch", note="robustness watch") for a, _ in watched)
    degraded = [r for _, r in watched if r.watch.degraded]
    where = _where(runs)
    if degraded:
        return result(
            STABILITY,
            Status.NOT_MET,
            voice.basis,
            f"{voice.seen} ({where}): {degraded[0].watch.rationale}{voice.tail}",
            "probe",
            refs,
        )
    if any(r.watch.verdict is not Verdict.PASS for _, r in watched):
        texts = "; ".join(r.watch.rationale for _, r in watched if r.watch.verdict is not Verdict.PASS)
        return result(
            STABILITY,
            Status.NOT_EVIDENCED,
            Basis.NONE,
            f"The robustness watch could not decide: {texts}{voice.tail}",
            "probe",
            refs,
        )
    loaded = [
        c
        for _, r in watched
        for c in r.checks
        if c.check_id == LOAD_CHECK and c.not_run is None and c.verdict is not Verdict.ERROR
    ]
    if loaded:
        return result(
            STABILITY,
            Status.MET,
            voice.basis,
            f"{voice.seen} ({where}): the device stayed well through the whole run, including a burst of "
            f"connections ({loaded[0].rationale.split(' Stability')[0]}); {watched[0][1].watch.rationale}{voice.tail}",
            "probe",
            refs,
        )
    return result(
        STABILITY,
        Status.NOT_EVIDENCED,
        Basis.NONE,
        f"The device stayed well during the lab probe's gentle run ({watched[0][1].watch.rationale}), which does not show "
        "stability under ordinary scanning; run the intrusive load check in the lab to decide." + voice.tail,
        "probe",
        refs,
    )


def _where(runs: list[tuple[EvidenceArtifact, ProbeRun]]) -> str:
    parts = []
    for artifact, run in runs:
        sim = " against a simulator" if run.labels.get("simulated") == "true" else ""
        parts.append(f"{artifact.path}, {run.address} on {run.started_at:%Y-%m-%d}{sim}")
    return "; ".join(parts)


def _vendor_warnings(runs: list[tuple[EvidenceArtifact, ProbeRun]]) -> list[Problem]:
    """One warning per probe result the vendor shipped: it is a claim, and what it admits."""
    problems = []
    for artifact, run in runs:
        failing = sorted(
            {
                c
                for record in run.checks
                for found in record.findings
                if found.verdict is Verdict.FAIL
                for c in found.criteria
            }
        )
        admits = f"; it reports failures for {', '.join(failing)}" if failing else ""
        problems.append(
            Problem(
                path=artifact.path,
                severity=Severity.WARNING,
                message="this lab probe result was shipped inside the vendor's bundle, so it counts as the vendor's "
                f"claim (attested), not as an observation{admits}. {HOW_TO_OBSERVE}",
                source="probe",
            )
        )
    return problems


def _identity_problems(run: ProbeRun, bundle: EvidenceBundle, artifact: EvidenceArtifact) -> list[Problem]:
    problems = []
    for label, probed, product in (
        ("vendor", run.target.vendor, bundle.product.vendor),
        ("product", run.target.product, bundle.product.product),
        ("version", run.target.version, bundle.product.version),
    ):
        if probed and product and probed.strip().casefold() != product.strip().casefold():
            problems.append(
                Problem(
                    path=artifact.path,
                    severity=Severity.WARNING,
                    message=f"the probe ran against {label} {probed!r}, but the bundle is for {product!r}",
                    source="probe",
                )
            )
    return problems


def _section(runs: list[tuple[EvidenceArtifact, ProbeRun]], results: list[CriterionResult]) -> Section:
    rows: list[tuple[str, ...]] = []
    for _, run in runs:
        for record in run.checks:
            used = record.used
            rows.append(
                (
                    record.check_id,
                    f"{record.transport.value}/{record.port}" if record.transport and record.port else "-",
                    record.category.value,
                    record.verdict.value,
                    record.rationale[:400],
                    ", ".join(record.criteria) or "-",
                    f"{used.connections}/{record.budget.max_connections} conn, {used.packets_sent}/{record.budget.max_packets} msg",
                )
            )
    watch_rows = []
    for artifact, run in runs:
        w = run.watch
        watch_rows.append(
            (
                artifact.path,
                w.heartbeat,
                str(w.beats),
                str(w.lost),
                "-" if w.baseline_latency_ms is None else f"{w.baseline_latency_ms:.1f} ms",
                "-" if w.max_latency_ms is None else f"{w.max_latency_ms:.1f} ms",
                w.uptime[-1].source if w.uptime else "-",
                w.verdict.value,
                w.rationale[:300],
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for _, run in runs:
        for record in run.checks:
            counts[record.verdict.value] += 1
    notes = []
    for artifact, run in runs:
        enabled = ", ".join(sorted(c.value for c in run.options.categories))
        line = f"{artifact.path}: {run.tool} probed {run.address} from {run.started_at:%Y-%m-%d %H:%M} UTC ({enabled} checks)"
        if artifact.origin is Origin.BUNDLE:
            line += (
                "; shipped in the vendor's bundle, so its results are the vendor's claim, not observations"
            )
        elif artifact.origin is Origin.RECORDED:
            line += f"; your own run ({artifact.origin_note})"
        if run.labels.get("simulated") == "true":
            line += "; this run was against a simulated device, not the product itself"
        if run.stopped:
            line += f"; the run stopped early: {run.stopped}"
        notes.append(line + ".")
    summary = (
        f"{sum(counts.values())} check run(s): "
        + ", ".join(f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value])
        + f"; {sum(r.basis is Basis.OBSERVED for r in results)} criterion result(s) observed, "
        + f"{sum(r.basis is Basis.ATTESTED for r in results)} claimed by the vendor's own probe result(s)."
    )
    return Section(
        id="probe",
        title="Lab probe",
        analyzer="probe",
        summary=summary,
        tables=(
            Table(
                caption="Checks (one row per check and port)",
                columns=("Check", "Port", "Category", "Verdict", "Observation", "Criteria", "Budget used"),
                rows=tuple(rows),
                note="Silence is never a pass: a check that got no answer is indeterminate.",
            ),
            Table(
                caption="Robustness watch",
                columns=(
                    "Result file",
                    "Heartbeat",
                    "Beats",
                    "Lost",
                    "Baseline",
                    "Slowest",
                    "Uptime from",
                    "Verdict",
                    "Observation",
                ),
                rows=tuple(watch_rows),
            ),
            Table(
                caption="Criteria decided by the probe",
                columns=("Criterion", "Status", "Why"),
                rows=tuple((r.criterion_id, r.status.value, r.rationale[:400]) for r in results),
            ),
        ),
        notes=tuple(notes),
        data={"checks": dict(counts), "runs": [run.run_id for _, run in runs]},
    )
