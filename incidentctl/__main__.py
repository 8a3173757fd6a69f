from __future__ import annotations

from incidentctl.cli.main import main

if __name__ == "__main__":
    main()
