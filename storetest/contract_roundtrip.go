package storetest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

func testCatalog(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	svcs, err := s.ListServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs) != 3 || svcs[0].ID != svcBilling || !svcs[1].Active || svcs[1].EscalationPolicy != "web" {
		t.Fatalf("services after first apply: %+v", svcs)
	}
	// Keep the incident referring to search: deactivation must not break it.
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, incident("inc-s", 1, svcSearch)) })

	later := at(time.Hour)
	apply := func(services []hypercare.Service, integrations []hypercare.Integration) {
		mustWrite(t, s, func(tx hypercare.Tx) error {
			return tx.ApplyCatalog(ctx, []hypercare.Team{{ID: "web", Name: "Web Team"}}, services, integrations)
		})
	}
	apply([]hypercare.Service{
		{ID: svcCheckout, Name: "Checkout v2", TeamID: "web", EscalationPolicy: "web", UpdatedAt: later},
		{ID: svcBilling, Name: "Billing", TeamID: "web", UpdatedAt: later},
	}, []hypercare.Integration{
		{ID: "checkout-v2", ServiceID: svcCheckout, Type: hypercare.IntegrationEventsV2, Key: "k-new"},
		{ID: "billing-generic", ServiceID: svcBilling, Type: hypercare.IntegrationGeneric, Key: "k-billing", Name: "generic"},
	})

	checkCatalogChanged(t, s, later)
	// Listing a service again reactivates it.
	apply([]hypercare.Service{{ID: svcSearch, Name: "Search"}}, nil)
	if sv, err := s.GetService(ctx, svcSearch); err != nil || !sv.Active {
		t.Errorf("search after re-listing: %+v, %v", sv, err)
	}
	if ins, _ := s.ListIntegrations(ctx); len(ins) != 0 {
		t.Errorf("integrations not listed were kept: %+v", ins)
	}
	// An integration of a service the catalog does not list is refused,
	// naming it (no foreign key would: migration 0046), and nothing of
	// the catalog is applied.
	err = s.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: svcSearch, Name: "Search v2"}},
			[]hypercare.Integration{{ID: "ghost-v2", ServiceID: "ghost", Type: hypercare.IntegrationEventsV2, Key: "k-ghost"}})
	})
	wantCode(t, err, hypercare.CodeInvalid)
	if err == nil || !strings.Contains(err.Error(), "integrations[0].service_id") {
		t.Errorf("integration of a service not listed: %v, want an error naming integrations[0].service_id", err)
	}
	if sv, err := s.GetService(ctx, svcSearch); err != nil || sv.Name != "Search" {
		t.Errorf("search after a refused catalog: %+v, %v", sv, err)
	}
}

// checkCatalogChanged checks the catalog after testCatalog's second apply.
func checkCatalogChanged(t *testing.T, s *store.Store, later time.Time) {
	ctx := t.Context()
	svcs, err := s.ListServices(ctx)
	if err != nil || len(svcs) != 3 {
		t.Fatalf("services after second apply: %+v, %v", svcs, err)
	}
	byID := map[string]hypercare.Service{}
	for _, sv := range svcs {
		byID[sv.ID] = sv
	}
	if sv := byID[svcCheckout]; sv.Name != "Checkout v2" || !sv.Active || !sv.UpdatedAt.Equal(later) {
		t.Errorf("renamed service = %+v, want name %q, active, updated at %v", sv, "Checkout v2", later)
	}
	if sv := byID[svcBilling]; !sv.Active || sv.UpdatedAt.Equal(later) {
		t.Errorf("unchanged service = %+v: want active and updated_at not moved", sv)
	}
	if sv := byID[svcSearch]; sv.Active || sv.Name != "Search" {
		t.Errorf("unlisted service = %+v, want kept but inactive", sv)
	}
	teams, err := s.ListTeams(ctx)
	if err != nil || !reflect.DeepEqual(teams, []hypercare.Team{{ID: "web", Name: "Web Team"}}) {
		t.Errorf("teams = %+v, %v; want only the renamed web team", teams, err)
	}
	ins, err := s.ListIntegrations(ctx)
	if err != nil || len(ins) != 2 || ins[0].ID != "billing-generic" || ins[1].ID != "checkout-v2" || ins[0].Name != "generic" {
		t.Errorf("integrations = %+v, %v; want billing-generic and checkout-v2", ins, err)
	}
	if in, err := s.IntegrationByKey(ctx, "k-new"); err != nil || in.ID != "checkout-v2" {
		t.Errorf("integration by new key = %+v, %v", in, err)
	}
	if _, err := s.IntegrationByKey(ctx, "00000000000000000000000000000001"); !hypercare.IsNotFound(err) {
		t.Errorf("old key still routes: %v", err)
	}
	if inc, err := s.GetIncident(ctx, "inc-s"); err != nil || inc.ServiceID != svcSearch {
		t.Errorf("incident on deactivated service: %+v, %v", inc, err)
	}
}

func testIncidentRoundTrip(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	inc := incident("inc-1", 7, svcCheckout)
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, inc) })
	checkIncident(t, s, inc)

	upd := *inc
	upd.Title, upd.Status, upd.Urgency, upd.Severity = "ü title", hypercare.StatusResolved, hypercare.UrgencyLow, hypercare.SeverityInfo
	upd.AlertCount, upd.OpenAlertCount, upd.UpdatedAt = 3, 0, at(time.Hour)
	upd.AcknowledgedAt, upd.ResolvedAt = ptr(at(time.Minute)), ptr(at(time.Hour))
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.GetIncident(ctx, inc.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, inc) {
			t.Errorf("tx.GetIncident = %+v, want %+v", got, inc)
		}
		return tx.UpdateIncident(ctx, &upd)
	})
	checkIncident(t, s, &upd)
	if n, err := s.CountIncidents(ctx, hypercare.StatusResolved); err != nil || n != 1 {
		t.Errorf("CountIncidents(resolved) = %d, %v", n, err)
	}
	if n, err := s.CountIncidents(ctx, hypercare.StatusTriggered); err != nil || n != 0 {
		t.Errorf("CountIncidents(triggered) = %d, %v", n, err)
	}
	if n, err := s.CountIncidents(ctx, ""); err != nil || n != 1 {
		t.Errorf("CountIncidents(all) = %d, %v", n, err)
	}
}

func checkIncident(t *testing.T, s *store.Store, want *hypercare.Incident) {
	t.Helper()
	got, err := s.GetIncident(t.Context(), want.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetIncident = %+v, %v\nwant %+v", got, err, want)
	}
	got, err = s.GetIncidentByNumber(t.Context(), want.Number)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetIncidentByNumber = %+v, %v\nwant %+v", got, err, want)
	}
}

func testAlertRoundTrip(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	a := alert("al-1", svcCheckout, "inc-1", "disk")
	a.Component, a.Group, a.Class = "postgres", "prod", "disk"
	a.CustomDetails = json.RawMessage(`{"free":"0%","nested":{"a":[1,2]},"nul":"\u0000"}`)
	a.Links = []hypercare.Link{{Href: "https://grafana/d/1", Text: "graph"}}
	a.Images = []hypercare.Image{{Src: "https://img/1.png", Href: "https://img", Alt: "chart"}}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, a)
	})
	checkAlerts(t, s, hypercare.AlertFilter{IncidentID: "inc-1"}, a)

	upd := *a
	upd.Status, upd.Summary, upd.EventCount, upd.LastSeenAt = hypercare.StatusAcknowledged, "still full", 5, at(time.Minute)
	upd.AcknowledgedAt, upd.ResolvedAt = ptr(at(time.Minute)), nil
	upd.CustomDetails, upd.Links, upd.Images = nil, nil, nil
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.FindOpenAlert(ctx, svcCheckout, "disk")
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("FindOpenAlert = %+v, %v\nwant %+v", got, err, a)
		}
		return tx.UpdateAlert(ctx, &upd)
	})
	checkAlerts(t, s, hypercare.AlertFilter{ServiceID: svcCheckout, DedupKey: "disk"}, &upd)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.AlertsOfIncident(ctx, "inc-1")
		if err != nil || len(got) != 1 || !reflect.DeepEqual(&got[0], &upd) {
			t.Errorf("AlertsOfIncident = %+v, %v", got, err)
		}
		return nil
	})
}

func checkAlerts(t *testing.T, s *store.Store, f hypercare.AlertFilter, want ...*hypercare.Alert) {
	t.Helper()
	got, next, err := s.ListAlerts(t.Context(), f)
	if err != nil || next != "" || len(got) != len(want) {
		t.Fatalf("ListAlerts(%+v) = %d alerts, next %q, %v; want %d", f, len(got), next, err, len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(&got[i], want[i]) {
			t.Errorf("alert %d = %+v\nwant %+v", i, got[i], *want[i])
		}
	}
}

func testTimelineEventChange(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	entry := &hypercare.TimelineEntry{ID: "tl-1", IncidentID: "inc-1", At: at(time.Second), Type: hypercare.TimelineTriggered,
		Actor: hypercare.SystemActor, Message: "Triggered", Details: json.RawMessage(`{"alert":"al-1"}`)}
	ev := event("ev-1")
	ev.AlertID, ev.IncidentID = "al-1", "inc-1"
	ch := &hypercare.ChangeEvent{ID: "ch-1", ServiceID: svcCheckout, IntegrationID: "checkout-v2", Summary: "deploy v42",
		Source: "ci", Timestamp: at(-10 * time.Minute), ReceivedAt: at(-9 * time.Minute),
		CustomDetails: json.RawMessage(`{"sha":"abc"}`), Links: []hypercare.Link{{Href: "https://ci/42"}},
		FreezeViolation: true, FreezeWindow: "bfcm-2026"}
	old := &hypercare.ChangeEvent{ID: "ch-0", ServiceID: svcCheckout, Summary: "old deploy", Timestamp: at(-2 * time.Hour), ReceivedAt: at(-2 * time.Hour)}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, err := range []error{
			tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)), tx.AppendTimeline(ctx, entry),
			tx.InsertEvent(ctx, ev), tx.InsertChangeEvent(ctx, ch), tx.InsertChangeEvent(ctx, old),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	tl, _, err := s.ListTimeline(ctx, "inc-1", hypercare.Page{})
	if err != nil || len(tl) != 1 || !reflect.DeepEqual(&tl[0], entry) {
		t.Errorf("ListTimeline = %+v, %v\nwant %+v", tl, err, entry)
	}
	evs, _, err := s.ListEvents(ctx, hypercare.Page{})
	if err != nil || len(evs) != 1 || !reflect.DeepEqual(&evs[0], ev) {
		t.Errorf("ListEvents = %+v, %v\nwant %+v", evs, err, ev)
	}
	chs, _, err := s.ListChangeEvents(ctx, hypercare.ChangeFilter{ServiceID: svcCheckout})
	if err != nil || len(chs) != 2 || !reflect.DeepEqual(&chs[0], ch) || !reflect.DeepEqual(&chs[1], old) {
		t.Errorf("ListChangeEvents = %+v, %v", chs, err)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.RecentChanges(ctx, svcCheckout, t0.Add(-hypercare.RecentChangeWindow), t0)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(&got[0], ch) {
			t.Errorf("RecentChanges = %+v, %v", got, err)
		}
		got, err = tx.RecentChanges(ctx, svcCheckout, ch.Timestamp, ch.Timestamp) // bounds inclusive
		if err != nil || len(got) != 1 {
			t.Errorf("RecentChanges on exact bounds = %+v, %v", got, err)
		}
		return nil
	})
}
