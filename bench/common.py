"""What every benchmark script shares: running commands round-robin with a bare
``python -c pass`` measured in the same run, and printing medians, the ratio to the bare
interpreter and peak memory."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

BARE = "python -c pass"


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Run ``argv``; return (seconds, exit status, peak RSS in KiB)."""
    started = time.perf_counter()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        pid = os.posix_spawn(
            argv[0],
            argv,
            env,
            file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)],
        )
        _, status, usage = os.wait4(pid, 0)
    finally:
        os.close(devnull)
    return time.perf_counter() - started, os.waitstatus_to_exitcode(status), usage.ru_maxrss


def executable() -> str | None:
    """The ``incidentctl`` installed next to this Python (else on the PATH)."""
    return shutil.which("incidentctl", path=str(Path(sys.executable).parent)) or shutil.which(
        "incidentctl"
    )


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        INCIDENTCTL_HOME=str(home),
        INCIDENTCTL_USER="bench",
        NO_COLOR="1",
        COLUMNS="120",
        TZ="Asia/Shanghai",
    )
    return env


def measure(
    commands: dict[str, list[str]],
    env: dict[str, str],
    runs: int,
    *,
    before: dict[str, object] | None = None,
) -> list[dict[str, object]] | None:
    """Run each command ``runs`` times, round-robin (after one warm-up round), with the
    bare interpreter first; ``before`` maps a command to a callable run before each of its
    runs (untimed).  Rows of command, median ms, ratio to bare, peak MB; ``None`` if a
    command failed."""
    commands = {BARE: [sys.executable, "-c", "pass"], **commands}
    before = before or {}
    for name, argv in commands.items():
        if callable(before.get(name)):
            before[name]()  # type: ignore[operator]
        spawn(argv, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks = dict.fromkeys(commands, 0)
    for _ in range(runs):
        for name, argv in commands.items():
            if callable(before.get(name)):
                before[name]()  # type: ignore[operator]
            seconds, status, rss = spawn(argv, env)
            if status not in (0, 1):
                print(f"{name} exited {status}", file=sys.stderr)
                return None
            times[name].append(seconds)
            peaks[name] = max(peaks[name], rss)
    base = statistics.median(times[BARE])
    return [
        {
            "command": name,
            "median_ms": round(statistics.median(times[name]) * 1000, 1),
            "ratio": round(statistics.median(times[name]) / base, 2),
            "peak_mb": round(peaks[name] / 1024, 1),
        }
        for name in commands
    ]


def show(rows: list[dict[str, object]], width: int = 40) -> None:
    print(f"{'command':<{width}} {'median ms':>10} {'x bare':>7} {'peak MB':>8}")
    for row in rows:
        print(
            f"{row['command']!s:<{width}} {row['median_ms']!s:>10} {row['ratio']!s:>7} "
            f"{row['peak_mb']!s:>8}"
        )
