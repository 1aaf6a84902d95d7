"""Support-period analyzer: published end of support against the buyer's planned service life.

Guide: "Each product has a clearly defined support period" (SBD-11.15), end-of-life dates
published (SBD-12.04), and a support period that "should reflect the intended lifecycle of the
product" (SBD-12.10). The end of support comes from the bundle manifest
(``product.end_of_support``), else a CycloneDX property (``end-of-support``, ``endOfSupport``,
``end-of-life``, ``eol``, as ``metadata.properties`` or on ``metadata.component``), else a
sentence in a vendor document ("end of support ... 30 June 2029"). The planned service life is
the analyzer option ``planned_service_life_years`` (``otvet assess --option``), else the
manifest property of the same name, counted from the assessment date.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from otvet.analyzers.interface import AnalysisContext, result
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
    EvidenceBundle,
    EvidenceRef,
    InputError,
    Problem,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.safeio import load_json, read_text

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"), start=1
)}  # fmt: skip
_EOS_WORDS = r"(?:end[- ]of[- ](?:support|life|security support)|supported until|support ends|eol)"
_ISO = r"(\d{4}-\d{2}-\d{2})"
_LONG = r"(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})"
_PROPERTY_NAMES = re.compile(r"end[-_ ]?of[-_ ]?(?:support|life)|endofsupport|endoflife|^eol$|:eol$", re.I)
_FREE = re.compile(r"free of charge|at no (?:additional )?cost|without charge", re.I)


def _date_in(text: str) -> date | None:
    for match in re.finditer(_EOS_WORDS + r".{0,120}?(?:" + _ISO + "|" + _LONG + ")", text, re.I | re.S):
        try:
            if match.group(1):
                return date.fromisoformat(match.group(1))
            return date(int(match.group(4)), _MONTHS[match.group(3).lower()], int(match.group(2)))
        except ValueError:
            continue
    return None


def _add_years(day: date, years: float) -> date:
    whole = int(years)
    try:
        shifted = day.replace(year=day.year + whole)
    except ValueError:
        shifted = day.replace(year=day.year + whole, day=28)
    return date.fromordinal(shifted.toordinal() + round((years - whole) * 365.25))


class SupportPeriodAnalyzer:
    """Finds the published end of support and compares it with the planned service life."""

    id: ClassVar[str] = "support_period"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Support period"
    criteria: ClassVar[tuple[str, ...]] = ("SBD-11.15", "SBD-12.04", "SBD-12.10")

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        problems: list[Problem] = []
        end, source, ref = self._end_of_support(bundle, ctx, problems)
        planned_text = ctx.options.get("planned_service_life_years") or bundle.product.properties.get(
            "planned_service_life_years"
        )
        planned: float | None = None
        if planned_text:
            try:
                planned = float(planned_text)
            except ValueError:
                problems.append(
                    Problem(
                        bundle.manifest_path or bundle.source,
                        f"planned_service_life_years {planned_text!r} is not a number",
                        source=self.id,
                    )
                )
        if end is None:
            if not any(
                (
                    bundle.product.end_of_support,
                    bundle.of_kind(ArtifactKind.DOCUMENT),
                    bundle.of_kind(ArtifactKind.SBOM),
                )
            ):
                return AnalyzerOutput(problems=tuple(problems))
            return AnalyzerOutput(
                results=(
                    result(
                        "SBD-12.04",
                        Status.NOT_MET,
                        Basis.VERIFIED,
                        "No end-of-support or end-of-life date in the manifest, the SBOMs or the documents of the bundle.",
                        self.id,
                    ),
                ),
                problems=tuple(problems),
            )
        refs = (ref,) if ref else ()
        today = ctx.now.date()
        results = [
            result(
                "SBD-12.04",
                Status.MET,
                Basis.VERIFIED,
                f"End of support {end.isoformat()} is published ({source}).",
                self.id,
                refs,
            )
        ]
        free = self._free_patches(bundle, ctx)
        if free is not None:
            results.append(
                result(
                    "SBD-11.15",
                    Status.MET,
                    Basis.VERIFIED,
                    f"Support period defined until {end.isoformat()} ({source}); {free.path} states security updates free of charge.",
                    self.id,
                    (*refs, EvidenceRef.to(free)),
                )
            )
        else:
            results.append(
                result(
                    "SBD-11.15",
                    Status.PARTIALLY_MET,
                    Basis.VERIFIED,
                    f"Support period defined until {end.isoformat()} ({source}); no document in the bundle says security patches are free of charge.",
                    self.id,
                    refs,
                )
            )
        rows = [("End of support", end.isoformat(), source)]
        if planned is not None:
            needed = _add_years(today, planned)
            rows.append(
                (
                    "Planned service life",
                    f"{planned:g} years from {today.isoformat()}",
                    f"until {needed.isoformat()}",
                )
            )
            if end >= needed:
                results.append(
                    result(
                        "SBD-12.10",
                        Status.MET,
                        Basis.VERIFIED,
                        f"End of support {end.isoformat()} covers the planned {planned:g}-year service life (until {needed.isoformat()}).",
                        self.id,
                        refs,
                    )
                )
            else:
                gap = (needed - end).days / 365.25
                status = (
                    Status.NOT_MET if end <= today else Status.PARTIALLY_MET if gap <= 2 else Status.NOT_MET
                )
                results.append(
                    result(
                        "SBD-12.10",
                        status,
                        Basis.VERIFIED,
                        f"End of support {end.isoformat()} falls within the planned {planned:g}-year service life (until {needed.isoformat()}): about {gap:.1f} years without security support.",
                        self.id,
                        refs,
                    )
                )
                rows.append(
                    (
                        "Unsupported years",
                        f"{gap:.1f}",
                        "end of support before the end of the planned service life",
                    )
                )
        else:
            results.append(
                result(
                    "SBD-12.10",
                    Status.NOT_EVIDENCED,
                    Basis.NONE,
                    f"End of support {end.isoformat()}; no planned service life given (analyzer option planned_service_life_years).",
                    self.id,
                    refs,
                )
            )
        section = Section(
            id="support-period",
            title="Support period",
            analyzer=self.id,
            summary=f"End of support {end.isoformat()} ({source}).",
            tables=(
                Table(
                    caption="Support period against planned service life",
                    columns=("Item", "Value", "Source"),
                    rows=tuple(rows),
                ),
            ),
            data={"end_of_support": end.isoformat(), "planned_service_life_years": planned},
        )
        return AnalyzerOutput(results=tuple(results), sections=(section,), problems=tuple(problems))

    def _end_of_support(
        self, bundle: EvidenceBundle, ctx: AnalysisContext, problems: list[Problem]
    ) -> tuple[date | None, str, EvidenceRef | None]:
        manifest = bundle.find(bundle.manifest_path) if bundle.manifest_path else None
        if bundle.product.end_of_support is not None:
            ref = EvidenceRef.to(manifest, "/product/end_of_support") if manifest else None
            return (
                bundle.product.end_of_support,
                f"{bundle.manifest_path or 'manifest'} product.end_of_support",
                ref,
            )
        for artifact in bundle.of_kind(ArtifactKind.SBOM):
            try:
                doc = load_json(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError:
                continue
            found = _cyclonedx_eos(doc)
            if found is not None:
                day, where = found
                return day, f"{artifact.path} {where}", EvidenceRef.to(artifact, where)
        for artifact in bundle.of_kind(ArtifactKind.DOCUMENT):
            try:
                text = read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError:
                continue
            stated = _date_in(text)
            if stated is not None:
                return stated, f"stated in {artifact.path}", EvidenceRef.to(artifact)
        del problems
        return None, "", None

    def _free_patches(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> Any:
        for artifact in bundle.of_kind(ArtifactKind.DOCUMENT):
            try:
                text = read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError:
                continue
            if _FREE.search(text) and re.search(r"update|patch", text, re.I):
                return artifact
        return None


def _cyclonedx_eos(doc: Any) -> tuple[date, str] | None:
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        return None
    raw_metadata = doc.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    raw_component = metadata.get("component")
    component: dict[str, Any] = raw_component if isinstance(raw_component, dict) else {}
    for where, props in (
        ("/metadata/properties", metadata.get("properties")),
        ("/metadata/component/properties", component.get("properties")),
    ):
        for index, prop in enumerate(props if isinstance(props, list) else []):
            if isinstance(prop, dict) and _PROPERTY_NAMES.search(str(prop.get("name", ""))):
                try:
                    return date.fromisoformat(str(prop.get("value", ""))[:10]), f"{where}/{index}"
                except ValueError:
                    continue
    return None


__all__ = ["Severity", "SupportPeriodAnalyzer"]
