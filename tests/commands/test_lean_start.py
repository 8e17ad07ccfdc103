"""The command line answers without loading what it does not need (issue 15, lean start):
`workbench --version` and `workbench run --help` must not import the window, the analysis
or the HTTP engine, which cost most of a start's CPU."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("PySide6", "pyqtgraph", "numpy", "aiohttp", "httpx", "workbench.core.analysis",
         "workbench.core.runner", "workbench.ui")

PROBE = """
import json, sys
from workbench.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {roots!r}
                        or m.startswith(("workbench.core.analysis", "workbench.core.runner",
                                         "workbench.ui")))))
"""


@pytest.mark.parametrize("argv", [["--version"], ["run", "--help"]])
def test_version_and_run_help_load_nothing_heavy(argv: list[str]) -> None:
    roots = sorted({name.split(".")[0] for name in HEAVY if "." not in name})
    probe = PROBE.format(argv=argv, roots=roots)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=60)
    output = done.stdout.strip().splitlines()
    assert output[0].startswith("workbench ") or "usage: workbench run" in done.stdout
    loaded = json.loads(output[-1])
    packages = sorted({m if m.startswith("workbench") else m.split(".")[0] for m in loaded})
    assert loaded == [], f"workbench {' '.join(argv)} imported {packages}"
