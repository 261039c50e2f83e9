package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
)

// mergeRefs reads the merge form's "incidents" field: incident numbers,
// comma-separated, each with or without a leading '#'.
func mergeRefs(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimPrefix(strings.TrimSpace(f), "#"); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// regroup runs a merge or a split from the incident page's forms. A
// refusal (say, merging an incident of another service) is shown on the
// incident page itself with the form's field named, so the responder can
// correct it; success redirects back (POST, then GET).
func (u *UI) regroup(name string) func(http.ResponseWriter, *http.Request, *view) {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		inc, err := u.lookup(r)
		if err != nil {
			u.fail(w, r, v, err)
			return
		}
		actor := hypercare.Actor{Type: hypercare.ActorUser, ID: v.User.ID, Name: v.User.Name}
		done := name
		if name == "merge" {
			_, err = u.incidents.Merge(r.Context(), inc.ID, mergeRefs(r.PostFormValue("incidents")), actor)
		} else {
			if err = r.ParseForm(); err == nil {
				var created *hypercare.Incident
				if created, err = u.incidents.Split(r.Context(), inc.ID, r.PostForm["alert"], actor); err == nil {
					done = "split&new=" + strconv.FormatInt(created.Number, 10)
				}
			}
		}
		if err != nil {
			u.refused(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/incidents/"+strconv.FormatInt(inc.Number, 10)+"?done="+done, http.StatusSeeOther)
	}
}

// refused shows the incident page again with err's message (and the
// fields it names) above it, at err's status; server errors and a missing
// incident get the plain error page.
func (u *UI) refused(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status, msg := u.describe(r, err)
	if status >= 500 {
		u.fail(w, r, v, err)
		return
	}
	dv, derr := u.detailData(r, v)
	if derr != nil {
		u.fail(w, r, v, derr)
		return
	}
	v.Nav, v.Live, v.Error = "incidents", "incident", msg
	dv.MergeInput, dv.NoteInput = r.PostFormValue("incidents"), r.PostFormValue("message")
	v.Title = "#" + strconv.FormatInt(dv.Incident.Number, 10) + " " + dv.Incident.Title
	u.render(w, r, status, "incident", dv)
}

// symptoms looks up the number of the incident each symptom alert is
// attached to, and returns the alerts that are the incident's own (a
// symptom belongs to no incident, so it cannot be split off).
func (u *UI) symptoms(r *http.Request, alerts []hypercare.Alert) (map[string]int64, []hypercare.Alert, error) {
	up := map[string]int64{}
	var own []hypercare.Alert
	for _, a := range alerts {
		if a.SymptomOf == "" {
			own = append(own, a)
			continue
		}
		if _, ok := up[a.SymptomOf]; ok {
			continue
		}
		inc, err := u.opts.Store.GetIncident(r.Context(), a.SymptomOf)
		if err != nil {
			return nil, nil, fmt.Errorf("upstream incident of alert %s: %w", a.ID, err)
		}
		up[a.SymptomOf] = inc.Number
	}
	return up, own, nil
}
