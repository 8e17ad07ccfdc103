#!/usr/bin/env bash
# Register the workbench with the desktop for the current user: menu entry, session-file MIME
# type (so a double-click opens a session) and icon. Run after packaging/run-from-source.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$data/applications" "$data/mime/packages" "$data/icons/hicolor/scalable/apps"
sed "s|^Exec=workbench|Exec=$here/../.venv/bin/workbench|" "$here/prompt-stress-workbench.desktop" \
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
echo "Installed the desktop entry and the session MIME type under $data"
