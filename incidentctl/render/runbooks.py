"""Rendering runbooks for people: terminal text and a printable Markdown checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.i18n import t
from incidentctl.render.phrases import rule_phrase, source_label, step_sources, tier_summary
from incidentctl.render.table import table
from incidentctl.render.text import wrap

if TYPE_CHECKING:
    from incidentctl.render.style import Style
    from incidentctl.runbooks.model import Runbook, Step


def step_conditions(step: Step, lang: str) -> list[str]:
    """What decides whether and how often a step's clock runs: an organisation fact
    (``applies_if``) and one clock per customer report (``per``)."""
    out = []
    if step.applies_if:
        out.append(t("rb.applies_if", lang, condition=step.applies_if))
    if step.per:
        out.append(t("rb.per", lang, kind=t(f"item.{step.per}", lang)))
    return out


def list_rows(runbooks: list[Runbook], lang: str) -> str:
    """One row per runbook; only the cells shown are cleaned for the terminal, not every
    text of every runbook."""
    from incidentctl.render.safe import clean

    headers = [t(k, lang) for k in ("id", "title", "kind", "tiers", "steps", "version")]
    rows = [
        [
            clean(cell)
            for cell in (
                rb.id,
                rb.title.get(lang),
                t(f"kind.{rb.kind}", lang),
                ",".join(rb.tier_ids),
                str(len(rb.steps)),
                rb.version,
            )
        ]
        for rb in runbooks
    ]
    return table(headers, rows, align="lllllr")


def show_text(rb: Runbook, lang: str, style: Style, cells: int, tier: str | None = None) -> str:
    out: list[str] = []
    out.extend(
        style(ln, "bold") for ln in wrap(f"{rb.id} {rb.version}  {rb.title.get(lang)}", cells)
    )
    out.extend(
        wrap(f"{t('kind', lang)}: {t(f'kind.{rb.kind}', lang)}    sha256: {rb.sha256[:12]}", cells)
    )
    out.extend(wrap(rb.summary.get(lang), cells))
    out.append("")
    out.append(style(t("severity", lang), "bold"))
    for tr in rb.tiers:
        if tier and tr.id != tier:
            continue
        heading = f"{tr.id}  {tr.name.get(lang)}" + (f"  [{tr.maps_to}]" if tr.maps_to else "")
        out.extend(style(ln, "bold") for ln in wrap(heading, cells, indent="  "))
        for c in tr.criteria[lang]:
            out.extend(wrap("- " + c, cells, indent="      "))
        if tr.response:
            out.extend(
                wrap(f"{t('response', lang)}: {tr.response.get(lang)}", cells, indent="      ")
            )
    out.append("")
    out.append(style(t("roles", lang), "bold"))
    out.append(
        table(
            [t("id", lang), t("role", lang)],
            [[r.id, r.name.get(lang)] for r in rb.roles.values()],
            indent="  ",
            max_width=cells,
            shrink=[(1, 14)],
            wrap_shrunk=True,
        )
    )
    if tier:
        out.append("")
        name = rb.tier(tier).name.get(lang)
        out.append(style(t("deadlines_at", lang, tier=tier, name=name), "bold"))
        rows = []
        n = 0
        for phase in rb.phases:
            for s in phase.steps:
                if not s.applies_to(tier):
                    continue
                n += 1
                due = rule_phrase(s, tier, lang)
                if not s.required:
                    due += f" ({t('optional', lang)})"
                rows.append(
                    [
                        str(n),
                        f"{s.id}\n{s.title.get(lang)}",
                        rb.roles[s.role].name.get(lang),
                        due,
                        step_sources(rb, s, lang),
                    ]
                )
        headers = [
            "#",
            t("step", lang),
            t("owner", lang),
            t("due", lang),
            t("source", lang).capitalize(),
        ]
        out.append(
            table(
                headers,
                rows,
                align="r",
                max_width=cells,
                shrink=(2, 4, 1, 3),
                indent="  ",
                wrap_shrunk=True,
            )
        )
    out.append("")
    for idx, phase in enumerate(rb.phases, 1):
        out.append(style(f"{idx}. {phase.name.get(lang)}", "bold"))
        for s in phase.steps:
            if tier and not s.applies_to(tier):
                continue
            flag = t("required", lang) if s.required else t("optional", lang)
            owner = rb.roles[s.role].name.get(lang)
            lines = wrap(f"{s.id}  {s.title.get(lang)}  [{owner}, {flag}]", cells, indent="  ")
            out.append(lines[0].replace(s.id, style(s.id, "bold"), 1))
            out.extend(lines[1:])
            due = rule_phrase(s, tier, lang) if tier else tier_summary(s, lang)
            src = step_sources(rb, s, lang)
            due_line = f"{t('due', lang)}: {due}" + (
                f"  ({t('source', lang)}: {src})" if src else ""
            )
            out.extend(wrap(due_line, cells, indent="      "))
            if not tier and len(s.tiers) < len(rb.tiers):
                out.extend(
                    wrap(f"{t('tiers', lang)}: {', '.join(s.tiers)}", cells, indent="      ")
                )
            for line in step_conditions(s, lang):
                out.extend(wrap(line, cells, indent="      "))
            out.extend(wrap(s.instructions.get(lang), cells, indent="      "))
            if s.evidence:
                ev = ", ".join(f"{e.id} ({e.label.get(lang)})" for e in s.evidence)
                out.extend(wrap(f"{t('evidence', lang)}: {ev}", cells, indent="      "))
            if s.templates:
                line = f"{t('templates', lang)}: {', '.join(s.templates)}"
                out.extend(wrap(line, cells, indent="      "))
        out.append("")
    if rb.templates:
        out.append(style(t("templates", lang), "bold"))
        out.append(
            table(
                [t("id", lang), t("audience", lang), t("title", lang), t("channels", lang)],
                [
                    [
                        tp.id,
                        t(f"audience.{tp.audience}", lang),
                        tp.name.get(lang),
                        "\n".join(tp.channels),
                    ]
                    for tp in rb.templates.values()
                ],
                indent="  ",
                max_width=cells,
                shrink=[(2, 14), (0, 16)],
                wrap_shrunk=True,
            )
        )
        out.append("")
    out.append(style(t("references", lang), "bold"))
    for ref in rb.references.values():
        title = f" — {ref.title.get(lang)}" if ref.title else ""
        out.extend(wrap(f"[{ref.id}] {source_label(rb, ref.id, lang)}{title}", cells, indent="  "))
    return "\n".join(out)


def show_markdown(rb: Runbook, lang: str, tier: str | None = None) -> str:
    """A printable checklist: every step a checkbox with its owner and deadline."""
    md: list[str] = []
    md.append(f"# {rb.title.get(lang)}")
    md.append("")
    md.append(
        f"`{rb.id}` {t('version', lang)} {rb.version} · {t('kind', lang)} {t(f'kind.{rb.kind}', lang)} · sha256 `{rb.sha256[:12]}`"
    )
    md.append("")
    md.append(rb.summary.get(lang))
    md.append("")
    md.append(f"## {t('severity', lang)}")
    md.append("")
    for tr in rb.tiers:
        if tier and tr.id != tier:
            continue
        md.append(f"### {tr.id} {tr.name.get(lang)}")
        md.append("")
        md.extend(f"- {c}" for c in tr.criteria[lang])
        if tr.response:
            md.append("")
            md.append(f"**{t('response', lang)}:** {tr.response.get(lang)}")
        md.append("")
    md.append(f"## {t('roles', lang)}")
    md.append("")
    md.append(f"| {t('role', lang)} | {t('id', lang)} | {t('name', lang)} |")
    md.append("|---|---|---|")
    md.extend(f"| {r.name.get(lang)} | `{r.id}` | |" for r in rb.roles.values())
    md.append("")
    for idx, phase in enumerate(rb.phases, 1):
        steps = [s for s in phase.steps if not tier or s.applies_to(tier)]
        if not steps:
            continue
        md.append(f"## {idx}. {phase.name.get(lang)}")
        md.append("")
        if phase.description:
            md.append(phase.description.get(lang))
            md.append("")
        for s in steps:
            owner = rb.roles[s.role].name.get(lang)
            flag = t("required", lang) if s.required else t("optional", lang)
            md.append(f"- [ ] **{s.title.get(lang)}** (`{s.id}`) — {owner}, {flag}")
            due = rule_phrase(s, tier, lang) if tier else tier_summary(s, lang)
            src = step_sources(rb, s, lang)
            md.append(
                f"  - {t('due', lang)}: {due}" + (f" — {t('source', lang)}: {src}" if src else "")
            )
            md.extend(f"  - {line}" for line in step_conditions(s, lang))
            md.append(f"  - {s.instructions.get(lang)}")
            for e in s.evidence:
                md.append(f"  - {t('evidence', lang)}: {e.label.get(lang)} (`{e.id}`): ________")
            if s.templates:
                md.append(
                    f"  - {t('templates', lang)}: " + ", ".join(f"`{x}`" for x in s.templates)
                )
            md.append(f"  - {t('done_at_by', lang)}: ________")
        md.append("")
    if rb.templates:
        md.append(f"## {t('templates', lang)}")
        md.append("")
        for tp in rb.templates.values():
            md.append(f"### {tp.name.get(lang)} (`{tp.id}`, {tp.audience})")
            md.append("")
            if tp.subject:
                md.append(f"**{tp.subject.get(lang)}**")
                md.append("")
            md.extend(
                f"> {line}" if line else ">" for line in tp.body.get(lang).rstrip("\n").split("\n")
            )
            md.append("")
    md.append(f"## {t('references', lang)}")
    md.append("")
    for ref in rb.references.values():
        title = f" — {ref.title.get(lang)}" if ref.title else ""
        note = f": {ref.note.get(lang)}" if ref.note else ""
        md.append(f"- **{ref.id}** {source_label(rb, ref.id, lang)}{title}{note}")
    md.append("")
    return "\n".join(md)
