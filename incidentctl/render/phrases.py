"""Words for the things incidentctl talks about: events, tiers, durations, deadlines, sources.

Plain text in the reader's language, never styled for a terminal: the
terminal, post-mortems and notices all describe an event or a deadline with
these same phrases, so they always say the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.durations import Duration, human, parse_duration
from incidentctl.i18n import t
from incidentctl.incidents import events as ev
from incidentctl.times import short_time as when

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.audit import AuditProblem
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook, Step

__all__ = [
    "anchor_name",
    "deadline_rule",
    "deadline_status",
    "describe",
    "duration",
    "eta_change",
    "human",
    "log_warning",
    "rule_phrase",
    "rule_source",
    "source_label",
    "step_sources",
    "tier_name",
    "tier_summary",
    "when",
]

_ANCHORS = ("opened", "discovered", "mitigated", "resolved", "customer-report")


# --- tiers, durations, anchors, sources ----------------------------------------------


def tier_name(rb: Runbook, tier: str, lang: str) -> str:
    """``sev1 一级(重大)``: the tier's id and its name in ``lang``."""
    try:
        return f"{tier} {rb.tier(tier).name.get(lang)}"
    except KeyError:
        return tier


def duration(value: Duration | str, lang: str) -> str:
    """A runbook duration in words: ``10m`` -> ``10m`` / ``10分钟``; ``2bd`` -> ``2 business
    days`` / ``2个工作日``; compound spans keep their two largest units."""
    if isinstance(value, str):
        if lang != "zh" and not value.endswith("bd"):
            return value  # already in the runbook's own spelling, which English reads
        value = parse_duration(value)
    d = value
    if d.is_business:
        return t("duration.bd", lang, n=d.business_days)
    if lang != "zh":
        return str(d)
    return human(d.seconds, lang, parts=4)


def anchor_name(anchor: str, lang: str) -> str:
    """What a deadline counts from: ``opened``/``事件开启``, or ``step X``."""
    if anchor in _ANCHORS:
        return t(f"anchor.{anchor}", lang)
    return t("anchor.step", lang, step=anchor)


def source_label(rb: Runbook, ref_id: str | None, lang: str) -> str:
    """How a deadline's source is cited (``manual §1.2`` / ``手册 §1.2``), ``(check)`` when
    the runbook marks the citation unverified."""
    if ref_id is None:
        return ""
    ref = rb.references.get(ref_id)
    if ref is None:
        return ref_id
    label = ref.cite.get(lang)
    return label if ref.verified else f"{label} {t('check', lang)}"


def stated(rb: Runbook, ref_id: str, lang: str) -> str:
    """What a reference itself states as its limit: ``immediately`` / ``立即``, ``72h``."""
    ref = rb.references.get(ref_id)
    if ref is None:
        return ""
    words = [
        t(f"states.{x}", lang) if x in ("immediately", "without-undue-delay") else duration(x, lang)
        for x in ref.states
    ]
    return t("list_sep", lang).join(words)


def rule_source(rb: Runbook, source: str, basis: str | None, lang: str) -> str:
    """Where a deadline's number comes from, and the duty it puts into practice:
    ``team policy (PIPL art. 57: immediately)``, ``manual §1.2``."""
    text = source_label(rb, source, lang)
    if basis:
        says = stated(rb, basis, lang)
        cite = source_label(rb, basis, lang)
        inner = t("rule.stated", lang, cite=cite, says=says) if says else cite
        text = t("rule.basis", lang, source=text, basis=inner)
    return text


def step_sources(rb: Runbook, step: Step, lang: str) -> str:
    """The sources of a step's deadline and of its recurrence, each with its basis."""
    seen: list[tuple[str, str | None]] = []
    for rule in (step.due, step.every):
        if rule is not None and (rule.source, rule.basis) not in seen:
            seen.append((rule.source, rule.basis))
    return t("list_sep", lang).join(rule_source(rb, s, b, lang) for s, b in seen)


def deadline_rule(rb: Runbook, d: Deadline, lang: str) -> str:
    """The rule behind a deadline and where its number comes from:
    ``sev1 4h — team policy (PIPL art. 57: immediately)``."""
    rule = f"{d.tier} {duration(d.duration, lang)}"
    if d.anchor == "discovered":  # the legal clocks: say what they count from
        key = "anchor.discovered_fallback" if d.anchor_fallback else "anchor.discovered"
        rule += " ← " + t(key, lang)
    if d.source in rb.references:
        rule += " — " + rule_source(rb, d.source, d.basis, lang)
    return rule


def rule_phrase(step: Step, tier: str, lang: str) -> str:
    """A step's rule at one tier: ``10m after opened`` / ``every 30m until resolved`` /
    ``no deadline``."""
    if not step.applies_to(tier):
        return t("not_for_tier", lang, tier=tier)
    parts = []
    if step.due and tier in step.due.durations:
        parts.append(
            t(
                "after",
                lang,
                d=duration(step.due.durations[tier], lang),
                anchor=anchor_name(step.due.anchor, lang),
            )
        )
    if step.every and tier in step.every.intervals:
        text = t("every", lang, d=duration(step.every.intervals[tier], lang))
        parts.append(text + " " + t("until", lang, anchor=anchor_name(step.every.until, lang)))
    return t("list_sep", lang).join(parts) if parts else t("no_deadline", lang)


def tier_summary(step: Step, lang: str) -> str:
    """A step's rule at every tier at once: ``sev1 10m · sev2 10m · sev3 30m ← opened``."""
    chunks = []
    if step.due:
        durs = " · ".join(f"{k} {duration(v, lang)}" for k, v in step.due.durations.items())
        chunks.append(f"{durs} ← {anchor_name(step.due.anchor, lang)}")
    if step.every:
        ints = " · ".join(f"{k} {duration(v, lang)}" for k, v in step.every.intervals.items())
        chunks.append(
            t("every", lang, d=ints)
            + " "
            + t("until", lang, anchor=anchor_name(step.every.until, lang))
        )
    return t("list_sep", lang).join(chunks) or "-"


# --- deadlines ---------------------------------------------------------------------


def deadline_status(d: Deadline, now: datetime, zone: tzinfo, lang: str) -> str:
    """Where a deadline stands at ``now``: ``overdue 5m (10:10)``, ``in 25m (10:40)``,
    ``met, 3m to spare (10:10)``, ``waits for mitigated (+4h)``."""
    from incidentctl.deadlines import engine as dl

    if d.state == dl.WAITING:
        return t("waiting_on", lang, anchor=anchor_name(d.anchor, lang)) + (
            f" (+{duration(d.duration, lang)})"
        )
    if d.due is None:
        return t(f"state.{d.state}", lang)
    at = when(d.due, now, zone)
    if d.state in dl.OPEN_STATES:
        left = (d.due - now).total_seconds()
        if left < 0:
            return f"{t('overdue_by', lang, d=human(-left, lang))} ({at})"
        return f"{t('in', lang, d=human(left, lang))} ({at})"
    margin = d.margin()
    if margin is None:
        return f"{t(f'state.{d.state}', lang)} ({at})"
    how = (
        t("early_by", lang, d=human(margin, lang))
        if margin >= 0
        else t("late_by", lang, d=human(-margin, lang))
    )
    return f"{t(f'state.{d.state}', lang)}{t('clause_sep', lang)}{how} ({at})"


# --- events ------------------------------------------------------------------------


def describe(e: Event, rb: Runbook, lang: str, zone: tzinfo | None = None) -> str:
    """One line saying what an event recorded, in ``lang``; times in it are local to
    ``zone`` (default UTC), with the zone named."""
    p = e.payload

    def step_title(step_id: str) -> str:
        step = rb.step(step_id)
        return f"{step_id} ({step.title.get(lang)})" if step else step_id

    def role_name(role_id: str) -> str:
        role = rb.roles.get(role_id)
        return role.name.get(lang) if role else role_id

    sep = t("clause_sep", lang)
    if e.type == ev.OPENED:
        text = t(
            f"ev.{e.type}",
            lang,
            tier=tier_name(rb, p["severity"], lang),
            runbook=p["runbook"]["id"],
            version=p["runbook"]["version"],
            title=p["title"],
        )
        if p.get("commander"):
            text += sep + f"{t('commander', lang)} {p['commander']}"
        if p.get("discovered_at"):
            from datetime import timezone

            from incidentctl.times import fmt_zoned, from_iso

            at = fmt_zoned(from_iso(p["discovered_at"]), zone or timezone.utc)
            text += sep + f"{t('field.discovered', lang)} {at}"
        return text
    if e.type in ev.STEP_EVENTS:
        text = t(f"ev.{e.type}", lang, step=step_title(p["step"]))
        if p.get("evidence"):
            text += sep + ", ".join(f"{k}={v}" for k, v in p["evidence"].items())
        if p.get("reason"):
            text += sep + t("labelled", lang, label=t("reason", lang), text=p["reason"])
        if p.get("note"):
            text += sep + t("labelled", lang, label=t("note", lang), text=p["note"])
        return text
    if e.type == ev.NOTE:
        return t("labelled", lang, label=t("note", lang), text=p["text"])
    if e.type == ev.DRILL_INJECT:
        said = p["text"].get(lang) or p["text"].get("en", "")
        text = t("ev.drill.inject", lang, inject=p["inject"], text=said)
        if p.get("facts"):
            text += sep + ", ".join(f"{k}={v}" for k, v in p["facts"].items())
        return text
    if e.type == ev.DRILL_CLOCK:
        return t(f"ev.drill.{p['action']}", lang)
    if e.type == ev.ITEM_ADDED:
        kind = t(f"item.{p['kind']}", lang) if p["kind"] == "customer-report" else p["kind"]
        text = t("ev.item.added", lang, kind=kind, ref=p["ref"])
        if p.get("reported_at"):
            from datetime import timezone

            from incidentctl.times import fmt_zoned, from_iso

            at = fmt_zoned(from_iso(p["reported_at"]), zone or timezone.utc)
            text += t("clause_sep", lang) + t("item.reported_at", lang, at=at)
        return text
    if e.type == ev.ITEM_DONE:
        return t("ev.item.done", lang, step=step_title(p["step"]), ref=p["ref"])
    if e.type == ev.ASSIGNED:
        return f"{role_name(p['role'])} = {p['name']}"
    if e.type == ev.SEVERITY:
        return t("ev.severity", lang, before=p["from"], after=p["to"], reason=p["reason"])
    if e.type == ev.MITIGATED:
        text = t("status.mitigated", lang)
        return t("labelled", lang, label=text, text=p["note"]) if p.get("note") else text
    if e.type == ev.RESOLVED:
        text = t("status.resolved", lang)
        return t("labelled", lang, label=text, text=p["summary"]) if p.get("summary") else text
    if e.type == ev.REOPENED:
        return t("labelled", lang, label=t("ev.reopened", lang), text=p["reason"])
    if e.type == ev.CLOSED:
        text = t("status.closed", lang)
        if p.get("forced"):
            text += " " + t("ev.forced", lang, steps=list(p.get("open_steps", [])))
        if p.get("reason"):
            text = t("labelled", lang, label=text, text=p["reason"])
        return text
    if e.type == ev.UPDATED and p["field"] == "eta":
        return eta_change(e, lang, zone)
    if e.type == ev.UPDATED and p["field"] == "discovered":
        from datetime import timezone

        from incidentctl.times import fmt_zoned, from_iso

        at = fmt_zoned(from_iso(p["value"]), zone or timezone.utc)
        return f"{t('field.discovered', lang)} = {at}"
    if e.type == ev.UPDATED:
        field = (
            t(f"field.{p['field']}", lang)
            if p["field"] in ("scope", "title", "eta")
            else p["field"]
        )
        return f"{field} = {p['value'] or '-'}"
    if e.type == ev.RETRACTED:
        return t("ev.retracted", lang, seq=p["seq"], reason=p["reason"])
    if e.type == ev.COMMS:
        audience = p.get("audience", "")
        return t(
            "ev.sent",
            lang,
            template=p["template"],
            audience=t(f"audience.{audience}", lang) if audience else "-",
            channel=p.get("channel", "-"),
        )
    if e.type == ev.REVIEWED:
        field = t(f"review.{p['field']}", lang)
        return t("ev.review.set" if p["value"] else "ev.review.cleared", lang, field=field)
    if e.type == ev.ACTION_ADDED:
        return t(
            "ev.action.added",
            lang,
            n=p["action"],
            kind=t(f"action.kind.{p['kind']}", lang),
            text=p["text"],
            owner=p["owner"],
            due=p["due"],
        )
    if e.type in (ev.ACTION_DONE, ev.ACTION_DROPPED):
        text = t(f"ev.{e.type}", lang, n=p["action"])
        if p.get("reason"):
            text += sep + t("labelled", lang, label=t("reason", lang), text=p["reason"])
        return text
    if e.type == ev.NOTICE_CLAIMED:
        return t("ev.notice.claimed", lang, key=p["key"], channels=list(p["channels"]))
    if e.type == ev.ACKED:
        return t("ev.acked.step", lang, step=p["step"]) if p.get("step") else t("ev.acked", lang)
    if e.type == ev.NOTIFIED:
        if p.get("level"):
            text = t(
                "ev.escalated",
                lang,
                level=p["level"],
                target=p.get("notify", "-"),
                deadline=p.get("deadline", p["key"]),
                channels=list(p.get("channels", [])) or "-",
            )
        else:
            text = t(
                "ev.notified",
                lang,
                kind=t(f"notice.{p['kind']}", lang),
                deadline=p.get("deadline", p["key"]),
                channels=list(p.get("channels", [])) or "-",
            )
        if p.get("mentioned"):
            text += sep + t("ev.notified.mentioned", lang, names=list(p["mentioned"]))
        for failure in p.get("failed", ()):
            text += sep + t(
                "ev.notice.failed" if not failure.get("permanent") else "ev.notice.refused",
                lang,
                channel=failure["channel"],
                reason=failure.get("reason", ""),
            )
        return text
    return e.type


def eta_change(e: Event, lang: str, zone: tzinfo | None = None) -> str:
    """What setting, changing or withdrawing an ETA recorded: local times with their zone,
    and how far ahead of the moment it was made the promise lies."""
    from datetime import timezone

    from incidentctl.times import fmt_zoned, from_iso

    p, tz = e.payload, zone or timezone.utc
    before = fmt_zoned(from_iso(p["previous"]), tz) if p.get("previous") else None
    if not p["value"]:
        return t("ev.eta.cleared", lang, before=before or "-")
    due = from_iso(p["value"])
    ahead = human((due - e.occurred).total_seconds(), lang)
    at = fmt_zoned(due, tz)
    if before is None:
        return t("ev.eta.set", lang, at=at, ahead=ahead)
    return t("ev.eta.changed", lang, before=before, at=at, ahead=ahead)


def log_warning(incident: str, problems: Sequence[AuditProblem], lang: str) -> str:
    """The warning over an incident whose log does not verify: from which event (the
    first that does not), or that its pinned runbook does not, and how to see every
    problem."""
    seqs = [p.seq for p in problems if p.seq is not None]
    if seqs:
        return t("warn.log_broken", lang, id=incident, seq=min(seqs))
    return t("warn.snapshot_broken", lang, id=incident)
