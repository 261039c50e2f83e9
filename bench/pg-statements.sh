#!/bin/sh
# Where PostgreSQL's time goes under a load: runs `hypercare serve` on a
# fresh schema, warms it for 2 s with `bench ingest`, resets
# pg_stat_statements, drives the same load for 5 s and prints the top
# statements by execution time (calls, ms, µs per call, rows), and the WAL
# and buffers per call of the alert and incident inserts. Needs the
# pg_stat_statements extension loaded (shared_preload_libraries, a
# restart, CREATE EXTENSION pg_stat_statements); unload it after, since it
# costs a few per cent of PostgreSQL's CPU.
#
#   bench/pg-statements.sh BINARY LOAD_ARGS...
#   e.g. bench/pg-statements.sh ./hypercare --routing-key 0123456789abcdef0123456789abcdef --concurrency 32 --keys 0
#   DATABASE_URL='postgres://…?sslmode=disable'  (default: the local test database)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1
shift
url=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test?sslmode=disable}
port=18640
psql "$url" -qc "DROP SCHEMA IF EXISTS hcstat CASCADE; CREATE SCHEMA hcstat;" 2> /dev/null
"$bin" serve --config "$dir/ingest-config.yaml" --database-url "$url&search_path=hcstat" --listen 127.0.0.1:$port --log-level warn &
pid=$!
trap 'kill $pid 2> /dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
"$bin" bench ingest --url http://127.0.0.1:$port "$@" --duration 2s --warmup 0s --keep > /dev/null 2>&1
psql "$url" -qAtc "SELECT pg_stat_statements_reset()" > /dev/null
"$bin" bench ingest --url http://127.0.0.1:$port "$@" --duration 5s --warmup 0s --keep 2>&1 | grep -E 'Events/s|Requests sent|Failed'
psql "$url" -c "SELECT calls, round(total_exec_time::numeric) AS ms, round((total_exec_time / calls * 1000)::numeric, 1) AS us_per_call,
  rows, left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25"
psql "$url" -c "SELECT calls, rows, round((total_exec_time / calls * 1000)::numeric, 1) AS us_per_call, round(wal_bytes / calls) AS wal_bytes,
  round(shared_blks_hit::numeric / calls, 1) AS blks_hit, left(regexp_replace(query, '\s+', ' ', 'g'), 60) AS query
  FROM pg_stat_statements WHERE query LIKE '%INSERT INTO alerts%' OR query LIKE '%INSERT INTO incidents%' ORDER BY total_exec_time DESC LIMIT 8"
