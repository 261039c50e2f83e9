package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// pageData is what testPagination inserts, kept to compute expectations.
type pageData struct {
	incidents []hypercare.Incident
	alerts    []hypercare.Alert
	timeline  []hypercare.TimelineEntry
	changes   []hypercare.ChangeEvent
	events    []hypercare.EventRecord
}

var statuses = []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged, hypercare.StatusResolved}

func makePageData() pageData {
	var d pageData
	services := []string{svcCheckout, svcSearch}
	for i := range 57 {
		inc := incident(fmt.Sprintf("inc-%02d", i), int64(i+1), services[i%2])
		inc.Status = statuses[i%3]
		d.incidents = append(d.incidents, *inc)

		a := alert(fmt.Sprintf("al-%02d", (i*11)%57), services[i%2], fmt.Sprintf("inc-%02d", i%5), fmt.Sprintf("dk-%02d", i))
		a.Status = statuses[i%3]
		if a.Status == hypercare.StatusResolved {
			a.DedupKey = "flappy" // many resolved alerts may share a key
		}
		d.alerts = append(d.alerts, *a)
		d.events = append(d.events, *event(fmt.Sprintf("ev-%02d", (i*13)%57)))
	}
	for i := range 23 {
		d.timeline = append(d.timeline, hypercare.TimelineEntry{ID: fmt.Sprintf("tl-%02d", (i*7)%23), IncidentID: "inc-01",
			At: at(time.Duration(i/3) * time.Second), Type: hypercare.TimelineNote, Actor: hypercare.SystemActor, Message: "n"})
	}
	for i := range 31 {
		d.changes = append(d.changes, hypercare.ChangeEvent{ID: fmt.Sprintf("ch-%02d", (i*5)%31), ServiceID: services[i%2],
			Summary: "deploy", Timestamp: at(time.Duration(i/2) * time.Minute), ReceivedAt: t0})
	}
	return d
}

func (d pageData) insert(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i := range d.incidents {
			if err := tx.InsertIncident(ctx, &d.incidents[i]); err != nil {
				return err
			}
		}
		for i := range d.alerts {
			if err := tx.InsertAlert(ctx, &d.alerts[i]); err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, &d.events[i]); err != nil {
				return err
			}
		}
		for i := range d.timeline {
			if err := tx.AppendTimeline(ctx, &d.timeline[i]); err != nil {
				return err
			}
		}
		for i := range d.changes {
			if err := tx.InsertChangeEvent(ctx, &d.changes[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// walk pages through a list with limit and returns every id in order.
func walk[T any](t *testing.T, what string, limit int, id func(T) string,
	list func(p hypercare.Page) ([]T, string, error)) []string {
	t.Helper()
	var ids []string
	p := hypercare.Page{Limit: limit}
	for range 1000 {
		items, next, err := list(p)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want := limit
		if limit <= 0 {
			want = 25
		}
		if len(items) > want || (next != "" && len(items) != want) {
			t.Fatalf("%s: page of %d items with next %q (limit %d)", what, len(items), next, limit)
		}
		for _, it := range items {
			ids = append(ids, id(it))
		}
		if next == "" {
			return ids
		}
		p.Cursor = next
	}
	t.Fatalf("%s: pagination does not end", what)
	return nil
}

func idsOf[T any](items []T, keep func(T) bool, id func(T) string) []string {
	ids := []string{}
	for _, it := range items {
		if keep(it) {
			ids = append(ids, id(it))
		}
	}
	return ids
}

func checkWalk(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 {
		got = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func testPagination(t *testing.T, open func(testing.TB) *store.Store) {
	s := openSeeded(t, open)
	d := makePageData()
	d.insert(t, s)
	for _, limit := range []int{0, 1, 7, 1000} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			pageIncidents(t, s, d, limit)
			pageAlerts(t, s, d, limit)
			pageOthers(t, s, d, limit)
		})
	}
	countUpTo(t, s, d)
}

// countUpTo checks CountIncidentsUpTo against the data: exact below the
// cap, the cap at and above it, and a cap below 1 refused.
func countUpTo(t *testing.T, s *store.Store, d pageData) {
	for _, st := range []hypercare.Status{"", hypercare.StatusTriggered, hypercare.StatusResolved} {
		want := int64(len(idsOf(d.incidents, func(i hypercare.Incident) bool { return st == "" || i.Status == st },
			func(i hypercare.Incident) string { return i.ID })))
		if want < 2 {
			t.Fatalf("page data: %d %q incidents, the check needs 2 or more", want, st)
		}
		for _, limit := range []int64{1, want - 1, want, want + 1, 1000} {
			got, err := s.CountIncidentsUpTo(t.Context(), st, limit)
			if exp := min(want, limit); err != nil || got != exp {
				t.Errorf("CountIncidentsUpTo(%q, %d) = %d, %v; want %d", st, limit, got, err, exp)
			}
		}
	}
	if _, err := s.CountIncidentsUpTo(t.Context(), "", 0); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("CountIncidentsUpTo(limit 0) = %v, want invalid_argument", err)
	}
}

func pageIncidents(t *testing.T, s *store.Store, d pageData, limit int) {
	incs := slices.Clone(d.incidents)
	slices.SortFunc(incs, func(a, b hypercare.Incident) int { return cmp.Compare(b.Number, a.Number) })
	id := func(i hypercare.Incident) string { return i.ID }
	filters := []hypercare.IncidentFilter{
		{},
		{Statuses: []hypercare.Status{hypercare.StatusTriggered}},
		{Statuses: []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged}},
		{ServiceID: svcSearch},
		{ServiceID: svcCheckout, Statuses: []hypercare.Status{hypercare.StatusResolved}},
		{ServiceID: "nope"},
	}
	for _, f := range filters {
		got := walk(t, "incidents", limit, id, func(p hypercare.Page) ([]hypercare.Incident, string, error) {
			f.Page = p
			return s.ListIncidents(t.Context(), f)
		})
		want := idsOf(incs, func(i hypercare.Incident) bool {
			return (f.ServiceID == "" || i.ServiceID == f.ServiceID) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, i.Status))
		}, id)
		checkWalk(t, fmt.Sprintf("incidents %+v", f), got, want)
	}
}

func pageAlerts(t *testing.T, s *store.Store, d pageData, limit int) {
	alerts := slices.Clone(d.alerts)
	slices.SortFunc(alerts, func(a, b hypercare.Alert) int { return cmp.Compare(b.ID, a.ID) })
	id := func(a hypercare.Alert) string { return a.ID }
	filters := []hypercare.AlertFilter{
		{},
		{IncidentID: "inc-02"},
		{ServiceID: svcCheckout},
		{DedupKey: "flappy"},
		{ServiceID: svcSearch, DedupKey: "flappy"},
		{Statuses: []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged}, IncidentID: "inc-03"},
	}
	for _, f := range filters {
		got := walk(t, "alerts", limit, id, func(p hypercare.Page) ([]hypercare.Alert, string, error) {
			f.Page = p
			return s.ListAlerts(t.Context(), f)
		})
		want := idsOf(alerts, func(a hypercare.Alert) bool {
			return (f.ServiceID == "" || a.ServiceID == f.ServiceID) && (f.IncidentID == "" || a.IncidentID == f.IncidentID) &&
				(f.DedupKey == "" || a.DedupKey == f.DedupKey) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, a.Status))
		}, id)
		checkWalk(t, fmt.Sprintf("alerts %+v", f), got, want)
	}
}

func pageOthers(t *testing.T, s *store.Store, d pageData, limit int) {
	tl := slices.Clone(d.timeline)
	slices.SortFunc(tl, func(a, b hypercare.TimelineEntry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	tlID := func(e hypercare.TimelineEntry) string { return e.ID }
	got := walk(t, "timeline", limit, tlID, func(p hypercare.Page) ([]hypercare.TimelineEntry, string, error) {
		return s.ListTimeline(t.Context(), "inc-01", p)
	})
	checkWalk(t, "timeline", got, idsOf(tl, func(hypercare.TimelineEntry) bool { return true }, tlID))

	chs := slices.Clone(d.changes)
	slices.SortFunc(chs, func(a, b hypercare.ChangeEvent) int {
		return cmp.Or(b.Timestamp.Compare(a.Timestamp), cmp.Compare(b.ID, a.ID))
	})
	chID := func(c hypercare.ChangeEvent) string { return c.ID }
	for _, svc := range []string{"", svcSearch} {
		got := walk(t, "changes", limit, chID, func(p hypercare.Page) ([]hypercare.ChangeEvent, string, error) {
			return s.ListChangeEvents(t.Context(), hypercare.ChangeFilter{ServiceID: svc, Page: p})
		})
		want := idsOf(chs, func(c hypercare.ChangeEvent) bool { return svc == "" || c.ServiceID == svc }, chID)
		checkWalk(t, "changes of "+svc, got, want)
	}

	evs := slices.Clone(d.events)
	slices.SortFunc(evs, func(a, b hypercare.EventRecord) int { return cmp.Compare(b.ID, a.ID) })
	evID := func(e hypercare.EventRecord) string { return e.ID }
	got = walk(t, "events", limit, evID, func(p hypercare.Page) ([]hypercare.EventRecord, string, error) {
		return s.ListEvents(t.Context(), p)
	})
	checkWalk(t, "events", got, idsOf(evs, func(hypercare.EventRecord) bool { return true }, evID))
}
