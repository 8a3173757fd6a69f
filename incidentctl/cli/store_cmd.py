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
