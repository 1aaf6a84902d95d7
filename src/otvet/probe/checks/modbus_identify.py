"""``modbus.identify``: Read Device Identification (function 43 / MEI 14), basic objects.

SBD-01.07 asks for a device identity (model, hardware and firmware versions) that asset
inventories can read over the network. One request at the unit id the user gave.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks.modbusutil import next_transaction, request
from otvet.probe.interface import MODBUS, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import modbus


class ModbusIdentify(CheckBase):
    """FC 43/14, read device ID code 1 (basic), from object 0."""

    id: ClassVar[str] = "modbus.identify"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Modbus device identification"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (MODBUS,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-01.07",)
    sends: ClassVar[str] = (
        "One TCP connection to {port}: one Modbus request, function 43/14 (read device identification, basic) at unit {unit}; FIN."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=1,
            timeout_s=p.min_gap_s + p.connect_timeout_s + p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except (ConnectionRefusedError, TimeoutError):
            return outcome(
                finding(
                    "identity",
                    Verdict.INDETERMINATE,
                    f"No Modbus server answered on {where(ctx)}.",
                    self.criteria,
                )
            )
        try:
            response = await request(
                conn,
                modbus.read_device_identification(next_transaction(), ctx.target.modbus_unit_id),
                ctx.timeout,
            )
        finally:
            await conn.close()
        if response is None:
            return outcome(
                finding("identity", Verdict.INDETERMINATE, f"No Modbus reply on {where(ctx)}.", self.criteria)
            )
        if response.exception is not None:
            return outcome(
                finding(
                    "identity",
                    Verdict.INDETERMINATE,
                    f"The device on {where(ctx)} does not give its identification over Modbus ({response.exception_text}).",
                    self.criteria,
                    conclusive=False,
                ),
                exception=response.exception_text,
            )
        objects = modbus.device_identification(response)
        shown = ", ".join(f"{k}={v}" for k, v in objects.items())
        return outcome(
            finding(
                "identity",
                Verdict.PASS,
                f"The device on {where(ctx)} identifies itself over Modbus: {shown[:200]}.",
                self.criteria,
                conclusive=False,
            ),
            identification=objects,
        )
