"""Catalog, profile and questionnaire services for the shells."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from otvet.catalog import MAPPING_NAMES, builtin_profiles, load_catalog, load_profile
from otvet.formats.questionnaire import dump_yaml_answers, read_questionnaire, write_xlsx, write_yaml
from otvet.model import Catalog, InputError, Profile, QuestionnaireResponse
from otvet.model.serialize import to_jsonable
from otvet.reports.oscal_catalog import catalog_document, mapping_document, profile_document
from otvet.reports.oscal_common import catalog_filename, profile_filename

__all__ = [
    "MAPPING_NAMES",
    "builtin_profiles",
    "catalog_as_yaml",
    "export_oscal",
    "export_questionnaire",
    "import_questionnaire",
    "load_catalog",
    "load_profile",
    "response_as_yaml",
]


def catalog_as_yaml(catalog: Catalog, profile: Profile | None = None) -> str:
    """The catalog (or the criteria of one profile) as one YAML document."""
    data = to_jsonable(catalog)
    if profile is not None:
        data["criteria"] = [c for c in data["criteria"] if c["id"] in profile.criteria]
        data["profile"] = {"id": profile.id, "title": profile.title, "must_have": sorted(profile.must_have)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def export_questionnaire(profile: Profile, target: Path, *, product: dict[str, str] | None = None) -> Path:
    """Write a questionnaire for the profile; ``.xlsx`` or ``.yaml``/``.yml`` by suffix."""
    catalog = load_catalog()
    if target.suffix.lower() in (".yaml", ".yml"):
        target.write_text(write_yaml(catalog, profile), encoding="utf-8")
    else:
        target.write_bytes(write_xlsx(catalog, profile, product=product))
    return target


def import_questionnaire(path: Path) -> QuestionnaireResponse:
    """Read and validate a filled questionnaire (XLSX, YAML or JSON)."""
    return read_questionnaire(path, load_catalog())


def response_as_yaml(response: QuestionnaireResponse) -> str:
    """A response in the YAML questionnaire form."""
    return dump_yaml_answers(response)


MAPPING_FILENAME = "crosswalks.mapping.oscal.json"


def export_moment() -> datetime:
    """The ``last-modified`` time of exports: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise InputError(f"SOURCE_DATE_EPOCH is not a Unix time: {epoch!r}") from None
    return datetime.now(UTC)


def oscal_documents(
    profile: str | None = None, *, moment: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """The OSCAL export set by file name: the catalog, the profile(s) and the crosswalks.

    With ``profile`` only that profile is included, else every built-in profile.
    """
    catalog = load_catalog()
    when = moment or export_moment()
    documents = {catalog_filename(catalog): catalog_document(catalog, when)}
    names = [profile] if profile else list(builtin_profiles())
    for name in names:
        chosen = load_profile(name, catalog)
        documents[profile_filename(chosen.id)] = profile_document(catalog, chosen, when)
    documents[MAPPING_FILENAME] = mapping_document(catalog, when)
    return documents


def export_oscal(
    output: Path | None, profile: str | None = None, *, moment: datetime | None = None
) -> tuple[str | None, list[Path]]:
    """Export OSCAL: to stdout (returns the text), one ``.json`` file, or a directory of the full set.

    Without ``output`` (or with a ``.json`` file) the document is the catalog, or the profile
    when one is named. A directory receives the catalog, the profile(s) and the mapping
    collection, which refer to one another by file name.
    """
    documents = oscal_documents(profile, moment=moment)
    catalog = load_catalog()
    single_name = (
        profile_filename(load_profile(profile, catalog).id) if profile else catalog_filename(catalog)
    )
    if output is None or output.suffix.lower() == ".json":
        text = _dump(documents[single_name])
        if output is None:
            return text, []
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        return None, [output]
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in documents.items():
        target = output / name
        target.write_text(_dump(document), encoding="utf-8")
        written.append(target)
    return None, written


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def slug_of(text: str) -> str:
    """A file-name-safe form of a profile id."""
    return profile_filename(text).removesuffix(".profile.oscal.json")
