#!/bin/sh
# A/B of two hypercare binaries on the trigger → first page path, taking
# turns on a fresh SQLite data directory each run:
#
#   bench/ab-page.sh OLD_BINARY NEW_BINARY [ROUNDS] [RATE] [COUNT]
#
# Each run serves the config `bench page --print-config` prints, sends
# COUNT triggers at RATE/s with `bench page` (NEW_BINARY's), and prints the
# first page p50/p99 and the server's CPU time (user + system, from
# /proc/PID/stat) per trigger, which includes resolving it afterwards.
# Linux only. Defaults: 5 rounds, 200/s, 2000 triggers.
set -eu
old=$1 new=$2 rounds=${3:-5} rate=${4:-200} count=${5:-2000}
key=0123456789abcdef0123456789abcdef
port=18931 receiver=127.0.0.1:19931
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$new" bench page --print-config --routing-key $key --receiver $receiver > "$work/page.yaml"
ticks=$(getconf CLK_TCK)
for r in $(seq 1 "$rounds"); do
	for side in A B; do
		bin=$old
		[ $side = B ] && bin=$new
		rm -rf "$work/data"
		"$bin" serve --config "$work/page.yaml" --data-dir "$work/data" --listen 127.0.0.1:$port > "$work/server.log" 2>&1 &
		pid=$!
		for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
		cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
		out=$("$new" bench page --url http://127.0.0.1:$port --routing-key $key --receiver $receiver \
			--count "$count" --rate "$rate" 2> /dev/null)
		cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
		kill $pid
		wait $pid 2> /dev/null || true
		echo "$out" | awk -v side=$side -v r=$r -v cpu=$((cpu1 - cpu0)) -v hz=$ticks -v n=$count \
			'/^First page/ {printf "%s round %d: first page p50 %s p99 %s, server CPU %.0f µs per trigger\n", side, r, $4, $8, cpu * 1e6 / hz / n}'
	done
done
