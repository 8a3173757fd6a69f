"""The ``--json`` contract as the tests read it: the schemas in ``schemas/output/`` (with
the runbook schema they refer to), found where the installed package keeps them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import click
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from incidentctl.paths import schemas_dir

from .test_docs import all_commands


def json_commands() -> dict[str, click.Command]:
    """Every command with a ``--json`` option, by the name of its schema
    (``incidentctl step done`` -> ``step-done``)."""
    return {
        path.split(" ", 1)[1].replace(" ", "-"): cmd
        for path, cmd in all_commands()
        if any(isinstance(p, click.Option) and "--json" in p.opts for p in cmd.params)
    }


@cache
def registry(directory: Path) -> Registry:
    """Every schema under ``directory`` (and ``output/``), by its ``$id``."""
    files = [*directory.glob("*.schema.json"), *(directory / "output").glob("*.schema.json")]
    resources = [Resource.from_contents(json.loads(f.read_text(encoding="utf-8"))) for f in files]
    return Registry().with_resources((r.id(), r) for r in resources if r.id())


def schema(name: str, directory: Path | None = None) -> dict[str, Any]:
    base = directory or schemas_dir()
    data: dict[str, Any] = json.loads(
        (base / "output" / f"{name}.schema.json").read_text(encoding="utf-8")
    )
    return data


def validate(name: str, document: Any, directory: Path | None = None) -> None:
    """Raise if ``document`` is not what ``schemas/output/<name>.schema.json`` promises."""
    base = directory or schemas_dir()
    Draft202012Validator(schema(name, base), registry=registry(base)).validate(document)


def error_of(stderr: str) -> dict[str, Any]:
    """The error document a command given ``--json`` prints as the last line of stderr,
    checked against the contract."""
    document: dict[str, Any] = json.loads(stderr.strip().splitlines()[-1])
    validate("error", document)
    return document["error"]  # type: ignore[no-any-return]
