"""Append throughput with concurrent writers: events recorded per second by 1, 4 and 8
processes at once, all on one incident (every append a compare-and-swap on the same
head) and each on its own.

    python bench/append.py --home /tmp/bench-append [--appends 200]

Each writer records notes through the library (the same path as ``incidentctl note``,
without process start-up), so the number is the store's and the domain's, not the
interpreter's.  Uses an empty home of its own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from datetime import timezone
from pathlib import Path


def writer(home: str, incident: str, worker: int, count: int, barrier: object) -> None:
    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents
    from incidentctl.store import FILENAME
    from incidentctl.store.sqlite import SQLiteStore

    store = SQLiteStore.open(Path(home) / FILENAME)
    svc = Incidents(store, SystemClock(), actor=f"w{worker}", zone=timezone.utc)
    barrier.wait()  # type: ignore[attr-defined]
    for i in range(count):
        svc.note(incident, f"w{worker} n{i}")
    store.close()


def run(home: Path, incidents: list[str], count: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(incidents) + 1)
    procs = [
        ctx.Process(target=writer, args=(str(home), inc, w, count, barrier))
        for w, inc in enumerate(incidents)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    if any(p.exitcode for p in procs):
        raise SystemExit("a writer failed")
    return len(incidents) * count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--appends", type=int, default=200, help="notes per writer")
    args = parser.parse_args()
    from incidentctl.clock import SystemClock
    from incidentctl.incidents.audit import verify
    from incidentctl.incidents.service import Incidents
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.validate import load_runbook
    from incidentctl.store import FILENAME
    from incidentctl.store.sqlite import SQLiteStore

    if (args.home / FILENAME).exists():
        print(f"{args.home / FILENAME} exists; use an empty --home", file=sys.stderr)
        return 1
    store = SQLiteStore.open(args.home / FILENAME)
    svc = Incidents(store, SystemClock(), actor="bench", zone=timezone.utc)
    rb = load_runbook(shipped_runbooks_dir() / "payment-failure.yaml")

    def new() -> str:
        return svc.open(rb, severity="sev2", title="append").state.id

    print(f"{args.appends} notes per writer; events per second (higher is better)")
    print(f"{'writers':>7} {'one incident':>13} {'own incident':>13}")
    for writers in (1, 4, 8):
        shared = new()
        one = run(args.home, [shared] * writers, args.appends)
        own = run(args.home, [new() for _ in range(writers)], args.appends)
        print(f"{writers:>7} {one:>13.0f} {own:>13.0f}")
    report = verify(store, store.incident_ids())
    print(f"audit: {len(report.incidents)} incidents, {len(report.failed)} failed")
    store.close()
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
