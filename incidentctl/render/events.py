"""The timeline: every event of an incident in the order it happened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.i18n import t
from incidentctl.incidents import events as ev
from incidentctl.render.phrases import describe
from incidentctl.render.table import table
from incidentctl.render.text import wrap
from incidentctl.times import fmt, zone_label

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.incidents.service import View
    from incidentctl.render.style import Style


# --- timeline ---------------------------------------------------------------------


def timeline_text(
    view: View, now: datetime, zone: tzinfo, lang: str, style: Style, cells: int
) -> str:
    retracted_by = {e.payload["seq"]: e.seq for e in view.events if e.type == ev.RETRACTED}
    rows = []
    any_backdated = False
    for e in sorted(view.events, key=lambda e: (e.occurred, e.seq)):
        mark = ""
        if e.backdated:
            mark = "*"
            any_backdated = True
        text = describe(e, view.runbook, lang, zone)
        if e.seq in retracted_by:
            text = t("retracted_by", lang, seq=retracted_by[e.seq]) + " " + text
        rows.append(
            [
                str(e.seq),
                fmt(e.occurred, zone) + mark,
                fmt(e.recorded, zone, date_part=False)
                if e.backdated or e.recorded_at[:19] != e.occurred_at[:19]
                else "",
                e.actor,
                text,
            ]
        )
    heading = wrap(f"{view.state.id}  {view.state.title}", cells)
    out = [
        *(style(line, "bold") for line in heading),
        style(t("times_in", lang, zone=zone_label(zone, now)), "dim"),
        table(
            ["#", t("occurred", lang), t("recorded", lang), t("by", lang), t("event", lang)],
            rows,
            align="r",
            max_width=cells,
            shrink=4,
            wrap_shrunk=True,
        ),
    ]
    if any_backdated:
        out.append(style(t("backdated_note", lang), "dim"))
    return "\n".join(out)
