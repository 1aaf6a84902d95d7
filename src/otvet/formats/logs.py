"""Log samples: RFC 5424 and RFC 3164 syslog, ArcSight CEF, and JSON lines (OCSF or plain).

Each line becomes a :class:`LogRecord` with the fields the Secure by Demand guide asks every
event record to carry (Logging in the Baseline Product: "a timestamp, source address and port,
affected account details, correlation identifier, and event description"), taken from
*structured* places only: RFC 5424 structured data, CEF extension keys, JSON keys. Values that
appear only in the free-text message are noted separately (``free_text``): a human can read
them, a SIEM parser cannot rely on them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from otvet.safeio import DEFAULT_LIMITS, Deadline, Limits, read_text

GUIDE_FIELDS = ("timestamp", "source_address", "source_port", "account", "correlation_id", "description")
"""The record fields the guide lists, in its order."""

# Field names seen in practice for each guide field (lower-case), per format family.
_ALIASES: dict[str, tuple[str, ...]] = {
    "source_address": (
        "src",
        "srcip",
        "src_ip",
        "source_ip",
        "sourceaddress",
        "srcaddr",
        "src_endpoint.ip",
        "client_ip",
        "ip",
        "remote_addr",
        "shost",
    ),
    "source_port": (
        "spt",
        "srcport",
        "src_port",
        "source_port",
        "sourceport",
        "src_endpoint.port",
        "client_port",
        "remote_port",
    ),
    "account": (
        "account",
        "user",
        "suser",
        "duser",
        "username",
        "usrname",
        "actor.user.name",
        "user.name",
        "uid",
        "principal",
    ),
    "correlation_id": (
        "corrid",
        "correlation_id",
        "correlationid",
        "correlation_uid",
        "metadata.correlation_uid",
        "trace_id",
        "traceid",
        "request_id",
        "externalid",
        "session_id",
        "sessionid",
    ),
}
_TIME_KEYS = ("time", "timestamp", "@timestamp", "rt", "time_dt", "eventtime")

_RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<proc>\S+) (?P<msgid>\S+) (?P<rest>.*)$"
)
_RFC3164 = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) (?P<tag>[^:\[\s]+)(?:\[\d+\])?: ?(?P<msg>.*)$"
)
_SD_ELEMENT = re.compile(r'\[(?P<id>[^\s\]=]+)(?P<params>(?: [^\s=\]]+="(?:[^"\\\]]|\\.)*")*)\]')
_SD_PARAM = re.compile(r'([^\s=\]]+)="((?:[^"\\\]]|\\.)*)"')
_CEF = re.compile(r"CEF:(?P<version>\d+)\|(?P<body>.*)$")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_USER_TEXT = re.compile(r"\b(?:user|account|usr)[=: ]+(\w[\w.@-]*)", re.IGNORECASE)


@dataclass(frozen=True)
class LogRecord:
    """One parsed log line."""

    line: int
    format: str
    """``rfc5424``, ``rfc3164``, ``cef``, ``json``."""
    severity: int | None
    """Syslog severity 0 (emergency) .. 7 (debug), when the format carries one."""
    timestamp: str | None
    timestamp_complete: bool
    """The timestamp carries a year and a time zone (RFC 3164 timestamps carry neither)."""
    event: str
    """Event name or message id (RFC 5424 MSGID, CEF name, JSON class/type)."""
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    """Structured fields, keys lower-cased (RFC 5424 SD params, CEF extension, flattened JSON)."""

    def structured(self, guide_field: str) -> str | None:
        """The value of a guide field from structured data, if present."""
        if guide_field == "timestamp":
            return self.timestamp if self.timestamp_complete else None
        if guide_field == "description":
            return self.message or None
        for alias in _ALIASES[guide_field]:
            value = self.fields.get(alias)
            if value not in (None, "", "-"):
                return value
        return None

    def free_text(self, guide_field: str) -> bool:
        """Whether a guide field appears only in the free-text message."""
        if guide_field == "source_address":
            return bool(_IPV4.search(self.message))
        if guide_field == "account":
            return bool(_USER_TEXT.search(self.message))
        if guide_field == "timestamp":
            return self.timestamp is not None
        return False


@dataclass(frozen=True)
class LogSample:
    """A parsed log sample file."""

    path: str
    records: tuple[LogRecord, ...]
    unparsed: tuple[tuple[int, str], ...]
    """(line number, reason) for lines no known format explains."""

    @property
    def formats(self) -> Counter[str]:
        """How many records each format contributed."""
        return Counter(r.format for r in self.records)


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{str(key).lower()}."))
    elif isinstance(value, list):
        return out
    elif value is not None:
        out[prefix.rstrip(".")] = str(value)
    return out


def _parse_5424(number: int, match: re.Match[str]) -> LogRecord:
    rest = match.group("rest")
    fields: dict[str, str] = {}
    if rest.startswith("-"):
        message = rest[1:].lstrip()
    else:
        position = 0
        while (sd := _SD_ELEMENT.match(rest, position)) is not None:
            for key, value in _SD_PARAM.findall(sd.group("params")):
                fields[key.lower()] = value.replace('\\"', '"').replace("\\]", "]").replace("\\\\", "\\")
            position = sd.end()
        message = rest[position:].lstrip()
    timestamp = match.group("ts")
    complete = timestamp != "-" and bool(re.search(r"(Z|[+-]\d\d:\d\d)$", timestamp))
    msgid = match.group("msgid")
    return LogRecord(
        line=number,
        format="rfc5424",
        severity=int(match.group("pri")) % 8,
        timestamp=None if timestamp == "-" else timestamp,
        timestamp_complete=complete,
        event="" if msgid == "-" else msgid,
        message=message.removeprefix("\ufeff"),
        fields=fields,
    )


def _parse_3164(number: int, match: re.Match[str]) -> LogRecord:
    return LogRecord(
        line=number,
        format="rfc3164",
        severity=int(match.group("pri")) % 8,
        timestamp=match.group("ts"),
        timestamp_complete=False,
        event=match.group("tag"),
        message=match.group("msg"),
    )


def _cef_extension(text: str) -> dict[str, str]:
    # CEF extension: key=value pairs where values may contain spaces; keys are single tokens.
    fields: dict[str, str] = {}
    matches = list(re.finditer(r"(?:^|\s)([A-Za-z0-9_.]+)=", text))
    for index, item in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        fields[item.group(1).lower()] = text[item.end() : end].strip().replace("\\=", "=")
    return fields


def _parse_cef(number: int, match: re.Match[str]) -> LogRecord | None:
    parts = re.split(r"(?<!\\)\|", match.group("body"), maxsplit=6)
    if len(parts) < 7:
        return None
    _vendor, _product, _version, signature, name, severity, extension = parts
    fields = _cef_extension(extension)
    timestamp = fields.get("rt")
    try:
        sev = int(severity)
        # CEF severity 0-10 (10 most severe) mapped onto syslog severity for error detection.
        syslog_severity = 3 if sev >= 7 else 4 if sev >= 4 else 6
    except ValueError:
        syslog_severity = None
    return LogRecord(
        line=number,
        format="cef",
        severity=syslog_severity,
        timestamp=timestamp,
        timestamp_complete=bool(timestamp),
        event=name or signature,
        message=fields.get("msg", name),
        fields=fields,
    )


def _parse_json(number: int, text: str) -> LogRecord | None:
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    fields = _flatten(raw)
    timestamp = next((fields[k] for k in _TIME_KEYS if fields.get(k)), None)
    event = (
        fields.get("class_name")
        or fields.get("type_name")
        or fields.get("event")
        or fields.get("msgid")
        or ""
    )
    message = fields.get("message") or fields.get("msg") or fields.get("description") or ""
    severity = None
    if "severity_id" in fields and fields["severity_id"].isdigit():
        # OCSF severity_id: 1 informational .. 6 fatal.
        severity = max(0, 7 - int(fields["severity_id"]))
    return LogRecord(
        line=number,
        format="ocsf" if "class_uid" in fields else "json",
        severity=severity,
        timestamp=timestamp,
        timestamp_complete=bool(timestamp),
        event=event,
        message=message,
        fields=fields,
    )


def parse_line(number: int, text: str) -> LogRecord | None:
    """Parse one line in any supported format; None when no format explains it."""
    if (m := _RFC5424.match(text)) is not None:
        return _parse_5424(number, m)
    if (m := _RFC3164.match(text)) is not None:
        return _parse_3164(number, m)
    if (m := _CEF.search(text)) is not None:
        return _parse_cef(number, m)
    if text.lstrip().startswith("{"):
        return _parse_json(number, text)
    return None


def read_log_sample(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> LogSample:
    """Parse a log sample; lines that no supported format explains are listed, not dropped."""
    shown = display or str(path)
    text = read_text(path, display=shown, limits=limits)
    deadline = Deadline(limits.max_seconds, f"reading {shown}")
    records: list[LogRecord] = []
    unparsed: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if number % 10_000 == 0:
            deadline.check()
        if not line.strip():
            continue
        if len(records) >= limits.max_items:
            unparsed.append((number, f"more than {limits.max_items} records; the rest were not read"))
            break
        record = parse_line(number, line)
        if record is None:
            unparsed.append((number, "not RFC 5424, RFC 3164, CEF or JSON"))
        else:
            records.append(record)
    return LogSample(path=shown, records=tuple(records), unparsed=tuple(unparsed))
