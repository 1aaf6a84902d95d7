"""``modbus.writeback``: does the device accept an unauthenticated write? (intrusive)

Reads the holding register the user named, writes the same value back (function 6), and
reads it again: the process sees no change, but the device shows whether it executes writes
from an unauthenticated client (SBD-08.01). Needs ``--intrusive``, the lab allow-list and the
typed confirmation, and a register named by the user (``--write-register``).
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Verdict
from otvet.probe.checks.modbusutil import next_transaction, request
from otvet.probe.interface import MODBUS, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import modbus


class ModbusWriteback(CheckBase):
    """Read, write the same value, read back."""

    id: ClassVar[str] = "modbus.writeback"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Unauthenticated Modbus writes refused (write-back of the same value)"
    category: ClassVar[Category] = Category.INTRUSIVE
    protocols: ClassVar[tuple[str, ...]] = (MODBUS,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = ()
    criteria: ClassVar[tuple[str, ...]] = ("SBD-08.01",)
    sends: ClassVar[str] = (
        "One TCP connection to {port}: function 3 (read holding register {write_register}) at unit {unit}, "
        "function 6 writing the value just read back to register {write_register}, function 3 again; FIN."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=3,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 3 * p.read_timeout_s + 5,
        )

    def requirement(self, target: ProbeTarget, options: ProbeOptions) -> str | None:
        return (
            None
            if target.modbus_write_register is not None
            else "needs a register to write back (--write-register)"
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        unit = ctx.target.modbus_unit_id
        register = ctx.target.modbus_write_register
        assert register is not None  # noqa: S101  # requirement() guarantees it
        try:
            conn = await ctx.connect()
        except (ConnectionRefusedError, TimeoutError):
            return outcome(
                finding(
                    "write",
                    Verdict.INDETERMINATE,
                    f"No Modbus server answered on {where(ctx)}.",
                    self.criteria,
                )
            )
        try:
            before = await request(conn, modbus.read_holding(next_transaction(), unit, register), ctx.timeout)
            if before is None or before.exception is not None:
                detail = "no reply" if before is None else before.exception_text
                return outcome(
                    finding(
                        "write",
                        Verdict.INDETERMINATE,
                        f"Could not read register {register} first ({detail}); nothing written.",
                        self.criteria,
                    )
                )
            value = modbus.registers(before)[0]
            written = await request(
                conn, modbus.write_single(next_transaction(), unit, register, value), ctx.timeout
            )
            after = (
                await request(conn, modbus.read_holding(next_transaction(), unit, register), ctx.timeout)
                if written
                else None
            )
        finally:
            await conn.close()
        if written is None:
            return outcome(
                finding(
                    "write", Verdict.INDETERMINATE, f"No reply to the write on {where(ctx)}.", self.criteria
                ),
                value=value,
            )
        fields = {
            "register": register,
            "value": value,
            "after": modbus.registers(after)[0] if after and after.exception is None else None,
        }
        if written.exception is not None:
            return outcome(
                finding(
                    "write",
                    Verdict.PASS,
                    f"The device on {where(ctx)} refused an unauthenticated write to register {register} ({written.exception_text}).",
                    self.criteria,
                    conclusive=False,
                ),
                **fields,
            )
        changed = fields["after"] is not None and fields["after"] != value
        return outcome(
            finding(
                "write",
                Verdict.FAIL,
                f"The device on {where(ctx)} executed an unauthenticated write to register {register} (value {value} written back"
                + (f"; it now reads {fields['after']}, changed by the process meanwhile" if changed else "")
                + ").",
                self.criteria,
            ),
            **fields,
        )
