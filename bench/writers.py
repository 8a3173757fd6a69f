"""Append throughput with concurrent writers, on one incident and on different incidents.

    python bench/writers.py [--writers 8] [--appends 200] [--store postgresql://...]

Each writer is its own process recording notes through the same service the CLI uses
(read and fold the log, seal, compare-and-swap append; a lost race is decided again).
Run on a fresh SQLite file in a temporary directory, and, with ``--store``, on a team
store (an initialised, preferably empty database: the incidents opened here stay).
Afterwards every chain is verified and every note counted: nothing may be lost.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

    from incidentctl.incidents.service import Incidents


def _service(location: str) -> Incidents:
    from zoneinfo import ZoneInfo

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents
    from incidentctl.store import open_store

    return Incidents(open_store(location), SystemClock(), actor="bench", zone=ZoneInfo("UTC"))


def _open(location: str, title: str) -> str:
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.validate import load_runbook

    svc = _service(location)
    runbook = load_runbook(shipped_runbooks_dir() / "payment-failure.yaml")
    incident = svc.open(runbook, severity="3", title=title).state.id
    svc.store.close()
    return incident


def _writer(location: str, incident: str, writer: int, appends: int, start: Barrier) -> None:
    svc = _service(location)
    start.wait()
    for i in range(appends):
        svc.note(incident, f"w{writer} n{i}")
    svc.store.close()


def run(location: str, writers: int, appends: int, *, shared: bool) -> tuple[float, bool]:
    """Seconds for ``writers`` processes to append ``appends`` notes each (to one incident
    if ``shared``, else each to its own), and whether every chain verifies with every note."""
    from incidentctl.records import verify_chain
    from incidentctl.store import open_store

    if shared:
        incidents = [_open(location, "bench: one incident")] * writers
    else:
        incidents = [_open(location, f"bench: writer {w}") for w in range(writers)]
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(writers + 1)
    procs = [
        ctx.Process(target=_writer, args=(location, incidents[w], w, appends, start))
        for w in range(writers)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    for p in procs:
        p.join()
    seconds = time.perf_counter() - began
    store = open_store(location)
    ok = all(p.exitcode == 0 for p in procs)
    notes: set[str] = set()
    for incident in set(incidents):
        events = store.events(incident)
        ok = ok and verify_chain(events) == []
        notes |= {e.payload["text"] for e in events if e.type == "note.added"}
    store.close()
    expected = {f"w{w} n{i}" for w in range(writers) for i in range(appends)}
    return seconds, ok and notes == expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=200, help="notes per writer")
    parser.add_argument("--store", metavar="URL", help="also run on this team store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stores = [("sqlite", str(Path(tmp) / "incidents.db"))]
        if args.store:
            stores.append(("postgresql", args.store))
        total = args.writers * args.appends
        print(f"{args.writers} writers x {args.appends} appends each")
        print(f"{'backend':<11} {'incidents':<10} {'seconds':>8} {'appends/s':>10}  intact")
        failed = False
        for backend, location in stores:
            for shared in (True, False):
                seconds, intact = run(location, args.writers, args.appends, shared=shared)
                failed = failed or not intact
                where = "one" if shared else "different"
                print(
                    f"{backend:<11} {where:<10} {seconds:>8.2f} {total / seconds:>10.0f}  "
                    + ("yes" if intact else "NO: events lost or a chain broken")
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
