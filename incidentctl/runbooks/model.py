"""Typed, read-only view of a validated runbook document.

The document itself (plain JSON-compatible data) is what gets pinned into an
incident; :class:`Runbook` is rebuilt from it whenever needed, so the model
never has to be serialised.  Building it assumes the document passed schema
validation and lint (see :mod:`incidentctl.runbooks.validate`).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.durations import Duration, parse_duration
from incidentctl.errors import InvalidInput
from incidentctl.i18n import Msg, msg

if TYPE_CHECKING:
    from collections.abc import Mapping

LANGS = ("zh", "en")


class Text(NamedTuple):
    """A text of the runbook in both languages; in a catalogue message it is written
    ``{name:zh}`` or ``{name:en}``."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __format__(self, lang: str) -> str:
        return self.get(lang) if lang else str(self)

    @classmethod
    def of(cls, raw: Any) -> Text:
        return cls(str(raw["zh"]), str(raw["en"]))

    @classmethod
    def maybe(cls, raw: Any) -> Text | None:
        return None if raw is None else cls.of(raw)


class Reference(NamedTuple):
    id: str
    kind: str
    cite: (
        Text  # how to find it, e.g. manual §1.2 / 手册 §1.2 (the same text twice if not bilingual)
    )
    title: Text | None
    note: Text | None
    url: str | None
    verified: bool
    states: tuple[str, ...] = ()  # the limits the source itself states: "4h", "immediately"
    quote: Text | None = None  # the words relied on


class Tier(NamedTuple):
    id: str
    name: Text
    criteria: dict[str, tuple[str, ...]]
    response: Text | None
    maps_to: str | None


class Role(NamedTuple):
    id: str
    name: Text
    description: Text | None


class Due(NamedTuple):
    anchor: str
    durations: dict[str, Duration]
    source: str  # where the number comes from
    basis: str | None = None  # the duty the number puts into practice, if another reference


class Every(NamedTuple):
    anchor: str
    until: str
    intervals: dict[str, Duration]
    source: str
    basis: str | None = None


class Evidence(NamedTuple):
    id: str
    label: Text
    required: bool
    type: str = "text"  # see incidentctl.runbooks.evidence

    def example(self, text: str = "…") -> str:
        """A value this item accepts: ``text`` for a text item, else an example of its type."""
        if self.type == "text":
            return text
        from incidentctl.runbooks.evidence import parse_type

        return parse_type(self.type).example()


class Step(NamedTuple):
    id: str
    phase: str
    position: int  # in the whole runbook, 0-based
    title: Text
    instructions: Text
    role: str
    required: bool
    tiers: tuple[str, ...]
    due: Due | None
    every: Every | None
    evidence: tuple[Evidence, ...]
    templates: tuple[str, ...]
    effort: str | None
    applies_if: str | None = None  # "org.cii", "not org.cii"...
    per: str | None = None  # "customer-report": one deadline per recorded item

    def condition(self, facts: Mapping[str, bool]) -> bool | None:
        """Whether the step's ``applies_if`` holds given the organisation's facts: ``None``
        when it depends on a fact not given (or has no condition: it always applies)."""
        if self.applies_if is None:
            return True
        negated = self.applies_if.startswith("not ")
        fact = self.applies_if.removeprefix("not ").removeprefix("org.")
        value = facts.get(fact)
        if value is None:
            return None
        return not value if negated else value

    def applies_to(self, tier: str) -> bool:
        return tier in self.tiers

    @property
    def recurring(self) -> bool:
        return self.every is not None


class Phase(NamedTuple):
    id: str
    name: Text
    description: Text | None
    steps: tuple[Step, ...]


class TemplateInput(NamedTuple):
    id: str
    label: Text
    example: str | None


class Template(NamedTuple):
    id: str
    audience: str
    name: Text
    channels: tuple[str, ...]
    subject: Text | None
    body: Text
    inputs: tuple[TemplateInput, ...]


class Runbook(NamedTuple):
    doc: dict[str, Any]
    sha256: str
    schema_version: int
    id: str
    version: str
    kind: str
    title: Text
    summary: Text
    references: dict[str, Reference]
    tiers: tuple[Tier, ...]
    roles: dict[str, Role]
    phases: tuple[Phase, ...]
    templates: dict[str, Template]

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for p in self.phases for s in p.steps)

    def step(self, step_id: str) -> Step | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None

    def tier(self, tier_id: str) -> Tier:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        raise KeyError(tier_id)

    @property
    def tier_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.tiers)

    def resolve_tier(self, text: str) -> str:
        """Accept ``1``, ``sev1``, ``一级``, ``一级(重大)``, ``一级（重大）`` or the English name."""
        wanted = _norm(text)
        if not wanted:
            raise InvalidInput(msg("err.severity.empty", expected=self._tier_hint()))
        for t in self.tiers:
            names = {t.id, t.id.removeprefix("sev"), t.name.zh, t.name.en}
            short = {n.split("(")[0] for n in (_norm(t.name.zh), _norm(t.name.en))}
            if wanted in {_norm(n) for n in names} | short:
                return t.id
        raise InvalidInput(
            msg("err.severity.unknown", text=text, runbook=self.id, expected=self._tier_hint())
        )

    def check_role(self, role: str) -> None:
        """Refuse a role id the runbook does not have, naming the closest and all of them."""
        if role not in self.roles:
            raise InvalidInput(self.unknown_role(role))

    def unknown_role(self, role: str) -> Msg:
        """What to say of ``role``, which is not one of the runbook's roles."""
        from incidentctl.errors import did_you_mean

        return msg(
            "err.role.unknown",
            runbook=self.id,
            role=role,
            near=did_you_mean(role, self.roles),
            roles=list(self.roles),
        )

    def _tier_hint(self) -> Msg:
        tiers = [msg("err.severity.tier", id=t.id, name=t.name) for t in self.tiers]
        return msg("err.severity.expected", tiers=tiers)


def tier_rank(tier_id: str) -> int:
    """``sev2`` -> 2 (1 is the most severe); ids that are not ``sevN`` sort last."""
    digits = tier_id.removeprefix("sev")
    return int(digits) if digits.isdecimal() else 1_000_000


_ZH_NUMERALS = "一二三四五六七八九"


def tier_id_of(text: str) -> str | None:
    """A tier id from what a user types without a runbook at hand: ``1``, ``sev1``, ``一级``,
    ``一级(重大)``, ``Level 1``; ``None`` if it names no tier."""
    norm = _norm(text).split("(")[0]
    for prefix in ("sev", "level"):
        norm = norm.removeprefix(prefix)
    if norm.isdecimal() and 0 < int(norm) < 10:
        return f"sev{int(norm)}"
    if len(norm) >= 2 and norm[0] in _ZH_NUMERALS and norm[1] == "级":
        return f"sev{_ZH_NUMERALS.index(norm[0]) + 1}"
    return None


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "")


def document_sha256(doc: dict[str, Any]) -> str:
    """Hash of the runbook document's canonical JSON: what an incident pins."""
    from incidentctl.records import sha256_of

    return sha256_of(doc)


def _durations(raw: dict[str, Any]) -> dict[str, Duration]:
    return {k: parse_duration(v) for k, v in raw.items() if k.startswith("sev")}


def from_document(doc: dict[str, Any], sha256: str | None = None) -> Runbook:
    tiers = tuple(
        Tier(
            id=t["id"],
            name=Text.of(t["name"]),
            criteria={lang: tuple(t["criteria"][lang]) for lang in LANGS},
            response=Text.maybe(t.get("response")),
            maps_to=t.get("maps_to"),
        )
        for t in doc["severity"]
    )
    all_tiers = tuple(t.id for t in tiers)
    phases = []
    index = 0
    for p in doc["phases"]:
        steps = []
        for s in p["steps"]:
            due = s.get("due")
            every = s.get("every")
            steps.append(
                Step(
                    id=s["id"],
                    phase=p["id"],
                    position=index,
                    title=Text.of(s["title"]),
                    instructions=Text.of(s["instructions"]),
                    role=s["role"],
                    required=bool(s.get("required", True)),
                    tiers=tuple(s.get("tiers") or all_tiers),
                    due=None
                    if due is None
                    else Due(
                        due.get("from", "opened"),
                        _durations(due),
                        due["source"],
                        due.get("basis"),
                    ),
                    every=None
                    if every is None
                    else Every(
                        every.get("from", "opened"),
                        every.get("until", "resolved"),
                        _durations(every),
                        every["source"],
                        every.get("basis"),
                    ),
                    evidence=tuple(
                        Evidence(
                            e["id"],
                            Text.of(e["label"]),
                            bool(e.get("required", True)),
                            str(e.get("type", "text")),
                        )
                        for e in s.get("evidence", ())
                    ),
                    templates=tuple(s.get("templates", ())),
                    effort=s.get("effort"),
                    applies_if=s.get("applies_if"),
                    per=s.get("per"),
                )
            )
            index += 1
        phases.append(
            Phase(p["id"], Text.of(p["name"]), Text.maybe(p.get("description")), tuple(steps))
        )
    return Runbook(
        doc=doc,
        sha256=sha256 or document_sha256(doc),
        schema_version=int(doc["schema_version"]),
        id=doc["id"],
        version=str(doc["version"]),
        kind=doc["kind"],
        title=Text.of(doc["title"]),
        summary=Text.of(doc["summary"]),
        references={
            r["id"]: Reference(
                r["id"],
                r["kind"],
                Text(r["cite"], r["cite"]) if isinstance(r["cite"], str) else Text.of(r["cite"]),
                Text.maybe(r.get("title")),
                Text.maybe(r.get("note")),
                r.get("url"),
                bool(r.get("verified", True)),
                tuple(str(x) for x in r.get("states", ())),
                Text.maybe(r.get("quote")),
            )
            for r in doc["references"]
        },
        tiers=tiers,
        roles={
            r["id"]: Role(r["id"], Text.of(r["name"]), Text.maybe(r.get("description")))
            for r in doc["roles"]
        },
        phases=tuple(phases),
        templates={
            t["id"]: Template(
                id=t["id"],
                audience=t["audience"],
                name=Text.of(t["name"]),
                channels=tuple(t.get("channels", ())),
                subject=Text.maybe(t.get("subject")),
                body=Text.of(t["body"]),
                inputs=tuple(
                    TemplateInput(i["id"], Text.of(i["label"]), i.get("example"))
                    for i in t.get("inputs", ())
                ),
            )
            for t in doc.get("templates", ())
        },
    )
