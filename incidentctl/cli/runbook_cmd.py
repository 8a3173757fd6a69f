"""``incidentctl runbook list | show | validate | schema``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from incidentctl.cli.app import App, json_option, pass_app
from incidentctl.render.i18n import t


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
    from incidentctl.paths import display_path
    from incidentctl.render.runbooks import list_rows

    rbdir = app.runbook_dir
    entries: list[dict[str, Any]] = []
    broken = []
    for checked in rbdir.check_all():
        if not checked.ok:
            broken.append(checked)
            continue
        rb = checked.runbook()
        entries.append(
            {
                "id": rb.id,
                "title": {"zh": rb.title.zh, "en": rb.title.en},
                "kind": rb.kind,
                "tiers": list(rb.tier_ids),
                "steps": len(rb.steps),
                "version": rb.version,
                "file": checked.file,
                "sha256": rb.sha256,
            }
        )
    if as_json:
        app.json(
            {
                "directory": str(rbdir.path),
                "origin": rbdir.origin,
                "runbooks": entries,
                "invalid": [
                    {"file": c.file, "problems": [p.as_dict() for p in c.problems]} for c in broken
                ],
            }
        )
    else:
        app.echo(list_rows(entries, app.lang))
        app.echo(
            app.style(
                t("runbooks_in", app.lang, dir=display_path(rbdir.path), origin=rbdir.origin), "dim"
            )
        )
    for c in broken:
        app.echo(f"{c.file}: {t('invalid_runbook', app.lang, file=c.file)}", err=True)
    return 1 if broken else 0


@runbook.command("show")
@click.argument("runbook_id", metavar="ID")
@click.option(
    "-s",
    "--severity",
    metavar="S",
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
def show(app: App, runbook_id: str, severity: str | None, fmt: str, as_json: bool) -> None:
    """Show a runbook's tiers, roles, phases and steps with their deadlines.

    ID is a runbook id (payment-failure) or a path to a runbook file.
    """
    from incidentctl.render.runbooks import deadlines_json, show_markdown, show_text

    rb = app.runbook_dir.find(runbook_id)
    tier = rb.resolve_tier(severity) if severity else None
    if as_json:
        data: dict[str, Any] = {"sha256": rb.sha256, "runbook": rb.doc}
        if tier:
            data["severity"] = tier
            data["deadlines"] = deadlines_json(rb, tier)
        app.json(data)
    elif fmt == "md":
        click.echo(show_markdown(rb, app.lang, tier))
    else:
        app.echo(show_text(rb, app.lang, app.style, app.width, tier))


@runbook.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@pass_app
def validate(app: App, paths: tuple[Path, ...], as_json: bool) -> int:
    """Check runbook files: YAML, schema and semantic rules.

    With no PATH, checks every runbook in use.  Each problem is printed as
    FILE:LINE:COL: PATH: MESSAGE; exit code 1 if there is any.
    """
    from incidentctl.runbooks.repository import check_paths

    results = check_paths(list(paths)) if paths else app.runbook_dir.check_all()
    problems = [p for c in results for p in c.problems]
    if as_json:
        app.json(
            {
                "valid": not problems,
                "files": [
                    {"file": c.file, "valid": c.ok, "problems": [p.as_dict() for p in c.problems]}
                    for c in results
                ],
            }
        )
    else:
        for p in problems:
            click.echo(p.format())
        bad = sum(1 for c in results if not c.ok)
        if problems:
            app.echo(t("problems", app.lang, p=len(problems), f=bad), err=True)
        else:
            app.echo(t("valid", app.lang, n=len(results)), err=True)
    return 1 if problems or not results else 0


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
