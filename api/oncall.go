package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
)

// maxShiftWindow bounds GET …/shifts, so one request cannot ask for
// centuries of shifts.
const maxShiftWindow = 366 * 24 * time.Hour

// OnCallEntry says who is on call on one schedule at a moment, and until
// when (the end of their current shift, if it ends within 90 days).
type OnCallEntry struct {
	Schedule string     `json:"schedule"`
	User     string     `json:"user"`
	UserName string     `json:"user_name"`
	Until    *time.Time `json:"until"`
}

// PolicyOnCall says whom each level of a policy would page at a moment.
type PolicyOnCall struct {
	Policy string        `json:"policy"`
	Levels []LevelOnCall `json:"levels"`
}

// LevelOnCall is one level's targets resolved to users.
type LevelOnCall struct {
	Level                int                 `json:"level"`
	Users                []string            `json:"users"`
	Mode                 hypercare.LevelMode `json:"mode"`
	EscalateAfterMinutes float64             `json:"escalate_after_minutes"`
}

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
// that policy would page.
func (s *Server) onCall(w http.ResponseWriter, r *http.Request) {
	at, err := s.timeParam(r, "at", s.clock.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dir := s.directory()
	q := r.URL.Query()
	resp := map[string]any{"at": at}
	if pid := q.Get("policy"); pid != "" {
		p, ok := dir.Policies[pid]
		if !ok {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "escalation policy %q not found", pid))
			return
		}
		resp["policy"] = policyOnCall(dir, p, at)
	}
	ids := sortedKeys(dir.Schedules)
	if sid := q.Get("schedule"); sid != "" {
		if _, ok := dir.Schedules[sid]; !ok {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "schedule %q not found", sid))
			return
		}
		ids = []string{sid}
	}
	entries := []OnCallEntry{}
	for _, id := range ids {
		if e, ok := scheduleOnCall(dir, id, at); ok {
			entries = append(entries, e)
		}
	}
	resp["oncall"] = entries
	s.writeJSON(w, http.StatusOK, resp)
}

func scheduleOnCall(dir *escalate.Directory, id string, at time.Time) (OnCallEntry, bool) {
	sched := dir.Schedules[id]
	user, ok := sched.OnCall(at)
	if !ok {
		return OnCallEntry{}, false
	}
	e := OnCallEntry{Schedule: id, User: user, UserName: dir.Users[user].Name}
	for _, sh := range sched.Shifts(at, at.Add(90*24*time.Hour)) {
		if sh.User == user && !sh.Start.After(at) {
			end := sh.End.UTC()
			e.Until = &end
			break
		}
	}
	return e, true
}

func policyOnCall(dir *escalate.Directory, p hypercare.EscalationPolicy, at time.Time) PolicyOnCall {
	out := PolicyOnCall{Policy: p.ID, Levels: []LevelOnCall{}}
	for i, l := range p.Levels {
		lv := LevelOnCall{Level: i + 1, Users: []string{}, Mode: l.Mode, EscalateAfterMinutes: l.EscalateAfter.Minutes()}
		for _, t := range l.Targets {
			if t.User != "" {
				lv.Users = append(lv.Users, t.User)
			} else if u, ok := dir.OnCall(t.Schedule, at); ok {
				lv.Users = append(lv.Users, u)
			}
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

// ScheduleView is a schedule as the API shows it.
type ScheduleView struct {
	ID       string   `json:"id"`
	TimeZone string   `json:"time_zone"`
	Layers   []string `json:"layers"`
	Users    []string `json:"users"`
}

func (s *Server) listSchedules(w http.ResponseWriter, _ *http.Request) {
	dir := s.directory()
	out := []ScheduleView{}
	for _, id := range sortedKeys(dir.Schedules) {
		sc := dir.Schedules[id]
		v := ScheduleView{ID: id, TimeZone: sc.TimeZone.String(), Layers: []string{}, Users: []string{}}
		seen := map[string]bool{}
		for _, l := range sc.Layers {
			v.Layers = append(v.Layers, l.ID)
			for _, u := range l.Users {
				if !seen[u] {
					seen[u] = true
					v.Users = append(v.Users, u)
				}
			}
		}
		out = append(out, v)
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"schedules": out})
}

// shifts answers GET /api/v1/schedules/{id}/shifts?from=&to= (default: the
// next 7 days), the final shifts after layers, restrictions and overrides.
func (s *Server) shifts(w http.ResponseWriter, r *http.Request) {
	sched, ok := s.directory().Schedules[r.PathValue("id")]
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "schedule %q not found", r.PathValue("id")))
		return
	}
	from, err := s.timeParam(r, "from", s.clock.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	to, err := s.timeParam(r, "to", from.Add(7*24*time.Hour))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !to.After(from) || to.Sub(from) > maxShiftWindow {
		s.writeError(w, r, hypercare.InvalidFields("invalid query", hypercare.FieldError{
			Field: "to", Message: "must be after from and at most 366 days later"}))
		return
	}
	list := sched.Shifts(from, to)
	if list == nil {
		list = []oncall.Shift{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"schedule": sched.ID, "from": from, "to": to, "shifts": shiftViews(list)})
}

// ShiftView is a shift on the wire.
type ShiftView struct {
	User  string    `json:"user"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Layer string    `json:"layer"`
}

func shiftViews(list []oncall.Shift) []ShiftView {
	out := make([]ShiftView, len(list))
	for i, sh := range list {
		out[i] = ShiftView{User: sh.User, Start: sh.Start.UTC(), End: sh.End.UTC(), Layer: sh.Layer}
	}
	return out
}

// simulate answers GET /api/v1/simulate?service=&at=&urgency=: who would be
// paged, and when, if an incident opened on the service at that time and
// nobody acknowledged.
func (s *Server) simulate(w http.ResponseWriter, r *http.Request) {
	at, err := s.timeParam(r, "at", s.clock.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	svc := r.URL.Query().Get("service")
	if svc == "" {
		s.writeError(w, r, hypercare.InvalidFields("invalid query", hypercare.FieldError{Field: "service", Message: "is required"}))
		return
	}
	urgency := hypercare.Urgency(r.URL.Query().Get("urgency"))
	if urgency == "" {
		urgency = hypercare.UrgencyHigh
	}
	if urgency != hypercare.UrgencyHigh && urgency != hypercare.UrgencyLow {
		s.writeError(w, r, hypercare.InvalidFields("invalid query", hypercare.FieldError{Field: "urgency", Message: "must be high or low"}))
		return
	}
	sim, err := s.directory().Simulate(svc, at, urgency)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"simulation": sim})
}

// escalateIncident answers POST /api/v1/incidents/{id}/escalate {"level":N}.
func (s *Server) escalateIncident(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Level int `json:"level"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Level < 0 {
		s.writeError(w, r, hypercare.InvalidFields("invalid escalation", hypercare.FieldError{Field: "level", Message: "must be ≥ 1, or 0 or omitted for the next level"}))
		return
	}
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	st, err := s.escalation.Escalate(r.Context(), inc, req.Level, p.Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"escalation": st})
}

// reassign answers POST /api/v1/incidents/{id}/reassign {"user":"id"}.
func (s *Server) reassign(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	if err := s.escalation.Reassign(r.Context(), inc, req.User, p.Actor()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"incident": inc, "reassigned_to": req.User})
}

func (s *Server) incidentNotifications(w http.ResponseWriter, r *http.Request) {
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.store.ListNotifications(r.Context(), inc.ID)
	respondList(s, w, r, "notifications", list, err)
}

// UserView is a user on the wire: contact addresses are left out, since
// phone numbers and hook URLs are personal or secret.
type UserView struct {
	ID                string                       `json:"id"`
	Name              string                       `json:"name"`
	Email             string                       `json:"email,omitempty"`
	TimeZone          string                       `json:"time_zone,omitempty"`
	Role              hypercare.Role               `json:"role"`
	Teams             []string                     `json:"teams"`
	ContactMethods    []ContactMethodView          `json:"contact_methods"`
	NotificationRules []hypercare.NotificationRule `json:"notification_rules"`
}

// ContactMethodView is a contact method without its address.
type ContactMethodView struct {
	ID       string                `json:"id"`
	Type     hypercare.ContactType `json:"type"`
	Verified bool                  `json:"verified"`
}

func (s *Server) listUsers(w http.ResponseWriter, _ *http.Request) {
	dir := s.directory()
	out := []UserView{}
	for _, id := range sortedKeys(dir.Users) {
		u := dir.Users[id]
		v := UserView{ID: u.ID, Name: u.Name, Email: u.Email, TimeZone: u.TimeZone, Role: u.Role,
			Teams: nonNil(u.Teams), ContactMethods: []ContactMethodView{}, NotificationRules: nonNil(u.NotificationRules)}
		for _, cm := range u.ContactMethods {
			v.ContactMethods = append(v.ContactMethods, ContactMethodView{ID: cm.ID, Type: cm.Type, Verified: cm.Verified})
		}
		out = append(out, v)
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (s *Server) listPolicies(w http.ResponseWriter, _ *http.Request) {
	dir := s.directory()
	out := []hypercare.EscalationPolicy{}
	for _, id := range sortedKeys(dir.Policies) {
		out = append(out, dir.Policies[id])
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"escalation_policies": out})
}
