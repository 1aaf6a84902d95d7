"""A Modbus PLC (pymodbus 3.16, the SimDevice API) in two variants.

- ``bad``: Modbus/TCP without any authentication; holding registers 0-99 read and write;
  device identification says Northwind Controls NW-RTU-500 3.2.1;
- ``good``: Modbus/TCP Security (TLS) that requires a client certificate from the owner's CA
  (which the probe does not have), and refuses writes (illegal function) even then.

Every read and write that reaches the register map is logged (``read``, ``write``).
"""

from __future__ import annotations

import ssl
from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.pdu.device import ModbusDeviceIdentification
from pymodbus.server import ModbusTcpServer, ModbusTlsServer
from pymodbus.simulator import DataType, SimData, SimDevice

from tests.probe.range import certs
from tests.probe.range.device import Device

IDENTITY = {"VendorName": "Northwind Controls", "ProductCode": "NW-RTU-500", "MajorMinorRevision": "3.2.1"}


class ModbusDevice(Device):
    """A pymodbus server behind the accounting proxy."""

    kind = "modbus"

    async def start(self) -> None:
        async def action(
            function_code: int,
            start_address: int,
            address: int,
            count: int,
            registers: list[int],
            values: Any,
        ) -> ExcCodes | None:
            if values is None and function_code in (5, 6, 15, 16, 22, 23):
                return None  # pymodbus reads the register map back after a write
            if values is not None:
                self.ledger.log(
                    "write", service="modbus", function=function_code, address=address, values=list(values)
                )
                if self.variant == "good":
                    return ExcCodes.ILLEGAL_FUNCTION
            else:
                self.ledger.log(
                    "read", service="modbus", function=function_code, address=address, count=count
                )
            return None

        device = SimDevice(
            id=1,
            simdata=[SimData(0, count=100, values=1234, datatype=DataType.REGISTERS)],
            action=action,
        )
        identity = ModbusDeviceIdentification(info_name=IDENTITY)
        server: Any
        if self.variant == "bad":
            server = ModbusTcpServer(device, address=(self.address, 0), identity=identity)
            protocol = "modbus"
        else:
            owner_ca = certs.ca(self.workdir / "owner")
            self.vendor_ca = certs.ca(self.workdir / "vendor")
            issued = certs.leaf(self.workdir, "server", self.address, issuer=self.vendor_ca)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(issued.cert_path, issued.key_path)
            context.load_verify_locations(owner_ca.cert_path)
            context.verify_mode = ssl.CERT_REQUIRED
            server = ModbusTlsServer(device, address=(self.address, 0), sslctx=context, identity=identity)
            protocol = "modbus-tls"
        await server.serve_forever(background=True)
        self._servers.append(_Stopper(server))
        await self.expose(protocol, server.transport.sockets[0].getsockname()[1])


class _Stopper:
    def __init__(self, server: Any) -> None:
        self.server = server

    async def close(self) -> None:
        await self.server.shutdown()
