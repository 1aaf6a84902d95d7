"""EPSS importer: FIRST's daily CSV of exploit prediction scores (plain or ``.gz``).

Format (https://www.first.org/epss/data_stats)::

    #model_version:v2023.03.01,score_date:2024-01-15T00:00:00+0000
    cve,epss,percentile
    CVE-1999-0001,0.01141,0.83906

The file is a snapshot for one score date: the newest imported snapshot replaces the
previous scores; an older snapshot changes nothing and says so. Rows are read in a stream and
written in batches.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

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
_SCORE_DATE = re.compile(r"score_date:([0-9T:+\-Z.]+)")
BATCH = 20_000


class EpssImporter:
    """Imports an EPSS scores CSV."""

    source: ClassVar[str] = "epss"
    title: ClassVar[str] = "FIRST EPSS scores CSV (plain or .gz)"

    def run(
        self, engine: Engine, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        sha, done = identify_input(engine, self.source, path, progress=progress, single_file=True)
        if done is not None:
            return done
        with open_stream(path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            first = text.readline()
            score_date = _score_date(first)
            newest = _newest(engine)
            if score_date is not None and newest is not None and score_date < newest:
                return report(
                    self.source,
                    path,
                    sha,
                    Tally(data_date=score_date),
                    None,
                    note=f"newer EPSS scores (of {newest:%Y-%m-%d}) are already imported; nothing changed",
                )
            header_line = text.readline() if first.startswith("#") else first
            header = [h.strip().lower() for h in next(csv.reader([header_line]), [])]
            if "cve" not in header or "epss" not in header:
                raise FormatError(
                    "not an EPSS CSV: the header must name the columns cve and epss",
                    Location(str(path), "line 1-2"),
                )
            dataset_id = begin_dataset(engine, self.source, path.name, sha, now)
            tally = Tally(data_date=score_date)
            progress.start(f"Importing EPSS {path.name}", None)
            with engine.begin() as conn:
                before = int(conn.execute(sa.select(sa.func.count()).select_from(store.epss)).scalar() or 0)
                conn.execute(sa.delete(store.epss))
                batch: dict[str, dict[str, Any]] = {}
                line = 2 if first.startswith("#") else 1
                for values in csv.reader(text):
                    line += 1
                    row = _row(header, values, dataset_id)
                    if isinstance(row, str):
                        tally.problem(Problem(str(path), row, f"line {line}", source="import"))
                        continue
                    tally.records += 1
                    batch[row["cve_id"]] = row
                    if len(batch) >= BATCH:
                        conn.execute(sa.insert(store.epss), list(batch.values()))
                        progress.advance(len(batch))
                        batch = {}
                if batch:
                    conn.execute(sa.insert(store.epss), list(batch.values()))
                    progress.advance(len(batch))
            tally.added = tally.records
        progress.finish()
        finish_dataset(engine, dataset_id, tally)
        note = f"replaced {before} scores of the previous snapshot" if before else None
        return report(self.source, path, sha, tally, dataset_id, note=note)


def _score_date(line: str) -> datetime | None:
    match = _SCORE_DATE.search(line)
    if not match:
        return None
    value = match.group(1)
    if re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    return parse_time(value)


def _newest(engine: Engine) -> datetime | None:
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(sa.func.max(store.dataset.c.data_date)).where(
                store.dataset.c.source == "epss", store.dataset.c.complete.is_(True)
            )
        ).scalar()
    return as_utc(value)


def _row(header: list[str], values: list[str], dataset_id: int) -> dict[str, Any] | str:
    if not values or all(not v.strip() for v in values):
        return "empty row"
    if len(values) != len(header):
        return f"expected {len(header)} columns, found {len(values)}"
    fields = dict(zip(header, (v.strip() for v in values), strict=True))
    cve = fields.get("cve", "")
    if not _CVE_ID.match(cve):
        return f"not a CVE id: {cve[:40]!r}"
    try:
        score = float(fields["epss"])
        percentile = float(fields["percentile"]) if fields.get("percentile") else None
    except ValueError:
        return f"{cve}: epss and percentile must be numbers"
    if not 0.0 <= score <= 1.0 or (percentile is not None and not 0.0 <= percentile <= 1.0):
        return f"{cve}: epss and percentile must lie between 0 and 1"
    return {"cve_id": cve, "dataset_id": dataset_id, "score": score, "percentile": percentile}
