package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

const (
	nul     = "a\x00b"
	badUTF8 = "a\xffb"
)

type textCase struct {
	name  string
	field string
	fn    func(ctx context.Context, tx hypercare.Tx) error
}

func textCases() []textCase {
	withAlert := func(mut func(a *hypercare.Alert)) *hypercare.Alert {
		a := alert("al-x", svcCheckout, "", "dk")
		mut(a)
		return a
	}
	entry := func(mut func(e *hypercare.TimelineEntry)) *hypercare.TimelineEntry {
		e := &hypercare.TimelineEntry{ID: "tl-x", IncidentID: "inc-1", At: t0, Type: hypercare.TimelineNote, Actor: hypercare.SystemActor}
		mut(e)
		return e
	}
	return []textCase{
		{"alert summary NUL", "summary", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertAlert(ctx, withAlert(func(a *hypercare.Alert) { a.Summary = nul }))
		}},
		{"alert dedup_key UTF-8", "dedup_key", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertAlert(ctx, withAlert(func(a *hypercare.Alert) { a.DedupKey = badUTF8 }))
		}},
		{"alert custom_details NUL", "custom_details", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertAlert(ctx, withAlert(func(a *hypercare.Alert) { a.CustomDetails = json.RawMessage("{\"a\":\"\x00\"}") }))
		}},
		{"alert custom_details not JSON", "custom_details", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertAlert(ctx, withAlert(func(a *hypercare.Alert) { a.CustomDetails = json.RawMessage(`{"a":`) }))
		}},
		{"alert link href", "links[0].href", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertAlert(ctx, withAlert(func(a *hypercare.Alert) { a.Links = []hypercare.Link{{Href: badUTF8}} }))
		}},
		{"alert image alt", "images[1].alt", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertAlert(ctx, withAlert(func(a *hypercare.Alert) { a.Images = []hypercare.Image{{Src: "x"}, {Src: "y", Alt: nul}} }))
		}},
		{"update alert source", "source", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.UpdateAlert(ctx, withAlert(func(a *hypercare.Alert) { a.Source = badUTF8 }))
		}},
		{"incident title", "title", func(ctx context.Context, tx hypercare.Tx) error {
			inc := incident("inc-x", 99, svcCheckout)
			inc.Title = nul
			return tx.InsertIncident(ctx, inc)
		}},
		{"update incident title", "title", func(ctx context.Context, tx hypercare.Tx) error {
			inc := incident("inc-1", 1, svcCheckout)
			inc.Title = badUTF8
			return tx.UpdateIncident(ctx, inc)
		}},
		{"timeline message", "message", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.AppendTimeline(ctx, entry(func(e *hypercare.TimelineEntry) { e.Message = nul }))
		}},
		{"timeline actor name", "actor.name", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.AppendTimeline(ctx, entry(func(e *hypercare.TimelineEntry) { e.Actor.Name = badUTF8 }))
		}},
		{"timeline details", "details", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.AppendTimeline(ctx, entry(func(e *hypercare.TimelineEntry) { e.Details = json.RawMessage("\"\xff\"") }))
		}},
		{"event payload", "payload", func(ctx context.Context, tx hypercare.Tx) error {
			e := event("ev-x")
			e.Payload = json.RawMessage("{\"s\":\"\xfe\"}")
			return tx.InsertEvent(ctx, e)
		}},
		{"event dedup_key", "dedup_key", func(ctx context.Context, tx hypercare.Tx) error {
			e := event("ev-x")
			e.DedupKey = nul
			return tx.InsertEvent(ctx, e)
		}},
		{"change summary", "summary", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertChangeEvent(ctx, &hypercare.ChangeEvent{ID: "ch-x", ServiceID: svcCheckout, Summary: nul, Timestamp: t0})
		}},
		{"change link text", "links[0].text", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.InsertChangeEvent(ctx, &hypercare.ChangeEvent{ID: "ch-x", ServiceID: svcCheckout, Summary: "s",
				Links: []hypercare.Link{{Href: "h", Text: badUTF8}}})
		}},
		{"catalog service name", "services[0].name", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "svc", Name: nul}}, nil)
		}},
		{"token name", "name", func(ctx context.Context, tx hypercare.Tx) error {
			return tx.CreateToken(ctx, &hypercare.Token{ID: "tok", Name: badUTF8, Role: hypercare.RoleAdmin, Hash: "h"})
		}},
		{"touch token id", "id", func(ctx context.Context, tx hypercare.Tx) error { return tx.TouchToken(ctx, nul, t0) }},
		{"find open alert", "dedup_key", func(ctx context.Context, tx hypercare.Tx) error {
			_, err := tx.FindOpenAlert(ctx, svcCheckout, badUTF8)
			return err
		}},
		{"get incident", "id", func(ctx context.Context, tx hypercare.Tx) error {
			_, err := tx.GetIncident(ctx, nul)
			return err
		}},
		{"recent changes", "service_id", func(ctx context.Context, tx hypercare.Tx) error {
			_, err := tx.RecentChanges(ctx, badUTF8, t0, t0.Add(time.Hour))
			return err
		}},
	}
}

// testInvalidText: NUL bytes and invalid UTF-8 are invalid_argument errors
// naming the field, on every engine, and nothing of the write is kept.
func testInvalidText(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)) })
	for _, tc := range textCases() {
		err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			if err := tx.InsertEvent(ctx, event(tc.name)); err != nil {
				return err
			}
			return tc.fn(ctx, tx)
		})
		checkInvalidField(t, tc.name, err, tc.field)
		if eventIDs(t, s)[tc.name] {
			t.Errorf("%s: the failed write was kept", tc.name)
		}
	}
	// The message is built before the database is touched, so it is the
	// same text on every engine.
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return textCases()[0].fn(ctx, tx) })
	if want := `insert alert "al-x": summary contains a NUL byte`; hypercare.ErrorMessage(err) != want {
		t.Errorf("message = %q, want %q", hypercare.ErrorMessage(err), want)
	}
}

func checkInvalidField(t *testing.T, name string, err error, field string) {
	t.Helper()
	var herr *hypercare.Error
	if !errors.As(err, &herr) || herr.Code != hypercare.CodeInvalid {
		t.Errorf("%s: error %v, want invalid_argument", name, err)
		return
	}
	for _, d := range herr.Details {
		if d.Field == field && strings.Contains(herr.Message, field) {
			return
		}
	}
	t.Errorf("%s: error %q details %+v do not name field %q", name, herr.Message, herr.Details, field)
}

// testInvalidFilters: read filters get the same check, so a query string
// with a NUL byte is a 400 on both engines, not a 500 on PostgreSQL.
func testInvalidFilters(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	type filterCase struct {
		name, field string
		err         error
	}
	var cases []filterCase
	add := func(name, field string, err error) { cases = append(cases, filterCase{name, field, err}) }
	_, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{DedupKey: nul})
	add("alerts dedup_key", "dedup_key", err)
	_, _, err = s.ListIncidents(ctx, hypercare.IncidentFilter{ServiceID: badUTF8})
	add("incidents service", "service_id", err)
	_, _, err = s.ListIncidents(ctx, hypercare.IncidentFilter{Statuses: []hypercare.Status{"triggered", nul}})
	add("incidents status", "status", err)
	_, err = s.GetService(ctx, badUTF8)
	add("service id", "id", err)
	_, err = s.TokenByHash(ctx, nul)
	add("token hash", "hash", err)
	_, _, err = s.ListTimeline(ctx, nul, hypercare.Page{})
	add("timeline incident", "incident_id", err)
	_, _, err = s.ListChangeEvents(ctx, hypercare.ChangeFilter{ServiceID: badUTF8})
	add("changes service", "service_id", err)
	_, err = s.GetIncident(ctx, nul)
	add("incident id", "id", err)
	_, _, err = s.ListIncidents(ctx, hypercare.IncidentFilter{Page: hypercare.Page{Cursor: "!!"}})
	add("bad cursor", "cursor", err)
	_, _, err = s.ListIncidents(ctx, hypercare.IncidentFilter{Page: hypercare.Page{Cursor: "YWJj"}}) // "abc"
	add("non-numeric cursor", "cursor", err)
	_, _, err = s.ListTimeline(ctx, "inc-1", hypercare.Page{Cursor: "YWJj"})
	add("timeline cursor", "cursor", err)
	for _, c := range cases {
		checkInvalidField(t, c.name, c.err, c.field)
	}
}
