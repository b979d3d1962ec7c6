#!/usr/bin/env bash
# Installs the system libraries synthaudit links against (Debian/Ubuntu), if they are missing.
set -euo pipefail
packages=(libcsv-dev libsqlite3-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]}" >&2
$sudo apt-get update
$sudo apt-get install -y "${missing[@]}"
