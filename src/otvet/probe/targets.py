"""The target and its port-to-protocol map, from a YAML file or from command-line values.

A target file (read through :mod:`otvet.safeio`, like any input)::

    otvet_probe_target: 1
    host: 192.0.2.10
    name: NW-RTU 500 bench unit
    vendor: Northwind Controls
    product: NW-RTU 500
    version: 3.2.1
    ports:                     # port: protocol; "161/udp" for UDP
      23: telnet
      80: http
      161/udp: snmp
      502: modbus
    documented_ports: [tcp/22, tcp/23, tcp/80, udp/161, tcp/502]
    default_ports: false       # true: also try Telnet/FTP/TFTP/HTTP/SNMP on their well-known ports
    inventory_ports: [21, 22, 23, 80, 443, 502]   # optional; default: the OT/IT list
    modbus: {unit_id: 1, register: 0, write_register: 10}
    heartbeat: modbus          # optional; default: chosen from the ports
    trust_anchor: owner-ca.pem # optional; PEM, relative to this file
    lab:
      allow_list: [192.0.2.10] # needed for extended and intrusive checks
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from otvet.model.errors import InputError, Location
from otvet.model.probe import PortSpec, ProbeTarget, Transport
from otvet.probe.interface import PROTOCOLS
from otvet.safeio import DEFAULT_LIMITS, Limits, load_yaml, read_bytes

_PORT = re.compile(r"^(\d{1,5})(?:/(tcp|udp))?$", re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9.:\-\[\]]{1,253}$")
KNOWN_KEYS = {
    "otvet_probe_target",
    "host",
    "name",
    "vendor",
    "product",
    "version",
    "ports",
    "documented_ports",
    "default_ports",
    "inventory_ports",
    "modbus",
    "heartbeat",
    "trust_anchor",
    "lab",
    "notes",
}


@dataclass(frozen=True)
class TargetFile:
    """A target and the extras its file may carry."""

    target: ProbeTarget
    allow_list: tuple[str, ...] = ()
    trust_anchor: bytes | None = None


def check_host(host: str, where: Location | None = None) -> str:
    """A plausible address or host name (never a URL, a range or a list)."""
    text = host.strip()
    if not text or not _HOST.match(text) or "/" in text:
        raise InputError(f"not an address or host name: {host!r} (one target only; no ranges)", where)
    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        return text


def parse_port(text: str, protocol: str, where: Location | None = None, source: str = "user") -> PortSpec:
    """``502``/``161/udp`` and a protocol name into a :class:`PortSpec`."""
    match = _PORT.match(str(text).strip())
    if not match:
        raise InputError(f"not a port: {text!r} (use 502 or 161/udp)", where)
    number = int(match.group(1))
    if not 1 <= number <= 65535:
        raise InputError(f"port {number} out of range", where)
    name = str(protocol).strip().lower()
    if name not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r} (known: {', '.join(sorted(PROTOCOLS))})", where)
    expected = PROTOCOLS[name]
    given = Transport(match.group(2).lower()) if match.group(2) else expected
    if given is not expected:
        raise InputError(f"{name} runs over {expected.value}, not {given.value}", where)
    return PortSpec(number, given, name, source)


def parse_port_assignment(text: str) -> PortSpec:
    """``502=modbus`` or ``161/udp=snmp`` (command-line form)."""
    port, sep, protocol = text.partition("=")
    if not sep:
        raise InputError(f"--port expects PORT=PROTOCOL, got {text!r}")
    return parse_port(port, protocol)


def parse_port_list(values: Iterable[str], where: Location | None = None) -> tuple[str, ...]:
    """Documented ports as ``tcp/502`` labels (``502`` means TCP)."""
    out = []
    for raw in values:
        for part in str(raw).split(","):
            item = part.strip().lower()
            if not item:
                continue
            if "/" in item and item.split("/", 1)[0] in ("tcp", "udp"):
                kind, _, number = item.partition("/")
            else:
                match = _PORT.match(item)
                if not match:
                    raise InputError(f"not a port: {item!r}", where)
                kind, number = (match.group(2) or "tcp").lower(), match.group(1)
            if not number.isdigit() or not 1 <= int(number) <= 65535:
                raise InputError(f"not a port: {item!r}", where)
            out.append(f"{kind}/{int(number)}")
    return tuple(dict.fromkeys(out))


def _int(value: Any, name: str, where: Location, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name} must be an integer from {low} to {high}", where)
    return value


def _bool(value: Any, name: str, where: Location) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{name} must be true or false", where)
    return value


def _str(value: Any, name: str, where: Location) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(f"{name} must be text", where)
    return str(value)[:200]


def load_target(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> TargetFile:
    """Read and validate a target file."""
    shown = str(path)
    data = load_yaml(path, display=shown, limits=limits)
    if not isinstance(data, dict) or "otvet_probe_target" not in data:
        raise InputError("not an otvet probe target file (no 'otvet_probe_target' key)", Location(shown))
    unknown = sorted(set(map(str, data)) - KNOWN_KEYS)
    if unknown:
        raise InputError(f"unknown keys: {', '.join(unknown)}", Location(shown))
    if "host" not in data:
        raise InputError("missing 'host'", Location(shown))
    host = check_host(str(data["host"]), Location(shown, "host"))
    ports: list[PortSpec] = []
    raw_ports = data.get("ports") or {}
    if not isinstance(raw_ports, Mapping):
        raise InputError("'ports' must map ports to protocols", Location(shown, "ports"))
    for key, protocol in raw_ports.items():
        spec = parse_port(str(key), str(protocol), Location(shown, f"ports.{key}"))
        if any(p.port == spec.port and p.transport is spec.transport for p in ports):
            raise InputError(f"port {spec.label} declared twice", Location(shown, f"ports.{key}"))
        ports.append(spec)
    documented = None
    if data.get("documented_ports") is not None:
        if not isinstance(data["documented_ports"], list):
            raise InputError("'documented_ports' must be a list", Location(shown, "documented_ports"))
        documented = parse_port_list(map(str, data["documented_ports"]), Location(shown, "documented_ports"))
    inventory = None
    if data.get("inventory_ports") is not None:
        raw = data["inventory_ports"]
        if not isinstance(raw, list) or len(raw) > 256:
            raise InputError(
                "'inventory_ports' must be a list of at most 256 ports", Location(shown, "inventory_ports")
            )
        inventory = tuple(
            _int(p, "inventory port", Location(shown, "inventory_ports"), 1, 65535) for p in raw
        )
    modbus = data.get("modbus") or {}
    if not isinstance(modbus, Mapping):
        raise InputError("'modbus' must be a mapping", Location(shown, "modbus"))
    target = ProbeTarget(
        host=host,
        ports=tuple(ports),
        name=_str(data.get("name"), "name", Location(shown, "name")),
        vendor=_str(data.get("vendor"), "vendor", Location(shown, "vendor")),
        product=_str(data.get("product"), "product", Location(shown, "product")),
        version=_str(data.get("version"), "version", Location(shown, "version")),
        documented_ports=documented,
        inventory_ports=inventory,
        default_ports=_bool(
            data.get("default_ports", False), "default_ports", Location(shown, "default_ports")
        ),
        modbus_unit_id=_int(
            modbus.get("unit_id", 1), "modbus.unit_id", Location(shown, "modbus.unit_id"), 0, 255
        ),
        modbus_register=_int(
            modbus.get("register", 0), "modbus.register", Location(shown, "modbus.register"), 0, 65535
        ),
        modbus_write_register=(
            None
            if modbus.get("write_register") is None
            else _int(
                modbus["write_register"],
                "modbus.write_register",
                Location(shown, "modbus.write_register"),
                0,
                65535,
            )
        ),
        heartbeat=_str(data.get("heartbeat"), "heartbeat", Location(shown, "heartbeat")),
        notes=tuple(str(n)[:500] for n in (data.get("notes") or []) if isinstance(n, str))[:20],
    )
    anchor = None
    if data.get("trust_anchor"):
        anchor_path = (path.parent / str(data["trust_anchor"])).resolve()
        anchor = read_trust_anchor(anchor_path)
        target = replace(target, trust_anchor=str(anchor_path))
    lab = data.get("lab") or {}
    allow: tuple[str, ...] = ()
    if isinstance(lab, Mapping) and lab.get("allow_list"):
        raw = lab["allow_list"]
        if not isinstance(raw, list):
            raise InputError("'lab.allow_list' must be a list", Location(shown, "lab.allow_list"))
        allow = tuple(check_host(str(a), Location(shown, "lab.allow_list")) for a in raw)
    return TargetFile(target=target, allow_list=allow, trust_anchor=anchor)


def read_trust_anchor(path: Path) -> bytes:
    """PEM certificates of the owner's CA."""
    data = read_bytes(path, display=str(path), limits=replace(DEFAULT_LIMITS, max_file_bytes=1024 * 1024))
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise InputError("no PEM certificate in the trust anchor file", Location(str(path)))
    return data
