#!/bin/sh
# Prints the B_SQL of bench/ab-ingest.sh that rebuilds the alerts,
# incidents, events and timeline tables of the migrated SQLite database $1
# as WITHOUT ROWID tables, with their indexes as they were. The tables are
# dropped, not copied: run it for a freshly migrated (empty) database.
#
#   bench/variants/without-rowid.sh DB_FILE
set -eu
db=$1
echo "PRAGMA foreign_keys=OFF;"
echo "BEGIN;"
for t in events timeline alerts incidents; do
	echo "DROP TABLE $t;"
done
for t in incidents alerts timeline events; do
	sqlite3 "$db" "SELECT sql || ', WITHOUT ROWID;' FROM sqlite_schema WHERE type = 'table' AND name = '$t'"
done
sqlite3 "$db" "SELECT sql || ';' FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('incidents', 'alerts', 'timeline', 'events')"
echo "COMMIT;"
