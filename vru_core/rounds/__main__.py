import sys

from vru_core.rounds.cli import main

sys.exit(main())
