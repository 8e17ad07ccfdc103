"""The composition root builds the window without loading what only a run, a probe or an
export needs: the window's first frame does not wait for the HTTP stack or the report."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QSettings
from workbench import app
qt = app.ensure_application()
window = app.build_window(app.build_services(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat)))
window.show()
qt.processEvents()
print(json.dumps(sorted(m for m in ("aiohttp", "httpx", "jinja2", "workbench.core.runner",
                                    "workbench.core.probe", "workbench.core.export")
                        if m in sys.modules)))
window.close()
"""


def test_the_window_opens_without_the_engine_probe_or_report(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "window.ini")],
                          capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
