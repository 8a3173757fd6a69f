"""A store from every older schema version (``tests/data/stores/``, written by
``tests/reliability/fixture_stores.py`` when each version was current) is migrated by
this incidentctl without loss: every incident, every event, every chain and number."""

from __future__ import annotations

import json
import shutil
import sqlite3
from typing import TYPE_CHECKING

import pytest

from incidentctl.incidents.audit import verify
from incidentctl.store import FILENAME
from incidentctl.store.sqlite import SCHEMA_VERSION
from tests.conftest import DATA, open_home

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Run

STORES = DATA / "stores"
MANIFEST = json.loads((STORES / "stores.json").read_text(encoding="utf-8"))


def test_there_is_a_fixture_for_every_older_schema() -> None:
    assert sorted(v["schema_version"] for v in MANIFEST.values()) == list(range(1, SCHEMA_VERSION))


@pytest.mark.sqlite_only("fixture stores of released SQLite schema versions")
@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_an_older_store_is_migrated_without_loss(name: str, isolated: Path, run: Run) -> None:
    isolated.mkdir(mode=0o700)
    shutil.copyfile(STORES / name, isolated / FILENAME)
    (isolated / FILENAME).chmod(0o600)
    expected = MANIFEST[name]["incidents"]
    store = open_home(isolated)  # what any writing command does first
    try:
        assert verify(store, store.incident_ids()).failed == []
        rows = {r.id: r for r in store.incidents()}
        assert set(rows) == set(expected)
        for incident, facts in expected.items():
            events = store.events(incident)
            assert len(events) == facts["events"]
            assert events[-1].hash == facts["head"] == rows[incident].head_hash
            assert rows[incident].number == facts["number"]
    finally:
        store.close()
    db = sqlite3.connect(isolated / FILENAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    # and every command works on it
    assert run("audit", "verify", "--all").exit_code == 0
    listed = json.loads(run("list", "--status", "all", "--json").stdout)["incidents"]
    assert sorted(i["number"] for i in listed) == list(range(1, len(expected) + 1))
    assert json.loads(run("report", "--until", "2026-12-31", "--json").stdout)["incidents"] == len(
        expected
    )
