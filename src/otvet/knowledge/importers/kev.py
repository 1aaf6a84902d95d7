"""CISA Known Exploited Vulnerabilities (KEV) catalog importer.

The KEV catalog is a snapshot: the newest imported catalog replaces the previous entries
(entries CISA removed disappear too). Importing an older catalog than the one stored changes
nothing and says so. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import ijson
import sqlalchemy as sa
from sqlalchemy import Engine

from otvet.knowledge import store
from otvet.knowledge.importers.interface import (
    Tally,
    as_utc,
    begin_dataset,
    finish_dataset,
    identify_input,
    parse_time,
    report,
)
from otvet.knowledge.sources import open_stream
from otvet.model import NO_PROGRESS, FormatError, Location, Problem, Progress
from otvet.model.vulnerabilities import ImportReport

_CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class KevImporter:
    """Imports the CISA KEV catalog (JSON)."""

    source: ClassVar[str] = "kev"
    title: ClassVar[str] = "CISA KEV catalog JSON"

    def run(
        self, engine: Engine, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        sha, done = identify_input(engine, self.source, path, progress=progress, single_file=True)
        if done is not None:
            return done
        released = _released(path)
        newest = _newest(engine, self.source)
        if released is not None and newest is not None and released < newest:
            tally = Tally(data_date=released)
            return report(
                self.source,
                path,
                sha,
                tally,
                None,
                note=f"a newer KEV catalog (released {newest:%Y-%m-%d}) is already imported; nothing changed",
            )
        dataset_id = begin_dataset(engine, self.source, path.name, sha, now)
        tally = Tally(data_date=released)
        rows: list[dict[str, Any]] = []
        progress.start(f"Importing KEV {path.name}", None)
        with open_stream(path) as stream:
            try:
                for index, item in enumerate(ijson.items(stream, "vulnerabilities.item")):
                    progress.advance(1)
                    row = _row(item, dataset_id)
                    if isinstance(row, str):
                        cve = item.get("cveID") if isinstance(item, dict) else None
                        tally.problem(
                            Problem(str(path), row, f"vulnerabilities[{index}] {cve or '?'}", source="import")
                        )
                        continue
                    tally.records += 1
                    rows.append(row)
            except ijson.JSONError as exc:
                raise FormatError(f"not valid JSON: {exc}", Location(str(path))) from None
        unique = {row["cve_id"]: row for row in rows}
        with engine.begin() as conn:
            before = {r.cve_id for r in conn.execute(sa.select(store.kev.c.cve_id))}
            conn.execute(sa.delete(store.kev))
            if unique:
                conn.execute(sa.insert(store.kev), list(unique.values()))
        tally.added = len(unique.keys() - before)
        tally.updated = len(unique.keys() & before)
        progress.finish()
        finish_dataset(engine, dataset_id, tally)
        removed = len(before - unique.keys())
        note = f"{removed} entries of the previous catalog are no longer listed" if removed else None
        return report(self.source, path, sha, tally, dataset_id, note=note)


def _released(path: Path) -> datetime | None:
    with open_stream(path) as stream:
        try:
            for prefix, event, value in ijson.parse(stream):
                if prefix == "dateReleased" and event == "string":
                    return parse_time(value)
                if prefix == "vulnerabilities" and event == "start_array":
                    return None
        except ijson.JSONError as exc:
            raise FormatError(f"not valid JSON: {exc}", Location(str(path))) from None
    return None


def _newest(engine: Engine, source: str) -> datetime | None:
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(sa.func.max(store.dataset.c.data_date)).where(
                store.dataset.c.source == source, store.dataset.c.complete.is_(True)
            )
        ).scalar()
    return as_utc(value)


def _row(item: Any, dataset_id: int) -> dict[str, Any] | str:
    if not isinstance(item, dict):
        return "a KEV entry must be an object"
    cve = item.get("cveID")
    if not isinstance(cve, str) or not _CVE_ID.match(cve.strip()):
        return f"cveID must be a CVE id, not {cve!r}"

    def text(key: str, limit: int = 500) -> str | None:
        value = item.get(key)
        return value.strip()[:limit] if isinstance(value, str) else None

    added = text("dateAdded", 10)
    if added is not None and not _DATE.match(added):
        return f"dateAdded must be YYYY-MM-DD, not {added!r}"
    return {
        "cve_id": cve.strip(),
        "dataset_id": dataset_id,
        "vendor": text("vendorProject"),
        "product": text("product"),
        "name": text("vulnerabilityName"),
        "date_added": added,
        "due_date": text("dueDate", 10),
        "ransomware": text("knownRansomwareCampaignUse", 20),
    }
