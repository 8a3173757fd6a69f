"""Choosing the store, and what only a team store on PostgreSQL has: roles that keep history
append-only, explicit initialisation and upgrade, announcements of changes, clear lines for a
server that cannot be reached, and a command retried across a server restart."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from incidentctl.errors import StoreError
from incidentctl.incidents import events as ev
from incidentctl.records import verify_chain
from incidentctl.store import display_location, open_store

from .conftest import REPO, Run, open_home, runbook
from .pgserver import with_database

if TYPE_CHECKING:
    from .pgserver import Server


# --- choosing the store (no server needed) -------------------------------------------------


@pytest.mark.sqlite_only("chooses among SQLite files it names itself")
def test_store_option_beats_the_environment_which_beats_the_config(
    run: Run, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "config.yaml").write_text("store: sqlite://configured.db\n", encoding="utf-8")
    run("open", "payment-failure", "-s", "1", "-t", "from config")
    assert (isolated / "configured.db").exists()  # relative to the home
    assert not (isolated / "incidents.db").exists()
    env = tmp_path / "env.db"
    monkeypatch.setenv("INCIDENTCTL_STORE", f"sqlite://{env}")
    run("open", "payment-failure", "-s", "1", "-t", "from env")
    option = tmp_path / "option.db"
    run("list", "--store", f"sqlite://{option}", "--status", "all")
    run("open", "payment-failure", "-s", "1", "-t", "from option", "--store", f"sqlite://{option}")
    titles = {
        where: [
            i["title"]
            for i in json.loads(run("--store", where, "list", "--json").stdout)["incidents"]
        ]
        for where in (
            f"sqlite://{isolated / 'configured.db'}",
            f"sqlite://{env}",
            f"sqlite://{option}",
        )
    }
    assert list(titles.values()) == [["from config"], ["from env"], ["from option"]]


@pytest.mark.no_store("refused before any store is opened")
@pytest.mark.parametrize(
    "location", ["mysql://db/incidents", "redis://x", "http://example.com/incidents.db"]
)
def test_an_unknown_kind_of_store_is_one_clear_line(run: Run, location: str) -> None:
    result = run("--store", location, "list", expect=1)
    scheme = location.split(":", maxsplit=1)[0]
    assert f"unsupported store location '{scheme}://...'" in result.stderr
    assert "postgresql://" in result.stderr
    assert "Traceback" not in result.stderr
    error = json.loads(run("--store", location, "list", "--json", expect=1).stderr)
    assert error["error"]["code"] == "store.location"


@pytest.mark.no_store("refused before any store is opened")
def test_an_unknown_kind_of_store_in_the_config_is_located(run: Run, isolated: Path) -> None:
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "config.yaml").write_text("store: mysql://db/x\n", encoding="utf-8")
    assert "config.yaml:1:8: store:" in run("list", expect=1).stderr


def test_passwords_are_masked_wherever_a_location_is_shown() -> None:
    assert (
        display_location("postgresql://alice:s3cret@db:5432/inc?sslmode=require")
        == "postgresql://alice:***@db:5432/inc?sslmode=require"
    )
    masked = display_location("postgresql://alice@db/inc?password=s3cret&sslmode=require")
    assert "s3cret" not in masked and "sslmode=require" in masked
    assert display_location("postgresql:///inc?service=team") == "postgresql:///inc?service=team"
    assert display_location("postgresql:///inc?password=pw") == "postgresql:///inc?password=***"
    assert display_location("/home/me/incidents.db") == "/home/me/incidents.db"


def test_a_server_that_cannot_be_reached_is_one_line_without_the_password(run: Run) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    url = "postgresql://alice:s3cret@127.0.0.1:9/incidents?connect_timeout=2"
    result = run("--store", url, "open", "payment-failure", "-s", "1", "-t", "x", expect=1)
    assert "s3cret" not in result.output
    assert "can be seen by other users" in result.stderr  # the password on the command line
    assert "cannot reach the store postgresql://alice:***@127.0.0.1:9/incidents" in result.stderr
    assert "as user alice" in result.stderr
    assert "Hint: check that the server is running" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "env", "completing", "waited"),
    [
        ("postgresql://alice@127.0.0.1:9/incidents", None, False, 10),  # a command: ten seconds
        ("postgresql://alice@127.0.0.1:9/incidents", None, True, 2),  # shell completion: two
        ("postgresql://alice@127.0.0.1:9/incidents?connect_timeout=30", None, True, None),
        ("postgresql://alice@127.0.0.1:9/incidents", "45", False, None),
    ],
)
def test_how_long_a_team_store_is_waited_for(
    monkeypatch: pytest.MonkeyPatch, url: str, env: str | None, completing: bool, waited: int | None
) -> None:
    """Shell completion gives up on a server that does not answer after two seconds (the
    shell waits on every Tab); a command waits ten; a wait the user chose, in the URL or
    ``$PGCONNECT_TIMEOUT``, is never overridden (None: left to libpq)."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    from incidentctl.cli.app import App

    asked: list[dict[str, object]] = []

    def connect(conninfo: str, **kwargs: object) -> None:
        asked.append(kwargs)
        raise psycopg.OperationalError("timeout expired")

    monkeypatch.setattr(psycopg, "connect", connect)
    monkeypatch.setenv("INCIDENTCTL_STORE", url)
    if env is not None:
        monkeypatch.setenv("PGCONNECT_TIMEOUT", env)
    else:
        monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    app = App()
    with pytest.raises(StoreError, match="cannot reach the store"):
        app.read_only_store() if completing else app.store()
    assert [a.get("connect_timeout") for a in asked] == [waited]


@pytest.mark.no_store("it names its own store and has no driver to reach it")
def test_without_psycopg_a_team_store_says_what_to_install(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    result = run("--store", "postgresql://db.internal/incidents", "list", expect=1)
    assert "needs the psycopg package" in result.stderr
    assert "pip install 'incidentctl[postgres]'" in result.stderr


def test_sqlite_commands_never_import_the_postgresql_driver(isolated: Path) -> None:
    code = (
        "import sys\n"
        "from incidentctl.cli.main import main\n"
        "try:\n    main(['list'])\nexcept SystemExit:\n    pass\n"
        "print('psycopg' in sys.modules, 'incidentctl.store.postgres' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip().splitlines()[-1] == "False False"


# --- a team store ---------------------------------------------------------------------------


def test_an_uninitialised_database_says_to_run_store_init(run: Run, pg_server: Server) -> None:
    url = pg_server.fresh(initialised=False)
    result = run("--store", url, "open", "payment-failure", "-s", "1", "-t", "x", expect=1)
    assert "holds no incidentctl store yet" in result.stderr
    assert f"incidentctl store init {url}" in result.stderr
    assert "initialised" not in json.dumps(run("--store", url, "store", "init", "--json").stdout)
    assert json.loads(run("--store", url, "store", "status", "--json").stdout)["can_write"]
    run("--store", url, "open", "payment-failure", "-s", "1", "-t", "x")


def test_init_migrates_an_older_schema_in_order_and_commands_wait_for_it(
    run: Run, pg_server: Server
) -> None:
    from incidentctl.store.postgres import MIGRATIONS, SCHEMA

    url = pg_server.fresh(initialised=False)
    from urllib.parse import urlsplit

    dbname = urlsplit(url).path.lstrip("/")
    pg_server.execute(
        f"CREATE SCHEMA {SCHEMA}; SET search_path TO {SCHEMA}; "
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
        f"{MIGRATIONS[0]}; INSERT INTO schema_migrations (version) VALUES (1);",
        dbname,
    )
    result = run("--store", url, "list", expect=1)
    assert "has schema version 1 and must be upgraded first" in result.stderr
    init = json.loads(run("store", "init", url, "--json").stdout)
    assert (init["from_version"], init["to_version"]) == (1, len(MIGRATIONS))
    status = json.loads(run("--store", url, "store", "status", "--json").stdout)
    assert status["store_schema_version"] == status["known_schema_version"] == len(MIGRATIONS)
    run("--store", url, "open", "payment-failure", "-s", "1", "-t", "x")
    assert "#1" in run("--store", url, "list").stdout


def _login(pg_server: Server, url: str, role: str) -> str:
    """A new login role, member of ``role``; ``url`` as that user."""
    user = f"u_{uuid.uuid4().hex[:10]}"
    pg_server.execute(f"CREATE ROLE {user} LOGIN IN ROLE {role}")
    return url.replace("postgresql://postgres@", f"postgresql://{user}@", 1)


def test_a_responder_appends_but_can_never_rewrite_history(
    run: Run, pg_server: Server, pg_url: str
) -> None:
    import psycopg

    responder = _login(pg_server, pg_url, "incidentctl_responder")
    inc = run("--store", responder, "open", "payment-failure", "-s", "1", "-t", "x").stdout.strip()
    run("--store", responder, "step", "done", inc, "assemble")
    status = json.loads(run("--store", responder, "store", "status", "--json").stdout)
    assert status["can_write"] is True and status["user"].startswith("u_")
    for sql in (
        "UPDATE incidentctl.events SET actor = 'mallory'",
        "DELETE FROM incidentctl.events",
        "TRUNCATE incidentctl.events",
        "UPDATE incidentctl.runbooks SET document = '{}'",
        "DELETE FROM incidentctl.incidents",
        "UPDATE incidentctl.incidents SET number = 99",  # only the summary's columns move
        "DROP TRIGGER events_no_change ON incidentctl.events",
        "ALTER TABLE incidentctl.events DISABLE TRIGGER ALL",
    ):
        with psycopg.connect(responder, autocommit=True) as conn, pytest.raises(psycopg.Error):
            conn.execute(sql)
    # even the owner is refused by the triggers
    for sql in ("UPDATE incidentctl.events SET actor = 'x'", "TRUNCATE incidentctl.events CASCADE"):
        with (
            psycopg.connect(pg_url, autocommit=True) as conn,
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            conn.execute(sql)
    # and the summary row moves only with the events appended, checked at commit: one
    # UPDATE that closes an incident (silencing check, hiding it from list) is refused
    for sql in (
        "UPDATE incidentctl.incidents SET status = 'closed'",
        "UPDATE incidentctl.incidents SET last_seq = last_seq + 1",
    ):
        with (
            psycopg.connect(responder, autocommit=True) as conn,
            pytest.raises(psycopg.errors.RaiseException, match="summary rows change only"),
        ):
            conn.execute(sql)
    assert '"ok": true' in run("--store", responder, "audit", "verify", "--all", "--json").stdout


def test_an_auditor_reads_everything_and_records_nothing(
    run: Run, pg_server: Server, pg_url: str
) -> None:
    inc = run("--store", pg_url, "open", "payment-failure", "-s", "1", "-t", "x").stdout.strip()
    auditor = _login(pg_server, pg_url, "incidentctl_auditor")
    assert inc in run("--store", auditor, "list").stdout
    run("--store", auditor, "show", inc)
    run("--store", auditor, "audit", "verify", "--all")
    status = json.loads(run("--store", auditor, "store", "status", "--json").stdout)
    assert status["can_write"] is False
    assert "you may write  no (read only)" in run("--store", auditor, "store", "status").stdout
    refused = run("--store", auditor, "note", inc, "auditor was here", expect=1)
    assert "may not do that in the store" in refused.stderr
    assert "incidentctl_responder" in refused.stderr
    refused = run("--store", auditor, "open", "payment-failure", "-s", "1", "-t", "y", expect=1)
    assert "Traceback" not in refused.stderr
    assert len(open_store(pg_url).events(inc)) == 1


def test_a_read_only_opening_cannot_write(pg_url: str, run: Run) -> None:
    inc = run("--store", pg_url, "open", "payment-failure", "-s", "1", "-t", "x").stdout.strip()
    store = open_store(pg_url, read_only=True)
    try:
        assert [e.seq for e in store.events(inc)] == [1]
        head = store.events(inc)[0]
        from incidentctl.records import Draft, Head, seal_after
        from incidentctl.store.base import Summary

        sealed = seal_after(
            Head.of(head),
            inc,
            [Draft(ev.NOTE, {"text": "x"}, "x", head.recorded_at, head.recorded_at)],
        )
        with pytest.raises(StoreError, match="read-only"):
            store.append(inc, Head.of(head), sealed, Summary("x", "sev1", "open", None))
    finally:
        store.close()


def test_others_changes_are_announced_at_once(pg_url: str, run: Run) -> None:
    import select

    watcher = open_store(pg_url, read_only=True)
    try:
        before = watcher.change_token()
        fd = watcher.wake_fd()
        assert fd is not None
        assert select.select([fd], [], [], 0)[0] == []  # nothing yet
        run("--store", pg_url, "open", "payment-failure", "-s", "1", "-t", "x")
        assert select.select([fd], [], [], 5)[0] == [fd]
        after = watcher.change_token()
        assert after != before
        assert watcher.change_token() == after  # nothing new
        assert select.select([fd], [], [], 0)[0] == []
    finally:
        watcher.close()


def _opener(url: str, count: int) -> None:
    from zoneinfo import ZoneInfo

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents

    store = open_store(url)
    svc = Incidents(store, SystemClock(), actor="x", zone=ZoneInfo("UTC"))
    rb = runbook("payment-failure")
    for i in range(count):
        svc.open(rb, severity="1", title=f"t{i}")
    store.close()


@pytest.mark.usefixtures("backend")
def test_concurrent_opens_get_distinct_ids_and_numbers(isolated: Path) -> None:
    open_home(isolated).close()  # the SQLite file exists before the race
    url = os.environ.get("INCIDENTCTL_STORE") or str(isolated / "incidents.db")
    workers, count = 6, 5
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_opener, args=(url, count)) for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    store = open_home(isolated)
    rows = store.incidents()
    assert len(rows) == workers * count
    assert len({r.id for r in rows}) == len(rows)
    assert sorted(r.number for r in rows) == list(range(1, len(rows) + 1))
    for r in rows:
        assert verify_chain(store.events(r.id)) == []
    store.close()


def test_a_server_restart_mid_run_loses_nothing_acknowledged(
    pg_server: Server, pg_url: str, run: Run
) -> None:
    from zoneinfo import ZoneInfo

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents

    if not pg_server.can_restart():
        pytest.skip("the server was given by URL without its data directory")
    store = open_store(pg_url)
    svc = Incidents(store, SystemClock(), actor="x", zone=ZoneInfo("UTC"))
    inc = svc.open(runbook("payment-failure"), severity="1", title="restart").state.id
    acknowledged: list[str] = []
    for i in range(40):
        if i == 20:
            pg_server.restart()
        try:
            svc.note(inc, f"n{i}")
            acknowledged.append(f"n{i}")
        except StoreError as exc:  # a clear line, never a traceback
            assert "cannot reach the store" in str(exc), exc
    assert len(acknowledged) >= 39  # one retry takes the restart in its stride
    events = open_store(pg_url).events(inc)
    assert verify_chain(events) == []
    notes = [e.payload["text"] for e in events if e.type == ev.NOTE]
    assert notes == acknowledged  # nothing lost, nothing twice, nothing half-written
    store.close()


def test_a_password_refused_is_one_line_naming_the_user(
    pg_server: Server, pg_url: str, run: Run
) -> None:
    # a role that may not log in stands for a refused authentication
    user = f"u_{uuid.uuid4().hex[:10]}"
    pg_server.execute(f"CREATE ROLE {user} NOLOGIN")
    url = pg_url.replace("postgresql://postgres@", f"postgresql://{user}@", 1)
    result = run("--store", url, "list", expect=1)
    assert f"refused user {user}" in result.stderr
    assert "~/.pgpass" in result.stderr
    assert "Traceback" not in result.stderr
    assert with_database(url, "x") != url


# --- moving to the team store ------------------------------------------------------------


def _rows(location: str) -> dict[str, list[tuple[object, ...]]]:
    """Every event row and runbook snapshot of a store, as its driver reads them."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location) as conn:
            events = conn.execute(
                "SELECT * FROM incidentctl.events ORDER BY incident_id, seq"
            ).fetchall()
            runbooks = conn.execute("SELECT * FROM incidentctl.runbooks ORDER BY 1").fetchall()
    else:
        import sqlite3

        db = sqlite3.connect(location)
        events = db.execute("SELECT * FROM events ORDER BY incident_id, seq").fetchall()
        runbooks = db.execute("SELECT * FROM runbooks ORDER BY 1").fetchall()
        db.close()
    return {"events": [tuple(r) for r in events], "runbooks": [tuple(r) for r in runbooks]}


@pytest.mark.usefixtures("backend")
def test_copy_moves_incidents_byte_for_byte_and_is_idempotent(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    """From a SQLite file into the store under test (a team store, or another file)."""
    source = tmp_path / "laptop.db"
    laptop = ("--store", f"sqlite://{source}")
    first = run(*laptop, "open", "payment-failure", "-s", "1", "-t", "支付失败").stdout.strip()
    run(*laptop, "step", "done", first, "assemble", "--note", "war room")
    run(*laptop, "note", first, "客服已统一口径")
    second = run(*laptop, "open", "data-breach", "-s", "2", "-t", "泄露").stdout.strip()
    target = os.environ.get("INCIDENTCTL_STORE") or f"sqlite://{tmp_path / 'team.db'}"
    report = json.loads(
        run("store", "copy", "--from", f"sqlite://{source}", "--to", target, "--json").stdout
    )
    assert report["ok"] is True
    assert [(i["incident"], i["outcome"]) for i in report["incidents"]] == [
        (first, "copied"),
        (second, "copied"),
    ]
    assert _rows(str(source)) == _rows(target.removeprefix("sqlite://"))
    assert '"ok": true' in run("--store", target, "audit", "verify", "--all", "--json").stdout
    assert "支付失败" in run("--store", target, "show", first).stdout
    again = run("store", "copy", "--from", f"sqlite://{source}", "--to", target)
    assert "0 copied, 0 completed, 2 already there, 0 refused" in again.stdout
    # a new note on the laptop: the team's copy is its beginning, and is completed
    run(*laptop, "note", second, "later")
    more = run("store", "copy", "--from", f"sqlite://{source}", "--to", target)
    assert "0 copied, 1 completed, 1 already there, 0 refused" in more.stdout
    assert _rows(str(source)) == _rows(target.removeprefix("sqlite://"))
    # another laptop opened a different incident under the same id
    other = tmp_path / "bob.db"
    bob = ("--store", f"sqlite://{other}")
    assert run(*bob, "open", "system-outage", "-s", "1", "-t", "宕机").stdout.strip() == first
    refused = run("store", "copy", "--from", f"sqlite://{other}", "--to", target, expect=1)
    assert f"{first}: the target holds a different incident under this id" in refused.stderr
    assert "0 copied, 0 completed, 0 already there, 1 refused" in refused.stdout
    assert "支付失败" in run("--store", target, "show", first).stdout  # nothing of it written


def test_copy_completes_an_incident_the_target_holds_only_the_beginning_of(
    run: Run, tmp_path: Path, pg_url: str
) -> None:
    from incidentctl.store.copy import copy_incidents

    source = tmp_path / "laptop.db"
    inc = run(
        "--store", str(source), "open", "payment-failure", "-s", "1", "-t", "x"
    ).stdout.strip()
    run("--store", str(source), "note", inc, "one")
    run("--store", str(source), "note", inc, "two")
    src, dst = open_store(source, read_only=True), open_store(pg_url)
    row = src.incident(inc)
    assert row is not None
    from incidentctl.store.base import Summary

    first = src.events(inc)[0]
    dst.create_incident(
        runbook_doc=src.runbook_document(row.runbook_sha256),
        runbook_sha256=row.runbook_sha256,
        opened=first,
        runbook_id=row.runbook_id,
        summary=Summary(row.title, row.severity, row.status, row.commander),
    )
    seen: list[tuple[int, int, str]] = []
    report = copy_incidents(src, dst, lambda *a: seen.append(a))
    assert [i.outcome for i in report.incidents] == ["completed"]
    assert seen == [(0, 1, inc), (1, 1, "")]
    assert [e.hash for e in dst.events(inc)] == [e.hash for e in src.events(inc)]
    target_row = dst.incident(inc)
    assert target_row is not None and target_row.last_seq == 3
    src.close()
    dst.close()


@pytest.mark.sqlite_only("copies between SQLite files it names itself")
def test_copy_refuses_a_source_whose_log_does_not_verify(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    import sqlite3

    source = tmp_path / "laptop.db"
    inc = run(
        "--store", str(source), "open", "payment-failure", "-s", "1", "-t", "x"
    ).stdout.strip()
    run("--store", str(source), "note", inc, "one")
    db = sqlite3.connect(source)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET actor = 'mallory' WHERE seq = 2")
    db.commit()
    db.close()
    target = tmp_path / "team.db"
    result = run("store", "copy", "--from", str(source), "--to", str(target), expect=1)
    assert "does not verify in the source" in result.stderr
    assert "0 copied" in result.stdout
    same = run("store", "copy", "--from", str(target), "--to", f"sqlite://{target}", expect=1)
    assert "cannot copy the store" in same.stderr


def test_both_backends_know_the_same_schema_versions() -> None:
    """A migration added to one store needs its twin in the other: the version numbers are
    shared (`store status`, refusing a newer store, `store copy` between them)."""
    from incidentctl.store import postgres, sqlite

    assert postgres.SCHEMA_VERSION == sqlite.SCHEMA_VERSION == len(sqlite.MIGRATIONS)
