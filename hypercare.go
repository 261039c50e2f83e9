// Package hypercare holds Hypercare's domain types, the errors every layer
// speaks, the clock and the store interfaces. It has no behaviour of its own
// and imports no adapter, so that ingest, intake, the API and both SQL
// dialects can share one vocabulary without importing each other.
package hypercare

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Version is the binary's version, set at build time with -ldflags.
var Version = "dev"

// idSource is the process's one ULID entropy source. It is package state
// on purpose, like crypto/rand's reader: IDs made in the same millisecond
// must increase, so that things created in one step (an incident's
// "triggered" and "recent changes" entries) keep their order, and that
// needs a single monotonic sequence per process.
var idSource = struct {
	sync.Mutex
	entropy *ulid.MonotonicEntropy
}{entropy: ulid.Monotonic(rand.Reader, 0)}

// NewID returns a new unique identifier (a ULID) whose time part is t. IDs
// are time-ordered, and strictly increasing for equal t within a process,
// so keyset pagination by ID follows creation order.
func NewID(t time.Time) string {
	idSource.Lock()
	defer idSource.Unlock()
	return ulid.MustNew(ulid.Timestamp(t), idSource.entropy).String()
}
