package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

// The range of times a query may ask about. Answers hold times derived
// from the one asked (a shift's end up to 90 days later, a window of up to
// 366 days, an escalation's later steps), and every one must still be an
// RFC 3339 time (years 0000–9999) or the answer could not be encoded; the
// bounds leave those derived times years of room.
var (
	minQueryTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxQueryTime = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// timeParam parses an RFC 3339 query parameter, defaulting to def. A time
// outside [minQueryTime, maxQueryTime) once in UTC is invalid.
func (s *Server) timeParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, hypercare.InvalidFields("invalid query", hypercare.FieldError{
			Field: name, Message: "must be an RFC 3339 time, e.g. 2026-11-27T09:00:00Z"})
	}
	if t = t.UTC(); t.Before(minQueryTime) || !t.Before(maxQueryTime) {
		return t, hypercare.InvalidFields("invalid query", hypercare.FieldError{
			Field: name, Message: "must be from 0001-01-01T00:00:00Z and before 9000-01-01T00:00:00Z"})
	}
	return t, nil
}

func (s *Server) directory() *escalate.Directory { return s.escalation.Directory() }

// onCall answers GET /api/v1/oncall: who is on call at ?at= (default now)
// on every schedule or ?schedule=, and with ?policy= whom each level of
// that policy would page and how long it would wait (Directory.LevelWait).
func (s *Server) onCall(w http.ResponseWriter, r *http.Request) {
	at, err := s.timeParam(r, "at", s.clock.Now())
	if err == nil {
		err = textParams(r, "schedule", "policy")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dir := s.directory()
	q := r.URL.Query()
	resp := hypercare.OnCall{At: at}
	if pid := q.Get("policy"); pid != "" {
		p, ok := dir.Policies[pid]
		if !ok {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "escalation policy %q not found", pid))
			return
		}
		pol := policyOnCall(dir, p, at)
		resp.Policy = &pol
	}
	ids := sortedKeys(dir.Schedules)
	if sid := q.Get("schedule"); sid != "" {
		if _, ok := dir.Schedules[sid]; !ok {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "schedule %q not found", sid))
			return
		}
		ids = []string{sid}
	}
	entries, gaps := []hypercare.OnCallEntry{}, []hypercare.OnCallGap{}
	for _, id := range ids {
		if e, ok := scheduleOnCall(dir, id, at); ok {
			entries = append(entries, e)
		} else {
			gaps = append(gaps, scheduleGap(dir, id, at))
		}
	}
	resp.OnCall, resp.NobodyOnCall = entries, gaps
	s.writeJSON(w, http.StatusOK, resp)
}

func scheduleOnCall(dir *escalate.Directory, id string, at time.Time) (hypercare.OnCallEntry, bool) {
	user, end, ok := dir.Schedules[id].Stint(at, untilHorizon)
	if !ok {
		return hypercare.OnCallEntry{}, false
	}
	e := hypercare.OnCallEntry{Schedule: id, User: user, UserName: dir.Users[user].Name}
	if !end.IsZero() {
		end = end.UTC()
		e.Until = &end
	}
	return e, true
}

// scheduleGap is schedule id with nobody on call at at, until its next
// shift starts if within untilHorizon.
func scheduleGap(dir *escalate.Directory, id string, at time.Time) hypercare.OnCallGap {
	g := hypercare.OnCallGap{Schedule: id}
	if next := dir.Schedules[id].Shifts(at, at.Add(untilHorizon)); len(next) > 0 {
		start := next[0].Start.UTC()
		g.Until = &start
	}
	return g
}

// untilHorizon is how far ahead "until" looks: someone still on call after
// it has no "until" (null), rather than a made-up one at its edge.
const untilHorizon = 90 * 24 * time.Hour

func policyOnCall(dir *escalate.Directory, p hypercare.EscalationPolicy, at time.Time) hypercare.PolicyOnCall {
	out := hypercare.PolicyOnCall{Policy: p.ID, Levels: []hypercare.LevelOnCall{}}
	for i, l := range p.Levels {
		users, _ := dir.Resolve(l.Targets, at)
		wait := dir.LevelWait(p, i, at)
		lv := hypercare.LevelOnCall{Level: i + 1, Users: nonNil(users), Mode: l.Mode,
			EscalateAfterMinutes: wait.After.Minutes(), ConfiguredEscalateAfterMinutes: wait.Configured.Minutes(),
			ShortenedFor: wait.Services}
		if wait.Window != nil {
			lv.ShortenedBy = wait.Window.ID
		}
		out.Levels = append(out.Levels, lv)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
