package announce

import (
	"context"
	"time"
)

// NextDueForTest exposes next to the tests.
func (e *Engine) NextDueForTest(ctx context.Context) (time.Time, bool, error) { return e.next(ctx) }
