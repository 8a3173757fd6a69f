"""Deadlines across incidents, and the notices they call for (used by deadlines, check and
watch).  Each incident's deadlines are measured against its own clock (:meth:`View.now`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.deadlines import deadline_title
from incidentctl.deadlines import engine as dl
from incidentctl.deadlines.engine import BREACH, DUE_SOON
from incidentctl.durations import human
from incidentctl.i18n import t
from incidentctl.times import fmt_zoned, iso

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import CalendarSource, Deadline, Policy
    from incidentctl.deadlines.notice import Notice
    from incidentctl.deadlines.notify import Notifier
    from incidentctl.deadlines.people import Directory
    from incidentctl.incidents import Anchored
    from incidentctl.incidents.service import Incidents, View
    from incidentctl.incidents.state import ActionItem

ACTIVE = ("open", "mitigated", "resolved")
#: The kind of notice that pages the next level when a breach stays unacknowledged.
ESCALATION = "escalation"


class Item(NamedTuple):
    """One deadline of one incident, as it stands at that incident's ``now``."""

    view: View
    deadline: Deadline
    now: datetime


class DeadlineListing(NamedTuple):
    """What ``deadlines`` shows; ``items`` is empty and ``any_incident`` False when there
    is nothing active at all."""

    items: list[Item]
    any_incident: bool
    now: datetime


class CheckResult(NamedTuple):
    """What ``check`` found: the flagged deadlines (each with ``breach`` or ``due-soon``),
    a line for each notice a channel did not take this run (or the scheduled anchor that
    could not be taken), the overdue action items (``actions``; they count as overdue only
    when ``actions_count``: ``check.action_items: page``), and the anchor taken this run."""

    flagged: list[tuple[Item, str]]
    now: datetime
    problems: list[str]
    actions: Sequence[tuple[View, ActionItem]] = ()
    actions_count: bool = False
    anchor: Anchored | None = None
    #: Why the anchor ``audit.anchor`` asked for was not taken, or not posted.
    anchor_problem: str | None = None

    @property
    def status(self) -> str:
        if any(kind == BREACH for _, kind in self.flagged) or (self.actions_count and self.actions):
            return "overdue"
        return "due-soon" if self.flagged else "ok"

    @property
    def exit_code(self) -> int:
        if self.problems or self.anchor_problem:
            return EXIT_NOT_DELIVERED
        return {"ok": 0, "due-soon": EXIT_DUE_SOON, "overdue": EXIT_OVERDUE}[self.status]


#: ``check``'s exit codes (documented in the README and in ``check --help``).
EXIT_DUE_SOON = 4
EXIT_OVERDUE = 5
#: A notice could not be delivered (whatever else is due): paging itself needs a look.
EXIT_NOT_DELIVERED = 6


def views(svc: Incidents, refs: list[str] | None = None, *, drills: bool = False) -> list[View]:
    """The given incidents, or every active one (open, mitigated, or resolved but not closed),
    drills only if ``drills`` (a drill never pages, nor mixes into what is really due)."""
    if refs:
        return [svc.view(r) for r in refs]
    from incidentctl.incidents.events import is_drill_id

    rows = svc.store.incidents(statuses=ACTIVE)
    return [svc.view(row.id) for row in rows if drills or not is_drill_id(row.id)]


def items_of(
    incidents: list[View],
    *,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
) -> list[Item]:
    """Every deadline of these incidents, each at its incident's now, most urgent first."""
    items: list[Item] = []
    for v in incidents:
        now = v.now()
        items.extend(
            Item(v, d, now)
            for d in dl.deadlines(v.runbook, v.state, now, calendar=calendar, policy=policy)
        )
    return sorted(items, key=lambda i: (dl.urgency(i.deadline), i.view.state.id))


def collect(
    svc: Incidents,
    *,
    refs: list[str] | None = None,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
    drills: bool = False,
) -> list[Item]:
    return items_of(views(svc, refs, drills=drills), calendar=calendar, policy=policy)


def check(items: list[Item], *, warn_before: float | None = None) -> list[tuple[Item, str]]:
    """The deadlines ``check`` flags, each with its kind (``breach`` or ``due-soon``)."""
    return [(i, k) for i in items if (k := classify(i, i.now, warn_before))]


def classify(item: Item, now: datetime, warn_before: float | None = None) -> str | None:
    """``breach``, ``due-soon`` or ``None`` for an open deadline; ``warn_before`` (seconds)
    widens the due-soon window."""
    d = item.deadline
    if d.state == dl.OVERDUE:
        return BREACH
    if d.state == dl.DUE_SOON:
        return DUE_SOON
    pending = d.state == dl.PENDING and warn_before is not None and d.due is not None
    if (
        pending
        and d.due is not None
        and warn_before is not None
        and (d.due - now).total_seconds() <= warn_before
    ):
        return DUE_SOON
    return None


def flagged_as(item: Item, kind: str) -> Item:
    """``item`` as ``check`` reports it: a pending deadline that ``--warn-before`` flagged
    is due soon, as ``check`` counts it, and is said to be so."""
    if kind == DUE_SOON and item.deadline.state == dl.PENDING:
        return item._replace(deadline=item.deadline._replace(state=dl.DUE_SOON))
    return item


def notice_for(
    item: Item,
    kind: str,
    now: datetime,
    zone: tzinfo,
    lang: str,
    directory: Directory | None = None,
    *,
    level: int = 0,
    target: str = "",
) -> Notice:
    """The notice ``kind`` (``due-soon``, ``breach``, or ``escalation`` at ``level``,
    paging ``target``) for ``item``, in ``lang`` with times in ``zone``; it mentions the
    holder of the step's role (an escalation: its target), as ``directory`` finds them."""
    from incidentctl.deadlines.notice import Notice  # only check and watch send notices
    from incidentctl.deadlines.people import Directory

    v, d = item.view, item.deadline
    directory = directory or Directory()
    step_title = deadline_title(v.runbook, d, now, zone, lang)
    role = v.runbook.roles.get(d.role)
    owner = v.state.roles.get(d.role)
    role_name = role.name.get(lang) if role else d.role
    assert d.due is not None
    left = (d.due - now).total_seconds()
    due = fmt_zoned(d.due, zone)
    tier = v.runbook.tier(v.state.severity).name.get(lang)
    who = role_name + (f" ({owner})" if owner else "")
    left_text = (
        t("notice.overdue_by", lang, d=human(-left, lang))
        if left < 0
        else t("notice.left", lang, d=human(left, lang))
    )
    text = t(
        f"notice.text.{kind}",
        lang,
        id=v.state.id,
        tier=tier,
        title=v.state.title,
        key=d.key,
        step=step_title,
        due=due,
        left=left_text,
        owner=who,
        level=level,
    )
    if level:
        mention = directory.target(target, v.state.roles, v.runbook.roles)
    else:
        mention = directory.for_role(d.role, owner)
    return Notice(
        kind=kind,
        incident=v.state.id,
        title=v.state.title,
        severity=v.state.severity,
        step=d.step,
        step_title=step_title,
        key=d.key,
        due=iso(d.due),
        seconds_left=int(left),
        role=d.role,
        owner=owner,
        text=text,
        mention=mention,
        lang=lang,
        tier=tier,
        due_text=due,
        left_text=left_text,
        owner_text=who,
        level=level,
        target=target,
    )


def unacknowledged(item: Item) -> bool:
    """A breach nobody has acknowledged since it became overdue (see ``incidentctl ack``)."""
    d = item.deadline
    return (
        d.state == dl.OVERDUE
        and d.due is not None
        and item.view.state.acknowledged(d.step, d.due) is None
    )


def escalations(items: list[Item], zone: tzinfo, lang: str, notifier: Notifier) -> list[Notice]:
    """The escalation notices due now: for each breach still unacknowledged and undone, every
    level of the incident's current tier's policy it has been overdue long enough for, that
    some channel should still get.  A level already sent is not sent again; ``ack`` or
    doing the step stops the rest; a change of tier changes the levels that apply."""
    out = []
    for item in items:
        if not unacknowledged(item):
            continue
        d, state = item.deadline, item.view.state
        assert d.due is not None
        overdue = (item.now - d.due).total_seconds()
        for level, (after, target) in enumerate(notifier.levels(state.severity), 1):
            if overdue < after:
                break
            notice = notice_for(
                item,
                ESCALATION,
                item.now,
                zone,
                lang,
                notifier.directory,
                level=level,
                target=target,
            )
            if notifier.due(state.notices.get(notice.dedupe_key), item.now):
                out.append(notice)
    return out


def pending_notices(
    items: list[Item],
    zone: tzinfo,
    lang: str,
    notifier: Notifier,
    warn_before: float | None = None,
) -> list[Notice]:
    """The notices some channel should get now: one per flagged deadline and kind the
    notifier wants, unless every channel has it, has given up on it, or is backing off."""
    out = []
    zone, lang = notifier.zone(zone), notifier.language(lang)
    for item in items:
        kind = classify(item, item.now, warn_before)
        if kind is None or not notifier.wants(kind):
            continue
        notice = notice_for(item, kind, item.now, zone, lang, notifier.directory)
        if notifier.due(item.view.state.notices.get(notice.dedupe_key), item.now):
            out.append(notice)
    if notifier.configured and notifier.escalation:
        out += escalations(items, zone, lang, notifier)
    return out


# --- action items ------------------------------------------------------------------------
# Action items of the review outlive their incident (closed ones included) and run for
# weeks, so they are judged at the real now, not an incident's drill time, and drills'
# are left out, as drills are from paging.


def overdue_actions(svc: Incidents, now: datetime) -> list[tuple[View, ActionItem]]:
    """Every open action item past the end of its due date, of every incident but drills,
    by due date."""
    out = [
        (view, item)
        for view in svc.with_actions()
        if not view.state.drill
        for item in view.state.actions.values()
        if item.overdue(now)
    ]
    return sorted(out, key=lambda va: (va[1].due_at, va[0].state.id, va[1].number))


def action_notice(
    view: View,
    item: ActionItem,
    now: datetime,
    zone: tzinfo,
    lang: str,
    directory: Directory | None = None,
) -> Notice:
    """The notice that action item ``item`` of ``view`` is overdue, mentioning its owner;
    sent once per item and due date (see :attr:`Notice.dedupe_key`)."""
    from incidentctl.deadlines.notice import ACTION, Notice
    from incidentctl.deadlines.people import Directory

    state = view.state
    key = f"action#{item.number}"
    left = (item.due_at - now).total_seconds()
    left_text = t("notice.overdue_by", lang, d=human(-left, lang))
    tier = (
        view.runbook.tier(state.severity).name.get(lang)
        if state.severity in view.runbook.tier_ids
        else state.severity
    )
    text = t(
        "notice.text.action",
        lang,
        id=state.id,
        title=state.title,
        key=key,
        text=item.text,
        due=item.due,
        left=left_text,
        owner=item.owner,
        n=item.number,
    )
    return Notice(
        kind=ACTION,
        incident=state.id,
        title=state.title,
        severity=state.severity,
        step=key,
        step_title=item.text,
        key=key,
        due=iso(item.due_at),
        seconds_left=int(left),
        role="",
        owner=item.owner,
        text=text,
        mention=(directory or Directory()).named(item.owner),
        lang=lang,
        tier=tier,
        due_text=item.due,
        left_text=left_text,
        owner_text=item.owner,
    )


def action_notices(
    actions: list[tuple[View, ActionItem]],
    now: datetime,
    zone: tzinfo,
    lang: str,
    notifier: Notifier,
) -> list[Notice]:
    """The overdue-action-item notices some channel should get now (as
    :func:`pending_notices` decides for deadlines)."""
    if not notifier.configured:
        return []
    zone, lang = notifier.zone(zone), notifier.language(lang)
    out = []
    for view, item in actions:
        notice = action_notice(view, item, now, zone, lang, notifier.directory)
        if notifier.due(view.state.notices.get(notice.dedupe_key), now):
            out.append(notice)
    return out
