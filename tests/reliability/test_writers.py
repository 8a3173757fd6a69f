"""Many writers at once, through the command line as users run it: N processes × M
appends to one incident and to many, and concurrent ``open``s.  Every event is there,
every chain verifies, every incident got its own id and number, and no "database is
locked" (nor anything else) reaches a user."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from incidentctl.incidents import events as ev
from incidentctl.incidents.audit import verify
from tests.conftest import REPO, open_home

if TYPE_CHECKING:
    from pathlib import Path


def _batch(home: Path, commands: list[list[str]]) -> subprocess.CompletedProcess[str]:
    """One writer: ``commands`` run one after another, each its own process, as a shell
    loop calling incidentctl would; the last exit code that failed and all of stderr."""
    env = {**os.environ, "INCIDENTCTL_HOME": str(home), "INCIDENTCTL_USER": "w"}
    out, err, code = [], [], 0
    for argv in commands:
        done = subprocess.run(
            [sys.executable, "-m", "incidentctl", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=600,
            check=False,
        )
        out.append(done.stdout)
        err.append(done.stderr)
        code = done.returncode or code
    return subprocess.CompletedProcess(commands, code, "".join(out), "".join(err))


@pytest.mark.store
def test_writers_on_one_incident_and_on_many_and_concurrent_opens(
    isolated: Path, soak: bool
) -> None:
    writers, appends = (8, 40) if soak else (4, 10)
    first = _batch(isolated, [["open", "payment-failure", "-s", "1", "-t", "shared"]])
    assert first.returncode == 0, first.stderr
    shared = first.stdout.strip().splitlines()[-1]

    def work(w: int) -> subprocess.CompletedProcess[str]:
        commands = []
        for i in range(appends):
            commands.append(["note", shared, f"w{w}-n{i}"])
            if i % 5 == 0:
                commands.append(["open", "system-outage", "-s", "2", "-t", f"w{w}-o{i}"])
        return _batch(isolated, commands)

    with ThreadPoolExecutor(writers) as pool:
        results = list(pool.map(work, range(writers)))
    for r in results:
        assert r.returncode == 0, r.stderr
        assert "locked" not in r.stderr and "Error" not in r.stderr, r.stderr
    store = open_home(isolated)
    try:
        report = verify(store, store.incident_ids())
        assert report.failed == []
        notes = {e.payload["text"] for e in store.events(shared) if e.type == ev.NOTE}
        assert notes == {f"w{w}-n{i}" for w in range(writers) for i in range(appends)}
        rows = store.incidents()
        opens = writers * len(range(0, appends, 5))
        assert len(rows) == 1 + opens
        assert sorted(r.number for r in rows) == list(range(1, len(rows) + 1))
        assert len({r.id for r in rows}) == len(rows)
        titles = {r.title for r in rows} - {"shared"}
        assert titles == {f"w{w}-o{i}" for w in range(writers) for i in range(0, appends, 5)}
    finally:
        store.close()
