#!/usr/bin/env bash
# Adds an EF Core migration of the application database for both providers, under one name:
#   SQLite     -> migrations/            (compiled into AutoDL.Data)
#   PostgreSQL -> migrations/PostgreSql/ (compiled into AutoDL.Data.PostgreSql, EF Core's migrations assembly for it)
# Usage: scripts/add-migration.sh Name. Neither needs a database server. The Data tests check that both match the model.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 MigrationName" >&2; exit 2; }
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null

# add PROJECT OUTPUT_FOLDER NAMESPACE
add() {
  local project=$1 output=$2 namespace=$3
  dotnet ef migrations add "$NAME" -p "$project" -s "$project" -o "$output" --namespace "$namespace"
  # dotnet-ef writes the model snapshot under a folder named after its namespace; keep it beside the migrations.
  local stray="$project/${namespace//.//}/AppDbContextModelSnapshot.cs"
  if [ -f "$stray" ]; then
    mv "$stray" "$project/$output/"
    rm -rf "$project/${namespace%%.*}"
  fi
}

NAME=$1
add src/AutoDL.Data ../../migrations AutoDL.Data.Migrations
rm -f src/AutoDL.Data/design-time.db
add src/AutoDL.Data.PostgreSql ../../migrations/PostgreSql AutoDL.Data.PostgreSql.Migrations
