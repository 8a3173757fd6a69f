"""Time everyday commands against a big store, next to the bare interpreter.

    python bench/generate.py --home /tmp/bench-home
    python bench/run.py --home /tmp/bench-home [--runs 21] [--store postgresql://...]

For each command: median wall time over the runs, the ratio to a bare
``python -c pass`` measured in the same run (machines here are noisy; the
ratio is what to compare), and the peak resident memory of the process.
Runs are interleaved round-robin so that load on the machine hits every
command alike.  Write operations go to the store too, so run it on a
generated store, not on a real one.

With ``--store URL`` (a team store holding a copy of the same incidents:
``incidentctl store copy --from sqlite://HOME/incidents.db --to URL``), every
command also runs against it, interleaved with the same commands on the
SQLite file, and the two are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
from datetime import date
from pathlib import Path

from common import environment, executable, spawn


def open_many(home: Path, n: int) -> None:
    """Open ``n`` incidents of every shipped runbook and tier, as ``open`` does."""
    from datetime import timezone
    from itertools import cycle

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.repository import runbook_files
    from incidentctl.runbooks.validate import load_runbook
    from incidentctl.store import FILENAME
    from incidentctl.store.sqlite import SQLiteStore

    runbooks = [load_runbook(p) for p in runbook_files(shipped_runbooks_dir())]
    store = SQLiteStore.open(home / FILENAME)
    svc = Incidents(store, SystemClock(), actor="bench", zone=timezone.utc)
    kinds = cycle((rb, tier) for rb in runbooks for tier in rb.tier_ids)
    for i in range(n):
        rb, tier = next(kinds)
        svc.open(rb, severity=tier, title=f"bad day {i}", at=f"-{1 + i % 50}m")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--open",
        type=int,
        default=0,
        metavar="N",
        help="first open N more incidents (a bad day: 200 open at once), each a few minutes "
        "old, so that deadlines --all has N more to compute",
    )
    parser.add_argument(
        "--store", metavar="URL", help="also run every command against this team store"
    )
    args = parser.parse_args()
    if args.open:
        open_many(args.home, args.open)
    db = sqlite3.connect(args.home / "incidents.db")
    # the newest open incident, at a tier where recurring status updates apply
    (active, tier) = db.execute(
        "SELECT id, severity FROM incidents WHERE status != 'closed'"
        " ORDER BY severity = 'sev3', opened_at DESC LIMIT 1"
    ).fetchone()
    (busiest,) = db.execute("SELECT id FROM incidents ORDER BY last_seq DESC LIMIT 1").fetchone()
    (incidents,) = db.execute("SELECT count(*) FROM incidents").fetchone()
    (events,) = db.execute("SELECT count(*) FROM events").fetchone()
    sha = db.execute("SELECT runbook_sha256 FROM incidents WHERE id = ?", (active,)).fetchone()[0]
    doc = json.loads(
        db.execute("SELECT document FROM runbooks WHERE sha256 = ?", (sha,)).fetchone()[0]
    )
    db.close()
    recurring = next(
        (
            s["id"]
            for p in doc["phases"]
            for s in p["steps"]
            if "every" in s and tier in s.get("tiers", [tier])
        ),
        None,
    )
    exe = executable()
    if exe is None:
        print("incidentctl is not installed next to this Python", file=sys.stderr)
        return 1
    env = environment(args.home)
    record = ["step", "done", active, recurring] if recurring else ["note", active, "bench"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        f"show {active}": [exe, "show", active],
        "list": [exe, "list"],
        f"timeline {busiest}": [exe, "timeline", busiest],
        " ".join([*record[:2], "INC", *record[3:]]): [exe, *record],
        "note INC": [exe, "note", active, "bench"],
        "deadlines": [exe, "deadlines"],
        "deadlines --all": [exe, "deadlines", "--all"],
        "runbook list": [exe, "runbook", "list"],
        "open payment-failure": [exe, "open", "payment-failure", "-s", "3", "-t", "bench"],
    }
    # (name, argv, environment): the SQLite file, and the team store if given
    runs = [(name, argv, env) for name, argv in commands.items()]
    if args.store:
        team_env = {**env, "INCIDENTCTL_STORE": args.store}
        runs += [
            (f"{name} [pg]", argv, team_env) for name, argv in commands.items() if argv[0] == exe
        ]
    for _name, argv, run_env in runs:  # warm the page cache and the bytecode caches
        spawn(argv, run_env)
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    peaks: dict[str, int] = dict.fromkeys(times, 0)
    for _ in range(args.runs):
        for name, argv, run_env in runs:
            seconds, status, rss = spawn(argv, run_env)
            if status != 0:
                print(f"{name} exited {status}", file=sys.stderr)
                return 1
            times[name].append(seconds)
            peaks[name] = max(peaks[name], rss)
    base = statistics.median(times["python -c pass"])
    rows = []
    print(
        f"store: {incidents} incidents, {events} events; {args.runs} runs each; {date.today()}; {os.cpu_count()} CPUs"
    )
    print(f"{'command':<39} {'median ms':>10} {'x bare':>7} {'peak MB':>8} {'x sqlite':>9}")
    for name, measured in times.items():
        median = statistics.median(measured)
        row = {
            "command": name,
            "median_ms": round(median * 1000, 1),
            "ratio": round(median / base, 2),
            "peak_mb": round(peaks[name] / 1024, 1),
        }
        sqlite_name = name.removesuffix(" [pg]")
        versus = median / statistics.median(times[sqlite_name])
        row["vs_sqlite"] = round(versus, 2)
        rows.append(row)
        print(
            f"{name:<39} {row['median_ms']:>10} {row['ratio']:>7} {row['peak_mb']:>8} {versus:>9.2f}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "date": str(date.today()),
                    "incidents": incidents,
                    "events": events,
                    "results": rows,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
