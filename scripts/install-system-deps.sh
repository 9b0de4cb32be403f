#!/usr/bin/env bash
# System packages Paddock's features and tests need (Debian/Ubuntu). Safe to run again.
set -euo pipefail
PACKAGES=(chromium xvfb gnome-keyring dbus-x11 libsecret-1-dev bubblewrap socat git ripgrep python3-pip curl openssh-server openssh-client)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "system packages: installed"
