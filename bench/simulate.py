"""Time ``drill simulate``'s Monte Carlo on every shipped runbook, and on a 20-step one.

    python bench/simulate.py [--runs 10000] [--repeat 5]

For each shipped runbook at sev1 (and a synthetic runbook of 20 one-off steps over
four roles, chained through anchors), runs the simulation ``--runs`` times in-process,
``--repeat`` times, and prints the best and median wall time of the Monte Carlo alone
and of the whole command's work (with the "one more person" trials).  Target: 10,000
runs of a 20-step runbook in at most 2 s.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from typing import TYPE_CHECKING

from incidentctl.drills.simulate import simulate
from incidentctl.paths import shipped_runbooks_dir
from incidentctl.runbooks.model import from_document
from incidentctl.runbooks.validate import load_runbook

if TYPE_CHECKING:
    from incidentctl.runbooks.model import Runbook


def twenty_steps() -> Runbook:
    """The data-breach runbook's document with its phases replaced by 20 one-off steps."""
    base = load_runbook(shipped_runbooks_dir() / "data-breach.yaml")
    doc = copy.deepcopy(base.doc)
    roles = [r["id"] for r in doc["roles"]][:4]
    steps = []
    for n in range(20):
        anchor = "opened" if n % 5 == 0 else f"s{n - 1}"
        steps.append(
            {
                "id": f"s{n}",
                "title": {"zh": f"步骤 {n}", "en": f"Step {n}"},
                "instructions": {"zh": "做。", "en": "Do it."},
                "role": roles[n % len(roles)],
                "effort": "5m-25m",
                "due": {"from": anchor, "sev1": "30m", "source": "team-policy"},
            }
        )
    doc["phases"] = [{"id": "respond", "name": {"zh": "响应", "en": "Respond"}, "steps": steps}]
    if not any(r["id"] == "team-policy" for r in doc["references"]):
        doc["references"].append({"id": "team-policy", "kind": "policy", "cite": "team policy"})
    return from_document(doc)


def timed(runbook: Runbook, runs: int, repeat: int, advise: bool) -> list[float]:
    times = []
    for seed in range(repeat):
        began = time.perf_counter()
        simulate(runbook, "sev1", runs=runs, seed=seed, advise=advise)
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    books = [load_runbook(p) for p in sorted(shipped_runbooks_dir().glob("*.yaml"))]
    books.append(twenty_steps())
    print(f"{'runbook':<22} {'steps':>5} {'monte carlo':>14} {'with advice':>14}")
    for rb in books:
        steps = sum(1 for s in rb.steps if s.applies_to("sev1") and not s.every and not s.per)
        plain = timed(rb, args.runs, args.repeat, advise=False)
        full = timed(rb, args.runs, args.repeat, advise=True)
        name = rb.id if len(rb.phases) > 1 else f"{rb.id} (20)"
        print(
            f"{name:<22} {steps:>5} "
            f"{min(plain):6.2f}/{statistics.median(plain):5.2f}s "
            f"{min(full):6.2f}/{statistics.median(full):5.2f}s"
        )
    print(f"(best/median of {args.repeat}; {args.runs} runs each; target: 20 steps in <= 2 s)")


if __name__ == "__main__":
    main()
