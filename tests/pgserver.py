"""A real PostgreSQL server for the tests: the one ``$INCIDENTCTL_TEST_PG`` names (a
superuser's URL, as ``.ci/run`` exports), else a throwaway cluster started here with
``initdb`` and ``pg_ctl`` in a temporary directory, on a Unix socket only, stopped at
the end.  Without either, the PostgreSQL tests skip, saying why; under ``CI=true``
they fail instead."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

#: A PostgreSQL superuser's URL the tests may create databases and roles on.
ENV = "INCIDENTCTL_TEST_PG"
#: That server's data directory, if the tests may restart it (``pg_ctl restart``).
DATA_ENV = "INCIDENTCTL_TEST_PGDATA"


def unavailable(reason: str) -> None:
    """Skip outside CI; fail under ``CI=true``, where PostgreSQL must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


class Cluster:
    """A throwaway cluster: data and socket in one temporary directory (or, ``existing``,
    the data directory of a server someone else started and will stop)."""

    def __init__(self, existing: Path | None = None) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            unavailable(f"no PostgreSQL server: set ${ENV} or install postgresql")
        assert initdb is not None and pg_ctl is not None
        self.pg_ctl = pg_ctl
        self.owned = existing is None
        self.dir = (
            Path(tempfile.mkdtemp(prefix="incidentctl-pg-")) if existing is None else existing
        )
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            if self.owned:
                os.chown(self.dir, _uid("postgres"), -1)
            runuser = _sbin("runuser")
            if runuser is None:
                unavailable("running as root, and no runuser to start PostgreSQL as its own user")
            self.as_user = [str(runuser), "-u", "postgres", "--"]
        self.data = self.dir / "data" if existing is None else existing
        if existing is not None:
            self.url = ""
            return
        try:
            self._run(
                initdb,
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            )
            self.start()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.url = f"postgresql://postgres@/postgres?host={self.dir}"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd="/",  # the tests' own directory may be closed to the server's user
            check=False,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},  # whatever locale the tests set
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])}: {done.stderr or done.stdout}")

    def start(self) -> None:
        options = f"-k {self.dir} -c listen_addresses='' -c fsync=off -c max_connections=100"
        log = str(self.dir / "server.log")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def restart(self) -> None:
        log = str(self.data / "restart.log")  # not our pipe: the server outlives pg_ctl
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-l", log, "-w", "restart")

    def stop(self) -> None:
        if not self.owned:
            return
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _sbin(name: str) -> str | None:
    """A system program, found on the path or where Debian keeps it (a root shell's path
    need not name the sbin directories)."""
    found = shutil.which(name)
    if found:
        return found
    return next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None)


def _uid(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid


def with_database(url: str, dbname: str) -> str:
    """``url`` naming the database ``dbname`` instead."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))


class Server:
    """The server the tests use, and fresh initialised databases on it."""

    def __init__(self, url: str, cluster: Cluster | None) -> None:
        self.url = url
        self.cluster = cluster
        self.template: str | None = None

    def execute(self, sql: str, dbname: str | None = None) -> None:
        import psycopg

        target = with_database(self.url, dbname) if dbname else self.url
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(sql)

    def can_restart(self) -> bool:
        return self.cluster is not None

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut."""
        assert self.cluster is not None
        self.cluster.restart()

    def fresh(self, *, initialised: bool = True) -> str:
        """The URL of a new database, with an incidentctl store in it if ``initialised``."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        if not initialised:
            self.execute(f"CREATE DATABASE {name}")
            return with_database(self.url, name)
        if self.template is None:
            from incidentctl.store.admin import initialise

            template = f"tmpl_{uuid.uuid4().hex[:12]}"
            self.execute(f"CREATE DATABASE {template}")
            initialise(with_database(self.url, template))
            self.template = template
        self.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return with_database(self.url, name)

    def drop(self, url: str) -> None:
        """Drop the database of ``url`` (one of :meth:`fresh`'s), cutting whatever is still
        connected to it: each is some 8 MB on disk, and a run makes hundreds."""
        from urllib.parse import urlsplit

        name = urlsplit(url).path.lstrip("/")
        assert name.startswith("t_"), name
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def used(self, url: str) -> bool:
        """Whether anything was written to the store at ``url`` since :meth:`fresh`."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM incidentctl.runbooks)"
                " OR EXISTS (SELECT 1 FROM incidentctl.incidents)"
            ).fetchone()
        return bool(row and row[0])


def start() -> Server:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed: pip install 'incidentctl[postgres]'")
    url = os.environ.get(ENV)
    if url:
        data = os.environ.get(DATA_ENV)
        return Server(url, Cluster(Path(data)) if data else None)
    try:
        cluster = Cluster()
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        unavailable(f"could not start a throwaway PostgreSQL cluster: {exc}")
        raise  # unavailable() skips or fails; this is for the type checker
    return Server(cluster.url, cluster)
