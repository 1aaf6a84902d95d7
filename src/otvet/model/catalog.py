"""Criteria catalog types: the 12 Secure by Demand elements, criteria, mappings and profiles.

The catalog content is data (``otvet/catalog/data``); these types are what the loader
produces and what every other stage consumes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

CriterionId = NewType("CriterionId", str)
"""Stable criterion identifier, ``SBD-<element>.<nn>`` (e.g. ``SBD-11.04``)."""

ElementKey = NewType("ElementKey", str)
"""Stable element key, e.g. ``vulnerability_management``."""


class Method(StrEnum):
    """How a criterion can be verified (NIST SP 800-53A assessment methods)."""

    EXAMINE = "examine"
    TEST = "test"
    INTERVIEW = "interview"


class EvidenceKind(StrEnum):
    """Kinds of evidence that can verify a criterion."""

    SBOM = "sbom"
    VULNERABILITY_DATA = "vulnerability_data"
    CSAF = "csaf"
    VEX = "vex"
    SECURITY_TXT = "security_txt"
    SIGNATURE = "signature"
    UPDATE_PACKAGE = "update_package"
    CONFIG = "config"
    LOG_SAMPLE = "log_sample"
    THREAT_MODEL = "threat_model"
    PROBE = "probe"
    DOCUMENT = "document"
    ATTESTATION = "attestation"


@dataclass(frozen=True)
class StandardRef:
    """A reference to a requirement of a standard, with the security level that needs it."""

    ref: str
    """Requirement id, e.g. ``CR 1.1 RE(1)``."""
    sl: int | None = None
    """Lowest IEC 62443 security level (1-4) whose capability includes the requirement."""


@dataclass(frozen=True)
class Mappings:
    """Cross-references of a criterion to other frameworks (ids only, never their text)."""

    iec62443_4_2: tuple[StandardRef, ...] = ()
    iec62443_3_3: tuple[str, ...] = ()
    nist_sp800_82r3: tuple[str, ...] = ()
    cra_annex_i: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceQuote:
    """Where in the Secure by Demand guide a criterion comes from."""

    section: str
    """Guide section name, e.g. ``Vulnerability Management``."""
    part: str
    """``selection``, ``questions``, ``look_for``, ``why``, ``summary`` or ``considerations``."""
    quote: str
    """Verbatim guide text, at most 30 words."""


@dataclass(frozen=True)
class Element:
    """One of the guide's 12 security elements."""

    number: int
    key: ElementKey
    name: str
    selection_criterion: str
    """The guide's selection criterion for the element (verbatim)."""
    summary: str


@dataclass(frozen=True)
class Criterion:
    """One requirement a buyer demands, derived from the guide."""

    id: CriterionId
    element: ElementKey
    title: str
    requirement: str
    """RFP language: "The product shall ..."."""
    question: str
    """What to ask the vendor."""
    source: SourceQuote
    methods: tuple[Method, ...]
    evidence: tuple[EvidenceKind, ...]
    weight: int
    """1 (nice to have) to 5 (critical)."""
    mappings: Mappings
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The whole criteria catalog."""

    id: str
    version: str
    title: str
    source_title: str
    elements: tuple[Element, ...]
    criteria: tuple[Criterion, ...]
    mapping_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per framework (``iec62443_4_2``, ...): id -> our own short label."""

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; ``KeyError`` if the catalog has none."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def element(self, key: str) -> Element:
        """The element with this key; ``KeyError`` if unknown."""
        for element in self.elements:
            if element.key == key:
                return element
        raise KeyError(key)

    def criteria_of(self, key: str) -> tuple[Criterion, ...]:
        """Criteria of one element, in catalog order."""
        return tuple(c for c in self.criteria if c.element == key)

    def ids(self) -> frozenset[CriterionId]:
        """All criterion ids."""
        return frozenset(c.id for c in self.criteria)


DEFAULT_ATTESTED_SHARE = 0.5
"""Share of the credit an attested (claimed) result earns compared with a verified one."""


@dataclass(frozen=True)
class Profile:
    """A selection of criteria with weights and must-haves, e.g. ``essential``."""

    id: str
    title: str
    description: str
    criteria: tuple[CriterionId, ...]
    """Selected criteria, in catalog order."""
    must_have: frozenset[CriterionId] = frozenset()
    weights: Mapping[CriterionId, int] = field(default_factory=dict)
    """Weight overrides; criteria not listed keep their catalog weight."""
    attested_share: float = DEFAULT_ATTESTED_SHARE
    source: str | None = None
    """Where the profile was loaded from (``builtin:essential`` or a file path)."""

    def weight_of(self, criterion: Criterion) -> int:
        """Weight of a criterion under this profile."""
        return self.weights.get(criterion.id, criterion.weight)

    def selects(self, criterion_id: str) -> bool:
        """Whether the profile includes the criterion."""
        return criterion_id in self.criteria
