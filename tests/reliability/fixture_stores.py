"""Write ``tests/data/stores/schema-N.db``: a small store as each released schema version
left it, so that every later incidentctl is tested migrating it without loss.

    python -m tests.reliability.fixture_stores

Run once when a migration is added (it writes the fixture of the schema being left
behind, and of every older one), and commit the files: a fixture is a record of the
past, not rebuilt on every test run.  ``stores.json`` lists what each one holds.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from incidentctl.clock import ManualClock
from incidentctl.incidents.service import Incidents
from incidentctl.paths import shipped_runbooks_dir
from incidentctl.runbooks.validate import load_runbook
from incidentctl.store import FILENAME
from incidentctl.store.sqlite import APPLICATION_ID, MIGRATIONS, SQLiteStore, _statements

OUT = Path(__file__).resolve().parent.parent / "data" / "stores"
T0 = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)

#: The columns of ``incidents`` each schema version has (migration 2 added ``number``).
INCIDENT_COLUMNS = {
    1: "id, opened_at, runbook_id, runbook_sha256, title, severity, status, commander, "
    "last_seq, head_hash, updated_at",
}


def history(home: Path) -> SQLiteStore:
    """A few incidents with a life: steps, notes, a tier change, a message, a close."""
    store = SQLiteStore.open(home / FILENAME)
    clock = ManualClock(T0)
    svc = Incidents(store, clock, actor="王伟", zone=ZoneInfo("Asia/Shanghai"))
    pay = load_runbook(shipped_runbooks_dir() / "payment-failure.yaml")
    out = load_runbook(shipped_runbooks_dir() / "system-outage.yaml")
    a = svc.open(pay, severity="1", title="支付成功率骤降", commander="王伟").state.id
    clock.advance(minutes=4)
    svc.step(a, "done", "assemble")
    svc.note(a, "通道方确认故障")
    svc.set_severity(a, "2", reason="仅部分渠道")
    clock.advance(minutes=40)
    svc.mitigate(a)
    clock.advance(hours=2)
    svc.resolve_incident(a)
    svc.close(a, force=True, reason="fixture")
    b = svc.open(out, severity="2", title="订单服务不可用").state.id
    clock.advance(minutes=10)
    svc.note(b, "回滚中")
    svc.open(pay, severity="3", title="个别用户支付失败")
    return store


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = history(Path(tmp))
        db = store.db
        snapshots = db.execute(
            "SELECT sha256, runbook_id, version, document FROM runbooks"
        ).fetchall()
        events = db.execute("SELECT * FROM events ORDER BY incident_id, seq").fetchall()
        heads = {
            r[0]: {"events": r[1], "head": r[2], "number": r[3]}
            for r in db.execute(
                "SELECT id, last_seq, head_hash, number FROM incidents ORDER BY number"
            )
        }
        for version in range(1, len(MIGRATIONS)):  # every schema older than the current one
            columns = INCIDENT_COLUMNS.get(version, INCIDENT_COLUMNS[1] + ", number")
            rows = db.execute(f"SELECT {columns} FROM incidents ORDER BY number").fetchall()
            path = OUT / f"schema-{version}.db"
            path.unlink(missing_ok=True)
            old = sqlite3.connect(path, isolation_level=None)
            old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            old.execute("PRAGMA journal_mode = DELETE")  # one file, nothing beside it
            old.execute("BEGIN")
            for script in MIGRATIONS[:version]:
                for statement in _statements(script):
                    old.execute(statement)
            old.executemany("INSERT INTO runbooks VALUES (?, ?, ?, ?)", snapshots)
            marks = ", ".join("?" * len(rows[0]))
            old.executemany(f"INSERT INTO incidents ({columns}) VALUES ({marks})", rows)
            old.executemany(
                f"INSERT INTO events VALUES ({', '.join('?' * len(events[0]))})", events
            )
            old.execute(f"PRAGMA user_version = {version}")
            old.execute("COMMIT")
            old.execute("VACUUM")
            old.close()
            manifest[path.name] = {"schema_version": version, "incidents": heads}
        store.close()
    (OUT / "stores.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
