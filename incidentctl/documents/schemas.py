"""JSON Schema checks of loaded YAML documents, with errors that point and explain.

The schemas live in ``schemas/``; every error is rewritten into one
:class:`~incidentctl.errors.Problem` located at the node that caused it
(``FILE:LINE:COL: path: message``), in words a runbook author or an operator
editing ``config.yaml`` understands.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from incidentctl.errors import DocumentError, Problem, nearest
from incidentctl.paths import schema_path

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence

    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    from incidentctl.documents.yamlsafe import Located


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


def load_checked(
    path: str | os.PathLike[str], schema: str, *, display: str | None = None
) -> Located | None:
    """Load the YAML file at ``path`` and check it against ``schema``; ``None`` for a file
    holding nothing but comments.  Raises :class:`DocumentError` with every problem."""
    from incidentctl.documents import yamlsafe

    name = display or str(path)
    return check_text(yamlsafe.read_text(path, display=name), schema, name)


def check_text(text: str, schema: str, name: str) -> Located | None:
    """:func:`load_checked` for a document already read."""
    from incidentctl.documents import yamlsafe

    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None
    located = yamlsafe.load(text, name)
    problems = sorted(schema_problems(located, schema))
    if problems:
        raise DocumentError(problems)
    return located


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
    """A value as an error quotes it: its first line, 40 characters at most, so that an
    error about a file never repeats the file (``open /etc/passwd`` must not print it)."""
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES[_json_type(value)]
    if isinstance(value, str):
        first, *rest = value.split("\n", 1)
        cut = len(first) > 40 or bool(rest)
        text = json.dumps(first[:40], ensure_ascii=False)
        return "'" + text[1:-1] + ("...'" if cut else "'")
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def schema_problems(
    located: Located, name: str, *, pattern_keys: Sequence[str] = ()
) -> Iterator[Problem]:
    """Every way ``located.data`` breaks the schema ``schemas/<name>.schema.json``, each
    located at its YAML node and said plainly.  ``pattern_keys`` are the keys the
    schema's ``patternProperties`` stand for in this document (a runbook's tier ids),
    offered when an unknown key looks like a typo of one of them."""
    validator = _validator(name)
    for error in validator.iter_errors(located.data):
        yield from _convert(error, located, pattern_keys)


def _convert(
    error: ValidationError, located: Located, pattern_keys: Sequence[str]
) -> Iterator[Problem]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _convert(best_match(error.context), located, pattern_keys)
        return
    path = tuple(error.absolute_path)
    kind = error.validator
    wanted: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if schema.get("x-secret"):  # said without the value: it is a secret
        yield located.problem(path, schema["x-secret"])
        return
    value = error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        patterns = schema.get("patternProperties", {})
        import re

        if patterns:
            known += list(pattern_keys)
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
