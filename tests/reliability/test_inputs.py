"""Bad input: a runbook file mangled at random is only ever a clean error, and hostile
YAML (alias bombs, deep nesting, huge flows, bytes that are not UTF-8) is refused by a
process held to 256 MB of memory and 60 s of CPU."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentctl.errors import IncidentctlError
from incidentctl.paths import shipped_runbooks_dir
from incidentctl.runbooks.validate import check_file
from tests.conftest import REPO

if TYPE_CHECKING:
    from pathlib import Path

resource = pytest.importorskip("resource")

SOURCE = (shipped_runbooks_dir() / "payment-failure.yaml").read_bytes()

#: A change to the file's bytes: delete a span, insert bytes, or repeat a span.
edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "repeat"]),
        st.integers(min_value=0, max_value=len(SOURCE)),
        st.integers(min_value=1, max_value=200),
        st.binary(min_size=1, max_size=12)
        | st.sampled_from(
            [b":", b"- ", b"\t", b"&a ", b"*a", b"{", b"[", b"'", b"\xff\xfe", b"\x1b[31m", b"\n  "]
        ),
    ),
    min_size=1,
    max_size=4,
)


def mangle(data: bytes, changes: list[tuple[str, int, int, bytes]]) -> bytes:
    for kind, where, size, stuff in changes:
        at = min(where, len(data))
        if kind == "delete":
            data = data[:at] + data[at + size :]
        elif kind == "insert":
            data = data[:at] + stuff + data[at:]
        else:
            data = data[:at] + data[at : at + size] * 3 + data[at:]
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=edits)
def test_a_mangled_runbook_is_a_clean_error_or_valid(tmp_path: Path, changes: list) -> None:  # type: ignore[type-arg]
    path = tmp_path / "payment-failure.yaml"
    path.write_bytes(mangle(SOURCE, changes))
    checked = check_file(path)
    if checked.ok:
        checked.runbook()
    else:
        assert checked.problems
        for p in checked.problems:
            assert "Traceback" not in p.message and "\x1b" not in p.format().replace("\\x1b", "")
        with pytest.raises(IncidentctlError):
            checked.runbook()


HOSTILE = {
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9)
    ),
    "deep-flow": "a: " + "[" * 200_000 + "]" * 200_000 + "\n",
    "deep-block": "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v\n",
    "huge-flow": "a: [" + ", ".join(["x"] * 400_000) + "]\n",
    "long-key": "k" * 2_000_000 + ": v\n",
    "not-utf8": "id: caf\xe9\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_refused_in_bounded_time_and_memory(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(HOSTILE[name].encode("latin-1" if name == "not-utf8" else "utf-8"))

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (256 * 2**20, 256 * 2**20))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    done = subprocess.run(
        [sys.executable, "-m", "incidentctl", "runbook", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=bounded,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert str(path.name) in done.stdout + done.stderr
