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
