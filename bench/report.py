"""Time ``report`` and ``audit verify --all`` over a whole generated store.

    python bench/generate.py --home /tmp/bench-home
    python bench/report.py --home /tmp/bench-home [--runs 5]

``report`` is timed warm (every incident's facts in the cache, as after the first
report: a closed incident's head never changes) and cold (the cache removed before
each run: every log read, verified, folded and judged), in the table and JSON formats;
``audit verify --all`` reads and hashes every event.  Targets: a warm report over
10,000 incidents at most 1 s; ``audit verify --all`` over 1,000,000 events at most 10 s;
nothing above 100 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import environment, executable, measure, show


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=1)
    args = parser.parse_args()
    db = sqlite3.connect(args.home / "incidents.db")
    (incidents,) = db.execute("SELECT count(*) FROM incidents").fetchone()
    (events,) = db.execute("SELECT count(*) FROM events").fetchone()
    db.close()
    exe = executable()
    if exe is None:
        print("incidentctl is not installed next to this Python", file=sys.stderr)
        return 1
    env = environment(args.home)
    cache = args.home / "cache" / "report.jsonl"

    def cold() -> None:
        with contextlib.suppress(FileNotFoundError):
            cache.unlink()

    print(f"store: {incidents} incidents, {events} events")
    warm = measure(
        {
            "report (warm)": [exe, "report", "--until", "2026-12-31"],
            "report --format json (warm)": [exe, "report", "--until", "2026-12-31", "--json"],
        },
        env,
        args.runs,
    )
    if warm is None:
        return 1
    show(warm)
    slow = measure(
        {
            "report (cold)": [exe, "report", "--until", "2026-12-31"],
            "audit verify --all": [exe, "audit", "verify", "--all"],
        },
        env,
        args.cold_runs,
        before={"report (cold)": cold},
    )
    if slow is None:
        return 1
    show(slow[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
