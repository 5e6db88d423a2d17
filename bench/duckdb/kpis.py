"""The KPI set of `cxaudit kpis --by channel`, computed by DuckDB over the same CSVs.

    python kpis.py EVIDENCE_DIR [--check CXAUDIT_KPIS_JSON] [--tolerance REL]

Reads the period, time zone and timestamp format from EVIDENCE_DIR/evidence.toml,
runs kpis_by_channel.sql (beside this file) and prints one line per channel.
With --check, compares every value with the output of
`cxaudit kpis --by channel --format json` and exits 1 on any difference beyond
the relative tolerance (default 1e-9: both sides sum the same doubles, in other
orders) or on a value present on one side only.
"""

import argparse
import json
import math
import pathlib
import sys
import tomllib

import duckdb

KPIS = [
    "service_level", "asa_seconds", "abandon_rate", "aht_seconds", "transfer_rate",
    "fcr_rate", "contacts", "csat_top2", "nps", "survey_response_rate",
]


def run(evidence: pathlib.Path) -> dict:
    manifest = tomllib.loads((evidence / "evidence.toml").read_text())
    tables = manifest["tables"]
    defaults = manifest.get("defaults", {})
    sql = (pathlib.Path(__file__).parent / "kpis_by_channel.sql").read_text()
    values = {
        "contacts": evidence / tables["contacts"]["path"],
        "surveys": evidence / tables["surveys"]["path"],
        "start": manifest["period"]["start"],
        "end": manifest["period"]["end"],
        "tz": defaults.get("time_zone", "UTC"),
        "fmt": defaults.get("timestamp_format", "%Y-%m-%dT%H:%M:%S"),
    }
    for name, value in values.items():
        sql = sql.replace("{" + name + "}", str(value))
    con = duckdb.connect()
    # Comment lines may hold semicolons: drop them before splitting.
    code = "\n".join(l for l in sql.splitlines() if not l.strip().startswith("--"))
    statements = [s for s in code.split(";") if s.strip()]
    for s in statements[:-1]:
        con.execute(s)
    cursor = con.execute(statements[-1])
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names[1:], row[1:])) for row in cursor.fetchall()}


def check(ours: dict, path: pathlib.Path, tolerance: float) -> list:
    theirs = {g["group"]: g for g in json.loads(path.read_text())["groups"]}
    problems = []
    for group in sorted(set(ours) | set(theirs)):
        for kpi in KPIS:
            a = ours.get(group, {}).get(kpi)
            b = theirs.get(group, {}).get(kpi)
            if a is None and b is None:
                continue
            if a is None or b is None:
                problems.append(f"{group}.{kpi}: duckdb {a}, cxaudit {b}")
            elif not math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance):
                problems.append(f"{group}.{kpi}: duckdb {a!r}, cxaudit {b!r}")
    return problems


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("evidence", type=pathlib.Path)
    p.add_argument("--check", type=pathlib.Path)
    p.add_argument("--tolerance", type=float, default=1e-9)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    ours = run(args.evidence)
    if not args.quiet:
        for group, values in ours.items():
            print(group or "(none)", json.dumps(values))
    if args.check:
        problems = check(ours, args.check, args.tolerance)
        for line in problems:
            print("differs:", line, file=sys.stderr)
        if problems:
            return 1
        n = sum(1 for g in ours.values() for v in g.values() if v is not None)
        print(f"agree: {n} values in {len(ours)} groups within relative {args.tolerance}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
