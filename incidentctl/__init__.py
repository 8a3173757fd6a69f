"""incidentctl: incident response for e-commerce platforms.

Runbooks as code, append-only tamper-evident incident logs, tiered deadlines,
drills and post-mortems.  The command line lives in :mod:`incidentctl.cli`;
everything else is a library that never prints, and that measures incidents
only by the clocks of :mod:`incidentctl.clock`.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Highest runbook ``schema_version`` this release understands.
RUNBOOK_SCHEMA_VERSION = 1
