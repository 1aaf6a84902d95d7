"""Questionnaire analyzer: the vendor's answers become ``attested`` results.

Attestations are claims, not proof: they count for less in scoring, and any verified or
observed result on the same criterion outranks them (and is flagged when it disagrees).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, result
from otvet.formats.questionnaire import read_questionnaire
from otvet.model import (
    AnalyzerOutput,
    Answer,
    ArtifactKind,
    Basis,
    CriterionResult,
    EvidenceArtifact,
    EvidenceBundle,
    EvidenceRef,
    InputError,
    Problem,
    QuestionnaireAnswer,
    QuestionnaireError,
    QuestionnaireResponse,
    Section,
    Severity,
    Status,
    Table,
)

_STATUS = {
    Answer.YES: Status.MET,
    Answer.PARTIAL: Status.PARTIALLY_MET,
    Answer.NO: Status.NOT_MET,
    Answer.NOT_APPLICABLE: Status.NOT_APPLICABLE,
}


class QuestionnaireAnalyzer:
    """Turns questionnaire answers into attested criterion results."""

    id: ClassVar[str] = "questionnaire"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Vendor questionnaire"
    criteria: ClassVar[tuple[str, ...]] = ()

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        results: dict[str, CriterionResult] = {}
        unreadable: dict[str, CriterionResult] = {}
        problems: list[Problem] = []
        rows: list[tuple[str, ...]] = []
        for artifact in bundle.of_kind(ArtifactKind.QUESTIONNAIRE):
            try:
                response = read_questionnaire(
                    bundle.file_of(artifact),
                    ctx.catalog,
                    display=artifact.path,
                    limits=ctx.limits,
                    lenient=True,
                )
            except QuestionnaireError as exc:
                problems.append(Problem(path=artifact.path, message=exc.message, source=self.id))
                problems.extend(
                    Problem(path=artifact.path, where=loc.where, message=msg, source=self.id)
                    for loc, msg in exc.problems
                )
                continue
            except InputError as exc:
                where = exc.location.where if exc.location else None
                problems.append(Problem(path=artifact.path, where=where, message=exc.message, source=self.id))
                continue
            problems.extend(_identity_problems(response, bundle, artifact))
            for rejected in response.rejected:
                problems.append(
                    Problem(
                        path=artifact.path,
                        where=rejected.location,
                        message=rejected.message,
                        source=self.id,
                    )
                )
                cid = rejected.criterion_id
                if cid is not None and cid not in unreadable:
                    unreadable[cid] = result(
                        cid,
                        Status.NOT_EVIDENCED,
                        Basis.NONE,
                        f"The vendor's answer in {artifact.path} ({rejected.location}) could not be read: "
                        f"{rejected.message}; ask the vendor to correct it.",
                        self.id,
                        (EvidenceRef.to(artifact, location=rejected.location),),
                    )
            for answer in response.answers:
                if answer.answer is Answer.UNANSWERED:
                    continue
                new = _to_result(answer, artifact, bundle, self.id)
                previous = results.get(answer.criterion_id)
                if previous is not None and previous.status != new.status:
                    problems.append(
                        Problem(
                            path=artifact.path,
                            where=answer.location,
                            severity=Severity.WARNING,
                            message=f"{answer.criterion_id} answered differently in another questionnaire; the first answer is used",
                            source=self.id,
                        )
                    )
                    continue
                results.setdefault(answer.criterion_id, new)
            rows.append(_summary_row(response, artifact, ctx))
        sections: tuple[Section, ...] = ()
        if rows:
            sections = (
                Section(
                    id="questionnaire",
                    title="Vendor questionnaire",
                    analyzer=self.id,
                    summary="Answers are the vendor's claims (basis: attested); evidence outranks them.",
                    tables=(
                        Table(
                            caption="Questionnaires in the bundle",
                            columns=(
                                "File",
                                "Respondent",
                                "Date",
                                "Yes",
                                "Partial",
                                "No",
                                "N/A",
                                "Unreadable",
                                "Unanswered (profile)",
                            ),
                            rows=tuple(rows),
                        ),
                    ),
                ),
            )
        # A readable answer in another questionnaire stands; otherwise the unreadable one is a
        # result of its own ("not evidenced", with the reason), never a silent gap.
        for unread_id, unread in unreadable.items():
            results.setdefault(unread_id, unread)
        return AnalyzerOutput(results=tuple(results.values()), sections=sections, problems=tuple(problems))


def _summary_row(
    response: QuestionnaireResponse, artifact: EvidenceArtifact, ctx: AnalysisContext
) -> tuple[str, ...]:
    counts = Counter(a.answer for a in response.answers)
    answered = {a.criterion_id for a in response.answers if a.answer is not Answer.UNANSWERED}
    missing = sum(1 for cid in ctx.profile.criteria if cid not in answered)
    return (
        artifact.path,
        response.respondent or "-",
        response.answered_on.isoformat() if response.answered_on else "-",
        str(counts[Answer.YES]),
        str(counts[Answer.PARTIAL]),
        str(counts[Answer.NO]),
        str(counts[Answer.NOT_APPLICABLE]),
        str(len(response.rejected)),
        str(missing),
    )


def _identity_problems(
    response: QuestionnaireResponse, bundle: EvidenceBundle, artifact: EvidenceArtifact
) -> list[Problem]:
    """A questionnaire about another product or version is a real procurement risk: say so."""
    problems = []
    for label, claimed, actual in (
        ("product", response.product, bundle.product.product),
        ("version", response.version, bundle.product.version),
    ):
        if claimed and actual and claimed.strip().casefold() != actual.strip().casefold():
            problems.append(
                Problem(
                    path=artifact.path,
                    severity=Severity.WARNING,
                    message=f"questionnaire answers for {label} {claimed!r}, but the bundle is for {actual!r}",
                    source="questionnaire",
                )
            )
    return problems


def _looks_like_path(reference: str) -> bool:
    return (
        "://" not in reference
        and ("/" in reference or "." in reference.rsplit("/", 1)[-1])
        and " " not in reference
    )


def _to_result(
    answer: QuestionnaireAnswer, artifact: EvidenceArtifact, bundle: EvidenceBundle, analyzer: str
) -> CriterionResult:
    refs = [EvidenceRef.to(artifact, location=answer.location)]
    parts = [f"Vendor answered '{answer.answer.label}' in {artifact.path}"]
    if answer.evidence:
        found, absent = [], []
        for reference in (r.strip() for r in re.split(r"[;\n]", answer.evidence) if r.strip()):
            candidate = reference.split()[0].split("#", 1)[0].rstrip(",")
            cited = bundle.find(candidate)
            if cited is not None:
                refs.append(EvidenceRef.to(cited, note="cited by the vendor"))
                found.append(reference)
            elif _looks_like_path(candidate):
                absent.append(reference)
        if found:
            parts.append(f"citing {'; '.join(found)}")
        if absent:
            parts.append(
                f"citing {'; '.join(repr(a) for a in absent)}, which {'is' if len(absent) == 1 else 'are'} not in the bundle"
            )
        if not found and not absent:
            parts.append(f"citing '{answer.evidence}'")
    if answer.comment:
        parts.append(f"comment: {answer.comment.rstrip('.')}")
    return result(
        answer.criterion_id,
        _STATUS[answer.answer],
        Basis.ATTESTED,
        "; ".join(parts) + ".",
        analyzer,
        tuple(refs),
    )
