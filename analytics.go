package hypercare

import "time"

// Rows the store hands to the report package (noise report, window
// summaries). Large tables (events, alerts) are counted in SQL; incidents
// and pages come as small rows so medians and per-person figures are
// computed in one pure place.

// EventCount is how many logged events of a service had an outcome.
type EventCount struct {
	ServiceID string
	Outcome   string
	Count     int64
}

// AlertCount is how many alerts a service opened and how many of them
// never had an incident of their own (suppressed or attached as symptoms).
type AlertCount struct {
	ServiceID string
	Alerts    int64
	// WithoutIncident counts alerts with no incident at the end of the
	// period's reading: suppressed by a rule, or symptoms of another
	// service's incident.
	WithoutIncident int64
}

// IncidentStat is one incident as the reports need it: when it opened,
// was first acknowledged (the timeline's earliest acknowledgement: an ack
// timeout that re-triggers the incident clears acknowledged_at, and MTTA
// measures the first answer) and resolved, and its verdict ("" when
// unmarked).
type IncidentStat struct {
	ID             string
	Number         int64
	ServiceID      string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
	ResolvedAt     *time.Time
	Transient      bool
	// Held says a maintenance window or silence held the incident's
	// first page when it opened (its suppressed_by is set).
	Held    bool
	Verdict Verdict
	// MergedInto is the ID of the incident a merge moved this one's
	// alerts into ("" when none did). A merged incident is not an
	// incident of its own in the reports: it is one outage counted twice
	// until a responder merged it, and the merge that resolved it is no
	// time to resolve. Its alerts and pages count under the target.
	MergedInto string
	// ResolvedBySplit says the incident's (last) resolution was a split
	// that moved its last open alerts into a new incident. That is no
	// time to resolve, as a merge is not: nobody fixed anything then, and
	// those alerts' actual resolution is the split-off incident's, timed
	// there. The incident still counts, with its time to acknowledge.
	ResolvedBySplit bool
	// FirstPageAt is when the incident's first page was issued (its
	// earliest notification that was neither cancelled nor a digest), nil
	// when nobody was ever paged for it. A held incident's response is
	// timed from it: the hold was not anyone's time to answer.
	FirstPageAt *time.Time
	// FirstResolvedAt is when the incident was first resolved (the
	// timeline's earliest resolution, else ResolvedAt), nil when it never
	// was. ResolvedAt is its last: an incident re-opened by its flapping
	// key was answered when its monitor first resolved it, and MTTA runs
	// to that, not across the quiet time to its last resolution.
	FirstResolvedAt *time.Time
	// PageDueAt is when its first page was due had no maintenance window
	// or silence held it: its opening plus the service's pause or an
	// event rule's delay (nil without an escalation). An incident that
	// resolved before then without a page was nobody's to answer.
	PageDueAt *time.Time
}

// PageStat is one page: an escalation step reaching one user (however
// many of their contact methods it used), at the time it was first issued.
// Cancelled notifications (the incident was acknowledged before a delayed
// contact rule fired) reached nobody and are not pages.
type PageStat struct {
	IncidentID string
	ServiceID  string
	UserID     string
	Step       int
	At         time.Time
}

// KeyCount is how many events arrived for one dedup key of a service, with
// the summary of its latest alert: the raw material of "noisiest alerts".
type KeyCount struct {
	ServiceID string
	DedupKey  string
	Summary   string
	Events    int64
}
