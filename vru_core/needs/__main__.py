from vru_core.needs.cli import main

raise SystemExit(main())
