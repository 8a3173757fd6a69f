"""Incident lifecycle commands: open, list, show, timeline, step, note, assign, severity,
mitigate, resolve, reopen, close, set, retract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import click

from incidentctl.cli.app import App, by_option, json_option, key_values, pass_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from incidentctl.incidents.service import Incidents
    from incidentctl.records import Event

F = TypeVar("F", bound="Callable[..., Any]")

_at = click.option(
    "--at",
    metavar="TIME",
    help="When it happened, if earlier than now (back-dates the event): ISO 8601, 'YYYY-MM-DD HH:MM', 'HH:MM' or -15m.",
)


def at_option(f: F) -> F:
    """``--at`` and ``--by``: when it happened and who did it, on every recording command."""
    return _at(by_option(f))


INC = click.argument("incident", metavar="INC")


def _confirm(app: App, svc: Incidents, event: Event, as_json: bool) -> None:
    """One line saying what was recorded; with --json, the event itself."""
    if as_json:
        app.json(event.as_dict())
        return
    from incidentctl.durations import human
    from incidentctl.render.events import describe
    from incidentctl.times import fmt_zoned

    row = svc.store.incident(event.incident)
    assert row is not None
    runbook = svc.runbook(row.runbook_sha256)
    line = f"{event.incident} #{event.seq}: {describe(event, runbook, app.lang)}"
    if event.backdated:
        lag = (event.recorded - event.occurred).total_seconds()
        line += f"  [back-dated to {fmt_zoned(event.occurred, app.zone)}, {human(lag, app.lang)} before it was recorded]"
    app.echo(line)


# --- open -------------------------------------------------------------------------------


@click.command("open")
@click.argument("runbook_ref", metavar="RUNBOOK")
@click.option(
    "-s",
    "--severity",
    required=True,
    metavar="S",
    help="Tier: 1, sev1, or the tier's name (一级, 一级(重大)).",
)
@click.option("-t", "--title", required=True, help="What is happening, in a few words.")
@click.option("--commander", metavar="NAME", help="The incident commander (the `commander` role).")
@click.option(
    "--scope", metavar="TEXT", help="Affected scope (users, regions, channels), for messages."
)
@at_option
@json_option
@pass_app
def open_(
    app: App,
    runbook_ref: str,
    severity: str,
    title: str,
    commander: str | None,
    scope: str | None,
    at: str | None,
    as_json: bool,
) -> None:
    """Open an incident from a runbook; print its id.

    The full runbook is pinned into the incident, so later edits of the YAML
    never change it.  RUNBOOK is a runbook id or a path to a runbook file.
    """
    from incidentctl.render.events import tier_name

    runbook = app.runbook_dir.find(runbook_ref)
    view = app.incidents(create=True).open(
        runbook, severity=severity, title=title, commander=commander, scope=scope, at=at
    )
    s = view.state
    if as_json:
        app.json(
            {
                "id": s.id,
                "severity": s.severity,
                "runbook": runbook.id,
                "sha256": runbook.sha256,
                "event": view.events[0].as_dict(),
            }
        )
        return
    click.echo(s.id)
    app.echo(
        f"Opened {s.id} at {tier_name(runbook, s.severity, app.lang)} from {runbook.id} {runbook.version} "
        f"(pinned sha256 {runbook.sha256[:12]}). Next: incidentctl show {s.id}",
        err=True,
    )


# --- reading ----------------------------------------------------------------------------

STATUS_FILTERS = {
    "active": ("open", "mitigated", "resolved"),
    "open": ("open",),
    "mitigated": ("mitigated",),
    "resolved": ("resolved",),
    "closed": ("closed",),
    "all": None,
}


def _tier_filter(text: str) -> str:
    import unicodedata

    from incidentctl.errors import InvalidInput

    norm = unicodedata.normalize("NFKC", text).strip().lower()
    for n, zh in enumerate(("一级", "二级", "三级", "四级", "五级"), start=1):
        if norm in (str(n), f"sev{n}") or norm.startswith(zh):
            return f"sev{n}"
    raise InvalidInput(f"unknown severity '{text}' (expected 1, sev1, 一级 ...)")


@click.command("list")
@click.option(
    "--status",
    type=click.Choice(list(STATUS_FILTERS)),
    default="active",
    show_default=True,
    help="Which incidents: active means open, mitigated or resolved (not yet closed).",
)
@click.option("--runbook", "runbook_id", metavar="ID", help="Only incidents of this runbook.")
@click.option("-s", "--severity", metavar="S", help="Only this tier (1, sev1, 一级).")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="At most this many, newest first (0: all).",
)
@json_option
@pass_app
def list_(
    app: App, status: str, runbook_id: str | None, severity: str | None, limit: int, as_json: bool
) -> None:
    """List incidents, newest first."""
    from incidentctl.render.i18n import t
    from incidentctl.render.listing import list_table

    if not app.has_store():
        if as_json:
            app.json([])
        else:
            app.echo(t("no_store", app.lang, path=app.store_location))
        return
    rows = app.store(create=False).incidents(
        statuses=STATUS_FILTERS[status],
        runbook_id=runbook_id,
        severity=_tier_filter(severity) if severity else None,
        limit=limit or None,
    )
    if as_json:
        app.json([r.as_dict() for r in rows])
    elif not rows:
        app.echo(t("no_incidents", app.lang))
    else:
        app.echo(list_table(rows, app.clock.now(), app.zone, app.lang, app.width))


@click.command("show")
@INC
@json_option
@pass_app
def show(app: App, incident: str, as_json: bool) -> None:
    """Show an incident: summary, roles, severity history, checklist and next deadlines.

    INC is a full id, a unique prefix, or the trailing number (3 for INC-20261122-003).
    """
    from incidentctl.render.incidents import show_json, show_text

    view = app.incidents().view(incident)
    deadlines = app.deadlines(view)
    now = app.clock.now()
    if as_json:
        app.json(show_json(view, deadlines, now))
    else:
        app.echo(show_text(view, deadlines, now, app.zone, app.lang, app.style, app.width))


@click.command("timeline")
@INC
@json_option
@pass_app
def timeline(app: App, incident: str, as_json: bool) -> None:
    """Every event of an incident in the order it happened, with the time it was
    recorded, who recorded it, and back-dated events marked."""
    from incidentctl.render.events import timeline_text

    view = app.incidents().view(incident)
    if as_json:
        app.json([e.as_dict() for e in sorted(view.events, key=lambda e: (e.occurred, e.seq))])
    else:
        app.echo(timeline_text(view, app.clock.now(), app.zone, app.lang, app.style, app.width))


# --- steps -------------------------------------------------------------------------------


@click.group()
def step() -> None:
    """Record progress on a checklist step: start, done, skip, na."""


def _step_command(action: str, doc: str) -> click.Command:
    needs_reason = action in ("skip", "na")

    @click.command(action, help=doc)
    @INC
    @click.argument("step_id", metavar="STEP")
    @click.option("--note", help="A remark to keep with the step.")
    @click.option("--reason", required=needs_reason, help="Why (required for skip and na).")
    @click.option(
        "--evidence",
        "evidence",
        multiple=True,
        metavar="KEY=VALUE",
        callback=key_values,
        help="Evidence the step records (repeat for several); `runbook show` lists what each step needs.",
    )
    @at_option
    @json_option
    @pass_app
    def command(
        app: App,
        incident: str,
        step_id: str,
        note: str | None,
        reason: str | None,
        evidence: dict[str, str],
        at: str | None,
        as_json: bool,
    ) -> None:
        svc = app.incidents()
        event = svc.step(
            incident, action, step_id, note=note, reason=reason, evidence=evidence, at=at
        )
        _confirm(app, svc, event, as_json)

    return command


step.add_command(_step_command("start", "Mark a step as started."))
step.add_command(
    _step_command("done", "Mark a step done, with the evidence it requires (--evidence KEY=VALUE).")
)
step.add_command(_step_command("skip", "Skip a step; --reason is required."))
step.add_command(
    _step_command("na", "Mark a step not applicable to this incident; --reason is required.")
)


# --- the other lifecycle events ----------------------------------------------------------


def _simple(
    name: str,
    doc: str,
    call: Callable[..., Event],
    *params: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> click.Command:
    """A command that records one event through ``call(service, incident, **options)``."""

    def body(app: App, incident: str, as_json: bool, **kwargs: Any) -> None:
        svc = app.incidents()
        event = call(svc, incident, **kwargs)
        _confirm(app, svc, event, as_json)

    command: Callable[..., Any] = pass_app(body)
    for decorate in reversed(params):
        command = decorate(command)
    command = json_option(command)
    command = INC(command)
    return click.command(name, help=doc)(command)


@click.command("note")
@INC
@click.argument("text", nargs=-1, required=True)
@at_option
@json_option
@pass_app
def note(app: App, incident: str, text: tuple[str, ...], at: str | None, as_json: bool) -> None:
    """Add a note to the incident's log (the words are joined with spaces)."""
    svc = app.incidents()
    event = svc.note(incident, " ".join(text), at=at)
    _confirm(app, svc, event, as_json)


assign = _simple(
    "assign",
    "Give ROLE (a role id of the runbook: commander, tech, pr...) to NAME.",
    lambda svc, incident, role, name, at: svc.assign(incident, role, name, at=at),
    click.argument("role", metavar="ROLE"),
    click.argument("name", metavar="NAME"),
    at_option,
)

severity = _simple(
    "severity",
    "Escalate or de-escalate to tier S (1, sev1, 一级...); --reason is required.",
    lambda svc, incident, tier, reason, at: svc.set_severity(incident, tier, reason=reason, at=at),
    click.argument("tier", metavar="S"),
    click.option("--reason", required=True, help="Why the severity changes."),
    at_option,
)

mitigate = _simple(
    "mitigate",
    "Record that the damage has stopped (deadlines anchored on `mitigated` start now).",
    lambda svc, incident, note, at: svc.mitigate(incident, note=note, at=at),
    click.option("--note", help="What stopped the damage."),
    at_option,
)

resolve = _simple(
    "resolve",
    "Record that the incident is resolved (deadlines anchored on `resolved` start now).",
    lambda svc, incident, summary, at: svc.resolve_incident(incident, summary=summary, at=at),
    click.option("--summary", help="One-paragraph summary of what happened."),
    at_option,
)

reopen = _simple(
    "reopen",
    "Reopen a resolved or closed incident; --reason is required.",
    lambda svc, incident, reason, at: svc.reopen(incident, reason=reason, at=at),
    click.option("--reason", required=True, help="Why it is reopened."),
    at_option,
)

close = _simple(
    "close",
    "Close a resolved incident. Refused while required steps are open, unless --force --reason.",
    lambda svc, incident, force, reason, at: svc.close(incident, force=force, reason=reason, at=at),
    click.option(
        "--force", is_flag=True, help="Close even with required steps open (needs --reason)."
    ),
    click.option("--reason", help="Why (required with --force)."),
    at_option,
)

set_ = _simple(
    "set",
    "Set a fact of the incident: scope (affected users/regions), title, or eta (committed time, or '' to clear).",
    lambda svc, incident, field, value, at: svc.update(incident, field, value, at=at),
    click.argument("field", type=click.Choice(["scope", "title", "eta"])),
    click.argument("value"),
    at_option,
)

retract = _simple(
    "retract",
    "Retract a mistaken event (by its # in `timeline`); it stays in the log, marked, and stops counting.",
    lambda svc, incident, seq, reason: svc.retract(incident, seq, reason=reason),
    click.argument("seq", type=click.IntRange(min=1), metavar="SEQ"),
    click.option("--reason", required=True, help="Why the event was wrong."),
)
