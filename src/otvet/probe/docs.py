"""The operator's reference of every check, generated from the check registry.

``docs/probe.md`` embeds :func:`check_table` between two markers; ``scripts/probe_docs.py``
rewrites it, and a test fails when the page and the registry disagree, so the page an
operator approves a run from is always the code's own description.
"""

from __future__ import annotations

from otvet.model.probe import Category, PortSpec, ProbeOptions, ProbeTarget, Transport
from otvet.probe.engine import send_values
from otvet.probe.heartbeat import ORDER
from otvet.probe.ports import INVENTORY
from otvet.probe.registry import CHECKS

BEGIN = "<!-- BEGIN GENERATED: probe checks (scripts/probe_docs.py) -->"
END = "<!-- END GENERATED: probe checks -->"

_EXAMPLE = ProbeTarget(
    host="192.0.2.10",
    ports=(PortSpec(502, Transport.TCP, "modbus"),),
    modbus_unit_id=1,
    modbus_register=0,
    modbus_write_register=10,
)
_FLAGS = {
    Category.SAFE: "runs by default",
    Category.AUTH: "`--auth`",
    Category.EXTENDED: "`--extended` + lab confirmation",
    Category.INTRUSIVE: "`--intrusive` + lab confirmation",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def check_table(options: ProbeOptions | None = None) -> str:
    """The Markdown table of every registered check with default options."""
    opts = options or ProbeOptions()
    lines = [
        "| Check | Category | Ports | Budget (connections / messages / time limit) | What it sends | Criteria |",
        "|---|---|---|---|---|---|",
    ]
    for cls in CHECKS:
        check = cls()
        ports = ", ".join(check.protocols) or "target"
        if check.default_ports:
            ports += " (default " + ", ".join(p.label for p in check.default_ports) + ")"
        budget = check.budget(_EXAMPLE, opts)
        limit = f"{budget.max_connections} / {budget.max_packets} / {budget.timeout_s:.0f} s"
        if check.budget_note:
            limit += f" ({check.budget_note})"
        if budget.min_gap_s is not None:
            limit += f"; gap {budget.min_gap_s:g} s"
        values = send_values(_EXAMPLE, PortSpec(0, Transport.TCP, "x"), opts)
        values["port"] = "the port"
        sends = check.sends.format(**values)
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"`{check.id}` {check.version}<br>{check.title}",
                    _FLAGS[check.category],
                    ports,
                    limit,
                    sends,
                    ", ".join(check.criteria) or "(informational)",
                )
            )
            + " |"
        )
    lines += [
        "",
        f"Budgets shown for the default pacing (gap {opts.pacing.min_gap_s:g} s, at most "
        f"{opts.pacing.max_packets_per_s:g} messages/s, connect timeout {opts.pacing.connect_timeout_s:g} s, "
        f"read timeout {opts.pacing.read_timeout_s:g} s, {opts.auth.max_tries} credential tries "
        f"{opts.auth.gap_s:g} s apart); they scale with these settings. The example target has one Modbus port.",
        "",
        "Heartbeat protocols, in order of preference: "
        + ", ".join(ORDER)
        + " (then SNMPv3 discovery for UDP-only devices).",
        "",
        "Inventory port list: " + ", ".join(f"{k.port} ({k.service})" for k in INVENTORY) + ".",
    ]
    return "\n".join(lines)


def render(page: str) -> str:
    """``page`` with the generated part between the markers replaced."""
    start = page.index(BEGIN) + len(BEGIN)
    end = page.index(END)
    return page[:start] + "\n" + check_table() + "\n" + page[end:]
