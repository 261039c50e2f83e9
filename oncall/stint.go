package oncall

import "time"

// Stint returns who is on call at the instant at and when they stop being
// on call: the end of their shift there and of every shift of theirs that
// follows it without a break, whatever its source (an override running
// into their own turn, a layer handing over to a lower one with the same
// person). It looks no further than horizon: end is the zero time when
// they are still on call after at+horizon, so that no handoff is made up
// at the edge of the range looked at. ok is false in a gap.
func (s *Schedule) Stint(at time.Time, horizon time.Duration) (user string, end time.Time, ok bool) {
	user, ok = s.OnCall(at)
	if !ok {
		return "", time.Time{}, false
	}
	limit := at.Add(horizon)
	// One second beyond the limit tells a stint that ends exactly at it
	// (handoffs are whole seconds) from one that goes on.
	reach := limit.Add(time.Second)
	end = at
	for _, sh := range s.Shifts(at, reach) {
		if sh.Start.After(end) || sh.User != user {
			break
		}
		end = sh.End
	}
	if end.After(limit) {
		return user, time.Time{}, true
	}
	return user, end, true
}
