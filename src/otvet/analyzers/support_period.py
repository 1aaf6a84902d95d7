"""Support-period analyzer: published end of support against the buyer's planned service life.

Guide: "Each product has a clearly defined support period" (SBD-11.15), end-of-life dates
published (SBD-12.04), and a support period that "should reflect the intended lifecycle of the
product" (SBD-12.10). The end of support comes from the bundle manifest
(``product.end_of_support``), else a CycloneDX property (``end-of-support``, ``endOfSupport``,
``end-of-life``, ``eol``, as ``metadata.properties`` or on ``metadata.component``, JSON or
XML), else a sentence in a vendor document ("end of support ... 30 June 2029"). The planned
service life is the analyzer option ``planned_service_life_years`` (``otvet assess --option``),
else the manifest property of the same name, counted from the assessment date.

Documents are searched for whole phrases only ("end of support", "end-of-life", "supported
until", "support ends", the abbreviation "EOL"/"EoL" in capitals), each followed by a date in
the same sentence: "eol" inside a word ("geolocation", "Stereolithography") is no statement
(ADR 0078). When a document states several dates, those on a line naming the assessed version
win; of the rest the earliest is used, with a warning. An SBOM or document that cannot be read,
a property that is not a date, and binary documents (PDF, DOCX, XLSX) not searched are reported
as problems, never skipped silently.
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, result
from otvet.formats.sbom import read_sbom
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
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
from otvet.safeio import read_text

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"), start=1
)}  # fmt: skip
# NOTE: whole phrases only, word-bounded: a bare "eol" matched inside "geolocation" and
# "Stereolithography" and made unrelated dates ends of support. The abbreviation counts only in
# capitals (EOL, EoL); lower-case "eol" is also the end-of-line marker in technical documents.
_EOS_PHRASE = (
    r"(?:\b(?i:end[- ]of[- ](?:(?:security |software |product |technical )?support|life|service life)"
    r"|supported (?:until|through|till)|support (?:ends|will end|expires|is provided until)"
    r"|security (?:updates|patches) (?:are provided |will be provided )?(?:until|through))\b"
    r"|\b(?:EOL|EoL)\b)"
)
# The date must follow in the same sentence: no sentence end (". ", ";", "!", "?") and no
# blank line between the phrase and the date; dots inside numbers ("5.4") are allowed.
_SAME_SENTENCE = r"(?:(?![.;!?](?:\s|$)|\n[ \t]*\n)[\s\S]){0,100}?"
_MONTH_NAMES = "|".join(_MONTHS)
_DATE = (
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    rf"|(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?P<month>{_MONTH_NAMES}),? (?P<year>\d{{4}})"
    rf"|(?P<month2>{_MONTH_NAMES}) (?P<day2>\d{{1,2}})(?:st|nd|rd|th)?, (?P<year2>\d{{4}}))"
)
# Not compiled with re.I: the abbreviation must stay case-sensitive; phrases and month names
# carry their own (?i:) flag.
_STATEMENT = re.compile(_EOS_PHRASE + _SAME_SENTENCE + r"\b(?i:" + _DATE + r")(?!\d)")
_PROPERTY_NAMES = re.compile(r"end[-_ ]?of[-_ ]?(?:support|life)|endofsupport|endoflife|^eol$|:eol$", re.I)
_FREE = re.compile(r"free of charge|at no (?:additional )?cost|without charge", re.I)
_BINARY_DOCUMENTS = ("PDF", "XLSX workbook", "DOCX document")


def _statement_date(match: re.Match[str]) -> date:
    if match.group("iso"):
        return date.fromisoformat(match.group("iso"))
    if match.group("day"):
        return date(int(match.group("year")), _MONTHS[match.group("month").lower()], int(match.group("day")))
    return date(int(match.group("year2")), _MONTHS[match.group("month2").lower()], int(match.group("day2")))


def stated_dates(text: str) -> list[tuple[date, int, str]]:
    """End-of-support statements of a text: (date, line number, the line)."""
    found = []
    lines = text.splitlines()
    for match in _STATEMENT.finditer(text):
        try:
            day = _statement_date(match)
        except ValueError:
            continue  # "2029-02-30": not a date
        line = text.count("\n", 0, match.start()) + 1
        found.append((day, line, lines[line - 1].strip() if line <= len(lines) else ""))
    return found


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
    version: ClassVar[str] = "1.1"
    title: ClassVar[str] = "Support period"
    criteria: ClassVar[tuple[str, ...]] = ("SBD-11.15", "SBD-12.04", "SBD-12.10")

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        problems: list[Problem] = []
        unsearched: list[Problem] = []
        documents = self._documents(bundle, ctx, problems, unsearched)
        end, source, ref = self._end_of_support(bundle, ctx, documents, problems)
        skipped = {p.path for p in (*problems, *unsearched)}  # so far only files that could not be searched
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
            problems.extend(unsearched)  # they might have held the date
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
                        "No end-of-support or end-of-life date in the manifest, the SBOMs or the documents of the bundle."
                        + (
                            f" {len(skipped)} file(s) could not be searched (see the problems)."
                            if skipped
                            else ""
                        ),
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
        free = _free_patches(documents)
        if free is None:
            problems.extend(unsearched)  # they might have stated free updates
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
        self,
        bundle: EvidenceBundle,
        ctx: AnalysisContext,
        documents: list[tuple[EvidenceArtifact, str]],
        problems: list[Problem],
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
            found = self._sbom_eos(bundle, ctx, artifact, problems)
            if found is not None:
                day, where, note = found
                return day, f"{artifact.path} {where} ({note})", EvidenceRef.to(artifact, where, note)
        for artifact, text in documents:
            statements = stated_dates(text)
            if not statements:
                continue
            day, line = self._choose(bundle, artifact, statements, problems)
            return day, f"stated in {artifact.path} line {line}", EvidenceRef.to(artifact, f"line {line}")
        return None, "", None

    def _sbom_eos(
        self,
        bundle: EvidenceBundle,
        ctx: AnalysisContext,
        artifact: EvidenceArtifact,
        problems: list[Problem],
    ) -> tuple[date, str, str] | None:
        """An end-of-support property of a CycloneDX SBOM: (date, where, property)."""
        if (artifact.format or "").startswith("SPDX"):
            return None  # SPDX has no end-of-support property otvet reads (docs/csaf.md)
        try:
            sbom = read_sbom(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
        except InputError as exc:
            problems.append(
                Problem(
                    artifact.path,
                    f"could not be read, so it was not searched for an end-of-support property: {exc.message}",
                    exc.location.where if exc.location else None,
                    source=self.id,
                )
            )
            return None
        subject = sbom.subject.properties if sbom.subject is not None else ()
        for where, properties in (
            ("/metadata/properties", sbom.properties),
            ("/metadata/component/properties", subject),
        ):
            for name, value in properties:
                if not _PROPERTY_NAMES.search(name):
                    continue
                try:
                    return date.fromisoformat(value.strip()[:10]), where, f"property {name} = {value}"
                except ValueError:
                    problems.append(
                        Problem(
                            artifact.path,
                            f"property {name!r} = {value!r} is not an ISO 8601 date (YYYY-MM-DD); not used as the end of support",
                            where,
                            Severity.WARNING,
                            source=self.id,
                        )
                    )
        return None

    def _documents(
        self,
        bundle: EvidenceBundle,
        ctx: AnalysisContext,
        problems: list[Problem],
        unsearched: list[Problem],
    ) -> list[tuple[EvidenceArtifact, str]]:
        """The bundle's text documents; unreadable ones become problems, binary ones notes."""
        texts = []
        for artifact in bundle.of_kind(ArtifactKind.DOCUMENT):
            if artifact.format in _BINARY_DOCUMENTS:
                unsearched.append(
                    Problem(
                        artifact.path,
                        f"not searched for an end-of-support date or free security updates: text of a {artifact.format} is not extracted",
                        severity=Severity.WARNING,
                        source=self.id,
                    )
                )
                continue
            try:
                texts.append(
                    (artifact, read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits))
                )
            except InputError as exc:
                problems.append(
                    Problem(
                        artifact.path,
                        f"could not be read, so it was not searched for an end-of-support date: {exc.message}",
                        exc.location.where if exc.location else None,
                        source=self.id,
                    )
                )
        return texts

    def _choose(
        self,
        bundle: EvidenceBundle,
        artifact: EvidenceArtifact,
        statements: list[tuple[date, int, str]],
        problems: list[Problem],
    ) -> tuple[date, int]:
        """One date of several statements: the assessed version's, else the earliest (warned)."""
        version = bundle.product.version
        if version and len({d for d, _, _ in statements}) > 1:
            pattern = re.compile(rf"(?<![\w.]){re.escape(version)}(?![\w]|\.\d)", re.I)
            own = [s for s in statements if pattern.search(s[2])]
            statements = own or statements
        dates = sorted({d for d, _, _ in statements})
        day = dates[0]
        line = min(ln for d, ln, _ in statements if d == day)
        if len(dates) > 1:
            listed = ", ".join(
                f"{d.isoformat()} (line {min(ln for x, ln, _ in statements if x == d)})" for d in dates
            )
            problems.append(
                Problem(
                    artifact.path,
                    f"states several end-of-support dates ({listed}); the earliest is used",
                    f"line {line}",
                    Severity.WARNING,
                    source=self.id,
                )
            )
        return day, line


def _free_patches(documents: list[tuple[EvidenceArtifact, str]]) -> EvidenceArtifact | None:
    """The first document that says security updates are free of charge."""
    for artifact, text in documents:
        if _FREE.search(text) and re.search(r"update|patch", text, re.I):
            return artifact
    return None


__all__ = ["SupportPeriodAnalyzer"]
