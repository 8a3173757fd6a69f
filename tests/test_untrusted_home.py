"""A home someone else could write is refused, as ssh refuses such a ~/.ssh: its config
could plant a paging command, its store could be swapped or moved away."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Run

NOBODY = 65534


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def needs_root() -> None:
    if os.getuid() != 0:
        pytest.skip("making a file that belongs to another user needs root")


@pytest.mark.sqlite_only("the modes of the home and its SQLite file")
def test_the_home_and_store_are_private_whatever_the_umask(
    run: Run, isolated: Path, umask_zero: None
) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    assert stat.S_IMODE(isolated.stat().st_mode) == 0o700
    assert stat.S_IMODE((isolated / "incidents.db").stat().st_mode) == 0o600


@pytest.mark.no_store("the home refused before the store is opened")
@pytest.mark.parametrize("command", [["list"], ["open", "payment-failure", "-s", "1", "-t", "t"]])
def test_a_home_others_can_write_is_refused(run: Run, isolated: Path, command: list[str]) -> None:
    isolated.mkdir()
    isolated.chmod(0o777)
    result = run(*command, expect=1)
    assert "refusing the incidentctl home" in result.stderr
    assert "others than its owner can write to it" in result.stderr
    assert "chmod go-w" in result.stderr
    assert not (isolated / "incidents.db").exists()
    zh = run("--lang", "zh", *command, expect=1).stderr
    assert "拒绝使用 incidentctl 主目录" in zh


def test_a_config_others_can_write_is_refused(run: Run, isolated: Path) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    isolated.mkdir(mode=0o700, exist_ok=True)  # beside a team store, nothing made it
    config = isolated / "config.yaml"
    config.write_text("notify:\n  command: [/tmp/planted]\n", encoding="utf-8")
    config.chmod(0o662)
    err = run("check", expect=1).stderr
    assert "refusing the config" in err and "config.yaml" in err


def test_a_config_with_secrets_others_can_read_is_warned_about(run: Run, isolated: Path) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    isolated.mkdir(mode=0o700, exist_ok=True)  # beside a team store, nothing made it
    config = isolated / "config.yaml"
    config.write_text("notify:\n  webhooks:\n    - url: https://x.example/hook/T0K\n")
    config.chmod(0o644)
    assert "holds notification secrets and others can read it" in run("check").stderr
    config.chmod(0o600)
    assert run("check").stderr == ""


@pytest.mark.sqlite_only("the mode of the SQLite file")
def test_a_store_others_can_write_is_refused(run: Run, isolated: Path) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    (isolated / "incidents.db").chmod(0o666)
    assert "refusing the incident store" in run("list", expect=1).stderr


@pytest.mark.no_store("the home refused before the store is opened")
def test_a_home_that_is_another_users_symlink_is_refused(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    needs_root()
    real = tmp_path / "real-home"
    real.mkdir(mode=0o700)
    isolated.symlink_to(real)
    os.lchown(isolated, NOBODY, NOBODY)
    err = run("list", expect=1).stderr
    assert "symbolic link that belongs to another user" in err


@pytest.mark.sqlite_only("the owner of the SQLite file")
def test_a_store_that_belongs_to_another_user_is_refused(run: Run, isolated: Path) -> None:
    needs_root()
    run("open", "payment-failure", "-s", "1", "-t", "t")
    os.chown(isolated / "incidents.db", NOBODY, NOBODY)
    assert "it belongs to another user" in run("list", expect=1).stderr


COMMANDS = (
    ["list"],
    ["deadlines"],
    ["check"],
    ["show", "1"],
    ["open", "payment-failure", "-s", "1", "-t", "t"],
)


@pytest.mark.no_store("the home refused before the store is opened")
@pytest.mark.parametrize("how", ["option", "env", "under-a-file"])
def test_a_home_that_is_not_a_directory_is_an_error(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    import json

    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    home = passwd / "incidentctl" if how == "under-a-file" else passwd
    given = [] if how == "env" else ["--home", str(home)]
    monkeypatch.setenv("INCIDENTCTL_HOME", str(home))
    origin = "$INCIDENTCTL_HOME" if how == "env" else "--home"
    for command in COMMANDS:
        err = run(*given, *command, expect=1).stderr
        assert f"the incidentctl home {home} ({origin}) cannot be used" in err, err
        assert f"{passwd} is not a directory" in err
        assert "no store at" not in err
        result = run(*given, *command, "--json", expect=1)
        assert result.stdout == ""
        error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
        assert error["code"] == "home.not_dir"
    assert passwd.read_text(encoding="utf-8") == "root:x:0:0:root:/root:/bin/sh\n"
