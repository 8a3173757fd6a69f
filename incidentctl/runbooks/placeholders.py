"""The placeholders a message template may use, and the parser for template text.

This registry is the single source of truth: runbook lint checks templates
against it, ``incidentctl comms`` fills it from the live incident, and the
runbook-format documentation lists it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: name -> (English description, Chinese description)
LIVE_FACTS: dict[str, tuple[str, str]] = {
    "incident.id": ("incident id, e.g. INC-20261122-003", "事件编号"),
    "incident.title": ("incident title", "事件标题"),
    "incident.severity": ("tier name in the message's language, e.g. 一级(重大)", "事件级别名称"),
    "incident.severity_id": ("tier id, e.g. sev1", "事件级别编号"),
    "incident.status": ("open, mitigated, resolved or closed", "事件状态"),
    "incident.opened_at": (
        "when the incident began, as a time is written in messages (see below), without zone",
        "事件开始时间(写法见下文,不带时区)",
    ),
    "incident.elapsed": ("time since the incident began, e.g. 1h 20m", "已持续时间"),
    "incident.commander": ("name of the incident commander", "应急指挥"),
    "incident.scope": ("affected scope as recorded on the incident", "影响范围"),
    "runbook.title": ("runbook title", "预案名称"),
    "now": ("the time the message is written, without zone", "撰写消息的时间(不带时区)"),
    "eta": (
        "the time promised to customers with `incidentctl set INC eta TIME`, while it is "
        "still to come, with its zone, e.g. today 10:00 (UTC+8); nothing else is ever "
        "put here: until someone commits to a time, a template using it is refused "
        "(`comms --draft` shows a blank)",
        "用 `incidentctl set INC eta TIME` 向客户承诺的时间(尚未到来时),带时区,"
        "如 今天 10:00 (UTC+8);不会用其他时间代替:无人承诺时,用到它的话术会被拒绝"
        "(`comms --draft` 显示为待填)",
    ),
    "eta_in": (
        "time from now until {eta}, e.g. 45m; known only while {eta} is",
        "距离承诺时间还有多久,如 45分钟;仅在已承诺 {eta} 时可用",
    ),
    "next_update": (
        "when the reader hears from us next, with its zone: the next recurring status "
        "update due (one interval from now when this message is that update), else the "
        "committed {eta}; with neither, no update is scheduled and a template using it is "
        "refused until an ETA is set",
        "下一次通报时间,带时区:下一次定时进展通报(本消息即为该通报时为一个周期之后),"
        "否则为已承诺的 {eta};两者都没有即未排定通报,用到它的话术会被拒绝,直到设定预计时间",
    ),
    "org.name": ("organisation name from the home config", "平台/公司名称(配置文件)"),
    "org.hotline": ("customer-service hotline from the home config", "客服热线(配置文件)"),
}

#: Dynamic families: ``role.<role-id>`` is the person holding that role.
ROLE_PREFIX = "role."

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"^[a-z][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*$")


class Placeholder(NamedTuple):
    name: str
    offset: int  # character offset in the template text


class TemplateSyntaxError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def scan(text: str) -> tuple[list[Placeholder], list[TemplateSyntaxError]]:
    """All ``{name}`` placeholders in ``text``, and every lone brace or malformed name."""
    found: list[Placeholder] = []
    errors: list[TemplateSyntaxError] = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(1) is None:
            errors.append(
                TemplateSyntaxError(
                    f"unbalanced '{token}' at character {m.start() + 1}; "
                    f"write '{token * 2}' for a literal brace",
                    m.start(),
                )
            )
            continue
        name = m.group(1).strip()
        if not _NAME.match(name):
            errors.append(
                TemplateSyntaxError(
                    f"'{{{m.group(1)}}}' is not a placeholder name (expected e.g. {{incident.title}})",
                    m.start(),
                )
            )
            continue
        found.append(Placeholder(name, m.start()))
    return found, errors


def placeholders(text: str) -> list[Placeholder]:
    """The placeholders of a template text known to be well-formed; raise on the first error."""
    found, errors = scan(text)
    if errors:
        raise errors[0]
    return found


def is_known(name: str, role_ids: set[str], inputs: set[str]) -> bool:
    if name in LIVE_FACTS or name in inputs:
        return True
    return name.startswith(ROLE_PREFIX) and name[len(ROLE_PREFIX) :] in role_ids


def render(text: str, values: dict[str, str]) -> str:
    """Fill placeholders from ``values`` (every placeholder must be present)."""

    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[m.group(1).strip()]

    return _TOKEN.sub(sub, text)
