"""The guided, resumable walk through an incident's checklist (``incidentctl walk``).

The walk keeps no state of its own: every screen is drawn from the log as it
is now, so quitting and coming back resumes at the first open step, and two
leads walking one incident see each other's progress on the next redraw.
Every action is one event, appended whole or not at all; a step the other
lead has just recorded is refused by the store's transaction, never recorded
twice.  Overdue steps come first, whatever their place in the runbook.

On a terminal, actions are single keys; without one (scripts, tests) each
answer is a line on stdin.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from incidentctl.deadlines import engine as dl
from incidentctl.errors import IncidentctlError
from incidentctl.i18n import t
from incidentctl.incidents import state as st
from incidentctl.render.incidents import checklist_table, styled_deadline
from incidentctl.render.phrases import deadline_status, tier_name
from incidentctl.render.text import wrap
from incidentctl.walk.agenda import Agenda, agenda, checklist_steps, waits_on_resolution

if TYPE_CHECKING:
    from incidentctl.cli.app import App
    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.service import Incidents, View
    from incidentctl.runbooks.model import Step

KEYS = [
    ("d", "done", "完成"),
    ("s", "skip (reason required)", "跳过（需写理由）"),
    ("n", "n/a (reason required)", "不适用（需写理由）"),
    ("t", "note", "备注"),
    ("a", "assign a role", "指定角色"),
    ("v", "change severity", "调整级别"),
    ("c", "comms: send this step's message", "发送本步骤话术"),
    ("m", "mark mitigated", "标记已止损"),
    ("j", "jump to a step", "跳到某一步"),
    ("b", "back to the previous step", "上一步"),
    ("l", "list the whole checklist", "查看完整清单"),
    ("r", "refresh", "刷新"),
    ("q", "quit (resume later)", "退出（之后可继续）"),
    ("?", "this help", "帮助"),
]


class Cancelled(Exception):
    """The user backed out of an action (empty answer where one was needed, or end of input)."""


class WalkIO:
    """Keys and answers: single keystrokes on a terminal, lines otherwise."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def key(self, prompt: str) -> str | None:
        if self.tty:
            click.echo(prompt, nl=False)
            ch = click.getchar()
            click.echo(ch if ch.isprintable() else "")
            return ch
        click.echo(prompt)
        line = sys.stdin.readline()
        if not line:
            return None
        return line.strip()[:1]

    def line(self, prompt: str) -> str | None:
        if self.tty:
            value: str = click.prompt(prompt, default="", show_default=False, prompt_suffix=" ")
            return value
        click.echo(prompt)
        line = sys.stdin.readline()
        return None if not line else line.rstrip("\n")

    def clear(self) -> None:
        if self.tty:
            click.clear()
        else:
            click.echo("-" * 60)


class Walker:
    def __init__(self, app: App, ref: str, io: WalkIO) -> None:
        self.app = app
        self.lang = app.lang
        self.io = io
        self.svc: Incidents = app.incidents()
        self.incident = self.svc.resolve(ref)
        self.pointer: str | None = None  # set by jump/back; otherwise the agenda decides
        self.message: str = ""

    def L(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    # --- reading the log -----------------------------------------------------------
    def load(self) -> tuple[View, list[Deadline], Agenda]:
        view = self.svc.view(self.incident)
        deadlines = self.app.deadlines(view)
        return view, deadlines, agenda(view, deadlines)

    def current(self, view: View, plan: Agenda) -> Step | None:
        step_id = self.pointer or (plan.steps[0] if plan.steps else None)
        return view.runbook.step(step_id) if step_id else None

    # --- the loop ------------------------------------------------------------------
    def run(self) -> int:
        while True:
            view, deadlines, plan = self.load()
            if self.pointer is None:
                if plan.finished:
                    return self.finish(view, deadlines)
                if view.state.status in (st.OPEN, st.MITIGATED) and all(
                    waits_on_resolution(view, x) for x in plan.steps
                ):
                    # only the review is left: offer to resolve, then walk on through it
                    if not self.offer_resolve(view, deadlines):
                        return 0
                    continue
            step = self.current(view, plan)
            assert step is not None
            self.io.clear()
            click.echo(self.screen(view, deadlines, plan, step))
            key = self.io.key(
                self.L(
                    "Action [d/s/n/t/a/v/c/m/j/b/l/r/q/?]: ", "操作 [d/s/n/t/a/v/c/m/j/b/l/r/q/?]："
                )
            )
            if key is None or key == "q":
                click.echo(
                    self.L(
                        f"Progress is saved. `incidentctl walk {self.incident}` resumes at the first open step.",
                        f"进度已保存。运行 `incidentctl walk {self.incident}` 可从第一个未完成步骤继续。",
                    )
                )
                return 0
            self.message = ""
            try:
                self.dispatch(key, view, deadlines, plan, step)
            except Cancelled:
                self.message = self.L("Cancelled; nothing recorded.", "已取消，未记录任何内容。")
            except IncidentctlError as exc:
                self.message = f"{self.L('Not recorded', '未记录')}: {exc}"

    def dispatch(
        self, key: str, view: View, deadlines: list[Deadline], plan: Agenda, step: Step
    ) -> None:
        svc, incident = self.svc, self.incident
        if key in ("", "r", " "):
            return
        if key == "?":
            self.message = "\n".join(f"  {k}  {self.L(en, zh)}" for k, en, zh in KEYS)
            return
        if key == "d":
            evidence = self.ask_evidence(step)
            note = (
                self.io.line(self.L("Note (optional, Enter to skip):", "备注（可选，回车跳过）："))
                or None
            )
            svc.step(incident, "done", step.id, evidence=evidence, note=note)
            self.done(step, self.L("done", "已完成"))
        elif key in ("s", "n"):
            reason = self.ask_required(self.L("Reason (required):", "理由（必填）："))
            svc.step(incident, "skip" if key == "s" else "na", step.id, reason=reason)
            self.done(
                step,
                self.L("skipped", "已跳过") if key == "s" else self.L("marked n/a", "已标记不适用"),
            )
        elif key == "t":
            text = self.ask_required(self.L("Note:", "备注："))
            svc.note(incident, text)
            self.message = self.L("Note recorded.", "备注已记录。")
        elif key == "a":
            roles = list(view.runbook.roles.values())
            for i, r in enumerate(roles, 1):
                click.echo(
                    f"  {i}. {r.id}  {r.name.get(self.lang)}  {view.state.roles.get(r.id, '')}"
                )
            choice = self.ask_required(self.L("Role (number or id):", "角色（序号或编号）："))
            role = pick(choice, [r.id for r in roles])
            name = self.ask_required(self.L("Name:", "姓名："))
            svc.assign(incident, role, name)
            self.message = f"{role} = {name}"
        elif key == "v":
            tiers = ", ".join(f"{t.id} {t.name.get(self.lang)}" for t in view.runbook.tiers)
            tier = self.ask_required(self.L(f"New severity ({tiers}):", f"新级别（{tiers}）："))
            reason = self.ask_required(self.L("Reason (required):", "理由（必填）："))
            event = svc.set_severity(incident, tier, reason=reason)
            self.message = self.L(
                f"Severity {event.payload['from']} -> {event.payload['to']}; deadlines follow the new tier.",
                f"级别 {event.payload['from']} -> {event.payload['to']}；时限已按新级别计算。",
            )
        elif key == "c":
            self.comms(view, deadlines, step)
        elif key == "m":
            svc.mitigate(incident)
            self.message = self.L("Marked mitigated.", "已标记止损。")
        elif key == "j":
            click.echo(self.checklist(view, deadlines))
            target = self.ask_required(self.L("Step (number or id):", "步骤（序号或编号）："))
            chosen = view.runbook.step(pick(target, [x.id for x in checklist_steps(view)]))
            if chosen is None:
                self.message = self.L(f"No step '{target}'.", f"没有步骤 '{target}'。")
            else:
                self.pointer = chosen.id
        elif key == "b":
            ordered = [s for s in view.runbook.steps if s.applies_to(view.state.severity)]
            i = next((n for n, s in enumerate(ordered) if s.id == step.id), 0)
            self.pointer = ordered[max(i - 1, 0)].id
        elif key == "l":
            self.message = self.checklist(view, deadlines)
        else:
            self.message = self.L(
                f"Unknown key '{key}'; press ? for the keys.", f"未知按键 '{key}'；按 ? 查看帮助。"
            )

    def done(self, step: Step, what: str) -> None:
        self.pointer = None
        self.message = f"{step.id}: {what}."

    # --- questions ---------------------------------------------------------------------
    def ask_required(self, prompt: str) -> str:
        for _ in range(3):
            answer = self.io.line(prompt)
            if answer is None:
                raise Cancelled
            if answer.strip():
                return answer.strip()
            click.echo(self.L("  (an answer is required)", "  （必须填写）"))
        raise Cancelled

    def ask_evidence(self, step: Step) -> dict[str, str]:
        evidence: dict[str, str] = {}
        for item in step.evidence:
            label = f"{item.label.get(self.lang)} [{item.id}]"
            if item.required:
                evidence[item.id] = self.ask_required(f"{label}:")
            else:
                answer = self.io.line(f"{label} {self.L('(optional)', '（可选）')}:")
                if answer is None:
                    raise Cancelled
                if answer.strip():
                    evidence[item.id] = answer.strip()
        return evidence

    def comms(self, view: View, deadlines: list[Deadline], step: Step) -> None:
        from incidentctl.comms.messages import (
            compose,
            live_facts,
            missing_values,
            needed,
            satisfied_steps,
        )

        ids = list(step.templates) or list(view.runbook.templates)
        if not ids:
            self.message = self.L("This runbook has no message templates.", "本预案没有话术模板。")
            return
        if len(ids) > 1:
            for i, tid in enumerate(ids, 1):
                tp = view.runbook.templates[tid]
                click.echo(f"  {i}. {tid}  {tp.name.get(self.lang)} ({tp.audience})")
            choice = self.ask_required(self.L("Template (number or id):", "模板（序号或编号）："))
            tid = pick(choice, ids)
        else:
            tid = ids[0]
        template = view.runbook.templates.get(tid)
        if template is None:
            self.message = self.L(f"No template '{tid}'.", f"没有模板 '{tid}'。")
            return
        now = view.now()
        if "eta" in needed(template, self.lang) and view.state.eta is None:
            proposed = live_facts(
                view, deadlines, now, self.app.zone, self.lang, self.app.config.org, tid
            )["eta"]
            answer = self.io.line(
                self.L(
                    f"Time to commit to for {{eta}} (Enter keeps {proposed or 'none'}, the next deadline):",
                    f"{{eta}} 承诺的时间（回车沿用下一个时限 {proposed or '无'}）：",
                )
            )
            if answer is None:
                raise Cancelled
            if answer.strip():
                self.svc.update(self.incident, "eta", answer.strip())
                view = self.svc.view(self.incident)
                deadlines = self.app.deadlines(view)
        values = dict(
            live_facts(view, deadlines, now, self.app.zone, self.lang, self.app.config.org, tid)
        )
        inputs = {i.id: i for i in template.inputs}
        answered: dict[str, str] = {}
        for name in missing_values(template, self.lang, values):
            if name in inputs:
                item = inputs[name]
                hint = f" ({self.L('e.g.', '例如')} {item.example})" if item.example else ""
                answered[name] = self.ask_required(f"{item.label.get(self.lang)}{hint}:")
            else:
                answered[name] = self.ask_required(
                    self.L(f"{{{name}}} is not known yet; value:", f"{{{name}}} 尚未记录，请填写：")
                )
        message = compose(template, self.lang, {**values, **answered})
        text = message.body
        channel = template.channels[0] if template.channels else ""
        while True:
            click.echo("")
            click.echo(message.subject + "\n" if message.subject else "", nl=False)
            click.echo(text)
            click.echo("")
            answer = self.io.key(
                self.L(
                    f"Send via {channel or '?'}? [y send / e edit / c channel / n cancel]: ",
                    f"通过 {channel or '?'} 发送？[y 发送 / e 编辑 / c 渠道 / n 取消]：",
                )
            )
            if answer in (None, "n", "q"):
                raise Cancelled
            if answer == "e":
                edited = (
                    click.edit(text)
                    if self.io.tty
                    else self.io.line(self.L("New text (one line):", "新文本（一行）："))
                )
                if edited and edited.strip():
                    text = edited.rstrip("\n")
            elif answer == "c":
                channel = self.ask_required(
                    self.L(
                        f"Channel ({', '.join(template.channels)}):",
                        f"渠道（{', '.join(template.channels)}）：",
                    )
                )
            elif answer == "y":
                if not channel:
                    channel = self.ask_required(self.L("Channel:", "渠道："))
                break
        used = {k: v for k, v in answered.items() if k in inputs}
        self.svc.send(
            self.incident,
            template=tid,
            lang=self.lang,
            channel=channel,
            subject=message.subject,
            text=text,
            inputs=used,
        )
        counted = satisfied_steps(view, tid)
        self.message = self.L(
            f"Message {tid} recorded ({channel}).", f"话术 {tid} 已记录（{channel}）。"
        )
        if counted:
            self.message += self.L(
                f" Counts as the update for {', '.join(counted)}.",
                f" 计为 {', '.join(counted)} 的一次通报。",
            )
        if (
            not step.recurring
            and view.state.steps[step.id].status not in st.FINISHED
            and tid in step.templates
        ):
            answer = self.io.key(
                self.L(
                    f"Mark step {step.id} done as well? [y/N]: ",
                    f"同时将步骤 {step.id} 标记为完成？[y/N]：",
                )
            )
            if answer == "y":
                self.svc.step(
                    self.incident,
                    "done",
                    step.id,
                    evidence=self.ask_evidence(step),
                    note=f"{tid} via {channel}",
                )
                self.done(step, self.L("done", "已完成"))

    # --- drawing ---------------------------------------------------------------------
    def screen(self, view: View, deadlines: list[Deadline], plan: Agenda, step: Step) -> str:
        app, lang, s, rb = self.app, self.lang, view.state, view.runbook
        now = view.now()
        style = app.style
        cells = app.width
        from incidentctl.durations import human

        elapsed = human((now - s.opened_at).total_seconds(), lang)
        phase = next((p for p in rb.phases if p.id == step.phase), None)
        out = [
            style(f"{s.id}  {s.title}", "bold"),
            f"{tier_name(rb, s.severity, lang)} · {self.L('commander', '应急指挥')}: {s.commander or '-'} · "
            f"{self.L('elapsed', '已持续')} {elapsed} · {self.L('phase', '阶段')}: {phase.name.get(lang) if phase else '-'}",
        ]
        for r in plan.reminders[:2]:
            target = rb.step(r.step)
            name = target.title.get(lang) if target else r.step
            flag = "[!] " if r.state in (dl.DUE_SOON, dl.OVERDUE) else ""
            out.append(
                style(
                    f"{flag}{self.L('Next update', '下一次通报')}: {name} ({r.key}) {deadline_status(r, now, app.zone, lang)}"
                    + (self.L(" - press c to send it", " —— 按 c 发送") if flag else ""),
                    *(("yellow", "bold") if flag else ("dim",)),
                )
            )
        out.append("")
        applicable = [x for x in rb.steps if x.applies_to(s.severity) and not x.recurring]
        position = next((i for i, x in enumerate(applicable, 1) if x.id == step.id), 0)
        ss = s.steps[step.id]
        d = next((x for x in deadlines if x.step == step.id and x.occurrence is None), None)
        out.append(
            style(f"[{position}/{len(applicable)}] {step.id}  {step.title.get(lang)}", "bold")
        )
        owner = rb.roles[step.role].name.get(lang)
        holder = s.roles.get(step.role)
        due = styled_deadline(d, now, app.zone, lang, style) if d else "-"
        out.append(
            f"  {self.L('Owner', '负责')}: {owner}{f' ({holder})' if holder else ''}   {self.L('Deadline', '时限')}: {due}"
        )
        status = t(f"state.{ss.status}", lang)
        out.append(
            f"  {self.L('Status', '状态')}: {status}"
            + (f" ({ss.actor})" if ss.actor and ss.status in st.FINISHED else "")
            + ("" if step.required else self.L("   optional", "   可选"))
        )
        out.extend(wrap(step.instructions.get(lang), cells, indent="  "))
        if step.evidence:
            ev_text = ", ".join(
                f"{e.label.get(lang)} [{e.id}]" + ("" if e.required else "?") for e in step.evidence
            )
            out.extend(wrap(f"{self.L('Evidence', '需记录')}: {ev_text}", cells, indent="  "))
        if step.templates:
            out.append(f"  {self.L('Messages', '话术')}: {', '.join(step.templates)}  (c)")
        if self.pointer is None and len(plan.steps) > 1:
            out.append(
                style(
                    f"  {self.L('then', '之后')}: {', '.join(plan.steps[1:4])}"
                    + (" ..." if len(plan.steps) > 4 else ""),
                    "dim",
                )
            )
        if self.message:
            out.append("")
            out.append(self.message)
        return "\n".join(out)

    def checklist(self, view: View, deadlines: list[Deadline]) -> str:
        app = self.app
        return checklist_table(
            view,
            deadlines,
            view.now(),
            app.zone,
            self.lang,
            app.style,
            numbered=True,
            cells=app.width,
        )

    def summary(self, view: View, deadlines: list[Deadline]) -> None:
        s = view.state
        counts = {
            k: sum(1 for x in s.steps.values() if x.status == k)
            for k in (st.DONE, st.SKIPPED, st.NA)
        }
        missed = [d.key for d in deadlines if d.state == dl.MISSED]
        click.echo(
            self.L(
                f"  done {counts[st.DONE]}, skipped {counts[st.SKIPPED]}, n/a {counts[st.NA]}; missed deadlines: {', '.join(missed) or 'none'}",
                f"  完成 {counts[st.DONE]}，跳过 {counts[st.SKIPPED]}，不适用 {counts[st.NA]}；超时：{', '.join(missed) or '无'}",
            )
        )

    def offer_resolve(self, view: View, deadlines: list[Deadline]) -> bool:
        """Every step before the review is finished: offer to resolve.  True if resolved."""
        self.io.clear()
        click.echo(
            self.L(
                "Every step before the review is done, skipped or n/a.",
                "复盘之前的所有步骤均已完成、跳过或标记不适用。",
            )
        )
        self.summary(view, deadlines)
        answer = self.io.key(
            self.L("Resolve the incident now? [y/N]: ", "现在将事件标记为已解决？[y/N]：")
        )
        if answer != "y":
            click.echo(
                self.L(
                    f"Not resolved. `incidentctl resolve {self.incident}` when it is, then walk on through the review.",
                    f"未标记解决。解决后运行 `incidentctl resolve {self.incident}`，再继续复盘步骤。",
                )
            )
            return False
        summary = self.io.line(self.L("Summary (optional):", "总结（可选）：")) or None
        self.svc.resolve_incident(self.incident, summary=summary)
        self.message = self.L(
            f"{view.state.id} resolved; on to the review.", f"{view.state.id} 已解决；进入复盘。"
        )
        return True

    def finish(self, view: View, deadlines: list[Deadline]) -> int:
        self.io.clear()
        click.echo(
            self.L(
                "Every applicable step is done, skipped or n/a.",
                "所有适用步骤均已完成、跳过或标记不适用。",
            )
        )
        self.summary(view, deadlines)
        if view.state.status in (st.OPEN, st.MITIGATED):
            self.offer_resolve(view, deadlines)
        elif view.state.status == st.RESOLVED:
            click.echo(
                self.L(
                    f"Close it with `incidentctl close {self.incident}`.",
                    f"可运行 `incidentctl close {self.incident}` 关闭事件。",
                )
            )
        return 0


def pick(answer: str, ids: list[str]) -> str:
    """An answer to "number or id": the id at that 1-based number, else the answer itself."""
    if answer.isdigit() and 0 < int(answer) <= len(ids):
        return ids[int(answer) - 1]
    return answer
