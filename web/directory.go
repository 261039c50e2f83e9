package web

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

// shiftHorizon is how far ahead the on-call page lists shifts.
const shiftHorizon = 7 * 24 * time.Hour

// scheduleView is one schedule on the on-call page: who has it now, who
// is next and when, and the coming week's shifts.
type scheduleView struct {
	ID          string
	Now, Next   string
	Until       *time.Time
	Shifts      []shiftRow
	TimeZone    string
	HasNow      bool
	NextStarts  *time.Time
	NextIsKnown bool
}

type shiftRow struct {
	User       string
	Start, End time.Time
	Layer      string
	Current    bool
	// X and W place the shift on the week's bar, in per cent of the
	// horizon; Color tells people apart (one of 6 palette classes).
	X, W  float64
	Color int
}

// place sets the shift's position on a bar from now to now+horizon.
func (r *shiftRow) place(now time.Time, color int) {
	pct := func(t time.Time) float64 {
		return math.Round(min(100, max(0, float64(t.Sub(now))/float64(shiftHorizon)*100))*100) / 100
	}
	r.X, r.W, r.Color = pct(r.Start), pct(r.End)-pct(r.Start), color%6
}

// policyView is one policy on the on-call page: whom each level pages now
// and at the next shift change.
type policyView struct {
	ID       string
	Name     string
	Levels   []levelView
	ChangeAt *time.Time
}

type levelView struct {
	Level        int
	Now, Next    []string
	After        time.Duration
	Mode         hypercare.LevelMode
	Gaps         []string
	TargetLabels []string
}

type onCallView struct {
	*view
	At        time.Time
	Schedules []scheduleView
	Policies  []policyView
	// RefreshIn is when the page reloads itself, in whole seconds: just
	// after the next handoff of any schedule, and at least every
	// onCallRefresh (a config reload changes schedules too).
	RefreshIn int
}

// onCallRefresh is the longest the on-call page shows without a reload.
const onCallRefresh = 5 * time.Minute

func (u *UI) onCallPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "On call", "oncall"
	dir := u.opts.Escalation.Directory()
	now := u.opts.Clock.Now()
	ov := &onCallView{view: v, At: now}
	name := func(id string) string {
		if usr, ok := dir.Users[id]; ok && usr.Name != "" {
			return usr.Name
		}
		return id
	}
	changes := map[string]time.Time{}
	for _, id := range sortedKeys(dir.Schedules) {
		sc := dir.Schedules[id]
		sv := scheduleView{ID: id, TimeZone: sc.TimeZone.String()}
		// Until is when whoever is on call stops being on call (their
		// back-to-back shifts joined), unknown beyond the page's horizon;
		// Next is who comes after.
		who, until, onCall := sc.Stint(now, shiftHorizon)
		if onCall {
			sv.Now, sv.HasNow = name(who), true
			if !until.IsZero() {
				sv.Until = &until
				changes[id] = until
			}
		}
		colors := map[string]int{}
		for _, sh := range sc.Shifts(now, now.Add(shiftHorizon)) {
			cur := !sh.Start.After(now) && sh.End.After(now)
			if _, ok := colors[sh.User]; !ok {
				colors[sh.User] = len(colors)
			}
			row := shiftRow{User: name(sh.User), Start: sh.Start, End: sh.End, Layer: sh.Layer, Current: cur}
			row.place(now, colors[sh.User])
			sv.Shifts = append(sv.Shifts, row)
			if !sv.NextIsKnown && sh.Start.After(now) && (!onCall || (!until.IsZero() && !sh.Start.Before(until))) {
				start := sh.Start
				sv.Next, sv.NextStarts, sv.NextIsKnown = name(sh.User), &start, true
				if _, ok := changes[id]; !ok {
					changes[id] = start
				}
			}
		}
		ov.Schedules = append(ov.Schedules, sv)
	}
	for _, id := range sortedKeys(dir.Policies) {
		ov.Policies = append(ov.Policies, policyOnCall(dir, dir.Policies[id], now, changes, name))
	}
	next := onCallRefresh
	for _, at := range changes {
		next = min(next, at.Sub(now))
	}
	// A second past the handoff (rounded up), so the page reloads after it.
	ov.RefreshIn = int((max(next, 0) + 2*time.Second - 1) / time.Second)
	v.Live = "oncall"
	u.render(w, r, http.StatusOK, "oncall", ov)
}

// policyOnCall resolves each level with the directory's one resolver (as
// the engine does) now and at the first shift change of a schedule the
// policy uses.
func policyOnCall(dir *escalate.Directory, p hypercare.EscalationPolicy, now time.Time, changes map[string]time.Time, name func(string) string) policyView {
	pv := policyView{ID: p.ID, Name: p.Name}
	for _, l := range p.Levels {
		for _, t := range l.Targets {
			if c, ok := changes[t.Schedule]; ok && (pv.ChangeAt == nil || c.Before(*pv.ChangeAt)) {
				c := c
				pv.ChangeAt = &c
			}
		}
	}
	for i, l := range p.Levels {
		lv := levelView{Level: i + 1, After: l.EscalateAfter, Mode: l.Mode}
		users, gaps := dir.Resolve(l.Targets, now)
		for _, id := range users {
			lv.Now = append(lv.Now, name(id))
		}
		lv.Gaps = gaps
		if pv.ChangeAt != nil {
			next, _ := dir.Resolve(l.Targets, *pv.ChangeAt)
			for _, id := range next {
				lv.Next = append(lv.Next, name(id))
			}
		}
		for _, t := range l.Targets {
			if t.User != "" {
				lv.TargetLabels = append(lv.TargetLabels, "user "+t.User)
			} else {
				lv.TargetLabels = append(lv.TargetLabels, "schedule "+t.Schedule)
			}
		}
		pv.Levels = append(pv.Levels, lv)
	}
	return pv
}

// integrationView is one integration on the services page and how to send
// to it. Its key (from the config file, held in memory; the store keeps
// only hashes) is filled in for admins alone: a key opens and resolves
// incidents, so viewers and responders get a placeholder.
type integrationView struct {
	hypercare.Integration
	Example string
}

type serviceView struct {
	hypercare.Service
	Integrations []integrationView
}

type servicesView struct {
	*view
	Services []serviceView
	Base     string
}

func (u *UI) servicesPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "Services", "services"
	list, err := u.opts.Store.ListServices(r.Context())
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	base := u.opts.PublicURL
	if base == "" {
		base = "$HYPERCARE_URL"
	}
	sv := &servicesView{view: v, Base: base}
	for _, s := range list {
		row := serviceView{Service: s}
		for _, in := range u.config().Integrations {
			if in.ServiceID != s.ID {
				continue
			}
			key := placeholderKey
			if v.Admin {
				key = in.Key
			} else {
				in.Key = ""
			}
			in.Secret = ""
			row.Integrations = append(row.Integrations, integrationView{Integration: in, Example: example(in.Type, base, key)})
		}
		sv.Services = append(sv.Services, row)
	}
	if v.Admin {
		w.Header().Set("Cache-Control", "no-store") // the page holds secrets
	}
	u.render(w, r, http.StatusOK, "services", sv)
}

// placeholderKey stands in for an integration key on pages shown to
// anyone but an admin.
const placeholderKey = "YOUR_INTEGRATION_KEY"

// example is a copy-paste way to send a test event to an integration of
// type t with key (the real one for admins, else placeholderKey).
func example(t hypercare.IntegrationType, base, key string) string {
	switch t {
	case hypercare.IntegrationEventsV2:
		return "curl -X POST " + base + "/v2/enqueue -H 'Content-Type: application/json' \\\n" +
			"  -d '{\"routing_key\":\"" + key + "\",\"event_action\":\"trigger\",\"dedup_key\":\"disk-db-1\",\n" +
			"       \"payload\":{\"summary\":\"Disk full on db-1\",\"source\":\"db-1\",\"severity\":\"critical\"}}'"
	case hypercare.IntegrationAlertmanager:
		return "# alertmanager.yml\nreceivers:\n  - name: hypercare\n    webhook_configs:\n      - url: " +
			base + "/integrations/" + key + "\n        send_resolved: true"
	case hypercare.IntegrationGrafana:
		return "Grafana → Alerting → Contact points → New → Webhook\n  URL: " + base + "/integrations/" + key +
			"\n  HMAC secret: the integration's secret from hypercare.yaml"
	default:
		return "curl -X POST " + base + "/integrations/" + key + " -H 'Content-Type: application/json' \\\n" +
			"  -d '{\"summary\":\"Disk full on db-1\",\"severity\":\"critical\",\"dedup_key\":\"disk-db-1\"}'"
	}
}

type policiesView struct {
	*view
	Policies []policyPage
	Services map[string][]string
}

// policyPage is one policy on the policies page, each level with the wait
// the engine applies now: a hypercare window may shorten the file's.
type policyPage struct {
	hypercare.EscalationPolicy
	Levels []levelPage
}

type levelPage struct {
	hypercare.EscalationLevel
	Wait escalate.LevelWait
}

func (u *UI) policiesPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "Escalation policies", "policies"
	dir := u.opts.Escalation.Directory()
	pv := &policiesView{view: v, Services: map[string][]string{}}
	now := u.opts.Clock.Now()
	for _, id := range sortedKeys(dir.Policies) {
		p := policyPage{EscalationPolicy: dir.Policies[id]}
		for i, l := range p.EscalationPolicy.Levels {
			p.Levels = append(p.Levels, levelPage{EscalationLevel: l, Wait: dir.LevelWait(p.EscalationPolicy, i, now)})
		}
		pv.Policies = append(pv.Policies, p)
	}
	for svc, pid := range dir.ServicePolicy {
		pv.Services[pid] = append(pv.Services[pid], svc)
	}
	for _, l := range pv.Services {
		sort.Strings(l)
	}
	u.render(w, r, http.StatusOK, "policies", pv)
}

type usersView struct {
	*view
	Users []hypercare.User
}

func (u *UI) usersPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "Users", "users"
	dir := u.opts.Escalation.Directory()
	uv := &usersView{view: v}
	proved := u.proved(r.Context())
	for _, id := range sortedKeys(dir.Users) {
		user := dir.Users[id]
		if proved != nil {
			user.ContactMethods = slices.Clone(user.ContactMethods)
			for i, cm := range user.ContactMethods {
				user.ContactMethods[i].Verified = cm.Verified || proved(id, cm)
			}
		}
		uv.Users = append(uv.Users, user)
	}
	u.render(w, r, http.StatusOK, "users", uv)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
