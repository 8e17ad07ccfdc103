#!/usr/bin/env bash
# Build the frozen one-folder program: dist/workbench/workbench (Linux; the spec also serves
# Windows and macOS, see packaging/README.md). The wheel, not the checkout, is frozen: it is
# built, installed into build/freeze-venv with PyInstaller, and frozen from there.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
rm -rf build/wheel dist/workbench
"$python" -m venv build/freeze-venv
venv=build/freeze-venv/bin
"$venv/python" -m pip install -q --upgrade pip build "pyinstaller>=6.10"
"$venv/python" -m build --wheel --outdir build/wheel . >/dev/null
"$venv/python" -m pip install -q build/wheel/*.whl
started=$(date +%s)
(cd packaging/pyinstaller && "../../$venv/pyinstaller" --noconfirm --log-level WARN \
  --distpath ../../dist --workpath ../../build/pyinstaller workbench.spec)
echo "built dist/workbench in $(( $(date +%s) - started )) s: $(du -sh dist/workbench | cut -f1)"
