// Package hypercare holds Hypercare's domain types, the errors every layer
// speaks, the clock and the store interfaces. It has no behaviour of its own
// and imports no adapter, so that ingest, intake, the API and both SQL
// dialects can share one vocabulary without importing each other.
package hypercare

import (
	"crypto/rand"
	"time"

	"github.com/oklog/ulid/v2"
)

// Version is the binary's version, set at build time with -ldflags.
var Version = "dev"

// NewID returns a new unique, roughly time-ordered identifier (a ULID) whose
// time part is t. IDs are time-ordered so keyset pagination by ID is stable
// and close to insertion order.
func NewID(t time.Time) string {
	return ulid.MustNew(ulid.Timestamp(t), rand.Reader).String()
}
