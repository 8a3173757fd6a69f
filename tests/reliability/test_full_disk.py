"""A store that cannot grow (the file-size limit, ``RLIMIT_FSIZE``, as a small
file system would): the command says so in one clear line and exits 1, and nothing
already recorded is lost."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from incidentctl.incidents import events as ev
from incidentctl.incidents.audit import verify
from tests.conftest import REPO, open_home

resource = pytest.importorskip("resource")

LIMIT = 400_000  # bytes: a few notes of 30 KB fill it


def _note(home: object, incident: str, text: str, *json: str) -> subprocess.CompletedProcess[str]:
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    env = {**os.environ, "INCIDENTCTL_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "incidentctl", "note", incident, text, *json],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        preexec_fn=limited,
        timeout=120,
        check=False,
    )


@pytest.mark.sqlite_only("RLIMIT_FSIZE fills the disk under the SQLite file")
def test_a_full_store_is_a_clear_error_and_loses_nothing(isolated: object) -> None:
    env = {**os.environ, "INCIDENTCTL_HOME": str(isolated)}
    opened = subprocess.run(
        [sys.executable, "-m", "incidentctl", "open", "payment-failure", "-s", "2", "-t", "full"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    )
    incident = opened.stdout.strip()
    recorded = []
    for i in range(100):
        text = f"note {i} " + "x" * 30_000
        done = _note(isolated, incident, text)
        if done.returncode == 0:
            recorded.append(text)
            continue
        assert done.returncode == 1, done.stderr
        assert "could not grow" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 2  # the error and its hint
        as_json = _note(isolated, incident, text, "--json")
        assert '"code": "store.full"' in as_json.stderr
        break
    else:
        pytest.fail("the file-size limit was never reached")
    assert recorded, "not even one note fitted"
    store = open_home(isolated)  # without the limit: opens, verifies, has every note
    try:
        assert verify(store, store.incident_ids()).failed == []
        notes = [e.payload["text"] for e in store.events(incident) if e.type == ev.NOTE]
        assert notes == recorded
    finally:
        store.close()
