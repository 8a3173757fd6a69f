"""``incidentctl store init|status``: set up and look at where incidents are kept."""

from __future__ import annotations

import click

from incidentctl.cli.app import App, json_option, pass_app


@click.group()
def store() -> None:
    """Set up and inspect the incident store (SQLite, or a team's PostgreSQL)."""


@store.command("init")
@click.argument("url", required=False, metavar="[URL]")
@click.option(
    "--roles/--no-roles",
    default=True,
    help="On PostgreSQL, create the roles incidentctl_responder and incidentctl_auditor "
    "and grant them their rights (default: yes; needs CREATEROLE).",
)
@json_option
@pass_app
def init(app: App, url: str | None, roles: bool, as_json: bool) -> int:
    """Create the store at URL (default: the store in use) or upgrade its schema.

    For PostgreSQL this creates the schema `incidentctl` with its tables, the
    triggers that refuse UPDATE, DELETE and TRUNCATE on events, and the roles
    responders and auditors are granted.  Run it as the database's owner; running
    it again is harmless and upgrades an older schema.
    """
    from incidentctl.store import check_location
    from incidentctl.store.admin import initialise

    location = url or app.store_location
    check_location(location)
    return app.report(initialise(location, roles=roles), as_json=as_json)


@store.command("status")
@json_option
@pass_app
def status(app: App, as_json: bool) -> int:
    """Show the store's backend, schema version, contents, and whether you may write."""
    from incidentctl.store.admin import status as store_status

    return app.report(store_status(app.store_location), as_json=as_json)


@store.command("copy")
@click.option(
    "--from",
    "source",
    metavar="URL",
    help="The store to copy from (default: the SQLite file in the home).",
)
@click.option(
    "--to", "target", metavar="URL", help="The store to copy into (default: the store in use)."
)
@json_option
@pass_app
def copy(app: App, source: str | None, target: str | None, as_json: bool) -> int:
    """Copy every incident, with its pinned runbook and its events (the same seq, times,
    actors, payloads and hashes), from one store to another (typically your SQLite file into the team's PostgreSQL), verifying
    each chain on the target.

    Running it again copies only what is missing: an incident already there and
    identical is skipped; one that differs under the same id is refused and listed
    (exit 1), and nothing of it is written.  Numbers (#N) are the target's own.
    """
    import sys

    from incidentctl.errors import StoreError
    from incidentctl.i18n import msg, t
    from incidentctl.store import check_location, home_location, open_store, same_store
    from incidentctl.store.copy import copy_incidents

    origin = source or home_location(app.home)
    destination = target or app.store_location
    for location in (origin, destination):
        check_location(location)
    if same_store(origin, destination):
        from incidentctl.store import display_location

        raise StoreError(msg("err.store.copy_same", location=display_location(origin)))
    show = sys.stderr.isatty()

    def progress(done: int, total: int, incident: str) -> None:
        if show:
            line = t("store.copy_progress", app.lang, done=done, total=total, id=incident)
            end = "\n" if done == total else ""
            click.echo(f"\r{line}\x1b[K", nl=False, err=True)
            if end:
                click.echo(err=True)

    from_store = open_store(origin, create=False, read_only=True)
    try:
        to_store = open_store(destination)
        try:
            report = copy_incidents(from_store, to_store, progress)
        finally:
            to_store.close()
    finally:
        from_store.close()
    return app.report(report, as_json=as_json)
