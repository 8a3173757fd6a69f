"""Time the post-mortem of one very long incident, next to the bare interpreter.

    python bench/postmortem.py --home /tmp/bench-pm [--events 10000] [--runs 11]

Writes one closed incident of about ``--events`` events (a system outage at sev1:
its checklist walked, then hours of recurring status updates and notes, a few
back-dated) into an empty home, sealed by the same code the CLI uses, then runs
``postmortem INC`` in each format as separate processes, round-robin with a bare
``python -c pass``, and prints the median wall time, the ratio to the bare
interpreter and peak memory.  Target: at most 0.5 s for each format.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import environment, executable, measure, show
from generate import incident_events

from incidentctl.incidents import state as st
from incidentctl.paths import shipped_runbooks_dir
from incidentctl.records import seal_after
from incidentctl.runbooks.validate import load_runbook
from incidentctl.store import FILENAME
from incidentctl.store.sqlite import (
    INSERT_EVENT,
    INSERT_INCIDENT,
    SQLiteStore,
    event_row,
    incident_row,
)


def write_incident(home: Path, events: int, seed: int) -> tuple[str, int]:
    """One closed incident of about ``events`` events in a new store; its id and length."""
    import json

    rb = load_runbook(shipped_runbooks_dir() / "system-outage.yaml")
    rng = random.Random(seed)
    opened = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)
    drafts = incident_events(rb, rng, opened, events, closed=True)
    incident = "INC-20261101-001"
    sealed = seal_after(None, incident, drafts)
    store = SQLiteStore.open(home / FILENAME)
    db = store.db
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO runbooks (sha256, runbook_id, version, document) VALUES (?, ?, ?, ?)",
        (rb.sha256, rb.id, rb.version, json.dumps(rb.doc, ensure_ascii=False, sort_keys=True)),
    )
    summary = st.fold(rb, sealed).summary()
    db.execute(INSERT_INCIDENT, incident_row(sealed[0], sealed[-1], rb.id, rb.sha256, summary, 1))
    db.executemany(INSERT_EVENT, [event_row(e) for e in sealed])
    db.execute("COMMIT")
    store.close()
    return incident, len(sealed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if (args.home / FILENAME).exists():
        print(f"{args.home / FILENAME} exists; use an empty --home", file=sys.stderr)
        return 1
    args.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    incident, length = write_incident(args.home, args.events, args.seed)
    exe = executable()
    if exe is None:
        print("incidentctl is not installed next to this Python", file=sys.stderr)
        return 1
    env = environment(args.home)
    # a second, new incident: appending to it is the yardstick for appending to the long one
    import subprocess

    short = subprocess.run(
        [exe, "open", "system-outage", "-s", "1", "-t", "short"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    commands = {
        "show INC": [exe, "show", incident],
        "timeline INC": [exe, "timeline", incident],
        "note INC (10,000 events)": [exe, "note", incident, "bench"],
        "note NEW (a new incident)": [exe, "note", short, "bench"],
    }
    for fmt in ("md", "json", "html"):
        commands[f"postmortem --format {fmt}"] = [exe, "postmortem", incident, "--format", fmt]
    rows = measure(commands, env, args.runs)
    if rows is None:
        return 1
    print(f"one incident of {length} events; {args.runs} runs each; {os.cpu_count()} CPUs")
    show(rows, width=28)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
