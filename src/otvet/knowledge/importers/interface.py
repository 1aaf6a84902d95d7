"""The importer interface and the shared, idempotent record writer.

Every importer streams its input, turns each record into a :class:`VulnRecord` (or a KEV /
EPSS row), and hands it to a writer that works in batches:

- a record whose content hash is already stored is *unchanged* (re-importing the same data
  changes nothing);
- a record whose stored copy differs is *updated*, unless the stored copy is newer by its
  ``modified`` date (then it is kept, and the import says so);
- a malformed record becomes a :class:`~otvet.model.Problem` naming the file and record id,
  and the import continues.

An input (file or directory) whose sha256 was already imported completely is skipped as a
whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from otvet.knowledge import store
from otvet.knowledge.sources import digest_path
from otvet.model import NO_PROGRESS, InputError, Location, Problem, Progress
from otvet.model.vulnerabilities import ImportReport

BATCH = 1000
MAX_KEPT_PROBLEMS = 500


class Importer(Protocol):
    """Imports one kind of data file into the knowledge base."""

    source: ClassVar[str]
    """``osv``, ``nvd``, ``kev``, ``epss``."""
    title: ClassVar[str]

    def run(
        self, engine: Engine, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        """Import ``path``; malformed records are reported, never fatal."""
        ...


def content_hash(raw: Any) -> str:
    """A stable hash of a record's content (canonical JSON)."""
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` or offset, or naive = UTC), else None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text[:19])
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year < 1900:
        return None  # Go's zero time "0001-01-01T00:00:00Z" means "unknown"
    return moment


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: treat them as UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class VulnRecord:
    """A vulnerability record ready to be stored."""

    source: str
    id: str
    content_hash: str
    modified: datetime | None = None
    published: datetime | None = None
    withdrawn: datetime | None = None
    summary: str | None = None
    severity: str | None = None
    cvss_score: float | None = None
    cvss_vector: str | None = None
    aliases: list[str] = field(default_factory=list)
    affected: list[dict[str, Any]] = field(default_factory=list)
    """Rows for ``kb_affected`` without ``vuln_pk``."""
    cpe_matches: list[dict[str, Any]] = field(default_factory=list)
    """Rows for ``kb_cpe_match`` without ``vuln_pk``."""


@dataclass
class Tally:
    """Counts and problems of one import run."""

    records: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    data_date: datetime | None = None

    def problem(self, problem: Problem) -> None:
        """Record a problem (only the first :data:`MAX_KEPT_PROBLEMS` are kept in full)."""
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(problem)

    def saw_date(self, moment: datetime | None) -> None:
        """Track the newest record date (the data set's date)."""
        if moment is not None and (self.data_date is None or moment > self.data_date):
            self.data_date = moment


def find_complete(engine: Engine, source: str, sha256: str) -> int | None:
    """Id of a completely imported data set with this source and sha256."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(store.dataset.c.id, store.dataset.c.complete).where(
                store.dataset.c.source == source, store.dataset.c.sha256 == sha256
            )
        ).first()
    if row is None or not row.complete:
        return None
    return int(row.id)


def begin_dataset(engine: Engine, source: str, name: str, sha256: str, now: datetime) -> int:
    """Create (or reuse an incomplete) data set row and return its id."""
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(store.dataset.c.id).where(
                store.dataset.c.source == source, store.dataset.c.sha256 == sha256
            )
        ).first()
        if row is not None:
            conn.execute(
                sa.update(store.dataset)
                .where(store.dataset.c.id == row.id)
                .values(imported_at=now, name=name)
            )
            return int(row.id)
        result = conn.execute(
            sa.insert(store.dataset).values(
                source=source,
                name=name,
                sha256=sha256,
                records=0,
                added=0,
                updated=0,
                unchanged=0,
                problems=0,
                imported_at=now,
                complete=False,
            )
        )
        key = result.inserted_primary_key
        if key is None:  # pragma: no cover  # every supported dialect returns the key
            raise RuntimeError("the database did not return the new data set id")
        return int(key[0])


def finish_dataset(engine: Engine, dataset_id: int, tally: Tally) -> None:
    """Record the counts and mark the data set complete."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(store.dataset)
            .where(store.dataset.c.id == dataset_id)
            .values(
                records=tally.records,
                added=tally.added,
                updated=tally.updated,
                unchanged=tally.unchanged,
                problems=tally.problem_count,
                data_date=tally.data_date,
                complete=True,
            )
        )


def report(
    source: str, path: Path, sha256: str, tally: Tally, dataset_id: int | None, note: str | None = None
) -> ImportReport:
    """The :class:`ImportReport` of a finished run."""
    return ImportReport(
        source=source,
        path=str(path),
        sha256=sha256,
        records=tally.records,
        added=tally.added,
        updated=tally.updated,
        unchanged=tally.unchanged,
        older=tally.older,
        problems=tuple(tally.problems),
        problem_count=tally.problem_count,
        data_set_id=dataset_id,
        data_date=tally.data_date,
        note=note,
    )


def identify_input(
    engine: Engine,
    source: str,
    path: Path,
    *,
    progress: Progress = NO_PROGRESS,
    single_file: bool = False,
) -> tuple[str, ImportReport | None]:
    """Check an input exists and hash it: ``(sha256, report)``, where ``report`` is set when
    the same input was imported completely before (the importer returns it unchanged)."""
    if not (path.is_file() if single_file else path.exists()):
        raise InputError("no such file" if single_file else "no such file or directory", Location(str(path)))
    progress.start(f"Hashing {path.name}", None)
    sha = digest_path(path)
    progress.finish()
    done = find_complete(engine, source, sha)
    return sha, (already(source, path, sha, done) if done is not None else None)


def already(source: str, path: Path, sha256: str, dataset_id: int) -> ImportReport:
    """The report of an input that was imported before."""
    return ImportReport(
        source=source,
        path=str(path),
        sha256=sha256,
        already_imported=True,
        data_set_id=dataset_id,
        note=f"already imported as data set #{dataset_id}; nothing changed",
    )


def _older(new: datetime | None, stored: datetime | None) -> bool:
    return new is not None and stored is not None and new < stored


class RecordWriter:
    """Writes :class:`VulnRecord` batches idempotently (see the module docstring)."""

    def __init__(self, engine: Engine, source: str, dataset_id: int, tally: Tally) -> None:
        self._engine = engine
        self._source = source
        self._dataset_id = dataset_id
        self._tally = tally
        self._pending: dict[str, VulnRecord] = {}
        self._seen: set[str] = set()

    def add(self, record: VulnRecord) -> bool:
        """Queue a record; False when its id already came earlier in this import (the first
        copy is kept: an input should not hold two versions of one record)."""
        if record.id in self._seen:
            return False
        self._seen.add(record.id)
        self._pending[record.id] = record
        if len(self._pending) >= BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        """Write the queued records in one transaction."""
        if not self._pending:
            return
        records = self._pending
        self._pending = {}
        v = store.vuln
        with self._engine.begin() as conn:
            existing = {
                row.id: row
                for row in conn.execute(
                    sa.select(v.c.pk, v.c.id, v.c.content_hash, v.c.modified).where(
                        v.c.source == self._source, v.c.id.in_(list(records))
                    )
                )
            }
            new: list[VulnRecord] = []
            changed: list[tuple[int, VulnRecord]] = []
            for record in records.values():
                self._tally.saw_date(record.modified or record.published)
                stored = existing.get(record.id)
                if stored is None:
                    new.append(record)
                elif stored.content_hash == record.content_hash:
                    self._tally.unchanged += 1
                elif _older(record.modified, as_utc(stored.modified)):
                    self._tally.older += 1
                else:
                    changed.append((int(stored.pk), record))
            if changed:
                pks = [pk for pk, _ in changed]
                for table in (store.alias, store.affected, store.cpe_match):
                    conn.execute(sa.delete(table).where(table.c.vuln_pk.in_(pks)))
                for pk, record in changed:
                    conn.execute(sa.update(v).where(v.c.pk == pk).values(**self._row(record)))
                self._children(conn, changed)
                self._tally.updated += len(changed)
            if new:
                conn.execute(sa.insert(v), [self._row(record) for record in new])
                pk_of = {
                    row.id: int(row.pk)
                    for row in conn.execute(
                        sa.select(v.c.pk, v.c.id).where(
                            v.c.source == self._source, v.c.id.in_([r.id for r in new])
                        )
                    )
                }
                self._children(conn, [(pk_of[r.id], r) for r in new])
                self._tally.added += len(new)

    def _row(self, record: VulnRecord) -> dict[str, Any]:
        return {
            "source": self._source,
            "id": record.id,
            "dataset_id": self._dataset_id,
            "modified": record.modified,
            "published": record.published,
            "withdrawn": record.withdrawn,
            "summary": record.summary,
            "severity": record.severity,
            "cvss_score": record.cvss_score,
            "cvss_vector": record.cvss_vector,
            "content_hash": record.content_hash,
            "alias_ids": json.dumps([a for a in dict.fromkeys(record.aliases) if a != record.id]),
        }

    @staticmethod
    def _children(conn: Connection, items: Iterable[tuple[int, VulnRecord]]) -> None:
        aliases: list[dict[str, Any]] = []
        affected: list[dict[str, Any]] = []
        cpes: list[dict[str, Any]] = []
        for pk, record in items:
            aliases.extend(
                {"vuln_pk": pk, "alias": a} for a in dict.fromkeys(record.aliases) if a != record.id
            )
            affected.extend({**row, "vuln_pk": pk} for row in record.affected)
            cpes.extend({**row, "vuln_pk": pk} for row in record.cpe_matches)
        if aliases:
            conn.execute(sa.insert(store.alias), aliases)
        if affected:
            conn.execute(sa.insert(store.affected), affected)
        if cpes:
            conn.execute(sa.insert(store.cpe_match), cpes)
