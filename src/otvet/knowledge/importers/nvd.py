"""NVD importer: CVE API 2.0 JSON, as single records, directories, or yearly feeds.

Accepted shapes (recognised by content; plain, ``.gz`` or ``.xz``):

- one CVE record (``{"id": "CVE-...", "configurations": [...]}``, as in the fkie-cad
  mirror), or one wrapped in ``{"cve": {...}}``;
- a CVE API 2.0 response or NVD 2.0 yearly feed (``{"format": "NVD_CVE", "vulnerabilities":
  [{"cve": {...}}, ...]}``);
- an fkie-cad yearly feed (``{"cve_items": [{...}, ...]}``);
- a directory or zip archive of any of these.

Large files are parsed in a stream (ijson): one record in memory at a time.

From each record we keep the CVSS base score (v4.0, v3.1, v3.0, then v2: the NVD's primary
score first), the CPE match criteria of every configuration node, and for AND
configurations the other nodes' criteria as a condition (``requires``): a firmware criterion
that is vulnerable only on listed hardware keeps that hardware list, and the match says so.
Negated nodes and ``vulnerable: false`` criteria are conditions, never matches.
"""

from __future__ import annotations

import gzip
import io
import json
import lzma
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import ijson
from sqlalchemy import Engine

from otvet.knowledge.cpe import CpeError, parse_cpe
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
from otvet.knowledge.sources import IMPORT_LIMITS, check_nesting, iter_members, open_stream
from otvet.model import NO_PROGRESS, FormatError, LimitExceeded, Location, Problem, Progress
from otvet.model.vulnerabilities import ImportReport, SeverityRating

SUFFIXES = (".json", ".json.gz", ".json.xz", ".gz", ".xz")
_CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
_HEAD = 64 * 1024


class NvdError(ValueError):
    """A CVE record does not have the fields the matcher depends on."""


class NvdImporter:
    """Imports NVD CVE API 2.0 records."""

    source: ClassVar[str] = "nvd"
    title: ClassVar[str] = "NVD CVE API 2.0 JSON (record, directory, yearly feed; .gz/.xz)"

    def run(
        self, engine: Engine, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        sha, done = identify_input(engine, self.source, path, progress=progress)
        if done is not None:
            return done
        dataset_id = begin_dataset(engine, self.source, path.name, sha, now)
        tally = Tally()
        writer = RecordWriter(engine, self.source, dataset_id, tally)
        progress.start(f"Importing NVD {path.name}", None)
        for origin, raw in self._records(path, tally):
            progress.advance(1)
            record_id = raw.get("id") if isinstance(raw, dict) else None
            try:
                check_nesting(raw, IMPORT_LIMITS.max_nesting, Location(origin))
                record = parse_cve(raw)
            except (NvdError, LimitExceeded) as exc:
                message = exc.message if isinstance(exc, LimitExceeded) else str(exc)
                tally.problem(
                    Problem(str(path), message, f"{origin} record {record_id or '?'}", source="import")
                )
                continue
            tally.records += 1
            if not writer.add(record):
                tally.problem(
                    Problem(
                        str(path),
                        "duplicate CVE in this import; the first copy was kept",
                        f"{origin} record {record.id}",
                        source="import",
                    )
                )
        writer.flush()
        progress.finish()
        finish_dataset(engine, dataset_id, tally)
        return report(self.source, path, sha, tally, dataset_id)

    def _records(self, path: Path, tally: Tally) -> Iterator[tuple[str, Any]]:
        if path.is_dir() or zipfile.is_zipfile(path):
            problems: list[Problem] = []
            for member in iter_members(path, SUFFIXES, problems):
                while problems:
                    tally.problem(problems.pop(0))
                try:
                    yield from _records_of_bytes(member.name, member.data)
                except (FormatError, LimitExceeded) as exc:
                    tally.problem(Problem(str(path), exc.message, member.name, source="import"))
            while problems:
                tally.problem(problems.pop(0))
            return
        try:
            yield from _records_of_file(path)
        except (FormatError, LimitExceeded) as exc:
            tally.problem(
                Problem(str(path), exc.message, exc.location.where if exc.location else None, source="import")
            )


def _shape(head: bytes) -> str:
    text = head.decode("utf-8", "replace")
    if re.search(r'"cve_items"\s*:\s*\[', text):
        return "cve_items.item"
    if re.search(r'"vulnerabilities"\s*:\s*\[', text) and not re.search(r'^\s*\{\s*"id"\s*:', text):
        return "vulnerabilities.item.cve"
    return ""


def _records_of_file(path: Path) -> Iterator[tuple[str, Any]]:
    with open_stream(path) as stream:
        head = stream.peek(_HEAD)[:_HEAD] if hasattr(stream, "peek") else b""
        prefix = _shape(head)
        if not prefix:
            data = stream.read(IMPORT_LIMITS.max_file_bytes + 1)
            if len(data) > IMPORT_LIMITS.max_file_bytes:
                raise LimitExceeded("a single CVE document larger than the record limit", Location(str(path)))
            yield from _records_of_bytes(path.name, data)
            return
        try:
            for index, item in enumerate(ijson.items(stream, prefix, use_float=True)):
                yield f"{path.name} #{index}", item
        except ijson.JSONError as exc:
            raise FormatError(f"not valid JSON: {exc}", Location(str(path))) from None


def _decompress(name: str, data: bytes) -> bytes:
    """Decompress a ``.gz``/``.xz`` member, reading at most one byte past the record limit."""
    cap = IMPORT_LIMITS.max_file_bytes + 1
    try:
        if data[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as reader:
                return reader.read(cap)
        with lzma.LZMAFile(io.BytesIO(data)) as lzma_reader:
            return lzma_reader.read(cap)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise FormatError(f"cannot decompress: {exc}", Location(name)) from None


def _records_of_bytes(name: str, data: bytes) -> Iterator[tuple[str, Any]]:
    if data[:2] == b"\x1f\x8b" or data[:6] == b"\xfd7zXZ\x00":
        data = _decompress(name, data)
        if len(data) > IMPORT_LIMITS.max_file_bytes:
            raise LimitExceeded("decompresses beyond the record file limit", Location(name))
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"not valid JSON: {exc}", Location(name)) from None
    if isinstance(doc, dict) and isinstance(doc.get("cve_items"), list):
        for index, item in enumerate(doc["cve_items"]):
            yield f"{name} #{index}", item
    elif isinstance(doc, dict) and isinstance(doc.get("vulnerabilities"), list):
        for index, item in enumerate(doc["vulnerabilities"]):
            yield f"{name} #{index}", item.get("cve") if isinstance(item, dict) else item
    elif isinstance(doc, dict) and isinstance(doc.get("cve"), dict):
        yield name, doc["cve"]
    elif isinstance(doc, dict) and "id" in doc:
        yield name, doc
    else:
        raise FormatError("not an NVD CVE API 2.0 record, response or feed", Location(name))


def parse_cve(raw: Any) -> VulnRecord:
    """Validate and convert one CVE API 2.0 record; raises :class:`NvdError`."""
    if not isinstance(raw, dict):
        raise NvdError("a CVE record must be an object")
    cve_id = raw.get("id")
    if not isinstance(cve_id, str) or not _CVE_ID.match(cve_id):
        raise NvdError(f"id must be a CVE id, not {cve_id!r}")
    score, vector, label = _cvss(raw.get("metrics"))
    rows: list[dict[str, Any]] = []
    configurations = raw.get("configurations") or []
    if not isinstance(configurations, list):
        raise NvdError("configurations must be a list")
    for c_index, config in enumerate(configurations):
        rows.extend(_configuration(config, c_index))
    descriptions = raw.get("descriptions") or []
    summary = next(
        (d.get("value") for d in descriptions if isinstance(d, dict) and d.get("lang") == "en"),
        None,
    )
    status = str(raw.get("vulnStatus", ""))
    return VulnRecord(
        source="nvd",
        id=cve_id,
        content_hash=content_hash(raw),
        modified=parse_time(raw.get("lastModified")),
        published=parse_time(raw.get("published")),
        # NOTE: NVD marks withdrawn CVEs "Rejected"; they must never match.
        withdrawn=parse_time(raw.get("lastModified")) if status == "Rejected" else None,
        summary=summary[:500] if isinstance(summary, str) else None,
        severity=label,
        cvss_score=score,
        cvss_vector=vector,
        aliases=[],
        cpe_matches=rows,
    )


def _configuration(config: Any, c_index: int) -> list[dict[str, Any]]:
    where = f"configurations[{c_index}]"
    if not isinstance(config, dict) or not isinstance(config.get("nodes"), list):
        raise NvdError(f"{where}.nodes is missing")
    operator = str(config.get("operator", "OR")).upper()
    nodes = config["nodes"]
    criteria_of: list[list[tuple[dict[str, Any], bool]]] = []
    for n_index, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("cpeMatch"), list):
            raise NvdError(f"{where}.nodes[{n_index}].cpeMatch is missing")
        negate = bool(node.get("negate", False))
        entries = []
        for m_index, match in enumerate(node["cpeMatch"]):
            if not isinstance(match, dict) or not isinstance(match.get("criteria"), str):
                raise NvdError(f"{where}.nodes[{n_index}].cpeMatch[{m_index}].criteria is missing")
            entries.append((match, bool(match.get("vulnerable", False)) and not negate))
        criteria_of.append(entries)
    rows: list[dict[str, Any]] = []
    for n_index, entries in enumerate(criteria_of):
        # In an AND configuration the other nodes are conditions of this node's match.
        others: list[str] = []
        if operator == "AND" and len(criteria_of) > 1:
            for o_index, other in enumerate(criteria_of):
                if o_index != n_index:
                    others.extend(
                        ("NOT " if nodes[o_index].get("negate") else "") + m["criteria"] for m, _ in other
                    )
        for match, vulnerable in entries:
            if not vulnerable:
                continue
            try:
                cpe = parse_cpe(match["criteria"])
            except CpeError as exc:
                raise NvdError(f"{where}: {exc}") from None
            rows.append(
                {
                    "criteria": match["criteria"],
                    "part": cpe.part,
                    "vendor": cpe.vendor[:200],
                    "product": cpe.product[:200],
                    "version": cpe.version,
                    "update": cpe.update,
                    "edition": cpe.edition,
                    "language": cpe.language,
                    "sw_edition": cpe.sw_edition,
                    "target_sw": cpe.target_sw,
                    "target_hw": cpe.target_hw,
                    "other": cpe.other,
                    "version_start_including": _str(match.get("versionStartIncluding")),
                    "version_start_excluding": _str(match.get("versionStartExcluding")),
                    "version_end_including": _str(match.get("versionEndIncluding")),
                    "version_end_excluding": _str(match.get("versionEndExcluding")),
                    "requires": json.dumps(others[:50]) if others else None,
                }
            )
    return rows


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


_METRIC_ORDER = ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2")


def _cvss(metrics: Any) -> tuple[float | None, str | None, str | None]:
    if not isinstance(metrics, dict):
        return None, None, None
    for key in _METRIC_ORDER:
        entries = metrics.get(key)
        if not isinstance(entries, list) or not entries:
            continue
        ordered = sorted(
            entries, key=lambda e: 0 if isinstance(e, dict) and e.get("type") == "Primary" else 1
        )
        for entry in ordered:
            data = entry.get("cvssData") if isinstance(entry, dict) else None
            if not isinstance(data, dict) or not isinstance(data.get("baseScore"), int | float):
                continue
            score = float(data["baseScore"])
            label = data.get("baseSeverity") or entry.get("baseSeverity")
            rating = str(label).lower() if isinstance(label, str) else SeverityRating.from_score(score).value
            return score, data.get("vectorString"), rating
    return None, None, None
