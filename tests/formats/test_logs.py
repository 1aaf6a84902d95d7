"""Log sample reader: each supported format, structured fields, and what is not machine-readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otvet.formats.logs import parse_line, read_log_sample
from otvet.model import FormatError


def test_rfc5424_structured_data_with_escapes() -> None:
    line = (
        '<86>1 2026-09-10T07:12:44.091Z plc-07 auth - AUTH_FAIL [ev@32473 src="10.0.0.5" srcPort="51522" '
        'account="op\\"1" corrId="c-1" note="a\\]b"][meta sequenceId="3"] Login failed'
    )
    record = parse_line(7, line)
    assert record is not None and record.format == "rfc5424"
    assert record.severity == 6 and record.event == "AUTH_FAIL" and record.message == "Login failed"
    assert record.fields["account"] == 'op"1' and record.fields["note"] == "a]b"
    assert record.structured("source_port") == "51522" and record.structured("correlation_id") == "c-1"
    assert record.timestamp_complete


def test_rfc5424_without_structured_data() -> None:
    record = parse_line(1, "<13>1 2026-01-01T00:00:00+01:00 host app 42 - - hello world")
    assert record is not None and record.message == "hello world" and record.fields == {}


def test_rfc3164_has_no_year_or_zone_and_fields_only_in_free_text() -> None:
    record = parse_line(
        3, "<38>Aug 24 07:58:02 nw-rtu-500 lighttpd[412]: login ok user=admin from 192.168.10.25"
    )
    assert record is not None and record.format == "rfc3164" and not record.timestamp_complete
    assert record.structured("account") is None and record.free_text("account")
    assert record.structured("source_address") is None and record.free_text("source_address")


def test_cef_extension_values_with_spaces() -> None:
    line = "Sep 10 07:12:44 host CEF:0|Kestrel|KA-9|5.4.0|1001|Login succeeded|3|src=10.0.0.5 spt=51522 suser=eng mueller rt=1757488364000 msg=Login via TLS 1.3"
    record = parse_line(1, line)
    assert record is not None and record.format == "cef"
    assert record.fields["suser"] == "eng mueller" and record.structured("source_port") == "51522"
    assert record.message == "Login via TLS 1.3"


def test_ocsf_json_line() -> None:
    line = (
        '{"class_uid": 3002, "class_name": "Authentication", "time": 1757488364000, "severity_id": 1, '
        '"message": "Logon", "src_endpoint": {"ip": "10.0.0.5", "port": 51522}, "actor": {"user": {"name": "eng"}}, '
        '"metadata": {"correlation_uid": "c-9"}}'
    )
    record = parse_line(1, line)
    assert record is not None and record.format == "ocsf"
    assert [record.structured(f) for f in ("source_address", "source_port", "account", "correlation_id")] == [
        "10.0.0.5",
        "51522",
        "eng",
        "c-9",
    ]


def test_unparsed_lines_are_listed_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_text(
        "<13>1 2026-01-01T00:00:00Z h a - - ok\nthis is not a log line\n\n<13>1 2026-01-01T00:00:01Z h a - - ok\n",
        encoding="utf-8",
    )
    sample = read_log_sample(path)
    assert [r.line for r in sample.records] == [1, 4]
    assert sample.unparsed == ((2, "not RFC 5424, RFC 3164, CEF or JSON"),)


def test_binary_log_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "bin.log"
    path.write_bytes(b"<13>1 ok\n\xff\xfe\x00garbage")
    with pytest.raises(FormatError, match="not valid UTF-8") as info:
        read_log_sample(path)
    assert info.value.location is not None and info.value.location.where == "line 2 column 1"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_line_parses_or_is_rejected_without_crashing(text: str) -> None:
    record = parse_line(1, text)
    assert record is None or record.line == 1
