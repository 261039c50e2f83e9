#!/bin/sh
# Bytes per event of two hypercare binaries, each on a fresh SQLite data
# directory: `bench ingest --keep` for 10 s (a new alert per event, then
# 1,000 keys re-triggering), the server stopped, its WAL checkpointed into
# the file, then used bytes / rows in the event log, and the live stream
# outbox's share (sqlite3 with dbstat):
#
#   bench/ab-bytes.sh OLD_BINARY NEW_BINARY
#
# BATCH=100 instead sends Alertmanager webhook notifications of 100 new
# alerts each (8 connections, kilobyte payloads; the --keys 0 run only).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
key=0123456789abcdef0123456789abcdef port=18700
config=stream-config.yaml load="--routing-key $key --concurrency 32" keys_list="0 1000"
if [ -n "${BATCH:-}" ]; then
	config=ingest-config.yaml keys_list=0
	load="--routing-key fedcba9876543210fedcba9876543210 --format alertmanager --batch $BATCH --concurrency 8"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in "$@"; do
	for keys in $keys_list; do
		rm -rf "$work/data"
		"$bin" serve --config "$dir/$config" --data-dir "$work/data" --listen 127.0.0.1:$port --log-level warn &
		pid=$!
		for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
		rate=$("$bin" bench ingest --url http://127.0.0.1:$port $load --duration 10s \
			--warmup 1s --keys $keys --keep 2>&1 | awk '/Events\/s/ {print $2; exit}')
		kill $pid; wait $pid || true
		db=$work/data/hypercare.db
		sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
		sizes=$(sqlite3 -separator ' ' "$db" "SELECT (SELECT COUNT(*) FROM events),
			((SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)) *
			(SELECT page_size FROM pragma_page_size), (SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '%stream_events%')")
		events=${sizes%% *} rest=${sizes#* }
		used=${rest%% *} outbox=${rest#* }
		echo "$bin --keys $keys: $events events at $rate/s, $((used / events)) used bytes per event, of which the outbox $((outbox / events))"
	done
done
