#!/bin/sh
# A/B of two hypercare binaries on ingest, taking turns on a fresh SQLite
# data directory each run: per round and binary, `bench ingest` (NEW_BINARY's)
# sends a new alert per event, then 1,000 re-triggering keys (32
# connections, one event per request), then Alertmanager webhook batches of
# 100 new alerts (8 connections), 5 s each after 1 s of warm-up:
#
#   bench/ab-ingest.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# It prints accepted events (alerts) per second of each, and the server's
# hypercare_store_key_reads_skipped_total (empty for a binary without it).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
old=$1 new=$2 rounds=${3:-3}
v2=0123456789abcdef0123456789abcdef am=fedcba9876543210fedcba9876543210 port=18610
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rate() {
	"$new" bench ingest --url http://127.0.0.1:$port --duration 5s --warmup 1s "$@" 2>&1 | awk '/Events\/s/ {print $2; exit}'
}
for r in $(seq 1 "$rounds"); do
	for side in A B; do
		bin=$old
		[ $side = B ] && bin=$new
		rm -rf "$work/data"
		"$bin" serve --config "$dir/ingest-config.yaml" --data-dir "$work/data" --listen 127.0.0.1:$port --log-level warn &
		pid=$!
		for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
		unique=$(rate --routing-key $v2 --concurrency 32 --keys 0)
		repeat=$(rate --routing-key $v2 --concurrency 32 --keys 1000)
		batch=$(rate --routing-key $am --format alertmanager --batch 100 --concurrency 8 --keys 0)
		skipped=$(curl -s http://127.0.0.1:$port/metrics | awk '/^hypercare_store_key_reads_skipped_total/ {print $2}')
		kill $pid
		wait $pid 2> /dev/null || true
		echo "$side round $r: unique $unique/s, repeat $repeat/s, unique-batch $batch alerts/s, key reads skipped ${skipped:-n/a}"
	done
done
