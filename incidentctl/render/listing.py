"""The incident list: rendered from the store's summary rows alone, without folding any log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.render.i18n import t
from incidentctl.render.table import table
from incidentctl.times import from_iso

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.store.base import IncidentRow


def when(instant: datetime, now: datetime, zone: tzinfo) -> str:
    """A short local time: ``14:05`` today, ``11-21 14:05`` this year, else the full date."""
    local, today = instant.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def list_table(rows: list[IncidentRow], now: datetime, zone: tzinfo, lang: str, cells: int) -> str:
    headers = [
        t("id", lang),
        t("severity", lang),
        t("status", lang),
        t("runbook", lang),
        t("title", lang),
        t("opened", lang),
        t("commander", lang),
    ]
    body = [
        [
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
    return table(headers, body, max_width=cells, shrink=4)
