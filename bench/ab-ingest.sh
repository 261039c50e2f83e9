#!/bin/sh
# A/B of two hypercare binaries (or of one binary against a variant of
# itself) on ingest, taking turns on a fresh SQLite data directory (or a
# fresh PostgreSQL schema) each run: per round and side, `bench ingest`
# (NEW_BINARY's) sends a new alert per event, then 1,000 re-triggering
# keys (32 connections, one event per request; the new alerts of a run are
# left open, the re-triggered ones resolved), then Alertmanager webhook
# batches of 100 new alerts and of 100 of 1,000 re-sent alerts (8
# connections), 5 s each after 1 s of warm-up.
# Each round first measures the bare JSON endpoint (`bench bare`) with the
# new-alert load: the machine's speed that round, to compare rounds by.
#
#   bench/ab-ingest.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Variants of side B (all optional, for one binary against itself):
#   B_ENV='GOGC=200'                  environment of B's server
#   B_FLAGS='--db-writers 1'          more flags of B's serve (A_FLAGS: of A's)
#   B_PRE_SQL='PRAGMA page_size=16384; PRAGMA journal_mode=WAL;'
#                                     sqlite3 on B's new database file before the server creates it
#   B_SQL='DROP INDEX alerts_status;' sqlite3 on B's database once migrated (a first start), before the run
#                                     (psql on B's schema with DATABASE_URL)
#   DATABASE_URL='postgres://…?sslmode=disable'  PostgreSQL instead of SQLite: a fresh schema per run
# and of both sides:
#   LOADS='repeat-batch'              the loads to run, in order, each on
#                                     the store the ones before it filled
#                                     (default: all four)
#
# It prints accepted events (alerts) per second of each load with the
# server's CPU time per event, and its
# hypercare_store_key_reads_skipped_total (n/a before it existed).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
old=$1 new=$2 rounds=${3:-3} loads=${LOADS:-unique repeat unique-batch repeat-batch}
v2=0123456789abcdef0123456789abcdef am=fedcba9876543210fedcba9876543210 port=18610
work=$(mktemp -d)
trap 'kill ${pid:-} 2> /dev/null; rm -rf "$work"' EXIT
# rate ALERTS_PER_REQUEST ARGS… prints the load's accepted events/s and
# the server's CPU time per event (user+system over the warm-up, the
# measured load and the clean-up's resolves, per event of all three):
# steadier than events/s on a shared machine, the figure for a change that
# saves CPU.
rate() {
	per=$1
	shift
	c0=$(cpu)
	out=$("$new" bench ingest --url http://127.0.0.1:$port --duration 5s --warmup 1s "$@" 2>&1)
	c1=$(cpu)
	echo "$out" | awk -v per="$per" -v cpu=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '
		/^Requests sent/ {n = $3; w = $4; gsub(/[^0-9]/, "", w); n = (n + w) * per}
		/^Cleanup +resolved/ {c = $3}
		/Events\/s/ {r = $2}
		END {printf "%s/s (%.1f cpu-µs/event)", r, n ? cpu / hz * 1e6 / (n + c) : 0}'
}
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
up() {
	for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && return; sleep 0.1; done
}
serve() { # side binary
	store="--data-dir $work/data"
	if [ -n "${DATABASE_URL:-}" ]; then
		store="--database-url $DATABASE_URL&search_path=hcab"
	fi
	if [ "$1" = B ]; then
		env ${B_ENV:-} "$2" serve --config "$dir/ingest-config.yaml" $store --listen 127.0.0.1:$port --log-level warn ${B_FLAGS:-} &
	else
		"$2" serve --config "$dir/ingest-config.yaml" $store --listen 127.0.0.1:$port --log-level warn ${A_FLAGS:-} &
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
	echo "round $r: bare endpoint $(rate 1 --routing-key $v2 --concurrency 32 --keys 0 --keep)"
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
			if [ -n "${DATABASE_URL:-}" ]; then
				psql "$DATABASE_URL" -qc "SET search_path = hcab; $B_SQL" > /dev/null
			else
				sqlite3 "$work/data/hypercare.db" "$B_SQL" > /dev/null
			fi
		fi
		serve $side "$bin"
		line="$side round $r:"
		for load in $loads; do
			case $load in
			unique) out=$(rate 1 --routing-key $v2 --concurrency 32 --keys 0 --keep) ;;
			repeat) out=$(rate 1 --routing-key $v2 --concurrency 32 --keys 1000) ;;
			unique-batch) out="$(rate 100 --routing-key $am --format alertmanager --batch 100 --concurrency 8 --keys 0 --keep) (alerts)" ;;
			repeat-batch) out="$(rate 100 --routing-key $am --format alertmanager --batch 100 --concurrency 8 --keys 1000) (alerts)" ;;
			*) echo "unknown load $load" >&2 && exit 2 ;;
			esac
			line="$line $load $out,"
		done
		skipped=$(curl -s http://127.0.0.1:$port/metrics | awk '/^hypercare_store_key_reads_skipped_total/ {print $2}')
		stop
		echo "$line key reads skipped ${skipped:-n/a}"
	done
done
