"""Resolver: hand-checked cases from thirteen more vendors of the CISA ICS advisories.

Each expectation was written from reading the advisory's product tree (branch path, product
ids, identification helpers), never from the resolver's output. "Strong" means a ``match``
with ``exact`` or ``parsed_range`` confidence; heuristic and undecided verdicts are not
strong, so names that only contain each other ("PC Worx" in "PC Worx Express") are absent.

Notes from the reading, where the tree is unusual:

- ICSA-17-094-05 and ICSA-18-102-02 list several versions in one ``product_version`` branch
  ("28.011 | 28.012 | 28.013", "4.00 | 4.01"); ICSA-22-172-04, ICSA-20-352-01 and
  ICSA-19-346-02 write ``vers:all/*`` into ``product_version``: all versions are affected.
- ICSA-23-082-04 and ICSA-20-063-02 append an executable or article number in parentheses to
  the product name ("IGSS Data Server (IGSSdataServer.exe)").
- ICSA-19-330-01 products are "<= 1.2.3.17", "<= 2.0.0.10 (RES670 2.0.0.4 and prior)" (a
  remark: not strong), "<= 2.1.0.1" and "<= 1p1r26" (an unusual version: not strong).
- ICSA-18-051-01 has "<= 7.2x" (a wildcard: undecided) next to "<= 8.1", "<= 8.0", "<= 7.1",
  "<= 3.4".
- ICSA-20-042-04 (Siemens) distinguishes "SCALANCE M812-1 ADSL-Router (Annex A)" and
  "(Annex B)" only by their model numbers 6GK5812-1AA00-2AA2 and 6GK5812-1BA00-2AA2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.resolver import normalise_vendor, resolve
from otvet.model.csaf import MatchConfidence, MatchVerdict
from otvet.model.evidence import ProductIdentity

pytestmark = pytest.mark.corpus


def _ids(*numbers: str) -> set[str]:
    return {f"CSAFPID-{n}" for n in numbers}


# (advisory, vendor, product, version, model numbers, expected strong product ids)
CASES = [
    # Rockwell Automation
    (
        "2017/icsa-17-094-05.json",
        "Rockwell Automation",
        "ControlLogix 5580 controllers",
        "28.012",
        (),
        _ids("0001"),
    ),
    (
        "2017/icsa-17-094-05.json",
        "Rockwell Automation, Inc.",
        "ControlLogix 5580 controllers",
        "29.011",
        (),
        _ids("0004"),
    ),
    ("2017/icsa-17-094-05.json", "Rockwell Automation", "ControlLogix 5580 controllers", "28.014", (), set()),
    (
        "2017/icsa-17-094-05.json",
        "Rockwell Automation",
        "CompactLogix 5380 controllers",
        "28.011",
        (),
        _ids("0003"),
    ),
    (
        "2018/icsa-18-102-02.json",
        "Rockwell Automation",
        "FactoryTalk Activation Manager",
        "4.01",
        (),
        _ids("0002"),
    ),
    ("2018/icsa-18-102-02.json", "Allen-Bradley", "FactoryTalk Activation Manager", "3.62", (), _ids("0001")),
    ("2018/icsa-18-102-02.json", "Rockwell Automation", "FactoryTalk Activation Manager", "4.02", (), set()),
    # Schneider Electric
    ("2023/icsa-23-082-04.json", "Schneider Electric", "IGSS Data Server", "16.0.0.23040", (), _ids("0001")),
    ("2023/icsa-23-082-04.json", "Schneider Electric", "IGSS Dashboard", "16.0.0.23041", (), set()),
    ("2023/icsa-23-229-03.json", "Schneider Electric SE", "PowerLogic ION9000", "3.2.1", (), _ids("0001")),
    ("2023/icsa-23-229-03.json", "Schneider Electric", "PowerLogic ION9000", "4.0.0", (), set()),
    ("2023/icsa-23-229-03.json", "Schneider Electric", "PowerLogic ION8650", "4.0.0", (), _ids("0004")),
    ("2023/icsa-23-229-03.json", "Schneider Electric", "PowerLogic PM5500", "2.0", (), set()),
    # Honeywell
    ("2023/icsa-23-194-06.json", "Honeywell International Inc.", "Experion PKS", "R511.5", (), _ids("0001")),
    ("2023/icsa-23-194-06.json", "Honeywell", "Experion PKS", "R520.2", (), set()),
    ("2021/icsa-21-278-04.json", "Honeywell", "C200E", "R510.2", (), _ids("0002")),
    # ABB
    ("2019/icsa-19-330-01.json", "ABB", "Relion 670 series", "2.1.0.1", (), _ids("0003")),
    ("2019/icsa-19-330-01.json", "ABB Ltd", "Relion 670 series", "2.1.0.2", (), set()),
    ("2018/icsa-18-051-01.json", "ABB", "netCADOPS Web Application", "8.0", (), _ids("0002", "0003")),
    ("2018/icsa-18-051-01.json", "ABB", "netCADOPS Web Application", "8.2", (), set()),
    # Yokogawa
    ("2019/icsa-19-029-01.json", "Yokogawa Electric Corporation", "CENTUM VP", "R6.06.00", (), _ids("0001")),
    ("2019/icsa-19-029-01.json", "Yokogawa", "CENTUM VP", "R6.07.00", (), set()),
    ("2019/icsa-19-029-01.json", "Yokogawa", "ProSafe-RS", "R3.00.00", (), set()),
    ("2018/icsa-18-233-01.json", "Yokogawa", "ASTPLANNER", "R15.01", (), _ids("0003")),
    # GE
    ("2018/icsa-18-282-01.json", "GE", "iFIX", "5.8", (), _ids("0003")),
    ("2018/icsa-18-282-01.json", "General Electric", "iFIX", "4.5", (), _ids("0001")),
    ("2018/icsa-18-282-01.json", "GE Digital", "iFIX", "6.0", (), set()),
    ("2018/icsa-18-340-01.json", "GE", "Cimplicity", "9.0", (), set()),
    ("2018/icsa-18-340-01.json", "GE", "CIMPLICITY", "9.0 R2", (), _ids("0003")),
    # Johnson Controls
    (
        "2022/icsa-22-111-02.json",
        "Johnson Controls",
        "Metasys System Configuration Tool (SCT)",
        "14.2.1",
        (),
        _ids("0001"),
    ),
    (
        "2022/icsa-22-111-02.json",
        "Johnson Controls Inc.",
        "Metasys System Configuration Tool Pro",
        "14.2.2",
        (),
        set(),
    ),
    ("2018/icsa-18-212-02.json", "Johnson Controls", "Metasys System", "8.0", (), _ids("0002")),
    ("2018/icsa-18-212-02.json", "Johnson Controls", "Metasys System", "8.1", (), set()),
    # Delta Electronics
    ("2022/icsa-22-298-06.json", "Delta Electronics", "DIAEnergie", "1.9.02.000", (), _ids("0002", "0003")),
    ("2022/icsa-22-298-06.json", "Delta Electronics, Inc.", "DIAEnergie", "1.9.03.001", (), set()),
    # Phoenix Contact
    ("2019/icsa-19-302-01.json", "Phoenix Contact", "PC Worx", "1.86", (), _ids("0001")),
    ("2019/icsa-19-302-01.json", "PHOENIX CONTACT GmbH & Co. KG", "PC Worx Express", "1.87", (), set()),
    ("2022/icsa-22-172-04.json", "Phoenix Contact", "MULTIPROG", "5.51", (), _ids("0001")),
    ("2020/icsa-20-063-02.json", "Phoenix Contact", "ILC 2050 BI", "1.2.2", (), _ids("0002")),
    # Emerson
    ("2021/icsa-21-278-02.json", "Emerson", "WirelessHART 1410 Gateway", "4.7.93", (), _ids("0002")),
    ("2021/icsa-21-278-02.json", "Emerson", "WirelessHART 1410D Gateway", "4.7.94", (), set()),
    ("2020/icsa-20-352-01.json", "Emerson", "X-STREAM enhanced XEGK", "1.2", (), _ids("0001")),
    # Omron
    ("2019/icsa-19-346-02.json", "OMRON Corporation", "PLC CJ series", "4.0", (), _ids("0003")),
    ("2019/icsa-19-346-02.json", "Omron", "PLC CP series", "1.0", (), set()),
    # WAGO
    ("2018/icsa-18-198-02.json", "WAGO", "e!DISPLAY 762-3002", "FW 01", (), _ids("0001")),
    (
        "2018/icsa-18-198-02.json",
        "WAGO Kontakttechnik GmbH & Co. KG",
        "e!DISPLAY 762-3002",
        "FW 02",
        (),
        set(),
    ),
    ("2018/icsa-18-198-02.json", "WAGO", "e!DISPLAY 762-3004", "FW 01", (), set()),
    # Fuji Electric
    ("2021/icsa-21-299-01.json", "Fuji Electric", "V-Server Lite", "4.0.11.0", (), _ids("0001")),
    ("2021/icsa-21-299-01.json", "Fuji Electric Co., Ltd.", "V-Server Lite", "4.0.12.0", (), set()),
    ("2021/icsa-21-026-01.json", "Fuji Electric", "V-Server", "4.0.9.0", (), set()),
    # Moxa
    ("2017/icsa-17-320-01.json", "Moxa", "NPort 5110", "2.4", (), _ids("0002")),
    ("2017/icsa-17-320-01.json", "Moxa Inc.", "NPort 5110", "2.5", (), set()),
    ("2017/icsa-17-320-01.json", "Moxa", "NPort 5150", "3.7", (), _ids("0001")),
    # Siemens, by model number (the names differ only in a remark)
    (
        "2020/icsa-20-042-04.json",
        "Siemens",
        "SCALANCE M812-1 ADSL-Router",
        "V4.2",
        ("6GK5812-1BA00-2AA2",),
        _ids("0008"),
    ),
    (
        "2020/icsa-20-042-04.json",
        "Siemens",
        "SCALANCE M812-1 ADSL-Router",
        "V4.3",
        ("6GK5812-1BA00-2AA2",),
        set(),
    ),
    (
        "2020/icsa-20-042-04.json",
        "Siemens",
        "SCALANCE M812-1 ADSL-Router",
        "V4.2",
        ("6GK5812-1CA00-2AA2",),
        set(),
    ),
]


def _load(corpus: Path, name: str) -> object:
    return json.loads((corpus / "csaf" / "cisa-ot" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("advisory", "vendor", "product", "version", "models", "expected"), CASES)
def test_hand_checked_case(
    corpus: Path,
    advisory: str,
    vendor: str,
    product: str,
    version: str,
    models: tuple[str, ...],
    expected: set[str],
) -> None:
    identity = ProductIdentity(vendor=vendor, product=product, version=version, model_numbers=models)
    matches = resolve(resolve_products(_load(corpus, advisory)), identity)
    strong = {
        m.product.product_id
        for m in matches
        if m.verdict is MatchVerdict.MATCH and m.confidence.rank >= MatchConfidence.PARSED_RANGE.rank
    }
    assert strong == expected, [(m.product.product_id, m.verdict, m.confidence, m.reason) for m in matches]


def test_cases_cover_at_least_eight_more_vendors() -> None:
    earlier = {normalise_vendor(v) for v in ("Hitachi Energy", "Advantech", "Siemens", "Mitsubishi Electric")}
    vendors = {normalise_vendor(case[1]) for case in CASES} - earlier
    assert len(vendors) == 14, sorted(vendors)


def test_names_that_only_contain_each_other_stay_heuristic(corpus: Path) -> None:
    # "PC Worx" is contained in "PC Worx Express", "ILC 2050 BI" in "ILC 2050 BI-L": other products
    worx = resolve(
        resolve_products(_load(corpus, "2019/icsa-19-302-01.json")),
        ProductIdentity("Phoenix Contact", "PC Worx", "1.86"),
    )
    assert {m.product.product_id: m.confidence for m in worx}["CSAFPID-0002"] is MatchConfidence.HEURISTIC
    ilc = resolve(
        resolve_products(_load(corpus, "2020/icsa-20-063-02.json")),
        ProductIdentity("Phoenix Contact", "ILC 2050 BI", "1.2.2"),
    )
    assert {m.product.product_id: m.confidence for m in ilc}["CSAFPID-0001"] is MatchConfidence.HEURISTIC


def test_wildcard_range_next_to_readable_ones_is_undecided(corpus: Path) -> None:
    # "<= 7.2x" means up to the last 7.2 release: 7.25 is inside, yet a plain comparison would
    # put 7.25 after "7.2x" and call it outside. The wildcard is never evaluated.
    matches = resolve(
        resolve_products(_load(corpus, "2018/icsa-18-051-01.json")),
        ProductIdentity("ABB", "netCADOPS Web Application", "7.25"),
    )
    verdicts = {m.product.product_id: (m.verdict, m.confidence) for m in matches}
    assert verdicts["CSAFPID-0001"] == (MatchVerdict.UNDECIDED, MatchConfidence.NEEDS_REVIEW)  # "<= 7.2x"
    assert verdicts["CSAFPID-0003"] == (MatchVerdict.MATCH, MatchConfidence.PARSED_RANGE)  # "<= 8.0"
    assert verdicts["CSAFPID-0004"] == (MatchVerdict.NO_MATCH, MatchConfidence.PARSED_RANGE)  # "<= 7.1"
