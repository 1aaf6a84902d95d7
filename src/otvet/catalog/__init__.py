"""The Secure by Demand criteria catalog and profiles, shipped as data and validated on load."""

from otvet.catalog.loader import (
    MAPPING_NAMES,
    builtin_profiles,
    load_catalog,
    load_catalog_from,
    load_profile,
    parse_profile,
    validate_catalog,
)

__all__ = [
    "MAPPING_NAMES",
    "builtin_profiles",
    "load_catalog",
    "load_catalog_from",
    "load_profile",
    "parse_profile",
    "validate_catalog",
]
