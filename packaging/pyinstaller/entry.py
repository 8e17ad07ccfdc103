"""The frozen program's entry point: the same `workbench` command as the installed one."""

import multiprocessing

from workbench.cli import main

if __name__ == "__main__":
    # A frozen child started by multiprocessing must run its task, not the command line.
    multiprocessing.freeze_support()
    raise SystemExit(main())
