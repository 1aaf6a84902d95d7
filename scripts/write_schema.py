"""Regenerate docs/assessment.schema.json from the model (run after changing the model)."""

from __future__ import annotations

import json
from pathlib import Path

from otvet.core.reports import published_schema

TARGET = Path(__file__).resolve().parent.parent / "docs" / "assessment.schema.json"


def main() -> None:
    TARGET.write_text(json.dumps(published_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
