package escalate

// Gate is held, read side, by an engine pass from the moment it reads its
// directory to its write's commit. A config reload takes the write side
// while it writes the new file's catalog, releases the holds of the
// maintenance windows it ends and publishes the new directory, so it
// never lands between a pass's read and its write: a first page held by a
// window the old file had commits before the reload releases such holds,
// never after (a *sync.RWMutex is one).
type Gate interface {
	RLock()
	RUnlock()
}

// SetGate makes every pass hold g (see Gate); call it with Use, before
// Run.
func (e *Engine) SetGate(g Gate) { e.gate.Store(&g) }

// enter holds the gate, if any, and returns what lets it go.
func (e *Engine) enter() (leave func()) {
	g := e.gate.Load()
	if g == nil {
		return func() {}
	}
	(*g).RLock()
	return (*g).RUnlock
}
