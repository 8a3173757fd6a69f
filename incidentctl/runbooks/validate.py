"""Check a runbook file: YAML safety, version first, JSON Schema, then semantic lint.

Every problem is located at the YAML node that caused it, and all problems
of a file are collected before anything is reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from incidentctl import RUNBOOK_SCHEMA_VERSION, __version__
from incidentctl.documents import yamlsafe
from incidentctl.documents.schemas import schema_problems
from incidentctl.errors import DocumentError, Problem, RunbookError
from incidentctl.runbooks.lint import lint

if TYPE_CHECKING:
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


def check_file(path: str | os.PathLike[str], *, display: str | None = None) -> Checked:
    name = display or os.fspath(path)
    try:
        text = yamlsafe.read_text(path, display=name)
    except DocumentError as exc:
        return Checked(name, list(exc.problems))
    return check_text(text, name)


def check_text(text: str, file: str) -> Checked:
    try:
        located = yamlsafe.load(text, file)
    except DocumentError as exc:
        return Checked(file, list(exc.problems))
    checked = Checked(file, located=located)
    version = _version_problem(located)
    if version:
        checked.problems = [version]
        return checked
    problems = set(schema_problems(located, "runbook", pattern_keys=_tier_ids(located.data)))
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


def _tier_ids(data: Any) -> list[str]:
    if isinstance(data, dict) and isinstance(data.get("severity"), list):
        return [
            t["id"]
            for t in data["severity"]
            if isinstance(t, dict) and isinstance(t.get("id"), str)
        ]
    return []
