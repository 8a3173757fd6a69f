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
    "anchor.step": ("step {step}", "步骤 {step}"),
    "check": ("(check)", "（待核实）"),
    "audience": ("Audience", "对象"),
    "channels": ("Channels", "渠道"),
    "inputs": ("Inputs", "需填写"),
    "summary": ("Summary", "概述"),
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
