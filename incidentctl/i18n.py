"""Every word incidentctl itself says, in Chinese and in English: one catalogue.

Runbook content carries its own two languages; this catalogue covers the
words incidentctl prints around it: headings, labels, states, confirmations,
errors and hints.  Code that does not know the reader's language yet (the
domain raising an error, a use case building a result) says *what* to say as
a :class:`Msg`, a key with its facts; whoever writes to the reader renders it
with :func:`t` in the reader's language.  A fact that is itself a
:class:`Msg` (a status, a state) is rendered in the same language, and a
list of facts is joined the way the language joins lists.

The catalogue sits at the bottom of the house: it imports nothing of
incidentctl, so errors and the domain can use it as freely as the renderers.
"""

from __future__ import annotations

import os
from typing import Any

LANGS = ("zh", "en")


class Msg:
    """Something to say, not yet said in a language: a catalogue key and its facts."""

    __slots__ = ("facts", "key")

    def __init__(self, key: str, facts: dict[str, Any]) -> None:
        self.key = key
        self.facts = facts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.facts) == (other.key, other.facts)

    __hash__ = None  # type: ignore[assignment]  # facts are a dict

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.facts!r})"

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.facts)

    def __str__(self) -> str:
        return self.text("en")


def msg(key: str, /, **facts: Any) -> Msg:
    """A message to render later; fails at once if ``key`` is not in the catalogue."""
    if key not in _MESSAGES:
        raise KeyError(f"no message '{key}' in the catalogue")
    return Msg(key, facts)


def say(value: str | Msg, lang: str) -> str:
    """Text of a literal string (data, or text already in its language) or a :class:`Msg`."""
    return value.text(lang) if isinstance(value, Msg) else value


def _fact(value: Any, lang: str) -> Any:
    if isinstance(value, Msg):
        return value.text(lang)
    if type(value) in (list, tuple):  # a NamedTuple (a Duration, say) is one fact
        return ("、" if lang == "zh" else ", ").join(str(_fact(v, lang)) for v in value)
    return value


# key -> (en, zh)
_MESSAGES: dict[str, tuple[str, str]] = {
    # --- the frame around everything ---------------------------------------------------
    "error": ("Error: {text}", "错误：{text}"),
    "hint": ("Hint: {text}", "提示：{text}"),
    "list_sep": ("; ", "；"),
    "clause_sep": ("; ", "；"),
    "labelled": ("{label}: {text}", "{label}：{text}"),
    "name": ("Name", "姓名"),
    "note": ("note", "备注"),
    "done_at_by": ("Done at / by", "完成时间/签名"),
    "duration.bd": ("{n} business day(s)", "{n}个工作日"),
    # --- where runbooks come from ----------------------------------------------------
    "origin.--runbooks": ("--runbooks", "--runbooks 指定"),
    "origin.$INCIDENTCTL_RUNBOOKS": ("$INCIDENTCTL_RUNBOOKS", "$INCIDENTCTL_RUNBOOKS 指定"),
    "origin../runbooks": ("./runbooks", "当前目录下的 runbooks/"),
    "origin.shipped": ("shipped", "随 incidentctl 提供"),
    # --- runbook vocabulary ----------------------------------------------------------
    "kind.customer-complaint": ("customer complaint", "客户投诉"),
    "kind.system-failure": ("system failure", "系统故障"),
    "kind.security": ("security", "安全事件"),
    "kind.marketing": ("marketing", "营销活动"),
    "kind.logistics": ("logistics", "物流"),
    "kind.public-opinion": ("public opinion", "舆情"),
    "audience.customer": ("customer", "客户"),
    "audience.internal": ("internal", "内部"),
    "audience.regulator": ("regulator", "监管部门"),
    "audience.press": ("press", "媒体"),
    "audience.partner": ("partner", "合作方"),
    "field.scope": ("scope", "影响范围"),
    "field.title": ("title", "标题"),
    "field.eta": ("ETA", "预计时间"),
    "notice.due-soon": ("due soon", "即将到期"),
    "notice.breach": ("breach", "已逾期"),
    # --- what happened (one line per event) -------------------------------------------
    "ev.incident.opened": (
        "opened at {tier} from {runbook} {version}: {title}",
        "开启，级别 {tier}，预案 {runbook} {version}：{title}",
    ),
    "ev.step.started": ("started {step}", "开始 {step}"),
    "ev.step.done": ("done {step}", "完成 {step}"),
    "ev.step.skipped": ("skipped {step}", "跳过 {step}"),
    "ev.step.na": ("n/a {step}", "不适用 {step}"),
    "ev.severity": ("severity {before} -> {after}: {reason}", "级别 {before} -> {after}：{reason}"),
    "ev.reopened": ("reopened", "重新打开"),
    "ev.forced": ("(forced; open: {steps})", "（强制；未完成：{steps}）"),
    "ev.retracted": ("retracted #{seq}: {reason}", "撤回 #{seq}：{reason}"),
    "ev.sent": (
        "sent {template} ({audience}) via {channel}",
        "经 {channel} 发送 {template}（{audience}）",
    ),
    "ev.notified": (
        "notified {kind} {deadline} -> {channels}",
        "已提醒（{kind}）{deadline} -> {channels}",
    ),
    "ev.notice.claimed": (
        "sending notice {key} to {channels}",
        "正在向 {channels} 发送提醒 {key}",
    ),
    "ev.notice.failed": ("{channel} failed: {reason}", "{channel} 发送失败：{reason}"),
    "ev.notice.refused": (
        "{channel} refused it: {reason}",
        "{channel} 拒收：{reason}",
    ),
    "retracted_by": ("[retracted #{seq}]", "[已撤回 #{seq}]"),
    # --- what a command did ----------------------------------------------------------
    "opened_incident": (
        "Opened {id} at {tier} from {runbook} {version} (pinned sha256 {sha}). Next: incidentctl show {id}",
        "已开启 {id}，级别 {tier}，预案 {runbook} {version}（已固定 sha256 {sha}）。下一步：incidentctl show {id}",
    ),
    "backdated_to": (
        "[back-dated to {at}, {lag} before it was recorded]",
        "[补记：发生于 {at}，比记录时间早 {lag}]",
    ),
    "sent": (
        "{id} #{seq}: recorded {template} to {audience} via {channel}",
        "{id} #{seq}：已记录经 {channel} 发给{audience}的 {template}",
    ),
    "counts_as": ("; counts as {steps}", "；计为 {steps} 的一次通报"),
    "notify_failed": ("notify failed: {problem}", "提醒发送失败：{problem}"),
    "beyond_calendar": (
        "note: some business-day deadlines run past the calendar's known holidays "
        "(only weekends counted there); see README, Business days",
        "注意：部分按工作日计算的时限超出了日历已知的节假日范围（该段只计周末）；见 README“Business days”",
    ),
    # --- audit ---------------------------------------------------------------------------
    "audit.ok": ("{id}: ok ({n} events)", "{id}：完好（{n} 个事件）"),
    "audit.at_event": ("event {seq}: {text}", "事件 {seq}：{text}"),
    "audit.gap": (
        "sequence gap: expected event {expected}, found {seq}",
        "序号断档：应为事件 {expected}，实为 {seq}",
    ),
    "audit.link": (
        "prev_hash does not match the previous event's hash",
        "prev_hash 与前一事件的哈希不符",
    ),
    "audit.altered": (
        "hash does not match the event's content (altered)",
        "哈希与事件内容不符（已被改动）",
    ),
    "audit.not-opened": (
        "the first event is not incident.opened",
        "第一个事件不是 incident.opened",
    ),
    "audit.snapshot": (
        "the stored runbook snapshot is not the one the incident pinned",
        "存储的预案快照不是事件固定的那一份",
    ),
    "audit.snapshot-missing": (
        "the pinned runbook snapshot is missing",
        "事件固定的预案快照缺失",
    ),
    "audit.summary": (
        "the summary row does not match the end of the chain",
        "摘要行与哈希链末端不符",
    ),
    "audit.empty": ("the incident has no events", "该事件没有任何记录"),
    "audit.failed": (
        "{bad} of {n} incident(s) failed verification",
        "{n} 个事件中有 {bad} 个未通过校验",
    ),
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


def t(key: str, lang: str, /, **facts: Any) -> str:
    """The catalogue's text for ``key`` in ``lang``, with ``facts`` filled in."""
    en, zh = _MESSAGES[key]
    text = zh if lang == "zh" else en
    if not facts and "{" not in text:
        return text
    return text.format(**{k: _fact(v, lang) for k, v in facts.items()})
