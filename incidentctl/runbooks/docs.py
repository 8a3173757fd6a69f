"""Generate the runbook format reference (``docs/runbook-format.md``) from the schema.

The reference is built from the JSON Schema's own descriptions, the
placeholder registry and a worked example that the tests validate, so the
documentation cannot drift from what the validator accepts.
"""

from __future__ import annotations

from typing import Any

from incidentctl.documents.schemas import load_schema
from incidentctl.durations import EXPECTED
from incidentctl.runbooks.placeholders import LIVE_FACTS, ROLE_PREFIX

#: Definitions documented as objects, in reading order.
_OBJECTS = (
    "reference",
    "tier",
    "role",
    "phase",
    "step",
    "due",
    "every",
    "evidence",
    "template",
    "text",
    "text_list",
)

EXAMPLE = """\
schema_version: 1
id: coupon-failure
version: "1.0"
kind: marketing
title: {zh: 优惠券失效, en: Coupons not applying}
summary:
  zh: 大促期间优惠券无法使用时的处理。
  en: What to do when coupons stop applying during a promotion.
references:
  - id: manual-1-2
    kind: manual
    cite: manual §1.2
    states: [10m, 15m]
    note: {zh: 10 分钟内启动应急响应。, en: Start the response within 10 minutes.}
  - id: manual-1-4
    kind: manual
    cite: manual §1.4
    note: {zh: 统一口径，及时通报；未规定时限。, en: "One consistent message, given in time; no time set."}
  - id: team-policy
    kind: policy
    cite: team policy
severity:
  - id: sev1
    name: {zh: 一级(重大), en: Level 1 (major)}
    criteria:
      zh: [全站优惠券无法核销超过 10 分钟]
      en: [No coupon can be redeemed anywhere for more than 10 minutes]
  - id: sev2
    name: {zh: 二级(较大), en: Level 2 (relatively major)}
    criteria:
      zh: [单个活动的优惠券无法核销]
      en: [Coupons of one campaign cannot be redeemed]
roles:
  - id: commander
    name: {zh: 应急指挥, en: Incident commander}
  - id: ops
    name: {zh: 运营, en: Operations}
phases:
  - id: respond
    name: {zh: 响应, en: Respond}
    steps:
      - id: start-response
        title: {zh: 启动应急响应, en: Start the response}
        instructions:
          zh: 召集运营与技术，确认受影响的活动。
          en: Call in operations and tech; confirm which campaigns are affected.
        role: commander
        due: {from: opened, sev1: 10m, sev2: 10m, source: manual-1-2}
      - id: customer-notice
        title: {zh: 发布用户说明, en: Tell customers}
        instructions:
          zh: 在活动页发布说明并承诺补发。
          en: Post a notice on the campaign page and promise to reissue coupons.
        role: ops
        templates: [coupon-notice]
        due: {from: start-response, sev1: 15m, sev2: 30m, source: team-policy, basis: manual-1-4}
        evidence:
          - id: notice-url
            label: {zh: 说明链接, en: Notice URL}
      - id: status-update
        title: {zh: 定时通报, en: Status update}
        instructions: {zh: 通报进展。, en: Post progress.}
        role: commander
        tiers: [sev1]
        every: {sev1: 30m, until: resolved, source: team-policy}
templates:
  - id: coupon-notice
    audience: customer
    name: {zh: 优惠券说明, en: Coupon notice}
    channels: [website, app-push]
    body:
      zh: "{incident.scope}的优惠券暂时无法使用，我们将在 {eta} 前补发：{compensation}。"
      en: "Coupons for {incident.scope} are not applying; we will reissue them by {eta}: {compensation}."
    inputs:
      - id: compensation
        label: {zh: 补偿方式, en: Compensation}
"""


def _defname(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = _defname(schema["$ref"])
        if name in _OBJECTS:
            return f"[{name}](#{name.replace('_', '-')})"
        return f"[{name}](#{name})" if name in ("duration", "anchor") else name
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    if "anyOf" in schema:
        return " or ".join(_type_of(option) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + _type_of(schema.get("items", {}))
    names = {"string": "text", "integer": "integer", "boolean": "true/false", "object": "mapping"}
    if isinstance(kind, str):
        return names.get(kind, kind)
    return "value"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _properties_table(schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| key | type | required | meaning |", "|---|---|---|---|"]
    for key, sub in schema.get("properties", {}).items():
        desc = sub.get("description", "")
        if not desc and "$ref" in sub:
            desc = defs.get(_defname(sub["$ref"]), {}).get("description", "")
        if "default" in sub:
            desc += f" Default: `{str(sub['default']).lower() if isinstance(sub['default'], bool) else sub['default']}`."
        if "x-enum-descriptions" in sub:
            desc += (
                " " + "; ".join(f"`{k}`: {v}" for k, v in sub["x-enum-descriptions"].items()) + "."
            )
        rows.append(
            f"| `{key}` | {_type_of(sub)} | {'yes' if key in required else 'no'} | {_cell(desc.strip())} |"
        )
    for pattern, sub in schema.get("patternProperties", {}).items():
        label = "`sev1` … `sev9`" if pattern.startswith("^sev") else f"`{pattern}`"
        rows.append(f"| {label} | {_type_of(sub)} | no | One entry per tier the step applies to. |")
    return rows


def render_format_doc() -> str:
    schema = load_schema("runbook")
    defs = schema["$defs"]
    out: list[str] = [
        "# Runbook format",
        "",
        "<!-- Generated from schemas/runbook.schema.json by `incidentctl runbook schema --markdown`;",
        "     tests/test_docs.py fails when this file and the schema disagree. Do not edit by hand. -->",
        "",
        schema["description"],
        "",
        "A runbook is one YAML file in `runbooks/`. `incidentctl runbook validate` checks it against",
        "`schemas/runbook.schema.json` and then against the rules listed under [Rules](#rules), and",
        "reports every problem as `FILE:LINE:COL: PATH: MESSAGE`.",
        "",
        "## Example",
        "",
        "```yaml",
        EXAMPLE.rstrip(),
        "```",
        "",
        "## Top level",
        "",
        *_properties_table(schema, defs),
        "",
    ]
    for name in _OBJECTS:
        sub = defs[name]
        out += [f"## {name}", "", sub.get("description", ""), "", *_properties_table(sub, defs), ""]
    out += [
        "## duration",
        "",
        defs["duration"]["description"],
        f"The parser accepts exactly this syntax ({EXPECTED}); zero is refused.",
        "Business days skip weekends and holidays of the business-day calendar.",
        "",
        "## id",
        "",
        "Identifiers (runbook, tier, role, phase, step, template, reference and evidence ids) are",
        "lower-case letters and digits, words joined by `-` or `_`, starting with a letter, at most 64",
        "characters: `payment-failure`, `notify-regulator`, `cs-lead`. Tier ids are `sev1` … `sev9`.",
        "",
        "## anchor",
        "",
        defs["anchor"]["description"],
        "",
        "## Placeholders",
        "",
        "Templates may use these live facts; `incidentctl comms` fills them in from the incident.",
        "",
        "| placeholder | meaning | 含义 |",
        "|---|---|---|",
    ]
    out += [
        f"| `{{{name}}}` | {_cell(en)} | {_cell(zh)} |" for name, (en, zh) in LIVE_FACTS.items()
    ]
    out += [
        f"| `{{{ROLE_PREFIX}ROLE}}` | the person holding role ROLE, e.g. `{{{ROLE_PREFIX}pr}}` | 担任该角色的人 |",
        "",
        "A template's own `inputs` are placeholders too; the sender supplies them. Write `{{` and `}}`",
        "for literal braces.",
        "",
        "Times are written the way people write them, never in ISO form: `今天 10:00`, `明天 01:00`,",
        "`11月27日 10:00` in Chinese; `today 10:00`, `tomorrow 01:00`, `27 Nov 10:00` in English (with",
        "the year when it is not this year's). A message to a regulator or the press, which is kept and",
        "read later, always gives the date. The times promised to the reader, `{eta}` and",
        "`{next_update}`, carry the zone as `(UTC+8)`; the others do not.",
        "",
        "A promised time is never given with `comms --set` and never made up: `{eta}` comes only from",
        "`incidentctl set INC eta TIME`, which also tracks it as a deadline. `comms --draft` renders any",
        "template at any time, each unknown placeholder shown as `［待填：topic］` / `[TO FILL: topic]`",
        "(the input's label, a role's name, else the placeholder's name); a draft is never sent.",
        "",
        "## Rules",
        "",
        "Beyond the schema, `validate` enforces:",
        "",
        "- `schema_version` is read first; a runbook for a newer incidentctl is refused with one line.",
        "- YAML is loaded safely: duplicate keys, tabs, custom tags, recursive aliases and aliases that",
        "  expand to more than 100,000 values are errors; files over 1 MiB or not UTF-8 are refused.",
        "- Ids are unique: tiers, roles, references, phases, steps (across all phases), templates, and",
        "  evidence within a step.",
        "- Tiers are listed most severe first; there is a `commander` role.",
        "- Every `role`, `tiers` entry, `templates` entry, `source`, `basis` and `from` names something",
        "  defined.",
        "- A deadline's `source` says where its number comes from. Unless that reference is `kind: policy`,",
        "  each of the deadline's durations is one the reference `states`; a number the team chose is",
        "  `source: team-policy` with the duty it puts into practice as its `basis` (shown as",
        "  `4h — team policy (PIPL art. 57: immediately)`).",
        "- `from` anchors do not form a cycle.",
        "- A required step has a deadline (`due`, or `every` for a recurring step) for each tier it applies",
        "  to; a recurring step has an interval for each such tier; no deadline is given for a tier the",
        "  step does not apply to.",
        "- A more severe tier never gets a longer deadline than a milder one (business days count as one",
        "  day each for this comparison).",
        "- Durations are not zero; `effort` is a valid range (`5m-20m`, lower bound first), and its",
        "  lower bound is not longer than the step's deadline at any tier (it could never be met).",
        "- Every placeholder in a template is a live fact, a `role.ROLE` of a defined role, or one of the",
        "  template's inputs.",
        "",
    ]
    return "\n".join(out)
