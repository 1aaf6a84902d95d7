"""Hostile documents against the bounded readers: entity bombs, deep nesting, bad bytes."""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import defusedxml.ElementTree as DefusedET
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otvet.model import FormatError, LimitExceeded
from otvet.safeio import Limits, parse_json, parse_xml, parse_yaml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5">&lol3;</bom>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5">&xxe;</bom>"""

YAML_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
"""


@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_xml_with_dtd_or_entities_is_refused(document: bytes) -> None:
    with pytest.raises(FormatError, match="refused for safety"):
        parse_xml(document, "evil.xml")


def _encoded(document: bytes, encoding: str) -> bytes:
    text = document.decode("ascii").replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>'
    )
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "iso-8859-1", "cp1252"])
@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_xml_with_dtd_is_refused_in_every_encoding(document: bytes, encoding: str) -> None:
    # A DOCTYPE the ASCII scan cannot see (UTF-16/32) or another declared encoding takes the
    # defusedxml path; the fast C parser only ever sees UTF-8/ASCII without any DOCTYPE.
    # (expat cannot read some of these encodings at all: refused as not readable then.)
    with pytest.raises(FormatError, match=r"refused for safety|not well-formed|not readable"):
        parse_xml(_encoded(document, encoding), "evil.xml")


def test_undeclared_entity_without_dtd_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="not well-formed XML"):
        parse_xml(b"<bom>&xxe;</bom>", "plain.xml")


def test_doctype_text_in_a_comment_goes_to_the_careful_parser_and_reads() -> None:
    root = parse_xml(b"<bom><!-- no <!DOCTYPE here --><a>&amp;&#65;</a></bom>", "comment.xml")
    assert root.find("a") is not None and root.find("a").text == "&A"  # type: ignore[union-attr]


_NAMES = st.sampled_from(["bom", "component", "name", "version", "hash", "x:y"])
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)


@st.composite
def _xml_documents(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_NAMES).replace("x:y", "y")
    attrs = draw(st.dictionaries(st.sampled_from(["ref", "type", "alg"]), _TEXT, max_size=2))
    children = draw(st.lists(_xml_documents(depth + 1), max_size=3)) if depth < 3 else []
    text = draw(_TEXT)
    quoted = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in attrs.items())
    return f"<{name}{quoted}>{escape(text)}{''.join(children)}</{name}>"


@settings(max_examples=150, deadline=None)
@given(_xml_documents())
def test_fast_and_careful_xml_parsers_build_the_same_tree(document: str) -> None:
    data = document.encode("utf-8")
    fast = parse_xml(data, "doc.xml")
    careful = DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    assert ET.tostring(fast) == ET.tostring(careful)


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(FormatError) as info:
        parse_xml(b"<bom>\n  <components>\n</bom>", "broken.xml")
    assert info.value.location is not None
    assert info.value.location.where is not None and info.value.location.where.startswith("line 3")


def test_yaml_aliases_are_refused() -> None:
    with pytest.raises(FormatError, match="not allowed"):
        parse_yaml(YAML_BOMB, "bomb.yaml")


def test_yaml_python_tags_are_refused() -> None:
    with pytest.raises(FormatError):
        parse_yaml("!!python/object/apply:os.system ['true']", "evil.yaml")


def test_deep_json_is_refused() -> None:
    with pytest.raises(LimitExceeded):
        parse_json("[" * 100_000 + "]" * 100_000, "deep.json")
    with pytest.raises(LimitExceeded, match="deeper than 10"):
        parse_json("[" * 20 + "]" * 20, "deep.json", limits=Limits(max_nesting=10))


def test_json_nan_is_refused() -> None:
    with pytest.raises(FormatError):
        parse_json('{"score": NaN}', "nan.json")


def test_json_error_location() -> None:
    with pytest.raises(FormatError) as info:
        parse_json('{\n  "a": 1,\n  "b": \n}', "bad.json")
    assert info.value.location is not None and info.value.location.where == "line 4 column 1"


def test_size_limit_applies_before_parsing() -> None:
    with pytest.raises(LimitExceeded):
        parse_json(b"[" + b"1," * 600 + b"1]", "big.json", limits=Limits(max_file_bytes=1000))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_readers_never_crash_on_arbitrary_bytes(data: bytes) -> None:
    for reader in (parse_json, parse_xml, parse_yaml):
        with contextlib.suppress(FormatError, LimitExceeded):
            reader(data, "fuzz")
