"""``incidentctl ack``: say that a page has been seen, which stops its escalation."""

from __future__ import annotations

import click

from incidentctl.cli.app import App, json_option, pass_app
from incidentctl.cli.incident_cmd import INC, _recorded, at_option


@click.command("ack")
@INC
@click.argument("step", metavar="[STEP]", required=False)
@at_option
@json_option
@pass_app
def ack(app: App, incident: str, step: str | None, at: str | None, as_json: bool) -> int:
    """Acknowledge the pages of an incident (or of one STEP): you have seen them.

    A breach acknowledged after it fell due is no longer escalated by `check`
    to the next level of the `notify.escalation` policy; the log keeps who
    acknowledged, and when, beside every page and escalation.
    """
    svc = app.incidents()
    return _recorded(app, svc, svc.ack(incident, step, at=at), as_json)
