package hypercare

import "time"

// RetentionCutoffs says, per kind of history, that rows older than the
// cutoff may be deleted. A zero time keeps that kind forever, which is the
// default so that an upgrade never deletes anything by itself. Only
// finished history is ever eligible: open incidents, their alerts, pending
// or held pages and running escalations are kept whatever their age.
type RetentionCutoffs struct {
	// Events: the event log (every accepted event) and change events,
	// by arrival time.
	Events time.Time
	// Notifications: sent, failed, cancelled and digested pages, by
	// creation time, of incidents resolved before the cutoff too (a page
	// of an open or recently resolved incident still proves it paged, so
	// a re-opened incident does not page twice).
	Notifications time.Time
	// Escalations: finished escalation states of incidents resolved
	// before the cutoff.
	Escalations time.Time
	// Incidents: resolved incidents, by resolution time, with everything
	// that hangs off them (alerts, timeline, pages, escalation state,
	// feedback, chat threads, grace timers); also resolved alerts that
	// never had an incident (suppressed by a rule), and silences that
	// ended, unless an open incident is still held by one.
	Incidents time.Time
}

// Zero reports whether every kind is kept forever (retention is off).
func (c RetentionCutoffs) Zero() bool {
	return c.Events.IsZero() && c.Notifications.IsZero() && c.Escalations.IsZero() && c.Incidents.IsZero()
}

// PruneResult counts the rows one prune deleted, per table, so the
// retention engine can log and export them; More says the batch limit
// was reached and another batch may find more.
type PruneResult struct {
	Events        int64
	ChangeEvents  int64
	Notifications int64
	Escalations   int64
	Incidents     int64
	Alerts        int64
	Timeline      int64
	// Silences counts silences that ended before the incidents cutoff.
	Silences int64
	// Other counts the small per-incident rows deleted with incidents
	// (feedback, chat threads, symptom grace timers and merged groups) and
	// the kept payloads of pruned events that no event shares any more.
	Other int64
	More  bool
}

// Total is the number of rows deleted.
func (r PruneResult) Total() int64 {
	return r.Events + r.ChangeEvents + r.Notifications + r.Escalations + r.Incidents + r.Alerts + r.Timeline + r.Silences + r.Other
}

// Add accumulates o into r (More is or-ed).
func (r *PruneResult) Add(o PruneResult) {
	r.Events += o.Events
	r.ChangeEvents += o.ChangeEvents
	r.Notifications += o.Notifications
	r.Escalations += o.Escalations
	r.Incidents += o.Incidents
	r.Alerts += o.Alerts
	r.Timeline += o.Timeline
	r.Silences += o.Silences
	r.Other += o.Other
	r.More = r.More || o.More
}

// Kinds returns the counts by the kind label the metrics use, in a fixed
// order.
func (r PruneResult) Kinds() []KindCount {
	return []KindCount{
		{"events", r.Events}, {"change_events", r.ChangeEvents}, {"notifications", r.Notifications},
		{"escalations", r.Escalations}, {"incidents", r.Incidents}, {"alerts", r.Alerts},
		{"timeline", r.Timeline}, {"silences", r.Silences}, {"other", r.Other},
	}
}

// KindCount is one kind of row and how many were deleted.
type KindCount struct {
	Kind  string
	Count int64
}

// RetentionPolicy is how long each kind of finished history is kept
// (config `retention`); a zero age keeps that kind forever.
type RetentionPolicy struct {
	Events, Notifications, Escalations, Incidents time.Duration
	// BatchSize is the most rows one prune transaction deletes.
	BatchSize int
	// Interval is the time between two retention passes.
	Interval time.Duration
}

// Enabled reports whether any kind has a limit.
func (p RetentionPolicy) Enabled() bool {
	return p.Events > 0 || p.Notifications > 0 || p.Escalations > 0 || p.Incidents > 0
}

// Cutoffs returns the cutoffs in force at now.
func (p RetentionPolicy) Cutoffs(now time.Time) RetentionCutoffs {
	cut := func(d time.Duration) time.Time {
		if d <= 0 {
			return time.Time{}
		}
		return now.Add(-d)
	}
	return RetentionCutoffs{Events: cut(p.Events), Notifications: cut(p.Notifications),
		Escalations: cut(p.Escalations), Incidents: cut(p.Incidents)}
}
