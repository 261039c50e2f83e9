package hold

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// ChainEnds returns the refs of the silences and maintenance windows
// (windows) not active at now that may still end an incident's hold:
// overlapping holds chain, and an incident records only the last one of
// its chain, which may start after now. When a silence expires early or a
// config reload removes or changes a window, that one may have been the
// link that covered the incident until then: pass these refs to
// incident.ReleaseSuppressed as chained. One active now covers its
// incidents to the same end whatever else ends, so it is left out.
func ChainEnds(ctx context.Context, tx hypercare.Tx, windows []correlate.Maintenance, now time.Time) ([]string, error) {
	silences, err := tx.ActiveSilences(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("read silences: %w", err)
	}
	var refs []string
	for _, sl := range silences {
		if sl.StartsAt.After(now) {
			refs = append(refs, (&correlate.Suppressor{Kind: correlate.SuppressSilence, ID: sl.ID}).Ref())
		}
	}
	active := map[string]bool{}
	occurrences := correlate.Suppressors(windows, now)
	for _, o := range occurrences {
		if !o.Start.After(now) && o.End.After(now) {
			active[o.ID] = true
		}
	}
	for _, o := range occurrences {
		if ref := o.Ref(); !active[o.ID] && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	return refs, nil
}
