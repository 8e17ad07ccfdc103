#!/usr/bin/env bash
# Install everything the tests need, then run every check: ruff, mypy, import-linter, pytest.
# This is the command README.md gives and the only thing .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-system-deps.sh
bash packaging/venv.sh test
export PATH="$PWD/.venv/bin:$PATH"
export QT_QPA_PLATFORM=offscreen QT_API=pyside6 PYQTGRAPH_QT_LIB=PySide6

echo "== ruff" && ruff check workbench tests benchmarks
echo "== mypy" && mypy workbench
echo "== import-linter" && lint-imports
echo "== pytest"
# A private D-Bus session so the keyring tests can start a real gnome-keyring in it.
exec dbus-run-session -- python -m pytest -p no:cacheprovider "$@"
