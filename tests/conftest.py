from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from incidentctl import paths
from incidentctl.cli.app import App
from incidentctl.cli.main import cli
from incidentctl.clock import ManualClock

if TYPE_CHECKING:
    from incidentctl.incidents.service import Incidents
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import Store

    from .pgserver import Server

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

#: 2026-11-22 10:00 in Shanghai.
T0 = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def isolated(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """No test touches the real store, the user's runbooks or the user's locale; and
    none reaches the store of its home on a backend it was not meant to (see
    :func:`pytest_generate_tests`)."""
    home = tmp_path / "home"
    monkeypatch.setenv("INCIDENTCTL_HOME", str(home))
    for var in (
        "INCIDENTCTL_RUNBOOKS",
        "INCIDENTCTL_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "XDG_DATA_HOME",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("INCIDENTCTL_USER", "tester")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")  # tests of other widths set their own
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("INCIDENTCTL_CACHE", raising=False)
    monkeypatch.delenv("INCIDENTCTL_STORE", raising=False)

    def refuse() -> Path:
        raise AssertionError("a test reached for the real default store location")

    monkeypatch.setattr(paths, "default_home", refuse)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    yield home
    _check_backend(request.node, home)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


Run = Callable[..., Result]


@pytest.fixture
def run(clock: ManualClock) -> Run:
    """Invoke the CLI in-process on the fake clock; assert the exit code (any, for
    ``expect=None``)."""

    def invoke(*args: str, input: str | None = None, expect: int | None = 0) -> Result:
        app = App(clock=clock)
        result = CliRunner().invoke(cli, list(args), obj=app, input=input, catch_exceptions=False)
        assert expect is None or result.exit_code == expect, (
            f"exit {result.exit_code} != {expect}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result

    return invoke


# --- incidents on a fake clock ------------------------------------------------------

SHANGHAI = "Asia/Shanghai"


def runbook(name: str) -> Runbook:
    """A shipped runbook by id, or a test runbook from data/runbooks/valid/ by file stem."""
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.validate import load_runbook

    for directory in (shipped_runbooks_dir(), DATA / "runbooks" / "valid"):
        path = directory / f"{name}.yaml"
        if path.exists():
            return load_runbook(path)
    raise FileNotFoundError(name)


def open_home(home: Path, *, create: bool = True, read_only: bool = False) -> Store:
    """The store of an incidentctl home as the CLI opens it: ``$INCIDENTCTL_STORE`` (the
    team store of a test run on PostgreSQL), else the home's SQLite file."""
    from incidentctl.store import home_location, open_store

    location = os.environ.get("INCIDENTCTL_STORE") or home_location(home)
    return open_store(location, create=create and not read_only, read_only=read_only)


# --- both backends ---------------------------------------------------------------------


class Owner:
    """A connection to the store of ``home`` (``$INCIDENTCTL_STORE`` if set) with every
    right over it, as someone who owns the file or the database could open one: the
    sqlite3 module on the file, or psycopg as the server's superuser.  Statements take
    ``?`` placeholders on both, and each commits on its own."""

    def __init__(self, home: Path) -> None:
        location = os.environ.get("INCIDENTCTL_STORE")
        self.postgres = bool(location and location.startswith("postgresql://"))
        if self.postgres:
            import psycopg

            assert location is not None
            self.pg = psycopg.connect(location, autocommit=True)
            self.pg.execute("SET search_path TO incidentctl")
            self.error: type[Exception] = psycopg.Error
        else:
            import sqlite3

            self.lite = sqlite3.connect(home / "incidents.db", isolation_level=None)
            self.lite.execute("PRAGMA foreign_keys = OFF")
            self.error = sqlite3.DatabaseError
        self.disarmed = False

    def execute(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql``; its rows (none for a statement that returns none)."""
        if self.postgres:
            cur = self.pg.execute(sql.replace("?", "%s"), args or None)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
        return [tuple(r) for r in self.lite.execute(sql, args).fetchall()]

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the store's tables, in order: what a reader must leave as it was."""
        return {
            "runbooks": self.execute("SELECT * FROM runbooks ORDER BY sha256"),
            "incidents": self.execute("SELECT * FROM incidents ORDER BY id"),
            "events": self.execute("SELECT * FROM events ORDER BY incident_id, seq"),
        }

    def one(self, sql: str, args: tuple[object, ...] = ()) -> tuple[Any, ...]:
        (row,) = self.execute(sql, args)
        return row

    def disarm(self) -> None:
        """Switch off what refuses changes: SQLite's triggers are dropped; PostgreSQL's,
        and the foreign keys with them, are disabled (a superuser's right)."""
        self.disarmed = True
        if self.postgres:
            for table in ("events", "runbooks", "incidents"):
                self.pg.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            return
        for (name,) in self.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            self.lite.execute(f"DROP TRIGGER {name}")

    def close(self) -> None:
        if self.postgres:
            for table in ("events", "runbooks", "incidents") if self.disarmed else ():
                self.pg.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")  # tracks covered
            self.pg.close()
        else:
            self.lite.close()


def tamper(home: Path, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """What someone with every right over the store could do, append-only or not: switch
    the triggers that refuse changes off, then run ``sql`` (``?`` placeholders) on the
    store of ``home`` (``$INCIDENTCTL_STORE`` if set); its rows."""
    owner = Owner(home)
    try:
        owner.disarm()
        return owner.execute(sql, args)
    finally:
        owner.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A real PostgreSQL server (see tests/pgserver.py); skips without one, outside CI."""
    from .pgserver import start

    server = start()
    yield server
    if server.cluster is not None:
        server.cluster.stop()


@pytest.fixture
def pg_url(pg_server: Server) -> str:
    """A fresh database on the server, with an initialised incidentctl store in it."""
    return pg_server.fresh()


#: The fixtures through which a test reaches the store of its home: a test that needs any
#: of them (directly or through another fixture) runs once on each backend.
STORE_FIXTURES = frozenset({"backend", "store", "svc", "run"})
#: Fixtures of the tests that are about a PostgreSQL server itself: they choose their stores.
SERVER_FIXTURES = frozenset({"pg_server", "pg_url"})
BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "store: the test reaches the store of its home without a store fixture (open_home, "
        "a subprocess): run it on both backends",
    )
    config.addinivalue_line(
        "markers",
        "no_store(reason): the test uses the CLI but never the store: run it once",
    )
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test is about the SQLite file itself: no PostgreSQL variant",
    )


def _reason(item: pytest.Item | pytest.Function, name: str) -> str:
    mark = item.get_closest_marker(name)
    if mark is None:
        return ""
    reason = mark.args[0] if mark.args else mark.kwargs.get("reason", "")
    if not isinstance(reason, str) or not reason.strip():
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{name} needs a one-line reason")
    return reason


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that touches the store of its home on both backends: the ``backend``
    parameter (``[sqlite]``, ``[postgresql]``), unless the test is marked ``sqlite_only``
    (then ``[sqlite]`` alone: nothing is generated to be skipped) or ``no_store``, or is
    about a PostgreSQL server itself (it asks for ``pg_server`` or ``pg_url``)."""
    definition = metafunc.definition
    names = set(metafunc.fixturenames)
    if any(m.args and "backend" in str(m.args[0]) for m in definition.iter_markers("parametrize")):
        return  # parametrized by the test itself
    touches = bool(names & STORE_FIXTURES) or any(
        definition.get_closest_marker(name) is not None for name in ("store", "sqlite_only")
    )
    if not touches or (names & SERVER_FIXTURES and "backend" not in names):
        return
    if _reason(definition, "no_store"):
        if definition.get_closest_marker("store") is not None:
            raise pytest.UsageError(f"{definition.nodeid}: both store and no_store")
        return
    params = BACKENDS[:1] if _reason(definition, "sqlite_only") else BACKENDS
    if "backend" not in metafunc.fixturenames:
        metafunc.fixturenames.append("backend")  # set up first by _backend_first
    metafunc.parametrize("backend", params, indirect=True)


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend") if callspec is not None else None


def _check_backend(item: pytest.Item, home: Path) -> None:
    """Fail a test that reached the SQLite file of its home without saying so: one that runs
    once but writes it (it must run on both backends, or be marked ``sqlite_only``), or the
    PostgreSQL variant of one (it went round ``$INCIDENTCTL_STORE``)."""
    from incidentctl.store import FILENAME

    if not (home / FILENAME).exists():
        return
    backend = _backend_of(item)
    if backend == "postgresql":
        pytest.fail(
            f"{item.nodeid} ran on PostgreSQL but wrote {FILENAME} in its home: it opened the "
            "store round $INCIDENTCTL_STORE (use open_home or the store fixture)",
            pytrace=False,
        )
    if backend is None and item.get_closest_marker("no_store") is not None:
        pytest.fail(f"{item.nodeid} is marked no_store but wrote {FILENAME}", pytrace=False)
    if backend is None and item.get_closest_marker("sqlite_only") is None:
        pytest.fail(
            f"{item.nodeid} wrote {FILENAME} in its home but runs on SQLite only: mark it "
            "store (both backends) or sqlite_only(reason)",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _backend_first(request: pytest.FixtureRequest) -> None:
    """Set the backend up before any other fixture of the test (one that opens an incident
    through the CLI or open_home, say), whether the test names it or not."""
    if _backend_of(request.node) is not None:
        request.getfixturevalue("backend")


@pytest.fixture
def backend(
    request: pytest.FixtureRequest, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The backend the test runs on (parametrized by :func:`pytest_generate_tests`): on
    ``postgresql``, ``$INCIDENTCTL_STORE`` names a fresh team store, so the CLI, the
    ``store`` fixture and :func:`open_home` all use it."""
    name = str(getattr(request, "param", "sqlite"))
    if name != "postgresql":
        yield name
        return
    from incidentctl.store.postgres import PostgresStore

    server: Server = request.getfixturevalue("pg_server")
    url = server.fresh()
    monkeypatch.setenv("INCIDENTCTL_STORE", url)
    opened = 0
    plain = PostgresStore.open.__func__  # type: ignore[attr-defined]

    def counted(cls: type[PostgresStore], *args: Any, **kwargs: Any) -> PostgresStore:
        nonlocal opened
        opened += 1
        return plain(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(PostgresStore, "open", classmethod(counted))
    yield name
    try:
        if not opened and not server.used(url) and not request.node.get_closest_marker("no_store"):
            pytest.fail(
                f"{request.node.nodeid} ran on PostgreSQL but never reached the store: mark "
                "it no_store(reason) rather than run it twice",
                pytrace=False,
            )
    finally:
        server.drop(url)


@pytest.fixture
def another_store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """Move the test to a store of its own (someone else's machine): on PostgreSQL a fresh
    database; a SQLite store goes with the home, which the test moves itself."""

    def move() -> None:
        if os.environ.get("INCIDENTCTL_STORE", "").startswith("postgresql://"):
            server: Server = request.getfixturevalue("pg_server")
            url = server.fresh()
            request.addfinalizer(lambda: server.drop(url))
            monkeypatch.setenv("INCIDENTCTL_STORE", url)

    return move


@pytest.fixture
def store(isolated: Path, backend: str) -> Iterator[Store]:
    s = open_home(isolated)
    yield s
    s.close()


@pytest.fixture
def svc(store: Store, clock: ManualClock) -> Incidents:
    from zoneinfo import ZoneInfo

    from incidentctl.incidents.service import Incidents

    return Incidents(store, clock, actor="alice", zone=ZoneInfo(SHANGHAI))


# --- messages ---------------------------------------------------------------------

#: Inputs of public-opinion's press-statement template.
PRESS_INPUTS = {
    "topic": "重复扣款",
    "affected": "约 1200 位用户",
    "first_actions": "暂停受影响通道并自动退款",
}


@pytest.fixture
def org(isolated: Path) -> None:
    """A home config naming the organisation and its hotline, as message templates need."""
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "config.yaml").write_text(
        "org: {name: 示例商城, hotline: 400-820-0000}\n", encoding="utf-8"
    )


def open_press_incident(run: Run) -> str:
    """A sev1 public-opinion incident with its commander and scope set; its id."""
    return run(
        "open",
        "public-opinion",
        "-s",
        "1",
        "-t",
        "微博热搜：重复扣款",
        "--commander",
        "王伟",
        "--scope",
        "部分 App 用户",
    ).stdout.strip()


def write_config(home: Path, text: str) -> None:
    """Write ``config.yaml`` in ``home`` as a careful user would: the home 0700, the file
    0600 (it holds webhook tokens and signing secrets; a looser one is refused)."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = home / "config.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


# --- the reliability suite (tests/reliability/): fast by default, longer with --soak ----------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--soak",
        action="store_true",
        help="Run the reliability suite long: hundreds of kills, more writers, more examples.",
    )


@pytest.fixture
def soak(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--soak"))


def checks_at_once(env: dict[str, str], *, rounds: int) -> None:
    """``rounds`` times, two real ``check`` processes started together; each must report
    breaches (exit 5) and nothing else go wrong."""
    import subprocess
    import sys

    for _ in range(rounds):
        checks = [
            subprocess.Popen(
                [sys.executable, "-m", "incidentctl", "check"],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = [c.communicate(timeout=60) for c in checks]
        assert [c.returncode for c in checks] == [5, 5], outputs
