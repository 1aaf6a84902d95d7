"""Questionnaire types: a vendor's answers to the criteria questions (attestations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from otvet.model.catalog import CriterionId


class Answer(StrEnum):
    """A vendor's answer to one question."""

    YES = "yes"
    PARTIAL = "partial"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"

    @property
    def label(self) -> str:
        """The spreadsheet drop-down label."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Answer:
        """Parse a drop-down label or value, case-insensitively; ``ValueError`` otherwise."""
        key = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
        if key in _PARSE:
            return _PARSE[key]
        raise ValueError(text)


_LABELS = {
    Answer.YES: "Yes",
    Answer.PARTIAL: "Partial",
    Answer.NO: "No",
    Answer.NOT_APPLICABLE: "Not applicable",
    Answer.UNANSWERED: "",
}
_PARSE = {
    "yes": Answer.YES,
    "y": Answer.YES,
    "partial": Answer.PARTIAL,
    "partially": Answer.PARTIAL,
    "no": Answer.NO,
    "n": Answer.NO,
    "not applicable": Answer.NOT_APPLICABLE,
    "n/a": Answer.NOT_APPLICABLE,
    "na": Answer.NOT_APPLICABLE,
    "": Answer.UNANSWERED,
}

ANSWER_CHOICES = ("Yes", "Partial", "No", "Not applicable")
"""Drop-down choices offered to vendors, in order."""


@dataclass(frozen=True)
class QuestionnaireAnswer:
    """One answered question."""

    criterion_id: CriterionId
    answer: Answer
    evidence: str | None = None
    """The vendor's evidence reference: a file in the bundle, a URL or a document section."""
    comment: str | None = None
    location: str | None = None
    """Where the answer sits (``sheet 'Questionnaire' row 7`` or a YAML path)."""


@dataclass(frozen=True)
class RejectedAnswer:
    """A questionnaire row that could not be read (kept so that nothing is dropped silently)."""

    location: str
    """Where it sits (``sheet 'Questionnaire' row 7 column F`` or a YAML path)."""
    message: str
    criterion_id: CriterionId | None = None
    """The criterion the row answers, when its id is known to the catalog."""


@dataclass(frozen=True)
class QuestionnaireResponse:
    """A filled questionnaire."""

    path: str
    answers: tuple[QuestionnaireAnswer, ...]
    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    respondent: str | None = None
    answered_on: date | None = None
    profile_id: str | None = None
    rejected: tuple[RejectedAnswer, ...] = ()
    """Rows that could not be read (only when read leniently; a strict read raises instead)."""
