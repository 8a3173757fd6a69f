"""``incidentctl audit verify``: recompute the hash chains."""

from __future__ import annotations

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app


@click.group()
def audit() -> None:
    """Check the integrity of the incident log."""


@audit.command("verify")
@click.argument("incidents", nargs=-1, metavar="[INC]...", shell_complete=complete.incidents)
@click.option("--all", "every", is_flag=True, help="Verify every incident in the store.")
@json_option
@pass_app
def verify(app: App, incidents: tuple[str, ...], every: bool, as_json: bool) -> int:
    """Recompute each incident's hash chain and check its pinned runbook snapshot.

    Exit 0 when every chain is intact, 1 when any event was altered, removed
    or reordered (each break is listed), 2 when neither INC nor --all is given.
    """
    from incidentctl.i18n import t
    from incidentctl.incidents.audit import verify as audit

    if not incidents and not every:
        raise click.UsageError(t("err.cli.audit_which", app.lang))
    svc = app.incidents()
    store = svc.store
    ids = [r.id for r in store.incidents()] if every else [svc.resolve(ref) for ref in incidents]
    return app.report(audit(store, ids), as_json=as_json)
