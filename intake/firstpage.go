package intake

import (
	"context"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

// FirstStep takes, inside the transaction that opened them, the first
// escalation step of the incidents incidentIDs (those whose first page is
// due at once) under dir (the request's config's; nil: the engine's) and
// returns how many pages it created. The escalation engine's StepOpened
// is one: the same step the engine takes on a due row, so intake decides
// nothing about paging itself.
type FirstStep func(ctx context.Context, tx hypercare.Tx, dir *escalate.Directory, incidentIDs []string, now time.Time) (pages int, err error)

// Delivery is the delivery engine as the first page needs it
// (notify.Engine): lease the new pages in the same transaction, start
// their sends after the commit, or just be woken.
type Delivery interface {
	// ClaimOpened leases the incidents' pages due at now inside tx; none
	// when the engine is not running.
	ClaimOpened(ctx context.Context, tx hypercare.Tx, incidentIDs []string, now time.Time) ([]hypercare.IncidentPages, error)
	// Deliver starts the sends of pages ClaimOpened leased at claimedAt,
	// after the commit.
	Deliver(leased []hypercare.IncidentPages, claimedAt time.Time)
	// Wake makes the engine look for due pages now.
	Wake()
}

// firstPage is how intake pages level 1 in its own transaction.
type firstPage struct {
	step     FirstStep
	delivery Delivery
}

// SetFirstStep makes intake take the first escalation step of the
// incidents it opens in the same transaction (step) and, with delivery,
// lease the pages due now in it too and hand them to delivery after the
// commit: one durable commit then stands between an event and the send
// of its first page. Without a step intake only arms the escalation and
// wakes the engine, which takes the step in a transaction of its own.
func (in *Intake) SetFirstStep(step FirstStep, delivery Delivery) {
	in.first.Store(&firstPage{step: step, delivery: delivery})
}

// firstPages is what one write's first steps made: pages created, and
// those among them leased for delivery in the same transaction.
type firstPages struct {
	pages  int
	leased []hypercare.IncidentPages
}

// take runs the first step of the escalations this write started with no
// delay (due), when a FirstStep is set, and leases their due pages.
func (fp *firstPage) take(ctx context.Context, tx hypercare.Tx, dir *escalate.Directory, due []string, now time.Time) (firstPages, error) {
	if fp.step == nil || len(due) == 0 {
		return firstPages{}, nil
	}
	pages, err := fp.step(ctx, tx, dir, due, now)
	if err != nil || pages == 0 || fp.delivery == nil {
		return firstPages{pages: pages}, err
	}
	leased, err := fp.delivery.ClaimOpened(ctx, tx, due, now)
	return firstPages{pages: pages, leased: leased}, err
}

// committed hands the leased pages to delivery, and wakes it for the
// pages it did not lease (delayed notification rules, or delivery not
// running), once the write committed.
func (fp *firstPage) committed(got firstPages, claimedAt time.Time) {
	if fp.delivery == nil {
		return
	}
	fp.delivery.Deliver(got.leased, claimedAt)
	n := 0
	for _, l := range got.leased {
		n += len(l.Pages)
	}
	if got.pages > n {
		fp.delivery.Wake()
	}
}
