package escalate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/storetest"
)

// Level 1's pages are decided in the ingest write itself: after the one
// commit of the trigger, with no engine pass, its notification rows, its
// timeline entry and the advanced escalation (level 2 due after level
// 1's timeout) are all there, and the dry run agrees on whom it pages.
func TestFirstPageInIngestCommit(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		before := n.st.WriteStats().Batches
		inc := n.trigger(t, "k1", hypercare.SeverityCritical)
		if got := n.st.WriteStats().Batches - before; got != 1 {
			t.Errorf("the trigger took %d write transactions, want 1", got)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2")
		st, err := n.st.GetEscalation(n.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Step != 1 || st.Level != 1 || !st.DueAt.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("escalation after the trigger: step %d level %d due %v, want step 1, level 2 due at +5m", st.Step, st.Level, st.DueAt)
		}
		if tl := timeline(t, n, inc.ID); !strings.Contains(tl, "Paging Alice via alice-hook (webhook), alice-sms (sms) in 2 minutes (level 1 of escalation policy web)") {
			t.Errorf("timeline %q", tl)
		}
		sim, err := n.eng.Simulate(n.ctx, "shop", t0, hypercare.UrgencyHigh)
		if err != nil {
			t.Fatal(err)
		}
		var planned []string
		for _, p := range sim.Pages {
			if p.Level == 1 && p.Loop == 0 {
				planned = append(planned, fmt.Sprintf("%s/%s@%g", p.User, p.ContactMethod, p.At.Sub(t0).Minutes()))
			}
		}
		got := pages(t, n.st, inc.ID)
		slices.Sort(planned)
		slices.Sort(got)
		if !slices.Equal(planned, got) {
			t.Errorf("dry run plans %v at the trigger, ingest paged %v", planned, got)
		}
		n.runDue(t) // the engine finds nothing due: the step is taken
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2")
		clk.Advance(5 * time.Minute)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2", "carol/carol-hook@5")
	})
}

// The step taken in the ingest write is the engine's own: for the same
// events, the pages, the escalation and the timeline entries are the
// same whether intake takes level 1's step or the engine does afterwards.
// The cases cover what the step respects: urgency rules, an event rule
// or maintenance hold (left to the engine), a hypercare window's overlay
// and fatigue guardrail, and an incident resolved in the same batch.
func TestFirstStepMatchesEngine(t *testing.T) {
	overlay := hypercare.Window{ID: "bfcm-2026", TimeZone: time.UTC, Start: t0.Add(-time.Hour), End: t0.Add(time.Hour),
		Services: []string{"shop"}, MaxEscalateAfter: time.Minute}
	cases := []struct {
		name   string
		dir    func() *escalate.Directory
		events []hypercare.Event
	}{
		{"high urgency", func() *escalate.Directory { return directory(webPolicy()) },
			[]hypercare.Event{trig("k1", hypercare.SeverityCritical)}},
		{"low urgency, two incidents", func() *escalate.Directory { return directory(webPolicy()) },
			[]hypercare.Event{trig("k1", hypercare.SeverityWarning), trig("k2", hypercare.SeverityWarning)}},
		{"resolved in the same batch", func() *escalate.Directory { return directory(webPolicy()) },
			[]hypercare.Event{trig("k1", hypercare.SeverityCritical), {Action: hypercare.ActionResolve, DedupKey: "k1"}}},
		{"hypercare window overlay", func() *escalate.Directory {
			d := directory(webPolicy())
			d.Windows = []hypercare.Window{overlay}
			return d
		}, []hypercare.Event{trig("k1", hypercare.SeverityCritical)}},
		{"fatigue guardrail", func() *escalate.Directory {
			w := fatigueWindow(t0.Add(-time.Hour), "shop")
			w.Fatigue.MaxPages = 1
			return fatigueDirectory(w)
		}, []hypercare.Event{trig("k1", hypercare.SeverityWarning), trig("k2", hypercare.SeverityWarning)}},
	}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inline := runFirstStep(t, eng, c.dir(), c.events, true)
				engine := runFirstStep(t, eng, c.dir(), c.events, false)
				if inline != engine {
					t.Errorf("ingest step and engine step differ:\n ingest %s\n engine %s", inline, engine)
				}
			})
		}
	})
}

func trig(key string, sev hypercare.Severity) hypercare.Event {
	return hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: key, Summary: "Checkout is down " + key,
		Source: "web-1", Severity: sev}
}

// runFirstStep processes events (one request) on a fresh node, lets the
// engine run at the trigger's time and describes what came of it: each
// incident's pages, escalation and escalation timeline.
func runFirstStep(t *testing.T, eng storetest.Engine, dir *escalate.Directory, events []hypercare.Event, inline bool) string {
	t.Helper()
	clk := clocktest.New(t0)
	n := newNode(t, eng.Options(t), clk, dir)
	if !inline {
		n.in.SetFirstStep(nil, nil)
	}
	res, err := n.in.Process(n.ctx, integration, events)
	if err != nil {
		t.Fatal(err)
	}
	n.runDue(t)
	var out []string
	for _, r := range res {
		if r.Outcome != hypercare.OutcomeCreated {
			continue
		}
		st, err := n.st.GetEscalation(n.ctx, r.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		got := pages(t, n.st, r.IncidentID)
		slices.Sort(got)
		out = append(out, fmt.Sprintf("%s: pages %v; escalation %s step %d level %d loop %d due %v; %s", r.DedupKey, got,
			st.Status, st.Step, st.Level, st.Loop, st.DueAt.Sub(t0), timeline(t, n, r.IncidentID)))
	}
	return strings.Join(out, "\n")
}

// timeline is the incident's escalation entries, oldest first.
func timeline(t *testing.T, n *node, incidentID string) string {
	t.Helper()
	list, _, err := n.st.ListTimeline(n.ctx, incidentID, hypercare.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		if e.Type == escalate.TimelineEscalated {
			out = append(out, e.Message+" "+string(e.Details))
		}
	}
	return strings.Join(out, " | ")
}

// A process that dies right after the trigger's commit, before any
// engine pass, and starts again pages nobody twice: level 1 was recorded
// with the incident, the restarted engine finds nothing due until level
// 2's time and then pages level 2 once. A trigger whose write fails after
// the step (here: the step's caller fails) leaves no page, no incident
// and no escalation, and the retried event then pages once.
func TestFirstStepCrashPagesOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		opts := eng.Options(t)
		dir := directory(webPolicy())
		a := newNode(t, opts, clk, dir)
		failing := errors.New("the write fails after the step")
		a.in.SetFirstStep(func(ctx context.Context, tx hypercare.Tx, dir *escalate.Directory, ids []string, now time.Time) (int, error) {
			if _, err := a.eng.StepOpened(ctx, tx, dir, ids, now); err != nil {
				return 0, err
			}
			return 0, failing
		}, nil)
		if _, err := a.in.Process(a.ctx, integration, []hypercare.Event{trig("k1", hypercare.SeverityWarning)}); !errors.Is(err, failing) {
			t.Fatalf("process = %v, want the step's failure", err)
		}
		if list, _, err := a.st.ListIncidents(a.ctx, hypercare.IncidentFilter{Page: hypercare.Page{Limit: 10}}); err != nil || len(list) != 0 {
			t.Fatalf("after a failed write: incidents %v, %v; want none", list, err)
		}
		a.in.SetFirstStep(a.eng.StepOpened, nil)
		inc := a.trigger(t, "k1", hypercare.SeverityWarning)
		a.expectPages(t, inc.ID, "alice/alice-hook@0")
		a.cancel() // dies before the engine ran once

		b := newNode(t, opts, clk, dir)
		b.runDue(t)
		b.runDue(t)
		b.expectPages(t, inc.ID, "alice/alice-hook@0")
		clk.Advance(5 * time.Minute)
		b.runDue(t)
		b.runDue(t)
		b.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@5")
	})
}

// With delivery running, the trigger's own write is the only commit
// before the page reaches the receiver: the first step and the page's
// lease are in it, and the send starts right after it, with no engine
// pass and no claim write (serve wires it so).
func TestFirstPageOneCommitBeforeSend(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		var n *node
		var before uint64
		arrived := make(chan uint64, 4)
		n = deliveringNode(t, eng, func() { arrived <- n.st.WriteStats().Batches - before })
		before = n.st.WriteStats().Batches
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		if commits := <-arrived; commits != 1 {
			t.Errorf("%d commits stood between the trigger and its page, want 1", commits)
		}
		list, err := n.st.ListNotifications(n.ctx, inc.ID)
		if err != nil || len(list) != 1 || list[0].Attempts != 1 {
			t.Fatalf("pages %+v, %v; want one, attempted once", list, err)
		}
	})
}

// A first page is handed to delivery with its incident as the whole group
// commit left it, not as its own request did: when a later request of the
// same batch resolves the incident, the page is cancelled, not sent.
func TestFirstPageSeesLaterBatchMate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		sent := make(chan struct{}, 4)
		n := deliveringNode(t, eng, func() { sent <- struct{}{} })
		unblock, running := make(chan struct{}), make(chan struct{})
		blocked := make(chan error, 1)
		// Intake's writer for one alert of an ungrouped service (route.go):
		// held busy, so both events queue behind it and share the next batch.
		key := integration.ServiceID + "\x00k1"
		go func() {
			blocked <- n.st.Write(n.ctx, key, func(hypercare.Tx) error {
				close(running)
				<-unblock
				return nil
			})
		}()
		<-running
		processed := make(chan error, 2)
		for i, ev := range []hypercare.Event{trig("k1", hypercare.SeverityCritical),
			{Action: hypercare.ActionResolve, DedupKey: "k1"}} {
			go func() {
				_, err := n.in.Process(n.ctx, integration, []hypercare.Event{ev})
				processed <- err
			}()
			deadline := time.Now().Add(10 * time.Second)
			for n.st.WriteStats().Queued != i+1 { // in this order, behind the blocker
				if time.Now().After(deadline) {
					close(unblock)
					t.Fatalf("event %d did not queue behind writer %q", i, key)
				}
				runtime.Gosched()
			}
		}
		if largest := n.st.WriteStats().Largest; largest > 1 {
			t.Fatalf("a batch of %d before the test's: it could not tell the trigger and resolve shared one", largest)
		}
		close(unblock)
		for range 2 {
			if err := <-processed; err != nil {
				t.Fatal(err)
			}
		}
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
		// Trigger and resolve shared one batch (of 2); the blocker ran alone,
		// and so does the first page's outcome, which may already have been
		// written (it follows the commit).
		if got := n.st.WriteStats().Largest; got != 2 {
			t.Fatalf("largest batch %d, want 2 (trigger and resolve together)", got)
		}
		list, _, err := n.st.ListIncidents(n.ctx, hypercare.IncidentFilter{Page: hypercare.Page{Limit: 10}})
		if err != nil || len(list) != 1 || list[0].Status != hypercare.StatusResolved {
			t.Fatalf("incidents %+v, %v; want one, resolved", list, err)
		}
		var pages []hypercare.Notification
		for { // the first attempt runs after the commit: wait for its outcome
			if pages, err = n.st.ListNotifications(n.ctx, list[0].ID); err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(pages, func(p hypercare.Notification) bool { return p.Status == hypercare.NotificationSending }) {
				break
			}
			runtime.Gosched()
		}
		var got []string
		for _, p := range pages {
			got = append(got, fmt.Sprintf("%s %s attempts=%d", p.ContactMethod, p.Status, p.Attempts))
		}
		slices.Sort(got)
		// The webhook page was leased in the ingest write and handed over
		// (attempt 1); the SMS one, due later, was cancelled by the resolve.
		want := []string{"alice-hook cancelled attempts=1", "alice-sms cancelled attempts=0"}
		if !slices.Equal(got, want) || len(sent) != 0 {
			t.Fatalf("pages %v, %d sent; want %v, none sent", got, len(sent), want)
		}
	})
}

// deliveringNode is a node whose intake takes level 1's step and hands
// its pages to a running delivery engine, as serve wires it; Alice's
// webhook calls arrived for each page received.
func deliveringNode(t *testing.T, eng storetest.Engine, arrived func()) *node {
	t.Helper()
	clk := clocktest.New(t0)
	d := directory(webPolicy())
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hooks.Close)
	alice := d.Users["alice"]
	alice.ContactMethods = slices.Clone(alice.ContactMethods)
	alice.ContactMethods[0].Address = hooks.URL + "/alice"
	d.Users["alice"] = alice
	n := newNode(t, eng.Options(t), clk, d)
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
	delivery := notify.NewEngine(n.st, clk, channels, func() notify.Directory { return n.eng.Directory() },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	n.in.SetFirstStep(n.eng.StepOpened, delivery)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- delivery.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for !delivery.Accepting() {
		runtime.Gosched()
	}
	return n
}
