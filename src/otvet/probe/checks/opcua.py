"""OPC UA helpers of the checks: endpoints, an anonymous session, a bounded browse (asyncua).

asyncua runs on the probe's guarded loop, so its connection is metered like any other.
Only the individual service calls are used (Hello, OpenSecureChannel, GetEndpoints,
CreateSession, ActivateSession, Read, Browse, CloseSession, CloseSecureChannel), never
``Client.connect()``, which would start watchdog and reconnect tasks that send on their own.

References: OPC 10000-4 (services), OPC 10000-6 (mappings), OPC 10000-7 (security policy
profiles: Basic128Rsa15 and Basic256 are deprecated since 1.04).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from asyncua import ua
from asyncua.client.client import Client
from asyncua.ua.attribute_ids import AttributeIds
from asyncua.ua.uaerrors import UaError, UaStatusCodeError

from otvet.probe.net import probe_loop

DEPRECATED_POLICIES = {
    "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15": "Basic128Rsa15",
    "http://opcfoundation.org/UA/SecurityPolicy#Basic256": "Basic256",
}
NONE_POLICY = "http://opcfoundation.org/UA/SecurityPolicy#None"
MAX_NODES = 200
MAX_DEPTH = 3
OBJECTS_FOLDER = 85
HIERARCHICAL = 33
START_TIME = 2257
BUILD_INFO = 2260
CURRENT_WRITE = 0x02


def policy_name(uri: str) -> str:
    """``Basic256Sha256`` from the policy URI."""
    return uri.rsplit("#", 1)[-1] if uri else "?"


def mode_name(mode: Any) -> str:
    """``None``, ``Sign`` or ``SignAndEncrypt``."""
    return {1: "None", 2: "Sign", 3: "SignAndEncrypt"}.get(int(mode), str(mode))


def token_name(kind: Any) -> str:
    """``Anonymous``, ``UserName``, ``Certificate`` or ``IssuedToken``."""
    return {0: "Anonymous", 1: "UserName", 2: "Certificate", 3: "IssuedToken"}.get(int(kind), str(kind))


def client(port: int, timeout: float) -> Client:
    """An asyncua client for the target (address from the guarded loop)."""
    loop = probe_loop()
    host = loop.target or ""
    if ":" in host:
        host = f"[{host}]"
    c = Client(url=f"opc.tcp://{host}:{port}", timeout=timeout)
    c.name = c.description = "otvet probe"
    c.application_uri = "urn:otvet:probe"
    return c


async def endpoints(port: int, timeout: float) -> list[ua.EndpointDescription]:
    """GetEndpoints over a temporary None channel (no session)."""
    c = client(port, timeout)
    await c.connect_socket()
    try:
        await c.send_hello()
        await c.open_secure_channel()
        try:
            return list(await c.get_endpoints())
        finally:
            await c.close_secure_channel()
    finally:
        c.disconnect_socket()


@dataclass
class SessionFacts:
    """What an anonymous session showed."""

    accepted: bool
    detail: str
    build_info: dict[str, str] = field(default_factory=dict)
    start_time: str | None = None
    browsed: int = 0
    writable: list[str] = field(default_factory=list)
    executable: list[str] = field(default_factory=list)


async def anonymous_session(port: int, timeout: float, *, browse: bool) -> SessionFacts:
    """Open an anonymous session on a None endpoint, read BuildInfo and StartTime, browse, close."""
    c = client(port, timeout)
    await c.connect_socket()
    session = False
    try:
        await c.send_hello()
        await c.open_secure_channel()
        try:
            try:
                await c.create_session()
                session = True
                await c.activate_session()
            except (UaError, UaStatusCodeError) as exc:
                return SessionFacts(False, f"refused: {exc}")
            facts = SessionFacts(True, "anonymous session activated")
            values = await c.uaclient.read_attributes(
                [ua.NodeId(ua.Int32(BUILD_INFO)), ua.NodeId(ua.Int32(START_TIME))], AttributeIds.Value
            )
            info = values[0].Value.Value if values and values[0].Value is not None else None
            if info is not None:
                for name in (
                    "ManufacturerName",
                    "ProductName",
                    "ProductUri",
                    "SoftwareVersion",
                    "BuildNumber",
                ):
                    text = getattr(info, name, None)
                    if text:
                        facts.build_info[name] = str(text)[:200]
            started = values[1].Value.Value if len(values) > 1 and values[1].Value is not None else None
            if started is not None:
                facts.start_time = started.isoformat() if hasattr(started, "isoformat") else str(started)
            if browse:
                await _browse(c, facts)
            return facts
        finally:
            if session:
                with contextlib.suppress(UaError, UaStatusCodeError, TimeoutError, ConnectionError):
                    await c.close_session()
            with contextlib.suppress(UaError, TimeoutError, ConnectionError):
                await c.close_secure_channel()
    finally:
        c.disconnect_socket()


async def _browse(c: Client, facts: SessionFacts) -> None:
    """Breadth-first over hierarchical references from Objects, at most MAX_DEPTH levels and
    MAX_NODES nodes; then one Read of UserAccessLevel (variables) and UserExecutable (methods).
    Namespace 0 (the standard server objects) is left out: the device's own nodes are judged."""
    level = [ua.NodeId(ua.Int32(OBJECTS_FOLDER))]
    seen: set[str] = set()
    variables: list[tuple[ua.NodeId, str]] = []
    methods: list[tuple[ua.NodeId, str]] = []
    for _ in range(MAX_DEPTH):
        if not level or len(seen) >= MAX_NODES:
            break
        params = ua.BrowseParameters()
        params.View = ua.ViewDescription()
        params.RequestedMaxReferencesPerNode = 50
        params.NodesToBrowse = []
        for node in level:
            desc = ua.BrowseDescription()
            desc.NodeId = node
            desc.BrowseDirection = ua.BrowseDirection.Forward
            desc.ReferenceTypeId = ua.NodeId(ua.Int32(HIERARCHICAL))
            desc.IncludeSubtypes = True
            desc.NodeClassMask = (
                int(ua.NodeClass.Object) | int(ua.NodeClass.Variable) | int(ua.NodeClass.Method)
            )
            desc.ResultMask = int(ua.BrowseResultMask.All)
            params.NodesToBrowse.append(desc)
        results = await c.uaclient.browse(params)
        following: list[ua.NodeId] = []
        for result in results:
            for ref in result.References or []:
                node = ref.NodeId
                key = node.to_string()
                if key in seen or node.NamespaceIndex == 0 or len(seen) >= MAX_NODES:
                    continue
                seen.add(key)
                name = ref.BrowseName.Name if ref.BrowseName else key
                if ref.NodeClass == ua.NodeClass.Variable:
                    variables.append((node, name))
                elif ref.NodeClass == ua.NodeClass.Method:
                    methods.append((node, name))
                following.append(node)
        level = following
    facts.browsed = len(seen)
    if not variables and not methods:
        return
    read = ua.ReadParameters()
    read.NodesToRead = []
    for node, _ in variables:
        rv = ua.ReadValueId()
        rv.NodeId = node
        rv.AttributeId = AttributeIds.UserAccessLevel
        read.NodesToRead.append(rv)
    for node, _ in methods:
        rv = ua.ReadValueId()
        rv.NodeId = node
        rv.AttributeId = AttributeIds.UserExecutable
        read.NodesToRead.append(rv)
    values = await c.uaclient.read(read)
    for (node, name), value in zip(variables, values[: len(variables)], strict=False):
        level_bits = value.Value.Value if value.Value is not None else None
        if isinstance(level_bits, int) and level_bits & CURRENT_WRITE:
            facts.writable.append(f"{name} ({node.to_string()})")
    for (node, name), value in zip(methods, values[len(variables) :], strict=False):
        if value.Value is not None and value.Value.Value is True:
            facts.executable.append(f"{name} ({node.to_string()})")


async def read_start_time(port: int) -> str | None:
    """The server's StartTime through an anonymous session (for the watch), or None."""
    try:
        facts = await anonymous_session(port, 5.0, browse=False)
    except (OSError, TimeoutError, UaError):
        return None
    return facts.start_time if facts.accepted else None
