#!/usr/bin/env bash
# Issue 5's benchmark: our tabular search against scikit-learn 1.2's default models (Debian's python3-sklearn, installed
# here when missing, as root) on the same train/test splits, in one run.
# Usage: bench/tabular.sh [--seconds 60] [--datasets iris,breast_cancer,diabetes,digits,synthetic] [--synthetic-rows 100000]
#                         [--seed 0] [--svm-max-rows 20000] [--learners mlp]   (default learners: the task's defaults; mlp is opt-in)
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's package is for the system interpreter, which need not be the first python3 on PATH.
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/tabular.sh: needs python3-sklearn; run as root or: sudo apt-get install -y python3-sklearn" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-sklearn >/dev/null
fi
dotnet run -c Release --project bench/AutoDL.Bench -- tabular "$@"
