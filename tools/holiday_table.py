"""Write pmv_protocol/data/vn_public_holidays.json from the pinned ``holidays`` package.

    python tools/holiday_table.py [--check]

The working calendar's estimate of Vietnam's days off (a year the vendor has
published no calendar pack for) comes from the ``holidays`` package.  Importing
it loads every country's rules (~17 MiB and ~80 ms in the shop's window, and
again in the vendor server), so the years a till will meet are read from this
table instead; a year outside it still asks the package.  Run this after
changing the package's pin in pyproject.toml; ``--check`` exits 1 when the
table no longer matches the installed package (a test does the same).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import holidays

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmv_protocol.holiday_table import FIRST_YEAR, LAST_YEAR, TABLE_PATH  # noqa: E402  (after the path is set)


def build() -> dict[str, object]:
    years = {str(year): sorted(day.isoformat() for day in holidays.country_holidays("VN", years=year))
             for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    return {"country": "VN", "generated_by": f"holidays {holidays.__version__}", "years": years}


def _as_text(table: dict[str, object]) -> str:
    """JSON with one line a year, so a change of the package shows in a diff as the years it moved."""
    years = table["years"]
    assert isinstance(years, dict)
    rows = ",\n".join(f"  {json.dumps(year)}: {json.dumps(days)}" for year, days in years.items())
    head = {key: value for key, value in table.items() if key != "years"}
    return json.dumps(head, indent=1)[:-2] + ',\n "years": {\n' + rows + "\n }\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = parser.parse_args(argv)
    table = build()
    if args.check:
        stored = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
        if stored["years"] != table["years"]:
            print(f"{TABLE_PATH} differs from {table['generated_by']}: run tools/holiday_table.py", file=sys.stderr)
            return 1
        return 0
    TABLE_PATH.write_text(_as_text(table), encoding="utf-8")
    print(TABLE_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
