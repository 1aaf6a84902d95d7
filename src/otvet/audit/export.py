"""Exports of audit records for SIEMs: OCSF JSON lines and RFC 5424 syslog.

OCSF (Open Cybersecurity Schema Framework, schema 1.3.0) carries every field of the guide's
list natively: ``time``, ``metadata.sequence``, ``actor.user``, ``src_endpoint.ip``/``port``,
``metadata.correlation_uid``, ``message``, and the affected account as ``user`` in the
identity classes. Mapping by action prefix (an explicit table):

=================  ===========================  ================================================
action prefix      OCSF class                   affected account
=================  ===========================  ================================================
``auth.``          Authentication (3002)        ``user``
``account.``       Account Change (3001)        ``user``
anything else      API Activity (6003)          ``resources[]`` entry of type ``account``
=================  ===========================  ================================================

Syslog lines follow RFC 5424 with facility 13 ("log audit"), the registered ``meta`` SD-ID
(``sequenceId``) and our own SD-ID ``otvet@<private enterprise number>``. otvet has no IANA
PEN of its own, so the default is 32473, the number RFC 5612 reserves for documentation;
sites set their own with ``enterprise_number``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from otvet import __version__
from otvet.model.audit import AuditRecord, Outcome

OCSF_VERSION = "1.3.0"
DOCUMENTATION_PEN = 32473
"""RFC 5612: the IANA private enterprise number reserved for documentation examples."""
FACILITY_LOG_AUDIT = 13
_SEVERITY_NOTICE = 5
_SEVERITY_WARNING = 4

_CLASSES: tuple[tuple[str, int, str, int], ...] = (
    ("auth.", 3002, "Authentication", 3),
    ("account.", 3001, "Account Change", 3),
    ("", 6003, "API Activity", 6),
)
"""(action prefix, class_uid, class_name, category_uid): the first matching prefix wins."""
_CATEGORY_NAMES = {3: "Identity & Access Management", 6: "Application Activity"}
_API_ACTIVITY = {
    "add": 1,
    "create": 1,
    "intake": 1,
    "read": 2,
    "export": 2,
    "verify": 2,
    "delete": 4,
    "remove": 4,
}
"""API Activity activity_id by the verb of the action (1 Create, 2 Read, 3 Update, 4 Delete; else 3)."""


def _epoch_ms(record: AuditRecord) -> int:
    return int(record.time.timestamp() * 1000)


def to_ocsf(record: AuditRecord, *, log_name: str) -> dict[str, Any]:
    """One record as an OCSF event object."""
    class_uid, class_name, category_uid = next(
        (uid, name, cat) for prefix, uid, name, cat in _CLASSES if record.action.startswith(prefix)
    )
    verb = record.action.rsplit(".", 1)[-1]
    if class_uid == 6003:
        activity_id = _API_ACTIVITY.get(verb, 3)
    elif class_uid == 3002:
        activity_id = {"logon": 1, "login": 1, "logoff": 2, "logout": 2}.get(verb, 99)
    else:
        activity_id = 99
    failed = record.outcome is Outcome.FAILURE
    event: dict[str, Any] = {
        "class_uid": class_uid,
        "class_name": class_name,
        "category_uid": category_uid,
        "category_name": _CATEGORY_NAMES[category_uid],
        "activity_id": activity_id,
        "type_uid": class_uid * 100 + activity_id,
        "time": _epoch_ms(record),
        "severity_id": 3 if failed else 1,
        "status_id": 2 if failed else 1,
        "status": "Failure" if failed else "Success",
        "message": record.description,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "otvet", "vendor_name": "otvet contributors", "version": __version__},
            "log_name": log_name,
            "sequence": record.seq,
            "uid": record.leaf_hash,
            "event_code": record.action,
            "original_time": record.time.isoformat(),
            **({"correlation_uid": record.correlation_id} if record.correlation_id else {}),
        },
        "actor": {"user": {"name": record.actor}},
        "device": {"hostname": record.host},
        "unmapped": {"os_user": record.os_user, "details": dict(record.details)},
    }
    endpoint: dict[str, Any] = {}
    if record.source_address:
        endpoint["ip"] = record.source_address
    if record.source_port is not None:
        endpoint["port"] = record.source_port
    if class_uid == 6003:
        event["api"] = {"operation": record.action, "service": {"name": "otvet"}}
        event["src_endpoint"] = endpoint or {"hostname": record.host}
        if record.account:
            event["resources"] = [{"type": "account", "name": record.account}]
    else:
        event["user"] = {"name": record.account or record.actor}
        if endpoint:
            event["src_endpoint"] = endpoint
    return event


def ocsf_lines(records: Iterable[AuditRecord], *, log_name: str) -> Iterator[str]:
    """OCSF JSON lines, one event per line."""
    for record in records:
        yield json.dumps(to_ocsf(record, log_name=log_name), ensure_ascii=False, sort_keys=True) + "\n"


def _sd_value(value: object) -> str:
    # NOTE: RFC 5424 section 6.3.3: '"', '\' and ']' must be escaped inside PARAM-VALUE.
    text = str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _header_field(value: str, limit: int) -> str:
    # NOTE: RFC 5424 section 6: header fields are PRINTUSASCII without spaces, or "-" (NILVALUE).
    cleaned = "".join(c for c in value if 33 <= ord(c) <= 126)[:limit]
    return cleaned or "-"


def to_syslog(record: AuditRecord, *, log_name: str, enterprise_number: int = DOCUMENTATION_PEN) -> str:
    """One record as an RFC 5424 message (without a trailing newline)."""
    severity = _SEVERITY_WARNING if record.outcome is Outcome.FAILURE else _SEVERITY_NOTICE
    pri = FACILITY_LOG_AUDIT * 8 + severity
    stamp = record.time.isoformat(timespec="microseconds").replace("+00:00", "Z")
    params = [
        ("log", log_name),
        ("seq", record.seq),
        ("action", record.action),
        ("actor", record.actor),
        ("account", record.account),
        ("src", record.source_address),
        ("port", record.source_port),
        ("correlation", record.correlation_id),
        ("outcome", record.outcome.value),
        ("leaf", record.leaf_hash),
    ]
    otvet_sd = " ".join(f'{name}="{_sd_value(value)}"' for name, value in params if value is not None)
    # NOTE: RFC 5424 section 7.3.1: meta sequenceId runs 1..2147483647, so it is seq + 1.
    meta = f'[meta sequenceId="{record.seq % 2147483647 + 1}"]'
    origin = f'[origin software="otvet" swVersion="{_sd_value(__version__)}"]'
    structured = f"[otvet@{enterprise_number} {otvet_sd}]{meta}{origin}"
    header = f"<{pri}>1 {stamp} {_header_field(record.host, 255)} otvet - {_header_field(record.action, 32)}"
    # NOTE: RFC 5424 section 6.4: a UTF-8 MSG starts with the byte order mark.
    return f"{header} {structured} \ufeff{record.description}"


def syslog_lines(
    records: Iterable[AuditRecord], *, log_name: str, enterprise_number: int = DOCUMENTATION_PEN
) -> Iterator[str]:
    """RFC 5424 lines (newline-framed, as in files and RFC 6587 non-transparent framing)."""
    for record in records:
        message = to_syslog(record, log_name=log_name, enterprise_number=enterprise_number)
        yield message.replace("\n", " ") + "\n"
