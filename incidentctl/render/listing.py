"""The incident list: rendered from the store's summary rows alone, without folding any log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.i18n import t
from incidentctl.render.table import table
from incidentctl.times import from_iso
from incidentctl.times import short_time as when

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.store.base import IncidentRow


#: Below this many columns, the list leaves out the runbook and when each was opened.
NARROW = 80


def list_table(rows: list[IncidentRow], now: datetime, zone: tzinfo, lang: str, cells: int) -> str:
    """Incidents, one per row; titles wrap (never cut) to keep the table within ``cells``."""
    narrow = cells < NARROW
    keys = ["number", "id", "severity", "status", "runbook", "title", "opened", "commander"]
    body = [
        [
            f"#{r.number}",
            r.id,
            r.severity,
            t(f"status.{r.status}", lang),
            r.runbook_id,
            r.title,
            when(from_iso(r.opened_at), now, zone),
            r.commander or "-",
        ]
        for r in rows
    ]
    if narrow:  # show says these; the list keeps what tells incidents apart
        for key in ("opened", "runbook"):
            at = keys.index(key)
            del keys[at]
            for row in body:
                del row[at]
    title = keys.index("title")
    return table(
        [{"severity": t("tier", lang), "number": "#"}.get(k) or t(k, lang) for k in keys],
        body,
        align="r",
        max_width=cells,
        shrink=[(title, 16), (keys.index("commander"), 8)]
        + ([(keys.index("runbook"), 10)] if "runbook" in keys else []),
        wrap_shrunk=True,
    )
