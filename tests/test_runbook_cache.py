"""A runbook already checked is not parsed and validated again: runbook list and open
stay fast.  The remembered check follows the file's bytes and this release exactly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, REPO, Run


def cached(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "incidentctl" / "runbooks").glob("*.json"))


def loads(module: str, importtime: str) -> bool:
    return re.search(rf"\|\s+{re.escape(module)}$", importtime, re.M) is not None


def imports_of(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "incidentctl", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr


@pytest.mark.store
def test_a_second_runbook_list_loads_no_yaml_and_no_schema(isolated: Path, tmp_path: Path) -> None:
    env = {**os.environ}
    first = imports_of("runbook", "list", env=env)
    assert loads("yaml", first) and loads("jsonschema", first)
    assert len(cached(tmp_path)) == 10  # every shipped runbook
    again = imports_of("runbook", "list", env=env)
    assert not loads("yaml", again) and not loads("jsonschema", again)
    opened = imports_of("open", "payment-failure", "-s", "1", "-t", "t", env=env)
    assert not loads("yaml", opened) and not loads("jsonschema", opened)


@pytest.mark.no_store("the runbook cache, not the store")
def test_a_changed_file_is_checked_again(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    book = folder / "minimal.yaml"
    book.write_text((DATA / "runbooks" / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
    run("--runbooks", str(folder), "runbook", "validate")
    run("--runbooks", str(folder), "runbook", "validate")  # remembered
    book.write_text(
        book.read_text(encoding="utf-8").replace("schema_version: 1", "schema_version: 1\nbogus: 1")
    )
    out = run("--runbooks", str(folder), "runbook", "validate", expect=1).stdout
    assert "unknown key 'bogus'" in out


@pytest.mark.no_store("the runbook cache, not the store")
def test_problems_are_remembered_exactly(run: Run) -> None:
    bad = DATA / "runbooks" / "invalid" / "unknown-anchor.yaml"
    first = run("runbook", "validate", str(bad), expect=1).stdout
    assert run("runbook", "validate", str(bad), expect=1).stdout == first
    assert (DATA / "runbooks" / "invalid" / "unknown-anchor.expect").read_text(
        encoding="utf-8"
    ).strip() in first


@pytest.mark.no_store("the runbook cache, not the store")
def test_a_damaged_or_planted_entry_is_not_trusted(run: Run, tmp_path: Path) -> None:
    run("runbook", "list")
    entries = cached(tmp_path)
    entries[0].write_text("{not json")
    run("runbook", "list")  # checked again, and remembered again
    # a cache others can write is not used at all, so a planted "checked" runbook is ignored
    directory = entries[0].parent
    for entry in cached(tmp_path):
        data = json.loads(entry.read_text(encoding="utf-8"))
        if data["document"].get("id") == "payment-failure":
            data["document"]["title"]["en"] = "PLANTED"
            entry.write_text(json.dumps(data), encoding="utf-8")
    directory.chmod(0o777)
    assert "PLANTED" not in run("runbook", "show", "payment-failure").stdout
    directory.chmod(0o700)
    assert "PLANTED" in run("runbook", "show", "payment-failure").stdout  # it was read


@pytest.mark.no_store("the runbook cache, not the store")
def test_the_cache_can_be_turned_off(run: Run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INCIDENTCTL_CACHE", "off")
    run("runbook", "list")
    assert cached(tmp_path) == []


def test_a_changed_checker_misses_the_remembered_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A schema or lint change made without a version bump still re-checks every file."""
    from incidentctl.runbooks import cache

    before = cache.key(b"id: x\n")
    monkeypatch.setattr(cache, "_fingerprint", ["another checker"])
    assert cache.key(b"id: x\n") != before


@pytest.mark.no_store("the runbook cache, not the store")
def test_the_remembered_sha256_is_the_documents_own(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sha256 an incident pins is kept with the remembered check, not computed again:
    it must be exactly the hash of the canonical document, as a check without the cache
    computes it, for every shipped runbook."""
    from incidentctl.runbooks.model import document_sha256

    def shas() -> dict[str, str]:
        found = {}
        for rb in json.loads(run("runbook", "list", "--json").stdout)["runbooks"]:
            shown = json.loads(run("runbook", "show", rb["id"], "--json").stdout)
            assert shown["runbook"]["sha256"] == document_sha256(shown["document"])
            found[rb["id"]] = shown["runbook"]["sha256"]
        return found

    run("runbook", "list")  # checked and remembered
    remembered = shas()
    monkeypatch.setenv("INCIDENTCTL_CACHE", "off")
    assert shas() == remembered and len(remembered) >= 10
