"""``modbus.read``: does the device act on an unauthenticated Modbus/TCP request?

Modbus/TCP carries no authentication; a device that answers it accepts commands from anyone
who can reach the port (SBD-08.01: commands to critical components must be authenticated).
One read of one holding register at the unit id and address the user gave; nothing is
written (the write-back is a separate, intrusive check).
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks.modbusutil import next_transaction, request
from otvet.probe.interface import MODBUS, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import modbus


class ModbusRead(CheckBase):
    """FC 3, one register."""

    id: ClassVar[str] = "modbus.read"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Modbus commands require authentication"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (MODBUS,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-08.01", "SBD-07.06")
    sends: ClassVar[str] = (
        "One TCP connection to {port}: one Modbus request, function 3 (read 1 holding register at address {register}) at unit {unit}; FIN."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=1,
            timeout_s=p.min_gap_s + p.connect_timeout_s + p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        unit, register = ctx.target.modbus_unit_id, ctx.target.modbus_register
        try:
            conn = await ctx.connect()
        except ConnectionRefusedError:
            return outcome(
                finding(
                    "unauthenticated",
                    Verdict.PASS,
                    f"No Modbus/TCP server on {where(ctx)} (connection refused).",
                    ("SBD-08.01",),
                    conclusive=False,
                )
            )
        except TimeoutError:
            return outcome(
                finding(
                    "unauthenticated",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} did not answer the connection attempt.",
                    self.criteria,
                )
            )
        try:
            response = await request(
                conn, modbus.read_holding(next_transaction(), unit, register), ctx.timeout
            )
        finally:
            await conn.close()
        if response is None:
            return outcome(
                finding(
                    "unauthenticated",
                    Verdict.INDETERMINATE,
                    f"No Modbus reply on {where(ctx)}.",
                    self.criteria,
                )
            )
        cleartext = finding(
            "cleartext", Verdict.FAIL, f"Modbus/TCP on {where(ctx)} is unencrypted.", ("SBD-07.06",)
        )
        if response.exception is None:
            values = modbus.registers(response)
            return outcome(
                finding(
                    "unauthenticated",
                    Verdict.FAIL,
                    f"The device on {where(ctx)} answered an unauthenticated Modbus read (unit {unit}, register {register} = {values[0] if values else '?'}): "
                    "Modbus/TCP has no authentication, so it accepts commands from anyone who reaches the port.",
                    ("SBD-08.01",),
                ),
                cleartext,
                value=values[0] if values else None,
            )
        if response.exception == 1:
            return outcome(
                finding(
                    "unauthenticated",
                    Verdict.WARN,
                    f"The device on {where(ctx)} speaks Modbus/TCP but refused function 3 (illegal function).",
                    ("SBD-08.01",),
                ),
                cleartext,
                exception=response.exception_text,
            )
        return outcome(
            finding(
                "unauthenticated",
                Verdict.FAIL,
                f"The device on {where(ctx)} processed an unauthenticated Modbus read (answer: {response.exception_text}).",
                ("SBD-08.01",),
            ),
            cleartext,
            exception=response.exception_text,
        )
