#!/usr/bin/env bash
# Issue 3's ingest benchmark: our schema + profile (DatasetProfiler) and schema-only scan against ML.NET's TextLoader on a generated file, in one run.
# Usage: bench/ingest.sh [--rows N]   (default 1,000,000 rows × 20 columns)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/AutoDL.Bench -- ingest "$@"
