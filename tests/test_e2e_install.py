"""The installed command, run as a user would: from an unrelated directory, in a new process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXPECTED_RUNBOOKS = {
    "system-outage",
    "payment-failure",
    "data-breach",
    "public-opinion",
    "customer-complaint",
    "logistics-anomaly",
    "marketing-anomaly",
    "customer-data-error",
}


def script() -> Path:
    path = Path(sys.executable).parent / "incidentctl"
    if not path.exists():
        pytest.skip("the incidentctl console script is not installed in this environment")
    return path


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    return subprocess.run(
        args, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=60, check=False
    )


def test_console_script_finds_shipped_runbooks_from_any_directory(tmp_path: Path) -> None:
    result = run([str(script()), "--lang", "zh", "runbook", "list"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for rb in EXPECTED_RUNBOOKS:
        assert rb in result.stdout
    assert "交易异常与支付失败" in result.stdout


def test_python_dash_m(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "incidentctl", "--version"], cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("incidentctl, version ")


def test_user_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = run([str(script()), "runbook", "show", "no-such-runbook"], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: no runbook 'no-such-runbook'")
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = run([str(script()), "runbook", "show"], cwd=tmp_path)
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


@pytest.mark.sqlite_only("the README's quick start, on the default store in the home")
def test_readme_main_job_opens_and_shows_a_real_incident(tmp_path: Path) -> None:
    """The README's first set-up command, after its venv and pip steps, against this install."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    main_job = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)[0]
    prefix = "python3 -m venv .venv && .venv/bin/pip install . && "
    assert main_job.startswith(prefix), main_job
    command = main_job[len(prefix) :].replace(".venv/bin/incidentctl", str(script()))
    home = tmp_path / "home"
    for _ in range(2):  # a second run on the same day must work as well as the first
        result = run(["bash", "-c", command], cwd=tmp_path, INCIDENTCTL_HOME=str(home))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert re.search(r"INC-\d{8}-002", result.stdout), result.stdout
    assert "支付成功率骤降" in result.stdout
    assert (home / "incidents.db").exists()


def test_installed_json_output_follows_the_installed_schemas(tmp_path: Path) -> None:
    """The schemas ship with the package (a folder missing from setup.cfg's package data
    only shows in an installed copy), and what the installed command prints follows them."""
    from .contract import validate

    where = run(
        [sys.executable, "-c", "from incidentctl.paths import schemas_dir; print(schemas_dir())"],
        cwd=tmp_path,
    )
    installed = Path(where.stdout.strip())
    result = run([str(script()), "runbook", "list", "--json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    validate("runbook-list", json.loads(result.stdout), installed)
    home = tmp_path / "home"
    result = run([str(script()), "show", "1", "--json"], cwd=tmp_path, INCIDENTCTL_HOME=str(home))
    assert result.returncode == 1 and result.stdout == ""
    validate("error", json.loads(result.stderr.splitlines()[-1]), installed)
    result = run([str(script()), "show", "--jsn"], cwd=tmp_path, INCIDENTCTL_HOME=str(home))
    assert result.returncode == 2 and "No such option" in result.stderr  # plain, as asked
