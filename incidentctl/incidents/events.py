"""The kinds of event an incident's log holds, and what each one's payload says.

Events themselves (records, canonical encoding, hashing, the chain) are
:mod:`incidentctl.records`; this module is the domain's vocabulary on top.
"""

from __future__ import annotations

#: How a drill's id starts (a real incident's starts ``INC-``).
DRILL_PREFIX = "DRILL-"


def is_drill_id(incident_id: str) -> bool:
    """Whether ``incident_id`` names a drill (the id alone says so)."""
    return incident_id.startswith(DRILL_PREFIX)


# Event types.  Payload fields are listed beside each.
# OPENED payload: title, severity, runbook{id,version,sha256}, commander?, scope?, drill?,
# discovered_at? (when the event was discovered, if before opening: legal clocks run from it)
OPENED = "incident.opened"
STEP_STARTED = "step.started"  # step, note?
STEP_DONE = "step.done"  # step, evidence{}, note?
STEP_SKIPPED = "step.skipped"  # step, reason
STEP_NA = "step.na"  # step, reason, condition? (the applies_if the org's facts made false)
NOTE = "note.added"  # text
ASSIGNED = "role.assigned"  # role, name
SEVERITY = "severity.changed"  # from, to, reason
MITIGATED = "incident.mitigated"  # note?
RESOLVED = "incident.resolved"  # summary?
REOPENED = "incident.reopened"  # reason
CLOSED = "incident.closed"  # forced, reason?, open_steps[]
# UPDATED: field (scope|eta|title|discovered), value; for eta, value "" withdraws it, and
# previous is the ETA it replaces, if there was one; for discovered, value is the instant the
# event was discovered (never after opening) and previous the one it corrects
UPDATED = "incident.updated"
RETRACTED = "event.retracted"  # seq, reason
COMMS = "comms.sent"  # template, audience, channel, lang, text, subject?, inputs?
# NOTICE_CLAIMED: key, run, channels[], until: a delivery run is about to send the notice
NOTICE_CLAIMED = "notice.claimed"
# NOTIFIED: key, kind (due-soon|breach), deadline, run, via, channels[] (those that accepted),
# failed[{channel, reason, permanent}]; an older form has no run and means "sent everywhere"
NOTIFIED = "deadline.notified"
# NOTIFIED for an escalation has kind "escalation", level and notify (the level's target);
# every NOTIFIED may have mentioned[]: who the notice @-mentioned, by name only
# ACKED: step?: someone has seen the page (of that step, or of the whole incident)
ACKED = "notice.acked"

# --- the review (复盘): written after the incident, allowed on a closed one ---------------
# REVIEWED: field (one of REVIEW_FIELDS), value (text; for impact an object of typed facts;
# for discovered an ISO 8601 UTC instant)
REVIEWED = "review.set"
# ACTION_ADDED: action (its number in the incident, from 1), text, owner, due (YYYY-MM-DD),
# due_at (ISO 8601 UTC: the end of that day where it was set), kind
ACTION_ADDED = "action.added"
ACTION_DONE = "action.done"  # action, reason?
ACTION_DROPPED = "action.dropped"  # action, reason

#: The review's sections, in the order a post-mortem prints them.
REVIEW_FIELDS = (
    "summary",
    "impact",
    "discovered",
    "trigger",
    "root-causes",
    "contributing-factors",
    "went-well",
    "went-badly",
    "lucky",
    "lessons",
)
#: What an action item is for.
ACTION_KINDS = ("prevent", "detect", "mitigate", "process", "training")
ACTION_EVENTS = (ACTION_ADDED, ACTION_DONE, ACTION_DROPPED)

# ITEM_ADDED: kind (customer-report), ref, reported_at?: one item a `per:` step keeps a clock
# for, reported at reported_at (possibly before opening) or when the event occurred;
# ITEM_DONE: ref, step: that step handled for the item
ITEM_ADDED = "item.added"
ITEM_DONE = "item.done"

# --- drills: an exercise on its own clock -------------------------------------------------
# DRILL_CLOCK: action (pause|resume|end), clock{real_origin, sim_origin, speed, paused?}: the
# drill's clock from now on (the OPENED payload's drill.clock is its first)
DRILL_CLOCK = "drill.clock"
# DRILL_INJECT: inject (its id in the scenario), due_at (the drill time it was due), text{zh,en},
# source?, facts{}?: something the scenario makes happen to the players
DRILL_INJECT = "drill.inject"

STEP_EVENTS = (STEP_STARTED, STEP_DONE, STEP_SKIPPED, STEP_NA)
RETRACTABLE = (
    *STEP_EVENTS,
    NOTE,
    ASSIGNED,
    SEVERITY,
    UPDATED,
    COMMS,
    ITEM_ADDED,
    ITEM_DONE,
    ACKED,
    REVIEWED,
    *ACTION_EVENTS,
)
