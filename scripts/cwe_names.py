"""Regenerate ``src/otvet/formats/csaf/data/cwe-names.json`` from a MITRE CWE catalog XML.

CSAF 2.0 mandatory test 6.1.11 needs the official name of every CWE id. Usage::

    python scripts/cwe_names.py cwec_v4.14.xml

(the XML comes from https://cwe.mitre.org/data/downloads.html, or inside the ``cwe2`` wheel
on PyPI). The table keeps weaknesses, categories and views with their id, name and status.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import defusedxml.ElementTree as DefusedET

NS = "{http://cwe.mitre.org/cwe-7}"
OUT = (
    Path(__file__).resolve().parent.parent / "src" / "otvet" / "formats" / "csaf" / "data" / "cwe-names.json"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path, help="cwec_vX.Y.xml from MITRE")
    args = parser.parse_args()
    root = DefusedET.parse(args.xml).getroot()
    names: dict[str, str] = {}
    for tag in ("Weakness", "Category", "View"):
        for element in root.iter(NS + tag):
            names[f"CWE-{element.get('ID')}"] = str(element.get("Name"))
    table = {
        "source": f"MITRE CWE {root.get('Version')} ({root.get('Date')}), {args.xml.name}",
        "notice": "CWE is a registered trademark of The MITRE Corporation. Copyright © 2006-2024 The MITRE "
        "Corporation; used under the CWE Terms of Use (https://cwe.mitre.org/about/termsofuse.html).",
        "names": dict(sorted(names.items(), key=lambda kv: int(kv[0][4:]))),
    }
    OUT.write_text(json.dumps(table, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(names)} entries)")


if __name__ == "__main__":
    main()
