"""`python -m bench.stress`: the stress harness's command line (see bench.stress.report.main).

The writers' code lives in importable modules (bench.stress.harness, bench.stress.writers), so spawned
writers find `_writer` by its module name; this file only starts the command line.
"""

import sys

from bench.stress.report import main

sys.exit(main())
