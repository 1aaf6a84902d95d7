"""The knowledge base service: data set listing, matching with VEX, advisories, imports.

:class:`KnowledgeBase` satisfies :class:`otvet.model.vulnerabilities.VulnerabilityKnowledge`
structurally; the orchestrator opens it (:func:`open_knowledge`) and passes it to the
analyzer, and ``otvet vulns match`` uses it directly through ``otvet.core.knowledge``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from otvet.knowledge import store
from otvet.knowledge.advisories import find_advisories
from otvet.knowledge.importers import IMPORTERS
from otvet.knowledge.importers.interface import as_utc
from otvet.knowledge.matcher import (
    Hit,
    display_id,
    group_hits,
    load_summaries,
    match_cpe,
    match_osv,
    prepare,
    severity_of,
)
from otvet.knowledge.vex import Applied, apply_statements
from otvet.model import (
    NO_PROGRESS,
    Component,
    ConfigurationError,
    DataSetRef,
    Problem,
    ProductIdentity,
    Progress,
    SbomDocument,
    Severity,
)
from otvet.model.advisories import AdvisoryReport
from otvet.model.vex import VexStatement
from otvet.model.vulnerabilities import ImportReport, MatchReport, VulnerabilityMatch

VULNERABILITY_SOURCES = ("osv", "nvd")
_NO_VEX = Applied(None, (), ())


class KnowledgeBase:
    """The offline vulnerability knowledge base on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> KnowledgeBase:
        """Open (creating and migrating if needed) the store at ``url`` (default: OTVET_HOME)."""
        try:
            return cls(store.open_store(url))
        except sa.exc.OperationalError as exc:
            raise ConfigurationError(f"cannot open the knowledge base: {exc.orig}") from exc

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- imports ---------------------------------------------------------------------------

    def import_data(
        self, source: str, path: Path, *, now: datetime, progress: Progress = NO_PROGRESS
    ) -> ImportReport:
        """Import a data file or directory of ``source`` (``osv``, ``nvd``, ``kev``, ``epss``, ``csaf``)."""
        importer = IMPORTERS.get(source)
        if importer is None:
            raise ConfigurationError(f"unknown data source {source!r} (known: {', '.join(IMPORTERS)})")
        return importer().run(self.engine, path, now=now, progress=progress)

    # -- status ----------------------------------------------------------------------------

    def has_data(self) -> bool:
        """Whether OSV or NVD records have been imported."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(store.vuln.c.pk).limit(1)).first() is not None

    def has_advisories(self) -> bool:
        """Whether CSAF advisories have been imported."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(store.advisory.c.pk).limit(1)).first() is not None

    def data_sets(self, now: datetime) -> tuple[DataSetRef, ...]:
        """Every completely imported data set, newest first, with its age at ``now``."""
        d = store.dataset
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(d).where(d.c.complete.is_(True)).order_by(d.c.id.desc())).all()
        refs = []
        for row in rows:
            imported = as_utc(row.imported_at)
            data_date = as_utc(row.data_date)
            basis = data_date or imported
            age = (now - basis).total_seconds() / 86400 if basis else None
            refs.append(
                DataSetRef(
                    source=row.source,
                    name=f"#{row.id} {row.name}",
                    sha256=row.sha256,
                    records=row.records,
                    imported_at=imported,
                    age_days=round(age, 1) if age is not None else None,
                    data_date=data_date,
                )
            )
        return tuple(refs)

    def counts(self) -> dict[str, int]:
        """Rows per table (for ``otvet db status``)."""
        tables = {
            "vulnerabilities": store.vuln,
            "aliases": store.alias,
            "affected packages": store.affected,
            "CPE criteria": store.cpe_match,
            "KEV entries": store.kev,
            "EPSS scores": store.epss,
            "CSAF advisories": store.advisory,
            "advisory products": store.advisory_product,
            "advisory vulnerabilities": store.advisory_vuln,
        }
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)
                for name, table in tables.items()
            }

    # -- matching --------------------------------------------------------------------------

    def match(
        self,
        sbom: SbomDocument,
        statements: Sequence[VexStatement] = (),
        *,
        now: datetime,
        progress: Progress = NO_PROGRESS,
        product: ProductIdentity | None = None,
    ) -> MatchReport:
        """Match the SBOM's subject and components; apply the VEX statements.

        ``product`` (the product under assessment) lets CSAF statements that name it by vendor,
        name and version apply to its components (ADR 0046).
        """
        # The product itself is matched too when the SBOM identifies it (a firmware CPE);
        # an unkeyed subject is the vendor's own product, not an unmatchable component.
        subject = [sbom.subject] if sbom.subject is not None and sbom.subject.keyed else []
        components = subject + list(sbom.components)
        targets, unmatchable, problems = prepare(components, sbom.path)
        progress.start(f"Matching {len(components)} components", None)
        with self.engine.connect() as conn:
            osv_hits = match_osv(conn, targets)
            cpe_hits = match_cpe(conn, targets)
            all_hits: dict[int, list[Hit]] = {}
            for index in set(osv_hits) | set(cpe_hits):
                all_hits[index] = osv_hits.get(index, []) + cpe_hits.get(index, [])
            summaries = load_summaries(conn, (h.record.pk for hits in all_hits.values() for h in hits))
            groups = {index: group_hits(hits) for index, hits in all_hits.items()}
            cves = {i for gs in groups.values() for g in gs for i in g.ids if i.startswith("CVE-")}
            kev = self._kev(conn, cves)
            epss = self._epss(conn, cves)
        used: set[int] = set()
        matches: list[VulnerabilityMatch] = []
        for index in sorted(groups):
            component = targets[index].component
            for group in groups[index]:
                hits = group.hits if len(group.hits) == 1 else sorted(group.hits, key=_evidence_order)
                rating, score, vector = severity_of(hits)
                group_cves = sorted(i for i in group.ids if i.startswith("CVE-"))
                kev_row = next((kev[c] for c in group_cves if c in kev), None)
                epss_row = max((epss[c] for c in group_cves if c in epss), default=None, key=lambda r: r[0])
                applied = (
                    apply_statements(group.ids, component, sbom, statements, product)
                    if statements
                    else _NO_VEX
                )
                used.update(applied.used)
                used.update(applied.reviewed)
                shown = display_id(group.ids)
                published = min((h.record.published for h in hits if h.record.published), default=None)
                matches.append(
                    VulnerabilityMatch(
                        vulnerability=shown,
                        aliases=tuple(sorted(group.ids - {shown})),
                        component_ref=component.ref,
                        component=component.label,
                        component_location=component.location,
                        sbom=sbom.path,
                        evidence=tuple([h.evidence for h in hits]),
                        severity=rating,
                        cvss_score=score,
                        cvss_vector=vector,
                        epss=epss_row[0] if epss_row else None,
                        epss_percentile=epss_row[1] if epss_row else None,
                        kev=kev_row is not None,
                        kev_date_added=kev_row[0] if kev_row else None,
                        kev_ransomware=kev_row[1] if kev_row else None,
                        fixed_versions=hits[0].fixed
                        if len(hits) == 1
                        else tuple(dict.fromkeys(chain.from_iterable([h.fixed for h in hits]))),
                        summary=next(
                            (summaries[h.record.pk] for h in hits if h.record.pk in summaries), None
                        ),
                        published=published,
                        vex=applied.application,
                        vex_conflicts=applied.conflicts,
                        vex_review=applied.review,
                    )
                )
                problems.extend(
                    Problem(
                        sbom.path,
                        f"{shown} in {component.label}: {note}; review it by hand",
                        severity=Severity.WARNING,
                        source="vulnerabilities",
                    )
                    for note in applied.review
                )
                if applied.conflicts:
                    problems.append(
                        Problem(
                            applied.application.source if applied.application else sbom.path,
                            f"VEX statements disagree on {shown} in {component.label}: chose "
                            f"{applied.application.status.value if applied.application else '?'}; also "
                            + "; ".join(applied.conflicts),
                            severity=Severity.WARNING,
                            source="vulnerabilities",
                        )
                    )
        progress.finish()
        matches.sort(
            key=lambda m: (-m.kev, -m.severity.rank, -(m.cvss_score or 0), m.vulnerability, m.component)
        )
        unused = tuple(s for i, s in enumerate(statements) if i not in used)
        return MatchReport(
            sbom=sbom.path,
            components=len(components),
            matches=tuple(matches),
            unmatchable=tuple(unmatchable),
            data_sets=self.data_sets(now),
            problems=tuple(problems),
            unused_statements=unused,
        )

    # -- advisories ------------------------------------------------------------------------

    def known_exploited(self, cves: Iterable[str]) -> frozenset[str]:
        """The given CVE ids listed in the imported CISA KEV catalog."""
        with self.engine.connect() as conn:
            return frozenset(self._kev(conn, {c for c in cves if c}))

    def advisories(
        self,
        product: ProductIdentity,
        components: Sequence[Component] = (),
        *,
        now: datetime,
        progress: Progress = NO_PROGRESS,
    ) -> AdvisoryReport:
        """Stored CSAF advisories that speak about this product version (see
        :mod:`otvet.knowledge.advisories`)."""
        progress.start(f"Looking up advisories for {product.label}", None)
        with self.engine.connect() as conn:
            findings, examined = find_advisories(conn, product, components)
        progress.finish()
        return AdvisoryReport(
            product=product.label,
            findings=tuple(findings),
            advisories_examined=examined,
            data_sets=tuple(d for d in self.data_sets(now) if d.source == "csaf"),
        )

    @staticmethod
    def _kev(conn: sa.Connection, cves: set[str]) -> dict[str, tuple[str | None, str | None]]:
        found: dict[str, tuple[str | None, str | None]] = {}
        items = sorted(cves)
        for start in range(0, len(items), 400):
            chunk = items[start : start + 400]
            for row in conn.execute(
                sa.select(store.kev.c.cve_id, store.kev.c.date_added, store.kev.c.ransomware).where(
                    store.kev.c.cve_id.in_(chunk)
                )
            ):
                found[row.cve_id] = (row.date_added, row.ransomware)
        return found

    @staticmethod
    def _epss(conn: sa.Connection, cves: set[str]) -> dict[str, tuple[float, float | None]]:
        found: dict[str, tuple[float, float | None]] = {}
        items = sorted(cves)
        for start in range(0, len(items), 400):
            chunk = items[start : start + 400]
            for row in conn.execute(
                sa.select(store.epss.c.cve_id, store.epss.c.score, store.epss.c.percentile).where(
                    store.epss.c.cve_id.in_(chunk)
                )
            ):
                found[row.cve_id] = (float(row.score), row.percentile)
        return found


def _evidence_order(hit: Hit) -> tuple[bool, str, str]:
    """OSV evidence first (it names the package), then by basis and record id."""
    return (hit.evidence.source != "osv", str(hit.evidence.basis), hit.record.id)


def open_knowledge(url: str | None = None) -> KnowledgeBase | None:
    """The knowledge base when it exists and holds vulnerability data, else None.

    Never creates a store: an absent default SQLite file means "nothing imported". A store
    holding only CSAF advisories is returned too (the CSAF analyzer uses them; the
    vulnerability analyzer checks :meth:`KnowledgeBase.has_data` itself).
    """
    resolved = store.store_url(url)
    if not store.store_exists(resolved):
        return None
    knowledge = KnowledgeBase.open(resolved)
    if not (knowledge.has_data() or knowledge.has_advisories()):
        knowledge.close()
        return None
    return knowledge


@contextmanager
def knowledge_base(url: str | None = None) -> Iterator[KnowledgeBase]:
    """A knowledge base (created if needed) closed at the end of the block."""
    knowledge = KnowledgeBase.open(url)
    try:
        yield knowledge
    finally:
        knowledge.close()
