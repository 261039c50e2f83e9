package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hypercare/hypercare"
)

// mergedScan is how many of a resolved incident's newest timeline entries
// are searched for the merge that resolved it (notes may follow it).
const mergedScan = 200

// mergedInto returns the number of the incident that inc was merged into,
// when a merge resolved it: its merged timeline entry names the target.
// A responder answering a page of it is then told where the outage went
// on, not that it is "resolved".
func (s *Server) mergedInto(ctx context.Context, inc *hypercare.Incident) (int64, bool) {
	if inc == nil || inc.Status != hypercare.StatusResolved {
		return 0, false
	}
	tl, _, err := s.store.LatestTimeline(ctx, inc.ID, mergedScan)
	if err != nil {
		s.log.Warn("read timeline for a merge", "incident", inc.Number, "error", err)
		return 0, false
	}
	for i := len(tl) - 1; i >= 0; i-- {
		if tl[i].Type != hypercare.TimelineMerged {
			continue
		}
		var d struct {
			Into int64 `json:"into_incident_number"`
		}
		if json.Unmarshal(tl[i].Details, &d) == nil && d.Into > 0 {
			return d.Into, true
		}
	}
	return 0, false
}

// nothingChanged is the answer to a chat press or phone reply that was
// refused as a conflict (he) on incident ref: why, and, for an incident a
// merge resolved, which incident it goes on in.
func (s *Server) nothingChanged(ctx context.Context, ref string, he *hypercare.Error) string {
	if inc, err := s.incidents.Lookup(ctx, ref); err == nil {
		if into, ok := s.mergedInto(ctx, inc); ok {
			return fmt.Sprintf("Nothing changed: incident %d was merged into incident %d, which goes on; act on %d.", inc.Number, into, into)
		}
	}
	return "Nothing changed: " + he.Message + "."
}
