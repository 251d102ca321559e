import sys

from vru_core.register.cli import main

sys.exit(main())
