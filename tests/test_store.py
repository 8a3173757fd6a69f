"""The store contract on both backends, and the embedded SQLite store: permissions,
append-only triggers, refusal of foreign files, concurrency without lost or forked events,
and consistency after a crash mid-write."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from incidentctl.errors import StoreError
from incidentctl.incidents import events as ev
from incidentctl.incidents.service import Incidents
from incidentctl.records import verify_chain
from incidentctl.store import FILENAME
from incidentctl.store.sqlite import SCHEMA_VERSION

from .conftest import REPO, Run, open_home, runbook

#: The store contract, run on the embedded store and on a team store (PostgreSQL); the
#: other tests here look at the SQLite file itself.
BOTH = pytest.mark.usefixtures("backend")


@pytest.mark.sqlite_only("the SQLite file's mode and journal")
def test_store_file_is_private_and_in_wal_mode(svc: Incidents, isolated: Path) -> None:
    svc.open(runbook("payment-failure"), severity="1", title="t")
    path = isolated / FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(isolated.stat().st_mode) == 0o700
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not list(isolated.glob(".*.tmp")), "the temporary file used for creation is gone"


@pytest.mark.sqlite_only("SQLite's triggers (test_tamper has them refuse on both backends)")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events SET actor = 'mallory'",
        "DELETE FROM events",
        "UPDATE runbooks SET document = '{}'",
        "DELETE FROM runbooks",
    ],
)
def test_events_and_snapshots_refuse_update_and_delete(
    svc: Incidents, isolated: Path, sql: str
) -> None:
    svc.open(runbook("payment-failure"), severity="1", title="t")
    db = sqlite3.connect(isolated / FILENAME)
    with pytest.raises(sqlite3.DatabaseError, match="refused"):
        db.execute(sql)
    db.close()
    assert len(svc.store.events(svc.resolve("1"))) == 1


@pytest.mark.sqlite_only("the sqlite3 shell on the file")
@pytest.mark.skipif(
    shutil.which("sqlite3") is None, reason="sqlite3 command-line tool not installed"
)
def test_the_sqlite3_shell_cannot_rewrite_history(svc: Incidents, isolated: Path) -> None:
    svc.open(runbook("payment-failure"), severity="1", title="t")
    done = subprocess.run(
        ["sqlite3", str(isolated / FILENAME), "update events set payload = '{}' where seq = 1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "append-only" in done.stderr


@pytest.mark.sqlite_only("a foreign SQLite file")
def test_foreign_sqlite_file_is_refused_not_replaced(isolated: Path) -> None:
    isolated.mkdir(parents=True)
    path = isolated / FILENAME
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an incidentctl store"):
        open_home(isolated)
    assert path.read_bytes() == before


@pytest.mark.sqlite_only("a foreign SQLite file")
def test_every_command_reports_a_foreign_sqlite_store_and_adds_nothing_to_it(
    run: Run, isolated: Path
) -> None:
    import json

    isolated.mkdir(parents=True)
    isolated.chmod(0o700)
    path = isolated / FILENAME
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    db.execute("INSERT INTO orders (total) VALUES (9.5)")
    db.commit()
    db.close()

    def schema() -> list[tuple[str, ...]]:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        finally:
            con.close()

    before, content = schema(), path.read_bytes()
    for command in (
        ["list"],
        ["open", "payment-failure", "-s", "1", "-t", "t"],
        ["note", "1", "x"],
        ["show", "1"],
        ["deadlines"],
        ["check"],
        ["audit", "verify", "--all"],
    ):
        err = run(*command, expect=1).stderr
        assert f"{path} is a SQLite database but not an incidentctl store" in err, command
        result = run(*command, "--json", expect=1)
        assert json.loads(result.stderr.strip().splitlines()[-1])["error"]["code"] == (
            "store.foreign"
        )
    assert schema() == before
    assert path.read_bytes() == content
    assert sorted(p.name for p in isolated.iterdir()) == [FILENAME]  # no -wal, -shm, temp file


@pytest.mark.sqlite_only("a file that is no SQLite database")
@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"hello, not a database" * 10, "not a SQLite database")],
)
def test_non_database_file_is_refused(isolated: Path, content: bytes, message: str) -> None:
    isolated.mkdir(parents=True)
    (isolated / FILENAME).write_bytes(content)
    with pytest.raises(StoreError, match=message):
        open_home(isolated)
    assert (isolated / FILENAME).read_bytes() == content


@pytest.mark.sqlite_only("a corrupted SQLite file")
def test_corrupt_store_gives_a_clear_error(svc: Incidents, isolated: Path) -> None:
    for i in range(30):
        svc.open(runbook("payment-failure"), severity="1", title=f"incident {i}")
    svc.store.close()
    path = isolated / FILENAME
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # scribble over every page but the header
        data[offset + 100 : offset + 400] = os.urandom(300)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="cannot be used"):
        store = open_home(isolated)
        store.incidents()
        store.events(store.incidents()[0].id)


@pytest.mark.sqlite_only("the schema version in the SQLite file's header")
def test_store_from_a_newer_incidentctl_is_refused(isolated: Path) -> None:
    open_home(isolated).close()
    db = sqlite3.connect(isolated / FILENAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer incidentctl"):
        open_home(isolated)


@pytest.mark.sqlite_only("the SQLite file appears on first write (a team store only by store init)")
def test_read_commands_never_create_a_store(isolated: Path) -> None:
    with pytest.raises(StoreError, match="no incident store"):
        open_home(isolated, create=False)
    assert not (isolated / FILENAME).exists()


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.sqlite_only("no -wal or -shm file beside the SQLite file")
def test_a_read_only_store_reads_and_changes_nothing_beside_it(
    svc: Incidents, isolated: Path
) -> None:
    """Opened read-only (as shell completion opens it), a store is read as it is: no
    ``-wal`` or ``-shm`` file appears beside it, no byte of it changes, and it refuses to
    write."""
    svc.open(runbook("payment-failure"), severity="1", title="t")
    svc.store.close()
    before = _files(isolated)
    assert list(before) == [FILENAME]
    store = open_home(isolated, read_only=True)
    try:
        assert [r.title for r in store.incidents()] == ["t"]
        assert len(store.events(store.match_ids("1")[0])) == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.db.execute("PRAGMA user_version = 7")  # type: ignore[attr-defined]
    finally:
        store.close()
    assert _files(isolated) == before


@pytest.mark.sqlite_only("SQLite's write-ahead log")
def test_a_read_only_store_sees_what_a_writer_has_not_checkpointed(
    svc: Incidents, isolated: Path
) -> None:
    """While a writer holds the store open its newest events are in the ``-wal`` file;
    a read-only look reads them there."""
    svc.open(runbook("payment-failure"), severity="1", title="first")
    svc.open(runbook("payment-failure"), severity="1", title="second")  # svc stays open
    assert (isolated / f"{FILENAME}-wal").exists()
    store = open_home(isolated, read_only=True)
    try:
        assert [r.title for r in store.incidents()] == ["second", "first"]
    finally:
        store.close()


@pytest.mark.sqlite_only("a missing or unreadable SQLite file")
def test_read_only_creates_nothing_and_refuses_what_it_cannot_read(isolated: Path) -> None:
    with pytest.raises(StoreError, match="no incident store"):
        open_home(isolated, read_only=True)
    assert not isolated.exists()
    isolated.mkdir()
    (isolated / FILENAME).write_bytes(b"hello, not a database" * 10)
    with pytest.raises(StoreError, match="not a SQLite database"):
        open_home(isolated, read_only=True)


@pytest.mark.sqlite_only("a SQLite file of an older schema")
def test_read_only_never_migrates(isolated: Path) -> None:
    """A store of an older schema needs a migration, which is a write: refused, untouched."""
    open_home(isolated).close()
    db = sqlite3.connect(isolated / FILENAME)
    db.execute("PRAGMA user_version = 1")
    db.close()
    before = _files(isolated)
    with pytest.raises(StoreError, match="older incidentctl"):
        open_home(isolated, read_only=True)
    assert _files(isolated) == before


@BOTH
def test_ids_are_per_day_and_unique(svc: Incidents, clock) -> None:  # type: ignore[no-untyped-def]
    rb = runbook("payment-failure")
    ids = [svc.open(rb, severity="1", title=f"t{i}").state.id for i in range(3)]
    assert ids == ["INC-20261122-001", "INC-20261122-002", "INC-20261122-003"]
    clock.advance(hours=24)
    assert svc.open(rb, severity="1", title="next day").state.id == "INC-20261123-001"


@BOTH
def test_listing_filters_and_summary_projection(svc: Incidents) -> None:
    rb = runbook("payment-failure")
    a = svc.open(rb, severity="1", title="a").state.id
    b = svc.open(rb, severity="3", title="b").state.id
    svc.resolve_incident(b)
    rows = svc.store.incidents(statuses=("open",))
    assert [r.id for r in rows] == [a]
    assert [r.id for r in svc.store.incidents(severity="sev3")] == [b]
    (row,) = svc.store.incidents(statuses=("resolved",))
    assert row.status == "resolved" and row.last_seq == 2
    assert [r.id for r in svc.store.incidents(runbook_id="payment-failure")] == [b, a]


@BOTH
def test_a_summary_row_names_the_version_of_its_pinned_runbook(svc: Incidents) -> None:
    rb = runbook("payment-failure")
    a = svc.open(rb, severity="1", title="a").state.id
    row = svc.store.incident(a)
    assert row is not None
    assert (row.runbook_id, row.runbook_version, row.runbook_sha256) == (
        rb.id,
        rb.version,
        rb.sha256,
    )
    assert [r.runbook_version for r in svc.store.incidents()] == [rb.version]


def _appender(home: str, incident: str, worker: int, count: int) -> None:
    from zoneinfo import ZoneInfo

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents
    from tests.conftest import open_home

    store = open_home(Path(home))
    svc = Incidents(store, SystemClock(), actor=f"worker{worker}", zone=ZoneInfo("UTC"))
    for i in range(count):
        svc.note(incident, f"w{worker} n{i}")
    store.close()


@BOTH
def test_concurrent_appenders_lose_nothing_and_keep_one_chain(
    svc: Incidents, isolated: Path
) -> None:
    incident = svc.open(runbook("payment-failure"), severity="1", title="busy").state.id
    workers, count = 4, 150
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_appender, args=(str(isolated), incident, w, count))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    events = svc.store.events(incident)
    assert len(events) == 1 + workers * count
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert verify_chain(events) == []
    texts = {e.payload["text"] for e in events if e.type == ev.NOTE}
    assert texts == {f"w{w} n{i}" for w in range(workers) for i in range(count)}
    row = svc.store.incident(incident)
    assert row is not None and row.last_seq == len(events) and row.head_hash == events[-1].hash


@pytest.mark.sqlite_only("a write cut short inside SQLite's transaction")
def test_a_process_killed_mid_write_leaves_a_consistent_store(
    svc: Incidents, isolated: Path
) -> None:
    incident = svc.open(runbook("payment-failure"), severity="1", title="crash").state.id
    script = textwrap.dedent(
        f"""
        import os, signal, sqlite3
        from incidentctl.records import Draft, Head, seal_after
        from incidentctl.store.sqlite import INSERT_EVENT, event_row
        from tests.conftest import open_home
        store = open_home(__import__("pathlib").Path({str(isolated)!r}))
        head = store.events({incident!r})[-1]
        drafts = [
            Draft("note.added", {{"text": f"half {{i}}"}}, "x", head.recorded_at, head.recorded_at)
            for i in range(50)
        ]
        sealed = seal_after(Head.of(head), {incident!r}, drafts)
        db = sqlite3.connect({str(isolated / FILENAME)!r}, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        for e in sealed:
            db.execute(INSERT_EVENT, event_row(e))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert done.returncode == -9, done.stderr
    db = sqlite3.connect(isolated / FILENAME)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    store = open_home(isolated)
    events = store.events(incident)
    assert len(events) == 1 and verify_chain(events) == []
    # and it keeps working
    Incidents(store, svc.clock, actor="bob", zone=svc.zone).note(incident, "after the crash")
    assert len(store.events(incident)) == 2


@BOTH
def test_match_ids(svc: Incidents, clock) -> None:  # type: ignore[no-untyped-def]
    rb = runbook("payment-failure")
    for _ in range(3):
        svc.open(rb, severity="1", title="x")
    clock.advance(hours=24)
    svc.open(rb, severity="1", title="y")
    store = svc.store
    assert store.match_ids("INC-20261122-002") == ["INC-20261122-002"]
    assert store.match_ids("inc-20261122-002") == ["INC-20261122-002"]
    assert store.match_ids("20261123") == ["INC-20261123-001"]
    assert store.match_ids("3") == ["INC-20261122-003"]  # the third opened in this store
    assert store.match_ids("#4") == store.match_ids("4") == ["INC-20261123-001"]
    assert store.match_ids("5") == []
    assert store.match_ids("INC-2026112") == [
        "INC-20261122-001",
        "INC-20261122-002",
        "INC-20261122-003",
        "INC-20261123-001",
    ]
    assert store.match_ids("nope") == []


@BOTH
def test_utc_storage(svc: Incidents) -> None:
    view = svc.open(runbook("payment-failure"), severity="1", title="t", at="2026-11-22 09:30")
    assert view.events[0].occurred_at == "2026-11-22T01:30:00Z"
    assert view.state.opened_at == datetime(2026, 11, 22, 1, 30, tzinfo=timezone.utc)


@pytest.mark.sqlite_only("a SQLite file of the first released schema")
def test_a_store_of_the_first_schema_is_migrated_and_numbers_its_incidents(
    svc: Incidents, isolated: Path
) -> None:
    """A store written before incidents had numbers: opening it adds them, in the order the
    incidents were opened there, and loses nothing."""
    from incidentctl.store.sqlite import APPLICATION_ID, MIGRATIONS, _statements

    rb = runbook("payment-failure")
    ids = [svc.open(rb, severity="1", title=f"t{i}").state.id for i in range(3)]
    svc.note(ids[1], "kept")
    rows = svc.store.db.execute(  # type: ignore[attr-defined]
        "SELECT id, opened_at, runbook_id, runbook_sha256, title, severity, status, commander,"
        " last_seq, head_hash, updated_at FROM incidents ORDER BY rowid"
    ).fetchall()
    events = svc.store.db.execute("SELECT * FROM events").fetchall()  # type: ignore[attr-defined]
    snapshots = svc.store.db.execute("SELECT * FROM runbooks").fetchall()  # type: ignore[attr-defined]
    svc.store.close()
    old = isolated.parent / "old-home"
    old.mkdir(mode=0o700)
    db = sqlite3.connect(old / FILENAME, isolation_level=None)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in _statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.executemany(f"INSERT INTO runbooks VALUES ({','.join('?' * len(snapshots[0]))})", snapshots)
    db.executemany(f"INSERT INTO incidents VALUES ({','.join('?' * 11)})", rows)
    db.executemany(f"INSERT INTO events VALUES ({','.join('?' * len(events[0]))})", events)
    db.close()
    (old / FILENAME).chmod(0o600)
    store = open_home(old)
    try:
        assert [store.match_ids(str(n)) for n in (1, 2, 3)] == [[i] for i in ids]
        assert [e.payload.get("text") for e in store.events(ids[1])][-1] == "kept"
        assert all(verify_chain(store.events(i)) == [] for i in ids)
    finally:
        store.close()
    db = sqlite3.connect(old / FILENAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    db.close()


def test_the_fast_sha256_is_sha256() -> None:
    """Hashes come from the interpreter's own SHA-256 when it has one: the same digests
    hashlib gives, or every stored chain would stop verifying."""
    import hashlib

    from incidentctl.records import sha256, sha256_of

    for data in (b"", b"abc", "应急 \u0000 事件".encode() * 1000):
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
        grown = sha256()
        grown.update(data)
        grown.update(b"\0")
        assert grown.hexdigest() == hashlib.sha256(data + b"\0").hexdigest()
    doc = {"b": [1, "二"], "a": None}
    assert sha256_of(doc) == hashlib.sha256('{"a":null,"b":[1,"二"]}'.encode()).hexdigest()
