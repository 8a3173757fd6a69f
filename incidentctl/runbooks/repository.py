"""Finding runbooks: a directory of ``*.yaml`` files, looked up by id or by path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from incidentctl.errors import Problem, RunbookNotFound, nearest
from incidentctl.i18n import msg
from incidentctl.paths import display_path
from incidentctl.runbooks.validate import Checked, check_file

if TYPE_CHECKING:
    from incidentctl.runbooks.model import Runbook


def runbook_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


class RunbookListing(NamedTuple):
    """The runbooks of a directory: the valid ones (with their file), and the invalid files."""

    directory: Path
    origin: str
    runbooks: list[tuple[str, Runbook]]
    invalid: list[Checked]

    @property
    def exit_code(self) -> int:
        return 1 if self.invalid else 0


class RunbookPage(NamedTuple):
    """One runbook, whole or at one tier, as text or as a Markdown checklist."""

    runbook: Runbook
    tier: str | None
    format: str = "text"


class ValidationReport(NamedTuple):
    """Every problem of every file checked."""

    results: list[Checked]
    #: with ``--strict``: per file, what is valid but unconfirmed (``verified: false``)
    warnings: dict[str, list[Problem]] | None = None

    @property
    def valid(self) -> bool:
        return bool(self.results) and all(c.ok for c in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.valid else 1


class RunbookDir:
    """The runbooks in one directory (not recursive: ``drills/`` and the like are skipped)."""

    __slots__ = ("origin", "path")

    def __init__(self, path: Path, origin: str = "--runbooks") -> None:
        self.path = path
        self.origin = origin

    def require(self) -> None:
        """Refuse a directory that is not there, or is not a directory, naming it and
        where it came from (``--runbooks``, ``$INCIDENTCTL_RUNBOOKS``...): a mistyped
        path must not look like an empty set of runbooks."""
        if self.path.is_dir():
            return
        key = "err.runbook.not_dir" if self.path.exists() else "err.runbook.no_dir"
        raise RunbookNotFound(msg(key, dir=self.path, origin=msg(f"origin.{self.origin}")))

    def check_all(self) -> list[Checked]:
        """Check every file, plus the one cross-file rule: ids are unique in a directory."""
        self.require()
        results = [check_file(p, display=display_path(p)) for p in runbook_files(self.path)]
        add_duplicate_id_problems(results)
        return results

    def listing(self) -> RunbookListing:
        checked = self.check_all()
        return RunbookListing(
            self.path,
            self.origin,
            [(c.file, c.runbook()) for c in checked if c.ok],
            [c for c in checked if not c.ok],
        )

    def find(self, ref: str) -> Runbook:
        """A runbook by id (``payment-failure``) or by file path; validated."""
        as_path = Path(ref)
        if ref.endswith((".yaml", ".yml")) or os.sep in ref:
            if not as_path.exists():
                raise RunbookNotFound(msg("err.runbook.no_file", path=ref))
            return check_file(as_path, display=display_path(as_path)).runbook()
        self.require()
        for candidate in (self.path / f"{ref}.yaml", self.path / f"{ref}.yml"):
            if candidate.is_file():
                checked = check_file(candidate, display=display_path(candidate))
                if checked.ok and checked.data.get("id") != ref:
                    break  # the file is named after another id; search by id below
                return checked.runbook()
        ids: dict[str, Checked] = {}
        for checked in self.check_all():
            data = checked.data
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                ids.setdefault(data["id"], checked)
        if ref in ids:
            return ids[ref].runbook()
        close = nearest(ref, ids, cutoff=0.5)
        raise RunbookNotFound(
            msg(
                "err.runbook.unknown",
                ref=ref,
                dir=display_path(self.path),
                origin=msg(f"origin.{self.origin}"),
                near=msg("err.runbook.did_you_mean", close=close) if close else "",
                ids=sorted(ids) or msg("err.none"),
            )
        )


def add_duplicate_id_problems(results: list[Checked]) -> None:
    seen: dict[str, Checked] = {}
    for checked in results:
        data = checked.data
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        ident = data["id"]
        if ident in seen:
            checked.problems.append(
                checked.problem_at_id(f"runbook id '{ident}' is also used by {seen[ident].file}")
            )
            checked.problems.sort()
        else:
            seen[ident] = checked


def check_paths(paths: list[Path]) -> list[Checked]:
    """Check files and directories given on the command line.

    Ids must be unique within each directory; files named one by one may
    share an id (two versions of the same runbook, say).
    """
    results: list[Checked] = []
    for p in paths:
        if p.is_dir():
            files = runbook_files(p)
            if not files:
                results.append(
                    Checked(
                        display_path(p),
                        [Problem(display_path(p), 1, 1, "", "no *.yaml runbooks here")],
                    )
                )
            in_dir = [check_file(f, display=display_path(f)) for f in files]
            add_duplicate_id_problems(in_dir)
            results.extend(in_dir)
        else:
            results.append(check_file(p, display=display_path(p)))
    return results
