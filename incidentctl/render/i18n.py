"""Interface text in English and Chinese.

Runbook content carries its own two languages; this catalogue covers the
words incidentctl itself prints around it (headings, labels, states).
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")

# key -> (en, zh)
_MESSAGES: dict[str, tuple[str, str]] = {
    # runbooks
    "id": ("ID", "编号"),
    "title": ("Title", "标题"),
    "kind": ("Kind", "类别"),
    "tiers": ("Tiers", "级别"),
    "steps": ("Steps", "步骤"),
    "version": ("Version", "版本"),
    "runbooks_in": ("runbooks in {dir} ({origin})", "预案目录：{dir}（{origin}）"),
    "invalid_runbook": (
        "INVALID: run `incidentctl runbook validate {file}`",
        "无效：请运行 `incidentctl runbook validate {file}`",
    ),
    "severity": ("Severity", "级别"),
    "criteria": ("Criteria", "判定标准"),
    "response": ("Response", "响应要求"),
    "roles": ("Roles", "角色"),
    "role": ("Role", "角色"),
    "phase": ("Phase", "阶段"),
    "step": ("Step", "步骤"),
    "owner": ("Owner", "负责角色"),
    "due": ("Due", "时限"),
    "deadline": ("Deadline", "时限"),
    "deadlines_at": ("Deadlines at {tier} {name}", "{tier} {name} 的时限"),
    "every": ("every {d}", "每 {d}"),
    "after": ("{d} after {anchor}", "{anchor}后 {d}"),
    "required": ("required", "必做"),
    "optional": ("optional", "可选"),
    "evidence": ("Evidence", "需记录"),
    "templates": ("Templates", "话术模板"),
    "references": ("References", "依据"),
    "source": ("source", "依据"),
    "effort": ("effort", "预计用时"),
    "not_for_tier": ("does not apply at {tier}", "{tier} 不适用"),
    "no_deadline": ("no deadline", "无时限"),
    "until": ("until {anchor}", "直至{anchor}"),
    "anchor.opened": ("opened", "事件开启"),
    "anchor.mitigated": ("mitigated", "止损"),
    "anchor.resolved": ("resolved", "解决"),
    "anchor.step": ("step {step}", "步骤 {step} 完成"),
    "check": ("(check)", "（待核实）"),
    "audience": ("Audience", "对象"),
    "channels": ("Channels", "渠道"),
    "inputs": ("Inputs", "需填写"),
    "summary": ("Summary", "概述"),
    # incidents
    "status": ("Status", "状态"),
    "reason": ("reason", "理由"),
    "opened": ("Opened", "开始"),
    "age": ("Age", "持续"),
    "commander": ("Commander", "应急指挥"),
    "runbook": ("Runbook", "预案"),
    "scope": ("Scope", "影响范围"),
    "eta": ("ETA", "预计"),
    "unassigned": ("(unassigned)", "（未指定）"),
    "times_in": ("times in {zone}", "时间为 {zone}"),
    "checklist": ("Checklist at {tier}", "{tier} 检查清单"),
    "next_deadlines": ("Next deadlines", "即将到期"),
    "severity_history": ("Severity history", "级别变化"),
    "notes": ("Notes", "备注"),
    "no_incidents": ("No incidents.", "没有事件。"),
    "no_store": ("No incidents yet (no store at {path}).", "还没有事件（{path} 不存在）。"),
    "occurred": ("Occurred", "发生时间"),
    "recorded": ("Recorded", "记录时间"),
    "by": ("By", "操作人"),
    "event": ("Event", "事件"),
    "backdated_note": (
        "* back-dated: recorded later than it occurred",
        "* 补记：记录时间晚于发生时间",
    ),
    "ago": ("{d} ago", "{d}前"),
    "in": ("in {d}", "{d}后"),
    "overdue_by": ("overdue {d}", "逾期 {d}"),
    "late_by": ("{d} late", "晚了 {d}"),
    "early_by": ("{d} to spare", "提前 {d}"),
    "waiting_on": ("waits for {anchor}", "等待{anchor}"),
    "updates": ("{n} update(s)", "已通报 {n} 次"),
    "state.pending": ("pending", "待办"),
    "state.in-progress": ("in progress", "进行中"),
    "state.done": ("done", "完成"),
    "state.skipped": ("skipped", "跳过"),
    "state.n/a": ("n/a", "不适用"),
    "state.due-soon": ("due soon", "即将到期"),
    "state.overdue": ("overdue", "已逾期"),
    "state.met": ("met", "按时"),
    "state.missed": ("missed", "超时"),
    "state.waiting": ("waiting", "等待中"),
    "state.recurring": ("recurring", "周期性"),
    "status.open": ("open", "处理中"),
    "status.mitigated": ("mitigated", "已止损"),
    "status.resolved": ("resolved", "已解决"),
    "status.closed": ("closed", "已关闭"),
    "valid": ("{n} runbook file(s) valid", "{n} 个预案文件校验通过"),
    "problems": ("{p} problem(s) in {f} file(s)", "{f} 个文件中有 {p} 个问题"),
}


def detect_lang(explicit: str | None = None) -> str:
    """``--lang``, else ``$INCIDENTCTL_LANG``, else the locale (zh_* means Chinese), else English."""
    for value in (explicit, os.environ.get("INCIDENTCTL_LANG")):
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def t(key: str, lang: str, **values: object) -> str:
    en, zh = _MESSAGES[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
