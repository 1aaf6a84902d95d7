"""An OPC UA server (asyncua) in two variants.

- ``bad``: security mode None plus the deprecated policies Basic128Rsa15 and Basic256, and
  anonymous logins with full rights: the variable ``Setpoint`` is writable and the method
  ``ResetCounters`` callable without a credential;
- ``good``: only Basic256Sha256 with SignAndEncrypt, user-name logins only (no anonymous).

Every session activation (``auth``, anonymous included) and every write (``write``) is logged.
"""

from __future__ import annotations

from typing import Any

from asyncua import Server, ua
from asyncua.common.callback import CallbackType
from asyncua.crypto.permission_rules import User, UserRole

from tests.probe.range import certs
from tests.probe.range.device import Device

URI = "urn:otvet:range:opcua"


class _Users:
    def __init__(self, device: OpcuaDevice) -> None:
        self.device = device

    def get_user(
        self, iserver: Any, username: str | None = None, password: str | None = None, certificate: Any = None
    ) -> User | None:
        anonymous = not username and not certificate
        if self.device.variant == "bad":
            ok = anonymous or (username, password) == ("admin", "admin")
        else:
            ok = (username, password) == ("operator", "a-long-unique-passphrase")
        self.device.ledger.log(
            "auth",
            service="opcua",
            user=username or ("(certificate)" if certificate else "(anonymous)"),
            ok=ok,
        )
        return User(role=UserRole.Admin) if ok else None


class OpcuaDevice(Device):
    """An asyncua server behind the accounting proxy."""

    kind = "opcua"

    async def start(self) -> None:
        server = Server(user_manager=_Users(self))  # type: ignore[arg-type]
        await server.init()
        server.set_endpoint(f"opc.tcp://{self.address}:0/range")
        server.set_server_name(f"otvet range OPC UA ({self.variant})")
        await server.set_application_uri(URI)
        issued = certs.leaf(self.workdir, "opcua", self.address, rsa_bits=2048, uri=URI)
        await server.load_certificate(str(issued.cert_path))
        await server.load_private_key(str(issued.key_path))
        if self.variant == "bad":
            server.set_security_policy(
                [
                    ua.SecurityPolicyType.NoSecurity,
                    ua.SecurityPolicyType.Basic128Rsa15_SignAndEncrypt,
                    ua.SecurityPolicyType.Basic256_SignAndEncrypt,
                ]
            )
            server.set_identity_tokens([ua.AnonymousIdentityToken, ua.UserNameIdentityToken])
        else:
            server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
            server.set_identity_tokens([ua.UserNameIdentityToken])
        idx = await server.register_namespace("urn:otvet:range:plant")
        plant = await server.nodes.objects.add_object(idx, "Plant")
        setpoint = await plant.add_variable(idx, "Setpoint", 42.0)
        await setpoint.set_writable()
        await plant.add_variable(idx, "Temperature", 21.5)

        async def reset(parent: Any) -> list[Any]:
            self.ledger.log("write", service="opcua", method="ResetCounters")
            return []

        await plant.add_method(idx, "ResetCounters", reset, [], [])

        def on_write(event: Any, dispatcher: Any) -> None:
            if not event.is_external:
                return  # the server updating its own status nodes
            for item in getattr(event.request_params, "NodesToWrite", []) or []:
                self.ledger.log("write", service="opcua", node=item.NodeId.to_string())

        server.subscribe_server_callback(CallbackType.PreWrite, on_write)
        await server.start()
        self._servers.append(_Stopper(server))
        assert server.bserver is not None
        self.server = server
        await self.expose("opcua", server.bserver.port)


class _Stopper:
    def __init__(self, server: Server) -> None:
        self.server = server

    async def close(self) -> None:
        await self.server.stop()
