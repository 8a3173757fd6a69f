"""Machine-readable output of every command's result: one JSON document on stdout (the
contract scripts read; human notes still go to stderr)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.render import Reporter

if TYPE_CHECKING:
    from incidentctl.comms.messages import Message, Sent, TemplateListing
    from incidentctl.deadlines import IncidentPage
    from incidentctl.deadlines.monitor import CheckResult, DeadlineListing
    from incidentctl.incidents import IncidentListing, Opened, Recorded, Timeline
    from incidentctl.incidents.audit import AuditReport
    from incidentctl.runbooks.repository import RunbookListing, RunbookPage, ValidationReport


class JsonReporter(Reporter):
    """Machine-readable output: one JSON document on stdout."""

    def emit(self, data: Any) -> None:
        import json

        self.out.echo(json.dumps(data, ensure_ascii=False, indent=2))

    # --- incidents -----------------------------------------------------------------
    def Opened(self, r: Opened) -> None:
        s, rb = r.view.state, r.view.runbook
        self.emit(
            {
                "id": s.id,
                "number": r.view.number,
                "severity": s.severity,
                "runbook": rb.id,
                "sha256": rb.sha256,
                "event": r.view.events[0].as_dict(),
            }
        )

    def Recorded(self, r: Recorded) -> None:
        self.emit(r.event.as_dict())

    def IncidentListing(self, r: IncidentListing) -> None:
        self.emit([row.as_dict() for row in r.rows])

    def IncidentPage(self, r: IncidentPage) -> None:
        from incidentctl.render.incidents import show_json

        self.emit(show_json(r.view, r.deadlines, r.now))

    def Timeline(self, r: Timeline) -> None:
        self.emit([e.as_dict() for e in sorted(r.view.events, key=lambda e: (e.occurred, e.seq))])

    def AuditReport(self, r: AuditReport) -> None:
        from incidentctl.i18n import t

        if r.failed:  # for the person reading, as with text
            out = self.out
            out.echo(t("audit.failed", out.lang, bad=len(r.failed), n=len(r.incidents)), err=True)
        self.emit(
            [
                {
                    "incident": entry.incident,
                    "events": entry.events,
                    "ok": entry.ok,
                    "problems": [
                        f"event {p.seq}: {p.message}" if p.seq else p.message
                        for p in entry.problems
                    ],
                }
                for entry in r.incidents
            ]
        )

    # --- deadlines ----------------------------------------------------------------------
    def DeadlineListing(self, r: DeadlineListing) -> None:
        self.emit([i.deadline.as_dict(i.now) for i in r.items])

    def CheckResult(self, r: CheckResult) -> None:
        from incidentctl.i18n import t

        for problem in r.problems:  # for the person reading the cron mail, as with text
            self.out.echo(t("notify_failed", self.out.lang, problem=problem), err=True)
        self.emit(
            {
                "status": r.status,
                "deadlines": [dict(i.deadline.as_dict(i.now), flag=k) for i, k in r.flagged],
                "notices_failed": r.problems,
            }
        )

    # --- runbooks ------------------------------------------------------------------------
    def RunbookListing(self, r: RunbookListing) -> None:
        from incidentctl.i18n import t

        for c in r.invalid:
            self.out.echo(f"{c.file}: {t('invalid_runbook', self.out.lang, file=c.file)}", err=True)
        self.emit(
            {
                "directory": str(r.directory),
                "origin": r.origin,
                "runbooks": [
                    {
                        "id": rb.id,
                        "title": {"zh": rb.title.zh, "en": rb.title.en},
                        "kind": rb.kind,
                        "tiers": list(rb.tier_ids),
                        "steps": len(rb.steps),
                        "version": rb.version,
                        "file": file,
                        "sha256": rb.sha256,
                    }
                    for file, rb in r.runbooks
                ],
                "invalid": [
                    {"file": c.file, "problems": [p.as_dict() for p in c.problems]}
                    for c in r.invalid
                ],
            }
        )

    def RunbookPage(self, r: RunbookPage) -> None:
        from incidentctl.render.runbooks import deadlines_json

        data: dict[str, Any] = {"sha256": r.runbook.sha256, "runbook": r.runbook.doc}
        if r.tier:
            data["severity"] = r.tier
            data["deadlines"] = deadlines_json(r.runbook, r.tier)
        self.emit(data)

    def ValidationReport(self, r: ValidationReport) -> None:
        self.emit(
            {
                "valid": r.valid,
                "files": [
                    {"file": c.file, "valid": c.ok, "problems": [p.as_dict() for p in c.problems]}
                    for c in r.results
                ],
            }
        )

    # --- messages ------------------------------------------------------------------------
    def TemplateListing(self, r: TemplateListing) -> None:
        self.emit(
            [
                {
                    "id": u.template.id,
                    "audience": u.template.audience,
                    "name": u.template.name.get(self.out.lang),
                    "channels": ", ".join(u.template.channels),
                    "steps": ", ".join(u.steps),
                }
                for u in r.uses
            ]
        )

    def Message(self, r: Message) -> None:
        self.emit(
            {
                "template": r.template,
                "audience": r.audience,
                "lang": r.lang,
                "channel": r.channel,
                "subject": r.subject,
                "text": r.body,
                "draft": r.draft,
                "blanks": [
                    {"placeholder": b.name, "topic": b.topic, "how": b.how.text(self.out.lang)}
                    for b in r.remaining()
                ],
            }
        )

    def Sent(self, r: Sent) -> None:
        self.emit(r.event.as_dict())
