#!/bin/sh
# Clients resuming the live stream under load: a fresh server takes 300
# re-triggers/s of 20 hot alerts for 30 s; after 5 s, CLIENTS clients
# replay the stream from its start (Last-Event-ID: 1) while the broker
# reads ahead. Prints the stream metrics 3, 10 and 20 s later (a flat
# hypercare_stream_rereads_total after the hand-over: reads again do not
# chain) and checks, from what the clients received, that no alert's
# event_count ever went down (python3):
#
#   bench/stream-resume.sh BINARY [CLIENTS]
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1 clients=${2:-50}
key=0123456789abcdef0123456789abcdef port=18900
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" serve --config "$dir/stream-config.yaml" --data-dir "$work/data" --listen 127.0.0.1:$port --log-level warn &
pid=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz > /dev/null 2>&1 && break; sleep 0.1; done
token=$("$bin" token create --name resume --role viewer --data-dir "$work/data" 2> /dev/null)
"$bin" bench ingest --url http://127.0.0.1:$port --routing-key $key --concurrency 8 --rate 300 --duration 30s \
	--keys 20 > "$work/ingest" 2>&1 &
sleep 5
for i in $(seq 1 "$clients"); do
	timeout 27 curl -sN -H "Authorization: Bearer $token" -H "Last-Event-ID: 1" \
		http://127.0.0.1:$port/api/v1/stream > "$work/client-$i" 2> /dev/null &
done
for wait in 3 7 10; do
	sleep $wait
	echo "$(curl -s http://127.0.0.1:$port/metrics | grep -E '^hypercare_stream_(clients|events_total|rereads_total|cutoffs_total)' | tr '\n' ' ')"
done
sleep 8
kill $pid; wait $pid || true
python3 - "$work" <<'PY'
import glob, json, sys
back = seen = 0
counts = []
for f in glob.glob(sys.argv[1] + "/client-*"):
    last, n = {}, 0
    for line in open(f):
        if line.startswith("id: "):
            n += 1
        if not line.startswith("data: "):
            continue
        d = json.loads(line[6:])
        if d["kind"] != "alert":
            continue
        o = d["object"]
        back += o["event_count"] < last.get(o["id"], 0)
        last[o["id"]] = max(o["event_count"], last.get(o["id"], 0))
        seen += 1
    counts.append(n)
print(f"{len(counts)} clients received {min(counts)}..{max(counts)} events; "
      f"{seen} alert events, {back} with an event_count lower than one sent before")
PY
