"""Check a runbook file: YAML safety, version first, JSON Schema, then semantic lint.

Every problem is located at the YAML node that caused it, and all problems
of a file are collected before anything is reported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from incidentctl import RUNBOOK_SCHEMA_VERSION, __version__
from incidentctl.errors import DocumentError, Problem, RunbookError

if TYPE_CHECKING:
    from incidentctl.documents import yamlsafe
    from incidentctl.runbooks.model import Runbook


class Checked:
    """The outcome of checking one file: its problems, and its data (the located YAML when
    it was checked now, the bare document when the check was remembered).  A plain slotted
    class: ``open`` and ``runbook list`` load this module, and a dataclass costs a
    millisecond of start-up."""

    __slots__ = ("document", "file", "id_at", "located", "path", "problems", "sha256")

    def __init__(
        self,
        file: str,
        problems: list[Problem] | None = None,
        located: yamlsafe.Located | None = None,
        document: Any = None,
        id_at: tuple[int, int] = (1, 1),
    ) -> None:
        self.file = file
        self.problems: list[Problem] = problems if problems is not None else []
        self.located = located
        self.document = document
        self.id_at = id_at
        self.path: str | None = None  # the file read, when it was read from one
        self.sha256: str | None = None  # the document's, when remembered with it

    def __repr__(self) -> str:
        return f"Checked({self.file!r}, {len(self.problems)} problem(s))"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def data(self) -> Any:
        return self.located.data if self.located else self.document

    def problem_at_id(self, message: str) -> Problem:
        """A problem located at the runbook's ``id`` key."""
        if self.located is not None:
            return self.located.problem(("id",), message)
        return Problem(self.file, *self.id_at, "id", message)

    def runbook(self) -> Runbook:
        from incidentctl.runbooks.model import from_document

        if self.problems or self.data is None:
            raise RunbookError(self.problems)
        return from_document(self.data, self.sha256)


def check_file(path: str | os.PathLike[str], *, display: str | None = None) -> Checked:
    """Check the runbook file at ``path``, or remember how a file with the same bytes was
    checked by this release (:mod:`incidentctl.runbooks.cache`)."""
    from incidentctl.documents.files import MAX_BYTES, read_bytes
    from incidentctl.runbooks import cache

    name = display or os.fspath(path)
    try:
        raw = read_bytes(path, display=name, limit=MAX_BYTES)
    except DocumentError as exc:
        return Checked(name, list(exc.problems))
    directory = cache.cache_dir()
    entry = cache.key(raw) if directory is not None else ""
    if directory is not None:
        remembered = cache.load(directory, entry, name)
        if remembered is not None:
            document, problems, id_at, sha = remembered
            found = Checked(name, problems, document=document, id_at=id_at)
            found.path = os.fspath(path)
            found.sha256 = sha
            return found
    from incidentctl.documents import yamlsafe  # only now: YAML costs start-up time

    try:
        checked = check_text(yamlsafe.decode(raw, name), name)
    except DocumentError as exc:
        checked = Checked(name, list(exc.problems))
    if directory is not None and checked.located is not None:
        mark = checked.located.mark(("id",), key=True)
        cache.save(
            directory, entry, checked.located.data, checked.problems, (mark.line, mark.column)
        )
    return checked


def check_text(text: str, file: str) -> Checked:
    from incidentctl.documents import yamlsafe
    from incidentctl.documents.schemas import schema_problems
    from incidentctl.runbooks.lint import lint

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


def unverified_warnings(checked: Checked) -> list[Problem]:
    """``runbook validate --strict``: every reference a valid runbook marks ``verified:
    false``, located at that mark, with the steps whose deadlines cite it (as source or
    basis) -- figures read from secondary sources that someone still has to confirm."""
    if checked.problems or not isinstance(checked.data, dict):
        return []
    located = checked.located
    if located is None:  # remembered: locate the marks again, only for this strict check
        from incidentctl.documents import yamlsafe
        from incidentctl.documents.files import MAX_BYTES, read_bytes

        try:
            if checked.path is None:
                return []
            raw = read_bytes(checked.path, display=checked.file, limit=MAX_BYTES)
            located = yamlsafe.load(yamlsafe.decode(raw, checked.file), checked.file)
        except DocumentError:
            return []
    data = located.data
    cited: dict[str, list[str]] = {}
    for phase in data.get("phases", ()):
        for step in phase.get("steps", ()):
            for field in ("due", "every"):
                rule = step.get(field) or {}
                for ref in {rule.get("source"), rule.get("basis")} - {None}:
                    cited.setdefault(str(ref), []).append(str(step["id"]))
    out = []
    for i, ref in enumerate(data.get("references", ())):
        if ref.get("verified", True) is not False:
            continue
        steps = sorted(set(cited.get(ref["id"], [])))
        by = f"; cited by {', '.join(steps)}" if steps else "; cited by no deadline"
        out.append(
            located.problem(
                ("references", i, "verified"),
                f"warning: '{ref['id']}' is not verified yet; confirm it against the "
                f"original before relying on it{by}",
            )
        )
    return out
