"""``incidentctl item add | done``: one clock per customer report, for ``per:`` steps."""

from __future__ import annotations

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app
from incidentctl.cli.incident_cmd import _recorded, at_option


@click.group()
def item() -> None:
    """Keep one clock per customer report (steps with `per: customer-report`).

    Where the manual counts from each customer's report (a reply within 24 hours
    of it), the runbook's step says `per: customer-report`: record each report
    with `item add`, and each one handled with `item done`; every report gets its
    own deadline, and `deadlines` lists them all, the worst first.
    """


@item.command("add")
@click.argument("incident", metavar="INC", shell_complete=complete.incidents)
@click.argument("kind", metavar="KIND", type=click.Choice(["customer-report"]))
@click.argument("ref", metavar="REF")
@at_option
@json_option
@pass_app
def add(app: App, incident: str, kind: str, ref: str, at: str | None, as_json: bool) -> int:
    """Record a customer's report REF (an order or ticket number), received now or at
    --at (which may be before the incident was opened): each `per:` step is due for it
    a duration after it came in."""
    svc = app.incidents()
    return _recorded(app, svc, svc.item_add(incident, kind, ref, at=at), as_json)


@item.command("done")
@click.argument("incident", metavar="INC", shell_complete=complete.incidents)
@click.argument("ref", metavar="REF")
@click.option(
    "--step", metavar="STEP", help="The step done for it (needed only if several count per report)."
)
@at_option
@json_option
@pass_app
def done(app: App, incident: str, ref: str, step: str | None, at: str | None, as_json: bool) -> int:
    """Record the report REF handled: its deadline is met if this is in time."""
    svc = app.incidents()
    return _recorded(app, svc, svc.item_done(incident, ref, step=step, at=at), as_json)
