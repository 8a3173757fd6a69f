"""``incidentctl runbook list | show | validate | schema``."""

from __future__ import annotations

from pathlib import Path

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app


@click.group()
def runbook() -> None:
    """List, show and validate runbooks (预案).

    Runbooks come from --runbooks DIR, $INCIDENTCTL_RUNBOOKS, a runbooks/
    folder in the current directory, or the runbooks shipped with incidentctl,
    in that order.
    """


@runbook.command("list")
@json_option
@pass_app
def list_(app: App, as_json: bool) -> int:
    """List the runbooks in use: id, title, kind, tiers, step count, version.

    Files that fail validation are reported on stderr (exit code 1).
    """
    return app.report(app.runbook_dir.listing(), as_json=as_json)


@runbook.command("show")
@click.argument("runbook_id", metavar="ID", shell_complete=complete.runbooks)
@click.option(
    "-s",
    "--severity",
    metavar="S",
    shell_complete=complete.runbook_tiers("runbook_id"),
    help="Only this tier, with the concrete deadline of each step (1, sev1, 一级...).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md"]),
    default="text",
    show_default=True,
    help="md renders a printable checklist document.",
)
@json_option
@pass_app
def show(app: App, runbook_id: str, severity: str | None, fmt: str, as_json: bool) -> int:
    """Show a runbook's tiers, roles, phases and steps with their deadlines.

    ID is a runbook id (payment-failure) or a path to a runbook file.
    """
    from incidentctl.runbooks.repository import RunbookPage

    rb = app.runbook_dir.find(runbook_id)
    tier = rb.resolve_tier(severity) if severity else None
    return app.report(RunbookPage(rb, tier, fmt), as_json=as_json)


@runbook.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--strict",
    is_flag=True,
    help="Also warn about every reference marked verified: false (a figure still to be "
    "confirmed), with the deadlines that cite it.  Warnings do not change the exit code.",
)
@json_option
@pass_app
def validate(app: App, paths: tuple[Path, ...], strict: bool, as_json: bool) -> int:
    """Check runbook files: YAML, schema and semantic rules.

    With no PATH, checks every runbook in use.  Each problem is printed as
    FILE:LINE:COL: PATH: MESSAGE; exit code 1 if there is any.
    """
    from incidentctl.runbooks.repository import ValidationReport, check_paths

    results = check_paths(list(paths)) if paths else app.runbook_dir.check_all()
    warnings = None
    if strict:
        from incidentctl.runbooks.validate import unverified_warnings

        warnings = {c.file: unverified_warnings(c) for c in results}
    return app.report(ValidationReport(results, warnings), as_json=as_json)


@runbook.command("schema")
@click.option(
    "--markdown", is_flag=True, help="Print the runbook format reference generated from the schema."
)
def schema(markdown: bool) -> None:
    """Print the runbook JSON Schema (for editors), or its Markdown reference."""
    if markdown:
        from incidentctl.runbooks.docs import render_format_doc

        click.echo(render_format_doc(), nl=False)
    else:
        from incidentctl.paths import schema_path

        click.echo(schema_path("runbook").read_text(encoding="utf-8"), nl=False)
