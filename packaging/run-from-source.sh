#!/usr/bin/env bash
# Install the workbench into .venv and start it on its built-in simulated endpoint (no key).
# With a display, the window opens; without one (a server, a container), the command-line
# demo runs instead, so the install is still proven end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-system-deps.sh
bash packaging/venv.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/workbench "$@"
fi
echo "No display found: running the command-line demo on the local simulated endpoint." >&2
echo "(Open the window later with: .venv/bin/workbench)" >&2
exec .venv/bin/workbench run --prompt "Explain TCP slow start" --concurrency 1,8 --repetitions 10 "$@"
