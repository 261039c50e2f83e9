package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/readiness"
)

// windowsView is the readiness page: the config's hypercare windows.
type windowsView struct {
	*view
	Windows []windowRow
}

// windowRow is one window with its bounds in its own zone.
type windowRow struct {
	ID, Name, Zone string
	Start, End     string
}

// windowView is one window's readiness report as of now, its findings
// grouped by kind in the report's (kind-first) order.
type windowView struct {
	*view
	Window windowRow
	Report readiness.Report
	Groups []findingGroup
	Ready  bool
}

// findingGroup is the findings of one kind.
type findingGroup struct {
	Kind     readiness.Kind
	Findings []findingRow
}

// findingRow is a finding with its interval written in the window's zone.
type findingRow struct {
	readiness.Finding
	Interval string
}

// catalog is the readiness catalog; an empty one when the server has none
// (as the API answers).
func (u *UI) catalog() *readiness.Catalog {
	c := u.config().Readiness
	if c == nil {
		return &readiness.Catalog{}
	}
	return c
}

// Config is what the UI shows of the config file (Options.Config).
type Config struct {
	Integrations []hypercare.Integration
	Runbooks     []hypercare.Runbook
	Readiness    *readiness.Catalog
}

// UseConfig sets Options.Config (package reload's snapshot in force).
// Call it before serving.
func (u *UI) UseConfig(f func() Config) { u.opts.Config = f }

// config returns the config a request shows.
func (u *UI) config() Config {
	if u.opts.Config != nil {
		return u.opts.Config()
	}
	return Config{Integrations: u.opts.Integrations, Runbooks: u.opts.Runbooks, Readiness: u.opts.Readiness}
}

func zoneOf(w hypercare.Window) *time.Location {
	if w.TimeZone == nil {
		return time.UTC
	}
	return w.TimeZone
}

// local writes t in loc with the zone's abbreviation, as the config's
// readers think of the window.
func local(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func rowOf(w hypercare.Window) windowRow {
	loc := zoneOf(w)
	return windowRow{ID: w.ID, Name: w.Name, Zone: loc.String(), Start: local(w.Start, loc), End: local(w.End, loc)}
}

func (u *UI) windowsPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "Readiness", "readiness"
	wv := &windowsView{view: v}
	for _, win := range u.catalog().Windows {
		wv.Windows = append(wv.Windows, rowOf(win))
	}
	u.render(w, r, http.StatusOK, "windows", wv)
}

// windowPage shows the readiness report of one window as of now, read the
// way GET /api/v1/windows/{id}/readiness reads it.
func (u *UI) windowPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Nav = "readiness"
	c := u.catalog()
	win, ok := c.Window(r.PathValue("id"))
	if !ok {
		v.Title = "Readiness"
		u.fail(w, r, v, hypercare.Errorf(hypercare.CodeNotFound, "hypercare window %q not found", r.PathValue("id")))
		return
	}
	c = c.WithVerified(u.proved(r.Context()))
	last, err := u.opts.Store.LastEventAt(r.Context(), c.IntegrationIDs(win))
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	rep := c.Evaluate(win, u.opts.Clock.Now(), last)
	v.Title = "Readiness of " + win.Name
	u.render(w, r, http.StatusOK, "window", &windowView{view: v, Window: rowOf(win), Report: rep,
		Groups: groupFindings(rep.Findings, zoneOf(win)), Ready: rep.Ready})
}

// provedStore is the store's record of contact methods verified with a
// code (store.Store has it).
type provedStore interface {
	ProvedContactMethods(ctx context.Context) (func(userID string, cm hypercare.ContactMethod) bool, error)
}

// proved returns whether a contact method was verified through the API,
// so the pages count it verified as GET /api/v1/users and the API's
// readiness report do; nil (the config's flags alone) when the store keeps
// no verifications or cannot be read (logged).
func (u *UI) proved(ctx context.Context) func(userID string, cm hypercare.ContactMethod) bool {
	ps, ok := u.opts.Store.(provedStore)
	if !ok {
		return nil
	}
	f, err := ps.ProvedContactMethods(ctx)
	if err != nil {
		u.opts.Logger.Warn("read verifications", slog.Any("error", err))
		return nil
	}
	return f
}

// groupFindings groups sorted findings by kind, keeping their order.
func groupFindings(fs []readiness.Finding, loc *time.Location) []findingGroup {
	var out []findingGroup
	for _, f := range fs {
		if len(out) == 0 || out[len(out)-1].Kind != f.Kind {
			out = append(out, findingGroup{Kind: f.Kind})
		}
		row := findingRow{Finding: f}
		switch {
		case f.From != nil && f.To != nil:
			row.Interval = local(*f.From, loc) + " – " + local(*f.To, loc)
		case f.From != nil:
			row.Interval = "from " + local(*f.From, loc)
		case f.To != nil:
			row.Interval = "until " + local(*f.To, loc)
		}
		g := &out[len(out)-1]
		g.Findings = append(g.Findings, row)
	}
	return out
}
