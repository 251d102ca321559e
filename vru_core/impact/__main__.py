from vru_core.impact.cli import main

raise SystemExit(main())
