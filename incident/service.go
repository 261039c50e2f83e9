package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// MaxNoteLength caps a note, in characters: long enough for a pasted log
// excerpt, short enough to keep the timeline readable.
const MaxNoteLength = 10000

// Service performs responder actions on incidents, each in one store
// write: the change, its alerts' changes and the timeline entry commit
// together or not at all.
type Service struct {
	Store hypercare.Store
	Clock hypercare.Clock
	// Policies pages for incidents opened by an action: symptoms promoted
	// when an incident resolves, incidents split off. Nil pages nobody.
	Policies Policies
	// Groupings groups the symptoms a resolve promotes as their service
	// groups its alerts. Nil groups nothing.
	Groupings Groupings
}

// Lookup finds an incident by ID or, when ref is all digits, by number, so
// humans can type "hypercare incidents ack 42".
func (s *Service) Lookup(ctx context.Context, ref string) (*hypercare.Incident, error) {
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil && n > 0 {
		return s.Store.GetIncidentByNumber(ctx, n)
	}
	return s.Store.GetIncident(ctx, ref)
}

// Acknowledge acknowledges a triggered incident and its triggered alerts.
// Acknowledging an acknowledged incident changes nothing; a resolved one is
// a conflict, since there is nothing left to work on.
func (s *Service) Acknowledge(ctx context.Context, ref string, actor hypercare.Actor) (*hypercare.Incident, error) {
	return s.ackVia(ctx, ref, actor, "", false)
}

// AcknowledgeVia is Acknowledge from outside the UI and API: via names
// how the responder answered ("Slack", "SMS", "e-mail link"), so the
// timeline reads "Acknowledged by Alice via Slack". An incident already
// acknowledged is a conflict here ("already acknowledged"): the answer
// to a chat press, a reply or a link says who acted, and must not name
// someone who changed nothing.
func (s *Service) AcknowledgeVia(ctx context.Context, ref string, actor hypercare.Actor, via string) (*hypercare.Incident, error) {
	return s.ackVia(ctx, ref, actor, via, true)
}

// ackVia is Acknowledge; strict refuses an incident already
// acknowledged instead of changing nothing.
func (s *Service) ackVia(ctx context.Context, ref string, actor hypercare.Actor, via string, strict bool) (*hypercare.Incident, error) {
	return s.transition(ctx, ref, func(tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
		switch inc.Status {
		case hypercare.StatusAcknowledged:
			if strict {
				return hypercare.Errorf(hypercare.CodeConflict, "incident %d is already acknowledged", inc.Number)
			}
			return nil
		case hypercare.StatusResolved:
			return hypercare.Errorf(hypercare.CodeConflict, "incident %d is already resolved", inc.Number)
		}
		if err := s.updateOpenAlerts(ctx, tx, inc, hypercare.StatusAcknowledged, now); err != nil {
			return err
		}
		return acknowledge(ctx, tx, inc, actor, now, "Acknowledged by "+actor.Name+viaSuffix(via), s.Policies)
	})
}

// Resolve resolves an incident and all its open alerts. Resolving a
// resolved incident changes nothing.
func (s *Service) Resolve(ctx context.Context, ref string, actor hypercare.Actor) (*hypercare.Incident, error) {
	return s.resolveVia(ctx, ref, actor, "", false)
}

// ResolveVia is Resolve with how the responder answered (see
// AcknowledgeVia); an incident already resolved is a conflict ("already
// resolved"), for the same reason.
func (s *Service) ResolveVia(ctx context.Context, ref string, actor hypercare.Actor, via string) (*hypercare.Incident, error) {
	return s.resolveVia(ctx, ref, actor, via, true)
}

// resolveVia is Resolve; strict refuses an incident already resolved.
func (s *Service) resolveVia(ctx context.Context, ref string, actor hypercare.Actor, via string, strict bool) (*hypercare.Incident, error) {
	return s.transition(ctx, ref, func(tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
		if inc.Status == hypercare.StatusResolved {
			if strict {
				return hypercare.Errorf(hypercare.CodeConflict, "incident %d is already resolved", inc.Number)
			}
			return nil
		}
		if err := s.updateOpenAlerts(ctx, tx, inc, hypercare.StatusResolved, now); err != nil {
			return err
		}
		return markResolved(ctx, tx, inc, actor, now, "Resolved by "+actor.Name+viaSuffix(via), s.Policies, s.Groupings)
	})
}

func viaSuffix(via string) string {
	if via == "" {
		return ""
	}
	return " via " + via
}

// AddNote appends a responder's note to the incident's timeline.
func (s *Service) AddNote(ctx context.Context, ref string, actor hypercare.Actor, message string) (*hypercare.TimelineEntry, error) {
	message = strings.TrimSpace(message)
	if err := checkNote(message); err != nil {
		return nil, err
	}
	var entry *hypercare.TimelineEntry
	_, err := s.transition(ctx, ref, func(tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
		entry = &hypercare.TimelineEntry{
			ID: hypercare.NewID(now), IncidentID: inc.ID, At: now,
			Type: hypercare.TimelineNote, Actor: actor, Message: message,
		}
		if err := tx.AppendTimeline(ctx, entry); err != nil {
			return fmt.Errorf("add note to incident %d: %w", inc.Number, err)
		}
		return nil
	})
	return entry, err
}

func checkNote(message string) error {
	field := func(msg string) error {
		return hypercare.InvalidFields("invalid note", hypercare.FieldError{Field: "message", Message: msg})
	}
	switch {
	case message == "":
		return field("is required")
	case !utf8.ValidString(message) || strings.ContainsRune(message, 0):
		return field("must be valid UTF-8 text without NUL characters")
	case utf8.RuneCountInString(message) > MaxNoteLength:
		return field(fmt.Sprintf("must be at most %d characters", MaxNoteLength))
	}
	return nil
}

// transition finds the incident, then runs change on a fresh copy read
// inside the write transaction, and returns the incident as committed.
func (s *Service) transition(ctx context.Context, ref string, change func(hypercare.Tx, *hypercare.Incident, time.Time) error) (*hypercare.Incident, error) {
	return s.transitionWith(ctx, ref, nil, func(tx hypercare.Tx, inc *hypercare.Incident, _ []*hypercare.Incident, now time.Time) error {
		return change(tx, inc, now)
	})
}

// transitionWith is transition for a change of more incidents than the
// target (a merge's sources): it reads, and so locks on PostgreSQL, the
// target and others in ascending ID order, and passes change the others'
// fresh copies in the order of others. Two such changes of the same
// incidents (a merge of #1 into #2 and one of #2 into #1 at once) then
// wait for each other instead of each holding what the other waits for
// until PostgreSQL aborts one and the store runs its batch again.
func (s *Service) transitionWith(ctx context.Context, ref string, others []string,
	change func(tx hypercare.Tx, target *hypercare.Incident, others []*hypercare.Incident, now time.Time) error) (*hypercare.Incident, error) {
	found, err := s.Lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	ids := append(slices.Clone(others), found.ID)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var result *hypercare.Incident
	err = s.Store.Write(ctx, s.writerKey(found, others), func(tx hypercare.Tx) error {
		read := make(map[string]*hypercare.Incident, len(ids))
		for _, id := range ids {
			inc, err := tx.GetIncident(ctx, id)
			if err != nil {
				return err
			}
			read[id] = inc
		}
		copies := make([]*hypercare.Incident, len(others))
		for i, id := range others {
			copies[i] = read[id]
		}
		inc := read[found.ID]
		if err := change(tx, inc, copies, s.Clock.Now()); err != nil {
			return err
		}
		result = inc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// updateOpenAlerts moves the incident's unresolved alerts to status (only
// triggered ones when acknowledging).
func (s *Service) updateOpenAlerts(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, status hypercare.Status, now time.Time) error {
	alerts, err := tx.AlertsOfIncident(ctx, inc.ID)
	if err != nil {
		return fmt.Errorf("alerts of incident %d: %w", inc.Number, err)
	}
	for i := range alerts {
		a := &alerts[i]
		if a.Status == hypercare.StatusResolved || a.Status == status {
			continue
		}
		a.Status = status
		if status == hypercare.StatusResolved {
			a.ResolvedAt = &now
		} else {
			a.AcknowledgedAt = &now
		}
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return fmt.Errorf("set alert %s %s: %w", a.ID, status, err)
		}
	}
	return nil
}

// MaxFeedbackNoteLength caps the note given with a verdict, in characters.
const MaxFeedbackNoteLength = 1000

// Feedback records a responder's verdict on an incident (noise or
// actionable) with an optional note: the last verdict given counts in the
// reports, and every one stays on the timeline ("Marked noise by Alice").
// Resolved incidents take feedback too: that is when it is usually given.
func (s *Service) Feedback(ctx context.Context, ref string, actor hypercare.Actor, verdict hypercare.Verdict, note string) (*hypercare.Incident, error) {
	note = strings.TrimSpace(note)
	if err := checkFeedback(verdict, note); err != nil {
		return nil, err
	}
	return s.transition(ctx, ref, func(tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
		ftx, ok := tx.(hypercare.FeedbackTx)
		if !ok {
			return hypercare.Errorf(hypercare.CodeUnavailable, "this store does not keep incident feedback")
		}
		fb := &hypercare.Feedback{Verdict: verdict, Note: note, By: actor, At: now}
		if err := ftx.SetFeedback(ctx, inc.ID, fb); err != nil {
			return fmt.Errorf("feedback on incident %d: %w", inc.Number, err)
		}
		msg := "Marked " + string(verdict) + " by " + actor.Name
		if note != "" {
			msg += ": " + note
		}
		entry := &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: inc.ID, At: now,
			Type: hypercare.TimelineFeedback, Actor: actor, Message: msg}
		if err := tx.AppendTimeline(ctx, entry); err != nil {
			return fmt.Errorf("feedback on incident %d: %w", inc.Number, err)
		}
		inc.Feedback = fb
		return nil
	})
}

func checkFeedback(verdict hypercare.Verdict, note string) error {
	switch {
	case verdict == "":
		return hypercare.InvalidFields("invalid feedback", hypercare.FieldError{Field: "verdict", Message: "is required: noise or actionable"})
	case !verdict.Valid():
		return hypercare.InvalidFields("invalid feedback", hypercare.FieldError{Field: "verdict", Message: "must be noise or actionable"})
	case !utf8.ValidString(note) || strings.ContainsRune(note, 0):
		return hypercare.InvalidFields("invalid feedback", hypercare.FieldError{Field: "note", Message: "must be valid UTF-8 text without NUL characters"})
	case utf8.RuneCountInString(note) > MaxFeedbackNoteLength:
		return hypercare.InvalidFields("invalid feedback", hypercare.FieldError{Field: "note",
			Message: fmt.Sprintf("must be at most %d characters", MaxFeedbackNoteLength)})
	}
	return nil
}

// writerKey is the Store.Write key of a person's action on inc (and
// others): its notification group's (hypercare.GroupWriteKey) where intake
// writes the group's alerts and incident there, a group incident acted on
// alone on a service that does not group alerts itself; else its
// service's. The action takes the incident, then its alerts, where ingest
// takes alerts, then the incident: on two writers of one node the two
// could wait for each other until PostgreSQL broke the cycle.
func (s *Service) writerKey(inc *hypercare.Incident, others []string) string {
	if inc.GroupKey == "" || len(others) > 0 || s.Groupings != nil && s.Groupings(inc.ServiceID).Type.On() {
		return inc.ServiceID
	}
	return hypercare.GroupWriteKey(inc.ServiceID, inc.GroupKey)
}
