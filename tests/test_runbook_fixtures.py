"""Data-driven: every file in data/runbooks/invalid/ fails with exactly the problems in its .expect file."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentctl.runbooks.validate import check_file

from .conftest import DATA

VALID = sorted((DATA / "runbooks" / "valid").glob("*.yaml"))
INVALID = sorted((DATA / "runbooks" / "invalid").glob("*.yaml"))


def test_fixture_sets_are_not_empty() -> None:
    assert len(VALID) >= 1
    assert len(INVALID) >= 20


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture(path: Path) -> None:
    checked = check_file(path)
    assert checked.problems == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture(path: Path) -> None:
    expected = path.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    expected = [line for line in expected if line.strip()]
    assert expected, f"{path.name} has no expectations"
    checked = check_file(path, display=path.name)
    got = [p.format().removeprefix(f"{path.name}:") for p in checked.problems]
    assert got == expected
