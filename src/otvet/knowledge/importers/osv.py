"""OSV importer: a directory or zip archive of OSV records (JSON or YAML), any ecosystem.

Reads every ``*.json``, ``*.yaml`` and ``*.yml`` member one at a time (OSV dumps such as an
ecosystem's ``all.zip`` hold hundreds of thousands), validates the fields the matcher relies
on (``id``, ``affected[].package``, ``ranges[].type/events``, ``versions``), and stores the
record. YAML is read through :func:`otvet.safeio.parse_yaml` (safe loader, no aliases).

# NOTE: OSV schema 1.6: ``affected[].ranges[].type`` is SEMVER, ECOSYSTEM or GIT. GIT ranges
# name commits, not versions; they are stored but a component version cannot be compared
# with them (the record's explicit ``versions`` list, when present, still matches).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine

from otvet.knowledge.cvss import cvss3_base_score
from otvet.knowledge.importers.interface import (
    RecordWriter,
    Tally,
    VulnRecord,
    begin_dataset,
    content_hash,
    finish_dataset,
    identify_input,
    parse_time,
    report,
)
from otvet.knowledge.purls import key_for_osv
from otvet.knowledge.sources import IMPORT_LIMITS, check_nesting, count_members, iter_members
from otvet.model import NO_PROGRESS, FormatError, LimitExceeded, Location, Problem, Progress
from otvet.model.vulnerabilities import ImportReport, SeverityRating
from otvet.safeio import parse_json, parse_yaml

SUFFIXES = (".json", ".yaml", ".yml")
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


class OsvError(ValueError):
    """A record does not follow the OSV schema where the matcher depends on it."""


class OsvImporter:
    """Imports OSV records."""

    source: ClassVar[str] = "osv"
    title: ClassVar[str] = "OSV records (directory or zip of JSON/YAML)"

    def run(
        self, engine: Engine, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        sha, done = identify_input(engine, self.source, path, progress=progress)
        if done is not None:
            return done
        dataset_id = begin_dataset(engine, self.source, path.name, sha, now)
        tally = Tally()
        writer = RecordWriter(engine, self.source, dataset_id, tally)
        progress.start(f"Importing OSV {path.name}", count_members(path, SUFFIXES))
        file_problems: list[Problem] = []
        for member in iter_members(path, SUFFIXES, file_problems):
            while file_problems:
                tally.problem(file_problems.pop(0))
            progress.advance(1)
            try:
                raw = _load(member.name, member.data)
                check_nesting(raw, IMPORT_LIMITS.max_nesting, Location(member.name))
                records = raw if isinstance(raw, list) else [raw]
            except (FormatError, LimitExceeded) as exc:
                tally.problem(Problem(str(path), exc.message, member.name, source="import"))
                continue
            for index, item in enumerate(records):
                record_id = item.get("id") if isinstance(item, dict) else None
                try:
                    record = parse_record(item)
                except OsvError as exc:
                    where = f"{member.name} record {record_id or f'#{index}'}"
                    tally.problem(Problem(str(path), str(exc), where, source="import"))
                    continue
                tally.records += 1
                if not writer.add(record):
                    tally.problem(
                        Problem(
                            str(path),
                            "duplicate record id in this import; the first copy was kept",
                            f"{member.name} record {record.id}",
                            source="import",
                        )
                    )
        while file_problems:
            tally.problem(file_problems.pop(0))
        writer.flush()
        progress.finish()
        finish_dataset(engine, dataset_id, tally)
        return report(self.source, path, sha, tally, dataset_id)


def _load(name: str, data: bytes) -> Any:
    if name.lower().endswith(".json"):
        return parse_json(data, name, limits=IMPORT_LIMITS)
    return parse_yaml(data, name, limits=IMPORT_LIMITS)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OsvError(f"{what} must be a non-empty string")
    return value.strip()


def parse_record(raw: Any) -> VulnRecord:
    """Validate and convert one OSV record; raises :class:`OsvError` naming the field."""
    if not isinstance(raw, dict):
        raise OsvError("an OSV record must be a JSON/YAML object")
    record_id = _text(raw.get("id"), "id")
    if len(record_id) > 200:
        raise OsvError("id is longer than 200 characters")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise OsvError("aliases must be a list of strings")
    # NOTE: ``upstream`` and ``related`` ids are not aliases (OSV schema 1.6): never merged.
    affected_rows: list[dict[str, Any]] = []
    for index, entry in enumerate(raw.get("affected") or []):
        affected_rows.append(_affected(entry, index))
    score, vector = _severity(raw.get("severity"))
    for entry in raw.get("affected") or []:
        if score is None and isinstance(entry, dict):
            score, vector = _severity(entry.get("severity"))
    label = SeverityRating.from_score(score).value if score is not None else _database_severity(raw)
    summary = raw.get("summary") or raw.get("details")
    return VulnRecord(
        source="osv",
        id=record_id,
        content_hash=content_hash(raw),
        modified=parse_time(raw.get("modified")),
        published=parse_time(raw.get("published")),
        withdrawn=parse_time(raw.get("withdrawn")),
        summary=summary[:500] if isinstance(summary, str) else None,
        severity=label,
        cvss_score=score,
        cvss_vector=vector,
        aliases=[a.strip() for a in aliases if a.strip()][:200],
        affected=affected_rows,
    )


def _affected(entry: Any, index: int) -> dict[str, Any]:
    where = f"affected[{index}]"
    if not isinstance(entry, dict):
        raise OsvError(f"{where} must be an object")
    package = entry.get("package")
    if not isinstance(package, dict):
        raise OsvError(f"{where}.package is missing")
    ecosystem = _text(package.get("ecosystem"), f"{where}.package.ecosystem")
    name = _text(package.get("name"), f"{where}.package.name")
    purl = package.get("purl") if isinstance(package.get("purl"), str) else None
    ranges = entry.get("ranges") or []
    if not isinstance(ranges, list):
        raise OsvError(f"{where}.ranges must be a list")
    clean_ranges: list[dict[str, Any]] = []
    for r_index, item in enumerate(ranges):
        r_where = f"{where}.ranges[{r_index}]"
        if not isinstance(item, dict):
            raise OsvError(f"{r_where} must be an object")
        kind = item.get("type")
        if kind not in ("SEMVER", "ECOSYSTEM", "GIT"):
            raise OsvError(f"{r_where}.type must be SEMVER, ECOSYSTEM or GIT, not {kind!r}")
        events = item.get("events")
        if not isinstance(events, list) or not events:
            raise OsvError(f"{r_where}.events must be a non-empty list")
        clean_events: list[dict[str, str]] = []
        for e_index, event in enumerate(events):
            if not isinstance(event, dict) or len(event) != 1:
                raise OsvError(
                    f"{r_where}.events[{e_index}] must hold exactly one of {', '.join(_EVENT_KINDS)}"
                )
            ((event_kind, value),) = event.items()
            if event_kind not in _EVENT_KINDS or not isinstance(value, str) or not value:
                raise OsvError(
                    f"{r_where}.events[{e_index}] must hold exactly one of {', '.join(_EVENT_KINDS)}"
                )
            clean_events.append({event_kind: value})
        if not any("introduced" in e for e in clean_events):
            raise OsvError(f"{r_where}.events has no 'introduced' event")
        clean_ranges.append({"type": kind, "events": clean_events})
    versions = entry.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise OsvError(f"{where}.versions must be a list of strings")
    if not clean_ranges and not versions:
        raise OsvError(f"{where} has neither ranges nor versions (nothing to match)")
    key = key_for_osv(ecosystem, name, purl)
    return {
        "ecosystem": ecosystem[:100],
        "purl_type": key.purl_type,
        "purl_namespace": key.namespace,
        "purl_name": key.name,
        "pkg_key": key.key[:600],
        "ranges": json.dumps(clean_ranges, separators=(",", ":")),
        "versions": json.dumps(versions, separators=(",", ":")),
    }


def _severity(value: Any) -> tuple[float | None, str | None]:
    best: tuple[float | None, str | None] = (None, None)
    if not isinstance(value, list):
        return best
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("score"), str):
            continue
        vector = item["score"]
        score = cvss3_base_score(vector)
        if score is not None and (best[0] is None or score > best[0]):
            best = (score, vector)
        elif best[1] is None:
            best = (None, vector)
    return best


def _database_severity(raw: dict[str, Any]) -> str | None:
    specific = raw.get("database_specific")
    if isinstance(specific, dict) and isinstance(specific.get("severity"), str):
        label = str(specific["severity"]).strip().lower()
        if label == "moderate":
            label = "medium"
        if label in {s.value for s in SeverityRating}:
            return label
    return None
