"""The scoring command line at its published address: `python -m vru_core.scoring` (see vru_core.needs.cli).

Only an entry point: the scoring itself lives in vru_core.needs.scoring.
"""

from vru_core.needs.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
