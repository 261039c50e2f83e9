#!/bin/sh
# Ingest with one live-stream client attached, two hypercare binaries
# taking turns on fresh SQLite data directories: a `curl -N` follows
# GET /api/v1/stream while `bench ingest` sends 1,000 re-triggering keys,
# then a new alert per event, 5 s each:
#
#   bench/ab-stream-watch.sh OLD_BINARY NEW_BINARY [ROUNDS]
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
old=$1 new=$2 rounds=${3:-3}
key=0123456789abcdef0123456789abcdef port=18600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for r in $(seq 1 "$rounds"); do
	for bin in "$old" "$new"; do
		rm -rf "$work/data"
		"$bin" serve --config "$dir/stream-config.yaml" --data-dir "$work/data" --listen 127.0.0.1:$port --log-level warn &
		pid=$!
		for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
		token=$("$bin" token create --name watch --role viewer --data-dir "$work/data" 2> /dev/null)
		curl -sN -H "Authorization: Bearer $token" http://127.0.0.1:$port/api/v1/stream > "$work/stream" &
		watcher=$!
		sleep 0.3
		for keys in 1000 0; do
			rate=$("$bin" bench ingest --url http://127.0.0.1:$port --routing-key $key --concurrency 32 --duration 5s \
				--warmup 1s --keys $keys 2>&1 | awk '/Events\/s/ {print $2; exit}')
			echo "round $r $bin --keys $keys: $rate events/s"
		done
		echo "round $r $bin: the client got $(grep -c '^id: ' "$work/stream") events"
		kill $watcher $pid; wait $pid || true
	done
done
