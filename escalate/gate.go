package escalate

import "github.com/hypercare/hypercare"

// Gate is held, read side, by an engine pass from the moment it reads its
// directory to its write's commit (hypercare.Gate).
type Gate = hypercare.Gate

// SetGate makes every pass hold g (see Gate); call it with Use, before
// Run.
func (e *Engine) SetGate(g Gate) { e.gate.Set(g) }
