"""The orchestrator: intake -> provenance -> analyzers -> resolution -> scoring -> assessment.

It wires the stages together and knows no formats. A crashing analyzer does not stop the
run: its crash is recorded, and the criteria it would have decided are reported as not
evidenced with the reason.

Between intake and analysis it establishes what the buyer produced (ADR 0070, 0071): lab probe
results and verification reports inside the bundle that this installation's audit log records
writing become the buyer's (``recorded``), and the bundle's update packages are verified against
the buyer's trust store when it holds entries for the bundle's vendor.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from otvet import __version__
from otvet.analyzers import AnalysisContext, Analyzer, analyzers, not_evidenced
from otvet.catalog import load_catalog, load_profile
from otvet.core.audit import AuditTrail, EvidenceLedger, assessment_event
from otvet.core.provenance import recognise_own_results
from otvet.core.updates import reverify_bundle
from otvet.intake import open_bundle
from otvet.knowledge import open_knowledge
from otvet.model import (
    ASSESSMENT_SCHEMA_VERSION,
    NO_PROGRESS,
    AnalyzerRun,
    Assessment,
    Catalog,
    CriterionResult,
    DataSetRef,
    EvidenceBundle,
    Problem,
    Profile,
    Progress,
    Provenance,
    Section,
)
from otvet.model.updates import VerificationReport
from otvet.model.vulnerabilities import VulnerabilityKnowledge
from otvet.safeio import DEFAULT_LIMITS, Limits
from otvet.scoring import blockers, follow_ups, resolve, score


def assess(
    bundle_path: Path,
    *,
    profile: str = "standard",
    now: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: Mapping[str, str] | None = None,
    progress: Progress = NO_PROGRESS,
    extra: Sequence[Path] = (),
    audit: AuditTrail | None = None,
    knowledge_url: str | None = None,
    ledger: EvidenceLedger | None = None,
    updates_url: str | None = None,
    reverify: bool = True,
) -> Assessment:
    """Assess a bundle (directory or zip) under a profile (built-in id or YAML path).

    ``extra`` files (the buyer's probe results, verification reports) join the bundle under
    ``extra/`` with origin ``buyer``. ``audit`` records the assessment in the audit log (the CLI
    passes the default trail). ``ledger`` (default: ``audit`` when it is one, as the default
    trail is) recognises bundle files this installation produced. With ``reverify``, the
    bundle's update packages are verified against the trust store at ``updates_url`` (default:
    the update store in OTVET_HOME) when it holds entries for the bundle's vendor. The
    vulnerability knowledge base (``knowledge_url``, default the SQLite file in OTVET_HOME) is
    used when it holds data.
    """
    catalog = load_catalog()
    chosen = load_profile(profile, catalog)
    moment = now or datetime.now(UTC)
    trail: object = audit  # the default trail is also the ledger of the log it writes to
    if ledger is None and isinstance(trail, EvidenceLedger):
        ledger = trail
    knowledge = open_knowledge(knowledge_url)
    try:
        progress.start("Reading the evidence bundle", None)
        with open_bundle(bundle_path, catalog, limits=limits, extra=extra) as opened:
            bundle = recognise_own_results(opened, ledger)
            progress.finish()
            reverified: tuple[VerificationReport, ...] = ()
            if reverify:
                reverified, found = reverify_bundle(
                    bundle, at=moment, url=updates_url, limits=limits, progress=progress
                )
                if found:
                    bundle = replace(bundle, problems=(*bundle.problems, *found))
            result = assess_bundle(
                bundle,
                catalog,
                chosen,
                now=moment,
                limits=limits,
                options=options or {},
                progress=progress,
                knowledge=knowledge,
                reverified=reverified,
            )
    finally:
        if knowledge is not None:
            knowledge.close()
    if audit is not None:
        audit.record(assessment_event(result))
    return result


def assess_bundle(
    bundle: EvidenceBundle,
    catalog: Catalog,
    profile: Profile,
    *,
    now: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: Mapping[str, str] | None = None,
    progress: Progress = NO_PROGRESS,
    running: Sequence[Analyzer] | None = None,
    knowledge: VulnerabilityKnowledge | None = None,
    reverified: Sequence[VerificationReport] = (),
) -> Assessment:
    """Run the analyzers over an opened bundle and build the scored assessment."""
    moment = now or datetime.now(UTC)
    ctx = AnalysisContext(
        catalog=catalog,
        profile=profile,
        now=moment,
        limits=limits,
        options=dict(options or {}),
        knowledge=knowledge,
        reverified=tuple(reverified),
    )
    chosen = list(running) if running is not None else analyzers()
    results: list[CriterionResult] = []
    problems: list[Problem] = list(bundle.problems)
    sections: list[Section] = []
    runs: list[AnalyzerRun] = []
    data_sets: list[DataSetRef] = []
    progress.start("Analysing evidence", len(chosen))
    for analyzer in chosen:
        progress.advance(0, analyzer.title)
        try:
            output = analyzer.analyze(bundle, ctx)
        except Exception as exc:  # noqa: BLE001  # a crashing analyzer must not sink the assessment
            error = f"{type(exc).__name__}: {exc}"
            where = traceback.extract_tb(exc.__traceback__)[-1]
            problems.append(
                Problem(
                    path=bundle.source,
                    message=f"analyzer '{analyzer.id}' failed ({error} at {Path(where.filename).name}:{where.lineno}); "
                    "its criteria are reported as not evidenced",
                    source="orchestrator",
                )
            )
            results.extend(
                not_evidenced(
                    list(analyzer.criteria), f"The {analyzer.title} analyzer failed: {error}.", analyzer.id
                )
            )
            runs.append(AnalyzerRun(analyzer.id, analyzer.version, 0, 0, error))
            progress.advance(1)
            continue
        results.extend(output.results)
        problems.extend(output.problems)
        sections.extend(output.sections)
        data_sets.extend(output.data_sets)
        runs.append(AnalyzerRun(analyzer.id, analyzer.version, len(output.results), len(output.problems)))
        progress.advance(1)
    progress.finish()

    outcomes = resolve(catalog, profile, results)
    found, pending = blockers(catalog, outcomes)
    return Assessment(
        schema_version=ASSESSMENT_SCHEMA_VERSION,
        product=bundle.product,
        profile_id=profile.id,
        profile_title=profile.title,
        outcomes=outcomes,
        scores=score(catalog, profile, outcomes),
        blockers=found,
        pending_must_haves=pending,
        follow_ups=follow_ups(catalog, outcomes),
        artifacts=bundle.artifacts,
        problems=tuple(problems),
        sections=tuple(sections),
        provenance=Provenance(
            otvet_version=__version__,
            catalog_id=catalog.id,
            catalog_version=catalog.version,
            profile_id=profile.id,
            profile_source=profile.source or profile.id,
            generated_at=moment,
            bundle_source=bundle.source,
            analyzers=tuple(runs),
            data_sets=tuple(data_sets),
        ),
    )
