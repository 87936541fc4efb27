#!/usr/bin/env bash
# The tabular suite: our search against scikit-learn 1.2's default models (Debian's python3-sklearn, installed here when
# missing, as root) on repeated 75/25 train/holdout splits of the real tables in ../shared/datasets/tabular (manifest.json).
# Usage: bench/suite.sh [--seconds 60] [--splits 3] [--datasets sonar,glass,concrete] [--data DIR] [--svm-max-rows 20000]
#   --seconds is the budget of a 2,000-row table; each table's is clamp(S × sqrt(rows / 2000), S / 2, 2 S), printed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's package is for the system interpreter, which need not be the first python3 on PATH.
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/suite.sh: needs python3-sklearn; run as root or: sudo apt-get install -y python3-sklearn" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-sklearn >/dev/null
fi
dotnet run -c Release --project bench/AutoDL.Bench -- suite "$@"
