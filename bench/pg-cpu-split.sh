#!/bin/sh
# Where a load's CPU goes with Hypercare on PostgreSQL on the same machine:
# runs `hypercare serve` (bench/ingest-config.yaml) on a fresh schema,
# drives it with `bench ingest` LOAD_ARGS for 12 s, and after 4 s samples
# for 5 s the CPU time (user + system, /proc/PID/stat) of the server, of
# the test database's PostgreSQL backends and of the load generator, in
# cores; then prints the load's events/s. Linux only.
#
#   bench/pg-cpu-split.sh BINARY LOAD_ARGS...
#   e.g. bench/pg-cpu-split.sh ./hypercare --format alertmanager --batch 100 --keys 1000 \
#          --concurrency 8 --routing-key fedcba9876543210fedcba9876543210
#   DATABASE_URL='postgres://…?sslmode=disable'  (default: the local test database)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1
shift
url=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test?sslmode=disable}
port=18660 work=$(mktemp -d)
psql "$url" -qc "DROP SCHEMA IF EXISTS hcsplit CASCADE; CREATE SCHEMA hcsplit;" 2> /dev/null
"$bin" serve --config "$dir/ingest-config.yaml" --database-url "$url&search_path=hcsplit" --listen 127.0.0.1:$port --log-level warn &
srv=$!
trap 'kill $srv 2> /dev/null || true; rm -rf "$work"; psql "$url" -qc "DROP SCHEMA IF EXISTS hcsplit CASCADE" 2> /dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
"$bin" bench ingest --url http://127.0.0.1:$port "$@" --warmup 2s --duration 10s > "$work/load" 2>&1 &
load=$!
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || echo 0; done | awk '{t += $1} END {print t + 0}'; }
backends() { pgrep -f 'postgres: .* test ' | tr '\n' ' '; }
sleep 4
b=$(backends)
s0=$(ticks $srv) p0=$(ticks $b) l0=$(ticks $load)
sleep 5
s1=$(ticks $srv) p1=$(ticks $b) l1=$(ticks $load)
hz=$(getconf CLK_TCK)
awk -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v l=$((l1 - l0)) -v hz="$hz" \
	'BEGIN {printf "cores over 5 s: server %.2f, PostgreSQL backends %.2f, load generator %.2f\n", s/hz/5, p/hz/5, l/hz/5}'
while kill -0 $load 2> /dev/null; do sleep 0.2; done
grep -E 'Events/s' "$work/load"
