#!/usr/bin/env bash
# Adds an EF Core migration to migrations/ (compiled into AutoDL.Data). Usage: scripts/add-migration.sh Name
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 MigrationName" >&2; exit 2; }
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
dotnet ef migrations add "$1" -p src/AutoDL.Data -s src/AutoDL.Data -o ../../migrations --namespace AutoDL.Data.Migrations
# dotnet-ef writes the model snapshot under a folder named after its namespace; keep it beside the migrations.
if [ -f src/AutoDL.Data/AutoDL/Data/Migrations/AppDbContextModelSnapshot.cs ]; then
  mv src/AutoDL.Data/AutoDL/Data/Migrations/AppDbContextModelSnapshot.cs migrations/
  rm -rf src/AutoDL.Data/AutoDL
fi
rm -f src/AutoDL.Data/design-time.db
