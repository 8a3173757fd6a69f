"""Incident bundles: incidents exported whole, to be verified and reviewed with no store.

A bundle (``schemas/incident-bundle.schema.json``) holds every event of each incident
exactly as stored and hashed, the runbook snapshot each one pinned, where each chain
ends, and the anchors that name any of them.  It is what an auditor receives:
``audit verify BUNDLE`` recomputes every chain and pinned hash from it alone (and, given
an anchor kept elsewhere, shows what changed since), ``postmortem BUNDLE`` renders the
review from it, and ``import`` writes it into a store only once all of it verifies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.errors import InvalidInput, StoreError
from incidentctl.i18n import msg
from incidentctl.records import Event

if TYPE_CHECKING:
    from incidentctl.incidents.audit import AuditProblem, AuditReport
    from incidentctl.incidents.state import IncidentState
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import Store

KIND = "incidentctl-bundle"


class Bundle:
    """A bundle as read: runbook snapshots by sha256, each incident's events, the head
    each chain is said to end at, and the anchors it carries."""

    def __init__(
        self,
        runbooks: dict[str, dict[str, Any]],
        incidents: dict[str, list[Event]],
        heads: dict[str, tuple[int, str]],
        anchors: list[dict[str, Any]],
    ) -> None:
        self.runbooks = runbooks
        self.incidents = incidents
        self.heads = heads
        self.anchors = anchors

    def snapshot(self, sha256: str) -> dict[str, Any]:
        if sha256 not in self.runbooks:
            raise StoreError(msg("err.store.no_snapshot", sha=sha256[:12]))
        return self.runbooks[sha256]

    def events(self, incident: str, *, after: int = 0) -> list[Event]:
        return [e for e in self.incidents.get(incident, []) if e.seq > after]

    def pick(self, ref: str | None) -> str:
        """The incident ``ref`` names (its id or a unique prefix); the only one when
        ``ref`` is ``None``."""
        ids = list(self.incidents)
        if ref is None:
            if len(ids) == 1:
                return ids[0]
            raise InvalidInput(msg("err.bundle.which", ids=ids))
        ref = ref.strip().upper()
        found = [i for i in ids if i == ref] or [i for i in ids if i.startswith(ref)]
        if len(found) != 1:
            raise InvalidInput(msg("err.bundle.no_incident", ref=ref, ids=ids))
        return found[0]


def folded(bundle: Bundle, incident: str) -> tuple[Runbook, IncidentState]:
    """The pinned runbook of one incident of the bundle and the state folded from its log;
    a log that cannot be read (a chain recomputed over nonsense) is refused, not a crash."""
    from incidentctl.incidents.state import fold
    from incidentctl.runbooks.model import from_document

    events = bundle.incidents[incident]
    try:
        pinned = events[0].payload["runbook"]["sha256"]
        runbook = from_document(bundle.snapshot(pinned), pinned)
        return runbook, fold(runbook, events)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problem = f"{incident}: the log cannot be read ({type(exc).__name__}: {exc})"
        raise InvalidInput(msg("err.bundle.invalid", file="bundle", problem=problem)) from None


def export(store: Store, ids: list[str], anchors: list[dict[str, Any]]) -> dict[str, Any]:
    """The bundle of incidents ``ids`` (and of the anchors among ``anchors`` that name any
    of them, whole, so their digests still verify)."""
    runbooks: dict[str, dict[str, Any]] = {}
    incidents = []
    for incident in ids:
        events = store.events(incident)
        if not events:
            raise InvalidInput(msg("err.incident.missing", id=incident))
        pinned = events[0].payload.get("runbook", {}).get("sha256")
        if isinstance(pinned, str) and pinned not in runbooks:
            runbooks[pinned] = store.runbook_document(pinned)
        incidents.append(
            {
                "id": incident,
                "head": {"seq": events[-1].seq, "hash": events[-1].hash},
                "events": [e.as_dict() for e in events],
            }
        )
    chosen = set(ids)
    return {
        "kind": KIND,
        "schema_version": 1,
        "runbooks": dict(sorted(runbooks.items())),
        "incidents": incidents,
        "anchors": [a for a in anchors if chosen & set(a.get("heads", {}))],
    }


def load(text: str, name: str) -> Bundle:
    """Read a bundle, checked against its schema; a file that is not one is refused with
    where and why."""
    import json

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(msg("err.bundle.invalid", file=name, problem=str(exc))) from None
    from jsonschema import Draft202012Validator

    from incidentctl.paths import schema_path

    with open(schema_path("incident-bundle"), encoding="utf-8") as fh:
        schema = json.load(fh)
    error = next(iter(Draft202012Validator(schema).iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise InvalidInput(
            msg("err.bundle.invalid", file=name, problem=f"{where}: {error.message}")
        )
    incidents: dict[str, list[Event]] = {}
    heads: dict[str, tuple[int, str]] = {}
    for item in data["incidents"]:
        if item["id"] in incidents:
            raise InvalidInput(
                msg("err.bundle.invalid", file=name, problem=f"{item['id']} appears twice")
            )
        incidents[item["id"]] = [Event(**e) for e in item["events"]]
        heads[item["id"]] = (item["head"]["seq"], item["head"]["hash"])
    return Bundle(data["runbooks"], incidents, heads, data["anchors"])


def audit(bundle: Bundle, anchors: list[dict[str, Any]] | None = None) -> AuditReport:
    """Verify every incident of the bundle from the bundle alone: each chain and pinned
    runbook (as ``audit verify`` does in a store), that every event belongs to its
    incident, that each chain ends where the bundle says, and what the anchors (the
    bundle's own, and ``anchors`` given from elsewhere) show."""
    from incidentctl.incidents.anchors import check
    from incidentctl.incidents.audit import AuditProblem, AuditReport, IncidentAudit, log_problems
    from incidentctl.records import Head

    anchored = check([*bundle.anchors, *(anchors or [])], bundle.events)
    out = []
    for incident, events in bundle.incidents.items():
        problems: list[AuditProblem] = log_problems(events, bundle.snapshot)
        strangers = [e.seq for e in events if e.incident != incident]
        if strangers:
            problems.append(
                AuditProblem(
                    strangers[0], "bundle-foreign", "the event belongs to another incident"
                )
            )
        if events and bundle.heads[incident] != (events[-1].seq, events[-1].hash):
            problems.append(
                AuditProblem(None, "bundle-head", "the chain does not end where the bundle says")
            )
        problems += anchored.get(incident, [])
        head = Head.of(events[-1]) if events else None
        out.append(IncidentAudit(incident, len(events), head, problems))
    return AuditReport(out)


def ensure_verified(bundle: Bundle) -> None:
    """Refuse a bundle any part of which does not verify, naming the first problem."""
    report = audit(bundle)
    if report.failed:
        first = report.failed[0]
        raise InvalidInput(
            msg("err.bundle.broken", id=first.incident, problem=first.problems[0].message),
            hint=msg("err.bundle.verify_how"),
        )


Prepared = list[tuple[dict[str, Any], str, str, list[Event], Any]]


def prepare(bundle: Bundle) -> Prepared:
    """Everything :func:`import_into` writes, checked: every part of the bundle verifies
    and every log can be read.  Done before any store is opened, so a bundle that is
    refused leaves nothing behind."""
    ensure_verified(bundle)
    items: Prepared = []
    for incident, events in bundle.incidents.items():
        runbook, state = folded(bundle, incident)
        items.append((runbook.doc, runbook.sha256, runbook.id, events, state.summary()))
    return items


def import_into(store: Store, bundle: Bundle, items: Prepared) -> list[str]:
    """Write a prepared bundle (:func:`prepare`) into ``store``, all or nothing; refused
    (nothing written) when any of its incidents is already there."""
    from incidentctl.store.base import IdTaken

    present = [i for i in bundle.incidents if store.events(i) or store.incident(i)]
    if present:
        raise InvalidInput(msg("err.bundle.present", ids=present))
    try:
        store.import_incidents(items)
    except IdTaken as exc:
        raise InvalidInput(msg("err.bundle.present", ids=[exc.incident_id])) from None
    return list(bundle.incidents)
