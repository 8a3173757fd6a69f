"""Check a runbook file: YAML safety, version first, JSON Schema, then semantic lint.

Every problem is located at the YAML node that caused it, and all problems
of a file are collected before anything is reported.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from incidentctl import RUNBOOK_SCHEMA_VERSION, __version__
from incidentctl.errors import Problem, RunbookError, nearest
from incidentctl.paths import schema_path
from incidentctl.runbooks import yamlsafe
from incidentctl.runbooks.lint import lint

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    from incidentctl.runbooks.model import Runbook


@dataclass
class Checked:
    """The outcome of checking one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    located: yamlsafe.Located | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def data(self) -> Any:
        return self.located.data if self.located else None

    def runbook(self) -> Runbook:
        from incidentctl.runbooks.model import from_document

        if self.problems or self.located is None:
            raise RunbookError(self.problems)
        return from_document(self.located.data)


@cache
def load_schema(name: str = "runbook") -> dict[str, Any]:
    with open(schema_path(name), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@cache
def _validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_file(path: str | os.PathLike[str], *, display: str | None = None) -> Checked:
    name = display or os.fspath(path)
    try:
        text = yamlsafe.read_text(path, display=name)
    except RunbookError as exc:
        return Checked(name, list(exc.problems))
    return check_text(text, name)


def check_text(text: str, file: str) -> Checked:
    try:
        located = yamlsafe.load(text, file)
    except RunbookError as exc:
        return Checked(file, list(exc.problems))
    checked = Checked(file, located=located)
    version = _version_problem(located)
    if version:
        checked.problems = [version]
        return checked
    problems = set(schema_problems(located))
    problems.update(lint(located))
    checked.problems = sorted(problems)
    return checked


def load_runbook(path: str | os.PathLike[str], *, display: str | None = None) -> Runbook:
    """Load and fully validate a runbook file, or raise :class:`RunbookError`."""
    return check_file(path, display=display).runbook()


def _version_problem(located: yamlsafe.Located) -> Problem | None:
    data = located.data
    if not isinstance(data, dict):
        return None
    v = data.get("schema_version")
    if isinstance(v, int) and not isinstance(v, bool) and v > RUNBOOK_SCHEMA_VERSION:
        return located.problem(
            ("schema_version",),
            f"this runbook needs a newer incidentctl (it has schema_version {v}; incidentctl "
            f"{__version__} reads up to {RUNBOOK_SCHEMA_VERSION})",
        )
    return None


# --- JSON Schema errors, rewritten to point and to explain -------------------------------

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES[_json_type(value)]
    text = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        text = "'" + text[1:-1] + "'"
    return text if len(text) <= 60 else text[:57] + "..."


def schema_problems(located: yamlsafe.Located, name: str = "runbook") -> Iterator[Problem]:
    validator = _validator(name)
    for error in validator.iter_errors(located.data):
        yield from _convert(error, located)


def _convert(error: ValidationError, located: yamlsafe.Located) -> Iterator[Problem]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _convert(best_match(error.context), located)
        return
    path = tuple(error.absolute_path)
    kind = error.validator
    wanted: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        patterns = schema.get("patternProperties", {})
        import re

        if any(p.startswith("^sev") for p in patterns):
            known += _tier_ids(located.data)
        for key in value:
            if key in schema.get("properties", {}) or any(re.search(p, key) for p in patterns):
                continue
            message = f"unknown key '{key}'"
            close = nearest(key, known)
            if close:
                message += f" (did you mean '{close}'?)"
            elif known:
                message += f"; expected one of: {', '.join(sorted(set(known)))}"
            yield located.problem((*path, key), message, key=True)
        return
    if kind == "required" and isinstance(value, dict):
        strays = [k for k in value if k not in schema.get("properties", {})]
        for key in wanted:
            if key in value:
                continue
            if nearest(key, strays):
                continue  # reported once, as "unknown key 'titel' (did you mean 'title'?)"
            yield located.problem(path, f"missing required key '{key}'")
        return
    if kind == "type" and schema.get("x-message") and not isinstance(value, (dict, list)):
        yield located.problem(path, f"{_shown(value)} {schema['x-message']}")
        return
    if kind == "type":
        expected = wanted
        names = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        got = _json_type(value)
        message = f"expected {want}, got {_TYPE_NAMES.get(got, got)}"
        if not isinstance(value, (dict, list)):
            message += f" {_shown(value)}"
        if "string" in names and got in ("integer", "number", "boolean"):
            message += " (quote it)"
        yield located.problem(path, message)
        return
    if kind == "pattern":
        hint = schema.get("x-message")
        if hint:
            yield located.problem(path, f"{_shown(value)} {hint}")
        else:
            yield located.problem(path, f"{_shown(value)} does not match {wanted}")
        return
    if kind in ("enum", "const"):
        options = list(wanted) if kind == "enum" else [wanted]
        message = f"{_shown(value)} is not one of: {', '.join(str(o) for o in options)}"
        if isinstance(value, str):
            close = nearest(value, (str(o) for o in options))
            if close:
                message += f" (did you mean '{close}'?)"
        yield located.problem(path, message)
        return
    if kind == "minItems":
        n = wanted
        yield located.problem(path, f"needs at least {n} item{'s' if n != 1 else ''}")
        return
    if kind == "maxItems":
        yield located.problem(path, f"has more than {wanted} items")
        return
    if kind == "minLength":
        yield located.problem(path, "must not be empty")
        return
    if kind == "uniqueItems":
        yield located.problem(path, "lists the same item more than once")
        return
    yield located.problem(path, error.message)


def _tier_ids(data: Any) -> list[str]:
    if isinstance(data, dict) and isinstance(data.get("severity"), list):
        return [
            t["id"]
            for t in data["severity"]
            if isinstance(t, dict) and isinstance(t.get("id"), str)
        ]
    return []
