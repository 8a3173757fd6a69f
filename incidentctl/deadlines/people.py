"""Who a notice mentions: the people of ``config.yaml`` and how each platform reaches them.

People are named once, under ``people:``, by the name a role is assigned to
(``incidentctl assign INC commander 王伟``), with their accounts on each chat
platform.  A notice mentions the holder of its step's role; with nobody
assigned, the role's fallback (``notify.fallback``: a person or ``@all``).
Accounts and mobiles go to the chat platform only: an incident's log records
who was mentioned by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

#: A mention of everyone in the group.
EVERYONE = "@all"


class Person(NamedTuple):
    name: str
    mobile: str | None = None
    dingtalk_user_id: str | None = None
    feishu_open_id: str | None = None
    wecom_userid: str | None = None
    slack: str | None = None


class Mention(NamedTuple):
    """The people a notice mentions, and whether it mentions everyone."""

    people: tuple[Person, ...] = ()
    everyone: bool = False

    @property
    def names(self) -> list[str]:
        """What the log records: names, and ``@all``; never an account or a number."""
        return [p.name for p in self.people] + ([EVERYONE] if self.everyone else [])

    def __bool__(self) -> bool:
        return bool(self.people) or self.everyone


class Directory:
    """The ``people`` of the config and the ``notify.fallback`` for unheld roles."""

    def __init__(
        self,
        people: Mapping[str, Mapping[str, Any]] | None = None,
        fallback: Mapping[str, str] | None = None,
    ) -> None:
        self.people = dict(people or {})
        self.fallback = dict(fallback or {})

    def person(self, name: str) -> Person:
        """``name`` with the accounts ``people`` gives them (none for someone not listed:
        they are still named in the text)."""
        entry = self.people.get(name) or {}

        def get(field: str) -> str | None:
            value = entry.get(field)
            return None if value is None else str(value)

        return Person(
            name,
            mobile=get("mobile"),
            dingtalk_user_id=get("dingtalk_user_id"),
            feishu_open_id=get("feishu_open_id"),
            wecom_userid=get("wecom_userid"),
            slack=get("slack"),
        )

    def named(self, who: str | None) -> Mention:
        """``who``: a person of ``people`` with their accounts, ``@all``, or anyone else by
        name (the owner of an action item)."""
        return self._named(who)

    def _named(self, who: str | None) -> Mention:
        if not who:
            return Mention()
        if who == EVERYONE:
            return Mention(everyone=True)
        return Mention((self.person(who),))

    def for_role(self, role: str, holder: str | None) -> Mention:
        """The holder of ``role``; with nobody holding it, the role's fallback (or ``*``'s)."""
        if holder:
            return self._named(holder)
        return self._named(self.fallback.get(role) or self.fallback.get("*"))

    def target(self, who: str, roles: Mapping[str, str], known_roles: Any) -> Mention:
        """An escalation's ``notify``: ``@all``, a person of ``people``, or a role id (its
        holder, else its fallback); any other name is mentioned by name."""
        if who == EVERYONE or who in self.people:
            return self._named(who)
        if who in roles or who in known_roles:
            return self.for_role(who, roles.get(who))
        return self._named(who)
