"""``incidentctl audit verify``: recompute the hash chains."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app
from incidentctl.cli.output import read_file
from incidentctl.incidents.anchors import WEBHOOK_FORMATS

if TYPE_CHECKING:
    from incidentctl.incidents.service import Incidents


@click.group()
def audit() -> None:
    """Check the integrity of the incident log."""


@audit.command("verify")
@click.argument(
    "incidents", nargs=-1, metavar="[INC... | BUNDLE]", shell_complete=complete.incidents
)
@click.option("--all", "every", is_flag=True, help="Verify every incident in the store.")
@click.option(
    "--anchors",
    metavar="FILE",
    help="An anchor file (`audit anchor`): also show events removed from a chain's end, "
    "incidents removed, and chains rewritten since each anchor.  Implies --all.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes to share the work among (default: one per processor, at most 8, each "
    "with its own connection to the store).  Many incidents are checked in parallel; the "
    "result is the same.",
)
@json_option
@pass_app
def verify(
    app: App,
    incidents: tuple[str, ...],
    every: bool,
    anchors: str | None,
    jobs: int | None,
    as_json: bool,
) -> int:
    """Recompute each incident's hash chain and check its pinned runbook snapshot, and
    that its summary row (what list, show and check read) agrees with its log.

    --all walks every incident the events name, so one whose summary row was
    removed is still checked.  Exit 0 when everything verifies, 1 when any event
    was altered, removed or reordered or a summary row disagrees (each break is
    listed), 2 when neither INC nor --all is given.
    """
    import os
    import sys

    from incidentctl.i18n import t
    from incidentctl.incidents.audit import verify as audit

    if not incidents and not every and not anchors:
        raise click.UsageError(t("err.cli.audit_which", app.lang))
    found = None
    if anchors:
        from incidentctl.incidents.anchors import read_anchors

        found = read_anchors(read_file(anchors), anchors)
        every = every or not incidents
    if len(incidents) == 1 and not every and os.path.isfile(incidents[0]):
        from incidentctl.postmortem.bundle import audit as audit_bundle
        from incidentctl.postmortem.bundle import load

        bundle = load(read_file(incidents[0]), incidents[0])
        return app.report(audit_bundle(bundle, found), as_json=as_json)
    svc = app.incidents()
    store = svc.store
    ids = store.incident_ids() if every else [_resolve(svc, ref) for ref in incidents]
    anchored = None
    if found is not None:
        from incidentctl.incidents.anchors import check

        anchored = check(found, store.events)
        if every:
            ids = sorted(set(ids) | set(anchored))
    from functools import partial

    from incidentctl.store import open_store

    run = partial(
        audit,
        store,
        ids,
        anchored=anchored,
        workers=jobs or min(_processors(), DEFAULT_JOBS),
        reopen=partial(open_store, app.store_location, create=False, read_only=True),
    )
    if every and len(ids) > 50 and sys.stderr.isatty():
        with click.progressbar(length=len(ids), file=sys.stderr, label="audit") as bar:
            report = run(progress=lambda _: bar.update(1))
    else:
        report = run()
    return app.report(report, as_json=as_json)


#: At most this many processes unless -j says otherwise: each holds a connection, and a team
#: store's server has others to serve.
DEFAULT_JOBS = 8


def _processors() -> int:
    """The processors this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def _resolve(svc: Incidents, ref: str) -> str:
    """An incident named on the command line; one whose summary row is gone is still
    found by its full id, from its events."""
    from incidentctl.errors import IncidentNotFound

    try:
        return svc.resolve(ref)
    except IncidentNotFound:
        if svc.store.events(ref.strip().upper(), after=0):
            return ref.strip().upper()
        raise


@audit.command("anchor")
@click.option(
    "--to",
    "to",
    metavar="FILE",
    help="The anchor file to append to (default: anchors.jsonl in the home).  Keep it "
    "where whoever can write the database cannot: another machine, a signed repository.",
)
@click.option(
    "--post",
    "url",
    metavar="URL",
    help="Also post the anchor to this webhook (a chat group's robot, a ticket system).",
)
@click.option(
    "--post-format",
    type=click.Choice(WEBHOOK_FORMATS),
    default="json",
    show_default=True,
    help="What the webhook is sent: the whole anchor, or one line in a chat robot's format.",
)
@json_option
@pass_app
def anchor(app: App, to: str | None, url: str | None, post_format: str, as_json: bool) -> int:
    """Record the head of every incident's chain, with one digest over them all, as one
    line appended to an anchor file outside the database; print the digest (short
    enough to paste into a chat group or a ticket as a second, outside copy).
    """
    import os

    from incidentctl.incidents import Anchored
    from incidentctl.incidents.anchors import DEFAULT_FILE, take

    store = app.incidents(create=True).store
    if to is None:
        from incidentctl.paths import make_private_dir

        make_private_dir(app.home)  # beside a team store, nothing has made the home yet
    path = to or os.path.join(app.home, DEFAULT_FILE)
    record = take(store, app.clock.now(), path, url=url, fmt=post_format)
    return app.report(Anchored(record, os.path.abspath(path)), as_json=as_json)
