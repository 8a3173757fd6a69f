from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .conftest import Run


def test_verify_intact_and_tampered(run: Run, isolated: Path) -> None:
    a = run("open", "payment-failure", "-s", "1", "-t", "a").stdout.strip()
    b = run("open", "payment-failure", "-s", "2", "-t", "b").stdout.strip()
    for inc in (a, b):
        run("note", inc, "one")
        run("note", inc, "two")
    out = run("audit", "verify", "--all").stdout
    assert f"{a}: ok (3 events)" in out and f"{b}: ok (3 events)" in out
    run("audit", "verify", expect=1)  # nothing named
    # someone with file access drops the trigger and rewrites a note
    db = sqlite3.connect(isolated / "incidents.db")
    db.execute("DROP TRIGGER events_no_update")
    db.execute(
        'UPDATE events SET payload = \'{"text": "three"}\' WHERE incident_id = ? AND seq = 2', (b,)
    )
    db.commit()
    db.close()
    result = run("audit", "verify", "--all", "--json", expect=1)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    report = {e["incident"]: e for e in data["incidents"]}
    assert report[a]["ok"] is True and report[a]["event_count"] == 3
    assert report[b]["problems"] == [
        {
            "seq": 2,
            "code": "altered",
            "message": "hash does not match the event's content (altered)",
        }
    ]
    assert "1 of 2 incident(s) failed verification" in result.stderr
