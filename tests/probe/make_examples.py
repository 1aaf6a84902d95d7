"""Write the example lab probe results by running the real probe against the test range (run
from the repository root):

    .venv/bin/python -m tests.probe.make_examples

- ``examples/lab/nw-rtu-500-probe.json``: the RTU simulator configured like
  the Northwind NW-RTU 500 (Telnet, FTP, TFTP, HTTP Basic admin/admin, SNMP v2c public,
  Modbus without authentication, TLS 1.0/1.1 with a self-signed certificate, weak SSH);
- ``examples/lab/ka9-probe.json``: the PLC simulator configured like the
  Kestrel KA-9 (OPC UA SignAndEncrypt with user logins, modern SSH, TLS 1.2/1.3 with a
  certificate from the owner's CA, Modbus/TCP Security, legacy services off).

Both use the default pacing and the safe and authentication categories, and carry the label
``simulated: true``: they show what the probe records, not facts about the fictional products.
In the examples' story they are the *buyer's* lab results, so they live in ``examples/lab/``,
outside the vendors' bundles, and are passed with ``otvet assess --probe`` (a probe result
inside a vendor's bundle is only the vendor's claim: ADR 0070).
The port numbers are the simulator's; the documented port lists map each service the vendor
documents to the simulator's port for it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from cryptography.utils import CryptographyDeprecationWarning

from otvet.core.probe import write_probe_result
from otvet.model.probe import Category, ProbeOptions
from otvet.probe import credentials, engine
from tests.probe.conftest import ADDRESSES
from tests.probe.range.base import RangeLoop
from tests.probe.range.composite import CompositeDevice

REPO = Path(__file__).resolve().parents[2]
NOTE = (
    "Simulator run: the otvet test range (tests/probe/range) configured like this example "
    "product, not the product itself. Regenerate with: python -m tests.probe.make_examples"
)


def main() -> int:
    snmpd = shutil.which("snmpd") or "/usr/sbin/snmpd"
    loop = RangeLoop()
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    try:
        with tempfile.TemporaryDirectory() as work:
            for variant, out in (
                ("bad", REPO / "examples/lab/nw-rtu-500-probe.json"),
                ("good", REPO / "examples/lab/ka9-probe.json"),
            ):
                device = CompositeDevice(ADDRESSES[("composite", variant)], variant, snmpd=snmpd)
                device.workdir = Path(work) / variant
                loop.call(device.start())
                try:
                    target = device.target(inventory_ports=None, name=f"{device.product} (simulated)")
                    run = engine.run(
                        target,
                        ProbeOptions(categories=frozenset({Category.SAFE, Category.AUTH})),
                        credentials=credentials.load(None),
                        trust_anchor=device.trust_anchor,
                        labels={"simulated": "true", "simulator": "otvet test range", "note": NOTE},
                    )
                finally:
                    loop.call(device.stop())
                write_probe_result(run, out)
                verdicts = {
                    v: sum(1 for c in run.checks if c.verdict.value == v)
                    for v in ("pass", "fail", "warn", "indeterminate", "error")
                }
                print(f"wrote {out.relative_to(REPO)}: {verdicts}, watch {run.watch.verdict.value}")
    finally:
        loop.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
