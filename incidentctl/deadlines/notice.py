"""A notice: one deadline due soon or breached (or an escalation of a breach, or an
action item overdue), as it is sent to every channel, and the parts a card shows."""

from __future__ import annotations

from typing import Any, NamedTuple

from incidentctl.deadlines.people import Mention

#: The kind of notice for an action item of the review still open after its due date
#: (its ``key`` is ``action#N``, its ``step_title`` the item's text, its ``due`` the end
#: of its due date).
ACTION = "action"


class Notice(NamedTuple):
    kind: str  # due-soon | breach | escalation | action
    incident: str
    title: str
    severity: str
    step: str
    step_title: str
    key: str
    due: str  # ISO 8601
    seconds_left: int
    role: str
    owner: str | None
    text: str  # one human line, in the configured language
    #: Whom it mentions (accounts go to the chat platform; the log keeps the names).
    mention: Mention = Mention()
    #: The language it is written in, and its parts as a card shows them.
    lang: str = "en"
    tier: str = ""
    due_text: str = ""
    left_text: str = ""
    owner_text: str = ""
    #: An escalation: its level (1, 2...) and the ``notify`` of that level; 0 and "" otherwise.
    level: int = 0
    target: str = ""

    @property
    def dedupe_key(self) -> str:
        if self.kind == ACTION:  # once per item and due date
            return f"{self.kind}:{self.key}@{self.due}"
        if self.level:
            return f"{self.kind}:{self.key}@{self.level}:{self.target}"
        return f"{self.kind}:{self.key}"

    @property
    def idempotency_key(self) -> str:
        """The same for every sending of this notice: incident, kind, deadline, occurrence
        (and an escalation's level and whom it pages; an action item's due date)."""
        if self.kind == ACTION:
            return f"{self.incident}/{self.kind}/{self.key}@{self.due}"
        if self.level:
            return f"{self.incident}/{self.kind}/{self.key}@{self.level}:{self.target}"
        return f"{self.incident}/{self.kind}/{self.key}"

    @property
    def command(self) -> str:
        """What the owner runs to act on it."""
        if self.kind == ACTION:
            return f"incidentctl action done {self.incident} {self.key.partition('#')[2]}"
        return f"incidentctl walk {self.incident}"

    def as_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"level": self.level, "notify": self.target} if self.level else {}
        return {
            "type": "action.overdue" if self.kind == ACTION else f"deadline.{self.kind}",
            "incident": self.incident,
            "title": self.title,
            "severity": self.severity,
            "step": self.step,
            "step_title": self.step_title,
            "deadline": self.key,
            "due": self.due,
            "seconds_left": self.seconds_left,
            "role": self.role,
            "owner": self.owner,
            "text": self.text,
            "mentioned": self.mention.names,
            "lang": self.lang,
            "command": self.command,
            **extra,
            "idempotency_key": self.idempotency_key,
        }
