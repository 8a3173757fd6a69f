"""The installed command, run as a user would: from an unrelated directory, in a new process."""

from __future__ import annotations

import os
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
