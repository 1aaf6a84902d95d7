"""Safe reading of untrusted input: limits, bounded parsers, safe archive materialisation.

Every vendor file enters otvet through this package. It imports only the model.
"""

from otvet.safeio.archive import (
    Materialised,
    MaterialisedFile,
    check_member_name,
    materialise_directory,
    materialise_file,
    materialise_zip,
)
from otvet.safeio.limits import DEFAULT_LIMITS, Deadline, Limits
from otvet.safeio.readers import (
    decode_text,
    iter_lines,
    load_json,
    load_xml,
    load_yaml,
    parse_json,
    parse_xml,
    parse_yaml,
    read_bytes,
    read_text,
    sha256_file,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Deadline",
    "Limits",
    "Materialised",
    "MaterialisedFile",
    "check_member_name",
    "decode_text",
    "iter_lines",
    "load_json",
    "load_xml",
    "load_yaml",
    "materialise_directory",
    "materialise_file",
    "materialise_zip",
    "parse_json",
    "parse_xml",
    "parse_yaml",
    "read_bytes",
    "read_text",
    "sha256_file",
]
