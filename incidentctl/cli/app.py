"""Per-invocation settings and the lazily built things commands share."""

from __future__ import annotations

import os
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from incidentctl.i18n import detect_lang, t
from incidentctl.render.style import Style, color_enabled

if TYPE_CHECKING:
    from datetime import datetime, tzinfo
    from pathlib import Path

    from incidentctl.clock import Clock
    from incidentctl.config import Config
    from incidentctl.deadlines.calendar import BusinessCalendar
    from incidentctl.deadlines.engine import Deadline, Policy
    from incidentctl.incidents.checkpoints import Checkpoints
    from incidentctl.incidents.service import Incidents, View
    from incidentctl.runbooks.repository import RunbookDir
    from incidentctl.store.base import Store


#: Columns assumed when neither $COLUMNS nor the terminal says.
DEFAULT_WIDTH = 80


class App:
    """What a command needs beyond its own arguments.

    Tests build one with a :class:`~incidentctl.clock.ManualClock` and pass it
    as ``obj`` to click's runner; the command line builds the default one.
    """

    def __init__(
        self,
        *,
        home: str | None = None,
        store: str | None = None,
        runbooks: str | None = None,
        lang: str | None = None,
        tz: str | None = None,
        actor: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.home_option = home
        self.store_option = store
        self.runbooks_option = runbooks
        self.lang = detect_lang(lang)
        self.tz_option = tz
        self.actor_option = actor
        self._clock = clock
        self._store: Store | None = None
        self._calendar: BusinessCalendar | None = None
        self._config: Config | None = None

    def apply(self, **options: Any) -> None:
        """Let command-line options override a prepared App."""
        if options.get("home"):
            self.home_option = options["home"]
        if options.get("store"):
            self.store_option = options["store"]
            self.__dict__.pop("store_location", None)
        if options.get("runbooks"):
            self.runbooks_option = options["runbooks"]
        if options.get("lang"):
            self.lang = detect_lang(options["lang"])
        if options.get("tz"):
            self.tz_option = options["tz"]
            self.__dict__.pop("zone", None)
        if options.get("actor"):
            self.actor_option = options["actor"]

    # --- time ---------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        if self._clock is None:
            from incidentctl.clock import SystemClock

            self._clock = SystemClock()
        return self._clock

    @cached_property
    def zone(self) -> tzinfo:
        from incidentctl.times import resolve_zone

        return resolve_zone(self.tz_option)

    # --- who and where -------------------------------------------------------
    @property
    def actor(self) -> str:
        if self.actor_option:
            return self.actor_option
        env = os.environ.get("INCIDENTCTL_USER")
        if env:
            return env
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):  # pragma: no cover - no passwd entry in a container
            return f"uid{os.getuid()}"

    @cached_property
    def home(self) -> Path:
        """The incidentctl home, refused if it is not a directory or someone else could have
        written it, and its config checked: every command that reads the home reports a
        broken ``config.yaml``, not only those that use the setting in it (a file is only
        read if it is there)."""
        from incidentctl.config import load_config
        from incidentctl.paths import check_home, check_private, home_dir, home_origin

        home = home_dir(self.home_option)
        check_home(home, home_origin(self.home_option))
        check_private(home, what="home")
        config = load_config(home)
        if config.exposed:
            self.echo(t("warn.config_readable", self.lang, path=config.path), err=True)
        self._config = config
        return home

    @cached_property
    def runbook_dir(self) -> RunbookDir:
        from incidentctl.paths import runbooks_dir
        from incidentctl.runbooks.repository import RunbookDir

        path, origin = runbooks_dir(self.runbooks_option)
        return RunbookDir(path, origin)

    @property
    def config(self) -> Config:
        """The home's ``config.yaml`` (defaults without one), checked when the home is read."""
        if self._config is None:
            self.home  # noqa: B018 - reading the home loads its config
        assert self._config is not None
        return self._config

    # --- incidents ------------------------------------------------------------
    @cached_property
    def store_location(self) -> str:
        """Where incidents are kept: ``--store``, else ``$INCIDENTCTL_STORE``, else the
        config's ``store:``, else the SQLite file in the home.  Refused at once if no
        backend serves it; a password in it is never shown (see
        :func:`~incidentctl.store.display_location`)."""
        from incidentctl.store import check_location, has_password, home_location

        # the home's config is checked by every command that reads a store, whichever store
        # it names: a mistake in it is not to wait for the command that needs that key
        configured = self.config.store
        given = self.store_option or os.environ.get("INCIDENTCTL_STORE") or None
        if given is None:
            if configured is None:
                return home_location(self.home)
            given = configured
            from incidentctl.store import is_postgres, sqlite_path

            if not is_postgres(given) and not sqlite_path(given).is_absolute():
                given = str(self.home / sqlite_path(given))
        check_location(given)
        if self.store_option and has_password(self.store_option):
            self.echo(t("warn.store_password", self.lang), err=True)
        return given

    def has_store(self) -> bool:
        """Whether there is a store yet (read-only listings say "no incidents" without one)."""
        if self._store is not None:
            return True
        from incidentctl.store import store_exists

        return store_exists(self.store_location)

    def _check_store_file(self, location: str) -> None:
        """Refuse a store file someone else could have written (a server store has its own
        permissions)."""
        from incidentctl.store import is_postgres

        if not is_postgres(location):
            from incidentctl.paths import check_private
            from incidentctl.store import sqlite_path

            check_private(sqlite_path(location), what="store")

    def store(self, *, create: bool = True) -> Store:
        if self._store is None:
            from incidentctl.store import open_store

            self._check_store_file(self.store_location)
            self._store = open_store(self.store_location, create=create)
        return self._store

    def close(self) -> None:
        """Close the store, if a command opened it."""
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def read_only_store(self) -> Store | None:
        """The store opened for reading alone, or ``None`` when there is none: nothing is
        created, migrated or written (what shell completion looks at).  A team store that
        does not answer within two seconds is given up: the shell waits on every Tab."""
        from incidentctl.store import open_store, store_exists

        location = self.store_location
        if not store_exists(location):
            return None
        self._check_store_file(location)
        return open_store(location, create=False, read_only=True, connect_timeout=COMPLETION_WAIT)

    def incidents(self, *, create: bool = False) -> Incidents:
        from incidentctl.incidents.service import Incidents

        return Incidents(
            self.store(create=create),
            self.clock,
            actor=self.actor,
            zone=self.zone,
            max_text=self.config.max_text,
            checkpoints=self._checkpoints(),
        )

    def _checkpoints(self) -> Checkpoints:
        """Where the folds of long logs are kept between commands: the user's private cache
        (looked for only by a command that records)."""
        from incidentctl import __version__
        from incidentctl.incidents.checkpoints import Checkpoints

        def locate() -> Path | None:
            from incidentctl.documents import memo

            return memo.directory("folds")

        return Checkpoints(locate, self.store_location, __version__)

    def calendar(self) -> BusinessCalendar:
        if self._calendar is None:
            from incidentctl.deadlines.calendar import load_calendar

            self._calendar = load_calendar(self.home, self.config.calendar)
        return self._calendar

    @property
    def policy(self) -> Policy:
        from incidentctl.deadlines.engine import Policy

        return Policy(self.config.due_soon_fraction, self.config.due_soon_max_seconds)

    def deadlines(self, view: View, now: datetime | None = None) -> list[Deadline]:
        """The incident's deadlines at ``now`` (default: the incident's own now)."""
        from incidentctl.deadlines.engine import deadlines

        return deadlines(
            view.runbook,
            view.state,
            view.now() if now is None else now,
            calendar=self.calendar,
            policy=self.policy,
        )

    # --- output --------------------------------------------------------------
    @cached_property
    def style(self) -> Style:
        return Style(color_enabled(sys.stdout))

    @property
    def width(self) -> int:
        """Columns to lay text out in: ``$COLUMNS``, else the terminal's, else 80.  A width
        of 0 (a terminal that does not know its size) counts as unknown."""
        columns = os.environ.get("COLUMNS", "")
        if columns.isdecimal() and 0 < int(columns) <= 10_000:
            return int(columns)
        try:
            size = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError, AttributeError):
            size = 0
        return size if size > 0 else DEFAULT_WIDTH

    def echo(self, text: str = "", *, err: bool = False) -> None:
        click.echo(text, err=err, color=self.style.enabled if not err else None)

    def report(self, result: object, *, as_json: bool = False) -> int:
        """Render a command's result as text or JSON; the exit code it calls for."""
        from incidentctl.render import report

        return report(result, self, "json" if as_json else "text")


pass_app = click.make_pass_decorator(App)

#: Seconds shell completion waits for a team store to answer.
COMPLETION_WAIT = 2
#: Where ``--json`` leaves, in the context's ``meta``, whether the command line asked for it
#: (for the error, if the command fails).
JSON_ASKED = "incidentctl.json"


def _note_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[JSON_ASKED] = value
    return value


json_option = click.option(
    "--json", "as_json", is_flag=True, callback=_note_json, help="Print machine-readable JSON."
)


def key_values(
    ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    """Callback of a repeatable ``KEY=VALUE`` option (``--evidence``, ``--set``)."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            app = ctx.find_object(App)
            lang = app.lang if app is not None else detect_lang()
            raise click.BadParameter(t("cli.not_key_value", lang, item=item))
        out[key.strip()] = value
    return out


def _set_actor(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    app = ctx.find_object(App)
    if value and app is not None:
        app.actor_option = value
    return value


#: ``--by`` after a recording command, as well as before it (``incidentctl --by NAME ...``).
by_option = click.option(
    "--by",
    metavar="NAME",
    expose_value=False,
    callback=_set_actor,
    help="Who is acting (default: $INCIDENTCTL_USER, else the OS user).",
)
