package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// listLimit is how many incidents one page of the list shows.
const listLimit = 50

// listView is the incidents page: the filters as chosen, the counts per
// status and one page of incidents.
type listView struct {
	*view
	Status, Service, Urgency string
	Services                 []hypercare.Service
	ServiceNames             map[string]string
	Counts                   []statusCount
	Incidents                []hypercare.Incident
	NextURL, RowsURL         string
	// NewestURL is the first page of the same filter, on an older page
	// (empty on the first).
	NewestURL string
}

type statusCount struct {
	Status hypercare.Status
	Count  int64
	More   bool // there are more than countCap (Count): shown "10000+"
	// URL lists the incidents counted: this status, the list's service
	// and urgency.
	URL string
}

// countCap is the most incidents a status tab counts: a store with a
// million resolved incidents would otherwise read a million index
// entries on every page view (about 100 ms) to print the number.
const countCap = 10000

// listFilter reads ?status= (open, triggered, acknowledged, resolved or
// all; default open), ?service= and ?urgency=.
func listFilter(r *http.Request) (hypercare.IncidentFilter, string, error) {
	q := r.URL.Query()
	f := hypercare.IncidentFilter{ServiceID: q.Get("service"), Urgency: hypercare.Urgency(q.Get("urgency")),
		Page: hypercare.Page{Limit: listLimit, Cursor: q.Get("cursor")}}
	for _, name := range []string{"service", "cursor"} {
		if v := q.Get(name); strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			// The store would refuse it naming its column (service_id).
			return f, "", hypercare.InvalidFields("invalid filter", hypercare.FieldError{Field: name,
				Message: "must be valid UTF-8 text without NUL bytes"})
		}
	}
	status := q.Get("status")
	switch status {
	case "", "open":
		status = "open"
		f.Statuses = []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged}
	case "all":
	default:
		st := hypercare.Status(status)
		if !st.Valid() {
			return f, "", hypercare.InvalidFields("invalid filter", hypercare.FieldError{Field: "status",
				Message: "must be open, triggered, acknowledged, resolved or all"})
		}
		f.Statuses = []hypercare.Status{st}
	}
	if f.Urgency != "" && f.Urgency != hypercare.UrgencyHigh && f.Urgency != hypercare.UrgencyLow {
		return f, "", hypercare.InvalidFields("invalid filter", hypercare.FieldError{Field: "urgency", Message: "must be high or low"})
	}
	return f, status, nil
}

func (u *UI) listData(r *http.Request, v *view) (*listView, error) {
	f, status, err := listFilter(r)
	if err != nil {
		return nil, err
	}
	lv := &listView{view: v, Status: status, Service: f.ServiceID, Urgency: string(f.Urgency)}
	ctx := r.Context()
	if lv.Services, err = u.opts.Store.ListServices(ctx); err != nil {
		return nil, err
	}
	lv.ServiceNames = map[string]string{}
	for _, s := range lv.Services {
		lv.ServiceNames[s.ID] = s.Name
	}
	// The tabs count what the list shows: its service and urgency.
	for _, st := range []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged, hypercare.StatusResolved} {
		n, err := u.opts.Store.CountMatchingIncidentsUpTo(ctx, st, f.ServiceID, f.Urgency, countCap+1)
		if err != nil {
			return nil, err
		}
		tab := url.Values{"status": {string(st)}}
		if f.ServiceID != "" {
			tab.Set("service", f.ServiceID)
		}
		if f.Urgency != "" {
			tab.Set("urgency", string(f.Urgency))
		}
		lv.Counts = append(lv.Counts, statusCount{Status: st, Count: min(n, countCap), More: n > countCap,
			URL: "/incidents?" + tab.Encode()})
	}
	list, next, err := u.opts.Store.ListIncidents(ctx, f)
	if err != nil {
		return nil, err
	}
	lv.Incidents = list
	q := url.Values{"status": {status}}
	if f.ServiceID != "" {
		q.Set("service", f.ServiceID)
	}
	if f.Urgency != "" {
		q.Set("urgency", string(f.Urgency))
	}
	if f.Cursor != "" {
		lv.NewestURL = "/incidents?" + q.Encode()
		q.Set("cursor", f.Cursor)
	}
	lv.RowsURL = "/incidents/rows?" + q.Encode()
	if next != "" {
		q.Set("cursor", next)
		lv.NextURL = "/incidents?" + q.Encode()
	}
	return lv, nil
}

func (u *UI) incidentList(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav, v.Live = "Incidents", "incidents", "incidents"
	lv, err := u.listData(r, v)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	u.render(w, r, http.StatusOK, "incidents", lv)
}

// incidentRows is the list's live fragment: the counts and the table body.
func (u *UI) incidentRows(w http.ResponseWriter, r *http.Request, v *view) {
	lv, err := u.listData(r, v)
	if err != nil {
		http.Error(w, hypercare.ErrorMessage(err), statusOf(hypercare.ErrorCode(err)))
		return
	}
	u.part(w, "incidents", "list", lv)
}

// detailView is an incident's room.
type detailView struct {
	*view
	Incident      *hypercare.Incident
	ServiceName   string
	Alerts        []hypercare.Alert
	Timeline      []hypercare.TimelineEntry
	Notifications []hypercare.Notification
	Changes       []hypercare.ChangeEvent
	Runbooks      []hypercare.Runbook
	Levels        []int
	// Users are whom Reassign offers: those a reassignment is accepted
	// for (escalate.Engine.ReassignCandidates); none hides the form.
	Users     []hypercare.User
	UserNames map[string]string
	Flash     string
	// Upstream maps the incident ID a symptom alert is attached to to its
	// number, for the symptom's link.
	Upstream map[string]int64
	// Splittable are the incident's own alerts (not symptoms): what the
	// split form offers.
	Splittable []hypercare.Alert
	// NewIncident is the incident a split just made (0: none).
	NewIncident int64
	// OlderTimeline says entries older than Timeline's exist.
	OlderTimeline bool
	// MoreAlerts says the incident has more alerts than Alerts shows
	// (the newest alertLimit); AlertTotal is how many it has.
	MoreAlerts bool
	AlertTotal int64
	// MergedInto is the number of the incident a merge moved this one
	// into (0: none), shown under its status with a link.
	MergedInto int64
	// MergeInput is what the merge box held when a merge was refused,
	// NoteInput what the note box held when a note was.
	MergeInput, NoteInput string
}

// timelineLimit bounds the entries one render shows: the newest, oldest
// first.
const timelineLimit = 200

// alertLimit bounds the alerts one render shows, newest first.
const alertLimit = 100

func (u *UI) lookup(r *http.Request) (*hypercare.Incident, error) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n < 1 {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "no incident %q", r.PathValue("number"))
	}
	return u.opts.Store.GetIncidentByNumber(r.Context(), n)
}

func (u *UI) detailData(r *http.Request, v *view) (*detailView, error) {
	inc, err := u.lookup(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	dv := &detailView{view: v, Incident: inc, ServiceName: inc.ServiceID, UserNames: map[string]string{}}
	if svc, err := u.opts.Store.GetService(ctx, inc.ServiceID); err == nil {
		dv.ServiceName = svc.Name
	}
	var more string
	if dv.Alerts, more, err = u.opts.Store.ListAlerts(ctx, hypercare.AlertFilter{IncidentID: inc.ID, Page: hypercare.Page{Limit: alertLimit}}); err != nil {
		return nil, err
	}
	dv.MoreAlerts, dv.AlertTotal = more != "", max(inc.AlertCount, int64(len(dv.Alerts)))
	if dv.Upstream, dv.Splittable, err = u.symptoms(r, dv.Alerts); err != nil {
		return nil, err
	}
	if dv.Timeline, dv.OlderTimeline, err = u.opts.Store.LatestTimeline(ctx, inc.ID, timelineLimit); err != nil {
		return nil, err
	}
	dv.MergedInto = mergedInto(inc, dv.Timeline)
	if dv.Notifications, err = u.opts.Store.ListNotifications(ctx, inc.ID); err != nil {
		return nil, err
	}
	if dv.Changes, _, err = u.opts.Store.ListChangeEvents(ctx, hypercare.ChangeFilter{ServiceID: inc.ServiceID, Page: hypercare.Page{Limit: 5}}); err != nil {
		return nil, err
	}
	for _, rb := range u.config().Runbooks {
		if len(rb.Services) == 0 || slices.Contains(rb.Services, inc.ServiceID) {
			dv.Runbooks = append(dv.Runbooks, rb)
		}
	}
	dir := u.opts.Escalation.Directory()
	if pid, ok := dir.ServicePolicy[inc.ServiceID]; ok {
		for i := range dir.Policies[pid].Levels {
			dv.Levels = append(dv.Levels, i+1)
		}
	}
	for _, id := range sortedKeys(dir.Users) {
		dv.UserNames[id] = dir.Users[id].Name
	}
	// Reassign offers only whom a reassignment would be accepted for.
	dv.Users = u.opts.Escalation.ReassignCandidates(inc)
	return dv, nil
}

func (u *UI) incidentPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Nav, v.Live = "incidents", "incident"
	dv, err := u.detailData(r, v)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	v.Title = "#" + strconv.FormatInt(dv.Incident.Number, 10) + " " + dv.Incident.Title
	dv.Flash = flashText(r.URL.Query().Get("done"))
	if n, err := strconv.ParseInt(r.URL.Query().Get("new"), 10, 64); err == nil && n > 0 && dv.Flash != "" {
		dv.NewIncident = n
	}
	u.render(w, r, http.StatusOK, "incident", dv)
}

// timelinePart is the incident's live fragment: status, alerts,
// notifications and timeline.
func (u *UI) timelinePart(w http.ResponseWriter, r *http.Request, v *view) {
	dv, err := u.detailData(r, v)
	if err != nil {
		http.Error(w, hypercare.ErrorMessage(err), statusOf(hypercare.ErrorCode(err)))
		return
	}
	u.part(w, "incident", "live", dv)
}

// flashText is the confirmation shown after an action's redirect; only
// known values are shown, so the query string cannot put words on the page.
func flashText(done string) string {
	return map[string]string{
		"acknowledge": "Acknowledged.", "resolve": "Resolved.", "escalate": "Escalated.",
		"reassign": "Reassigned.", "notes": "Note added.", "merge": "Merged.",
		"split": "Split: the selected alerts are now a new incident.",
	}[done]
}

// action runs one responder action from a form, then redirects back to
// the incident (POST, then GET: a reload never repeats the action). A
// refusal is shown on the incident page (refused).
func (u *UI) action(name string) func(http.ResponseWriter, *http.Request, *view) {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		inc, err := u.lookup(r)
		if err != nil {
			u.fail(w, r, v, err)
			return
		}
		actor := hypercare.Actor{Type: hypercare.ActorUser, ID: v.User.ID, Name: v.User.Name}
		ctx, ref := r.Context(), inc.ID
		switch name {
		case "acknowledge":
			_, err = u.incidents.Acknowledge(ctx, ref, actor)
		case "resolve":
			_, err = u.incidents.Resolve(ctx, ref, actor)
		case "notes":
			// A browser submits a textarea's line breaks as CRLF, while its
			// maxlength (the note limit) counts each as one character.
			_, err = u.incidents.AddNote(ctx, ref, actor, strings.ReplaceAll(r.PostFormValue("message"), "\r\n", "\n"))
		case "escalate":
			level := 0
			if s := strings.TrimSpace(r.PostFormValue("level")); s != "" {
				if level, err = strconv.Atoi(s); err != nil || level < 0 {
					err = hypercare.InvalidFields("invalid escalation", hypercare.FieldError{Field: "level", Message: "must be a level number"})
				}
			}
			if err == nil {
				_, err = u.opts.Escalation.Escalate(ctx, inc, level, actor)
			}
		case "reassign":
			err = u.opts.Escalation.Reassign(ctx, inc, r.PostFormValue("user"), actor)
		}
		if err != nil {
			// On the incident page as it is now: a press that beat a live
			// update (someone else resolved it) shows who did, not a bare
			// "Conflict" page.
			u.refused(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/incidents/"+strconv.FormatInt(inc.Number, 10)+"?done="+name, http.StatusSeeOther)
	}
}

// mergedInto returns the number of the incident a merge resolved inc
// into, from its merged timeline entry among tl (the newest entries).
func mergedInto(inc *hypercare.Incident, tl []hypercare.TimelineEntry) int64 {
	if inc.Status != hypercare.StatusResolved {
		return 0
	}
	for i := len(tl) - 1; i >= 0; i-- {
		var d struct {
			Into int64 `json:"into_incident_number"`
		}
		if tl[i].Type == hypercare.TimelineMerged && json.Unmarshal(tl[i].Details, &d) == nil && d.Into > 0 {
			return d.Into
		}
	}
	return 0
}
