package oncall

import "time"

// Calendar feeds list shifts by an identity (schedule, user, start) that
// must not change between fetches, while the window they show moves with
// the clock. WholeShifts therefore computes shifts over a wider range whose
// edges sit on a fixed grid, so a shift that crosses the window's edge keeps
// its real start and end instead of being cut at "now − 30 days".
const (
	// wholeMargin is how far beyond the window shifts are computed: a shift
	// that began less than this before the window starts is shown whole.
	wholeMargin = 92 * 24 * time.Hour
	// wholeGrid aligns the computed range, so the rare shift longer than
	// the margin (a one-person layer, say) is cut at a point that moves only
	// once a week, not on every fetch.
	wholeGrid = 7 * 24 * time.Hour
)

// WholeShifts returns the final shifts that intersect [from, to), not
// clipped to it: each keeps its real start and end (up to about three
// months beyond the window, after which it is cut at a weekly grid point).
func (s *Schedule) WholeShifts(from, to time.Time) []Shift {
	if !from.Before(to) {
		return nil
	}
	lo := from.Add(-wholeMargin).Truncate(wholeGrid)
	hi := to.Add(wholeMargin).Truncate(wholeGrid).Add(wholeGrid)
	var out []Shift
	for _, sh := range s.Shifts(lo, hi) {
		if sh.End.After(from) && sh.Start.Before(to) {
			out = append(out, sh)
		}
	}
	return out
}
