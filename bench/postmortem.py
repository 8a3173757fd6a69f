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
import shutil
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import incident_events
from run import spawn

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
    exe = shutil.which("incidentctl", path=str(Path(sys.executable).parent)) or shutil.which(
        "incidentctl"
    )
    if exe is None:
        print("incidentctl is not installed next to this Python", file=sys.stderr)
        return 1
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        INCIDENTCTL_HOME=str(args.home), INCIDENTCTL_USER="bench", NO_COLOR="1", TZ="Asia/Shanghai"
    )
    # a second, new incident: appending to it is the yardstick for appending to the long one
    import subprocess

    short = subprocess.run(
        [exe, "open", "system-outage", "-s", "1", "-t", "short"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    commands["show INC"] = [exe, "show", incident]
    commands["timeline INC"] = [exe, "timeline", incident]
    commands["note INC (10,000 events)"] = [exe, "note", incident, "bench"]
    commands["note NEW (a new incident)"] = [exe, "note", short, "bench"]
    for fmt in ("md", "json", "html"):
        commands[f"postmortem --format {fmt}"] = [exe, "postmortem", incident, "--format", fmt]
    for argv in commands.values():
        spawn(argv, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks = dict.fromkeys(commands, 0)
    for _ in range(args.runs):
        for name, argv in commands.items():
            seconds, status, rss = spawn(argv, env)
            if status not in (0, 1):  # show and timeline of a closed incident exit 0
                print(f"{name} exited {status}", file=sys.stderr)
                return 1
            times[name].append(seconds)
            peaks[name] = max(peaks[name], rss)
    base = statistics.median(times["python -c pass"])
    print(f"one incident of {length} events; {args.runs} runs each; {os.cpu_count()} CPUs")
    print(f"{'command':<28} {'median ms':>10} {'x bare':>7} {'peak MB':>8}")
    for name in commands:
        median = statistics.median(times[name])
        print(f"{name:<28} {median * 1000:>10.1f} {median / base:>7.2f} {peaks[name] / 1024:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
