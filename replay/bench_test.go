package replay_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/replay"
)

// dayOfEvents writes n replay lines spread evenly over one day on the test
// config's integrations: mostly PagerDuty triggers and their resolves a
// few minutes later over 500 dedup keys (so keys re-trigger, group and
// flap), with Alertmanager batches and generic events mixed in: the shape
// of a busy day's event log.
func dayOfEvents(n int) string {
	start := time.Date(2025, 11, 28, 0, 0, 0, 0, time.UTC)
	step := 24 * time.Hour / time.Duration(n)
	var b strings.Builder
	b.Grow(n * 220)
	for i := range n {
		at := start.Add(time.Duration(i) * step).Format(time.RFC3339Nano)
		k := i % 500
		switch {
		case i%10 == 7:
			fmt.Fprintf(&b, `{"received_at":%q,"key":"22222222222222222222222222222222","body":{"version":"4","status":"firing",`+
				`"alerts":[{"status":"firing","labels":{"alertname":"HighLatency","instance":"api-%d","severity":"warning"},"fingerprint":"am-%d"}]}}`+"\n",
				at, k%20, k%20)
		case i%10 == 9:
			fmt.Fprintf(&b, `{"received_at":%q,"key":"44444444444444444444444444444444","body":{"summary":"Backup %d failed","severity":"error","dedup_key":"job-%d"}}`+"\n",
				at, k, k%50)
		case (i/500)%2 == 1:
			fmt.Fprintf(&b, `{"received_at":%q,"key":"33333333333333333333333333333333","body":{"event_action":"resolve","dedup_key":"db-%d"}}`+"\n", at, k)
		default:
			fmt.Fprintf(&b, `{"received_at":%q,"key":"33333333333333333333333333333333","body":{"event_action":"trigger","dedup_key":"db-%d",`+
				`"payload":{"summary":"Replication lag on db-%d","source":"db-%d","severity":"error"}}}`+"\n", at, k, k%7, k%7)
		}
	}
	return b.String()
}

// benchEvents is a day of events at about 35 a minute.
var benchEvents = 50_000

// stormOfEvents writes n lines over one day, all PagerDuty triggers and
// resolves for the API service (time grouping, two-minute pause) over
// 2,000 keys: a storm that noise reduction folds into few incidents.
func stormOfEvents(n int) string {
	start := time.Date(2025, 11, 28, 0, 0, 0, 0, time.UTC)
	step := 24 * time.Hour / time.Duration(n)
	var b strings.Builder
	b.Grow(n * 220)
	for i := range n {
		at := start.Add(time.Duration(i) * step).Format(time.RFC3339Nano)
		action := "trigger"
		if (i/2000)%3 == 2 {
			action = "resolve"
		}
		fmt.Fprintf(&b, `{"received_at":%q,"key":"11111111111111111111111111111111","body":{"event_action":%q,"dedup_key":"api-%d",`+
			`"payload":{"summary":"5xx on api-%d","source":"api-%d","severity":"critical"}}}`+"\n", at, action, i%2000, i%40, i%40)
	}
	return b.String()
}

// BenchmarkReplayDay replays a day of 50,000 events through the test
// config (BENCHMARKS.md, "Replay"): "paging" opens an incident for 40 % of
// its events and pages twice for each; "storm" is folded by grouping.
//
//	go test -run '^$' -bench BenchmarkReplayDay -benchtime 1x ./replay/
func BenchmarkReplayDay(b *testing.B) {
	cfg := loadConfig(b)
	for _, w := range []struct {
		name  string
		lines string
	}{{"paging", dayOfEvents(benchEvents)}, {"storm", stormOfEvents(benchEvents)}} {
		b.Run(w.name, func(b *testing.B) {
			for b.Loop() {
				rep, err := replay.Run(b.Context(), cfg, strings.NewReader(w.lines), replay.Options{TempDir: benchDir(b)})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.Summary.Incidents), "incidents")
				b.ReportMetric(float64(rep.Summary.Pages), "pages")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(benchEvents), "µs/event")
			}
		})
	}
}

// benchDir is REPLAY_BENCH_DIR, to measure the store on another file
// system; "" is Run's default (/dev/shm when there is one).
func benchDir(*testing.B) string { return os.Getenv("REPLAY_BENCH_DIR") }
