#!/usr/bin/env bash
# Build the frozen program (packaging/build.sh) and check it as a user would run it:
# `--version`, then `--self-check` from another folder, with no Python on the path.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash packaging/build.sh
exe="$PWD/dist/workbench/workbench"
cd "$(mktemp -d)"
env -u PYTHONPATH -u VIRTUAL_ENV PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$exe" --version
env -u PYTHONPATH -u VIRTUAL_ENV PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$exe" --self-check
echo "frozen build checked in $(( $(date +%s) - started )) s"
