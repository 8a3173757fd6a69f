"""The review (复盘): ``review INC set FIELD``, action items (``action add|done|drop``,
``actions``) and ``postmortem``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app
from incidentctl.cli.incident_cmd import INC, _recorded, at_option
from incidentctl.incidents import events as ev

if TYPE_CHECKING:
    from incidentctl.incidents.state import IncidentState
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook

#: The review's sections and the kinds of action item, as the domain names them.
FIELDS = ev.REVIEW_FIELDS
KINDS = ev.ACTION_KINDS


def _read_text(app: App, path: str) -> str:
    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg

    try:
        if path == "-":
            return str(click.open_file("-", encoding="utf-8").read())
        with open(path, encoding="utf-8") as fh:
            return fh.read(app.config.max_text * 4 + 1)
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(msg("err.review.unreadable", path=path, problem=problem)) from None


@click.command("review")
@INC
@click.argument("verb", type=click.Choice(["set"]), metavar="set")
@click.argument("field", type=click.Choice(FIELDS), metavar="FIELD")
@click.argument("text", nargs=-1)
@click.option(
    "--file",
    "file",
    metavar="FILE",
    help="Read the text from FILE (- for standard input).",
)
@click.option("--edit", is_flag=True, help="Write the text in $EDITOR, starting from what is set.")
@at_option
@json_option
@pass_app
def review(
    app: App,
    incident: str,
    verb: str,
    field: str,
    text: tuple[str, ...],
    file: str | None,
    edit: bool,
    at: str | None,
    as_json: bool,
) -> int:
    """Write one section of the review (复盘), blameless, as an event of the log.

    FIELD is summary, impact, discovered, trigger, root-causes,
    contributing-factors, went-well, went-badly, lucky or lessons.  impact is
    typed: `customers=N orders=N amount=CNY duration=2h30m note=TEXT`;
    discovered is a time (when the problem was first noticed, before the
    incident was opened).  An empty TEXT ('') clears a section.  Allowed on a
    closed incident: the review is written afterwards.
    """
    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg

    given = sum(bool(x) for x in (text, file, edit))
    if given > 1:
        raise InvalidInput(msg("err.review.one_source"))
    if not given:
        raise InvalidInput(msg("err.review.no_text"))
    svc = app.incidents()
    if file:
        value = _read_text(app, file)
    elif edit:
        current = svc.view(incident).state.review.get(field, "")
        edited = click.edit(current if isinstance(current, str) else "")
        if edited is None:
            raise InvalidInput(msg("err.review.edit_aborted"))
        value = edited
    else:
        value = " ".join(text)
    return _recorded(app, svc, svc.review(incident, field, value, at=at), as_json)


@click.group("action")
def action() -> None:
    """Action items of the review: add, done, drop (they outlive the incident)."""


@action.command("add")
@INC
@click.argument("text", nargs=-1, required=True)
@click.option("--owner", required=True, metavar="NAME", help="Who sees it through.")
@click.option("--due", required=True, metavar="DATE", help="Due by the end of DATE (YYYY-MM-DD).")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="prevent",
    show_default=True,
    help="What it is for.",
)
@at_option
@json_option
@pass_app
def action_add(
    app: App,
    incident: str,
    text: tuple[str, ...],
    owner: str,
    due: str,
    kind: str,
    at: str | None,
    as_json: bool,
) -> int:
    """Add an action item (the words are joined with spaces); print its number."""
    svc = app.incidents()
    event = svc.add_action(incident, " ".join(text), owner=owner, due=due, kind=kind, at=at)
    return _recorded(app, svc, event, as_json)


@action.command("done")
@INC
@click.argument("number", type=click.IntRange(min=1), metavar="N")
@click.option("--reason", help="What was done.")
@at_option
@json_option
@pass_app
def action_done(
    app: App, incident: str, number: int, reason: str | None, at: str | None, as_json: bool
) -> int:
    """Record action item N of the incident as done."""
    svc = app.incidents()
    return _recorded(
        app, svc, svc.end_action(incident, number, done=True, reason=reason, at=at), as_json
    )


@action.command("drop")
@INC
@click.argument("number", type=click.IntRange(min=1), metavar="N")
@click.option("--reason", required=True, help="Why it will not be done.")
@at_option
@json_option
@pass_app
def action_drop(
    app: App, incident: str, number: int, reason: str, at: str | None, as_json: bool
) -> int:
    """Record that action item N of the incident will not be done, and why."""
    svc = app.incidents()
    return _recorded(
        app, svc, svc.end_action(incident, number, done=False, reason=reason, at=at), as_json
    )


@click.command("actions")
@click.option("--overdue", is_flag=True, help="Only open items past their due date.")
@click.option("--owner", metavar="NAME", help="Only items of this owner.")
@click.option("--all", "every", is_flag=True, help="Done and dropped items too.")
@json_option
@pass_app
def actions(app: App, overdue: bool, owner: str | None, every: bool, as_json: bool) -> int:
    """Action items across every incident, open ones by due date (closed incidents too)."""
    from incidentctl.incidents import ActionListing

    now = app.clock.now()
    items = []
    if app.has_store():
        for view in app.incidents().with_actions():
            for a in view.state.actions.values():
                items.append((view.state.id, view.state.title, a))
    listing = ActionListing([], now)
    items = [
        i
        for i in items
        if (every or i[2].state == "open")
        and (not overdue or listing.overdue(i[2]))
        and (owner is None or i[2].owner == owner.strip())
    ]
    items.sort(key=lambda i: (i[2].state != "open", i[2].due_at, i[0], i[2].number))
    listing.items = items
    return app.report(listing, as_json=as_json)


@click.command("postmortem")
@click.argument("incident", metavar="INC|BUNDLE", shell_complete=complete.incidents)
@click.option(
    "--incident",
    "pick",
    metavar="ID",
    help="With a bundle of several incidents, the one to review.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json", "html"]),
    default="md",
    show_default=True,
    help="Markdown (wikis, 语雀, Confluence), JSON (schemas/postmortem.schema.json), or one "
    "self-contained HTML file with an SVG timeline, printable on A4.",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--redact",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Mask personal data in every free-text field: mobile numbers, resident ID numbers, "
    "bank cards, e-mail addresses, IPv4 addresses, and the names FILE lists (one a line).",
)
@click.option(
    "--anchors",
    "anchor_file",
    metavar="FILE",
    help="An anchor file kept elsewhere (`audit anchor`): the footer lists the anchors "
    "naming the incident and says whether its chain still matches them.",
)
@pass_app
def postmortem(
    app: App,
    incident: str,
    pick: str | None,
    fmt: str,
    output: str | None,
    redact: str | None,
    anchor_file: str | None,
) -> int:
    """The blameless post-mortem of INC, generated entirely from its log.

    Header, key times, deadline compliance (missed legal and regulatory
    deadlines first), communications and promises, the review's sections (empty
    ones listed as to do), action items, the full timeline and an audit footer.
    The same log always gives the same bytes; times are in --tz; --lang picks
    the language.  BUNDLE is a file written by `export`: the review is made from
    it alone, with no store.  A log that does not verify is still rendered, its
    footer says so, a warning goes to stderr and the exit code is 1.
    """
    import os

    from incidentctl.incidents.audit import log_problems
    from incidentctl.postmortem import build, redacted
    from incidentctl.render.postmortem import render

    if os.path.isfile(incident):
        from incidentctl.cli.output import read_file
        from incidentctl.postmortem.bundle import audit, folded, load

        bundle = load(read_file(incident), incident)
        chosen = bundle.pick(pick)
        log = bundle.incidents[chosen]
        problems = next(i.problems for i in audit(bundle).incidents if i.incident == chosen)
        anchors = bundle.anchors
        runbook, state = folded(bundle, chosen)
    else:
        from incidentctl.cli.output import home_anchors

        svc = app.incidents()
        view = svc.view(incident)
        log, runbook, state = view.events, view.runbook, view.state
        problems = log_problems(log, svc.store.runbook_document)
        anchors = home_anchors(app)
    if anchor_file:
        from incidentctl.cli.output import read_file
        from incidentctl.incidents.anchors import read_anchors

        anchors = [*anchors, *read_anchors(read_file(anchor_file), anchor_file)]
    if anchors:
        from incidentctl.incidents.anchors import check

        own = log[0].incident
        found = check(anchors, lambda i: log if i == own else []).get(own, [])
        problems = [*problems, *(p for p in found if p not in problems)]
    score = _drill_score(app, log, runbook, state) if state.drill else None
    names = _read_text(app, redact).splitlines() if redact else []
    events, state, counts = redacted(log, runbook, state, names, redact)
    pm = build(
        events,
        runbook,
        state,
        problems=problems,
        calendar=app.calendar,
        policy=app.policy,
        redactions=counts,
        head=log[-1],
        anchors=[
            {"at": at, "digest": digest}
            for at, digest in sorted(
                {(a["at"], a["digest"]) for a in anchors if log[0].incident in a["heads"]}
            )
        ],
        drill_score=score,
    )
    from incidentctl.cli.output import write_out

    write_out(render(pm, fmt, app.lang, app.zone), output, json_text=fmt == "json")
    if problems:  # written all the same, as show and timeline do, and said loudly
        from incidentctl.i18n import t
        from incidentctl.render.phrases import log_warning

        own = log[0].incident
        codes = {p.code for p in problems if p.seq is None}
        if any(p.seq is not None for p in problems) or codes & {"snapshot", "snapshot-missing"}:
            warning = log_warning(own, problems, app.lang)
        elif any(c.startswith("anchor-") for c in codes):
            warning = t("warn.anchor_broken", app.lang, id=own)
        else:
            warning = t("warn.log_unverified", app.lang, id=own)
        app.echo(warning, err=True)
        return 1
    return 0


def _drill_score(
    app: App, log: list[Event], runbook: Runbook, state: IncidentState
) -> dict[str, Any] | None:
    """A drill's score for its post-mortem, as of its end (or its last event)."""
    from incidentctl.clock import FrozenClock
    from incidentctl.drills.play import scenario_of
    from incidentctl.drills.score import score_of
    from incidentctl.errors import InvalidAction
    from incidentctl.incidents.service import View
    from incidentctl.render.drills import score_json

    try:
        scenario = scenario_of(state)
    except InvalidAction:
        return None
    end = state.drill_ended_at or max(e.occurred for e in log)
    view = View(log, runbook, state, FrozenClock(end))
    return score_json(score_of(view, scenario, calendar=app.calendar, policy=app.policy))
