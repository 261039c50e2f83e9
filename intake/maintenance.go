package intake

import (
	"github.com/hypercare/hypercare/correlate"
)

// SetMaintenance sets the config's maintenance windows (config reload).
// An incident opened while one covers its alert is recorded as usual but
// its first page waits for the window's end; silences, kept in the store,
// are read inside the same transaction.
func (in *Intake) SetMaintenance(windows []correlate.Maintenance) {
	in.update(func(c *Config) { c.maintenance = windows })
}
