"""Catalog, profile and questionnaire services for the shells."""

from __future__ import annotations

from pathlib import Path

import yaml

from otvet.catalog import MAPPING_NAMES, builtin_profiles, load_catalog, load_profile
from otvet.formats.questionnaire import dump_yaml_answers, read_questionnaire, write_xlsx, write_yaml
from otvet.model import Catalog, Profile, QuestionnaireResponse
from otvet.model.serialize import to_jsonable

__all__ = [
    "MAPPING_NAMES",
    "builtin_profiles",
    "catalog_as_yaml",
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
