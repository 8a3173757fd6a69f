"""What may come next on a command line (for shell completion): incidents by the ways a
reference can be written, and the steps, roles, templates, tiers and evidence of an
incident's pinned runbook that a command would accept.

Everything here only reads a store (opened read-only by the caller) and offers what the
lifecycle rules would take: a step that is done is not offered to ``step done`` again
(unless it recurs), nor a step the incident's tier does not have, nor the tier it is at
already to ``severity``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.incidents import state as st
from incidentctl.incidents.events import DRILL_PREFIX

if TYPE_CHECKING:
    from collections.abc import Collection

    from incidentctl.runbooks.model import Runbook, Text
    from incidentctl.store.base import IncidentRow, Store

#: Statuses of incidents still being worked, in the order they are offered.
ACTIVE = (st.OPEN, st.MITIGATED, st.RESOLVED)
#: Closed incidents offered at most (the newest that match), after every active one.
CLOSED_OFFERED = 20
_ID_PREFIX = "INC-"


def incident_refs(
    store: Store, text: str, *, exclude: Collection[str] = ()
) -> list[tuple[str, IncidentRow]]:
    """References to incidents that ``text`` could be the start of, each with its incident:
    open incidents first, then mitigated, resolved, and the newest closed ones; newest
    first within each.  A reference is written in the form ``text`` has: ``7`` (the
    incident's number, also for ``#7``: a shell takes a word starting with ``#`` for a
    comment), ``INC-20261122-001`` (its id), or ``20261122-001`` (its id without ``INC-``,
    once eight digits say a date).  Incidents whose id is in ``exclude`` are left out
    (those already named on the line)."""
    text = text.strip()
    digits = text.removeprefix("#")
    if digits.isdecimal() or text == "#":
        if len(digits) <= 7:  # as Store.match_ids reads it: eight digits start a date
            return _by_number(store, digits, exclude)
        if text.startswith("#"):
            return []
        return _by_id(store, _ID_PREFIX + digits, exclude, shown_without_prefix=True)
    prefix = text.upper()
    if prefix and (prefix.startswith(DRILL_PREFIX) or DRILL_PREFIX.startswith(prefix)):
        return _by_id(store, prefix, exclude, shown_without_prefix=False)  # a drill's id
    if not (prefix.startswith(_ID_PREFIX) or _ID_PREFIX.startswith(prefix)):
        return []
    return _by_id(store, prefix, exclude, shown_without_prefix=False)


def _active(store: Store) -> list[IncidentRow]:
    rows = store.incidents(statuses=ACTIVE)  # newest first; sorting by status keeps that
    return sorted(rows, key=lambda r: ACTIVE.index(r.status) if r.status in ACTIVE else 99)


def _by_number(
    store: Store, digits: str, exclude: Collection[str]
) -> list[tuple[str, IncidentRow]]:
    rows = [r for r in _active(store) if str(r.number).startswith(digits)]
    if digits:  # a closed incident only by its whole number: numbers are not indexed as text
        rows += _rows(store, store.match_ids(digits))
    else:
        rows += store.incidents(statuses=(st.CLOSED,), limit=CLOSED_OFFERED)
    return [(str(r.number), r) for r in _unique(rows, exclude)]


def _by_id(
    store: Store, prefix: str, exclude: Collection[str], *, shown_without_prefix: bool
) -> list[tuple[str, IncidentRow]]:
    rows = [r for r in _active(store) if r.id.startswith(prefix)]
    if len(prefix) <= len(_ID_PREFIX):
        closed = store.incidents(statuses=(st.CLOSED,), limit=CLOSED_OFFERED)
        rows += [r for r in closed if r.id.startswith(prefix)]
    else:
        ids = store.match_ids(prefix)  # in id order: the newest last
        active = {r.id for r in rows}
        newest = [i for i in reversed(ids) if i not in active and i not in exclude]
        rows += [r for r in _rows(store, newest[: CLOSED_OFFERED * 2]) if r.status == st.CLOSED][
            :CLOSED_OFFERED
        ]
    cut = len(_ID_PREFIX) if shown_without_prefix else 0
    return [(r.id[cut:], r) for r in _unique(rows, exclude)]


def _rows(store: Store, ids: list[str]) -> list[IncidentRow]:
    return [row for row in map(store.incident, ids) if row is not None]


def _unique(rows: list[IncidentRow], exclude: Collection[str]) -> list[IncidentRow]:
    seen = set(exclude)
    out = []
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            out.append(row)
    return out


def pinned(store: Store, ref: str) -> tuple[IncidentRow, Runbook] | None:
    """The incident ``ref`` names (only if it names exactly one) and its pinned runbook."""
    from incidentctl.runbooks.model import from_document

    ids = store.match_ids(ref)
    row = store.incident(ids[0]) if len(ids) == 1 else None
    if row is None:
        return None
    return row, from_document(store.runbook_document(row.runbook_sha256), row.runbook_sha256)


def steps(store: Store, row: IncidentRow, runbook: Runbook, action: str) -> list[tuple[str, Text]]:
    """The steps ``step ACTION`` would accept on the incident now, in the runbook's order:
    those of its tier that are not finished (a recurring step may be done again), and for
    ``start`` not started either; none once the incident is closed."""
    state = st.fold(runbook, store.events(row.id))
    if state.status == st.CLOSED:
        return []
    out = []
    for step in runbook.steps:
        current = state.steps.get(step.id)
        if current is None or not step.applies_to(state.severity):
            continue
        if current.status in st.FINISHED and not (step.recurring and action == "done"):
            continue
        if action == "start" and current.status == st.IN_PROGRESS:
            continue
        out.append((step.id, step.title))
    return out


def evidence(runbook: Runbook, step_id: str, given: Collection[str]) -> list[tuple[str, Text]]:
    """The evidence ``step_id`` records that is not ``given`` yet, required first."""
    step = runbook.step(step_id)
    if step is None:
        return []
    wanted = sorted(step.evidence, key=lambda e: not e.required)
    return [(e.id, e.label) for e in wanted if e.id not in given]


def roles(runbook: Runbook) -> list[tuple[str, Text]]:
    return [(role.id, role.name) for role in runbook.roles.values()]


def templates(runbook: Runbook) -> list[tuple[str, Text]]:
    return [(template.id, template.name) for template in runbook.templates.values()]


def tiers(runbook: Runbook, *, besides: str | None = None) -> list[tuple[str, Text]]:
    """The runbook's tiers, most severe first, but the one an incident is at already."""
    return [(tier.id, tier.name) for tier in runbook.tiers if tier.id != besides]
