"""``incidentctl report``: measures across incidents, for auditors and leads."""

from __future__ import annotations

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app


@click.command("report")
@click.option(
    "--since",
    metavar="DATE",
    help="Incidents opened from DATE on (YYYY-MM-DD: from the start of that day in --tz; or a "
    "time as --at takes it).",
)
@click.option(
    "--until",
    metavar="DATE",
    help="Incidents opened before the end of DATE (default: now); open action items are "
    "past due as of then.",
)
@click.option(
    "--runbook",
    "runbook_id",
    metavar="ID",
    shell_complete=complete.runbooks,
    help="Only incidents of this runbook.",
)
@click.option("-s", "--severity", metavar="S", help="Only incidents at this tier as they end.")
@click.option("--drills", is_flag=True, help="Include drill incidents (left out by default).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "md", "csv", "json", "html"]),
    default="table",
    show_default=True,
    help="A table for the terminal, Markdown (tabulate), CSV for Excel (UTF-8 with BOM, one "
    "row per incident), JSON (schemas/output/report.schema.json), or one self-contained HTML "
    "page with SVG charts.",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--verify",
    is_flag=True,
    help="Read and verify every incident's whole log again, ignoring the facts cached by "
    "chain head.",
)
@json_option
@pass_app
def report(
    app: App,
    since: str | None,
    until: str | None,
    runbook_id: str | None,
    severity: str | None,
    drills: bool,
    fmt: str,
    output: str | None,
    verify: bool,
    as_json: bool,
) -> int:
    """Measures across incidents: missed legal deadlines first, then per runbook and tier.

    Counts; median and p90 time to acknowledge, mitigate and resolve; deadline
    compliance per step and the most-missed steps; messages per audience;
    promises kept; first reply to customers against the manual's 10 minutes,
    affected orders and amounts, satisfaction by week (a drop flagged); open and
    past-due action items by owner.  Verdicts are the post-mortem's.  Every
    incident's log is verified (facts are cached by chain head; --verify reads
    every log again); one that does not verify is listed and left out of every
    measure, and the exit code is 1.  The same store and --until give the same
    bytes.
    """
    from incidentctl.reports import Report
    from incidentctl.times import window

    fmt = "json" if as_json else fmt
    start, end = window(since, until, now=app.clock.now(), zone=app.zone)
    tier = None
    if severity:
        from incidentctl.cli.incident_cmd import _tier_filter

        tier = _tier_filter(severity)
    if app.has_store():
        store = app.store(create=False)
        if runbook_id and not store.incidents(runbook_id=runbook_id, limit=1):
            _check_runbook(app, runbook_id)
        from incidentctl.reports.collect import CACHE_FILE, FactsCache, gather

        result = gather(
            store,
            app.incidents().runbook,
            cache=FactsCache(app.home / "cache" / CACHE_FILE, _calendar_key(app)),
            start=start,
            end=end,
            end_included=until is None,
            zone=app.zone,
            runbook_id=runbook_id,
            tier=tier,
            drills=drills,
            calendar=app.calendar,
            verify=verify,
        )
    else:
        if runbook_id:
            _check_runbook(app, runbook_id)
        result = Report(
            facts=[],
            since=start,
            until=end,
            zone=app.zone,
            runbook=runbook_id,
            tier=tier,
            drills=drills,
            cached=0,
        )
    result.every_log_read = verify or not app.has_store()
    from incidentctl.cli.output import write_out
    from incidentctl.render.reports import render

    write_out(
        render(result, fmt, app.lang, app.zone, width=app.width), output, json_text=fmt == "json"
    )
    if result.broken:
        from incidentctl.i18n import t

        app.echo(t("report.warn_broken", app.lang, n=len(result.broken)), err=True)
    return result.exit_code


def _check_runbook(app: App, runbook_id: str) -> None:
    """Refuse a runbook id that no incident and no runbook file has: a typo, not a quiet
    empty report."""
    from incidentctl.runbooks.repository import runbook_files

    known = {p.stem for p in runbook_files(app.runbook_dir.path)}
    if runbook_id in known:
        return
    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg

    raise InvalidInput(msg("err.report.runbook", ref=runbook_id, ids=sorted(known)))


def _calendar_key(app: App) -> str:
    """What a cached verdict depends on beyond the log: the business-day calendar."""
    import hashlib

    cal = app.calendar()
    text = repr(
        (
            cal.id,
            cal.source,
            sorted(cal.holidays.items()),
            sorted(cal.workdays.items()),
            sorted(cal.weekend),
            cal.covers,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
