"""OCSF and RFC 5424 exports carry every field of the guide's list, parse back, and are recognised."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from otvet.audit import ocsf_lines, syslog_lines
from otvet.formats.sniff import detect
from otvet.model import ArtifactKind
from otvet.model.audit import AuditRecord, Outcome

RECORD = AuditRecord(
    seq=41,
    time=datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC),
    action="update.approve",
    actor="bob",
    description='approved UPD-1 "as tested" [lab]',
    account="plc-admin",
    source_address="192.0.2.7",
    source_port=51514,
    correlation_id="UPD-20261121-ABC123",
    outcome=Outcome.SUCCESS,
    details={"package_sha256": "ab" * 32},
    host="eng-laptop-7",
    os_user="bob",
    leaf_hash="cd" * 32,
)

# RFC 5424 section 6 ABNF, one message per line (PRI VERSION TIMESTAMP HOSTNAME APP PROCID MSGID SD MSG).
SYSLOG = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>[!-~]{1,255}) (?P<app>[!-~]{1,48}) (?P<proc>[!-~]{1,128}) "
    r"(?P<msgid>[!-~]{1,32}) (?P<sd>(?:\[[^\s\]=\"]+(?: [^\s\]=\"]+=\"(?:[^\"\\\]]|\\.)*\")*\])+|-)"
    r"(?: (?P<msg>.*))?$"
)
SD_ELEMENT = re.compile(r"\[(?P<id>[^\s\]]+)(?P<params>(?: [^\s=]+=\"(?:[^\"\\\]]|\\.)*\")*)\]")
SD_PARAM = re.compile(r" (?P<name>[^\s=]+)=\"(?P<value>(?:[^\"\\\]]|\\.)*)\"")


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def test_ocsf_event_carries_every_guide_field() -> None:
    event = json.loads(next(ocsf_lines([RECORD], log_name="otvet/audit/x")))
    assert event["class_uid"] == 6003 and event["type_uid"] == 6003 * 100 + event["activity_id"]
    assert event["time"] == int(RECORD.time.timestamp() * 1000)
    assert event["metadata"]["sequence"] == 41
    assert event["metadata"]["correlation_uid"] == "UPD-20261121-ABC123"
    assert event["metadata"]["uid"] == RECORD.leaf_hash
    assert event["actor"]["user"]["name"] == "bob"
    assert event["src_endpoint"] == {"ip": "192.0.2.7", "port": 51514}
    assert event["resources"] == [{"type": "account", "name": "plc-admin"}]
    assert event["message"] == RECORD.description
    assert event["status_id"] == 1


def test_ocsf_identity_classes_name_the_affected_account_as_user() -> None:
    login = AuditRecord(**{**RECORD.__dict__, "action": "auth.logon", "outcome": Outcome.FAILURE})
    event = json.loads(next(ocsf_lines([login], log_name="x")))
    assert (event["class_uid"], event["activity_id"], event["status_id"]) == (3002, 1, 2)
    assert event["user"] == {"name": "plc-admin"}


def test_syslog_is_rfc5424_with_structured_data_that_round_trips() -> None:
    line = next(syslog_lines([RECORD], log_name="otvet/audit/x", enterprise_number=32473))
    assert line.endswith("\n") and line.count("\n") == 1
    match = SYSLOG.match(line.rstrip("\n"))
    assert match, line
    assert int(match["pri"]) == 13 * 8 + 5  # facility log audit, severity notice
    assert match["ts"] == "2026-11-21T09:30:15.123456Z"
    assert (match["host"], match["app"], match["msgid"]) == ("eng-laptop-7", "otvet", "update.approve")
    elements = {
        m["id"]: {p["name"]: _unescape(p["value"]) for p in SD_PARAM.finditer(m["params"])}
        for m in SD_ELEMENT.finditer(match["sd"])
    }
    ours = elements["otvet@32473"]
    assert ours["seq"] == "41" and ours["actor"] == "bob" and ours["account"] == "plc-admin"
    assert (ours["src"], ours["port"], ours["correlation"]) == ("192.0.2.7", "51514", "UPD-20261121-ABC123")
    assert elements["meta"]["sequenceId"] == "42"
    assert match["msg"] == "\ufeff" + RECORD.description


def test_syslog_escapes_what_rfc5424_requires() -> None:
    tricky = AuditRecord(**{**RECORD.__dict__, "actor": 'a"b]c\\d', "host": "host with spaces"})
    line = next(syslog_lines([tricky], log_name="x")).rstrip("\n")
    match = SYSLOG.match(line)
    assert match, line
    assert match["host"] == "hostwithspaces"
    assert 'actor="a\\"b\\]c\\\\d"' in line


def test_exports_are_recognised_by_the_bundle_intake(tmp_path: Path) -> None:
    records = [AuditRecord(**{**RECORD.__dict__, "seq": i}) for i in range(3)]
    syslog = tmp_path / "audit.log"
    syslog.write_text("".join(syslog_lines(records, log_name="x")), encoding="utf-8")
    ocsf = tmp_path / "audit.jsonl"
    ocsf.write_text("".join(ocsf_lines(records, log_name="x")), encoding="utf-8")
    assert detect(syslog, syslog.name).kind is ArtifactKind.LOG_SAMPLE
    assert detect(syslog, syslog.name).format == "syslog RFC 5424"
    assert detect(ocsf, ocsf.name).kind is ArtifactKind.LOG_SAMPLE
