#!/usr/bin/env bash
# Debian packages the program and its tests need: Qt's runtime libraries, a virtual screen
# (Xvfb) for screenshots, a real Secret Service (gnome-keyring in a D-Bus session), and the
# freedesktop validators the packaging tests run on the shipped .desktop and metainfo files.
# Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail

packages=(
  python3-venv
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0
  fonts-dejavu-core
  dbus dbus-x11 gnome-keyring libsecret-1-0
  xvfb xauth x11-apps
  desktop-file-utils appstream shared-mime-info xdg-utils libglib2.0-bin
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3-venv is only needed where the interpreter lacks a working venv module.
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
