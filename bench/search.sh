#!/usr/bin/env bash
# Issue 4's benchmark: our samplers against Optuna 3.1 (Debian's python3-optuna, installed here when missing, as root)
# on the same functions, seeds and budgets, in one run. Usage: bench/search.sh [--seeds N] [--quick]
# bench/search.sh variants [--seeds 100] [--variants tpe,tpe-normalised,...]: our TPE's configurations against each other
# (no peer), the measurements behind the product's TPE settings.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/search.sh: needs python3-optuna; run as root or: sudo apt-get install -y python3-optuna" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-optuna >/dev/null
fi
if [ "${1:-}" = variants ]; then
  shift
  exec dotnet run -c Release --project bench/AutoDL.Bench -- search-variants "$@"
fi
dotnet run -c Release --project bench/AutoDL.Bench -- search "$@"
