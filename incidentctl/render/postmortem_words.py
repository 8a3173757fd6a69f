"""Words a post-mortem says the same way in Markdown and in HTML: times in the reader's
zone, spans, verdicts, the review's sections and the audit footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.i18n import t

if TYPE_CHECKING:
    from datetime import tzinfo

VERDICTS = ("met", "late", "never-done", "skipped", "n/a", "open")


def when(text: str | None, zone: tzinfo) -> str:
    """A stored instant as the reader reads it: ``2026-11-22 10:05`` in ``zone``."""
    if not text:
        return "-"
    from incidentctl.times import fmt, from_iso

    return fmt(from_iso(text), zone, seconds=False)


def span(seconds: int | None, lang: str) -> str:
    from incidentctl.durations import human

    return "-" if seconds is None else human(seconds, lang)


def verdict_text(row: dict[str, Any], lang: str) -> str:
    """``late by 12m`` / ``met, 3m to spare`` / ``skipped: reason`` / ``never done``."""
    from incidentctl.durations import human

    v = row["verdict"]
    text = t(f"pm.verdict.{v}", lang)
    margin = row.get("margin_seconds")
    if v == "late" and margin is not None:
        text = t("pm.late_by", lang, d=human(-margin, lang))
    elif v == "met" and margin:
        text = t("pm.met_early", lang, d=human(margin, lang))
    if row.get("reason"):
        text = t("labelled", lang, label=text, text=row["reason"])
    return text


def impact_lines(value: dict[str, Any], lang: str) -> list[str]:
    out = []
    if "customers" in value:
        out.append(t("impact.customers", lang, n=value["customers"]))
    if "orders" in value:
        out.append(t("impact.orders", lang, n=value["orders"]))
    if "amount_cny" in value:
        out.append(t("impact.amount", lang, amount=value["amount_cny"]))
    if "duration_seconds" in value:
        out.append(t("impact.duration", lang, d=span(value["duration_seconds"], lang)))
    if value.get("note"):
        out.append(value["note"])
    return out


def review_text(section: dict[str, Any], lang: str, zone: tzinfo) -> list[str]:
    """The lines of one review section's value."""
    value = section["value"]
    if section["field"] == "impact" and isinstance(value, dict):
        return impact_lines(value, lang)
    if section["field"] == "discovered" and isinstance(value, str):
        return [when(value, zone)]
    return str(value).splitlines()


KEY_TIMES = ("discovered", "opened", "acknowledged", "mitigated", "resolved", "closed")


def audit_lines(doc: dict[str, Any], lang: str, zone: tzinfo, *, bullet: str) -> str:
    a = doc["audit"]
    lines = [
        t("pm.event_count", lang, n=a["event_count"]),
        t("pm.head", lang, seq=a["head"]["seq"], hash=a["head"]["hash"]),
        t("pm.verified" if a["verified"] else "pm.not_verified", lang),
    ]
    lines += [
        t("audit.at_event", lang, seq=p["seq"], text=p["message"])
        if p["seq"] is not None
        else p["message"]
        for p in a["problems"]
    ]
    if a["anchors"]:
        lines += [
            t("pm.anchor", lang, at=when(x["at"], zone), digest=x["digest"]) for x in a["anchors"]
        ]
    else:
        lines.append(t("pm.no_anchor", lang))
    if a["redactions"] is not None:
        found = ", ".join(f"{k} {n}" for k, n in a["redactions"].items() if n)
        lines.append(t("pm.redacted", lang, n=sum(a["redactions"].values()), kinds=found or "-"))
    return "\n".join(bullet + line for line in lines)


def page_rows(doc: dict[str, Any], zone: tzinfo) -> tuple[list[str], list[list[str]]]:
    """The post-mortem's pages as a table: when, what (and which escalation level, paging
    whom), for which deadline, who was mentioned, on which channels, and who acknowledged
    it and how long after."""
    lang = doc["lang"]

    def L(key: str, **facts: Any) -> str:
        return t(f"pm.{key}", lang, **facts)

    headers = [L("at"), L("page"), L("deadline"), L("paged"), L("channels"), L("acked")]
    rows = []
    for p in doc["paging"]["pages"]:
        what = t(f"notice.{p['kind']}", lang) if p["kind"] else "-"
        if p["level"]:
            what = L("page_level", level=p["level"], target=p["notify"] or "-")
        channels = [*p["channels"]] + [
            L("page_failed", channel=f["channel"], reason=f["reason"]) for f in p["failed"]
        ]
        ack = p["acknowledged"]
        if ack is not None:
            acked = L("acked_by", actor=ack["actor"], at=when(ack["at"], zone))
            acked += " " + L("acked_after", d=span(ack["after_seconds"], lang))
        else:
            acked = "-" if p["kind"] == "action" else L("not_acked")
        rows.append(
            [
                when(p["at"], zone),
                what,
                p["deadline"] or "-",
                ", ".join(p["mentioned"]) or "-",
                ", ".join(channels) or "-",
                acked,
            ]
        )
    return headers, rows


def ack_rows(doc: dict[str, Any], zone: tzinfo) -> tuple[list[str], list[list[str]]]:
    """Every acknowledgment: when, by whom, of which step (or of the whole incident)."""
    lang = doc["lang"]
    headers = [t("pm.at", lang), t("pm.by", lang), t("pm.step", lang)]
    rows = [
        [when(a["at"], zone), a["actor"], a["step"] or t("pm.ack_all", lang)]
        for a in doc["paging"]["acknowledgments"]
    ]
    return headers, rows


def message_rows(doc: dict[str, Any], zone: tzinfo) -> tuple[list[str], list[list[str]]]:
    """The post-mortem's messages as a table: when, which template, to whom, on which
    channel, and the exact text sent."""
    lang = doc["lang"]
    headers = [t(f"pm.{k}", lang) for k in ("at", "template", "audience", "channel", "text")]
    rows = [
        [
            when(m["at"], zone),
            m["template"],
            t(f"audience.{m['audience']}", lang) if m["audience"] else "-",
            m["channel"],
            m["text"],
        ]
        for m in doc["communications"]["messages"]
    ]
    return headers, rows


def promise_rows(doc: dict[str, Any], zone: tzinfo) -> tuple[list[str], list[list[str]]]:
    """The promises (ETAs) made to customers as a table: when made, when due, when kept,
    and whether they were."""
    lang = doc["lang"]
    headers = [t(f"pm.{k}", lang) for k in ("promise", "made_at", "due", "kept_at", "verdict")]
    rows = [
        [
            p["key"],
            when(p["made_at"], zone),
            when(p["due"], zone),
            when(p["kept_at"], zone),
            t(f"pm.kept.{p['verdict']}", lang),
        ]
        for p in doc["communications"]["promises"]
    ]
    return headers, rows
