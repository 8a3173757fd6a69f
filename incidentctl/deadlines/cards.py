"""The body of a notice as each chat robot takes it, in the notice's language.

``dingtalk``, ``wecom``, ``feishu`` and ``slack`` send a card (DingTalk and
WeCom ``markdown``, a Feishu interactive card, Slack blocks) with the incident,
the step, how overdue it is, the owner and the command to run; each
``-text`` variant sends the one-line text.  Either way the people the notice
mentions are @-mentioned the way the platform does it:

- DingTalk: ``at.atMobiles`` / ``at.atUserIds`` (``isAtAll``), and ``@mobile`` or
  ``@userId`` in the text, which DingTalk needs to show the mention;
- WeCom: ``mentioned_mobile_list`` / ``mentioned_list`` (text), ``<@userid>`` (markdown);
- Feishu: ``<at user_id="ou_…">name</at>`` (text), ``<at id=ou_…></at>`` (card);
- Slack: ``<@U…>``, and ``<!channel>`` for everyone.

Someone without an account on the platform is named in the text (``@王伟``).
Text from the incident is escaped where the platform would read it as markup,
so a title cannot mention anybody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.i18n import t

if TYPE_CHECKING:
    from incidentctl.deadlines.notice import Notice
    from incidentctl.deadlines.people import Mention


def payload(notice: Notice, fmt: str) -> dict[str, Any]:
    platform, _, variant = fmt.partition("-")
    build = _TEXT if variant == "text" else _CARD
    return build[platform](notice)


# --- pieces ----------------------------------------------------------------------------
def _head(notice: Notice) -> str:
    return t(f"notice.head.{notice.kind}", notice.lang, level=notice.level)


def _lines(notice: Notice, bold: str, escape: Any = str, code: str = "`") -> list[str]:
    """The card's facts, one per line, labels in ``bold`` markers."""
    lang = notice.lang

    def row(key: str, value: str) -> str:
        return t("labelled", lang, label=f"{bold}{t(f'notice.card.{key}', lang)}{bold}", text=value)

    due = t("notice.card.due_left", lang, due=notice.due_text, left=notice.left_text)
    lines = [
        row("incident", escape(f"{notice.incident} {notice.tier} {notice.title}")),
        row(
            "action" if notice.kind == "action" else "step",
            escape(f"{notice.key} ({notice.step_title})"),
        ),
        row("due", escape(due)),
        row("owner", escape(notice.owner_text)),
        row("run", f"{code}{notice.command}{code}"),
    ]
    if notice.level:
        lines.append(row("ack", f"{code}incidentctl ack {notice.incident}{code}"))
    return lines


def _everyone(notice: Notice) -> str:
    return t("notice.everyone", notice.lang)


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- DingTalk --------------------------------------------------------------------------
def _ding_at(mention: Mention) -> tuple[dict[str, Any], list[str]]:
    mobiles = [p.mobile for p in mention.people if p.mobile]
    users = [p.dingtalk_user_id for p in mention.people if p.dingtalk_user_id and not p.mobile]
    shown = [f"@{p.mobile or p.dingtalk_user_id or p.name}" for p in mention.people]
    if mention.everyone:
        shown.append("@all")
    at: dict[str, Any] = {"atMobiles": mobiles, "atUserIds": users, "isAtAll": mention.everyone}
    return at, shown


def _ding_text(notice: Notice) -> dict[str, Any]:
    body: dict[str, Any] = {"msgtype": "text", "text": {"content": notice.text}}
    if notice.mention:
        at, shown = _ding_at(notice.mention)
        body["text"]["content"] = f"{notice.text} {' '.join(shown)}"
        body["at"] = at
    return body


def _ding_card(notice: Notice) -> dict[str, Any]:
    title = f"{_head(notice)} {notice.incident}"
    text = "\n\n".join([f"### {title}", *_lines(notice, "**")])
    body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if notice.mention:
        at, shown = _ding_at(notice.mention)
        body["markdown"]["text"] = f"{text}\n\n{' '.join(shown)}"
        body["at"] = at
    return body


# --- WeCom -----------------------------------------------------------------------------
def _wecom_text(notice: Notice) -> dict[str, Any]:
    text: dict[str, Any] = {"content": notice.text}
    mention = notice.mention
    mobiles = [p.mobile for p in mention.people if p.mobile]
    users = [p.wecom_userid for p in mention.people if p.wecom_userid and not p.mobile]
    unreachable = [p.name for p in mention.people if not (p.wecom_userid or p.mobile)]
    if unreachable:
        text["content"] += " " + " ".join(f"@{name}" for name in unreachable)
    if users or mention.everyone:
        text["mentioned_list"] = users + (["@all"] if mention.everyone else [])
    if mobiles:
        text["mentioned_mobile_list"] = mobiles
    return {"msgtype": "text", "text": text}


def _wecom_card(notice: Notice) -> dict[str, Any]:
    lines = [f"### {_head(notice)} {notice.incident}", *_lines(notice, "**")]
    if notice.mention:
        shown = [
            f"<@{p.wecom_userid}>" if p.wecom_userid else f"@{p.name}"
            for p in notice.mention.people
        ]
        if notice.mention.everyone:
            shown.append(f"@{_everyone(notice)}")
        lines.append(" ".join(shown))
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


# --- Feishu ----------------------------------------------------------------------------
def _feishu_text(notice: Notice) -> dict[str, Any]:
    text = _html_escape(notice.text)
    shown = [
        f'<at user_id="{p.feishu_open_id}">{_html_escape(p.name)}</at>'
        if p.feishu_open_id
        else f"@{_html_escape(p.name)}"
        for p in notice.mention.people
    ]
    if notice.mention.everyone:
        shown.append(f'<at user_id="all">{_everyone(notice)}</at>')
    if shown:
        text += " " + " ".join(shown)
    return {"msg_type": "text", "content": {"text": text}}


def _feishu_card(notice: Notice) -> dict[str, Any]:
    lines = _lines(notice, "**", _html_escape)
    shown = [
        f"<at id={p.feishu_open_id}></at>" if p.feishu_open_id else f"@{_html_escape(p.name)}"
        for p in notice.mention.people
    ]
    if notice.mention.everyone:
        shown.append("<at id=all></at>")
    if shown:
        lines.append(" ".join(shown))
    colour = {"breach": "red", "escalation": "red", "action": "yellow"}.get(notice.kind, "orange")
    title = f"{_head(notice)} {notice.incident} {notice.title}"
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"template": colour, "title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}}],
        },
    }


# --- Slack -----------------------------------------------------------------------------
def _slack_mentions(notice: Notice) -> list[str]:
    shown = [
        f"<@{p.slack}>" if p.slack else f"@{_html_escape(p.name)}" for p in notice.mention.people
    ]
    if notice.mention.everyone:
        shown.append("<!channel>")
    return shown


def _slack_text(notice: Notice) -> dict[str, Any]:
    return {"text": " ".join([_html_escape(notice.text), *_slack_mentions(notice)])}


def _slack_card(notice: Notice) -> dict[str, Any]:
    head = f"*{_html_escape(_head(notice))} {notice.incident}*"
    lines = [head, *_lines(notice, "*", _html_escape)]
    mentions = _slack_mentions(notice)
    if mentions:
        lines.append(" ".join(mentions))
    return {
        "text": _slack_text(notice)["text"],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
    }


_TEXT = {"dingtalk": _ding_text, "wecom": _wecom_text, "feishu": _feishu_text, "slack": _slack_text}
_CARD = {"dingtalk": _ding_card, "wecom": _wecom_card, "feishu": _feishu_card, "slack": _slack_card}
