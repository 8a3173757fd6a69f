"""Semantic checks a JSON Schema cannot express.

Lint runs on every document, valid against the schema or not, so that all
problems of a file are reported at once; it therefore inspects the raw data
defensively and silently skips parts whose shape the schema already rejects.

Checks: duplicate ids; references to unknown steps, roles, tiers, templates
and sources; cycles in deadline anchors; required steps without a deadline
for a tier they apply to; recurring steps without an interval; a stricter
tier given more time than a milder one; zero durations; malformed effort
ranges; placeholders no template knows; a deadline whose source is a manual
section, law or practice that does not state its number (the number is then
team policy, with that reference as its ``basis``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from incidentctl.durations import Duration, parse_duration, parse_range
from incidentctl.errors import InvalidInput, nearest
from incidentctl.runbooks.model import tier_rank
from incidentctl.runbooks.placeholders import (
    LIVE_FACTS,
    ROLE_PREFIX,
    is_known,
    scan,
)

if TYPE_CHECKING:
    from incidentctl.documents.yamlsafe import Located, Path_
    from incidentctl.errors import Problem

ANCHOR_KEYWORDS = ("opened", "discovered", "mitigated", "resolved")

#: The kind of reference whose numbers are the team's own choice.
POLICY_KIND = "policy"

#: Words a reference may state for a limit it leaves open (``states: [immediately]``).
STATED_WORDS = ("immediately", "without-undue-delay")


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def _id(item: dict[str, Any]) -> str | None:
    v = item.get("id")
    return v if isinstance(v, str) else None


def unknown(what: str, value: str, known: set[str]) -> str:
    """``unknown role 'financ' (did you mean 'finance'?)``, or the list of valid values."""
    close = nearest(value, sorted(known))
    if close:
        return f"unknown {what} '{value}' (did you mean '{close}'?)"
    listed = ", ".join(sorted(known)) or "none defined"
    return f"unknown {what} '{value}'; expected one of: {listed}"


def _listed(durations: set[Duration]) -> str:
    return ", ".join(str(d) for d in sorted(durations, key=_nominal))


def _nominal(d: Duration) -> int:
    return d.min_seconds


class _Linter:
    def __init__(self, located: Located) -> None:
        self.loc = located
        self.data = located.data
        self.problems: list[Problem] = []
        #: reference id -> (kind, the durations it states)
        self.stated: dict[str, tuple[str, set[Duration]]] = {}

    def add(self, path: Path_, message: str, *, key: bool = False) -> None:
        self.problems.append(self.loc.problem(path, message, key=key))

    def unique(self, entries: list[tuple[Path_, str]], what: str) -> set[str]:
        seen: dict[str, Path_] = {}
        for path, ident in entries:
            if ident in seen:
                first = self.loc.mark((*seen[ident], "id"))
                self.add(
                    (*path, "id"), f"duplicate {what} id '{ident}' (first at line {first.line})"
                )
            else:
                seen[ident] = path
        return set(seen)

    def run(self) -> list[Problem]:
        data = self.data
        if not isinstance(data, dict):
            return []
        tiers = self.unique(
            [(("severity", i), t) for i, item in _items(data, "severity") if (t := _id(item))],
            "tier",
        )
        tier_order = [t for _, item in _items(data, "severity") if (t := _id(item))]
        for pos, (i, item) in enumerate(_items(data, "severity")):
            ident = _id(item)
            before = tier_order[pos - 1] if pos > 0 else None
            if ident and before and ident != before and tier_rank(before) >= tier_rank(ident):
                self.add(
                    ("severity", i, "id"),
                    f"tiers must be listed most severe first (sev1, sev2, ...); "
                    f"'{ident}' comes after '{before}'",
                )
        roles = self.unique(
            [(("roles", i), r) for i, item in _items(data, "roles") if (r := _id(item))], "role"
        )
        if roles and "commander" not in roles and isinstance(data.get("roles"), list):
            self.add(("roles",), "no 'commander' role; every runbook needs an incident commander")
        refs = self.unique(
            [(("references", i), r) for i, item in _items(data, "references") if (r := _id(item))],
            "reference",
        )
        for _, item in _items(data, "references"):
            ident = _id(item)
            if ident and ident not in self.stated:
                self.stated[ident] = (str(item.get("kind")), self.states(item))
        self.unique(
            [(("phases", i), p) for i, item in _items(data, "phases") if (p := _id(item))], "phase"
        )
        templates = self.unique(
            [(("templates", i), t) for i, item in _items(data, "templates") if (t := _id(item))],
            "template",
        )
        steps: list[tuple[Path_, dict[str, Any]]] = [
            (("phases", pi, "steps", si), step)
            for pi, phase in _items(data, "phases")
            for si, step in _items(phase, "steps")
        ]
        step_ids = self.unique([(p, s) for p, item in steps if (s := _id(item))], "step")
        for path, step in steps:
            self.step(path, step, tiers, tier_order, roles, refs, templates, step_ids)
        self.anchor_cycles(steps)
        for i, template in _items(data, "templates"):
            self.template(("templates", i), template, roles)
        return self.problems

    def states(self, ref: dict[str, Any]) -> set[Duration]:
        """The durations a reference says it states; malformed entries are the schema's."""
        out: set[Duration] = set()
        raw = ref.get("states")
        if not isinstance(raw, list):
            return out
        for value in raw:
            if isinstance(value, str) and value not in STATED_WORDS:
                with contextlib.suppress(InvalidInput):
                    out.add(parse_duration(value))
        return out

    def step(
        self,
        path: Path_,
        step: dict[str, Any],
        tiers: set[str],
        tier_order: list[str],
        roles: set[str],
        refs: set[str],
        templates: set[str],
        step_ids: set[str],
    ) -> None:
        role = step.get("role")
        if isinstance(role, str) and roles and role not in roles:
            self.add((*path, "role"), unknown("role", role, roles))
        applies = step.get("tiers")
        if applies is not None and not isinstance(applies, list):
            return  # the schema reports the malformed list; tier checks would only echo it
        if isinstance(applies, list):
            for i, t in enumerate(applies):
                if isinstance(t, str) and tiers and t not in tiers:
                    self.add(
                        (*path, "tiers", i),
                        f"unknown tier '{t}'; tiers are: {', '.join(tier_order)}",
                    )
            applicable = [t for t in tier_order if t in applies]
        else:
            applicable = list(tier_order)
        for i, t in enumerate(step.get("templates") or []):
            if isinstance(t, str) and t not in templates:
                self.add((*path, "templates", i), unknown("template", t, templates))
        evidence = step.get("evidence")
        if isinstance(evidence, list):
            from incidentctl.runbooks.evidence import type_problem

            for i, item in enumerate(evidence):
                kind = item.get("type") if isinstance(item, dict) else None
                problem = type_problem(kind) if isinstance(kind, str) else None
                if problem:
                    self.add((*path, "evidence", i, "type"), problem)
            self.unique(
                [
                    ((*path, "evidence", i), e)
                    for i, item in enumerate(evidence)
                    if isinstance(item, dict) and (e := _id(item))
                ],
                "evidence",
            )
        effort = step.get("effort")
        if isinstance(effort, str):
            try:
                least = parse_range(effort)[0].seconds
            except InvalidInput as exc:
                self.add((*path, "effort"), str(exc))
            else:
                self.effort_fits(path, step, least, applicable)
        if isinstance(step.get("per"), str):
            if step.get("every") is not None:
                self.add((*path, "per"), "a step with 'per' cannot also recur ('every')")
            due_block = step.get("due")
            anchor = due_block.get("from") if isinstance(due_block, dict) else None
            if anchor not in (None, "opened"):
                self.add(
                    (*path, "due", "from"),
                    f"a step with 'per' counts from each item's report, not from '{anchor}' "
                    "(leave 'from' out)",
                )
        required = step.get("required", True) is not False
        due = self.timing(path, step, "due", applicable, tier_order, tiers, refs, step_ids)
        every = self.timing(path, step, "every", applicable, tier_order, tiers, refs, step_ids)
        if every is not None:
            for t in applicable:
                if t not in every:
                    self.add(
                        (*path, "every"), f"recurring step has no interval for {t} (add every.{t})"
                    )
        elif required:
            missing = [t for t in applicable if due is None or t not in due]
            for t in missing:
                where = (*path, "due") if due is not None else path
                self.add(where, f"required step has no deadline for {t} (add due.{t})")

    def effort_fits(
        self, path: Path_, step: dict[str, Any], least: int, applicable: list[str]
    ) -> None:
        """A step whose effort, at its shortest, is longer than its deadline counted from
        its own anchor can never be done in time (``drill simulate`` would say 0%)."""
        due = step.get("due")
        if not isinstance(due, dict):
            return
        for tier in applicable:
            value = due.get(tier)
            if not isinstance(value, str):
                continue
            with contextlib.suppress(InvalidInput):
                limit = parse_duration(value)
                if not limit.is_business and least > limit.seconds:
                    self.add(
                        (*path, "effort"),
                        f"takes at least {step['effort'].partition('-')[0]}, longer than its "
                        f"{tier} deadline of {value}: it can never be done in time",
                    )

    def timing(
        self,
        path: Path_,
        step: dict[str, Any],
        field: str,
        applicable: list[str],
        tier_order: list[str],
        tiers: set[str],
        refs: set[str],
        step_ids: set[str],
    ) -> set[str] | None:
        """Check a ``due`` or ``every`` block; return the tiers it gives a value for."""
        block = step.get(field)
        if not isinstance(block, dict):
            return None
        here = (*path, field)
        source = block.get("source")
        if isinstance(source, str) and refs and source not in refs:
            self.add((*here, "source"), unknown("reference", source, refs))
        basis = block.get("basis")
        if isinstance(basis, str) and refs and basis not in refs:
            self.add((*here, "basis"), unknown("reference", basis, refs))
        elif isinstance(basis, str) and basis == source:
            self.add((*here, "basis"), "basis repeats the source; leave it out")
        anchor = block.get("from")
        if isinstance(anchor, str) and anchor not in ANCHOR_KEYWORDS and anchor not in step_ids:
            self.add(
                (*here, "from"),
                unknown("anchor", anchor, {*ANCHOR_KEYWORDS, *step_ids})
                + " (an anchor is opened, discovered, mitigated, resolved or a step id)",
            )
        if isinstance(anchor, str) and anchor == step.get("id"):
            self.add((*here, "from"), "a step cannot be anchored on itself")
        durations: dict[str, Duration] = {}
        for key, value in block.items():
            if not key.startswith("sev") or not isinstance(value, str):
                continue
            if tiers and key not in tiers:
                self.add(
                    (*here, key),
                    f"unknown tier '{key}'; tiers are: {', '.join(tier_order)}",
                    key=True,
                )
                continue
            if key not in applicable:
                self.add(
                    (*here, key),
                    f"the step does not apply to {key} (it applies to {', '.join(applicable)})",
                    key=True,
                )
                continue
            try:
                durations[key] = parse_duration(value)
            except InvalidInput as exc:
                if "zero" in str(exc):
                    self.add((*here, key), str(exc))
        if isinstance(source, str) and source in self.stated:
            kind, stated = self.stated[source]
            if kind != POLICY_KIND:
                for key, value in durations.items():
                    if value not in stated:
                        said = f"it states {_listed(stated)}" if stated else "it states no time"
                        self.add(
                            (*here, key),
                            f"{block[key]} is not a limit '{source}' states ({said}); a number "
                            f"the team chose is 'source: team-policy' with 'basis: {source}'",
                        )
        ordered = sorted(durations)  # sev1 < sev2 < ...: by definition, whatever the listed order
        for i, stricter in enumerate(ordered):
            for milder in ordered[i + 1 :]:
                a, b = durations[stricter], durations[milder]
                if _nominal(a) > _nominal(b):
                    self.add(
                        (*here, stricter),
                        f"{stricter} ({a}) is longer than the milder {milder} ({b}); "
                        "a more severe tier must not get more time",
                    )
                    break
        return {k for k in block if k.startswith("sev")}

    def anchor_cycles(self, steps: list[tuple[Path_, dict[str, Any]]]) -> None:
        edges: dict[str, tuple[str, Path_]] = {}
        for path, step in steps:
            ident = _id(step)
            due = step.get("due")
            if ident and isinstance(due, dict) and isinstance(due.get("from"), str):
                target = due["from"]
                if target not in ANCHOR_KEYWORDS and target != ident:
                    edges[ident] = (target, (*path, "due", "from"))
        reported: set[str] = set()
        for start in edges:
            chain = [start]
            node = start
            while node in edges:
                node = edges[node][0]
                if node in chain:
                    cycle = chain[chain.index(node) :]
                    if not reported.intersection(cycle):
                        text = " -> ".join([*cycle, node])
                        for member in cycle:
                            self.add(edges[member][1], f"cycle in deadline anchors: {text}")
                        reported.update(cycle)
                    break
                chain.append(node)

    def template(self, path: Path_, template: dict[str, Any], roles: set[str]) -> None:
        inputs = {
            ident
            for item in template.get("inputs") or []
            if isinstance(item, dict) and (ident := _id(item))
        }
        clash = inputs & set(LIVE_FACTS)
        for name in sorted(clash):
            self.add((*path, "inputs"), f"input '{name}' hides the live fact of the same name")
        for part in ("body", "subject"):
            block = template.get(part)
            if not isinstance(block, dict):
                continue
            for lang in ("zh", "en"):
                text = block.get(lang)
                if not isinstance(text, str):
                    continue
                where = (*path, part, lang)
                found, errors = scan(text)
                for exc in errors:
                    self.problems.append(
                        self.loc.problem_in_text(where, text, exc.offset, str(exc))
                    )
                for ph in found:
                    if is_known(ph.name, roles, inputs):
                        continue
                    if ph.name.startswith("phrase."):
                        from incidentctl.runbooks.phrases import known, library

                        if known(ph.name):
                            continue
                        self.problems.append(
                            self.loc.problem_in_text(
                                where,
                                text,
                                ph.offset,
                                unknown("phrase", ph.name.removeprefix("phrase."), set(library())),
                            )
                        )
                        continue
                    candidates = [*LIVE_FACTS, *inputs, *(ROLE_PREFIX + r for r in roles)]
                    close = nearest(ph.name, candidates, cutoff=0.7)
                    if close:
                        hint = f" (did you mean {{{close}}}?)"
                    elif ph.name.startswith(ROLE_PREFIX):
                        hint = f"; roles are: {', '.join(sorted(roles))}"
                    else:
                        hint = (
                            "; declare it in the template's inputs, or see docs/runbook-format.md"
                        )
                    self.problems.append(
                        self.loc.problem_in_text(
                            where, text, ph.offset, f"unknown placeholder {{{ph.name}}}{hint}"
                        )
                    )


def lint(located: Located) -> list[Problem]:
    return _Linter(located).run()
