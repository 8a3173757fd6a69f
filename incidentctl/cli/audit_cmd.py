"""``incidentctl audit verify``: recompute the hash chains."""

from __future__ import annotations

from typing import Any

import click

from incidentctl.cli.app import App, json_option, pass_app


@click.group()
def audit() -> None:
    """Check the integrity of the incident log."""


@audit.command("verify")
@click.argument("incidents", nargs=-1, metavar="[INC]...")
@click.option("--all", "every", is_flag=True, help="Verify every incident in the store.")
@json_option
@pass_app
def verify(app: App, incidents: tuple[str, ...], every: bool, as_json: bool) -> int:
    """Recompute each incident's hash chain and check its pinned runbook snapshot.

    Exit 0 when every chain is intact, 1 when any event was altered, removed
    or reordered (each break is listed).
    """
    from incidentctl.errors import InvalidInput
    from incidentctl.incidents.events import verify_chain
    from incidentctl.runbooks.model import document_sha256

    if not incidents and not every:
        raise InvalidInput("name the incidents to verify, or use --all")
    svc = app.incidents()
    store = svc.store
    ids = [r.id for r in store.incidents()] if every else [svc.resolve(ref) for ref in incidents]
    report: list[dict[str, Any]] = []
    for incident_id in ids:
        events = store.events(incident_id)
        row = store.incident(incident_id)
        problems = [f"event {p.seq}: {p.message}" for p in verify_chain(events)]
        if row is not None:
            if document_sha256(store.runbook_document(row.runbook_sha256)) != row.runbook_sha256:
                problems.append("the pinned runbook document does not match its sha256")
            if events and (row.last_seq, row.head_hash) != (events[-1].seq, events[-1].hash):
                problems.append("the summary row does not match the end of the chain")
        report.append(
            {
                "incident": incident_id,
                "events": len(events),
                "ok": not problems,
                "problems": problems,
            }
        )
    if as_json:
        app.json(report)
    else:
        for entry in report:
            if entry["ok"]:
                app.echo(f"{entry['incident']}: ok ({entry['events']} events)")
            else:
                for problem in entry["problems"]:
                    app.echo(app.style(f"{entry['incident']}: {problem}", "red"))
    bad = sum(1 for e in report if not e["ok"])
    if bad:
        app.echo(f"{bad} of {len(report)} incident(s) failed verification", err=True)
    return 1 if bad else 0
