#!/bin/sh
# A/B of two hypercare binaries on PostgreSQL, counting what a new alert
# costs beside its rate: the server's write() calls per event (one per
# round trip to PostgreSQL, one per HTTP answer, plus the NOTIFYs), the
# server's CPU time per event and PostgreSQL's (every process of the
# local server, from /proc: PostgreSQL must run on this machine and /proc
# of its processes be readable, as root). Per round and side: a fresh
# schema, `bench ingest` of new alerts (or KEYS re-triggering keys), 32
# connections, 5 s after 1 s of warm-up. Each round first measures the
# bare JSON endpoint (`bench bare`) with the same load: the machine's
# speed that round. Round trips and CPU per event move less with the
# machine's load than events/s do.
#
#   bench/pg-roundtrips.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
#   DATABASE_URL='postgres://…?sslmode=disable'  (default: the local test database)
#   KEYS=1000                                    re-triggering keys instead of new alerts
#   BATCH=1                                      Alertmanager webhook batches of 100 alerts
#                                                (8 connections; "event" is then an alert)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
load="--routing-key 0123456789abcdef0123456789abcdef --concurrency 32"
if [ -n "${BATCH:-}" ]; then
	load="--routing-key fedcba9876543210fedcba9876543210 --format alertmanager --concurrency 8"
fi
old=$1 new=$2 rounds=${3:-3}
url=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test?sslmode=disable}
port=18630 pid=
trap 'kill $pid 2> /dev/null || true' EXIT
datadir=$(psql "$url" -Atc "SHOW data_directory")
postmaster=$(head -1 "$datadir/postmaster.pid")
ticks() { # user+system clock ticks of the processes given
	for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || true; done | awk '{s += $1} END {print s + 0}'
}
pgticks() { ticks "$postmaster" $(pgrep -P "$postmaster"); }
run() { # side binary
	psql "$url" -qc "DROP SCHEMA IF EXISTS hcrt CASCADE; CREATE SCHEMA hcrt;" 2> /dev/null
	"$2" serve --config "$dir/ingest-config.yaml" --database-url "$url&search_path=hcrt" \
		--listen 127.0.0.1:$port --log-level warn &
	pid=$!
	for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
	p0=$(pgticks) h0=$(ticks $pid) w0=$(awk '/^syscw/ {print $2}' /proc/$pid/io)
	out=$("$new" bench ingest --url http://127.0.0.1:$port $load \
		--keys "${KEYS:-0}" --duration 5s --warmup 1s --keep 2>&1)
	p1=$(pgticks) h1=$(ticks $pid) w1=$(awk '/^syscw/ {print $2}' /proc/$pid/io)
	kill $pid
	wait $pid 2> /dev/null || true
	echo "$out" | awk -v side="$1" -v pg=$((p1 - p0)) -v hc=$((h1 - h0)) -v w=$((w1 - w0)) -v hz="$(getconf CLK_TCK)" -v per="${BATCH:+100}" '
		/^Requests sent/ {n = $3; x = $4; gsub(/[^0-9]/, "", x); n = (n + x) * (per ? per : 1)}
		/Events\/s/ {r = $2}
		/^Failed/ {f = $2}
		END {printf "%s: %s events/s, %.2f writes/event, server %.0f cpu-µs/event, PostgreSQL %.0f cpu-µs/event, %s failed\n",
			side, r, w / n, hc / hz * 1e6 / n, pg / hz * 1e6 / n, f}'
}
for r in $(seq 1 "$rounds"); do
	"$new" bench bare --listen 127.0.0.1:$port &
	pid=$!
	for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
	echo "round $r: bare endpoint $("$new" bench ingest --url http://127.0.0.1:$port \
		$load --keys "${KEYS:-0}" --duration 5s --warmup 1s \
		--keep 2>&1 | awk '/Events\/s/ {print $2}') events/s"
	kill $pid
	wait $pid 2> /dev/null || true
	for side in A B; do
		bin=$old
		[ $side = B ] && bin=$new
		run "$side round $r" "$bin"
	done
done
