#!/bin/sh
# Creates Temporal's two databases on Postgres and brings their schemas to the version the
# server image expects. Safe to run again: existing databases are kept and only missing schema
# versions are applied.
set -eu

SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql() {
  temporal-sql-tool --plugin "$SQL_PLUGIN" --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"
}

for database in temporal temporal_visibility; do
  case "$database" in
    temporal) schema_dir="$SCHEMA_ROOT/temporal/versioned" ;;
    *) schema_dir="$SCHEMA_ROOT/visibility/versioned" ;;
  esac
  echo "database $database: creating if missing"
  sql --db "$database" create || echo "database $database: already there"
  echo "database $database: applying schema from $schema_dir"
  sql --db "$database" setup-schema -v 0.0
  sql --db "$database" update-schema -d "$schema_dir"
done
echo "Temporal schema is ready"
