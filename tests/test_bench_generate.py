"""The benchmark store must be one the CLI would have written: valid chains, honest summaries."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from incidentctl.clock import SystemClock
from incidentctl.incidents.service import Incidents
from incidentctl.records import verify_chain
from incidentctl.store import FILENAME

from .conftest import REPO, open_home


@pytest.mark.sqlite_only("bench/generate.py writes a SQLite home")
def test_generated_store_has_valid_chains_and_summaries_equal_to_the_fold(tmp_path: Path) -> None:
    home = tmp_path / "bench"
    size = ["--incidents", "40", "--events", "2400", "--active", "8"]
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "--home", str(home), *size],
        check=True,
        capture_output=True,
        timeout=120,
    )
    db = sqlite3.connect(home / FILENAME)
    rows = db.execute("SELECT id, title, severity, status, commander, last_seq FROM incidents")
    summaries = {r[0]: r[1:] for r in rows}
    db.close()
    assert len(summaries) == 40
    store = open_home(home, create=False)
    try:
        svc = Incidents(store, SystemClock(), actor="bench", zone=ZoneInfo("UTC"))
        statuses = set()
        for incident_id, (title, severity, status, commander, last_seq) in summaries.items():
            events = store.events(incident_id)
            assert verify_chain(events) == [], incident_id
            folded = svc.view(incident_id).state.summary()
            assert (title, severity, status, commander) == tuple(folded), incident_id
            assert last_seq == len(events)
            statuses.add(status)
    finally:
        store.close()
    assert "closed" in statuses and statuses - {"closed"}
