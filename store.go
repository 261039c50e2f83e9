package hypercare

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// EventRecord is one entry in the central event log: every accepted event,
// what it was, and what it did.
type EventRecord struct {
	ID            string          `json:"id"`
	ReceivedAt    time.Time       `json:"received_at"`
	IntegrationID string          `json:"integration_id"`
	ServiceID     string          `json:"service_id"`
	Action        Action          `json:"event_action"`
	DedupKey      string          `json:"dedup_key"`
	AlertID       string          `json:"alert_id,omitempty"`
	IncidentID    string          `json:"incident_id,omitempty"`
	Outcome       string          `json:"outcome"`
	Payload       json.RawMessage `json:"payload"`
	// PayloadEncoded says Payload is Event.AppendJSON's output, the bytes
	// encoding/json.Marshal writes (the intake encodes every event so),
	// which is valid JSON by construction:
	// the store then checks only that it is storable text, not its syntax
	// again on its single writer, where that took a seventh of the time of
	// an Alertmanager batch. Anything else leaves it false.
	PayloadEncoded bool `json:"-"`
	// Rules lists the IDs of the event rules that acted on the event, in
	// order, so a report or replay can say what each rule did.
	Rules []string `json:"rules,omitempty"`
}

// Event outcomes recorded in the event log.
const (
	OutcomeCreated      = "created"
	OutcomeUpdated      = "updated"
	OutcomeAcknowledged = "acknowledged"
	OutcomeResolved     = "resolved"
	OutcomeIgnored      = "ignored"
	// OutcomeSuppressed: an event rule suppressed the event; its alert is
	// recorded but opened no incident and paged nobody.
	OutcomeSuppressed = "suppressed"
	// OutcomeDropped: an event rule dropped the event; only this log entry
	// records it.
	OutcomeDropped = "dropped"
	// OutcomeGrouped: the trigger opened an alert that joined an open
	// incident (alert grouping, or a flapping alert re-opening its
	// incident) instead of opening one.
	OutcomeGrouped = "grouped"
	// OutcomeSymptom: the trigger opened an alert attached as a symptom to
	// an open incident of a service its service depends on.
	OutcomeSymptom = "symptom"
)

// SymptomGrace is the durable timer of a recovering upstream incident:
// its own alerts all resolved at RecoveringSince while symptoms still
// fired. At DueAt (RecoveringSince plus the upstream service's
// symptom_grace_minutes) the escalation engine resolves it if it is still
// recovering and promotes the symptoms still firing to incidents of their
// own, which page.
type SymptomGrace struct {
	IncidentID      string
	RecoveringSince time.Time
	DueAt           time.Time
}

// Page is a keyset pagination request: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// IncidentFilter selects incidents for listing.
type IncidentFilter struct {
	Statuses  []Status
	ServiceID string
	// Urgency, when set, keeps only incidents of that urgency (the web
	// UI's filter).
	Urgency Urgency
	Page
}

// SilenceFilter selects silences for listing. State, when set, keeps
// those pending, active or expired at At (Silence.State), chosen before
// the page is cut so that a page is full however many silences in other
// states are newer.
type SilenceFilter struct {
	State string
	At    time.Time
	Page
}

// AlertFilter selects alerts for listing.
type AlertFilter struct {
	ServiceID  string
	IncidentID string
	DedupKey   string
	Statuses   []Status
	Page
}

// ChangeFilter selects change events for listing.
type ChangeFilter struct {
	ServiceID string
	Page
}

// ErrRunAlone is what a write function returns (or wraps) when it cannot
// take its locks in the global lock order in the transaction it was given:
// an earlier write of the same group-commit batch holds a lock it would
// have to take after (Tx.LockTurns reporting false), or it already holds
// a lock it must take after one another transaction holds (a resolve's
// symptom moved by a merge). Taken out of order, two nodes' transactions
// deadlock until PostgreSQL aborts one. The store undoes fn's writes and
// runs it again in a new transaction of its own: after the batch's
// commit, or at once when it was alone (a few times, then the error is
// its caller's).
var ErrRunAlone = errors.New("store: run the write in a transaction of its own")

// Store is the durable state. Writes go through Write, which may share one
// commit among concurrent callers (group commit); reads see committed data.
type Store interface {
	Reader
	// Write runs fn in a transaction and returns once it is committed. fn
	// may be run again if the transaction must be retried, so it must have
	// no effects outside tx. If fn returns an error nothing it wrote is
	// kept. key spreads independent writers across parallel transactions
	// where the engine allows it; writes with equal keys run in order.
	// fn returning ErrRunAlone (or an error wrapping it) is run again in
	// a new transaction of its own.
	Write(ctx context.Context, key string, fn func(Tx) error) error
	// LockAcrossNodes waits for the lock named key, which every node
	// sharing the database sees, and returns its release: for a decision
	// that reads a count and acts on it outside a transaction (a throttled
	// page). A no-op where only one node can use the database (SQLite).
	LockAcrossNodes(ctx context.Context, key string) (unlock func(), err error)
	// Ping checks the store is reachable.
	Ping(ctx context.Context) error
	// Close stops the writers and closes the database.
	Close() error
}

// Reader is the read side of the store.
type Reader interface {
	GetIncident(ctx context.Context, id string) (*Incident, error)
	// GetPageIncident is GetIncident for delivery's look before a send:
	// the incident and, read with it in one statement, the status of its
	// page notificationID ("" when there is no such page). A reassignment
	// cancels the incident's pages (Tx.CancelNotifications) without
	// changing the incident row, so only the page's own status tells a
	// page cancelled since its claim.
	GetPageIncident(ctx context.Context, incidentID, notificationID string) (*Incident, string, error)
	GetIncidentByNumber(ctx context.Context, number int64) (*Incident, error)
	ListIncidents(ctx context.Context, f IncidentFilter) ([]Incident, string, error)
	CountIncidents(ctx context.Context, status Status) (int64, error)
	// CountIncidentsUpTo counts like CountIncidents but reads at most
	// limit incidents: a result of limit means "limit or more". For counts shown
	// to people (the web UI's status tabs), which must not read a million
	// index entries to say "1,000,000".
	CountIncidentsUpTo(ctx context.Context, status Status, limit int64) (int64, error)
	// CountMatchingIncidentsUpTo is CountIncidentsUpTo within a service
	// and/or an urgency ("" for any), so a filtered list's counts are of
	// what it lists.
	CountMatchingIncidentsUpTo(ctx context.Context, status Status, serviceID string, urgency Urgency, limit int64) (int64, error)
	ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, string, error)
	ListTimeline(ctx context.Context, incidentID string, p Page) ([]TimelineEntry, string, error)
	// LatestTimeline returns an incident's newest limit entries, oldest
	// first, and whether older entries exist.
	LatestTimeline(ctx context.Context, incidentID string, limit int) ([]TimelineEntry, bool, error)
	ListServices(ctx context.Context) ([]Service, error)
	ListTeams(ctx context.Context) ([]Team, error)
	GetService(ctx context.Context, id string) (*Service, error)
	ListChangeEvents(ctx context.Context, f ChangeFilter) ([]ChangeEvent, string, error)
	ListEvents(ctx context.Context, p Page) ([]EventRecord, string, error)
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	// ListNotifications returns an incident's pages, oldest first.
	ListNotifications(ctx context.Context, incidentID string) ([]Notification, error)
	// ListIncidentNotifications returns a page of an incident's pages,
	// oldest first, and the cursor of the next: what the REST API lists,
	// bounded however long the incident was paged for.
	ListIncidentNotifications(ctx context.Context, incidentID string, p Page) ([]Notification, string, error)
	// RecentSends returns when userID was sent pages (and digests) of
	// contact type t at or after since, oldest first: throttles and
	// digests count them.
	RecentSends(ctx context.Context, userID string, t ContactType, since time.Time) ([]time.Time, error)
	// QueuedSends returns when userID's waiting pages (and digests) of
	// contact type t fall due, for those due after after, oldest first:
	// each will take a throttle's place then, so a page delayed by a
	// throttle queues behind them instead of racing them at every slot.
	// Pages held for a digest are left out (their one digest counts).
	QueuedSends(ctx context.Context, userID string, t ContactType, after time.Time) ([]time.Time, error)
	// ListDigest returns the pages digest digestID stands for, oldest first.
	ListDigest(ctx context.Context, digestID string) ([]Notification, error)
	// GetEscalation returns an incident's escalation state.
	GetEscalation(ctx context.Context, incidentID string) (*EscalationState, error)
	// CalendarFeed returns what the feed whose token hashes to tokenHash
	// shows, or not_found.
	CalendarFeed(ctx context.Context, tokenHash string) (kind, subject string, err error)
	// ListCalendarFeeds returns every feed, oldest first (no tokens).
	ListCalendarFeeds(ctx context.Context) ([]CalendarFeed, error)
	// NextEscalationDue returns when the earliest unfinished escalation
	// step or symptom grace timer (both the escalation engine's work) is
	// due (ok false: none). Engines read it before opening a write,
	// so an idle server commits nothing.
	NextEscalationDue(ctx context.Context) (due time.Time, ok bool, err error)
	// NextNotificationDue returns when the earliest waiting page is due for
	// an attempt (a pending page's due time, or an expired sending lease).
	NextNotificationDue(ctx context.Context) (due time.Time, ok bool, err error)
	// LastEventAt returns when each integration last sent an event or a
	// change event; those that never did are absent.
	LastEventAt(ctx context.Context, integrationIDs []string) (map[string]time.Time, error)
	// RecentPages returns when the user was paged at or after since,
	// oldest first: one time per escalation step that paged them, steps
	// whose every page was cancelled left out (the fatigue guardrail).
	RecentPages(ctx context.Context, userID string, since time.Time) ([]time.Time, error)
	// ListSilences returns one page of the silences f selects, newest
	// first, and the cursor of the next page ("" after the last), so a
	// client sees every silence however many there are.
	ListSilences(ctx context.Context, f SilenceFilter) ([]Silence, string, error)
	// ListLiveSilences returns the newest silences not ended at at
	// (active or yet to start), at most limit: however many have ended
	// since, a live one is never crowded out of the list.
	ListLiveSilences(ctx context.Context, at time.Time, limit int) ([]Silence, error)
	// GetSilence returns one silence, or not_found.
	GetSilence(ctx context.Context, id string) (*Silence, error)
}

// Tx is a write transaction. Methods that find one thing return a
// not_found *Error when there is none.
//
// A write whose only outcome is an error may report it late: on
// PostgreSQL it is queued and sent with the request's next statement
// that needs an answer, or with COMMIT (ARCHITECTURE.md, "Round trips on
// PostgreSQL"); on SQLite new incidents the store numbers, new alerts,
// timeline entries, re-triggers' updates and event rows are held and
// written several at a time with the transaction's next statement, at
// the request's end or before COMMIT. Its conflict or not_found then
// comes from that statement, or from Store.Write, and fails the whole
// request: nothing of it commits. Those writes are InsertIncident (with a
// zero Number), InsertAlert, UpdateAlert, AppendTimeline and InsertEvent:
// a caller must not try to recover from their errors inside the same fn,
// and retries the write instead (intake does).
type Tx interface {
	// BeforeCommit runs f inside the transaction just before it commits,
	// after every request of its group commit has run, so what f reads is
	// what the commit leaves (a later request's acknowledgement included).
	// f must only read: it cannot fail the transaction. It does not run if
	// the calling request fails, and runs again if the batch is rerun.
	// First pages use it to hand delivery their incident without a read
	// after the commit.
	BeforeCommit(f func(Tx))
	// FindOpenAlert returns the alert on serviceID with dedupKey that is not
	// resolved, or nil (and no error) when there is none.
	FindOpenAlert(ctx context.Context, serviceID, dedupKey string) (*Alert, error)
	// ReadOpenAlertsAhead tells the transaction which alerts the calling
	// request's triggers will look up next with FindOpenAlert, in event
	// order, so that a store whose every read is a round trip
	// (PostgreSQL) can read them all in one: those it expects open
	// locked, the others with their recent alerts. A re-sent
	// Alertmanager notification of 100 firing alerts had cost 100 round
	// trips on one writer. It answers nothing and changes no row;
	// FindOpenAlert (and, after it, RecentAlertsByKey) then answer from
	// what it read while the request has not written that key's alerts.
	// A no-op where reads are in process (SQLite).
	ReadOpenAlertsAhead(ctx context.Context, keys []AlertKey) error
	// FindOpenAlertSkipLocked is FindOpenAlert without waiting: an open
	// alert whose row another transaction holds locked (PostgreSQL) reads
	// as nil. Intake's repeat-trigger writers use it so they never wait on,
	// and so never deadlock with, the writer of a grouped service.
	FindOpenAlertSkipLocked(ctx context.Context, serviceID, dedupKey string) (*Alert, error)
	// FindOpenAlertToResolve is FindOpenAlert for a resolve or an
	// acknowledge event, which change the alert's incident: on PostgreSQL
	// the incident the open alert belongs to, or is a symptom of, is
	// locked before the alert. Merges, splits, promotions and a person's
	// resolve lock an incident before its alerts and symptoms
	// (AlertsOfIncident, LockSymptomsOf): taking the alert first made a
	// lock cycle with them. A merge may move the alert meanwhile: the
	// incident the alert then names is locked without waiting, and held
	// by another the call (or the next statement) fails with
	// ErrRunAlone. The same as FindOpenAlert on SQLite.
	FindOpenAlertToResolve(ctx context.Context, serviceID, dedupKey string) (*Alert, error)
	// FindOpenAlertBySentKey returns the newest alert on serviceID that is
	// not resolved and whose first trigger was sent with sentKey before an
	// event rule rewrote it (SetAlertSentKey), or nil. An acknowledge or
	// resolve carrying only that key, which the rule does not match, means
	// that alert.
	FindOpenAlertBySentKey(ctx context.Context, serviceID, sentKey string) (*Alert, error)
	// FindOpenAlertBySentKeyToResolve is FindOpenAlertBySentKey for a
	// resolve or an acknowledge event: on PostgreSQL the incident the
	// alert belongs to or is a symptom of is locked before the alert, the
	// order merges and promotions take them in (see
	// FindOpenAlertToResolve). The same as FindOpenAlertBySentKey on SQLite.
	FindOpenAlertBySentKeyToResolve(ctx context.Context, serviceID, sentKey string) (*Alert, error)
	// SetAlertSentKey records the dedup key alertID's trigger was sent
	// with, where an event rule gave the alert another one.
	SetAlertSentKey(ctx context.Context, alertID, sentKey string) error
	// InsertAlert stores a new alert, its SentKey included. A second
	// open alert with the same service and dedup key, or a taken ID, is
	// a conflict, reported late (see Tx); SQLite refuses a second open
	// alert of a key its writer's cache holds open at once.
	InsertAlert(ctx context.Context, a *Alert) error
	// UpdateAlert writes a's mutable fields; SentKey is not one of them.
	UpdateAlert(ctx context.Context, a *Alert) error
	// AlertsOfIncident returns the incident's alerts, oldest first.
	AlertsOfIncident(ctx context.Context, incidentID string) ([]Alert, error)
	// OpenIncidentsOf returns up to limit unresolved incidents of the
	// service whose latest alert joined at or after since, highest number
	// first (grouping candidates). To keep the read small
	// only ID, Number, Title, ServiceID, Features, LastFeatures and
	// LastAlertAt are read (Status says triggered, whether or not it is
	// acknowledged); GetIncident reads the rest.
	OpenIncidentsOf(ctx context.Context, serviceID string, since time.Time, limit int) ([]Incident, error)
	// NewestOpenIncident returns the unresolved incident of the service
	// with the highest number, locked on PostgreSQL, or nil (no error).
	NewestOpenIncident(ctx context.Context, serviceID string) (*Incident, error)
	// OpenIncidents returns up to limit unresolved incidents of the
	// service, every column, highest number first (the upstream incidents
	// a symptom may attach to). They are not locked: of the many a symptom
	// could attach to, the caller locks the one it picks (GetIncident).
	OpenIncidents(ctx context.Context, serviceID string, limit int) ([]Incident, error)
	// LockGrouping holds, until the transaction ends, the grouping lock of
	// serviceID: every node's transaction deciding where a new alert of
	// that service goes takes it first, so two nodes (or two writers of
	// one) never both open an incident where one should join the other's.
	// A no-op on SQLite, whose one writer runs transactions one at a time.
	LockGrouping(ctx context.Context, serviceID string) error
	// LockNotificationGroup holds, until the transaction ends, the lock
	// of one notification group of serviceID: on a service that does not
	// group alerts itself, where a new alert of the group goes (its
	// group's open incident, or a new one) depends on that group alone,
	// so the transactions deciding it take this lock instead of the
	// service's, and new groups of one service open side by side. A
	// no-op on SQLite.
	LockNotificationGroup(ctx context.Context, serviceID, groupKey string) error
	// OpenIncidentWithFeatures returns the highest-numbered unresolved
	// incident of the service whose first or latest alert has exactly
	// these features and whose latest alert joined at or after since,
	// locked on PostgreSQL; nil (no error) when there is none.
	OpenIncidentWithFeatures(ctx context.Context, serviceID, features string, since time.Time) (*Incident, error)
	// OpenIncidentOfGroup returns the newest unresolved incident of
	// serviceID whose GroupKey is groupKey, else the unresolved incident
	// the group's incident was merged into (MergeGroup), or nil ("" finds
	// none), locked on PostgreSQL: where a new alert of an Alertmanager
	// group goes.
	OpenIncidentOfGroup(ctx context.Context, serviceID, groupKey string) (*Incident, error)
	// MergeGroup records that src was merged into the incident targetID,
	// so that the later alerts of src's group (and of the groups merged
	// into src) join targetID while it is open (OpenIncidentOfGroup).
	MergeGroup(ctx context.Context, src *Incident, targetID string) error
	// RecentAlertsOfIncident returns up to limit of the incident's alerts
	// first seen at or after since, newest first.
	RecentAlertsOfIncident(ctx context.Context, incidentID string, since time.Time, limit int) ([]Alert, error)
	// RecentAlertsByKey returns up to limit alerts on the service with the
	// dedup key first seen at or after since, newest first (flapping).
	RecentAlertsByKey(ctx context.Context, serviceID, dedupKey string, since time.Time, limit int) ([]Alert, error)
	// SymptomsOf returns the unresolved alerts attached to the incident as
	// symptoms, oldest first.
	SymptomsOf(ctx context.Context, incidentID string) ([]Alert, error)
	// LockSymptomsOf is SymptomsOf for a caller that writes the symptoms
	// back (a merge moves them, a resolve promotes them): on PostgreSQL
	// the rows are locked until the transaction ends, so a re-trigger
	// committed by another writer or node between the read and the write
	// is not overwritten by the older copy; it waits, then counts on the
	// row left. Callers hold the incident's lock first (the order every
	// writer of an incident's alerts keeps). SymptomsOf stays unlocked for
	// those that only count them: two symptoms resolving at once each
	// hold their own row and would lock each other's.
	LockSymptomsOf(ctx context.Context, incidentID string) ([]Alert, error)
	// SetSymptomGrace inserts or replaces the grace timer of a recovering
	// incident (its own alerts resolved, symptoms still firing).
	SetSymptomGrace(ctx context.Context, g *SymptomGrace) error
	// ClearSymptomGrace removes an incident's grace timer, if any.
	ClearSymptomGrace(ctx context.Context, incidentID string) error
	// DueSymptomGraces returns up to limit grace timers due at now, oldest
	// due first, their incidents locked; on PostgreSQL incidents other
	// nodes hold are skipped.
	DueSymptomGraces(ctx context.Context, now time.Time, limit int) ([]SymptomGrace, error)

	// NextIncidentNumber returns the next per-instance incident number.
	NextIncidentNumber(ctx context.Context) (int64, error)
	// GetIncident reads an incident for update.
	GetIncident(ctx context.Context, id string) (*Incident, error)
	// InsertIncident inserts inc; a zero Number is assigned the next
	// incident number (and the insert may then be written, and a taken
	// ID reported, later in the transaction; a Number of the caller's
	// is checked at once).
	InsertIncident(ctx context.Context, inc *Incident) error
	UpdateIncident(ctx context.Context, inc *Incident) error
	AppendTimeline(ctx context.Context, e *TimelineEntry) error
	// AppendTimelineOnce appends e unless an entry with its ID exists, and
	// says which, at once: AppendTimeline may report a duplicate ID only
	// at commit (PostgreSQL pipelines it), too late for a caller whose
	// next step depends on it (a throttle's "still delayed" entry).
	AppendTimelineOnce(ctx context.Context, e *TimelineEntry) (added bool, err error)

	// InsertEvent appends e to the event log. Both engines write the row
	// later in the transaction (PostgreSQL queues it with the next
	// statement, SQLite inserts a request's rows together), so an ID
	// already taken may fail the request after InsertEvent returned nil.
	InsertEvent(ctx context.Context, e *EventRecord) error
	InsertChangeEvent(ctx context.Context, c *ChangeEvent) error
	// RecentChanges returns the service's change events with a timestamp
	// in [since, until], newest first.
	RecentChanges(ctx context.Context, serviceID string, since, until time.Time) ([]ChangeEvent, error)

	// ApplyCatalog makes teams, services and integrations match the config
	// file: upserts what is listed, deactivates services and deletes
	// integrations that are not.
	ApplyCatalog(ctx context.Context, teams []Team, services []Service, integrations []Integration) error
	CreateToken(ctx context.Context, t *Token) error
	TouchToken(ctx context.Context, id string, at time.Time) error
	// DeleteToken revokes an API token: it authenticates nothing from the
	// commit on (not_found when there is no such token).
	DeleteToken(ctx context.Context, id string) error

	// GetEscalation reads an incident's escalation for update.
	GetEscalation(ctx context.Context, incidentID string) (*EscalationState, error)
	// SaveEscalation inserts or replaces an incident's escalation state.
	SaveEscalation(ctx context.Context, e *EscalationState) error
	// DueEscalations locks and returns up to limit escalations due at now;
	// on PostgreSQL rows other nodes hold are skipped.
	DueEscalations(ctx context.Context, now time.Time, limit int) ([]EscalationState, error)
	// NextTurn advances a round-robin level's turn counter and returns it.
	// On PostgreSQL the counter stays locked until the transaction ends:
	// take it after LockTurns, which locks counters in one global order.
	NextTurn(ctx context.Context, policyID string, level int) (int, error)
	// LockTurns locks, until the transaction ends, the turn counters of
	// keys (PostgreSQL), in one global order (TurnKey.Compare), before
	// any of them is taken (NextTurn): steps that take turns of several
	// policies or levels took them as they paged, and two transactions
	// taking two counters in opposite orders deadlocked. It returns false,
	// locking nothing, when the transaction already holds a counter after
	// one of keys that it does not hold yet: locking that one now would
	// break the order, so the caller leaves its step to a transaction of
	// its own. Counters never taken are created, their turn unchanged.
	// SQLite, one writer without row locks: true, nothing to lock.
	LockTurns(ctx context.Context, keys []TurnKey) (bool, error)
	// InsertNotification records a page; the same (incident, step, user,
	// contact method) twice is a conflict, so a step never pages twice.
	InsertNotification(ctx context.Context, n *Notification) error
	// ClaimNotifications leases due notifications for delivery until
	// leaseUntil, counting the attempt; expired leases are claimable.
	ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Notification, error)
	// ClaimIncidentNotifications is ClaimNotifications for one incident's
	// pending pages due at now: the pages the transaction that opened it
	// just made, leased in that same transaction (no expired leases).
	ClaimIncidentNotifications(ctx context.Context, incidentID string, now, leaseUntil time.Time) ([]Notification, error)
	// UpdateNotification records a delivery outcome, releasing the lease.
	// A page cancelled since it was claimed stays cancelled unless the
	// outcome is NotificationSent (it went out, and the record says so);
	// any other outcome returns ErrNotificationCancelled, and writes only
	// a failed attempt's (retry's or failure's) last_error and error_detail,
	// so the page shows why the attempt it counts failed.
	UpdateNotification(ctx context.Context, n *Notification) error
	// TakeHeldNotifications marks userID's held pages of contact type t
	// due by now as digested into digestID and returns them; a page
	// another digest took is not returned, so each goes out once.
	TakeHeldNotifications(ctx context.Context, userID string, t ContactType, now time.Time, digestID string) ([]Notification, error)
	// CancelNotifications cancels an incident's pending pages and those in
	// flight (sending), digests excepted; an attempt in flight may still go
	// out, but cannot be retried (UpdateNotification).
	CancelNotifications(ctx context.Context, incidentID string) (int, error)
	// HeldPages returns the incident's pending pages to userID due at due,
	// oldest first. On PostgreSQL it first takes a lock on (incident, user)
	// held to the commit, so nodes holding pages of one incident for one
	// person until the same moment decide one after the other (quiet hours'
	// one morning page per contact method).
	HeldPages(ctx context.Context, incidentID, userID string, due time.Time) ([]Notification, error)
	// MoveHeldPages makes userID's pending pages (kind page) due at
	// heldUntil due at due instead and returns how many it moved: the
	// pages quiet hours held until a night's end that a config reload
	// lifted or moved, which delivery then checks again at once.
	MoveHeldPages(ctx context.Context, userID string, heldUntil, due time.Time) (int, error)
	// RecentPages is Reader.RecentPages inside the transaction, so pages
	// this transaction recorded count too.
	RecentPages(ctx context.Context, userID string, since time.Time) ([]time.Time, error)
	// CreateCalendarFeed records a calendar feed: its ID, token hash, what
	// it shows (kind "users" or "schedules", and the ID) and who made it.
	CreateCalendarFeed(ctx context.Context, f *CalendarFeed) error
	// DeleteCalendarFeed revokes the feed with id (not_found if none).
	DeleteCalendarFeed(ctx context.Context, id string) error

	// InsertSilence records a silence (conflict if the ID exists).
	InsertSilence(ctx context.Context, s *Silence) error
	// ExpireSilence ends a silence at at (not_found if none); an ended
	// silence is returned unchanged.
	ExpireSilence(ctx context.Context, id string, at time.Time) (*Silence, error)
	// ActiveSilences returns the silences not ended at at (active or yet
	// to start): what intake weighs for a new incident.
	ActiveSilences(ctx context.Context, at time.Time) ([]Silence, error)
	// HoldingRefs returns the windows and silences ("kind:id") that hold
	// the first page of some unresolved incident, each once: at start, the
	// holds of windows a config edited while the server was down.
	HoldingRefs(ctx context.Context) ([]string, error)
	// SuppressedIncidents returns the unresolved incidents whose first
	// page the window or silence ref ("kind:id") holds.
	SuppressedIncidents(ctx context.Context, ref string) ([]string, error)
}
