#!/bin/sh
# measure.sh BINARY [CLIENTS]: peak RSS (VmHWM) of a fresh `hypercare serve`
# (examples/hypercare.yaml, SQLite in a temporary directory) under each
# hostile-body attack of tools/slowreaders. Run from the repository root:
#   go build -o /tmp/hc-ingest ./cmd/hypercare
#   go build -o /tmp/slowreaders ./tools/slowreaders
#   sh tools/slowreaders/measure.sh /tmp/hc-ingest 20
set -eu
bin=$1
clients=${2:-20}
port=18490
run() { # name path shape key
	dir=$(mktemp -d)
	"$bin" serve --config examples/hypercare.yaml --data-dir "$dir" --listen 127.0.0.1:$port >"$dir/log" 2>&1 &
	pid=$!
	sleep 2
	idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
	out=$(/tmp/slowreaders -url "http://127.0.0.1:$port$2" -shape "$3" -key "$4" -clients "$clients" -pid $pid -hold 15s)
	answer=$(echo "$out" | sed -n 's/^one answer (read fully): //p')
	hwm=$(echo "$out" | sed -n 's/.*VmHWM: //p')
	printf '%-34s idle %6s kB  peak VmHWM %10s  answer: %s\n' "$1" "$idle" "$hwm" "$answer"
	kill $pid
	wait $pid 2>/dev/null || true
	rm -rf "$dir"
}
only=${ONLY:-}
attack() { [ -z "$only" ] || [ "$only" = "$1" ] || return 0; run "$@"; }
attack "v2, unknown key" /v2/enqueue v2 0000000000000000000000000000bad0
attack "v2, known key" /v2/enqueue v2 74bd88798b6a82c804929e8093625afd
attack "v1, known key" /generic/2010-04-15/create_event.json v1 74bd88798b6a82c804929e8093625afd
attack "change, known key" /v2/change/enqueue change 74bd88798b6a82c804929e8093625afd
attack "alertmanager" /integrations/ac8898966bd506c7e623e5997a0ae894 alerts -
attack "grafana" /integrations/115ddf2eb886fcafcb08acdbb21a84cc grafana -
attack "generic" /integrations/bf1ea41bbdc41c667a3de0e0c46e5b83 array -
