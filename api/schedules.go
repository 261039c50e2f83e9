package api

import (
	"net/http"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// maxShiftWindow bounds GET …/shifts, so one request cannot ask for
// centuries of shifts.
const maxShiftWindow = 366 * 24 * time.Hour

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

func shiftViews(list []oncall.Shift) []hypercare.ShiftView {
	out := make([]hypercare.ShiftView, len(list))
	for i, sh := range list {
		out[i] = hypercare.ShiftView{User: sh.User, Start: sh.Start.UTC(), End: sh.End.UTC(), Layer: sh.Layer}
	}
	return out
}
