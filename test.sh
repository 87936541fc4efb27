#!/usr/bin/env bash
# Runs every test of the solution. On a fresh Debian machine, as root, it first installs from Debian's packages
# what the tests need and is missing (chromium for the end-to-end tests, postgresql for the PostgreSQL tests, which
# start their own throwaway server). CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: the tests need ${missing[*]}; run this script as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Install without starting services: postgresql's own cluster is not wanted (the tests run theirs), and a container
  # has no init system to start it with. A policy-rc.d that refuses every start does that, for this install only.
  policy=/usr/sbin/policy-rc.d added=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=$policy
  fi
  trap '[ -z "$added" ] || rm -f "$added"' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$added" ] || rm -f "$added"
  trap - EXIT
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build AutoDL.sln -nologo -clp:ErrorsOnly
set +e
dotnet test AutoDL.sln --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole solution, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { k = $i; v = $(i + 1); gsub(/[,:]/, "", k); gsub(/,/, "", v)
         if (k == "Failed") f += v; else if (k == "Passed") p += v; else if (k == "Skipped") s += v } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
