package escalate_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/store"
)

// t0 is Black Friday 08:00 UTC: alice is on call (the daily rotation
// hands over at 09:00).
var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

var integration = hypercare.Integration{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
	Key: "0123456789abcdef0123456789abcdef", Name: "Datadog"}

func user(id string, rules ...hypercare.NotificationRule) hypercare.User {
	u := hypercare.User{ID: id, Name: strings.ToUpper(id[:1]) + id[1:], Role: hypercare.RoleResponder,
		ContactMethods: []hypercare.ContactMethod{
			{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/" + id, Verified: true},
			{ID: id + "-sms", Type: hypercare.ContactSMS, Address: "+447700900001", Verified: true},
		}}
	if len(rules) == 0 {
		rules = []hypercare.NotificationRule{{ContactMethod: id + "-hook"}}
	}
	u.NotificationRules = rules
	return u
}

// directory: schedule "primary" rotates alice/bob daily at 09:00 UTC;
// policy "web": the schedule, then carol after 5 min, repeated once.
func directory(policy hypercare.EscalationPolicy) *escalate.Directory {
	alice := user("alice",
		hypercare.NotificationRule{ContactMethod: "alice-hook"},
		hypercare.NotificationRule{ContactMethod: "alice-sms", After: 2 * time.Minute, Urgency: hypercare.UrgencyHigh})
	sched := &oncall.Schedule{ID: "primary", TimeZone: time.UTC, Layers: []oncall.Layer{{
		ID: "daily", Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 26, Hour: 9},
		Shift: 24 * time.Hour, Users: []string{"alice", "bob"}}}}
	return escalate.NewDirectory(
		[]hypercare.User{alice, user("bob"), user("carol"), user("dave")},
		[]*oncall.Schedule{sched},
		[]hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "shop", EscalationPolicy: policy.ID}}, nil)
}

func webPolicy() hypercare.EscalationPolicy {
	return hypercare.EscalationPolicy{ID: "web", Name: "Web", Repeat: 1, Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{Schedule: "primary"}}, EscalateAfter: 5 * time.Minute},
		{Targets: []hypercare.Target{{User: "carol"}}, EscalateAfter: 10 * time.Minute},
	}}
}

// node is one Hypercare process: a store, an intake and an engine.
type node struct {
	st     *store.Store
	in     *intake.Intake
	eng    *escalate.Engine
	svc    *incident.Service
	clock  *clocktest.Clock
	ctx    context.Context
	cancel func()
}

func newNode(t *testing.T, opts store.Options, clk *clocktest.Clock, dir *escalate.Directory) *node {
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	n := &node{st: st, clock: clk, ctx: context.Background()}
	n.cancel = func() { cancel(); <-done; st.Close() }
	t.Cleanup(func() {
		if ctx.Err() == nil {
			n.cancel()
		}
	})
	err = st.Write(n.ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(n.ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true, EscalationPolicy: "web"}},
			[]hypercare.Integration{integration})
	})
	if err != nil {
		t.Fatal(err)
	}
	n.eng = escalate.New(st, clk, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	n.in = intake.New(st, clk)
	n.in.SetIntegrations([]hypercare.Integration{integration})
	n.in.SetPolicies(dir.PoliciesByService(), n.eng.Wake)
	// As serve wires it: level 1 is paged in the ingest write.
	n.in.SetFirstStep(n.eng.StepOpened, nil)
	n.svc = &incident.Service{Store: st, Clock: clk}
	return n
}

// trigger sends an event and returns the incident it opened.
func (n *node) trigger(t *testing.T, key string, sev hypercare.Severity) *hypercare.Incident {
	t.Helper()
	res, err := n.in.Process(n.ctx, integration, []hypercare.Event{{Action: hypercare.ActionTrigger, DedupKey: key,
		Summary: "Checkout is down", Source: "web-1", Severity: sev}})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := n.st.GetIncident(n.ctx, res[0].IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// runDue takes the due steps, as the loop would at the clock's time.
func (n *node) runDue(t *testing.T) {
	t.Helper()
	if _, err := n.eng.RunDue(n.ctx); err != nil {
		t.Fatal(err)
	}
}

// expectPages asserts the incident's pages are exactly want, each as
// "user/contact-method@minutes-after-t0" (due time), in any order.
func (n *node) expectPages(t *testing.T, incidentID string, want ...string) {
	t.Helper()
	got := pages(t, n.st, incidentID)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("pages:\n got  %v\n want %v", got, want)
	}
}

func pages(t *testing.T, st *store.Store, incidentID string) []string {
	t.Helper()
	list, err := st.ListNotifications(context.Background(), incidentID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range list {
		out = append(out, fmt.Sprintf("%s/%s@%g", p.UserID, p.ContactMethod, p.DueAt.Sub(t0).Minutes()))
	}
	return out
}
