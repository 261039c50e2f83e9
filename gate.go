package hypercare

import "sync/atomic"

// Gate is held, read side, by work that reads the config in force and
// writes what it decided from it (an ingest request, an escalation pass),
// from the read to its write's commit. A config reload takes the write
// side while it writes the new file's catalog, releases the holds of the
// maintenance windows it ends and publishes the new config, so it never
// lands between such a read and its write: a page held by a window the
// old file had commits before the reload releases such holds, never after
// (a *sync.RWMutex is one).
type Gate interface {
	RLock()
	RUnlock()
}

// GateSlot is an optional Gate, set once before the work starts; the zero
// value holds nothing. Intake and the escalation engine each keep one.
type GateSlot struct{ g atomic.Pointer[Gate] }

// Set makes Enter hold g.
func (s *GateSlot) Set(g Gate) { s.g.Store(&g) }

// Enter holds the gate, if one is set, and returns what lets it go.
func (s *GateSlot) Enter() (leave func()) {
	g := s.g.Load()
	if g == nil {
		return func() {}
	}
	(*g).RLock()
	return (*g).RUnlock
}
