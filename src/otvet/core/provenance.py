"""Evidence provenance: recognise the buyer's own results among the files a bundle delivers.

The intake marks every file of the vendor's bundle ``bundle`` and every file the buyer adds
beside it ``buyer`` (ADR 0070). A lab probe result or a verification report inside the bundle
is nonetheless the buyer's own when this installation's audit log records writing exactly that
file (``probe.run`` / ``update.verify`` with its SHA-256): a buyer may well keep its lab results
in the folder it assesses. Those become ``recorded``; everything else keeps its origin, and
without a ledger nothing changes (fail closed).
"""

from __future__ import annotations

from dataclasses import replace

from otvet.core.audit import EvidenceLedger
from otvet.model import ArtifactKind, EvidenceBundle
from otvet.model.provenance import Origin

RESULT_KINDS = (ArtifactKind.PROBE_RESULT, ArtifactKind.VERIFICATION_REPORT)
"""Artifacts whose weight depends on who produced them."""


def recognise_own_results(bundle: EvidenceBundle, ledger: EvidenceLedger | None) -> EvidenceBundle:
    """The bundle with the results this installation recorded producing marked ``recorded``."""
    if ledger is None:
        return bundle
    candidates = [a for a in bundle.artifacts if a.origin is Origin.BUNDLE and a.kind in RESULT_KINDS]
    if not candidates:
        return bundle
    produced = ledger.produced_among({a.sha256 for a in candidates})
    artifacts = []
    changed = False
    for artifact in bundle.artifacts:
        if artifact.origin is Origin.BUNDLE and artifact.kind in RESULT_KINDS:
            found = produced.get(artifact.sha256)
            if found is not None:
                artifact = replace(
                    artifact,
                    origin=Origin.RECORDED,
                    origin_note=(
                        f"produced by this installation: '{found.action}' by {found.actor} on "
                        f"{found.time:%Y-%m-%d %H:%M} UTC, audit log record {found.seq} (same SHA-256)"
                    ),
                )
                changed = True
        artifacts.append(artifact)
    return replace(bundle, artifacts=tuple(artifacts)) if changed else bundle
