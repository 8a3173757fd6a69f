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
    "origin.--home": ("--home", "--home 指定"),
    "origin.$INCIDENTCTL_HOME": ("$INCIDENTCTL_HOME", "$INCIDENTCTL_HOME 指定"),
    "origin.default": ("the default", "默认位置"),
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
    "notice.text.breach": (
        "[BREACH] {id} {tier} {title}: step {key} ({step}) is due {due}, {left}. Owner: {owner}",
        "【已逾期】{id} {tier} {title}：步骤 {key}（{step}）应于 {due} 完成，{left}。负责：{owner}",
    ),
    "notice.text.due-soon": (
        "[DUE SOON] {id} {tier} {title}: step {key} ({step}) is due {due}, {left}. Owner: {owner}",
        "【即将到期】{id} {tier} {title}：步骤 {key}（{step}）应于 {due} 完成，{left}。负责：{owner}",
    ),
    "notice.overdue_by": ("overdue by {d}", "已逾期 {d}"),
    "notice.left": ("{d} left", "还剩 {d}"),
    # --- notices that reach a person: cards, mentions, escalation, ack ------------------
    "notice.escalation": ("escalation", "升级"),
    "notice.head.breach": ("[BREACH]", "【已逾期】"),
    "notice.head.due-soon": ("[DUE SOON]", "【即将到期】"),
    "notice.head.escalation": ("[ESCALATION {level}]", "【升级·第{level}级】"),
    "notice.text.escalation": (
        "[ESCALATION {level}] {id} {tier} {title}: step {key} ({step}) was due {due}, {left}, "
        "and nobody has acknowledged. Owner: {owner}. Acknowledge: incidentctl ack {id}",
        "【升级·第{level}级】{id} {tier} {title}：步骤 {key}（{step}）应于 {due} 完成，{left}，"
        "无人确认。负责：{owner}。确认收到：incidentctl ack {id}",
    ),
    "notice.card.incident": ("Incident", "事件"),
    "notice.card.step": ("Step", "步骤"),
    "notice.card.action": ("Action item", "行动项"),
    "notice.action": ("action item overdue", "行动项逾期"),
    "notice.head.action": ("[ACTION ITEM OVERDUE]", "【行动项逾期】"),
    "notice.text.action": (
        "[ACTION ITEM OVERDUE] {id} {title}: action item {key} ({text}) was due by the end of "
        "{due}, {left}. Owner: {owner}. Done: incidentctl action done {id} {n}",
        "【行动项逾期】{id} {title}：行动项 {key}（{text}）应于 {due} 当日完成，{left}。"
        "负责：{owner}。完成后：incidentctl action done {id} {n}",
    ),
    "check.actions": ("Overdue action items:", "逾期行动项："),
    "notice.card.due": ("Due", "时限"),
    "notice.card.due_left": ("{due}, {left}", "{due}，{left}"),
    "notice.card.owner": ("Owner", "负责"),
    "notice.card.run": ("Run", "处理"),
    "notice.card.ack": ("Acknowledge", "确认收到"),
    "notice.everyone": ("everyone", "所有人"),
    "ev.notified.mentioned": ("mentioned {names}", "提及 {names}"),
    "ev.escalated": (
        "escalated (level {level}, {target}) {deadline} -> {channels}",
        "已升级（第{level}级，{target}）{deadline} -> {channels}",
    ),
    "ev.acked": ("acknowledged the page", "确认收到提醒"),
    "ev.acked.step": ("acknowledged the page for {step}", "确认收到 {step} 的提醒"),
    "acked": ("{id} #{seq}: {what} ({actor})", "{id} #{seq}：{what}（{actor}）"),
    "err.config.secret_twice": (
        "give the signing secret one way: either secret or secret_env, not both",
        "签名密钥只能给一种：secret 或 secret_env，不能同时给出",
    ),
    "err.config.secret_unsigned": (
        "a '{fmt}' webhook does not sign its requests (only dingtalk and feishu robots do; "
        "a WeCom key stays in the URL)",
        "'{fmt}' 类型的 webhook 不签名（只有钉钉和飞书机器人签名；企业微信的 key 留在 URL 中）",
    ),
    "err.config.secret_env": (
        "the environment variable {name} is not set (expected the robot's signing secret in it)",
        "环境变量 {name} 未设置（应为机器人的签名密钥）",
    ),
    "err.config.unknown_person": (
        "'{name}' is not in people (expected one of: {people}, or @all)",
        "'{name}' 不在 people 中（应为其中之一：{people}，或 @all）",
    ),
    "err.config.escalation_target": (
        "'{name}' is neither a name in people ({people}), a role id, nor @all",
        "'{name}' 既不是 people 中的姓名（{people}），也不是角色编号或 @all",
    ),
    "err.config.zone": (
        "unknown time zone '{zone}' (expected e.g. Asia/Shanghai or UTC)",
        "未知时区 '{zone}'（应为如 Asia/Shanghai 或 UTC）",
    ),
    # --- end of notices that reach a person ----------------------------------------------
    "status_to_customers.open": ("being handled", "处理中"),
    "status_to_customers.mitigated": ("mitigated", "已止损"),
    "status_to_customers.resolved": ("resolved", "已解决"),
    "status_to_customers.closed": ("closed", "已关闭"),
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
        "Opened {id} (#{number}) at {tier} from {runbook} {version} (pinned sha256 {sha}). Next: incidentctl show {number}",
        "已开启 {id}（#{number}），级别 {tier}，预案 {runbook} {version}（已固定 sha256 {sha}）。下一步：incidentctl show {number}",
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
    # --- the store: init and status --------------------------------------------------
    "store.backend": ("backend", "后端"),
    "store.location": ("location", "位置"),
    "store.schema": ("schema", "结构版本"),
    "store.schema_of": (
        "{v} (this release knows up to {known})",
        "{v}（当前版本最高支持 {known}）",
    ),
    "store.contents": ("contents", "内容"),
    "store.counts": (
        "{i} incidents, {e} events, {r} runbook snapshots",
        "{i} 个事件，{e} 条记录，{r} 份预案快照",
    ),
    "store.user": ("database user", "数据库用户"),
    "store.writable": ("you may write", "可写入"),
    "store.yes": ("yes", "是"),
    "store.no": ("no (read only)", "否（只读）"),
    "store.init_done": (
        "store {location}: schema version {before} -> {after}",
        "事件库 {location}：结构版本 {before} -> {after}",
    ),
    "store.init_same": (
        "store {location}: schema version {after}, already up to date",
        "事件库 {location}：结构版本 {after}，已是最新",
    ),
    "store.copy_progress": ("copying {done}/{total} {id}", "正在复制 {done}/{total} {id}"),
    "store.copy_done": (
        "{source} -> {target}: {copied} copied, {completed} completed, {present} already there, "
        "{refused} refused",
        "{source} -> {target}：复制 {copied} 个，补全 {completed} 个，已存在 {present} 个，"
        "拒绝 {refused} 个",
    ),
    "store.copy_conflict": (
        "{id}: the target holds a different incident under this id; not copied",
        "{id}：目标库中同一编号下是另一个事件；未复制",
    ),
    "store.copy_broken": (
        "{id}: its log does not verify in the source (run incidentctl audit verify); not copied",
        "{id}：源库中该事件的记录无法通过校验（请运行 `incidentctl audit verify`）；未复制",
    ),
    "store.init_roles": (
        "roles granted: {roles} (grant them to people: GRANT incidentctl_responder TO alice)",
        "已授权角色：{roles}（授予人员：GRANT incidentctl_responder TO alice）",
    ),
    # --- audit ---------------------------------------------------------------------------
    "audit.ok": ("{id}: ok ({n} events), head {hash}", "{id}：完好（{n} 个事件），链头 {hash}"),
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
    "audit.summary-missing": (
        "the incident's summary row is missing (list, show and check no longer see it)",
        "事件的摘要行缺失（list、show、check 均看不到该事件）",
    ),
    "audit.summary-fold": (
        "the summary row does not agree with the log: {detail}",
        "摘要行与记录不一致：{detail}",
    ),
    "audit.unreadable": ("the log cannot be read", "记录无法读取"),
    "audit.anchor-digest": (
        "an anchor naming it does not match its own digest (the anchor file was altered)",
        "引用本事件的锚点与其自身摘要不符（锚点文件已被改动）",
    ),
    "audit.anchor-removed": (
        "anchored at {detail}, and since removed from the store",
        "已于 {detail} 锚定，之后被从存储中删除",
    ),
    "audit.anchor-truncated": (
        "anchored at {detail} with {expected} events; events were since removed from its end",
        "已于 {detail} 锚定（{expected} 个事件）；之后末尾的事件被删除",
    ),
    "audit.anchor-rewritten": (
        "the chain was rewritten since the anchor of {detail}: this event no longer has "
        "the anchored hash",
        "自 {detail} 的锚点之后哈希链被重写：该事件已不是锚定时的哈希",
    ),
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
    # === walk: the guided checklist (incidentctl walk) ====================================
    # the keys, as help lists them
    "walk.key.done": ("done", "完成"),
    "walk.key.skip": ("skip (reason required)", "跳过（需写理由）"),
    "walk.key.na": ("n/a (reason required)", "不适用（需写理由）"),
    "walk.key.note": ("note", "备注"),
    "walk.key.assign": ("assign a role", "指定角色"),
    "walk.key.severity": ("change severity", "调整级别"),
    "walk.key.comms": ("comms: send this step's message", "发送本步骤话术"),
    "walk.key.mitigate": ("mark mitigated", "标记已止损"),
    "walk.key.jump": ("jump to a step", "跳到某一步"),
    "walk.key.back": ("back to the previous step", "上一步"),
    "walk.key.list": ("list the whole checklist", "查看完整清单"),
    "walk.key.refresh": ("refresh", "刷新"),
    "walk.key.quit": ("quit (resume later)", "退出（之后可继续）"),
    "walk.key.help": ("this help", "帮助"),
    "walk.help_line": ("  {letter}  {text}", "  {letter}  {text}"),
    # the screen
    "walk.elapsed": ("elapsed {d}", "已持续 {d}"),
    "walk.next_update": (
        "Next update: {step} ({deadline}) {when}",
        "下一次通报：{step}（{deadline}）{when}",
    ),
    "walk.press_c": (" - press c to send it", " —— 按 c 发送"),
    "walk.messages": ("Messages", "话术"),
    "walk.then": ("then", "之后"),
    "walk.none": ("none", "无"),
    "walk.tally": (
        "done {done}, skipped {skipped}, n/a {na}; missed deadlines: {missed}",
        "完成 {done}，跳过 {skipped}，不适用 {na}；超时：{missed}",
    ),
    "walk.all_done": (
        "Every applicable step is done, skipped or n/a.",
        "所有适用步骤均已完成、跳过或标记不适用。",
    ),
    "walk.review_left": (
        "Every step before the review is done, skipped or n/a.",
        "复盘之前的所有步骤均已完成、跳过或标记不适用。",
    ),
    "walk.close_hint": (
        "Close it with `incidentctl close {id}`.",
        "可运行 `incidentctl close {id}` 关闭事件。",
    ),
    # questions
    "walk.ask.action": ("Action [{keys}]: ", "操作 [{keys}]："),
    "walk.answer_required": ("  (an answer is required)", "  （必须填写）"),
    "walk.ask.evidence": ("{label} [{id}]:", "{label} [{id}]："),
    "walk.ask.evidence_optional": ("{label} [{id}] (optional):", "{label} [{id}]（可选）："),
    "walk.ask.note_optional": ("Note (optional, Enter to skip):", "备注（可选，回车跳过）："),
    "walk.ask.reason": ("Reason (required):", "理由（必填）："),
    "walk.ask.note": ("Note:", "备注："),
    "walk.ask.role": ("Role (number or id):", "角色（序号或编号）："),
    "walk.ask.name": ("Name:", "姓名："),
    "walk.ask.severity": ("New severity ({tiers}):", "新级别（{tiers}）："),
    "walk.ask.step": ("Step (number or id):", "步骤（序号或编号）："),
    "walk.ask.template": ("Template (number or id):", "模板（序号或编号）："),
    "walk.template_option": ("{name} ({audience})", "{name}（{audience}）"),
    "walk.ask.eta": (
        "Time to commit to for {{eta}} (e.g. 30m, 14:30):",
        "{{eta}} 承诺的时间（例如 30m、14:30）：",
    ),
    "walk.ask.input": ("{label}:", "{label}："),
    "walk.ask.input_example": ("{label} (e.g. {example}):", "{label}（例如 {example}）："),
    "walk.ask.value": ("{{{name}}} is not known yet; value:", "{{{name}}} 尚未记录，请填写："),
    "walk.ask.send": (
        "Send via {channel}? [y send / e edit / c channel / n cancel]: ",
        "通过 {channel} 发送？[y 发送 / e 编辑 / c 渠道 / n 取消]：",
    ),
    "walk.ask.new_text": ("New text (one line):", "新文本（一行）："),
    "walk.ask.channel_of": ("Channel ({channels}):", "渠道（{channels}）："),
    "walk.ask.channel": ("Channel:", "渠道："),
    "walk.ask.also_done": (
        "Mark step {step} done as well? [y/N]: ",
        "同时将步骤 {step} 标记为完成？[y/N]：",
    ),
    "walk.ask.resolve": ("Resolve the incident now? [y/N]: ", "现在将事件标记为已解决？[y/N]："),
    "walk.ask.summary": ("Summary (optional):", "总结（可选）："),
    "walk.confirm": ("{change}: record it? [y/N]: ", "{change}：确认记录？[y/N]："),
    # a change, as a confirmation names it
    "walk.change.done": ("mark step {step} done", "将步骤 {step} 标记为完成"),
    "walk.change.skip": ("skip step {step}", "跳过步骤 {step}"),
    "walk.change.na": ("mark step {step} n/a", "将步骤 {step} 标记为不适用"),
    "walk.change.note": ("add a note", "添加备注"),
    "walk.change.assign": ("assign {name} as {role}", "指定 {name} 为 {role}"),
    "walk.change.severity": ("change the severity to {tier}", "将级别调整为 {tier}"),
    "walk.change.mitigate": ("mark {id} mitigated", "将 {id} 标记为已止损"),
    "walk.change.resolve": ("resolve {id}", "将 {id} 标记为已解决"),
    "walk.change.eta": ("commit to {eta}", "承诺时间 {eta}"),
    "walk.change.send": (
        "record {template} as sent via {channel}",
        "记录经 {channel} 发送 {template}",
    ),
    # what an action did
    "walk.saved": (
        "Progress is saved. `incidentctl walk {id}` resumes at the first open step.",
        "进度已保存。运行 `incidentctl walk {id}` 可从第一个未完成步骤继续。",
    ),
    "walk.cancelled": ("Cancelled; nothing recorded.", "已取消，未记录任何内容。"),
    "walk.not_recorded": ("Not recorded: {text}", "未记录：{text}"),
    "walk.unknown_key": (
        "Unknown key '{letter}'; press ? for the keys.",
        "未知按键 '{letter}'；按 ? 查看帮助。",
    ),
    "walk.did.done": ("{step}: done.", "{step}：已完成。"),
    "walk.did.skip": ("{step}: skipped.", "{step}：已跳过。"),
    "walk.did.na": ("{step}: marked n/a.", "{step}：已标记不适用。"),
    "walk.noted": ("Note recorded.", "备注已记录。"),
    "walk.severity_changed": (
        "Severity {before} -> {after}; deadlines follow the new tier.",
        "级别 {before} -> {after}；时限已按新级别计算。",
    ),
    "walk.mitigated": ("Marked mitigated.", "已标记止损。"),
    "walk.no_step": ("No step '{step}'.", "没有步骤 '{step}'。"),
    "walk.no_templates": ("This runbook has no message templates.", "本预案没有话术模板。"),
    "walk.no_template": ("No template '{template}'.", "没有模板 '{template}'。"),
    "walk.sent": (
        "Message {template} recorded ({channel}).",
        "话术 {template} 已记录（{channel}）。",
    ),
    "walk.sent_counts": (
        "Message {template} recorded ({channel}). Counts as the update for {steps}.",
        "话术 {template} 已记录（{channel}）。计为 {steps} 的一次通报。",
    ),
    "walk.sent_note": ("{template} via {channel}", "{template}，经 {channel} 发送"),
    "walk.not_resolved": (
        "Not resolved. `incidentctl resolve {id}` when it is, then walk on through the review.",
        "未标记解决。解决后运行 `incidentctl resolve {id}`，再继续复盘步骤。",
    ),
    "walk.resolved": ("{id} resolved; on to the review.", "{id} 已解决；进入复盘。"),
    # === end of walk ========================================================================
    # --- errors: shared pieces -------------------------------------------------------
    "err.did_you_mean": (" (did you mean '{close}'?)", "（是否指 '{close}'？）"),
    "err.clauses": ("{first}; {rest}", "{first}；{rest}"),
    "err.none": ("none", "无"),
    "err.try_again": ("try again", "请重试"),
    "err.document.invalid": ("invalid runbook", "预案无效"),
    "err.document.one_more": ("{first} (and 1 more problem)", "{first}（另有 1 个问题）"),
    "err.document.more": ("{first} (and {n} more problems)", "{first}（另有 {n} 个问题）"),
    # --- errors: time and durations --------------------------------------------------
    "err.time.zone": (
        "unknown time zone '{name}' (expected an IANA name such as Asia/Shanghai or UTC)",
        "未知时区 '{name}'（应为 IANA 时区名，如 Asia/Shanghai 或 UTC）",
    ),
    "err.time.invalid": (
        "'{text}' is not a time; expected ISO 8601 (2026-11-22T14:05:00+08:00), "
        "'YYYY-MM-DD HH:MM', 'HH:MM' (today) or -15m (ago)",
        "'{text}' 不是有效的时间；应为 `2026-11-22T14:05:00+08:00`、"
        "`YYYY-MM-DD HH:MM`、`HH:MM`（当天）或 `-15m`（15 分钟前）",
    ),
    "err.time.relative_units": (
        "'{text}': use calendar units (s, m, h, d) for a relative time",
        "'{text}'：相对时间请用日历单位（s、m、h、d）",
    ),
    "err.time.bad_date": (
        "'{text}' is not a valid date: {problem}",
        "'{text}' 不是有效的日期：{problem}",
    ),
    "err.time.bad_month": ("month must be in 1..12", "月份应在 1 到 12 之间"),
    "err.time.bad_day": ("day is out of range for month", "该月没有这一天"),
    "err.time.bad_clock": ("'{text}' is not a valid time of day", "'{text}' 不是有效的时刻"),
    "err.time.future": (
        "'{text}' is {span:en} in the future ({at}); events can only be recorded for the past",
        "'{text}' 比现在晚 {span:zh}（{at}）；只能记录已经发生的事",
    ),
    "err.duration.expected": (
        "expected e.g. 30s, 10m, 4h, 2d, 1h30m or 1bd (business days)",
        "例如 `30s`、`10m`、`4h`、`2d`、`1h30m` 或 `1bd`（工作日）",
    ),
    "err.duration.invalid": (
        "'{text}' is not a duration ({expected})",
        "'{text}' 不是有效的时长（{expected}）",
    ),
    "err.duration.zero": (
        "'{text}' is zero; a duration must be positive ({expected})",
        "'{text}' 为零；时长必须大于零（{expected}）",
    ),
    "err.duration.effort_units": (
        "'{text}': an effort range takes calendar units (s, m, h, d)",
        "'{text}'：预计用时只能用日历单位（s、m、h、d）",
    ),
    "err.duration.range_order": (
        "'{text}': the upper bound is below the lower bound",
        "'{text}'：上限小于下限",
    ),
    # --- errors: runbooks --------------------------------------------------------------
    "err.severity.empty": ("severity is empty; {expected}", "级别为空；{expected}"),
    "err.severity.unknown": (
        "unknown severity '{text}' for runbook {runbook}; {expected}",
        "预案 {runbook} 没有级别 '{text}'；{expected}",
    ),
    "err.severity.expected": ("expected one of {tiers}", "可选级别：{tiers}"),
    "err.severity.tier": ("{id} ({name:zh} / {name:en})", "{id}（{name:zh}）"),
    "err.runbook.no_file": ("no runbook file {path}", "没有预案文件 {path}"),
    "err.runbook.no_dir": (
        "runbook directory {dir} ({origin}) does not exist",
        "预案目录 {dir}（{origin}）不存在",
    ),
    "err.runbook.not_dir": (
        "runbook directory {dir} ({origin}) is not a directory",
        "预案目录 {dir}（{origin}）不是目录",
    ),
    "err.runbook.unknown": (
        "no runbook '{ref}' in {dir} ({origin}); {near}available: {ids}",
        "{dir}（{origin}）中没有预案 '{ref}'；{near}现有预案：{ids}",
    ),
    "err.runbook.did_you_mean": ("did you mean '{close}'? ", "是否指 '{close}'？"),
    # --- errors: incidents -------------------------------------------------------------
    "err.incident.no_match": ("no incident matches '{ref}'", "没有与 '{ref}' 匹配的事件"),
    "err.incident.list_all": (
        "`incidentctl list --status all --drills` shows every incident, drills included",
        "`incidentctl list --status all --drills` 可列出全部事件（含演练）",
    ),
    "err.incident.ambiguous": (
        "'{ref}' matches {n} incidents: {shown}; give more of the id",
        "'{ref}' 匹配到 {n} 个事件：{shown}；请给出更完整的编号",
    ),
    "err.incident.and_more": ("{ids} and {n} more", "{ids}，另有 {n} 个"),
    "err.incident.missing": ("no incident {id}", "没有事件 {id}"),
    "err.incident.title_empty": (
        "the title is empty; say in a few words what is happening",
        "标题为空；请用几个字说明发生了什么",
    ),
    "err.incident.before_opened": (
        "{at} is before the incident opened ({opened})",
        "{at} 早于事件开启时间（{opened}）",
    ),
    "err.incident.busy_new": ("a new incident on {day}", "{day} 的新事件"),
    "err.incident.busy": (
        "{what} kept changing while this change was being recorded ({n} attempts); "
        "nothing was recorded",
        "记录期间 {what} 一直在被他人修改（已尝试 {n} 次）；未记录任何内容",
    ),
    "err.closed": ("{id} is closed", "{id} 已关闭"),
    "err.closed.how": (
        "`incidentctl reopen {id} --reason ...` to work on it again",
        "如需继续处理，请运行 `incidentctl reopen {id} --reason ...`",
    ),
    "err.step.needs_reason": (
        "`step {action}` needs --reason: say why the step is not being done",
        "`step {action}` 需要 `--reason`：请说明为什么不做这一步",
    ),
    "err.step.unknown": (
        "runbook {runbook} has no step '{step}'{near}; steps at {tier}: {steps}",
        "预案 {runbook} 没有步骤 '{step}'{near}；{tier} 的步骤：{steps}",
    ),
    "err.step.not_for_tier": (
        "step {step} applies to {tiers}; {id} is {tier}",
        "步骤 {step} 只适用于 {tiers}；{id} 当前为 {tier}",
    ),
    "err.step.change_severity": (
        "change the severity with `incidentctl severity` if the incident has grown",
        "如果事件已升级，请用 `incidentctl severity` 调整级别",
    ),
    "err.step.already": (
        "step {step} is already {state} ({at}, by {actor})",
        "步骤 {step} 已标记为{state}（{at}，操作人 {actor}）",
    ),
    "err.step.retract_hint": (
        "to correct it, `incidentctl retract {id} {seq} --reason ...`",
        "如需更正，请运行 `incidentctl retract {id} {seq} --reason ...`",
    ),
    "err.step.in_progress": (
        "step {step} is already in progress (since {at}, by {actor})",
        "步骤 {step} 已在进行中（自 {at} 起，操作人 {actor}）",
    ),
    "err.evidence.unknown": (
        "step {step} records no evidence '{given}'; its evidence: {known}",
        "步骤 {step} 没有需记录项 '{given}'；它的需记录项：{known}",
    ),
    "err.evidence.none": ("none (use --note for free text)", "无（自由文字请用 `--note`）"),
    "err.evidence.missing": (
        "step {step} needs evidence to be marked done: {need}",
        "步骤 {step} 需记录以下内容才能标记完成：{need}",
    ),
    "err.evidence.item": ("{id} ({label:en} / {label:zh})", "{id}（{label:zh}）"),
    "err.evidence.how": ("give it as --evidence ID=VALUE", "请用 `--evidence ID=VALUE` 给出"),
    "err.evidence.only_done": (
        "--evidence is recorded only with `step done`",
        "`--evidence` 只能与 `step done` 一起使用",
    ),
    "err.note.empty": ("the note is empty", "备注为空"),
    "err.name.empty": ("the name is empty", "姓名为空"),
    "err.role.unknown": (
        "runbook {runbook} has no role '{role}'{near}; roles: {roles}",
        "预案 {runbook} 没有角色 '{role}'{near}；现有角色：{roles}",
    ),
    "err.severity.needs_reason": ("a severity change needs --reason", "调整级别需要 `--reason`"),
    "err.severity.same": ("{id} is already {tier}", "{id} 已经是 {tier}"),
    "err.mitigate.not_open": (
        "{id} is {status}; only an open incident can be mitigated",
        "{id} 的状态为“{status}”；只有处理中的事件才能标记止损",
    ),
    "err.resolve.already": ("{id} is already {status}", "{id} 的状态已是“{status}”"),
    "err.reopen.needs_reason": ("reopening needs --reason", "重新打开需要 `--reason`"),
    "err.reopen.not_finished": (
        "{id} is {status}, not resolved or closed",
        "{id} 的状态为“{status}”，不是已解决或已关闭",
    ),
    "err.close.needs_reason": (
        "closing with --force needs --reason",
        "使用 `--force` 关闭需要 `--reason`",
    ),
    "err.close.already": ("{id} is already closed", "{id} 已关闭"),
    "err.close.not_resolved": (
        "{id} is {status}; resolve it before closing",
        "{id} 的状态为“{status}”；请先标记解决，再关闭",
    ),
    "err.close.open_steps": (
        "{id} has {n} required step(s) still open: {steps}",
        "{id} 还有 {n} 个必做步骤未完成：{steps}",
    ),
    "err.close.how": (
        "finish, skip or n/a them (with a reason), or close with --force --reason",
        "请完成、跳过或标记不适用（需注明理由），或用 `--force --reason` 强制关闭",
    ),
    "err.field.empty": ("the {field} is empty", "{field}为空"),
    "err.send.empty": ("the message is empty", "消息为空"),
    "err.send.channel": (
        "say which channel the message went out on (--channel)",
        "请用 `--channel` 说明消息经哪个渠道发出",
    ),
    "err.send.no_template": (
        "runbook {runbook} has no template '{template}'",
        "预案 {runbook} 没有话术模板 '{template}'",
    ),
    "err.retract.needs_reason": ("a retraction needs --reason", "撤回需要 `--reason`"),
    "err.retract.already": (
        "event {seq} of {id} is already retracted",
        "{id} 的记录 #{seq} 已被撤回",
    ),
    "err.retract.no_event": (
        "{id} has no event {seq} (it has 1-{last})",
        "{id} 没有记录 #{seq}（现有 #1-#{last}）",
    ),
    "err.retract.before_event": (
        "{at} is before event #{seq} it retracts ({occurred}); a retraction comes after "
        "what it corrects",
        "{at} 早于要撤回的记录 #{seq}（{occurred}）；撤回只能在被更正的记录之后",
    ),
    "err.retract.not_retractable": (
        "event {seq} is {type}, which cannot be retracted; record what happened instead "
        "(reopen, a note, a severity change)",
        "记录 #{seq} 是 `{type}`，不能撤回；请改为记录实际发生的情况（重新打开、备注或调整级别）",
    ),
    # --- errors: messages to send ----------------------------------------------------
    "err.comms.unknown_template": (
        "runbook {runbook} has no template '{template}'{near}; templates: {templates}",
        "预案 {runbook} 没有话术模板 '{template}'{near}；现有话术模板：{templates}",
    ),
    "err.comms.no_placeholder": (
        "template {template} has no placeholder '{name}'; its inputs: {inputs}",
        "话术模板 {template} 没有占位符 '{name}'；它的需填写项：{inputs}",
    ),
    "err.comms.channel": (
        "template {template} does not go out on '{channel}'{near}; its channels: {allowed}",
        "话术模板 {template} 不经 '{channel}' 发出{near}；它的渠道：{allowed}",
    ),
    "err.comms.channel_runbook": (
        "'{channel}' is not a channel of runbook {runbook}{near} (template {template} names "
        "none of its own); channels: {allowed}",
        "'{channel}' 不是预案 {runbook} 的渠道{near}（话术模板 {template} 未指定渠道）；"
        "可用渠道：{allowed}",
    ),
    "err.comms.no_channel": (
        "template {template} names no channel; give --channel",
        "话术模板 {template} 没有指定渠道；请用 `--channel` 给出",
    ),
    "err.comms.unfilled": (
        "template {template} cannot be filled in yet: {parts}",
        "话术模板 {template} 暂时无法填写完整：{parts}",
    ),
    "err.comms.give_input": (
        "{{{name}}}: give it with --set {name}=...",
        "{{{name}}}：请用 `--set {name}=...` 给出",
    ),
    "err.comms.assign_role": (
        "{{{name}}}: assign it with `incidentctl assign INC {role} NAME`",
        "{{{name}}}：请用 `incidentctl assign INC {role} NAME` 指定",
    ),
    "err.comms.how_or_set": (
        "{{{name}}}: {how}, or --set {name}=...",
        "{{{name}}}：{how}，或用 `--set {name}=...` 给出",
    ),
    "err.comms.how.scope": (
        "record it with `incidentctl set INC scope TEXT`",
        "请用 `incidentctl set INC scope TEXT` 记录",
    ),
    "err.comms.how.commander": (
        "assign one with `incidentctl assign INC commander NAME`",
        "请用 `incidentctl assign INC commander NAME` 指定",
    ),
    "err.comms.how.eta": (
        "set one with `incidentctl set INC eta TIME`",
        "请用 `incidentctl set INC eta TIME` 设定",
    ),
    "err.comms.how.next_update": (
        "set an ETA with `incidentctl set INC eta TIME`",
        "请用 `incidentctl set INC eta TIME` 设定预计时间",
    ),
    "err.comms.how.org_name": (
        "set org.name in config.yaml",
        "请在 `config.yaml` 中设置 `org.name`",
    ),
    "err.comms.how.org_hotline": (
        "set org.hotline in config.yaml",
        "请在 `config.yaml` 中设置 `org.hotline`",
    ),
    # --- errors: the incident store ------------------------------------------------------
    "err.store.location": (
        "unsupported store location '{scheme}://...' "
        "(expected a file path, sqlite:///PATH or postgresql://...)",
        "不支持的事件库位置 '{scheme}://...'（应为文件路径、`sqlite:///PATH` 或 `postgresql://...`）",
    ),
    "err.store.missing": (
        "no incident store at {path} yet; open an incident first",
        "还没有事件库（{path} 不存在）；请先开启一个事件",
    ),
    "err.store.unreadable": (
        "cannot read the store {path}: {problem}",
        "无法读取事件库 {path}：{problem}",
    ),
    "err.store.empty": (
        "{path} is empty, so it is not an incidentctl store; move it away or use --home DIR",
        "{path} 是空文件，不是 incidentctl 事件库；请将它移走，或用 `--home DIR` 另选目录",
    ),
    "err.store.not_sqlite": (
        "{path} is not a SQLite database, so it is not an incidentctl store; "
        "move it away or use --home DIR",
        "{path} 不是 SQLite 数据库，因而不是 incidentctl 事件库；"
        "请将它移走，或用 `--home DIR` 另选目录",
    ),
    "err.store.foreign": (
        "{path} is a SQLite database but not an incidentctl store; move it away or use --home DIR",
        "{path} 是 SQLite 数据库，但不是 incidentctl 事件库；请将它移走，或用 `--home DIR` 另选目录",
    ),
    "err.store.not_ours": (
        "{path} is not an incidentctl store; move it away or use --home DIR",
        "{path} 不是 incidentctl 事件库；请将它移走，或用 `--home DIR` 另选目录",
    ),
    "err.store.too_new": (
        "{path} was written by a newer incidentctl (store schema {found}, "
        "this one knows up to {known}); upgrade incidentctl",
        "{path} 由更新版本的 incidentctl 写入（事件库结构版本 {found}，"
        "当前版本最高支持 {known}）；请升级 incidentctl",
    ),
    "err.store.needs_upgrade": (
        "{path} was written by an older incidentctl and must be upgraded before it is read; "
        "`incidentctl list` upgrades it",
        "{path} 由旧版本的 incidentctl 写入，读取前须先升级；运行 `incidentctl list` 即可升级",
    ),
    "err.store.mkdir": (
        "cannot create the store directory {dir}: {problem}",
        "无法创建事件库目录 {dir}：{problem}",
    ),
    "err.store.create": (
        "cannot create the store {path}: {problem}",
        "无法创建事件库 {path}：{problem}",
    ),
    "err.store.locked": (
        "the store {path} stayed locked by another writer for {seconds}s; nothing was recorded",
        "事件库 {path} 被其他写入方锁定超过 {seconds} 秒；未记录任何内容",
    ),
    "err.store.locked_how": (
        "try again; if it persists, look for a stuck incidentctl process",
        "请重试；如果反复出现，请检查是否有卡住的 incidentctl 进程",
    ),
    "err.store.damaged": (
        "the store {path} cannot be used: {problem}",
        "事件库 {path} 无法使用：{problem}",
    ),
    "err.store.damaged_how": (
        "if the file is damaged, restore it from a backup; nothing was written",
        "如果文件已损坏，请从备份恢复；本次未写入任何内容",
    ),
    "err.store.no_snapshot": (
        "the store has no runbook snapshot {sha}",
        "事件库中没有预案快照 {sha}",
    ),
    # --- errors: the team store on PostgreSQL ------------------------------------------
    "err.store.pg_driver": (
        "a postgresql:// store needs the psycopg package, which is not installed",
        "使用 postgresql:// 事件库需要 psycopg 包，但尚未安装",
    ),
    "err.store.pg_driver_how": (
        "install it with: pip install 'incidentctl[postgres]'",
        "请安装：pip install 'incidentctl[postgres]'",
    ),
    "err.store.pg_unreachable": (
        "cannot reach the store {location} as user {user}: {problem}",
        "无法以用户 {user} 连接事件库 {location}：{problem}",
    ),
    "err.store.pg_unreachable_how": (
        "check that the server is running and accepts connections at that host and port "
        "(or socket), and that the URL, service or $PGHOST names it; nothing was recorded",
        "请确认服务器正在运行并在该主机和端口（或套接字）上接受连接，"
        "且 URL、服务名或 $PGHOST 指向它；本次未记录任何内容",
    ),
    "err.store.pg_auth": (
        "the store {location} refused user {user}: {problem}",
        "事件库 {location} 拒绝了用户 {user}：{problem}",
    ),
    "err.store.pg_auth_how": (
        "check the user name and the password in ~/.pgpass, $PGPASSWORD or the service file, "
        "and that pg_hba.conf lets this user in; nothing was recorded",
        "请检查用户名，以及 `~/.pgpass`、`$PGPASSWORD` 或服务文件中的密码，"
        "并确认 `pg_hba.conf` 允许该用户登录；本次未记录任何内容",
    ),
    "err.store.pg_denied": (
        "user {user} may not do that in the store {location}: {problem}",
        "用户 {user} 无权在事件库 {location} 中执行此操作：{problem}",
    ),
    "err.store.pg_denied_how": (
        "responders need the role incidentctl_responder (the auditor role only reads); "
        "nothing was recorded",
        "记录需要 `incidentctl_responder` 角色（审计角色只能读取）；本次未记录任何内容",
    ),
    "err.store.pg_failed": (
        "the store {location} cannot be used: {problem}",
        "事件库 {location} 无法使用：{problem}",
    ),
    "err.store.pg_failed_how": (
        "nothing was recorded; `incidentctl store status` shows the store's state",
        "本次未记录任何内容；`incidentctl store status` 可查看事件库状态",
    ),
    "err.store.pg_uninitialised": (
        "the database {location} holds no incidentctl store yet",
        "数据库 {location} 中还没有 incidentctl 事件库",
    ),
    "err.store.pg_old": (
        "the store {location} has schema version {found} and must be upgraded first",
        "事件库 {location} 的结构版本为 {found}，须先升级",
    ),
    "err.store.copy_same": (
        "cannot copy the store {location} onto itself; give --from and --to",
        "不能将事件库 {location} 复制到自身；请指定 `--from` 和 `--to`",
    ),
    "warn.store_password": (
        "warning: a password given on the command line can be seen by other users of this "
        "machine; keep it in ~/.pgpass, $PGPASSWORD or the service file",
        "警告：命令行上的密码可被本机其他用户看到；请将其保存在 `~/.pgpass`、"
        "`$PGPASSWORD` 或服务文件中",
    ),
    "err.store.pg_init_how": (
        "its owner runs `incidentctl store init {location}`",
        "请由数据库所有者运行 `incidentctl store init {location}`",
    ),
    # --- errors: configuration and calendar ------------------------------------------
    "err.calendar.missing": (
        "no business-day calendar '{name}' (not shipped, and no file {path})",
        "没有工作日日历 '{name}'（不是随附日历，也没有文件 {path}）",
    ),
    "err.config.calendar": (
        "no business-day calendar '{name}' (expected a shipped one: {shipped}, "
        "or a calendar file; there is no file {path})",
        "没有工作日日历 '{name}'（应为随附日历：{shipped}，或日历文件；文件 {path} 不存在）",
    ),
    "err.calendar.empty": ("{file}: the calendar file is empty", "{file}：日历文件为空"),
    "err.calendar.zone": ("{file}: unknown time zone '{zone}'", "{file}：未知时区 '{zone}'"),
    "err.calendar.holiday_dates": (
        "{file}: a holiday needs 'date', or 'from' and 'to'",
        "{file}：节假日需要 `date`，或 `from` 和 `to`",
    ),
    "err.calendar.holiday_order": (
        "{file}: holiday '{name}' ends ({end}) before it starts ({start})",
        "{file}：节假日 '{name}' 的结束日期（{end}）早于开始日期（{start}）",
    ),
    # --- errors: the command line ----------------------------------------------------
    "cli.interrupted": (
        "Interrupted; everything recorded so far is kept.",
        "已中断；此前记录的内容都已保存。",
    ),
    "cli.internal_error": ("Internal error: {error}", "内部错误：{error}"),
    "cli.bug": (
        "This is a bug in incidentctl. Details: {details}",
        "这是 incidentctl 的缺陷。详情：{details}",
    ),
    "cli.no_crash_report": ("(could not write a crash report)", "（无法写入崩溃报告）"),
    "cli.not_key_value": ("'{item}' is not KEY=VALUE", "'{item}' 不是 `KEY=VALUE` 形式"),
    "cli.usage_hint": ("see `{command}` for its usage", "用法见 `{command}`"),
    "cli.missing_argument": ("missing argument {name}", "缺少参数 {name}"),
    "cli.missing_option": ("missing option {name}", "缺少选项 {name}"),
    "cli.bad_value": ("invalid value for {name}: {detail}", "{name} 的值无效：{detail}"),
    "cli.no_such_option": ("no such option {name}{near}", "没有选项 {name}{near}"),
    "cli.no_such_command": ("no such command '{name}'{near}", "没有命令 '{name}'{near}"),
    "err.severity.filter": (
        "unknown severity '{text}' (expected 1, sev1, 一级 ...)",
        "未知级别 '{text}'（应为 1、sev1、一级 ...）",
    ),
    "err.cli.watch_needs_terminal": (
        "watch needs a terminal; in scripts use `incidentctl deadlines` or `incidentctl check`",
        "`incidentctl watch` 需要在终端中运行；脚本中请用 `incidentctl deadlines` 或 `incidentctl check`",
    ),
    "err.cli.audit_which": (
        "name the incidents to verify, or use --all",
        "请指定要校验的事件，或使用 `--all`",
    ),
    "watch.header": (
        "incidentctl watch  {now} {zone}   {summary}",
        "incidentctl watch 时限倒计时  {now} {zone}   {summary}",
    ),
    "watch.count": ("{n} {state}", "{state} {n}"),
    "watch.left": ("T-", "剩余"),
    "watch.quit": ("Ctrl-C to quit", "Ctrl-C 退出"),
    "err.home.not_dir": (
        "the incidentctl home {path} ({origin}) cannot be used: {blocker} is not a directory",
        "无法使用 incidentctl 主目录 {path}（{origin}）：{blocker} 不是目录",
    ),
    "err.home.how": (
        "give a directory (or one to be created) with --home DIR or $INCIDENTCTL_HOME",
        "请用 `--home DIR` 或 `$INCIDENTCTL_HOME` 指定一个目录（可以尚未创建）",
    ),
    # --- errors: a home others could write ------------------------------------------------
    "err.unsafe.home": (
        "refusing the incidentctl home {path}: {why}",
        "拒绝使用 incidentctl 主目录 {path}：{why}",
    ),
    "err.unsafe.config": (
        "refusing the config {path}: {why}",
        "拒绝读取配置文件 {path}：{why}",
    ),
    "err.unsafe.store": (
        "refusing the incident store {path}: {why}",
        "拒绝使用事件库 {path}：{why}",
    ),
    "err.unsafe.calendar": (
        "refusing the calendar {path}: {why}",
        "拒绝读取日历文件 {path}：{why}",
    ),
    "err.unsafe.owner": ("it belongs to another user", "它属于其他用户"),
    "err.unsafe.link_owner": (
        "it is a symbolic link that belongs to another user",
        "它是属于其他用户的符号链接",
    ),
    "err.unsafe.writable": (
        "others than its owner can write to it",
        "除所有者外的其他用户可以写入它",
    ),
    "err.unsafe.fix_mode": (
        "make it writable by you alone: `chmod go-w {path}`",
        "改为仅本人可写：`chmod go-w {path}`",
    ),
    "err.unsafe.fix_owner": (
        "use a home of your own (`--home DIR`), or have its owner hand it over: `chown`",
        "请使用自己的主目录（`--home DIR`），或请其所有者移交（`chown`）",
    ),
    "warn.lang_env": (
        "warning: $INCIDENTCTL_LANG is '{value}', which incidentctl does not speak "
        "(it speaks {langs}); going on in English",
        "警告：$INCIDENTCTL_LANG 为 '{value}'，incidentctl 不支持该语言（支持 {langs}）；"
        "以下使用英文",
    ),
    "warn.config_readable": (
        "warning: {path} holds notification secrets and others can read it; `chmod 600 {path}`",
        "警告：{path} 含有通知密钥，且其他用户可以读取；请执行 `chmod 600 {path}`",
    ),
    "warn.log_broken": (
        "WARNING: the log of {id} does not verify from event #{seq}: "
        "run `incidentctl audit verify {id}`",
        "警告：{id} 的日志从事件 #{seq} 起校验不通过：请运行 `incidentctl audit verify {id}`",
    ),
    "warn.snapshot_broken": (
        "WARNING: the runbook pinned by {id} does not verify: run `incidentctl audit verify {id}`",
        "警告：{id} 锁定的预案快照校验不通过：请运行 `incidentctl audit verify {id}`",
    ),
    # --- errors: values out of bounds -----------------------------------------------------
    "err.time.range": (
        "'{text}' is outside the years {first}-{last}",
        "'{text}' 不在 {first}-{last} 年之间",
    ),
    "err.time.env_zone": (
        "TZ={name} in the environment is not a time zone incidentctl knows",
        "环境变量 TZ={name} 不是 incidentctl 认识的时区",
    ),
    "err.time.env_zone_how": (
        "set TZ to an IANA name such as Asia/Shanghai, or pass `--tz ZONE`",
        "请把 TZ 设为 IANA 时区名（如 Asia/Shanghai），或使用 `--tz ZONE`",
    ),
    "err.time.skipped": (
        "'{text}': {time} did not happen in {zone} (the clocks were put forward over it)",
        "'{text}'：{zone} 时区没有 {time} 这一时刻（夏令时调快时跳过了）",
    ),
    "err.time.twice": (
        "'{text}': {time} happened twice in {zone} (the clocks were put back)",
        "'{text}'：{zone} 时区的 {time} 出现了两次（夏令时结束时钟被调回）",
    ),
    "err.time.twice_how": (
        "say which, with its offset: `{first}` or `{second}`",
        "请带上时差说明是哪一次：`{first}` 或 `{second}`",
    ),
    "err.duration.too_long": (
        "'{text}' is longer than {limit} days, the longest duration accepted",
        "'{text}' 超过了允许的最长时长 {limit} 天",
    ),
    "err.text.too_long": (
        "{field} is {size} bytes; the longest text recorded is {limit} bytes (limits.text in config.yaml)",
        "{field} 长 {size} 字节；可记录的文本最长 {limit} 字节（见 config.yaml 中的 limits.text）",
    ),
    "err.text.nul": (
        "{field} holds a NUL character, which no title or name can",
        "{field} 含有 NUL 字符，标题和姓名中不能有它",
    ),
    "cli.not_utf8": (
        "{where} is not valid UTF-8; use UTF-8 text (a GBK terminal, say, must be switched to UTF-8)",
        "{where} 不是有效的 UTF-8 文本；请使用 UTF-8（例如把 GBK 终端切换为 UTF-8）",
    ),
    "cli.nul": (
        "{where} holds a NUL character, which no argument can",
        "{where} 含有 NUL 字符，参数中不能有它",
    ),
    # --- an incident that is over --------------------------------------------------------
    "state.unfinished": ("not done at close", "关闭时未完成"),
    "milestone.mitigated": ("mitigated {at} ({after} in)", "止损 {at}（开始后 {after}）"),
    "milestone.resolved": ("resolved {at} ({after} in)", "解决 {at}（开始后 {after}）"),
    "milestone.closed": ("closed {at} ({after} in)", "关闭 {at}（开始后 {after}）"),
    "closed_forced": (
        "closed by force: {reason}; required steps still open then: {steps}",
        "强制关闭：{reason}；当时仍未完成的必做步骤：{steps}",
    ),
    "tier": ("Tier", "级别"),
    # === promises, times as people write them, and drafts with blanks =====================
    # committing to an ETA (set INC eta)
    "err.eta.invalid": (
        "'{text}' is not a time to commit to; expected +30m or 30m (from now), HH:MM "
        "(the next such time: today, or tomorrow once it has passed), 'YYYY-MM-DD HH:MM' "
        "or ISO 8601 (2026-11-22T14:05:00+08:00)",
        "'{text}' 不是可承诺的时间；应为 `+30m` 或 `30m`（从现在起）、`HH:MM`"
        "（下一个该时刻：今天，已过则为明天）、`YYYY-MM-DD HH:MM` 或 ISO 8601"
        "（`2026-11-22T14:05:00+08:00`）",
    ),
    "err.eta.past": (
        "'{text}' is {span:en} in the past ({at}); an ETA is a time still to come, such as +30m",
        "'{text}' 已经过去 {span:zh}（{at}）；预计时间必须是尚未到来的时间，例如 `+30m`",
    ),
    "err.eta.same": ("{id} already has the ETA {at}", "{id} 的预计时间已是 {at}"),
    "err.eta.none": ("{id} has no ETA to clear", "{id} 没有可撤销的预计时间"),
    "err.eta.resolved": (
        "{id} is resolved, so there is nothing left to promise; reopen it first",
        "{id} 已解决，没有可以再承诺的事；如需承诺，请先重新打开",
    ),
    # a promise on the record: its events and its deadline
    "ev.eta.set": ("ETA committed: {at} ({ahead} ahead)", "承诺预计时间：{at}（{ahead}后）"),
    "ev.eta.changed": (
        "ETA changed: {before} -> {at} ({ahead} ahead)",
        "预计时间变更：{before} -> {at}（{ahead}后）",
    ),
    "ev.eta.cleared": ("ETA withdrawn (was {before})", "撤销预计时间（原为 {before}）"),
    "deadline.promise": ("promised customers {at}", "已向客户承诺 {at}"),
    # a time in a message, and messages that promise a time
    "time.today": ("today {time}", "今天 {time}"),
    "time.tomorrow": ("tomorrow {time}", "明天 {time}"),
    "time.date": ("{day} {month} {time}", "{month}月{day}日 {time}"),
    "time.date_year": ("{day} {month} {year} {time}", "{year}年{month}月{day}日 {time}"),
    "time.months": (
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "1 2 3 4 5 6 7 8 9 10 11 12",
    ),
    "err.comms.how_only": ("{{{name}}}: {how}", "{{{name}}}：{how}"),
    "err.comms.how.eta_commit": (
        "commit to a time with `incidentctl set {id} eta TIME` (it is then tracked as a deadline)",
        "请用 `incidentctl set {id} eta TIME` 承诺一个时间（之后将作为时限跟踪）",
    ),
    "err.comms.how.eta_lapsed": (
        "the ETA committed to, {at}, has passed; commit to a new one with "
        "`incidentctl set {id} eta TIME`",
        "已承诺的预计时间 {at} 已过；请用 `incidentctl set {id} eta TIME` 重新承诺",
    ),
    "err.comms.how.next_update_none": (
        "no update is scheduled and no ETA is committed; commit to a time with "
        "`incidentctl set {id} eta TIME`",
        "没有排定的进展通报，也没有已承诺的预计时间；请用 `incidentctl set {id} eta TIME` 承诺一个时间",
    ),
    "err.comms.promise_given": (
        "{{{name}}} is a time promised to the reader, so it is not given with --set; "
        "commit to it with `incidentctl set {id} eta TIME`, which tracks it as a deadline",
        "{{{name}}} 是向读者承诺的时间，不能用 `--set` 给出；"
        "请用 `incidentctl set {id} eta TIME` 承诺，系统会把它作为时限跟踪",
    ),
    # drafts with blanks
    "comms.blank": ("[TO FILL: {topic}]", "［待填：{topic}］"),
    "comms.draft": (
        "Draft, not recorded; {n} blank(s) to fill: {parts}",
        "草稿，未记录；{n} 处待填：{parts}",
    ),
    "comms.draft_complete": (
        "Draft, not recorded; nothing is left to fill (send it without --draft)",
        "草稿，未记录；已无待填内容（去掉 `--draft` 即可发送）",
    ),
    "err.comms.draft_send": (
        "a draft is never sent: drop --draft to send the message",
        "草稿不能发送：去掉 `--draft` 才能发送",
    ),
    "err.comms.blanks_left": (
        "the message still has {n} blank(s) to fill: {blanks}; fill them before sending",
        "消息还有 {n} 处待填：{blanks}；请填写后再发送",
    ),
    # === end of promises, times and drafts ================================================
    # === walk, continued: confirmations that say exactly what changes, and actions as lines
    # a confirmation of a change of the incident's state
    "walk.confirm_exact": (
        "{change}: {exact}. Record it? [y/N]: ",
        "{change}：{exact}。确认记录？[y/N]：",
    ),
    "walk.exact.status": ("status {before} -> {after}", "状态 {before} -> {after}"),
    "walk.exact.status_summary": (
        "status {before} -> {after}, summary: {summary}",
        "状态 {before} -> {after}，总结：{summary}",
    ),
    "walk.exact.severity": (
        "{id} from {before} to {after}, reason: {reason}",
        "{id} 从 {before} 调整为 {after}，理由：{reason}",
    ),
    "walk.resolved_plain": ("{id} resolved.", "{id} 已解决。"),
    # actions as lines, without a terminal
    "walk.line": ("line {n}: {said}", "第 {n} 行：{said}"),
    "walk.lines.refused": (
        "{n} line(s) refused, nothing recorded from them: {lines}",
        "{n} 行被拒绝，均未记录：第 {lines} 行",
    ),
    "walk.line.resolve_hint": (
        "`resolve [SUMMARY]` resolves {id}.",
        "`resolve [SUMMARY]` 可将 {id} 标记为已解决。",
    ),
    "walk.line.not_utf8": (
        "the line is not UTF-8 text (check the encoding of what is piped in)",
        "该行不是 UTF-8 文本（请检查输入的编码）",
    ),
    "walk.line.unknown": (
        "unknown action '{word}'{near}; a line starts with one of {verbs}",
        "未知操作 '{word}'{near}；每行须以下列之一开头：{verbs}",
    ),
    "walk.line.did_you_mean": (" (did you mean `{verb}`?)", "（是否指 `{verb}`？）"),
    "walk.line.key": (
        "'{word}' is a key of the walk on a terminal; without one, write the action as a word: {verbs}",
        "'{word}' 是终端中逐键操作的按键；没有终端时请写出完整的操作词：{verbs}",
    ),
    "walk.line.no_step": (
        "no step '{step}'{near}; give a step's id or its number in the checklist (1-{n})",
        "没有步骤 '{step}'{near}；请写步骤编号，或清单中的序号（1-{n}）",
    ),
    "walk.line.no_step_on_screen": (
        "no step is on screen: name the step, `{verb} STEP`",
        "当前没有显示步骤：请指明步骤，`{verb} STEP`",
    ),
    "walk.line.nothing_to_leave": (
        "no step is on screen to go back from; `jump STEP` shows one",
        "当前没有显示步骤，无法后退；可用 `jump STEP` 显示某一步",
    ),
    "walk.line.quote": (
        "a quote is not closed (`{verb}` reads quoted values as a shell does)",
        "引号未闭合（`{verb}` 的值与命令行一样可加引号）",
    ),
    "walk.line.not_pair": (
        "`{verb}` takes ID=VALUE pairs here, and '{item}' is not one",
        "`{verb}` 此处只接受 `ID=VALUE`，'{item}' 不是这种形式",
    ),
    "walk.line.twice": ("`{verb}`: '{key}' is given twice", "`{verb}`：'{key}' 给出了两次"),
    "walk.line.extra": (
        "`{verb}` takes nothing more, but the line goes on: '{extra}'",
        "`{verb}` 后面不应再有内容：'{extra}'",
    ),
    "walk.line.empty_value": ("`{verb}`: '{key}' has no value", "`{verb}`：'{key}' 没有值"),
    "walk.line.no_evidence": (
        "step {step} records no evidence, so '{given}' has no place here",
        "步骤 {step} 没有需记录项，不能给出 '{given}'",
    ),
    "walk.line.evidence_missing": (
        "step {step} needs evidence to be marked done: {need}; give it on the same line as ID=VALUE",
        "步骤 {step} 需记录以下内容才能标记完成：{need}；请在同一行以 `ID=VALUE` 给出",
    ),
    "walk.line.needs_step": (
        "`{verb}` needs a step: its id, or its number in the checklist",
        "`{verb}` 需要指明步骤：步骤编号，或清单中的序号",
    ),
    "walk.line.needs_reason": (
        "`{verb}` needs a reason: the rest of the line says why",
        "`{verb}` 需要写明理由：该行其余部分即为理由",
    ),
    "walk.line.needs_text": ("`{verb}` needs the text of the note", "`{verb}` 需要备注内容"),
    "walk.line.needs_role": (
        "`{verb}` needs a role and a name: `assign ROLE NAME`",
        "`{verb}` 需要角色和姓名：`assign ROLE NAME`",
    ),
    "walk.line.needs_name": (
        "`{verb}` needs the name of who holds the role",
        "`{verb}` 需要写明担任该角色的人",
    ),
    "walk.line.needs_tier": (
        "`{verb}` needs a tier and a reason: `severity TIER REASON`",
        "`{verb}` 需要级别和理由：`severity TIER REASON`",
    ),
    "walk.line.needs_template": (
        "`{verb}` needs a template id first: `comms TEMPLATE [NAME=VALUE]...`",
        "`{verb}` 需要先写话术模板编号：`comms TEMPLATE [NAME=VALUE]...`",
    ),
    "walk.unfilled": (
        "template {template} cannot be filled in yet: {names}; give each as NAME=VALUE",
        "话术模板 {template} 暂时无法填写完整：{names}；请以 `NAME=VALUE` 逐项给出",
    ),
    "walk.no_channel": (
        "template {template} names no channel; give channel=NAME",
        "话术模板 {template} 没有指定渠道；请以 `channel=NAME` 给出",
    ),
    # === end of walk, continued =============================================================
    # === the review (复盘), action items, post-mortems =====================================
    "err.review.field": (
        "the review has no section '{field}'{near}; sections: {fields}",
        "复盘没有 '{field}' 这一部分{near}；可用部分：{fields}",
    ),
    "err.review.not_set": (
        "{id}: the review's {field} is not set, so there is nothing to clear",
        "{id}：复盘的 {field} 尚未填写，无需清除",
    ),
    "err.review.same": (
        "{id}: the review's {field} already says exactly that",
        "{id}：复盘的 {field} 已是这一内容",
    ),
    "err.review.discovered_late": (
        "discovered at {at} is after the incident was opened ({opened})",
        "发现时间 {at} 晚于事件开启时间（{opened}）",
    ),
    "err.review.no_text": (
        "give the text, --file FILE or --edit (an empty text clears the section)",
        "请给出内容，或用 `--file FILE`、`--edit`（空内容即清除该部分）",
    ),
    "err.review.one_source": (
        "give the text in one way only: TEXT, --file or --edit",
        "内容只能以一种方式给出：TEXT、`--file` 或 `--edit`",
    ),
    "err.review.unreadable": ("cannot read {path}: {problem}", "无法读取 {path}：{problem}"),
    "err.review.edit_aborted": (
        "the editor was closed without saving; nothing recorded",
        "编辑器未保存即关闭；未记录任何内容",
    ),
    "err.impact.item": (
        "impact: '{item}' is not NAME=VALUE with NAME one of {facts}",
        "影响：'{item}' 不是 NAME=VALUE 形式，NAME 须为 {facts} 之一",
    ),
    "err.impact.twice": ("impact: {fact} is given twice", "影响：{fact} 给出了两次"),
    "err.impact.count": (
        "impact: {fact}={value} is not a whole number",
        "影响：{fact}={value} 不是非负整数",
    ),
    "err.impact.amount": (
        "impact: amount={value} is not an amount in CNY (e.g. 56000.50)",
        "影响：amount={value} 不是人民币金额（例如 56000.50）",
    ),
    "err.impact.duration": (
        "impact: duration={value} must be a span of time (e.g. 2h30m), not business days",
        "影响：duration={value} 须为时长（例如 2h30m），不能用工作日",
    ),
    "err.impact.empty": (
        "impact needs at least one of {facts} as NAME=VALUE",
        "影响至少需要以 NAME=VALUE 给出 {facts} 之一",
    ),
    "err.action.empty": ("an action item needs its text", "行动项需要写明内容"),
    "err.action.owner": (
        "an action item needs an owner (--owner)",
        "行动项需要负责人（`--owner`）",
    ),
    "err.action.kind": (
        "'{kind}' is not a kind of action item; kinds: {kinds}",
        "'{kind}' 不是行动项类型；可用类型：{kinds}",
    ),
    "err.action.due": (
        "'{text}' is not a due date: write YYYY-MM-DD",
        "'{text}' 不是截止日期：请写作 YYYY-MM-DD",
    ),
    "err.action.drop_reason": (
        "dropping an action item needs --reason",
        "放弃行动项需要 `--reason`",
    ),
    "err.action.none": (
        "{id} has no action item {n}; it has: {known}",
        "{id} 没有第 {n} 项行动项；现有：{known}",
    ),
    "err.action.ended": (
        "{id}: action item {n} is already {state}",
        "{id}：第 {n} 项行动项已{state}",
    ),
    "action.open": ("open", "进行中"),
    "action.done": ("done", "完成"),
    "action.dropped": ("dropped", "放弃"),
    "action.overdue": ("overdue", "逾期"),
    "action.kind.prevent": ("prevent", "预防"),
    "action.kind.detect": ("detect", "发现"),
    "action.kind.mitigate": ("mitigate", "止损"),
    "action.kind.process": ("process", "流程"),
    "action.kind.training": ("training", "培训"),
    "ev.review.set": ("review: {field} set", "复盘：填写 {field}"),
    "ev.review.cleared": ("review: {field} cleared", "复盘：清除 {field}"),
    "ev.action.added": (
        "action item {n} ({kind}): {text}; owner {owner}, due {due}",
        "行动项 {n}（{kind}）：{text}；负责人 {owner}，截止 {due}",
    ),
    "ev.action.done": ("action item {n} done", "行动项 {n} 完成"),
    "ev.action.dropped": ("action item {n} dropped", "行动项 {n} 放弃"),
    "review.summary": ("Summary", "概述"),
    "review.impact": ("Impact", "影响"),
    "review.discovered": ("Discovered", "发现时间"),
    "review.trigger": ("Trigger", "触发因素"),
    "review.root-causes": ("Root causes", "根本原因"),
    "review.contributing-factors": ("Contributing factors", "促成因素"),
    "review.went-well": ("What went well", "做得好的"),
    "review.went-badly": ("What went badly", "做得不好的"),
    "review.lucky": ("Where we got lucky", "侥幸之处"),
    "review.lessons": ("Lessons", "经验教训"),
    "impact.customers": ("customers affected: {n}", "受影响客户：{n}"),
    "impact.orders": ("orders affected: {n}", "受影响订单：{n}"),
    "impact.amount": ("amount: CNY {amount}", "涉及金额：人民币 {amount} 元"),
    "impact.duration": ("duration: {d}", "持续时长：{d}"),
    "actions.none": ("no action items", "没有行动项"),
    "actions.heading": (
        "#|incident|action|kind|owner|due|state",
        "#|事件|行动项|类型|负责人|截止|状态",
    ),
    "err.output.write": ("cannot write {path}: {problem}", "无法写入 {path}：{problem}"),
    "pm.title": ("Post-mortem {id}", "复盘报告 {id}"),
    "pm.drill": (
        "DRILL: this incident was an exercise, not a real event",
        "演练：本事件为应急演练，并非真实事件",
    ),
    "pm.times_in": ("Times in {zone}", "时间均为 {zone}"),
    "pm.as_of": ("as the log stands at {at}", "依据截至 {at} 的记录"),
    "pm.status": ("Status", "状态"),
    "pm.severity": ("Severity", "级别"),
    "pm.runbook": ("Runbook", "预案"),
    "pm.scope": ("Scope", "影响范围"),
    "pm.field": ("Field", "项目"),
    "pm.value": ("Value", "内容"),
    "pm.tier_history": ("Tier history", "级别变更"),
    "pm.at": ("Time", "时间"),
    "pm.change": ("Change", "变更"),
    "pm.reason": ("Reason", "理由"),
    "pm.by": ("By", "记录人"),
    "pm.legal_misses": (
        "Missed legal and regulatory deadlines",
        "未按时完成的法定及监管时限",
    ),
    "pm.no_legal_misses": (
        "No legal or regulatory deadline was missed.",
        "没有错过任何法定或监管时限。",
    ),
    "pm.key_times": ("Key times", "关键时间"),
    "pm.moment": ("Moment", "节点"),
    "pm.measure": ("Measure", "指标"),
    "pm.span": ("Time taken", "用时"),
    "pm.kt.discovered": ("Discovered", "发现"),
    "pm.kt.opened": ("Opened", "开启"),
    "pm.kt.acknowledged": ("Acknowledged (first response)", "响应（首次处置）"),
    "pm.kt.mitigated": ("Mitigated", "止损"),
    "pm.kt.resolved": ("Resolved", "解决"),
    "pm.kt.closed": ("Closed", "关闭"),
    "pm.du.to_acknowledge": ("Time to acknowledge", "响应用时"),
    "pm.du.to_mitigate": ("Time to mitigate", "止损用时"),
    "pm.du.to_resolve": ("Time to resolve", "解决用时"),
    "pm.in_tier": ("Time at {tier}", "处于 {tier} 的时长"),
    "pm.compliance": ("Deadline compliance", "时限执行情况"),
    "pm.phase": ("Phase", "阶段"),
    "pm.overall": ("Overall", "合计"),
    "pm.promises": ("Promises (ETAs)", "对外承诺（预计时间）"),
    "pm.promise": ("Promise", "承诺"),
    "pm.promise_of": ("promise {key}", "承诺 {key}"),
    "pm.step": ("Step", "步骤"),
    "pm.owner": ("Owner", "负责人"),
    "pm.tier": ("Tier", "级别"),
    "pm.source": ("Source", "依据"),
    "pm.due": ("Due", "时限"),
    "pm.done_at": ("Done at", "完成时间"),
    "pm.verdict": ("Verdict", "结论"),
    "pm.verdict.met": ("met", "按时"),
    "pm.verdict.late": ("late", "超时"),
    "pm.verdict.never-done": ("never done", "未完成"),
    "pm.verdict.skipped": ("skipped", "跳过"),
    "pm.verdict.n/a": ("n/a", "不适用"),
    "pm.verdict.open": ("open", "未到期"),
    "pm.late_by": ("late by {d}", "超时 {d}"),
    "pm.met_early": ("met, {d} to spare", "按时，提前 {d}"),
    "pm.communications": ("Communications", "沟通记录"),
    "pm.messages": ("Messages", "消息"),
    "pm.template": ("Template", "话术模板"),
    "pm.audience": ("Audience", "对象"),
    "pm.channel": ("Channel", "渠道"),
    "pm.text": ("Text", "内容"),
    "pm.no_messages": ("No message was sent.", "未发送任何消息。"),
    "pm.made_at": ("Made at", "承诺时间"),
    "pm.kept_at": ("Kept at", "兑现时间"),
    "pm.no_promises": ("No time was promised.", "未作出时间承诺。"),
    "pm.kept.met": ("kept", "已兑现"),
    "pm.kept.late": ("broken (late)", "未兑现（超时）"),
    "pm.kept.never-done": ("broken", "未兑现"),
    "pm.kept.open": ("still standing", "尚未到期"),
    "pm.kept.skipped": ("withdrawn", "已撤销"),
    "pm.kept.n/a": ("n/a", "不适用"),
    "pm.paging": (
        "Pages, escalations and acknowledgments",
        "提醒、升级与确认收到",
    ),
    "pm.page": ("Page", "提醒"),
    "pm.deadline": ("Deadline", "时限"),
    "pm.paged": ("Mentioned", "提及"),
    "pm.channels": ("Channels", "渠道"),
    "pm.acked": ("Acknowledged", "确认收到"),
    "pm.page_level": ("escalation level {level} ({target})", "升级第{level}级（{target}）"),
    "pm.page_failed": ("{channel} failed: {reason}", "{channel} 发送失败：{reason}"),
    "pm.acked_by": ("{actor} at {at}", "{actor} 于 {at}"),
    "pm.acked_after": ("({d} later)", "（{d} 后）"),
    "pm.not_acked": ("not acknowledged", "无人确认"),
    "pm.no_pages": ("Nobody was paged.", "未发送任何提醒。"),
    "pm.acks": ("Acknowledgments", "确认收到"),
    "pm.no_acks": ("Nobody acknowledged a page.", "无人确认收到提醒。"),
    "pm.ack_all": ("the whole incident", "整个事件"),
    "pm.review": ("Review", "复盘"),
    "pm.todo": ("Still to write", "待填写"),
    "pm.actions": ("Action items", "行动项"),
    "pm.action": ("Action", "行动项"),
    "pm.kind": ("Kind", "类型"),
    "pm.state": ("State", "状态"),
    "pm.timeline": ("Timeline", "时间线"),
    "pm.what": ("What", "内容"),
    "pm.retracted": ("(retracted by #{seq}: {reason})", "（已由 #{seq} 撤回：{reason}）"),
    "pm.backdated": ("(back-dated; recorded {at})", "（补记；记录于 {at}）"),
    "pm.chart": ("Steps against their deadlines", "各步骤与时限"),
    "pm.audit": ("Audit", "审计"),
    "pm.event_count": ("{n} events", "共 {n} 个事件"),
    "pm.head": ("chain head: event {seq}, sha256 {hash}", "链头：事件 {seq}，sha256 {hash}"),
    "pm.verified": (
        "the hash chain and the pinned runbook verify",
        "哈希链与固定的预案均校验通过",
    ),
    "pm.not_verified": (
        "THE LOG DOES NOT VERIFY: what follows may have been altered",
        "记录校验未通过：以下内容可能已被篡改",
    ),
    "pm.anchor": ("anchored at {at}: digest {digest}", "已于 {at} 锚定：摘要 {digest}"),
    "pm.no_anchor": (
        "no anchor covers this incident (truncation or a rewritten chain would not show)",
        "没有锚点覆盖本事件（截断或整链重算无法被发现）",
    ),
    "pm.redacted": (
        "personal data masked: {n} ({kinds})",
        "已遮蔽个人信息：{n} 处（{kinds}）",
    ),
    "err.anchor.line": (
        "{file}:{line}: not an incidentctl anchor",
        "{file}:{line}：不是 incidentctl 锚点",
    ),
    "err.anchor.empty": ("{file} holds no anchor", "{file} 中没有锚点"),
    "err.anchor.last_line": (
        "{file}: its last line is not an incidentctl anchor; no anchor appended after it",
        "{file}：最后一行不是 incidentctl 锚点，未在其后追加锚点",
    ),
    "check.anchor_failed": (
        "scheduled anchor not taken: {problem}",
        "定时锚点未完成：{problem}",
    ),
    "err.anchor.post": (
        "the anchor was written, but {where} did not take it: {problem}",
        "锚点已写入文件，但 {where} 未接收：{problem}",
    ),
    "anchor.written": (
        "anchored {n} incident(s) at {at}: digest {digest} (appended to {file})",
        "已于 {at} 锚定 {n} 个事件：摘要 {digest}（已追加到 {file}）",
    ),
    "err.bundle.invalid": (
        "{file} is not an incident bundle: {problem}",
        "{file} 不是事件包：{problem}",
    ),
    "err.bundle.which": (
        "the bundle holds several incidents ({ids}); name one with --incident",
        "事件包中有多个事件（{ids}）；请用 `--incident` 指定",
    ),
    "err.bundle.no_incident": (
        "the bundle holds no incident '{ref}'; it holds {ids}",
        "事件包中没有事件 '{ref}'；其中有 {ids}",
    ),
    "err.bundle.broken": (
        "the bundle does not verify ({id}: {problem}); nothing was imported",
        "事件包校验未通过（{id}：{problem}）；未导入任何内容",
    ),
    "err.bundle.verify_how": (
        "`incidentctl audit verify BUNDLE` lists every problem",
        "`incidentctl audit verify BUNDLE` 会列出全部问题",
    ),
    "err.bundle.present": (
        "already in this store: {ids}; nothing was imported",
        "本存储中已有：{ids}；未导入任何内容",
    ),
    "warn.anchor_broken": (
        "WARNING: the log of {id} no longer matches an anchor taken of it: run "
        "`incidentctl audit verify --anchors FILE`",
        "警告：{id} 的日志与其锚点不再一致：请运行 `incidentctl audit verify --anchors FILE`",
    ),
    "warn.log_unverified": (
        "WARNING: the log of {id} does not verify: run `incidentctl audit verify` on it",
        "警告：{id} 的日志校验不通过：请对其运行 `incidentctl audit verify`",
    ),
    "bundle.imported": ("imported {n} incident(s): {ids}", "已导入 {n} 个事件：{ids}"),
    "audit.bundle-foreign": (
        "the event belongs to another incident",
        "该事件属于另一个事件",
    ),
    "audit.bundle-head": (
        "the chain does not end where the bundle says (events missing or added)",
        "哈希链末端与事件包所述不符（有事件缺失或被添加）",
    ),
    # === end of the review, action items, post-mortems ======================================
    # === grounding: sources and their bases, discovery, conditional duties =================
    "states.immediately": ("immediately", "立即"),
    "states.without-undue-delay": ("without undue delay", "不得无故拖延"),
    "basis": ("basis", "所落实的义务"),
    "rule_source": ("rule — source", "规则 — 依据"),
    "rule.basis": ("{source} ({basis})", "{source}（{basis}）"),
    "rule.stated": ("{cite}: {says}", "{cite}：{says}"),
    "anchor.discovered": ("discovered", "发现事件"),
    "anchor.discovered_fallback": (
        "opened (discovery time not recorded)",
        "事件开启（未记录发现时间）",
    ),
    "warnings": ("{n} warning(s)", "{n} 条警告"),
    "field.discovered": ("discovered", "发现时间"),
    "discovered_before": ("{d} before opening", "开单前 {d}"),
    "discovered_label": ("Discovered", "发现时间"),
    "err.discovered.future": (
        "the discovery time {at} is after the incident was opened ({opened}); discovery "
        "cannot come after opening",
        "发现时间 {at} 晚于事件开启时间（{opened}）；发现不可能晚于开单",
    ),
    "err.evidence.type": (
        "evidence {item} of step {step}: '{value}' is not {expected} (e.g. {example})",
        "步骤 {step} 的记录项 {item}：'{value}' 不是{expected}（例如 {example}）",
    ),
    "evidence.type.text": ("text", "文本"),
    "evidence.type.number": ("a number", "数字"),
    "evidence.type.amount-cny": ("an amount in yuan", "人民币金额"),
    "evidence.type.time": (
        "a time (now, -15m, HH:MM, YYYY-MM-DD HH:MM or ISO 8601; not in the future)",
        "时间（now、-15m、HH:MM、YYYY-MM-DD HH:MM 或 ISO 8601；不能是将来）",
    ),
    "evidence.type.url": ("a link (http:// or https://)", "链接（http:// 或 https://）"),
    "evidence.type.score": ("a score from {low} to {high}", "{low} 到 {high} 的评分"),
    "evidence.type.choice": ("one of {options}", "以下之一：{options}"),
    "anchor.customer-report": ("each customer's report", "每位客户的反馈"),
    "ev.item.added": ("{kind} {ref} received", "收到{kind} {ref}"),
    "ev.item.done": ("{step} done for {ref}", "已为 {ref} 完成 {step}"),
    "item.customer-report": ("customer report", "客户反馈"),
    "item.reported_at": ("reported {at}", "反馈时间 {at}"),
    "err.item.ref": (
        "'{ref}' is not an item reference (expected letters, digits, '-', '_', '.' or ':', "
        "up to 64, e.g. an order or ticket number)",
        "'{ref}' 不是有效的条目编号（应为字母、数字、'-'、'_'、'.' 或 ':'，最多 64 个，如订单号或工单号）",
    ),
    "err.item.kind": (
        "runbook {runbook} keeps no clock per '{kind}'; it keeps one per: {kinds}",
        "预案 {runbook} 没有按「{kind}」计时的步骤；可用：{kinds}",
    ),
    "err.item.twice": ("{ref} is already recorded on {id}", "{ref} 已记录在 {id} 上"),
    "err.item.unknown": (
        "no item {ref} on {id}; recorded: {refs}",
        "{id} 上没有条目 {ref}；已记录：{refs}",
    ),
    "err.item.step": (
        "say which step was done for {ref} with --step: one of {steps}",
        "请用 --step 指明为 {ref} 完成的步骤：{steps}",
    ),
    "err.item.done_twice": (
        "{step} was already done for {ref} at {at}",
        "{ref} 的 {step} 已于 {at} 完成",
    ),
    "err.item.before_report": (
        "{ref} was reported at {at}; it cannot be handled before that",
        "{ref} 于 {at} 才收到，不能早于此时处理",
    ),
    "rb.applies_if": (
        "Applies if {condition} (from config.yaml org:; n/a at opening when false)",
        "适用条件：{condition}（由配置文件中的组织事实决定；为否时开单即记为不适用）",
    ),
    "rb.per": (
        "One clock per {kind} (incidentctl item add)",
        "每条{kind}单独计时（incidentctl item add）",
    ),
    "walk.evidence_typed": (
        "{label} ({expected}, e.g. {example})",
        "{label}（{expected}，例如 {example}）",
    ),
    # === end of grounding ===================================================================
    # === drills ===========================================================================
    "err.drill.no_scenario": (
        "no scenario '{ref}' (scenarios are the *.yaml files in {folder}, or give a path)",
        "没有演练场景“{ref}”（场景为 {folder} 中的 *.yaml 文件，或给出文件路径）",
    ),
    "err.drill.did_you_mean": ("did you mean {near}?", "是否想输入 {near}？"),
    "err.drill.runbook": (
        "the scenario exercises runbook {wants}, not {runbook}",
        "该场景演练的是预案 {wants}，而非 {runbook}",
    ),
    "err.drill.not_drill": ("{id} is not a drill", "{id} 不是演练"),
    "err.drill.ended": ("drill {id} has ended", "演练 {id} 已结束"),
    "err.drill.paused": ("drill {id} is already paused", "演练 {id} 已处于暂停状态"),
    "err.drill.running": ("drill {id} is not paused", "演练 {id} 未暂停"),
    "drill.header": (
        "{id}  DRILL: {title} (drill time {now}, {speed}× real time)",
        "{id}  演练：{title}（演练时间 {now}，{speed} 倍速）",
    ),
    "drill.scenario": ("Scenario {id}, runbook {runbook}", "场景 {id}，预案 {runbook}"),
    "drill.briefing": ("Briefing: {text}", "情况介绍：{text}"),
    "drill.follow": (
        "Injects are shown here as they arrive; Ctrl-C leaves the drill running "
        "(incidentctl drill end {id} ends it).",
        "情况注入到达时显示在此；按 Ctrl-C 离开后演练继续（incidentctl drill end {id} 结束演练）。",
    ),
    "drill.detached": (
        "Injects are delivered by walk, watch and drill tick {id}; drill end {id} ends it.",
        "情况注入由 walk、watch 和 drill tick {id} 送达；drill end {id} 结束演练。",
    ),
    "drill.inject_line": (
        "DRILL {at} inject {id}{source}: {text}",
        "演练 {at} 情况注入 {id}{source}：{text}",
    ),
    "drill.source.monitoring": ("[monitoring]", "[监控]"),
    "drill.source.customers": ("[customers]", "[客户]"),
    "drill.source.press": ("[press]", "[媒体]"),
    "drill.source.regulator": ("[regulator]", "[监管部门]"),
    "drill.source.internal": ("[internal]", "[内部]"),
    "drill.source.partner": ("[partner]", "[合作方]"),
    "drill.did.pause": (
        "DRILL {id} paused at drill time {at}",
        "演练 {id} 已暂停，演练时间停在 {at}",
    ),
    "drill.did.resume": (
        "DRILL {id} resumed at drill time {at}",
        "演练 {id} 已继续，演练时间自 {at} 起",
    ),
    "drill.did.end": ("DRILL {id} ended at drill time {at}", "演练 {id} 已于演练时间 {at} 结束"),
    "drill.score_head": (
        "DRILL {id} ({scenario}): score {score} / 100",
        "演练 {id}（{scenario}）：得分 {score} / 100",
    ),
    "drill.score_cols": (
        "expectation|step or message|verdict|credit|weight|limit|took",
        "考核项|步骤或消息|结果|得分率|权重|时限|用时",
    ),
    "drill.verdict.met": ("met", "达成"),
    "drill.verdict.late": ("late", "超时"),
    "drill.verdict.missed": ("missed", "未完成"),
    "drill.verdict.void": ("void (its inject never came)", "不计（对应情况注入未发生）"),
    "drill.tier_line": (
        "Deadlines at {tier}: {met} met, {missed} missed",
        "{tier} 时限：{met} 项按时，{missed} 项超时",
    ),
    "drill.times": (
        "Acknowledged after {ack}; every role held after {assemble}; first customer notice "
        "after {notice}; mitigated after {mitigation}",
        "响应用时 {ack}；各角色全部到位用时 {assemble}；首次客户通知用时 {notice}；止损用时 {mitigation}",
    ),
    "drill.weakest": (
        "Weakest phase: {phase}; weakest role: {role}",
        "最薄弱阶段：{phase}；最薄弱角色：{role}",
    ),
    "drill.previous": ("Earlier drills of this scenario: {trend}", "此前同一场景的演练：{trend}"),
    "drill.valid": ("{n} scenario file(s) valid", "{n} 个场景文件有效"),
    "err.simulate.runs": ("--runs must be at least 1", "--runs 至少为 1"),
    "err.simulate.team": ("a team has 1 to 999 people, not {n}", "团队人数应为 1 到 999，而非 {n}"),
    "sim.anyone": ("anyone", "任意角色"),
    "sim.advice_team": (
        "One more person ({n} in all) raises the mean chance to {p}",
        "再增加一人（共 {n} 人）可将平均按时概率提高到 {p}",
    ),
    "err.simulate.staff": (
        "--staff {role}={value}: the number of people is a whole number from 1 to 99",
        "--staff {role}={value}：人数应为 1 到 99 的整数",
    ),
    "sim.head": (
        "Simulation of {runbook} at {tier}: {runs} runs, seed {seed}",
        "预案 {runbook} 在 {tier} 下的模拟：{runs} 次，随机种子 {seed}",
    ),
    "sim.staff": ("People per role: {staff}", "各角色人数：{staff}"),
    "sim.cols": (
        "step|role|deadline|P(met)|median slack|",
        "步骤|角色|时限|按时概率|余量中位数|",
    ),
    "sim.unlikely": ("unlikely to be met", "难以按时完成"),
    "sim.compliance": ("Mean chance a deadline is met: {p}", "各时限平均按时概率：{p}"),
    "sim.critical": (
        "Critical path ({share} of runs; median total {span}): {path}",
        "关键路径（{share} 的模拟中出现；总用时中位数 {span}）：{path}",
    ),
    "sim.advice": (
        "One more person helps most as {role} ({n} people): mean chance {p}",
        "增加一人效果最佳的角色：{role}（共 {n} 人），平均按时概率 {p}",
    ),
    "sim.no_effort": (
        "steps without an effort range, taken as instant: {steps}",
        "以下步骤未写预计用时，按瞬时完成计：{steps}",
    ),
    "drill.no_history": ("No drills yet.", "尚无演练记录。"),
    "drill.ended_yes": ("ended", "已结束"),
    "drill.ended_no": ("not ended", "未结束"),
    "drill.history_cols": (
        "drill|started|runbook|scenario|players|score|state",
        "演练|开始时间|预案|场景|参演人员|得分|状态",
    ),
    "drill.history_line": (
        "{runbook}: last drilled {last}; scores {trend}",
        "{runbook}：最近一次演练 {last}；得分 {trend}",
    ),
    "drill.never": ("never", "从未演练"),
    "drill.due_cols": (
        "runbook|last drilled|every|was due",
        "预案|最近演练|周期|应演练时间",
    ),
    "drill.org_name": ("the shop (drill)", "本平台（演练）"),
    "drill.scripted": ("scripted {role}", "模拟{role}"),
    "pm.drill_score": ("Drill score: {score} / 100", "演练得分：{score} / 100"),
    "pm.drill_expectation": ("Expectation", "考核项"),
    "pm.drill_verdict": ("Verdict", "结果"),
    "pm.drill_credit": ("Credit", "得分率"),
    "pm.drill_weight": ("Weight", "权重"),
    "drill.message_mark": (
        "[DRILL: an exercise, not a real event]",
        "【演练：此为应急演练，并非真实事件】",
    ),
    "ev.drill.inject": ("DRILL inject {inject}: {text}", "演练情况注入 {inject}：{text}"),
    "ev.drill.pause": ("DRILL clock paused", "演练计时暂停"),
    "ev.drill.resume": ("DRILL clock resumed", "演练计时继续"),
    "ev.drill.end": ("DRILL ended", "演练结束"),
    # === end of drills ====================================================================
    # --- report: measures across incidents ---------------------------------------------
    "report.title": ("Incident report", "事件报告"),
    "report.window": (
        "Incidents opened from {since} to {until} (times in {zone}): {n} aggregated",
        "开启时间 {since} 至 {until}（时间为 {zone}）：计入 {n} 起",
    ),
    "report.beginning": ("the first one", "最早一起"),
    "report.filters": (
        "Runbook {runbook}, tier {severity}, drills included: {drills}",
        "预案 {runbook}，级别 {severity}，含演练：{drills}",
    ),
    "report.yes": ("yes", "是"),
    "report.no": ("no", "否"),
    "report.verify_failed": ("NO: does not verify", "否：校验未通过"),
    "report.legal_misses": (
        "Legal and regulatory deadlines missed: {n}",
        "错过的法定及监管时限：{n} 项",
    ),
    "report.no_legal_misses": (
        "No legal or regulatory deadline was missed.",
        "没有错过任何法定或监管时限。",
    ),
    "report.integrity": ("Log integrity (audit verify)", "记录完整性（audit verify）"),
    "report.verified": (
        "incidents whose log verifies: {n}{cached}; that do not, left out of every measure "
        "below: {broken}",
        "记录校验通过的事件：{n} 起{cached}；未通过、不计入以下任何指标的：{broken} 起",
    ),
    "report.cached": (
        " (those read before known by the head of their chain; --verify reads every log again)",
        "（此前读过的以哈希链末端为准；--verify 会重新读取全部记录）",
    ),
    "report.warn_broken": (
        "warning: {n} incidents in the report do not verify; they are listed and left out of "
        "every measure (run incidentctl audit verify --all)",
        "警告：报告中有 {n} 起事件的记录校验未通过，已列出且不计入任何指标（请运行 incidentctl "
        "audit verify --all）",
    ),
    "report.problem": ("What is wrong", "问题"),
    "report.by_runbook": ("By runbook and tier", "按预案与级别"),
    "report.median_p90": (
        "Times from opening: median / p90; met: deadlines met of those met or missed",
        "时间从开启起算：中位数 / 90 分位；按时率：按时数占（按时 + 错过）之比",
    ),
    "report.all": ("All", "合计"),
    "report.incident": ("Incident", "事件"),
    "report.runbook": ("Runbook", "预案"),
    "report.tier": ("Tier", "级别"),
    "report.step": ("Step", "步骤"),
    "report.verdict": ("Verdict", "结论"),
    "report.due": ("Due", "时限"),
    "report.source": ("Source", "依据"),
    "report.count": ("Count", "数量"),
    "report.to_acknowledge": ("To acknowledge", "响应用时"),
    "report.to_mitigate": ("To mitigate", "止损用时"),
    "report.to_resolve": ("To resolve", "解决用时"),
    "report.met_rate": ("Met", "按时率"),
    "report.promises_kept": ("Promises kept", "承诺兑现"),
    "report.messages": ("Messages by audience", "各对象消息数"),
    "report.most_missed": ("Most-missed steps", "最常错过的步骤"),
    "report.none_missed": ("No deadline was missed.", "没有错过任何时限。"),
    "report.missed": ("Missed", "错过"),
    "report.judged": ("Deadlines", "时限数"),
    "report.rate": ("Rate", "比例"),
    "report.compliance": (
        "Deadline compliance per step (§: a legal or regulatory deadline)",
        "各步骤时限执行情况（§：法定或监管时限）",
    ),
    "report.b.met": ("met", "按时"),
    "report.b.missed": ("missed", "错过"),
    "report.b.skipped": ("skipped", "跳过"),
    "report.b.n/a": ("n/a", "不适用"),
    "report.b.open": ("open", "未到期"),
    "report.kpis": ("Measures from recorded evidence", "依据记录证据的指标"),
    "report.measure": ("Measure", "指标"),
    "report.value": ("Value", "数值"),
    "report.first_reply": (
        "First reply to customers (manual: within 10 minutes)",
        "首次回复客户（手册要求：10 分钟内）",
    ),
    "report.first_reply_value": (
        "median {median}, p90 {p90}; {within} of {n} within 10 minutes",
        "中位数 {median}，90 分位 {p90}；{n} 起中 {within} 起在 10 分钟内",
    ),
    "report.orders": ("Affected orders", "受影响订单"),
    "report.amount": ("Amount involved", "涉及金额"),
    "report.of_incidents": ("{value} (from {n} incidents)", "{value}（来自 {n} 起事件）"),
    "report.weeks": (
        "By week: incidents opened, median time to resolve, satisfaction (1-5)",
        "按周：开启数、解决用时中位数、满意度（1–5）",
    ),
    "report.week": ("Week", "周"),
    "report.opened": ("Opened", "开启数"),
    "report.satisfaction": ("Satisfaction (scores)", "满意度（评分数）"),
    "report.drop": ("DROP", "下降"),
    "report.actions": ("Open action items by owner", "各负责人未完成的改进项"),
    "report.no_actions": ("No open action items.", "没有未完成的改进项。"),
    "report.owner": ("Owner", "负责人"),
    "report.open": ("Open", "未完成"),
    "report.past_due": ("Past due", "已逾期"),
    "report.items": ("Items (! past due)", "事项（! 为已逾期）"),
    "report.chart.weekly": ("Incidents opened per week", "每周开启的事件数"),
    "report.chart.mttr": ("Median time to resolve per week", "每周解决用时中位数"),
    "report.chart.hours": ("hours", "小时"),
    "report.chart.compliance": ("Compliance by step", "各步骤时限执行情况"),
    "report.chart.empty": ("Nothing to chart.", "暂无数据。"),
    "report.csv.id": ("Incident", "事件编号"),
    "report.csv.title": ("Title", "标题"),
    "report.csv.runbook": ("Runbook", "预案"),
    "report.csv.tier": ("Tier", "级别"),
    "report.csv.status": ("Status", "状态"),
    "report.csv.opened_at": ("Opened", "开启"),
    "report.csv.mitigated_at": ("Mitigated", "止损"),
    "report.csv.resolved_at": ("Resolved", "解决"),
    "report.csv.closed_at": ("Closed", "关闭"),
    "report.csv.in_zone": ("{what} ({zone})", "{what}（{zone}）"),
    "report.csv.acknowledge": ("Minutes to acknowledge", "响应用时（分钟）"),
    "report.csv.mitigate": ("Minutes to mitigate", "止损用时（分钟）"),
    "report.csv.resolve": ("Minutes to resolve", "解决用时（分钟）"),
    "report.csv.first_reply": ("Minutes to first customer reply", "首次回复客户（分钟）"),
    "report.csv.legal_misses": ("Legal deadlines missed", "错过的法定时限"),
    "report.csv.orders": ("Affected orders", "受影响订单"),
    "report.csv.amount": ("Amount (CNY)", "金额（元）"),
    "report.csv.verified": ("Log verifies", "记录校验"),
    "err.window.date": (
        "{option} '{text}' is not a date (expected YYYY-MM-DD, or a time as --at takes it)",
        "{option} '{text}' 不是日期（应为 YYYY-MM-DD，或 --at 接受的时间）",
    ),
    "err.window.order": (
        "--since {since} is not before --until {until}",
        "--since {since} 不早于 --until {until}",
    ),
    "err.report.runbook": (
        "no incident and no runbook has the id '{ref}'; known: {ids}",
        "没有任何事件或预案的编号是 '{ref}'；已知：{ids}",
    ),
    "err.store.full": (
        "the store {path} could not grow: the disk is full, or files may not be that large "
        "here; nothing was recorded, and nothing already recorded is lost",
        "事件库 {path} 无法增长：磁盘已满或文件大小超出限制；本次未记录任何内容，已有记录未受影响",
    ),
    "err.store.full_how": (
        "free some space (or raise the file-size limit) and run the command again",
        "请释放磁盘空间（或提高文件大小限制）后重试",
    ),
    # --- end of report ---------------------------------------------------------------------
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


def unsupported_env_lang() -> str | None:
    """``$INCIDENTCTL_LANG`` when it names a language incidentctl does not speak (English
    is used instead); ``None`` when it is unset or one of :data:`LANGS`.  The system
    locale (``LANG``, ``LC_*``) is never judged: it speaks for every program."""
    value = os.environ.get("INCIDENTCTL_LANG")
    if value and not value.lower().startswith(LANGS):
        return value
    return None


def t(key: str, lang: str, /, **facts: Any) -> str:
    """The catalogue's text for ``key`` in ``lang``, with ``facts`` filled in."""
    en, zh = _MESSAGES[key]
    text = zh if lang == "zh" else en
    if not facts and "{" not in text:
        return text
    for name, value in facts.items():  # facts is this call's own dict
        if isinstance(value, Msg) or type(value) in (list, tuple):
            facts[name] = _fact(value, lang)
    return text.format_map(facts)
