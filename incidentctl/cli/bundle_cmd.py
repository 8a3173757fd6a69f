"""``export`` and ``import``: incidents as bundles that verify offline."""

from __future__ import annotations

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, pass_app


@click.command("export")
@click.argument(
    "incidents", nargs=-1, required=True, metavar="INC...", shell_complete=complete.incidents
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--anchors",
    metavar="FILE",
    help="Take the anchors to include from FILE (default: the home's anchors.jsonl).",
)
@pass_app
def export(app: App, incidents: tuple[str, ...], output: str | None, anchors: str | None) -> int:
    """Write a bundle of the incidents: every event as stored and hashed, the runbook each
    pinned, where each chain ends, and the anchors naming them
    (schemas/incident-bundle.schema.json).  It verifies with no store:
    `audit verify BUNDLE`, `postmortem BUNDLE`.
    """
    import json

    from incidentctl.cli.output import home_anchors, read_file, write_out
    from incidentctl.incidents.anchors import read_anchors
    from incidentctl.postmortem.bundle import export as make

    svc = app.incidents()
    ids = list(dict.fromkeys(svc.resolve(ref) for ref in incidents))
    found = read_anchors(read_file(anchors), anchors) if anchors else home_anchors(app)
    bundle = make(svc.store, ids, found)
    write_out(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n", output, json_text=True)
    return 0


@click.command("import")
@click.argument("bundle", metavar="FILE")
@pass_app
def import_(app: App, bundle: str) -> int:
    """Add the incidents of a bundle to the store, once every chain, pinned runbook and
    anchor in it verifies; a broken, partial or already-present bundle is refused and
    nothing is written."""
    from incidentctl.cli.output import read_file
    from incidentctl.i18n import t
    from incidentctl.postmortem.bundle import import_into, load, prepare

    loaded = load(read_file(bundle), bundle)
    items = prepare(loaded)  # before there is any store to write to
    ids = import_into(app.incidents(create=True).store, loaded, items)
    app.echo(t("bundle.imported", app.lang, n=len(ids), ids=ids))
    return 0
