#!/usr/bin/env bash
# Installs what synthaudit needs and does not ship, if it is missing: the system libraries it
# links against (Debian/Ubuntu packages) and the Python packages of its test oracle.
set -euo pipefail
packages=(libcsv-dev libsqlite3-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  $sudo apt-get update
  $sudo apt-get install -y "${missing[@]}"
fi

# The tests' SQL oracle, report- and mapping-schema validators, the detection-power baseline and
# the benchmark's reference: DuckDB, numpy, scipy, jsonschema and PyYAML from PyPI.
if ! python3 -c 'import duckdb, numpy, scipy, jsonschema, yaml' 2>/dev/null; then
  echo "installing duckdb, numpy, scipy, jsonschema and pyyaml (pip)" >&2
  user=""
  [ "$(id -u)" -eq 0 ] || user="--user"
  python3 -m pip install --quiet --disable-pip-version-check $user duckdb numpy scipy jsonschema pyyaml
fi
