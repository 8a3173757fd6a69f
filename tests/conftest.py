from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

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
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real store, the user's runbooks or the user's locale."""
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
    return home


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


def tamper(home: Path, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """What someone with every right over the store could do, append-only or not: switch
    the triggers that refuse changes off (SQLite: drop them), then run ``sql`` (``?``
    placeholders) on the store of ``home`` (``$INCIDENTCTL_STORE`` if set); its rows."""
    location = os.environ.get("INCIDENTCTL_STORE")
    if location and location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("SET search_path TO incidentctl")
            conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
            conn.execute("ALTER TABLE runbooks DISABLE TRIGGER USER")
            cur = conn.execute(sql.replace("?", "%s"), args)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
    import sqlite3

    db = sqlite3.connect(home / "incidents.db")
    for trigger in ("events_no_update", "runbooks_no_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    rows = [tuple(r) for r in db.execute(sql, args).fetchall()]
    db.commit()
    db.close()
    return rows


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


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once on each backend (``pytestmark = pytest.mark.usefixtures("backend")``):
    on ``postgresql``, ``$INCIDENTCTL_STORE`` names a fresh team store, so the CLI, the
    ``store`` fixture and :func:`open_home` all use it."""
    if request.param == "postgresql":
        server: Server = request.getfixturevalue("pg_server")
        monkeypatch.setenv("INCIDENTCTL_STORE", server.fresh())
    return str(request.param)


@pytest.fixture
def store(isolated: Path) -> Iterator[Store]:
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
