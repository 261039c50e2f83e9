#!/bin/sh
# A/B of two hypercare binaries (or of one binary against a variant of
# itself) on ingest, taking turns on a fresh SQLite data directory (or a
# fresh PostgreSQL schema) each run: per round and side, `bench ingest`
# (NEW_BINARY's) sends a new alert per event, then 1,000 re-triggering
# keys (32 connections, one event per request), then Alertmanager webhook
# batches of 100 new alerts (8 connections), 5 s each after 1 s of warm-up.
# Each round first measures the bare JSON endpoint (`bench bare`) with the
# new-alert load: the machine's speed that round, to compare rounds by.
#
#   bench/ab-ingest.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Variants of side B (all optional, for one binary against itself):
#   B_ENV='GOGC=200'                  environment of B's server
#   B_PRE_SQL='PRAGMA page_size=16384; PRAGMA journal_mode=WAL;'
#                                     sqlite3 on B's new database file before the server creates it
#   B_SQL='DROP INDEX alerts_status;' sqlite3 on B's database once migrated (a first start), before the run
#   DATABASE_URL='postgres://…?sslmode=disable'  PostgreSQL instead of SQLite: a fresh schema per run
#
# It prints accepted events (alerts) per second of each load, and the
# server's hypercare_store_key_reads_skipped_total (n/a before it existed).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
old=$1 new=$2 rounds=${3:-3}
v2=0123456789abcdef0123456789abcdef am=fedcba9876543210fedcba9876543210 port=18610
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rate() {
	"$new" bench ingest --url http://127.0.0.1:$port --duration 5s --warmup 1s "$@" 2>&1 | awk '/Events\/s/ {print $2; exit}'
}
up() {
	for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && return; sleep 0.1; done
}
serve() { # side binary
	store="--data-dir $work/data"
	if [ -n "${DATABASE_URL:-}" ]; then
		store="--database-url $DATABASE_URL&search_path=hcab"
	fi
	if [ "$1" = B ]; then
		env ${B_ENV:-} "$2" serve --config "$dir/ingest-config.yaml" $store --listen 127.0.0.1:$port --log-level warn &
	else
		"$2" serve --config "$dir/ingest-config.yaml" $store --listen 127.0.0.1:$port --log-level warn &
	fi
	pid=$!
	up
}
stop() {
	kill $pid
	wait $pid 2> /dev/null || true
}
for r in $(seq 1 "$rounds"); do
	"$new" bench bare --listen 127.0.0.1:$port &
	pid=$!
	up
	echo "round $r: bare endpoint $(rate --routing-key $v2 --concurrency 32 --keys 0 --keep)/s"
	stop
	for side in A B; do
		bin=$old
		[ $side = B ] && bin=$new
		rm -rf "$work/data"
		if [ -n "${DATABASE_URL:-}" ]; then
			psql "$DATABASE_URL" -qc "DROP SCHEMA IF EXISTS hcab CASCADE; CREATE SCHEMA hcab;" 2> /dev/null
		elif [ $side = B ] && [ -n "${B_PRE_SQL:-}" ]; then
			mkdir -m 700 "$work/data"
			sqlite3 "$work/data/hypercare.db" "$B_PRE_SQL" > /dev/null
		fi
		if [ $side = B ] && [ -n "${B_SQL:-}" ]; then
			serve $side "$bin"
			stop
			sqlite3 "$work/data/hypercare.db" "$B_SQL" > /dev/null
		fi
		serve $side "$bin"
		unique=$(rate --routing-key $v2 --concurrency 32 --keys 0)
		repeat=$(rate --routing-key $v2 --concurrency 32 --keys 1000)
		batch=$(rate --routing-key $am --format alertmanager --batch 100 --concurrency 8 --keys 0)
		skipped=$(curl -s http://127.0.0.1:$port/metrics | awk '/^hypercare_store_key_reads_skipped_total/ {print $2}')
		stop
		echo "$side round $r: unique $unique/s, repeat $repeat/s, unique-batch $batch alerts/s, key reads skipped ${skipped:-n/a}"
	done
done
