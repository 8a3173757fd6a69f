"""A writer killed with SIGKILL at random points, again and again: the store still
opens, every chain verifies, and every event whose command said it was recorded is
there (at least 20 kills; 200 with ``--soak``)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from incidentctl.incidents.audit import verify
from tests.conftest import REPO, open_home

if TYPE_CHECKING:
    from pathlib import Path

#: Records notes on one incident and opens new incidents, saying each one once recorded.
WRITER = textwrap.dedent(
    """
    import sys
    from datetime import timezone
    from pathlib import Path

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.validate import load_runbook
    from tests.conftest import open_home

    home, incident, round_ = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    svc = Incidents(open_home(home), SystemClock(), actor="w", zone=timezone.utc)
    rb = load_runbook(shipped_runbooks_dir() / "payment-failure.yaml")
    print("ready", flush=True)
    for i in range(1_000_000):
        if i % 4 == 3:
            opened = svc.open(rb, severity="sev2", title=f"r{round_}-o{i}").state.id
            print("opened", opened, flush=True)
        else:
            svc.note(incident, f"r{round_}-n{i}")
            print("noted", f"r{round_}-n{i}", flush=True)
    """
)


@pytest.mark.store
def test_a_writer_killed_at_random_loses_nothing_it_reported(isolated: Path, soak: bool) -> None:
    store = open_home(isolated)
    from datetime import timezone

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.validate import load_runbook

    svc = Incidents(store, SystemClock(), actor="t", zone=timezone.utc)
    rb = load_runbook(shipped_runbooks_dir() / "payment-failure.yaml")
    incident = svc.open(rb, severity="sev1", title="killed again and again").state.id
    store.close()
    rng = random.Random(20261126)
    kills = 200 if soak else 20
    noted: set[str] = set()
    opened: set[str] = set()
    for round_ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(isolated), incident, str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        for _ in range(rng.randint(0, 12)):  # some recorded, then killed mid-way through one
            kind, value = proc.stdout.readline().split()
            (noted if kind == "noted" else opened).add(value)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # what it printed before dying was recorded too
        for line in proc.stdout.read().splitlines():
            kind, value = line.split()
            (noted if kind == "noted" else opened).add(value)
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
    store = open_home(isolated)
    try:
        report = verify(store, store.incident_ids())
        assert report.failed == [], report.failed[:3]
        texts = {e.payload.get("text") for e in store.events(incident)}
        assert noted <= texts, sorted(noted - texts)[:5]
        assert opened <= set(store.incident_ids())
        assert len(noted) + len(opened) >= kills  # it did get somewhere
    finally:
        store.close()
