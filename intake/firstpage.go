package intake

import (
	"context"
	"time"

	"github.com/hypercare/hypercare"
)

// FirstStep takes, inside the transaction that opened them, the first
// escalation step of the incidents incidentIDs (those whose first page is
// due at once) and returns how many pages it created. The escalation
// engine's StepOpened is one: the same step the engine takes on a due
// row, so intake decides nothing about paging itself.
type FirstStep func(ctx context.Context, tx hypercare.Tx, incidentIDs []string, now time.Time) (pages int, err error)

// firstPage is how intake pages level 1 in its own transaction.
type firstPage struct {
	step FirstStep
	// paged, if set, is called after a commit that created pages, to wake
	// the delivery engine at once.
	paged func()
}

// SetFirstStep makes intake take the first escalation step of the
// incidents it opens in the same transaction (step), and wake delivery
// after the commit when that created pages (paged), so that a single
// durable commit stands between an event and its first page's claim.
// Without it (nil step) intake only arms the escalation and wakes the
// engine, which takes the step in a transaction of its own.
func (in *Intake) SetFirstStep(step FirstStep, paged func()) {
	in.first.Store(&firstPage{step: step, paged: paged})
}

// stepFirst runs the first step of the escalations this write started
// with no delay (due), when a FirstStep is set; it returns the pages.
func (fp *firstPage) stepFirst(ctx context.Context, tx hypercare.Tx, due []string, now time.Time) (int, error) {
	if fp.step == nil || len(due) == 0 {
		return 0, nil
	}
	return fp.step(ctx, tx, due, now)
}
