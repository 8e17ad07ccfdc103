#!/usr/bin/env bash
# Register the workbench with the desktop for the current user: menu entry, session-file MIME
# type (so a double-click opens a session) and icon.
#   install-desktop-entry.sh [PROGRAM]
# PROGRAM is the workbench to start: by default the source install's .venv/bin/workbench
# (packaging/run-from-source.sh), else the frozen dist/workbench/workbench (packaging/build.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
program="${1:-}"
if [ -z "$program" ]; then
  for candidate in "$here/../.venv/bin/workbench" "$here/../dist/workbench/workbench"; do
    [ -x "$candidate" ] && program="$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")" && break
  done
fi
[ -x "$program" ] || { echo "no workbench program found: give its path" >&2; exit 2; }
data="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$data/applications" "$data/mime/packages" "$data/icons/hicolor/scalable/apps"
sed "s|^Exec=workbench|Exec=$program|" "$here/prompt-stress-workbench.desktop" \
  > "$data/applications/prompt-stress-workbench.desktop"
cp "$here/prompt-stress-workbench-mime.xml" "$data/mime/packages/"
icons="$here/../resources/icons"
cp "$icons/workbench.svg" "$data/icons/hicolor/scalable/apps/prompt-stress-workbench.svg"
for png in "$icons"/hicolor/*/apps/prompt-stress-workbench.png; do
  size="$(basename "$(dirname "$(dirname "$png")")")"
  mkdir -p "$data/icons/hicolor/$size/apps"
  cp "$png" "$data/icons/hicolor/$size/apps/"
done
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
command -v xdg-mime >/dev/null && \
  xdg-mime default prompt-stress-workbench.desktop application/x-prompt-stress-session || true
echo "Installed the desktop entry ($program) and the session MIME type under $data"
