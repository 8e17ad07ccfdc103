"""`python -m workbench.sim [flags]`: the simulated endpoint, same flags as `workbench sim`."""

from workbench.sim.command import main

raise SystemExit(main())
