"""``incidentctl deadlines``, ``check`` and ``watch``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, json_option, pass_app

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.deadlines.monitor import Item
    from incidentctl.deadlines.notify import Notifier
    from incidentctl.incidents import Anchored


def _collect(app: App, refs: list[str], *, drills: bool = False) -> list[Item]:
    from incidentctl.deadlines.monitor import collect

    if not refs and not app.has_store():
        return []
    return collect(
        app.incidents(),
        refs=refs or None,
        calendar=app.calendar,
        policy=app.policy,
        drills=drills,
    )


@click.command("deadlines")
@click.argument("incidents", nargs=-1, metavar="[INC]...", shell_complete=complete.incidents)
@click.option(
    "--all", "show_all", is_flag=True, help="Also list deadlines already met, skipped or n/a."
)
@click.option("--drills", is_flag=True, help="Also the deadlines of drills (演练).")
@json_option
@pass_app
def deadlines(
    app: App, incidents: tuple[str, ...], show_all: bool, drills: bool, as_json: bool
) -> int:
    """Deadlines of the given incidents, or of every active one, most urgent first.

    Overdue deadlines come first (in red on a terminal), then due soon,
    pending, waiting on their anchor, and missed (done late).
    """
    from incidentctl.deadlines import engine as dl
    from incidentctl.deadlines.monitor import DeadlineListing

    items = _collect(app, list(incidents), drills=drills)
    shown = [i for i in items if show_all or i.deadline.state in (*dl.OPEN_STATES, dl.MISSED)]
    return app.report(DeadlineListing(shown, bool(items), app.clock.now()), as_json=as_json)


def _notifier(app: App) -> Notifier:
    from incidentctl.deadlines.notify import Notifier, SecretMissing

    try:
        return Notifier.from_config(app.config.notify, people=app.config.people)
    except SecretMissing as exc:
        from incidentctl.config import home_config_error
        from incidentctl.i18n import t

        where = ("notify", "webhooks", exc.index, "secret_env")
        text = t("err.config.secret_env", "en", name=exc.variable)
        raise home_config_error(app.home, where, text) from None


@click.command("check")
@click.option(
    "--warn-before",
    metavar="DURATION",
    help="Also count as due soon anything due within DURATION (e.g. 30m).",
)
@click.option(
    "--notify/--no-notify",
    default=True,
    show_default=True,
    help="Send the notices configured in the home config.",
)
@json_option
@pass_app
def check(app: App, warn_before: str | None, notify: bool, as_json: bool) -> int:
    """For cron and monitoring: silent with exit 0 when every deadline is on track.

    Otherwise prints the overdue and due-soon deadlines and exits 5 (something
    is overdue) or 4 (something is due soon).  Each breach and due-soon notice
    is sent once per deadline and channel through the `notify` section of the
    home config, all at once within its time budget (10s by default); exit 6
    says a notice could not be delivered (it is tried again on a later run if
    the failure may pass).

    A notice @-mentions whoever holds the step's role (`people` in the config),
    and a breach that stays undone and unacknowledged (`incidentctl ack`) is
    escalated level by level as `notify.escalation` says for the incident's tier.

    Open action items past their due date (every incident, closed ones too) are
    listed after the deadlines, as `check.action_items` in the config says:
    `report` (the default) lists them and still exits 0 for them, `page`
    also counts them as overdue (exit 5) and pages each item's owner once per
    due date, `off` ignores them.

    With `audit.anchor` in the config, check also runs `audit anchor` when the
    newest anchor in the anchor file (its last line) is `every` old or more;
    exit 6 also says that anchor could not be written or posted.
    """
    from incidentctl.deadlines.monitor import CheckResult, pending_notices
    from incidentctl.deadlines.monitor import check as flag
    from incidentctl.deadlines.notify import deliver
    from incidentctl.durations import parse_duration

    window = float(parse_duration(warn_before).seconds) if warn_before else None
    now = app.clock.now()
    flagged = flag(_collect(app, []), warn_before=window)
    mode = app.config.check_actions
    actions = []
    if mode != "off" and app.has_store():
        from incidentctl.deadlines.monitor import overdue_actions

        actions = overdue_actions(app.incidents(), now)
    problems: list[str] = []
    if notify:
        notifier = _notifier(app)
        if notifier.configured:
            notices = pending_notices([i for i, _ in flagged], app.zone, app.lang, notifier, window)
            if mode == "page" and actions:
                from incidentctl.deadlines.monitor import action_notices

                notices += action_notices(actions, now, app.zone, app.lang, notifier)
            problems = deliver(app.incidents(), notices, notifier, "check").problems
    anchored, anchor_problem = _scheduled_anchor(app, now)
    result = CheckResult(
        flagged,
        now,
        problems,
        actions,
        actions_count=mode == "page",
        anchor=anchored,
        anchor_problem=anchor_problem,
    )
    return app.report(result, as_json=as_json)


def _scheduled_anchor(app: App, now: datetime) -> tuple[Anchored | None, str | None]:
    """``audit.anchor`` in the config: the anchor ``check`` took, if one was due, and what
    kept it from being taken or posted."""
    section = app.config.anchor
    if not section or not app.has_store():
        return None, None
    import os

    from incidentctl.durations import parse_duration
    from incidentctl.incidents import Anchored
    from incidentctl.incidents.anchors import DEFAULT_FILE, scheduled

    path = os.path.join(app.home, os.path.expanduser(str(section.get("to") or DEFAULT_FILE)))
    record, problem = scheduled(
        app.incidents().store,
        now,
        path,
        every=float(parse_duration(str(section["every"])).seconds),
        url=section.get("post"),
        fmt=str(section.get("post_format", "json")),
    )
    return (
        None if record is None else Anchored(record, os.path.abspath(path)),
        None if problem is None else problem.text(app.lang),
    )


@click.command("watch")
@click.argument("incidents", nargs=-1, metavar="[INC]...", shell_complete=complete.incidents)
@click.option(
    "--interval", default="1s", show_default=True, metavar="DURATION", help="How often to redraw."
)
@click.option("--no-bell", is_flag=True, help="Do not ring the terminal bell.")
@click.option("--no-notify", is_flag=True, help="Do not send the configured notices.")
@pass_app
def watch(
    app: App, incidents: tuple[str, ...], interval: str, no_bell: bool, no_notify: bool
) -> None:
    """A live full-screen countdown of the deadlines of the given incidents, or of every
    active one.  Rings the bell when a deadline turns due soon and when it is breached;
    Ctrl-C quits."""
    import sys

    from incidentctl.cli.watch import Watch
    from incidentctl.durations import parse_duration
    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg

    if not sys.stdout.isatty():
        raise InvalidInput(msg("err.cli.watch_needs_terminal"))
    seconds = parse_duration(interval).seconds
    notifier = None if no_notify else _notifier(app)
    Watch(app, list(incidents), bell=not no_bell, notifier=notifier).run(seconds)
