"""Bounded, safe readers for untrusted text, JSON, YAML and XML.

- Sizes are checked before reading and while reading (a file may grow or lie about its size).
- Text must be UTF-8 (a BOM is accepted); a bad byte is reported with line and column.
- JSON and YAML nesting is bounded; YAML anchors and aliases are refused outright (they
  are how "billion laughs" works in YAML, and no evidence format needs them); only plain
  data types are built (``yaml.SafeLoader``).
- XML goes through defusedxml with DTDs, entities and external references forbidden.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

import defusedxml.ElementTree as DefusedET
import yaml
from defusedxml import DefusedXmlException

from otvet.model import FormatError, LimitExceeded, Location
from otvet.safeio.limits import DEFAULT_LIMITS, Limits

_CHUNK = 1024 * 1024


def read_bytes(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read a whole file, refusing files larger than ``limits.max_file_bytes``."""
    shown = display or str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise FormatError(f"cannot read file: {exc.strerror or exc}", Location(shown)) from exc
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(f"file is larger than the {limits.max_file_bytes} byte limit", Location(shown))
    return data


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, streamed."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def decode_text(data: bytes, display: str) -> str:
    """Decode UTF-8 (optional BOM); report the first bad byte with line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise FormatError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x})",
            Location(display, f"line {line} column {column}"),
        ) from None


def read_text(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read a UTF-8 text file within the size limit."""
    shown = display or str(path)
    return decode_text(read_bytes(path, display=shown, limits=limits), shown)


def _check_depth(value: Any, limit: int, display: str) -> None:
    """Iteratively check container nesting (no recursion on hostile input).

    Only containers are pushed: scalars cannot nest, and skipping them halves the work on
    large documents (a 50,000-component SBOM has about 1.5 million values).
    """
    if value.__class__ is not dict and value.__class__ is not list:
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise LimitExceeded(f"document nesting is deeper than {limit}", Location(display))
        children = item.values() if item.__class__ is dict else item
        deeper = depth + 1
        stack.extend(
            (child, deeper) for child in children if child.__class__ is dict or child.__class__ is list
        )


def parse_json(text: str | bytes, display: str, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse JSON with a nesting limit; errors carry line and column."""
    if isinstance(text, bytes):
        if len(text) > limits.max_file_bytes:
            raise LimitExceeded("document is larger than the size limit", Location(display))
        text = decode_text(text, display)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON: {exc.msg}", Location(display, f"line {exc.lineno} column {exc.colno}")
        ) from None
    except RecursionError:
        raise LimitExceeded(
            f"document nesting is deeper than {limits.max_nesting}", Location(display)
        ) from None
    except ValueError as exc:  # the constants NaN/Infinity
        raise FormatError(f"not valid JSON: {exc}", Location(display)) from None
    _check_depth(value, limits.max_nesting, display)
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def load_json(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Read and parse a JSON file within limits."""
    shown = display or str(path)
    return parse_json(read_bytes(path, display=shown, limits=limits), shown, limits=limits)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (YAML's billion-laughs vector)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML is untyped
        mark = getattr(event, "start_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        if isinstance(event, yaml.AliasEvent):
            raise yaml.YAMLError(f"aliases are not allowed (line {line})")
        if getattr(event, "anchor", None):
            raise yaml.YAMLError(f"anchors are not allowed (line {line})")
        return super().compose_node(parent, index)


def parse_yaml(text: str | bytes, display: str, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse YAML safely: plain types only, no aliases, bounded nesting."""
    if isinstance(text, bytes):
        text = decode_text(text, display)
    if len(text) > limits.max_file_bytes:
        raise LimitExceeded("document is larger than the size limit", Location(display))
    try:
        value = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506  # SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else None
        raise FormatError(f"not valid YAML: {exc.problem or exc}", Location(display, where)) from None
    except yaml.YAMLError as exc:
        raise FormatError(f"not valid YAML: {exc}", Location(display)) from None
    except RecursionError:
        raise LimitExceeded("document nesting is too deep", Location(display)) from None
    _check_depth(value, limits.max_nesting, display)
    return value


def load_yaml(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Read and parse a YAML file within limits."""
    shown = display or str(path)
    return parse_yaml(read_bytes(path, display=shown, limits=limits), shown, limits=limits)


_XML_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_PLAIN_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def _without_dtd(data: bytes) -> bool:
    """Whether the bytes surely hold no document type declaration (so no entity can exist).

    Only for UTF-8/ASCII documents (no UTF-16/32 byte order mark, no other declared
    encoding): there, a DOCTYPE can only be written as the ASCII bytes ``<!DOCTYPE``. Any
    occurrence of the marker (even inside a comment or CDATA) sends the document to the
    defusedxml parser, which decides precisely.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\x00<\x00?"):
        return False
    if b"\x00" in data[:4]:  # UTF-16/32 without a byte order mark
        return False
    declared = _XML_DECLARATION.match(data[:512])
    if declared is not None and declared.group(1).decode("ascii").lower() not in _PLAIN_ENCODINGS:
        return False
    return b"<!DOCTYPE" not in data and b"<!ENTITY" not in data


def parse_xml(data: bytes, display: str, *, limits: Limits = DEFAULT_LIMITS) -> Element:
    """Parse XML with DTDs, entity declarations and external references forbidden.

    defusedxml refuses them; its parser runs a Python callback per element, about two thirds
    of the time of reading a 50,000-component XML SBOM. A UTF-8 document that contains no
    DOCTYPE at all cannot declare an entity or reference an external DTD (XML 1.0 section
    2.8: entities are declared only in the DTD), so it is parsed by the standard library's C
    parser, which then resolves nothing but the predefined entities and character references.
    Everything else goes through defusedxml (ADR 0084).
    """
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded("document is larger than the size limit", Location(display))
    try:
        if _without_dtd(data):
            parser = XMLParser(target=TreeBuilder())  # noqa: S314  # no DOCTYPE: see _without_dtd
            parser.feed(data)
            root = parser.close()
        else:
            root = DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FormatError(
            f"XML refused for safety: {type(exc).__name__} (DTDs and entities are not allowed)",
            Location(display),
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise FormatError(
            f"not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}",
            Location(display, f"line {line} column {column + 1}"),
        ) from None
    except (ValueError, LookupError) as exc:  # expat: an encoding it cannot read
        raise FormatError(f"not readable XML: {exc}", Location(display)) from None
    depth_stack: list[tuple[Element, int]] = [(root, 1)]
    while depth_stack:
        element, depth = depth_stack.pop()
        if depth > limits.max_nesting:
            raise LimitExceeded(f"XML nesting is deeper than {limits.max_nesting}", Location(display))
        depth_stack.extend((child, depth + 1) for child in element)
    return root


def load_xml(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Element:
    """Read and parse an XML file within limits."""
    shown = display or str(path)
    return parse_xml(read_bytes(path, display=shown, limits=limits), shown, limits=limits)


def iter_lines(
    path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` of a UTF-8 text file within limits."""
    text = read_text(path, display=display, limits=limits)
    yield from enumerate(text.splitlines(), start=1)
