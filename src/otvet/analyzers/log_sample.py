"""Log sample analyzer: what a vendor's log export proves about Logging in the Baseline Product.

The guide (Logging in the Baseline Product) lists the log types buyers should look for
(authentication events, log deletion or modification, device changes, data events, errors)
and the fields every record should carry. A sample can *prove* that the product logs an event
type (it is in the sample) and which fields its records carry (the format and the records show
it); it cannot prove that an event type is never logged. So:

- an event type present in the sample: ``met`` (verified), citing the lines;
- an event type absent: ``not_evidenced`` ("ask for a sample that includes ..."), never
  ``not_met``;
- the format and the record fields: judged from the records (``met`` / ``partially_met`` /
  ``not_met``), because the sample itself shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, not_evidenced, result
from otvet.formats.logs import GUIDE_FIELDS, LogRecord, LogSample, read_log_sample
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

FIELD_THRESHOLD = 0.9
"""A field counts as carried when at least this share of records has it in structured form."""

OPEN_FORMATS = {
    "rfc5424": "syslog RFC 5424",
    "cef": "ArcSight CEF",
    "ocsf": "OCSF JSON",
    "json": "JSON lines",
}
WEAK_FORMATS = {"rfc3164": "BSD syslog (RFC 3164)"}


def _pattern(text: str) -> Callable[[LogRecord], bool]:
    compiled = re.compile(text, re.IGNORECASE)
    return lambda r: bool(compiled.search(f"{r.event} {r.message}"))


@dataclass(frozen=True)
class Category:
    """An event type the guide asks for, and how to recognise it."""

    key: str
    label: str
    matches: Callable[[LogRecord], bool]


_AUTH_OK = _pattern(
    r"auth_ok|login (ok|succeeded|successful)|logged in|accepted (password|publickey)|authentication (succeeded|success)|session opened|logon success"
)
_AUTH_FAIL = _pattern(
    r"auth_fail|login (failed|failure|denied)|failed (password|login)|authentication (failed|failure)|invalid (user|password)|bad password|logon fail"
)
_ERROR_WORDS = _pattern(r"\berror\b|exception|\bfault\b")

CATEGORIES: tuple[Category, ...] = (
    Category(
        "restart",
        "restarts",
        _pattern(
            r"restart|reboot|\bbooting\b|power-on|cold start|warm start|controller started|firmware \S+ starting"
        ),
    ),
    Category("auth_success", "successful authentication", _AUTH_OK),
    Category("auth_failure", "failed authentication", _AUTH_FAIL),
    Category(
        "log_change",
        "deletion or modification of logs",
        _pattern(
            r"log[_ ]?(clear|cleared|delete|deleted|wipe|purge|modif)|logs? (cleared|deleted|erased|truncated|modified)"
        ),
    ),
    Category(
        "device_change",
        "changes to the device (configuration, logic, firmware)",
        _pattern(
            r"cfg_change|config(uration)? (changed|change|modified|updated|saved)|logic[_ ]?(download|change|upload)|logic downloaded|program (download|change)|firmware (update|upgrade|upload|activated|installed)|fw_update|firmware bank \S+ activated"
        ),
    ),
    Category(
        "data_event",
        "data events (create, read, update, delete)",
        _pattern(
            r"data_(read|write|create|delete|update)|\b(tag|register|setpoint|point|variable)s? (write|written|read|created|deleted|updated)|write request|value (written|changed)"
        ),
    ),
    Category(
        "error",
        "errors and exceptions",
        lambda r: (r.severity is not None and r.severity <= 3) or _ERROR_WORDS(r),
    ),
)

# Criterion -> the event types it needs (all of them).
EVENT_CRITERIA: dict[str, tuple[str, ...]] = {
    "SBD-02.01": ("restart", "auth_success", "device_change"),
    "SBD-02.05": ("auth_success", "auth_failure"),
    "SBD-02.06": ("log_change",),
    "SBD-02.07": ("device_change",),
    "SBD-02.08": ("data_event",),
    "SBD-02.09": ("error",),
}
FORMAT_CRITERION = "SBD-02.04"
FIELDS_CRITERION = "SBD-02.10"


def _lines(records: Sequence[LogRecord], limit: int = 6) -> str:
    numbers = [str(r.line) for r in records[:limit]]
    more = f" and {len(records) - limit} more" if len(records) > limit else ""
    return ", ".join(numbers) + more


class LogSampleAnalyzer:
    """Checks log samples for open formats, the guide's event types and record fields."""

    id: ClassVar[str] = "log_sample"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Log samples"
    criteria: ClassVar[tuple[str, ...]] = (*EVENT_CRITERIA, FORMAT_CRITERION, FIELDS_CRITERION)

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        artifacts = bundle.of_kind(ArtifactKind.LOG_SAMPLE)
        if not artifacts:
            return AnalyzerOutput()
        samples: list[tuple[EvidenceArtifact, LogSample]] = []
        problems: list[Problem] = []
        for artifact in artifacts:
            try:
                sample = read_log_sample(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError as exc:
                where = exc.location.where if exc.location else None
                problems.append(Problem(artifact.path, exc.message, where, source=self.id))
                continue
            samples.append((artifact, sample))
            if sample.unparsed:
                first = ", ".join(str(n) for n, _ in sample.unparsed[:10])
                problems.append(
                    Problem(
                        artifact.path,
                        f"{len(sample.unparsed)} line(s) match no supported log format (RFC 5424, RFC 3164, CEF, JSON)",
                        f"lines {first}",
                        Severity.WARNING,
                        self.id,
                    )
                )
        records = [(a, r) for a, s in samples for r in s.records]
        if not records:
            reason = "The log samples in the bundle could not be read or hold no parseable record."
            return AnalyzerOutput(
                results=not_evidenced(list(self.criteria), reason, self.id), problems=tuple(problems)
            )
        results = [*self._events(records), self._format(records), self._fields(records)]
        return AnalyzerOutput(
            results=tuple(results), sections=(self._section(samples, records),), problems=tuple(problems)
        )

    def _refs(self, hits: Sequence[tuple[EvidenceArtifact, LogRecord]]) -> tuple[EvidenceRef, ...]:
        by_file: dict[str, tuple[EvidenceArtifact, list[LogRecord]]] = {}
        for artifact, record in hits:
            by_file.setdefault(artifact.path, (artifact, []))[1].append(record)
        return tuple(EvidenceRef.to(a, location=f"lines {_lines(rs)}") for a, rs in by_file.values())

    def _events(self, records: list[tuple[EvidenceArtifact, LogRecord]]) -> list[CriterionResult]:
        hits = {c.key: [(a, r) for a, r in records if c.matches(r)] for c in CATEGORIES}
        labels = {c.key: c.label for c in CATEGORIES}
        out = []
        for criterion, needed in EVENT_CRITERIA.items():
            seen = [k for k in needed if hits[k]]
            missing = [k for k in needed if not hits[k]]
            if not missing:
                shown = "; ".join(
                    f"{labels[k]}: {len(hits[k])} record(s), lines {_lines([r for _, r in hits[k]])}"
                    for k in needed
                )
                refs = self._refs([h for k in needed for h in hits[k]])
                out.append(
                    result(
                        criterion,
                        Status.MET,
                        Basis.VERIFIED,
                        f"The log sample contains {shown}.",
                        self.id,
                        refs,
                    )
                )
            else:
                found = f" It does show {', '.join(labels[k] for k in seen)}." if seen else ""
                reason = (
                    f"The log sample contains no {' and no '.join(labels[k] for k in missing)}; a sample cannot prove they are "
                    f"never logged, so ask for one that includes them.{found}"
                )
                out.append(
                    result(
                        criterion, Status.NOT_EVIDENCED, Basis.NONE, reason, self.id, self._refs(records[:1])
                    )
                )
        return out

    def _format(self, records: list[tuple[EvidenceArtifact, LogRecord]]) -> CriterionResult:
        counts: dict[str, int] = {}
        for _, r in records:
            counts[r.format] = counts.get(r.format, 0) + 1
        total = len(records)
        open_share = sum(n for f, n in counts.items() if f in OPEN_FORMATS) / total
        shown = ", ".join(
            f"{OPEN_FORMATS.get(f) or WEAK_FORMATS.get(f, f)}: {n}" for f, n in sorted(counts.items())
        )
        refs = self._refs(records[:1])
        if open_share == 1.0:
            return result(
                FORMAT_CRITERION,
                Status.MET,
                Basis.VERIFIED,
                f"All {total} records use an open standard format ({shown}).",
                self.id,
                refs,
            )
        if counts.get("rfc3164"):
            return result(
                FORMAT_CRITERION,
                Status.PARTIALLY_MET,
                Basis.VERIFIED,
                f"Records use {shown}. BSD syslog (RFC 3164) is only an informational description of practice: "
                "timestamps without year or time zone and no structured fields, so SIEMs must guess; RFC 5424 with "
                "structured data, CEF or OCSF would meet the criterion.",
                self.id,
                refs,
            )
        return result(
            FORMAT_CRITERION, Status.PARTIALLY_MET, Basis.VERIFIED, f"Records use {shown}.", self.id, refs
        )

    def _fields(self, records: list[tuple[EvidenceArtifact, LogRecord]]) -> CriterionResult:
        total = len(records)
        carried, partial, free = [], [], []
        for name in GUIDE_FIELDS:
            structured = sum(1 for _, r in records if r.structured(name))
            if structured / total >= FIELD_THRESHOLD:
                carried.append(name)
            else:
                if structured:
                    partial.append(f"{name} ({structured}/{total})")
                if any(r.free_text(name) for _, r in records):
                    free.append(name)
        missing = [n for n in GUIDE_FIELDS if n not in carried]
        label = {n: n.replace("_", " ") for n in GUIDE_FIELDS}
        text = f"Of the guide's record fields, {len(carried)} of {len(GUIDE_FIELDS)} are carried in structured form by at least {FIELD_THRESHOLD:.0%} of the {total} records"
        if carried:
            text += f" ({', '.join(label[n] for n in carried)})"
        text += "."
        if missing:
            text += f" Missing: {', '.join(label[n] for n in missing)}."
        if partial:
            text += f" Only in some records: {', '.join(partial)}."
        if free:
            text += (
                f" Appearing only in free text (not machine-readable): {', '.join(label[n] for n in free)}."
            )
        status = Status.MET if not missing else Status.PARTIALLY_MET if len(carried) >= 3 else Status.NOT_MET
        return result(FIELDS_CRITERION, status, Basis.VERIFIED, text, self.id, self._refs(records[:1]))

    def _section(
        self,
        samples: list[tuple[EvidenceArtifact, LogSample]],
        records: list[tuple[EvidenceArtifact, LogRecord]],
    ) -> Section:
        total = len(records)
        event_rows = []
        for category in CATEGORIES:
            hits = [r for _, r in records if category.matches(r)]
            event_rows.append((category.label, str(len(hits)), _lines(hits) if hits else "–"))
        field_rows = []
        for name in GUIDE_FIELDS:
            structured = sum(1 for _, r in records if r.structured(name))
            free = sum(1 for _, r in records if not r.structured(name) and r.free_text(name))
            field_rows.append(
                (name.replace("_", " "), f"{structured}/{total}", f"{free}/{total}" if free else "–")
            )
        file_rows = [
            (
                a.path,
                str(len(s.records)),
                ", ".join(f"{f} {n}" for f, n in sorted(s.formats.items())) or "–",
                str(len(s.unparsed)),
            )
            for a, s in samples
        ]
        return Section(
            id="log-samples",
            title="Log samples",
            analyzer=self.id,
            summary=(
                "What the vendor's log samples show about Logging in the Baseline Product: formats, the event types the guide "
                "asks for, and the fields every record should carry. Absent event types are not evidenced, not failed."
            ),
            tables=(
                Table("Samples", ("File", "Records", "Formats", "Unparsed lines"), tuple(file_rows)),
                Table(
                    "Event types the guide asks for", ("Event type", "Records", "Lines"), tuple(event_rows)
                ),
                Table(
                    "Record fields the guide asks for",
                    ("Field", "Structured", "Free text only"),
                    tuple(field_rows),
                    note=f"A field counts as carried when at least {FIELD_THRESHOLD:.0%} of records have it in structured form.",
                ),
            ),
        )
