//go:build !race

package storm

import (
	"encoding/json"
	"testing"

	"github.com/hypercare/hypercare/config"
)

// TestStormOtherSeeds replays days generated from other seeds (same shop,
// same plan, other hosts, numbers, delays and dependents) and holds them
// to the same thresholds, so the committed day is not a lucky draw. Not
// under the race detector, where five replays take minutes; TestStorm
// runs there.
func TestStormOtherSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("replays five days of events")
	}
	for seed := uint64(1); seed <= 5; seed++ {
		f, err := Generate(seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		cfg, err := config.Parse("hypercare.yaml", f.Config)
		if err != nil {
			t.Fatal(err)
		}
		var labels Labels
		if err := json.Unmarshal(f.Labels, &labels); err != nil {
			t.Fatal(err)
		}
		s, _ := replayAndScore(t, cfg, f.Events, &labels)
		t.Logf("seed %d: %d alerts, %d incidents, %d paged; precision %.3f, recall %.3f, F1 %.3f; page reduction %.1f%%",
			seed, s.Alerts, s.Predicted, s.PagedIncidents, s.Precision, s.Recall, s.F1, 100*s.PageReduction)
		checkThresholds(t, s)
	}
}
