package storm

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

// Done-when thresholds of the storm set (issue #8).
const (
	minF1            = 0.9
	minPageReduction = 0.9
)

// TestStorm replays the storm day through Hypercare and scores the
// incidents against the labels: every real incident found and paged, no
// two unrelated ones merged, pairwise F1 and page reduction above the
// thresholds, no transient blip paged. It logs the measured numbers
// (BENCHMARKS.md quotes them).
func TestStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("replays a day of events")
	}
	cfg, err := config.Load(filepath.Join("testdata", "hypercare.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	events, err := os.ReadFile(filepath.Join("testdata", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var labels Labels
	raw, err := os.ReadFile(filepath.Join("testdata", "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &labels); err != nil {
		t.Fatal(err)
	}
	s, rep := replayAndScore(t, cfg, events, &labels)
	t.Logf("events %d, alerts %d (replay: %d), true incidents %d, incidents %d, paged incidents %d, pages %d",
		rep.Summary.Events, s.Alerts, rep.Summary.Alerts, s.TrueIncidents, s.Predicted, s.PagedIncidents, rep.Summary.Pages)
	t.Logf("pairwise precision %.3f, recall %.3f, F1 %.3f; page reduction %.1f%% (replay: %.1f%%); unplaced %d",
		s.Precision, s.Recall, s.F1, 100*s.PageReduction, 100*rep.Summary.PageReduction, s.Unplaced)
	t.Logf("low urgency, opened in quiet hours and cleared before morning (never to page): %v", s.QuietHeld)
	checkThresholds(t, s)
}

// replayAndScore replays events through cfg and scores the incidents
// against labels.
func replayAndScore(t *testing.T, cfg *config.Config, events []byte, labels *Labels) (Score, *replay.Report) {
	t.Helper()
	rep, err := replay.Run(context.Background(), cfg, bytes.NewReader(events), replay.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	quiet := cfg.QuietHours()
	predicted := make([]Predicted, len(rep.Incidents))
	for i, inc := range rep.Incidents {
		predicted[i] = Predicted{Number: inc.Number, OpenedAt: inc.OpenedAt, ResolvedAt: inc.ResolvedAt, Paged: inc.Paged, Alerts: inc.Alerts,
			QuietHeld: quietHeld(quiet, inc.Urgency, inc.OpenedAt, inc.ResolvedAt)}
	}
	s, err := Evaluate(labels, predicted)
	if err != nil {
		t.Fatal(err)
	}
	return s, rep
}

// checkThresholds asserts the done-when of the storm set.
func checkThresholds(t *testing.T, s Score) {
	t.Helper()
	if len(s.Missed) > 0 {
		t.Errorf("true incidents never paged: %v", s.Missed)
	}
	if len(s.Merged) > 0 {
		t.Errorf("unrelated incidents merged: %v", s.Merged)
	}
	if len(s.TransientPaged) > 0 {
		t.Errorf("transient blips paged: %v", s.TransientPaged)
	}
	if s.F1 < minF1 {
		t.Errorf("pairwise F1 %.3f < %.2f", s.F1, minF1)
	}
	if s.PageReduction < minPageReduction {
		t.Errorf("page reduction %.3f < %.2f", s.PageReduction, minPageReduction)
	}
}

// quietHeld reports whether a low-urgency incident opened in the quiet
// hours (read in their zone: the storm's users have no time_zone of their
// own) and resolved before they ended, so by the low-urgency rule it was
// never to page.
func quietHeld(q *hypercare.QuietHours, urgency hypercare.Urgency, opened time.Time, resolved *time.Time) bool {
	if q == nil || urgency != hypercare.UrgencyLow || resolved == nil {
		return false
	}
	until, ok := q.Until(opened, q.Zone)
	return ok && resolved.Before(until)
}
